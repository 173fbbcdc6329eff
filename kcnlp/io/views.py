"""Views for people: pandas tables of events or entities, and displaCy HTML."""
from __future__ import annotations

from typing import Iterable

from ..document import Document
from .tables import EVENT_COLUMNS, event_rows

__all__ = ["to_dataframe", "render", "LABEL_COLOURS"]

LABEL_COLOURS = {"ORG": "#a6cee3", "MONEY": "#b2df8a", "QUANTITY": "#fdbf6f", "ACTIVITY": "#fb9a99",
                 "LOC": "#cab2d6", "DATE": "#ffff99"}


def to_dataframe(docs: Document | Iterable[Document], kind: str = "events"):
    """A pandas DataFrame: one row per event (kind="events") or per entity (kind="entities")."""
    import pandas as pd

    if isinstance(docs, Document):
        docs = [docs]
    if kind == "events":
        table = pd.DataFrame([row for d in docs for row in event_rows(d)], columns=EVENT_COLUMNS)
        for col in ("state_vnd", "counterpart_vnd", "total_vnd"):
            table[col] = table[col].astype("Int64")
        return table
    if kind == "entities":
        rows = [{"doc_id": d.id, **e.to_dict()} for d in docs for e in d.entities]
        return pd.DataFrame(rows)
    raise ValueError(f"kind must be 'events' or 'entities', not {kind!r}")


def render(doc: Document, page: bool = False, title: bool = True) -> str:
    """displaCy HTML of the document's entities, a colour per label; ACTIVITY shows its category.
    `title=False` leaves out the document id heading (for pages that write their own)."""
    from spacy import displacy

    ents = []
    for e in doc.entities:
        label = f"{e.label}:{e.attrs.get('category')}" if e.label == "ACTIVITY" else e.label
        ents.append({"start": e.start, "end": e.end, "label": label})
    colours = dict(LABEL_COLOURS)
    colours.update({f"ACTIVITY:{e.attrs.get('category')}": LABEL_COLOURS["ACTIVITY"] for e in doc.entities if e.label == "ACTIVITY"})
    data = {"text": doc.text, "ents": ents, "title": (doc.id or None) if title else None}
    return displacy.render(data, style="ent", manual=True, page=page, options={"colors": colours})
