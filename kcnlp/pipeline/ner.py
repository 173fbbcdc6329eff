"""The trained entity recognizer: a linear-chain CRF (underthesea_core, the library that runs
underthesea's own word segmentation) over BIO tags of the syllable tokens, one paragraph at a
time (entities never cross a line break). Each token is seen through its norm, underthesea's
word (`LEMMA`), its shape and what the rules make of it (`TAG`, set by `kcnlp_rule_hints`
just before), in a window of two tokens each side, through the templates below, which are
saved with the model. Training builds the features with the library's featurizer; tagging
reads the same model through `crf.WindowCRF` (the same tags, a fraction of the time), a batch
of documents at once, or through the library's own tagger if that reader cannot read it."""
from __future__ import annotations

import bisect
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy
import underthesea_core
from spacy.attrs import IDX, LEMMA, NORM, SHAPE, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from ..errors import KcnlpError, ModelError
from .crf import WindowCRF
from .spanattrs import doc_text

__all__ = ["CRFRecognizer", "TEMPLATES", "train_recognizer", "entity_doc", "paragraph_ranges", "bio_tags"]

#: columns of a token: 0 norm, 1 underthesea word, 2 shape, 3 rule hint
TEMPLATES = (
    [f"T[{i}][{c}]" for i in (-2, -1, 0, 1, 2) for c in (0, 2, 3)]
    + [f"T[{i}][1]" for i in (-1, 0, 1)]
    + ["T[-1,0][0]", "T[0,1][0]", "T[-1,0][3]", "T[0,1][3]"]
)
MODEL_FILE, TEMPLATES_FILE = "model.crfsuite", "templates.json"


COLUMNS = [NORM, LEMMA, SHAPE, TAG]


def _text(strings, key: int) -> str:
    """A column's string; never empty: the featurizer's string tests fail on an empty one."""
    return strings[key] or " "


def _columns(doc: Doc) -> list[tuple[str, str, str, str]]:
    """The four columns of every token, read from the token array (no Python token objects)."""
    array = doc.to_array(COLUMNS)
    hashes, index = numpy.unique(array, return_inverse=True)  # each string looked up once
    names = [_text(doc.vocab.strings, h) for h in hashes.tolist()]
    return [(names[norm], names[lemma], names[shape], names[tag]) for norm, lemma, shape, tag in index.reshape(array.shape).tolist()]


def _fast_crf(model_bytes: bytes, templates: list[str]) -> WindowCRF | None:
    """`WindowCRF` over the model, or None where it cannot read it (the library's path then)."""
    try:
        return WindowCRF(model_bytes, templates)
    except ValueError:
        return None


