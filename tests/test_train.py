"""Training: classifiers, pickle-free storage, the train command, determinism and retraining."""
import json
from pathlib import Path

import numpy as np
import pytest
from underthesea_core import CRFModel

import kcnlp
from kcnlp.corpus.markup import compile_file
from kcnlp.errors import KcnlpError, ModelError
from kcnlp.io.jsonl import write_records
from kcnlp.pipeline.categories import train_category_model
from kcnlp.pipeline.linear import LinearClassifier
from kcnlp.pipeline.ner import entity_doc
from kcnlp.pipeline.relations import train_relation_model
from kcnlp.pipeline.roles import train_role_model
from kcnlp.training.train import TrainConfig, choose_entity_sources, read_config, train_model

TINY = Path(__file__).parent / "resources" / "tiny.kc"


@pytest.fixture(scope="module")
def tiny_records():
    records, problems = compile_file(TINY)
    assert not problems
    return records


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory, tiny_records):
    out = tmp_path_factory.mktemp("tiny")
    write_records(tiny_records[:4] + tiny_records[6:], out / "train.jsonl")
    write_records(tiny_records[4:5], out / "dev.jsonl")
    write_records(tiny_records[5:6], out / "test.jsonl")
    return out


def test_linear_classifier_round_trip(tmp_path):
    X = [{"a": 1.0}, {"b": 1.0}, {"c": 1.0}, {"a": 1.0, "c": 0.5}]
    y = ["x", "y", "z", "x"]
    model = LinearClassifier.train(X, y)
    model.save(tmp_path / "m")
    loaded = LinearClassifier.load(tmp_path / "m")
    for f in X + [{"unseen": 1.0}]:
        assert loaded.predict(f) == model.predict(f)
        assert np.allclose(loaded.scores(f), model.scores(f))
    assert model.predict({"b": 1.0}) == "y"


def test_loading_never_unpickles(tmp_path):
    model = LinearClassifier.train([{"a": 1.0}, {"b": 1.0}], ["x", "y"])
    model.save(tmp_path / "m")
    np.savez(tmp_path / "m" / "weights.npz", coef=np.array([{"evil": 1}], dtype=object), intercept=np.zeros(1))
    with pytest.raises(ModelError, match="corrupt"):
        LinearClassifier.load(tmp_path / "m")


def test_missing_and_corrupt_files_are_named(tmp_path):
    model = LinearClassifier.train([{"a": 1.0}, {"b": 1.0}], ["x", "y"])
    model.save(tmp_path / "m")
    (tmp_path / "m" / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="model.json|corrupt"):
        LinearClassifier.load(tmp_path / "m")
    (tmp_path / "m" / "weights.npz").unlink()
    with pytest.raises(ModelError, match="weights.npz is missing"):
        LinearClassifier.load(tmp_path / "m")


def test_other_sklearn_version_warns(tmp_path):
    model = LinearClassifier.train([{"a": 1.0}, {"b": 1.0}], ["x", "y"])
    model.info["sklearn"] = "0.1.0"
    model.save(tmp_path / "m")
    with pytest.warns(UserWarning, match="scikit-learn 0.1.0"):
        LinearClassifier.load(tmp_path / "m")


def test_classifiers_learn_the_tiny_corpus(tiny_records):
    cats = train_category_model(tiny_records)
    roles = train_role_model(tiny_records)
    rels, coverage = train_relation_model(tiny_records)
    assert coverage["gold_relations"] > 20 and coverage["not_candidates"] == 0
    from kcnlp.pipeline.categories import category_features

    text = "Tỉnh mở lớp đào tạo nghề mây tre đan cho lao động."
    s = text.index("đào tạo")
    assert cats.predict(category_features(text, s, s + len("đào tạo nghề mây tre đan"))) == "TRAINING"
    assert set(roles.classes) >= {"national", "counterpart", "local"}
    assert set(rels.classes) == {"LINK", "NONE"}


def test_entity_sources_pick_the_better_side():
    gold = [[(0, 5, "ORG"), (10, 15, "MONEY")]]
    ner = [[(0, 5, "ORG")]]
    rules = [[(0, 4, "ORG"), (10, 15, "MONEY")]]
    sources, table = choose_entity_sources(ner, rules, gold)
    assert sources["ORG"] == "ner" and sources["MONEY"] == "rules"
    assert table["ORG"]["ner"] == 1.0


def test_train_command_writes_a_loadable_model(tiny_corpus, tmp_path):
    out = tmp_path / "model"
    meta = train_model(tiny_corpus, out, seed=1, iterations=20)
    assert (out / "meta.json").exists() and not list(tmp_path.glob(".model.*"))
    saved = json.loads((out / "meta.json").read_text(encoding="utf-8"))["kcnlp"]
    assert saved["corpus"]["sha256"] == meta["corpus"]["sha256"] and saved["seed"] == 1
    assert set(saved["versions"]) >= {"spacy", "scikit-learn", "underthesea", "numpy"}
    nlp = kcnlp.load(out)
    doc = kcnlp.extract("Năm 2024, Sở Công Thương Hà Nam hỗ trợ 2 lớp đào tạo nghề thêu.", nlp=nlp)
    assert all(doc.text[e.start:e.end] == e.text for e in doc.entities)


