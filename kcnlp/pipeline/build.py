"""Building, loading and running the kcnlp spaCy pipeline; spaCy `Doc` → `Document`."""
from __future__ import annotations

import gc
import os
import pickle
import re
import sys
import threading
import unicodedata
import warnings
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .. import __version__
from ..document import Document, Entity, Relation
from ..errors import InputError, ModelError
from ..schema import LABELS
from . import categories, ner, relations, roles, rules, tokenizer, values  # noqa: F401  (registers the factories)
from .spanattrs import doc_text, entities, span_attrs

__all__ = ["default_model_path", "build_tokenizer_only", "build_rule_pipeline", "load", "default_pipeline", "extract", "pipe", "doc_to_document"]

TOKENIZER_CONFIG = {"nlp": {"tokenizer": {"@tokenizers": "kcnlp.UndertheseaTokenizer.v1"}}}
_lock = threading.Lock()
_default: Language | None = None


def build_tokenizer_only() -> Language:
    """A blank Vietnamese pipeline with the kcnlp tokenizer and no components."""
    return spacy.blank("vi", config=TOKENIZER_CONFIG)


def build_rule_pipeline() -> Language:
    """The rules-only pipeline: tokenizer, entity rules, categories, roles, values, relations."""
    nlp = build_tokenizer_only()
    add_stages(nlp, override=list(LABELS), fill=[], drop=[])
    return nlp


def add_stages(nlp: Language, override: list[str], fill: list[str], drop: list[str]) -> None:
    """The stages after entity recognition; trained models are set on them afterwards."""
    nlp.add_pipe("kcnlp_entity_rules", config={"override": override, "fill": fill, "drop": drop})
    nlp.add_pipe("kcnlp_category")
    nlp.add_pipe("kcnlp_role")
    nlp.add_pipe("kcnlp_values")
    nlp.add_pipe("kcnlp_relation_model")


def load(path: str | Path) -> Language:
    """Load a pipeline saved with `nlp.to_disk(path)` (a kcnlp model directory)."""
    path = Path(path)
    if not path.is_dir():
        raise ModelError("E201", f"no model directory at {path}: give the folder that holds config.cfg")
    if not (path / "config.cfg").is_file():
        raise ModelError("E202", f"{path / 'config.cfg'} is missing: {path} is not a kcnlp model directory")
    for name in ("meta.json", "tokenizer"):
        if not (path / name).exists():
            raise ModelError("E202", f"{path / name} is missing: copy the whole model directory or retrain it")
    names = _pipe_names(path)
    if "kcnlp_paragraph_ner" in names:
        raise ModelError("E209", f"{path} holds the spaCy entity recognizer of kcnlp 0.1; this kcnlp runs a CRF "
                                 "recognizer: retrain the model (kcnlp train) on your corpus")
    for pipe_name in names:
        if pipe_name in _TRAINED and not (path / pipe_name).exists():
            raise ModelError("E202", f"{path / pipe_name} is missing: the model's config.cfg lists it; copy the whole model directory")
    try:
        nlp = spacy.load(path)
    except ModelError:
        raise
    except Exception as exc:  # spaCy raises many kinds; name the folder and the cause
        raise ModelError("E203", f"cannot load the model in {path}: {type(exc).__name__}: {exc}") from exc
    trained_with = nlp.meta.get("kcnlp", {}).get("kcnlp")
    if trained_with and trained_with.split(".")[:2] != __version__.split(".")[:2]:
        warnings.warn(f"{path} was trained with kcnlp {trained_with}, this is kcnlp {__version__}: it loads, "
                      "but retrain it (kcnlp train) for figures that match this version", stacklevel=2)
    return nlp


#: the components that keep files of their own (trained ones)
_TRAINED = ("kcnlp_crf_ner", "kcnlp_category", "kcnlp_role", "kcnlp_relation_model")


def _pipe_names(path: Path) -> list[str]:
    """The components config.cfg lists."""
    import configparser

    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read(path / "config.cfg", encoding="utf-8")
        names = [n.strip() for n in config.get("nlp", "pipeline").strip("[]").replace('"', "").split(",") if n.strip()]
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ModelError("E203", f"{path / 'config.cfg'} cannot be read ({type(exc).__name__}: {exc})") from None
    return names


def default_model_path() -> Path | None:
    """The model `extract` uses: $KCNLP_MODEL if set ("rules" for the rules-only pipeline),
    else the bundled `kcnlp/models/default`, else None (rules only)."""
    env = os.environ.get("KCNLP_MODEL")
    if env:
        return None if env == "rules" else Path(env)
    try:
        root = Path(str(resources.files("kcnlp.models"))) / "default"
    except ModuleNotFoundError:
        return None
    return root if (root / "config.cfg").is_file() else None


