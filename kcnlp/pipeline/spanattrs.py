"""Per-entity attributes (category, role, normalized fields) stored on the Doc, keyed by
character offsets. spaCy's `Span._` extensions re-read `doc.ents` on every access, which
made them the slowest part of the pipeline; a dict on the Doc costs nothing. `entities`
and `doc_text` read `doc.ents` and `doc.text` the fast way."""
from __future__ import annotations

import numpy
from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.tokens import Doc, Span

__all__ = ["span_attrs", "entities", "doc_text", "keep_text"]

if not Doc.has_extension("kcnlp_attrs"):
    Doc.set_extension("kcnlp_attrs", default=None)


def span_attrs(span: Span) -> dict:
    """The mutable attribute dict of this entity span (created on first use)."""
    doc = span.doc
    store = doc._.kcnlp_attrs
    if store is None:
        store = {}
        doc._.kcnlp_attrs = store
    return store.setdefault(f"{span.start_char}:{span.end_char}", {})


def entities(doc: Doc) -> list[Span]:
    """`doc.ents`, read from the token array: spaCy's getter makes a Python object of every
    token each time, and each stage reads the entities once."""
    if not len(doc):
        return []
    array = doc.to_array([ENT_IOB, ENT_TYPE])
    iob, types = array[:, 0].tolist(), array[:, 1].tolist()
    out, start, prev = [], None, -1
    for i in numpy.flatnonzero((array[:, 0] == 1) | (array[:, 0] == 3)).tolist():  # 3 = B, 1 = I
        # an I after a gap or of another type starts an entity, as in spaCy's getter
        if start is not None and (i != prev + 1 or iob[i] == 3 or types[i] != types[start]):
            out.append(Span(doc, start, prev + 1, label=types[start]))
            start = None
        if start is None:
            start = i
        prev = i
    if start is not None:
        out.append(Span(doc, start, prev + 1, label=types[start]))
    return out


_TEXT_KEY = "kcnlp_text"


def keep_text(doc: Doc, text: str) -> None:
    """Keep the text the Doc was made from (the tokenizer does), for `doc_text`."""
    doc.user_data[_TEXT_KEY] = (len(doc), text)


def doc_text(doc: Doc) -> str:
    """`doc.text`, which spaCy rebuilds from every token on each access: the text the tokenizer
    kept, when this is still the Doc it made (same number of tokens), else spaCy's."""
    kept = doc.user_data.get(_TEXT_KEY)
    return kept[1] if kept is not None and kept[0] == len(doc) else doc.text
