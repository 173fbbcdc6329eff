"""Our CRF inference (`kcnlp.pipeline.crf`) against underthesea_core's own featurizer + tagger."""
from __future__ import annotations

import itertools
import json
import random
import tempfile
from pathlib import Path

import numpy
import pytest
import underthesea_core

from kcnlp.pipeline import crf
from kcnlp.pipeline.crf import WindowCRF, decode, read_crfsuite

from .conftest import REPO

# every template form the library's featurizer reads: offsets, ranges, columns, functions
TEMPLATES = ["T[-2]", "T[-1]", "T[0]", "T[1]", "T[2]", "T[-1,0]", "T[0,1]", "T[-2,0]", "T[-1,1]", "T[0,2]",
             "T[0].lower", "T[-1,0].lower", "T[0].isdigit", "T[1].isdigit", "T[0].istitle", "T[0,1].istitle",
             "T[0].is_in_dict", "T[-1,0].is_in_dict", "T[0,2].is_in_dict", "T[0][1]", "T[-1][1]", "T[0,1][1]"]
DICTIONARY = {"hà nội", "khuyến công", "trung tâm", "3"}
WORDS = ["Hà", "Nội", "hà", "nội", "khuyến", "công", "Trung", "tâm", "3", "40", "²", ",", "-", "HTX", "ÁN", "a1",
         "\t", "a b", "x=y", "T[0]=a"]
# whitespace tokens of the recognizer's paragraphs; the library's .istitle panics on them, so
# they are tried with the templates without a function only (the recognizer's kind)
SPACES = [" ", "  ", "\n "]
TAGS = ["N", "V", "X"]


def _sentence(rng: random.Random, n: int, words=WORDS) -> list[tuple[str, str]]:
    return [(rng.choice(words), rng.choice(TAGS)) for _ in range(n)]


def _label(tokens: list[tuple[str, str]]) -> list[str]:
    # something a CRF can learn from these features: capitalized runs, digits
    return ["B-X" if t[0][:1].isupper() and (i == 0 or not tokens[i - 1][0][:1].isupper())
            else "I-X" if t[0][:1].isupper() else "B-N" if t[0][:1].isdigit() else "O" for i, t in enumerate(tokens)]


def _train(templates: list[str], words: list[str]):
    """A small model trained by the library on random sentences, and its file's bytes."""
    rng = random.Random(7)
    sentences = [_sentence(rng, rng.randint(1, 12), words) for _ in range(300)]
    featurizer = underthesea_core.CRFFeaturizer(templates, DICTIONARY)
    trainer = underthesea_core.CRFTrainer(loss_function="lbfgs", l1_penalty=0.01, l2_penalty=0.01, max_iterations=60, verbose=0)
    model = trainer.train(featurizer.process([[list(t) for t in s] for s in sentences]), [_label(s) for s in sentences])
    with tempfile.TemporaryDirectory() as tmp:
        model.save(str(Path(tmp) / "m.crfsuite"))
        data = (Path(tmp) / "m.crfsuite").read_bytes()
    return underthesea_core.CRFTagger.from_model(model), featurizer, data


@pytest.fixture(scope="module")
def trained():
    return _train(TEMPLATES, WORDS)


def _library_tags(trained, sentences):
    tagger, featurizer, _ = trained
    return [tagger.tag(f) for f in featurizer.process([[list(t) for t in s] for s in sentences])]


def test_same_tags_as_the_library_on_random_sentences(trained):
    rng = random.Random(11)
    sentences = [_sentence(rng, n) for n in [1, 2, 3] + [rng.randint(1, 40) for _ in range(200)]]
    fast = WindowCRF(trained[2], TEMPLATES, DICTIONARY)
    expected = _library_tags(trained, sentences)
    assert len({tag for tags in expected for tag in tags}) >= 3  # the model does tell labels apart
    assert fast.tag(sentences) == expected
    assert fast.tag(sentences) == expected  # again, from the window cache


def test_same_tags_with_whitespace_tokens_and_plain_templates():
    plain = [t for t in TEMPLATES if "." not in t]
    model = _train(plain, WORDS + SPACES)
    rng = random.Random(5)
    sentences = [_sentence(rng, rng.randint(1, 30), WORDS + SPACES * 3) for _ in range(150)]
    assert WindowCRF(model[2], plain, DICTIONARY).tag(sentences) == _library_tags(model, sentences)