def test_same_seed_same_model(tiny_corpus, tmp_path):
    a = train_model(tiny_corpus, tmp_path / "a", seed=3, iterations=20)
    b = train_model(tiny_corpus, tmp_path / "b", seed=3, iterations=20)
    assert a["scores"] == b["scores"] and a["ner"] == {**b["ner"], "seconds": a["ner"]["seconds"]}
    for part in ("kcnlp_crf_ner/templates.json", "kcnlp_relation_model/weights.npz", "kcnlp_category/weights.npz"):
        assert (tmp_path / "a" / part).read_bytes() == (tmp_path / "b" / part).read_bytes(), part
    # the CRF library may number its features in another order from run to run (weights then
    # differ in the last bits): the same entities, with the same scores to 1e-9
    texts = [json.loads(line)["text"] for line in (tiny_corpus / "train.jsonl").open(encoding="utf-8")]
    nlp_a, nlp_b = kcnlp.load(tmp_path / "a"), kcnlp.load(tmp_path / "b")
    for text in texts:
        da, db = entity_doc(nlp_a, text), entity_doc(nlp_b, text)
        assert [(e.start, e.end, e.label_) for e in da.ents] == [(e.start, e.end, e.label_) for e in db.ents]
        ra, rb = nlp_a.get_pipe("kcnlp_crf_ner"), nlp_b.get_pipe("kcnlp_crf_ner")
        for fa, fb in zip(ra.features(da)[1], rb.features(db)[1]):
            assert ra.tagger.tag_with_score(fa)[1] == pytest.approx(rb.tagger.tag_with_score(fb)[1], abs=1e-9)


def test_interrupted_training_keeps_the_old_model(tiny_corpus, tmp_path, monkeypatch):
    out = tmp_path / "model"
    train_model(tiny_corpus, out, seed=0, iterations=10)
    before = (out / "meta.json").read_bytes()
    import kcnlp.training.train as train_module

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "corpus_hash", boom)
    with pytest.raises(KeyboardInterrupt):
        train_model(tiny_corpus, out, seed=0, iterations=10)
    assert (out / "meta.json").read_bytes() == before


def test_config_file_sets_the_recognizer_and_is_recorded(tiny_corpus, tmp_path):
    cfg = tmp_path / "small.json"
    cfg.write_text(json.dumps({"iterations": 30, "l1": 0.5}), encoding="utf-8")
    meta = train_model(tiny_corpus, tmp_path / "m", seed=0, iterations=5, config=read_config(cfg))
    assert meta["config"] == {"iterations": 5, "l1": 0.5, "l2": 0.05}
    assert meta["ner"]["iterations"] == 5
    # the penalty reaches the trainer: a stronger L1 penalty gives smaller weights
    train_model(tiny_corpus, tmp_path / "p", seed=0, iterations=5, config=TrainConfig(l1=0.0))
    weights = [CRFModel.load(str(tmp_path / m / "kcnlp_crf_ner" / "model.crfsuite")).l1_norm() for m in ("m", "p")]
    assert weights[0] < weights[1]


@pytest.mark.parametrize("content, words", [
    ('{"iteration": 3}', "unknown training settings ['iteration']"),
    ('{"epochs": 3, "width": 64}', "epochs, width set the spaCy recognizer of kcnlp 0.1"),
    ('{"iterations": 0}', "'iterations' must be a positive integer"),
    ('{"l1": -1}', "'l1' must be a number"),
    ('{"l2": "high"}', "'l2' must be a number"),
    ('[1, 2]', "must be a JSON object"),
    ('{"iterations": ', "cannot read the training config"),
])
def test_bad_config_is_named(tmp_path, content, words):
    cfg = tmp_path / "c.json"
    cfg.write_text(content, encoding="utf-8")
    with pytest.raises(KcnlpError, match="E302") as info:
        read_config(cfg)
    assert words in str(info.value) and str(cfg) in str(info.value)


def test_default_config_matches_the_documented_defaults():
    assert TrainConfig() == TrainConfig(iterations=150, l1=0.05, l2=0.05)


def test_a_train_split_without_text_is_a_coded_error(tiny_corpus, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "train.jsonl").write_text("", encoding="utf-8")
    (corpus / "dev.jsonl").write_text((tiny_corpus / "dev.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(KcnlpError, match=r"\[E303\].*no text"):
        train_model(corpus, tmp_path / "m")
    assert not (tmp_path / "m").exists()