def paragraph_ranges(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the paragraphs (runs of tokens between line breaks)."""
    ranges, start = [], 0
    newlines = [m.start() for m in re.finditer("\n", doc_text(doc))]
    starts = doc.to_array([IDX]).tolist() if newlines else []
    # the whitespace tokens that hold a line break (the tokenizer keeps whitespace runs as tokens)
    for i in sorted({bisect.bisect_right(starts, pos) - 1 for pos in newlines}):
        if i > start:
            ranges.append((start, i))
        start = i + 1
    if start < len(doc):
        ranges.append((start, len(doc)))
    return ranges


def bio_tags(doc: Doc, spans: list[tuple[int, int, str]]) -> list[str]:
    """BIO tags of `doc` for (start token, end token, label) spans."""
    tags = ["O"] * len(doc)
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for k in range(start + 1, end):
            tags[k] = f"I-{label}"
    return tags


def _spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) from BIO tags; an I- without its B- starts a span."""
    out, start, label = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not (tag.startswith("I-") and tag[2:] == label):
            out.append((start, i, label))
            start = None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start, label = i, tag[2:]
    return out


class CRFRecognizer:
    """Pipeline component: sets `doc.ents` paragraph by paragraph from the CRF's tags."""

    def __init__(self, nlp: Language, name: str = "kcnlp_crf_ner"):
        self.name = name
        self.templates: list[str] = list(TEMPLATES)
        self.tagger = None  # set by training or loading
        self._model_bytes: bytes | None = None  # the saved model, as the library writes it
        self._featurizer = None
        self._fast: WindowCRF | None = None  # our faster inference, when it reads the model file

    @property
    def featurizer(self):
        if self._featurizer is None:
            self._featurizer = underthesea_core.CRFFeaturizer(self.templates, set())
        return self._featurizer

    def features(self, doc: Doc) -> tuple[list[tuple[int, int]], list]:
        ranges = paragraph_ranges(doc)
        columns = _columns(doc) if ranges else []
        return ranges, self.featurizer.process([columns[a:b] for a, b in ranges]) if ranges else []

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        """Tag the paragraphs of `batch_size` documents in one Viterbi pass (spaCy's
        `nlp.pipe` calls this)."""
        if self.tagger is None:
            raise ModelError("E204", "the entity recognizer has no model: train it (kcnlp train) or load a trained model")
        for batch in minibatch(docs, size=batch_size):
            ranges = [paragraph_ranges(doc) for doc in batch]
            blocks = [array[a:b] for doc, doc_ranges in zip(batch, ranges) if doc_ranges
                      for array in [doc.to_array(COLUMNS)] for a, b in doc_ranges]
            tags = iter(self._tag(blocks, batch[0].vocab.strings) if blocks else [])
            for doc, doc_ranges in zip(batch, ranges):
                doc.ents = [Span(doc, first + s, first + e, label=label)
                            for first, _ in doc_ranges for s, e, label in _spans(next(tags))]
                yield doc

    def _tag(self, paragraphs: list[numpy.ndarray], strings) -> list[list[str]]:
        """Tags of paragraphs given as arrays of the token columns' string hashes."""
        columns = numpy.concatenate(paragraphs)
        if self._fast is not None:  # keyed by the hashes: a string is looked up for new windows only
            return self._fast.tag_columns([columns[:, c].tolist() for c in range(columns.shape[1])],
                                          [len(p) for p in paragraphs], lambda key: _text(strings, key))
        # a model file our reader does not know: the library's own, slower path
        names = {key: _text(strings, key) for key in numpy.unique(columns).tolist()}
        return [self.tagger.tag(f) for f in self.featurizer.process(
            [[[names[key] for key in row] for row in p.tolist()] for p in paragraphs])]

    def set_model(self, model, model_bytes: bytes) -> None:
        """Use a trained `underthesea_core.CRFModel`, saved as `model_bytes`."""
        self.tagger = underthesea_core.CRFTagger.from_model(model)
        self._model_bytes, self._fast = model_bytes, _fast_crf(model_bytes, self.templates)

    # the CRF library reads and writes files only; bytes go through a temporary folder
    def to_disk(self, path, *, exclude=()) -> None:
        if self._model_bytes is None:
            raise ModelError("E204", "cannot save an entity recognizer that has no model")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / MODEL_FILE).write_bytes(self._model_bytes)
        (path / TEMPLATES_FILE).write_text(json.dumps(self.templates, ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path, *, exclude=()) -> "CRFRecognizer":
        path = Path(path)
        for name in (MODEL_FILE, TEMPLATES_FILE):
            if not (path / name).is_file():
                raise ModelError("E202", f"{path / name} is missing: copy the whole model directory or retrain it")
        try:
            templates = json.loads((path / TEMPLATES_FILE).read_text(encoding="utf-8"))
            if not (isinstance(templates, list) and templates and all(isinstance(t, str) and t for t in templates)):
                raise ValueError("not a list of feature templates")
            tagger = underthesea_core.CRFTagger()
            tagger.load(str(path / MODEL_FILE))
            if not tagger.labels() or not all(lab == "O" or lab[:2] in ("B-", "I-") for lab in tagger.labels()):
                raise ValueError(f"labels {tagger.labels()[:8]} are not BIO tags")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - the Rust library panics on some damaged files
            raise ModelError("E203", f"cannot load the entity recognizer in {path}: {type(exc).__name__}: {exc}") from None
        self.templates, self.tagger, self._featurizer = templates, tagger, None
        self._model_bytes = (path / MODEL_FILE).read_bytes()
        self._fast = _fast_crf(self._model_bytes, templates)
        return self

    # pickling (worker processes where there is no fork): the library's tagger does not pickle
    def __getstate__(self) -> dict:
        return {"name": self.name, "data": self.to_bytes() if self._model_bytes is not None else None}

    def __setstate__(self, state: dict) -> None:
        self.__init__(None, state["name"])
        if state["data"] is not None:
            self.from_bytes(state["data"])

    def to_bytes(self, *, exclude=()) -> bytes:
        import srsly

        if self._model_bytes is None:
            raise ModelError("E204", "cannot save an entity recognizer that has no model")
        return srsly.msgpack_dumps({"model": self._model_bytes, "templates": self.templates})

    def from_bytes(self, data: bytes, *, exclude=()) -> "CRFRecognizer":
        import srsly

        msg = srsly.msgpack_loads(data)
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / MODEL_FILE).write_bytes(msg["model"])
            (Path(tmp) / TEMPLATES_FILE).write_text(json.dumps(msg["templates"]), encoding="utf-8")
            return self.from_disk(tmp)