def test_same_tags_when_the_window_cache_starts_over(trained, monkeypatch):
    monkeypatch.setattr(crf._WindowGroup, "MAX_WINDOWS", 20)
    rng = random.Random(3)
    sentences = [_sentence(rng, rng.randint(1, 30)) for _ in range(60)]
    fast = WindowCRF(trained[2], TEMPLATES, DICTIONARY)
    assert [fast.tag([s])[0] for s in sentences] == _library_tags(trained, sentences)
    assert all(group.size <= 20 + 30 for group in fast.groups)


def test_window_caches_stay_bounded_on_endless_new_strings(trained, monkeypatch):
    monkeypatch.setattr(crf._WindowGroup, "TABLE_BYTES", 40 * 8 * 5 * 4)  # 40 windows of 5 offsets × 4 labels
    fast = WindowCRF(trained[2], TEMPLATES, DICTIONARY)
    assert min(group.max_windows for group in fast.groups) <= 40
    for i in range(200):
        sentence = [(f"w{i}x{k}", "N") for k in range(12)]  # never seen before
        fast.tag([sentence])
        for group in fast.groups:
            assert group.size <= group.max_windows + 12 and len(group.table) <= max(1024, group.max_windows + 12)
    rng = random.Random(4)
    sentences = [_sentence(rng, rng.randint(1, 20)) for _ in range(30)]
    assert fast.tag(sentences) == _library_tags(trained, sentences)


def test_model_file_read_back(trained):
    tagger, _, data = trained
    labels, attrs, state, trans = read_crfsuite(data)
    assert labels == tagger.labels()
    assert state.shape == (len(attrs), len(labels)) and trans.shape == (len(labels), len(labels))
    assert "T[0]=Hà" in attrs and numpy.abs(state).sum() > 0


@pytest.mark.parametrize("data", [b"", b"lCRF" + bytes(60), b"not a model at all" * 10])
def test_not_a_model_file_is_a_value_error(data):
    with pytest.raises(ValueError):
        read_crfsuite(data)


