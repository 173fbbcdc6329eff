"""Flat tables of extracted documents: one row per event, with its funding figures, province
and period (used by the CSV output, the text table and `kcnlp.to_dataframe`)."""
from __future__ import annotations

from ..document import Document

__all__ = ["EVENT_COLUMNS", "event_rows", "vnd", "LOW_CONFIDENCE"]

#: a decision less sure than this is flagged for a person to check (table, HTML)
LOW_CONFIDENCE = 0.6

EVENT_COLUMNS = ["doc_id", "trigger", "category", "activity", "confidence", "state_vnd", "counterpart_vnd", "total_vnd", "province",
                 "province_2025", "period", "inherited", "funding", "outputs", "participants", "times", "places"]


def event_rows(doc: Document) -> list[dict]:
    """One flat row per event: its confidence (the weakest of the classifiers' decisions about
    it, empty when rules made them), its funding figures (SPEC §7: each amount once, a whole never added
    to its parts), its province and period (its own, else the document's: `inherited` says which)
    and its argument texts joined with " | "."""
    from ..funding.table import document_context, event_context

    by_id = {e.id: e for e in doc.entities}
    doc.compute_funding()
    inherit = document_context(doc)
    rows = []
    for ev in doc.events:
        def texts(ids):
            return " | ".join(by_id[i].text for i in ids if i in by_id)
        rows.append({
            "doc_id": doc.id, "trigger": ev.trigger, "category": ev.category, "activity": by_id[ev.trigger].text,
            "confidence": ev.confidence,
            "state_vnd": ev.state_vnd, "counterpart_vnd": ev.counterpart_vnd, "total_vnd": ev.total_vnd,
            **event_context(doc, ev, inherit),
            "funding": texts(ev.funding), "outputs": texts(ev.outputs), "participants": texts(ev.participants),
            "times": texts(ev.times), "places": texts(ev.places),
        })
    return rows


def vnd(value) -> str:
    """An amount as Vietnamese readers write it: "180.000.000 đồng"."""
    return "" if value is None else f"{value:,} đồng".replace(",", ".")
