"""Output formats for extracted documents: JSONL/JSON records, CSV (one row per event)
and a plain-text table for reading."""
from __future__ import annotations

import csv
import html
import io
import json
from typing import Iterable, TextIO

from ..document import Document
from .tables import EVENT_COLUMNS, LOW_CONFIDENCE, event_rows, vnd
from .views import render

__all__ = ["write_output"]

def _table(doc: Document) -> str:
    out = io.StringIO()
    out.write(f"== {doc.id or 'document'}: {len(doc.entities)} entities, {len(doc.relations)} relations\n")
    rows = event_rows(doc)
    if not rows:
        out.write("   (no khuyến công activity found)\n")
    for r in rows:
        doubt = f"   (confidence {r['confidence']:.2f}: check it)" if r["confidence"] is not None and r["confidence"] < LOW_CONFIDENCE else ""
        out.write(f"-- {r['category']}: {r['activity']}{doubt}\n")
        for key in ("funding", "outputs", "participants", "times", "places"):
            if r[key]:
                out.write(f"   {key:<12} {r[key]}\n")
        figures = [f"{k[:-4]} {vnd(r[k])}" for k in ("state_vnd", "counterpart_vnd", "total_vnd") if r[k] is not None]
        if figures:
            out.write(f"   {'figures':<12} {'; '.join(figures)}\n")
    by_id = {e.id: e for e in doc.entities}
    for c in doc.funding_checks or []:  # computed by event_rows above
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
            out.write(f"<h2>{html.escape(doc.id or 'document')}</h2>\n{render(doc, title=False)}\n<pre>{html.escape(_table(doc))}</pre>\n")
        else:
            raise ValueError(f"unknown format {fmt!r}")
        n += 1
    if fmt == "json":
        out.write("\n]\n")
    if fmt == "html":
        out.write("</body></html>\n")
    return n
