"""Views for people: pandas tables of events or entities, and displaCy HTML."""
from __future__ import annotations

from typing import Iterable

from ..document import Document
from .tables import EVENT_COLUMNS, LOW_CONFIDENCE, event_rows

__all__ = ["to_dataframe", "render", "LABEL_COLOURS"]

_DOUBT_COLOUR = "#eeeeee"
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
    """displaCy HTML of the document's entities, a colour per label; ACTIVITY shows its category,
    and a category or role the classifier gave less than LOW_CONFIDENCE is pale, with its score.
    `title=False` leaves out the document id heading (for pages that write their own)."""
    from spacy import displacy

    ents = []
    colours = dict(LABEL_COLOURS)
    for e in doc.entities:
        label = f"{e.label}:{e.attrs.get('category')}" if e.label == "ACTIVITY" else e.label
        confidence = e.attrs.get("confidence")
        doubtful = isinstance(confidence, (int, float)) and confidence < LOW_CONFIDENCE
        if doubtful:  # a pale colour and a "?" for a category or role the classifier was unsure of
            label += f" ? {confidence:.2f}"
        colours[label] = _DOUBT_COLOUR if doubtful else LABEL_COLOURS[e.label]
        ents.append({"start": e.start, "end": e.end, "label": label})
    data = {"text": doc.text, "ents": ents, "title": (doc.id or None) if title else None}
    return displacy.render(data, style="ent", manual=True, page=page, options={"colors": colours})