def default_pipeline() -> Language:
    """The pipeline `extract` uses when none is given, loaded once per process."""
    global _default
    with _lock:
        if _default is None:
            path = default_model_path()
            _default = load(path) if path is not None else build_rule_pipeline()
        return _default


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text) -> InputError | None:
    """Why `text` cannot be extracted from, as a coded error, or None: not a str (E001), or a lone
    surrogate code point (E002; legal in JSON, but no UTF-8 text can hold it)."""
    if not isinstance(text, str):
        return InputError("E001", f"an article must be a str; got {type(text).__name__}"
                          + (" (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""))
    m = _SURROGATE.search(text)
    if m:
        return InputError("E002", f"the text holds a lone surrogate (U+{ord(m.group()):04X}) at offset {m.start()}, "
                                  "which no UTF-8 text can hold; repair the source (e.g. a broken \\u escape)")
    return None


def _check_text(text) -> str:
    problem = text_problem(text)
    if problem is not None:
        raise problem
    return text


#: longer texts are processed in pieces of at most this many characters, cut at line breaks
CHUNK_CHARS = 20_000


def _chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) covering `text`: cut at the last line break before `size`, else at
    the last space, else hard (never inside a combining sequence)."""
    out, start, n = [], 0, len(text)
    while n - start > size:
        cut = text.rfind("\n", start + 1, start + size)
        if cut <= start:
            cut = text.rfind(" ", start + 1, start + size)
        if cut <= start:
            cut = start + size
            while cut > start + 1 and unicodedata.combining(text[cut]):
                cut -= 1
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def extract(text: str, nlp: Language | None = None, doc_id: str = "") -> Document:
    """Extract entities, values, relations and events from one article.

    >>> doc = extract("Năm 2023, tỉnh Nam Định hỗ trợ 2 lớp đào tạo nghề với kinh phí 180 triệu đồng.")
    >>> [(e.label, e.text) for e in doc.entities if e.label == "MONEY"]
    [('MONEY', '180 triệu đồng')]
    >>> doc.entities[-1].value
    180000000
    """
    text = _check_text(text)
    return next(pipe([text], nlp=nlp, ids=[doc_id]))


#: texts processed inside one spaCy memory zone: the strings a group adds to the vocabulary are
#: freed after it, so memory stays flat however many texts there are
ZONE_TEXTS = 256
_zone_lock = threading.Lock()  # spaCy memory zones must not overlap: one group at a time


def pipe(texts: Iterable[str], nlp: Language | None = None, batch_size: int = 32, n_process: int = 1,
         ids: Iterable[str] | None = None) -> Iterator[Document]:
    """Extract from many texts lazily, in order; memory stays flat however many there are (the
    texts go through the model in groups of ZONE_TEXTS, each in a spaCy memory zone, so the first
    document comes out once its group is done). Texts longer than CHUNK_CHARS are processed in
    pieces and put back together. With `n_process` > 1, worker processes extract groups of
    `batch_size` texts and send back finished Documents (a few groups ahead of the reader, no
    more). A text that is not a str, or holds a lone surrogate, ends the stream: every text
    before it comes out first, then an InputError names it by its index."""
    if batch_size < 1 or n_process < 1:
        raise ValueError(f"batch_size and n_process must be at least 1 (got {batch_size}, {n_process})")
    nlp = nlp or default_pipeline()
    nlp.max_length = max(nlp.max_length, CHUNK_CHARS + 1)
    id_iter = iter(ids) if ids is not None else None
    bad: list[tuple[int, InputError]] = []

    def groups(size: int) -> Iterator[list[str]]:
        group: list[str] = []
        for i, t in enumerate(texts):
            problem = text_problem(t)
            if problem is not None:
                bad.append((i, problem))
                break
            group.append(t)
            if len(group) == size:
                yield group
                group = []
        if group:
            yield group

    if n_process == 1:
        done = (d for group in groups(ZONE_TEXTS) for d in _extract_group(nlp, group, batch_size))
    else:
        done = _in_workers(nlp, groups(batch_size), n_process)
    for document in done:
        document.id = next(id_iter, "") if id_iter is not None else ""
        yield document
    if bad:
        index, problem = bad[0]
        raise type(problem)(problem.code, f"text {index} of the input: {problem.message}")


def _extract_group(nlp: Language, group: list[str], batch_size: int = 32) -> list[Document]:
    """Documents of a group of checked texts, made inside one memory zone: nothing of spaCy's
    outlives the zone, and a caller's own extract() between two documents never nests zones."""

    def pieces() -> Iterator[tuple[str, tuple[int, int]]]:
        # context = (offset of the piece, number of pieces of its text)
        for t in group:
            parts = _chunks(t) if len(t) > CHUNK_CHARS else [(0, t)]
            for offset, piece in parts:
                yield piece, (offset, len(parts))

    pending: list[tuple[int, Document]] = []
    done: list[Document] = []
    with _zone_lock, nlp.memory_zone():
        for doc, (offset, n_parts) in nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size):
            text = doc_text(doc)
            part = doc_to_document(doc) if text.strip() else Document(text=text)
            pending.append((offset, part))
            if len(pending) == n_parts:
                done.append(pending[0][1] if n_parts == 1 else _merge(pending))
                pending = []
    return done


