"""Per-entity attributes (category, role, normalized fields) stored on the Doc, keyed by
character offsets. spaCy's `Span._` extensions re-read `doc.ents` on every access, which
made them the slowest part of the pipeline; a dict on the Doc costs nothing."""
from __future__ import annotations

from spacy.tokens import Doc, Span

__all__ = ["span_attrs"]

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