def test_truncated_model_file_is_a_value_error(trained):
    with pytest.raises(ValueError):
        read_crfsuite(trained[2][: len(trained[2]) // 2])


def test_damaged_model_file_is_a_value_error_or_read(trained):
    """Random bytes overwritten (offsets, counts, strings): ValueError, never another error."""
    rng = random.Random(2)
    data = trained[2]
    for _ in range(300):
        damaged = bytearray(data)
        at = rng.choice([rng.randrange(12, 48), rng.randrange(len(data))])
        damaged[at:at + 4] = bytes(rng.randrange(256) for _ in range(4))
        try:
            read_crfsuite(bytes(damaged))
        except ValueError:
            pass


@pytest.mark.parametrize("template", ["W[0]", "T[0", "T[1,-1]", "T[0].lower()"])
def test_unknown_template_form_is_a_value_error(trained, template):
    with pytest.raises(ValueError):
        WindowCRF(trained[2], [template])


def _brute_force(emit: numpy.ndarray, trans: numpy.ndarray) -> list[int]:
    n, labels = emit.shape
    return list(max(itertools.product(range(labels), repeat=n),
                    key=lambda path: sum(emit[t, y] for t, y in enumerate(path)) + sum(trans[a, b] for a, b in zip(path, path[1:]))))


@pytest.mark.parametrize("seed", range(40))
def test_decode_finds_the_best_path(seed):
    rng = numpy.random.default_rng(seed)
    labels = int(rng.integers(2, 4))
    trans = rng.normal(0, 1.5, (labels, labels))
    # some positions decided by their emissions alone (anchors), some not
    sequences = [rng.normal(0, 1, (int(n), labels)) * rng.choice([1, 8], (int(n), 1)) for n in rng.integers(1, 7, 4)]
    assert decode(sequences, trans) == [_brute_force(e, trans) for e in sequences]


def test_decode_of_no_tokens():
    assert decode([numpy.zeros((0, 3))], numpy.zeros((3, 3))) == [[]]
    assert decode([], numpy.zeros((3, 3))) == []


def test_segmentation_model_same_words_as_underthesea():
    """The tokenizer's segmenter against underthesea's own tagger on the same syllables."""
    from kcnlp.pipeline.tokenizer import _load_segmenter, normalize_syllable, split_tokens

    FastCRFSequenceTagger = pytest.importorskip("underthesea.models.fast_crf_sequence_tagger").FastCRFSequenceTagger
    from underthesea.pipeline import word_tokenize as ws

    model = _load_segmenter()
    assert model, "underthesea's segmentation model was not found"
    ours, normalize = model
    reference = FastCRFSequenceTagger()
    reference.load(str(Path(ws.__file__).parent / "models" / "ws_crf_vlsp2013_20230727"))
    checked = 0
    for line in (REPO / "corpus" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:40]:
        rec = json.loads(line)
        syllables = [normalize(normalize_syllable(w)) for w in split_tokens(rec["text"])[0] if not w.isspace()]
        assert ours.tag([[(s,) for s in syllables]])[0] == reference.predict([[s] for s in syllables])
        checked += len(syllables)
    assert checked > 10_000


def test_recognizer_same_entities_as_the_library_path(nlp):
    """The shipped recognizer through our inference, in batches, against the library's own
    featurizer + tagger one document at a time (the path for model files we cannot read)."""
    texts = [json.loads(line)["text"] for line in (REPO / "corpus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:30]]
    recognizer = nlp.get_pipe("kcnlp_crf_ner")
    hints = nlp.get_pipe("kcnlp_rule_hints")
    assert recognizer._fast is not None
    batched = [[(e.start, e.end, e.label_) for e in doc.ents]
               for doc in recognizer.pipe((hints(nlp.make_doc(t)) for t in texts), batch_size=8)]
    fast = recognizer._fast
    try:
        recognizer._fast = None
        library = [[(e.start, e.end, e.label_) for e in recognizer(hints(nlp.make_doc(t))).ents] for t in texts]
    finally:
        recognizer._fast = fast
    assert sum(map(len, library)) > 100
    assert batched == library


def test_python_functions_answer_as_the_featurizer_on_safe_windows():
    """.lower/.istitle/.is_in_dict computed in Python for windows of ASCII and Vietnamese
    characters: the same strings as the library's featurizer on 5,000 random windows."""
    letters = crf._VI_LETTERS + crf._VI_LETTERS.upper() + "".join(map(chr, range(33, 127)))
    rng = random.Random(0)
    dictionary = {"hà nội", "ab", "3", "a b c", "x"}
    templates = ["T[0].lower", "T[0].istitle", "T[0].is_in_dict", "T[0,1].lower", "T[0,1].istitle",
                 "T[0,1].is_in_dict", "T[0,2].istitle", "T[0,2].is_in_dict"]
    featurizer = underthesea_core.CRFFeaturizer(templates, dictionary)
    for _ in range(5000):
        window = [rng.choice(["hà", "Hà", "HÀ", "nội", "Nội", "a", "b", "c", "ab", "x", "3", "A1", "1a", "aB"])
                  if rng.random() < 0.3 else "".join(rng.choice(letters) for _ in range(rng.randint(1, 4))) for _ in range(3)]
        expected = featurizer.process([[[w] for w in window]])[0][0]
        ours = []
        for template in templates:
            width = 1 if "," not in template else int(template[4]) + 1
            value = " ".join(window[:width])
            assert crf._SAFE.fullmatch(value)
            ours.append(f"{template}={crf._PYTHON_FUNCTIONS[template[template.index('.'):]]([value], dictionary)[0]}")
        assert ours == expected, window


def test_threads_sharing_one_model_get_the_library_tags(trained, monkeypatch):
    """The window caches are shared: threads tagging at once (caches starting over often)
    still get the library's tags."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(crf._WindowGroup, "MAX_WINDOWS", 60)
    fast = WindowCRF(trained[2], TEMPLATES, DICTIONARY)
    rng = random.Random(9)
    batches = [[_sentence(rng, rng.randint(1, 25)) for _ in range(5)] for _ in range(80)]
    expected = [_library_tags(trained, batch) for batch in batches]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(fast.tag, batches)) == expected


def test_a_featurizer_failure_leaves_the_cache_sound(trained, monkeypatch):
    fast = WindowCRF(trained[2], TEMPLATES, DICTIONARY)
    group = next(g for g in fast.groups if g.featurizer is not None and not g.in_python)  # .isdigit: the featurizer's

    class Failing:
        def process(self, sentences):
            raise RuntimeError("featurizer down")

    real, group.featurizer = group.featurizer, Failing()
    sentence = [("Hà", "N"), ("Nội", "V"), ("3", "X")]
    with pytest.raises(RuntimeError):
        fast.tag([sentence])
    group.featurizer = real
    assert fast.tag([sentence]) == _library_tags(trained, [sentence])
