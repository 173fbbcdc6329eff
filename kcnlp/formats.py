"""Output formats for extracted documents: JSONL/JSON records, CSV (one row per event)
and a plain-text table for reading."""
from __future__ import annotations

import csv
import html
import io
import json
from typing import Iterable, TextIO

from .document import Document

__all__ = ["write_output", "EVENT_COLUMNS", "event_rows"]

EVENT_COLUMNS = ["doc_id", "trigger", "category", "activity", "state_vnd", "counterpart_vnd", "total_vnd", "province",
                 "province_2025", "period", "inherited", "funding", "outputs", "participants", "times", "places"]


def event_rows(doc: Document) -> list[dict]:
    """One flat row per event: its funding figures (SPEC §7: each amount once, a whole never added
    to its parts), its province and period (its own, else the document's: `inherited` says which)
    and its argument texts joined with " | "."""
    from .aggregate import event_context

    by_id = {e.id: e for e in doc.entities}
    doc.compute_funding()
    rows = []
    for ev in doc.events:
        def texts(ids):
            return " | ".join(by_id[i].text for i in ids if i in by_id)
        rows.append({
            "doc_id": doc.id, "trigger": ev.trigger, "category": ev.category, "activity": by_id[ev.trigger].text,
            "state_vnd": ev.state_vnd, "counterpart_vnd": ev.counterpart_vnd, "total_vnd": ev.total_vnd,
            **event_context(doc, ev),
            "funding": texts(ev.funding), "outputs": texts(ev.outputs), "participants": texts(ev.participants),
            "times": texts(ev.times), "places": texts(ev.places),
        })
    return rows


def _vnd(value) -> str:
    return "" if value is None else f"{value:,} đồng".replace(",", ".")


def _table(doc: Document) -> str:
    out = io.StringIO()
    out.write(f"== {doc.id or 'document'}: {len(doc.entities)} entities, {len(doc.relations)} relations\n")
    rows = event_rows(doc)
    if not rows:
        out.write("   (no khuyến công activity found)\n")
    for r in rows:
        out.write(f"-- {r['category']}: {r['activity']}\n")
        for key in ("funding", "outputs", "participants", "times", "places"):
            if r[key]:
                out.write(f"   {key:<12} {r[key]}\n")
        figures = [f"{k[:-4]} {_vnd(r[k])}" for k in ("state_vnd", "counterpart_vnd", "total_vnd") if r[k] is not None]
        if figures:
            out.write(f"   {'figures':<12} {'; '.join(figures)}\n")
    checks = doc.compute_funding()
    by_id = {e.id: e for e in doc.entities}
    for c in checks:
        verdict = {True: "adds up", False: "DOES NOT ADD UP", None: "cannot be checked"}[c["ok"]]
        parts = " + ".join(by_id[p].text for p in c["parts"])
        out.write(f"   check        {by_id[c['total']].text} = {parts}{' + rest' if c['lower_bound'] else ''}: {verdict}\n")
    return out.getvalue()


def write_output(docs: Iterable[Document], fmt: str, out: TextIO) -> int:
    """Write documents in `fmt` as they come; returns how many were written."""
    n = 0
    if fmt == "json":
        out.write("[")
    if fmt == "html":
        out.write("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>kcnlp</title></head><body>\n")
    writer = None
    for doc in docs:
        if fmt == "jsonl":
            out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
        elif fmt == "json":
            out.write(("," if n else "") + "\n" + json.dumps(doc.to_dict(), ensure_ascii=False))
        elif fmt == "csv":
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=EVENT_COLUMNS)
                writer.writeheader()
            writer.writerows(event_rows(doc))
        elif fmt == "table":
            out.write(_table(doc))
        elif fmt == "html":
            from .views import render

            out.write(f"<h2>{html.escape(doc.id or 'document')}</h2>\n{render(doc, title=False)}\n<pre>{html.escape(_table(doc))}</pre>\n")
        else:
            raise ValueError(f"unknown format {fmt!r}")
        n += 1
    if fmt == "json":
        out.write("\n]\n")
    if fmt == "html":
        out.write("</body></html>\n")
    return n