_worker_nlp: Language | None = None  # the pipeline of a worker process


def _start_worker(nlp: Language | bytes) -> None:
    global _worker_nlp, _zone_lock
    # forked: the parent's pipeline, already loaded; spawned: the pipeline pickled by the parent
    _worker_nlp = pickle.loads(nlp) if isinstance(nlp, bytes) else nlp
    _zone_lock = threading.Lock()  # not the parent's, which another thread may have held at the fork


def _work(group: list[str]) -> list[Document]:
    return _extract_group(_worker_nlp, group)


def _in_workers(nlp: Language, groups: Iterator[list[str]], n_process: int) -> Iterator[Document]:
    """Documents of the groups, in order, extracted by `n_process` worker processes; at most
    two groups per worker wait in the queue, so a long input is read as it is consumed. A
    worker that dies (killed, out of memory) ends the stream with an error, never a hang."""
    import collections
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # forked workers share the loaded pipeline with the parent; elsewhere each worker receives
    # it pickled (fork only on Linux: macOS's system libraries are not safe to fork)
    can_fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if can_fork else "spawn")
    payload: Language | bytes = nlp
    if context.get_start_method() != "fork":
        try:
            payload = pickle.dumps(nlp)  # once, not once per worker
        except Exception as exc:  # noqa: BLE001 - whatever a user's component raises
            raise ModelError("E210", f"this pipeline cannot be sent to worker processes ({type(exc).__name__}: {exc}); "
                                     "use one process (n_process=1, --workers 1)") from None
    frozen = context.get_start_method() == "fork" and gc.get_freeze_count() == 0  # a caller's own freeze is left alone
    if frozen:
        # the objects that exist now (the loaded model) stay out of the garbage collector's
        # passes until the workers end: forked workers then do not copy the pages it would
        # touch, and their collections are shorter (about 5-10 % of their time)
        gc.freeze()
    with ProcessPoolExecutor(n_process, mp_context=context, initializer=_start_worker, initargs=(payload,)) as pool:
        queue: collections.deque = collections.deque()
        try:
            for group in groups:
                queue.append(pool.submit(_work, group))
                while len(queue) >= 2 * n_process:
                    yield from queue.popleft().result()
            while queue:
                yield from queue.popleft().result()
        except BrokenProcessPool as exc:
            raise RuntimeError(f"a worker process died while extracting ({exc}); run again with n_process=1 "
                               "to find the text that kills it") from None
        finally:
            for future in queue:
                future.cancel()
            if frozen:
                gc.unfreeze()


def _merge(parts: list[tuple[int, Document]]) -> Document:
    """One Document from consecutive pieces: offsets shifted, ids renumbered in text order."""
    text = "".join(p.text for _, p in parts)
    entities, rels, n = [], [], 0
    for offset, part in parts:
        new_ids = {}
        for e in part.entities:
            n += 1
            new_ids[e.id] = f"T{n}"
            entities.append(Entity(f"T{n}", e.start + offset, e.end + offset, e.label, e.text, e.attrs))
        rels += [Relation(new_ids[r.head], new_ids[r.tail], r.label, r.confidence, r.source) for r in part.relations]
    doc = Document(text=text, entities=entities, relations=rels)
    doc.events = doc.derive_events()
    doc.compute_funding()
    return doc


def doc_to_document(doc: Doc, doc_id: str = "") -> Document:
    """The SPEC record view of a processed Doc: entities T1… in text order."""
    by_pos = entities(doc)  # in token order; doc._.relations index into this list
    ids = [f"T{i}" for i in range(1, len(by_pos) + 1)]
    records = []
    for e, ent_id in zip(by_pos, ids):
        attrs: dict = {}
        stored = span_attrs(e)
        if e.label_ == "ACTIVITY":
            attrs["category"] = stored.get("category")
        elif stored.get("fields"):
            attrs.update(stored["fields"])
        for key in ("source", "confidence"):  # how the category or role was decided
            if key in stored:
                attrs[key] = stored[key]
        records.append(Entity(ent_id, e.start_char, e.end_char, e.label_, e.text, attrs))
    links = doc._.relations or []
    confidence = doc._.relation_confidence or [None] * len(links)
    rels = [Relation(ids[h], ids[t], label, p, "rule" if p is None else "model") for (h, t, label), p in zip(links, confidence)]
    document = Document(text=doc_text(doc), id=doc_id, entities=records, relations=rels)
    document.events = document.derive_events()
    document.compute_funding()  # the events carry their funding figures (SPEC §7)
    return document