@Language.factory("kcnlp_crf_ner")
def make_crf_recognizer(nlp: Language, name: str) -> CRFRecognizer:
    return CRFRecognizer(nlp, name)


def _hinted(nlp: Language, doc: Doc) -> Doc:
    return nlp.get_pipe("kcnlp_rule_hints")(doc) if "kcnlp_rule_hints" in nlp.pipe_names else doc


def entity_doc(nlp: Language, text: str) -> Doc:
    """Run only the tokenizer, the rule hints and the recognizer."""
    return nlp.get_pipe("kcnlp_crf_ner")(_hinted(nlp, nlp.make_doc(text)))


def train_recognizer(nlp: Language, records: list[dict], labels, *, iterations: int, l1: float, l2: float,
                     log: Callable[[str], None] | None = None) -> dict:
    """Add rule hints + the recognizer to a blank kcnlp pipeline and train it on `records`
    (L-BFGS, settings from `kcnlp.training.train.TrainConfig`); the same records give the same
    predictions."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    if "kcnlp_rule_hints" not in nlp.pipe_names:
        nlp.add_pipe("kcnlp_rule_hints")
    recognizer = nlp.add_pipe("kcnlp_crf_ner")
    t0 = time.time()
    xs, ys = [], []
    shared: dict[str, str] = {}  # one string object per distinct feature: about half the memory
    for rec in records:
        doc = _hinted(nlp, nlp.make_doc(rec["text"]))
        spans = []
        for e in rec["entities"]:
            span = doc.char_span(e["start"], e["end"]) if e["label"] in labels else None
            if span is not None:
                spans.append((span.start, span.end, e["label"]))
        tags = bio_tags(doc, spans)
        ranges, features = recognizer.features(doc)
        xs += [[[shared.setdefault(f, f) for f in token] for token in paragraph] for paragraph in features]
        ys += [tags[a:b] for a, b in ranges]
    if not xs:
        raise KcnlpError("E303", "the training documents hold no text to train the entity recognizer on")
    log(f"  {len(xs)} paragraphs, {sum(map(len, ys))} tokens ({time.time() - t0:.0f}s)")
    t0 = time.time()
    trainer = underthesea_core.CRFTrainer(loss_function="lbfgs", l1_penalty=l1, l2_penalty=l2, max_iterations=iterations, verbose=0)
    model = trainer.train(xs, ys)
    with tempfile.TemporaryDirectory() as tmp:
        model.save(str(Path(tmp) / MODEL_FILE))
        recognizer.set_model(model, (Path(tmp) / MODEL_FILE).read_bytes())
    seconds = time.time() - t0
    log(f"  CRF trained: {iterations} iterations at most, {model.num_attributes} features ({seconds:.0f}s)")
    return {"paragraphs": len(xs), "features": model.num_attributes, "iterations": iterations, "seconds": round(seconds, 1)}
