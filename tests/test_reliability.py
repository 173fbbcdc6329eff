"""Bad input as a hostile user gives it: no record lost, no traceback, no hang, no damaged model
loaded silently (the README's "Bad input" policy)."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import kcnlp
from kcnlp.cli import main
from kcnlp.errors import InputError, ModelError
from kcnlp.pipeline import default_model_path, load
from kcnlp.pipeline.normalize import parse_money, parse_quantity

GOOD_A = '{"id": "a", "text": "Hỗ trợ 100 triệu đồng."}'
GOOD_C = '{"id": "c", "text": "Kinh phí 50 triệu đồng."}'


def _ids(out: str) -> list[str]:
    return [json.loads(line)["id"] for line in out.splitlines() if line.strip()]


def test_a_malformed_line_loses_no_record_after_it(tmp_path, capsys):
    f = tmp_path / "b.jsonl"
    f.write_text(f"{GOOD_A}\nnot json\n{GOOD_C}\n" + '{"id": "d", "text": "x\\ud800"}\n{"id": "e"}\n', encoding="utf-8")
    assert main(["extract", str(f), "--skip-errors"]) == 1
    out, err = capsys.readouterr()
    assert _ids(out) == ["a", "c"]
    assert f"[E106] {f}:2:" in err and "[E002]" in err and f"[E111] {f}:5:" in err
    assert "2 documents written; skipped 3 unreadable input(s)" in err
    # without --skip-errors the first bad line stops the run, and says so
    assert main(["extract", str(f)]) == 1
    out, err = capsys.readouterr()
    assert _ids(out) == ["a"] and "stopped at 1" in err


def test_a_lone_surrogate_is_a_clear_error():
    with pytest.raises(InputError, match=r"\[E002\].*U\+D800"):
        kcnlp.extract("Hỗ trợ 100 triệu đồng\ud800.")


def test_folder_scan_reads_any_letter_case_and_reports_broken_links(tmp_path, capsys):
    (tmp_path / "A.txt").write_text("Hỗ trợ 100 triệu đồng.", encoding="utf-8")
    (tmp_path / "B.TXT").write_text("Kinh phí 50 triệu đồng.", encoding="utf-8")
    os.symlink(tmp_path / "missing.txt", tmp_path / "C.txt")
    assert main(["extract", str(tmp_path), "--skip-errors"]) == 1
    out, err = capsys.readouterr()
    assert sorted(_ids(out)) == ["A", "B"]
    assert "[E108]" in err and "C.txt" in err


def test_pipe_with_a_bad_item_gives_every_text_before_it_and_names_it():
    texts = ["Hỗ trợ 100 triệu đồng."] * 20 + [b"bytes"] + ["Kinh phí 50 triệu đồng."]
    out = []
    with pytest.raises(InputError, match=r"text 20 of the input.*bytes"):
        for doc in kcnlp.pipe(texts, n_process=2, batch_size=4):
            out.append(doc)
    assert len(out) == 20


@pytest.mark.parametrize("option", [["--batch-size", "0"], ["--batch-size", "-1"], ["--workers", "0"], ["--workers", "x"]])
def test_option_values_that_would_hang_or_crash_are_usage_errors(option, capsys):
    assert main(["extract", "--example", *option]) == 2
    err = capsys.readouterr().err
    assert "must be at least 1" in err or "expected a whole number" in err


def test_a_closed_pipe_ends_quietly(tmp_path):
    f = tmp_path / "many.jsonl"
    f.write_text("\n".join([GOOD_A] * 300) + "\n", encoding="utf-8")
    cmd = f"{sys.executable} -m kcnlp.cli extract {f} | head -1"
    run = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert run.stdout.count("\n") == 1 and "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr


# --- converters ---------------------------------------------------------------------------------

def test_doccano_spans_in_label_beside_empty_entities_are_read(tmp_path):
    from kcnlp.io.convert import read

    f = tmp_path / "d.jsonl"
    f.write_text('{"text": "Công ty A nhận 5 triệu đồng.", "entities": [], "label": [[0, 9, "ORG"]]}\n', encoding="utf-8")
    records, report = read(f, "doccano")
    assert [e["text"] for e in records[0]["entities"]] == ["Công ty A"]


def test_brat_annotations_without_their_text_are_counted(tmp_path, capsys):
    (tmp_path / "a.ann").write_text("T1\tORG 0 5\tCông ty\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("x", encoding="utf-8")
    (tmp_path / "dir.txt").mkdir()
    assert main(["convert", "--from", "brat", "--to", "kcnlp", str(tmp_path), "-o", str(tmp_path / "o.jsonl")]) == 1
    assert "no a.txt beside it" in capsys.readouterr().err


@pytest.mark.parametrize("labels", [5, {"x": 1}, [3]])
def test_labelstudio_labels_that_are_not_names_are_skipped_with_a_reason(tmp_path, capsys, labels):
    task = [{"data": {"text": "abc"}, "annotations": [{"result": [
        {"id": "r1", "type": "labels", "value": {"start": 0, "end": 1, "text": "a", "labels": labels}}]}]}]
    f = tmp_path / "ls.json"
    f.write_text(json.dumps(task), encoding="utf-8")
    assert main(["convert", "--from", "labelstudio", "--to", "kcnlp", str(f), "-o", str(tmp_path / "o.jsonl")]) == 1
    assert "must be a list of label names" in capsys.readouterr().err


def test_conll_bad_escape_is_a_coded_error(tmp_path, capsys):
    f = tmp_path / "c.conll"
    f.write_text("-DOCSTART- -X- -X- O\nabc SpacesAfter=\\xZ O\n", encoding="utf-8")
    assert main(["convert", "--from", "conll", "--to", "kcnlp", str(f), "-o", str(tmp_path / "o.jsonl")]) == 1
    assert f"[E112] {f}:2:" in capsys.readouterr().err


# --- values ---------------------------------------------------------------------------------------

def test_reversed_quantity_ranges_and_absurd_amounts_are_not_values():
    assert not parse_quantity("10-2 học viên").ok
    huge = parse_money("1" * 31 + " đồng")
    assert not huge.ok and "misread" in huge.reason
    assert parse_money("20.253,331 triệu đồng").ok


# --- models -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    """The bundled model saved again (as `kcnlp train` saves one), to be damaged by each test."""
    path = tmp_path_factory.mktemp("model") / "m"
    load(default_model_path()).to_disk(path)
    return path


@pytest.fixture
def damaged(saved_model, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(saved_model, copy)
    return copy


@pytest.mark.parametrize("stage", ["kcnlp_category", "kcnlp_role", "kcnlp_relation_model"])
def test_a_missing_classifier_file_is_an_error_naming_it(damaged, stage):
    (damaged / stage / "model.json").unlink()
    with pytest.raises(ModelError, match=rf"\[E204\].*{stage}/model.json"):
        load(damaged)


def test_nan_weights_are_refused(damaged):
    weights = damaged / "kcnlp_category" / "weights.npz"
    with np.load(weights) as w:
        coef, intercept = w["coef"].copy(), w["intercept"]
    coef[0, 0] = np.nan
    np.savez(weights, coef=coef, intercept=intercept)
    with pytest.raises(ModelError, match=r"\[E206\].*kcnlp_category/weights.npz"):
        load(damaged)


@pytest.mark.parametrize("name, content", [
    ("model.crfsuite", b"lCRF\x00\x00garbage"),
    ("model.crfsuite", b""),
    ("templates.json", b"[]"),
    ("templates.json", b"{not json"),
])
def test_a_damaged_recognizer_is_refused(damaged, name, content):
    (damaged / "kcnlp_crf_ner" / name).write_bytes(content)
    with pytest.raises(ModelError, match=r"\[E203\].*kcnlp_crf_ner"):
        load(damaged)


def test_a_model_of_the_old_spacy_recognizer_asks_for_retraining(damaged):
    cfg = damaged / "config.cfg"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"kcnlp_crf_ner"', '"tok2vec", "ner", "kcnlp_paragraph_ner"'), encoding="utf-8")
    with pytest.raises(ModelError, match=r"\[E209\].*retrain"):
        load(damaged)


@pytest.mark.parametrize("threshold", ['"abc"', "2", "0", "null"])
def test_relation_settings_are_checked_at_load(damaged, threshold):
    (damaged / "kcnlp_relation_model" / "settings.json").write_text(f'{{"threshold": {threshold}}}', encoding="utf-8")
    with pytest.raises(ModelError, match=r"\[E207\].*settings.json"):
        load(damaged)


@pytest.mark.parametrize("name", ["meta.json", "tokenizer", "kcnlp_crf_ner", "kcnlp_crf_ner/model.crfsuite", "kcnlp_crf_ner/templates.json"])
def test_a_missing_part_names_the_file(damaged, name):
    target = damaged / name
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    with pytest.raises(ModelError, match=rf"\[E202\].*{name}"):
        load(damaged)


# --- training leftovers -------------------------------------------------------------------------------

def test_an_interrupted_swap_is_recovered_and_leftovers_removed(tmp_path):
    from kcnlp.training.train import recover_interrupted

    old = tmp_path / ".mine.old"
    old.mkdir()
    (old / "config.cfg").write_text("x")
    (tmp_path / ".mine.abc123").mkdir()
    done = recover_interrupted(tmp_path / "mine")
    assert (tmp_path / "mine" / "config.cfg").is_file() and not old.exists()
    assert not (tmp_path / ".mine.abc123").exists() and len(done) == 2


def test_a_written_model_follows_the_umask(tmp_path):
    import spacy

    from kcnlp.training.train import write_atomically

    previous = os.umask(0o022)
    try:
        write_atomically(spacy.blank("xx"), tmp_path / "m", {"name": "m"})
    finally:
        os.umask(previous)
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o755


def test_the_vocabulary_does_not_grow_with_new_words():
    import random
    import string

    from kcnlp.pipeline import default_pipeline

    nlp = default_pipeline()
    rng = random.Random(0)

    def text():
        words = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(9)) for _ in range(20))
        return f"Trung tâm hỗ trợ {words} với kinh phí 100 triệu đồng."
    list(kcnlp.pipe([text() for _ in range(20)], nlp=nlp))  # first-use strings of the pipeline itself
    before = len(nlp.vocab.strings)
    docs = list(kcnlp.pipe((text() for _ in range(600)), nlp=nlp))
    assert len(docs) == 600 and docs[-1].entities[-1].text == "100 triệu đồng"
    assert len(nlp.vocab.strings) == before


def test_an_untrained_recognizer_says_so():
    from kcnlp.pipeline import build_tokenizer_only

    nlp = build_tokenizer_only()
    nlp.add_pipe("kcnlp_crf_ner")
    with pytest.raises(ModelError, match=r"\[E204\].*no model"):
        nlp("Sở Công Thương Hà Nam")
    with pytest.raises(ModelError, match=r"\[E204\]"):
        nlp.get_pipe("kcnlp_crf_ner").to_bytes()


def test_the_recognizer_round_trips_through_bytes(saved_model):
    nlp = load(saved_model)
    recognizer = nlp.get_pipe("kcnlp_crf_ner")
    data = recognizer.to_bytes()
    from kcnlp.pipeline.ner import CRFRecognizer

    copy = CRFRecognizer(nlp).from_bytes(data)
    text = "Năm 2024, Trung tâm Khuyến công tỉnh Hà Nam hỗ trợ 2 lớp đào tạo nghề mây tre đan."
    doc = nlp.get_pipe("kcnlp_rule_hints")(nlp.make_doc(text))
    assert [(e.start, e.end, e.label_) for e in copy(doc).ents] == [(e.start, e.end, e.label_) for e in recognizer(doc).ents]
    assert any(e.label_ == "ORG" for e in doc.ents)


# --- worker processes ---------------------------------------------------------------------------

TEXTS = ["Năm 2024, Sở Công Thương Hà Nam hỗ trợ 2 lớp đào tạo nghề thêu với kinh phí 120 triệu đồng.",
         "Trung tâm Khuyến công tỉnh Nam Định tổ chức hội chợ hàng thủ công mỹ nghệ.", "", "x" * 30] * 3


def test_workers_give_the_documents_of_one_process_in_order():
    one = [d.to_dict() for d in kcnlp.pipe(TEXTS, ids=[str(i) for i in range(len(TEXTS))])]
    two = [d.to_dict() for d in kcnlp.pipe(TEXTS, n_process=2, batch_size=3, ids=[str(i) for i in range(len(TEXTS))])]
    assert two == one and [d["id"] for d in two] == [str(i) for i in range(len(TEXTS))]


def test_workers_leave_the_garbage_collector_as_they_found_it():
    import gc
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("workers fork (and freeze the model out of the collector) only on Linux")
    stream = kcnlp.pipe(TEXTS, n_process=2, batch_size=2)
    next(stream)
    assert gc.get_freeze_count() > 0  # frozen while the workers run
    stream.close()  # abandoned half way
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own freeze is theirs to undo
    try:
        frozen = gc.get_freeze_count()
        list(kcnlp.pipe(TEXTS[:4], n_process=2, batch_size=2))
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_workers_without_fork_receive_the_pipeline_pickled(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # as on Windows
    one = [d.to_dict() for d in kcnlp.pipe(TEXTS[:4])]
    assert [d.to_dict() for d in kcnlp.pipe(TEXTS[:4], n_process=2, batch_size=2)] == one


def _die(group):
    import os

    os._exit(3)  # as a worker killed by the system


def test_a_worker_that_dies_ends_the_stream_with_an_error_not_a_hang(monkeypatch):
    import kcnlp.pipeline.build as build

    monkeypatch.setattr(build, "_work", _die)
    with pytest.raises(RuntimeError, match="worker process died"):
        list(kcnlp.pipe(TEXTS, n_process=2, batch_size=2))


def test_a_pipeline_that_cannot_be_pickled_is_named_before_any_worker_starts(monkeypatch):
    import multiprocessing
    import threading

    from kcnlp.pipeline import default_pipeline

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    nlp = default_pipeline()
    monkeypatch.setattr(nlp.get_pipe("kcnlp_values"), "lock", threading.Lock(), raising=False)  # a user's unpicklable state
    with pytest.raises(ModelError, match=r"\[E210\].*cannot be sent to worker processes"):
        list(kcnlp.pipe(TEXTS, nlp=nlp, n_process=2))
