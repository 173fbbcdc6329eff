"""Doccano JSONL (sequence labeling with relations) <-> kcnlp records.

One line per document: `{"id", "text", "meta", "entities": [{"id", "label", "start_offset",
"end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}`; the older
`"label": [[start, end, "LABEL"], …]` form is read too.

Doccano has no entity attributes, so the label carries category and role: an ACTIVITY is
written `ACTIVITY:TRAINING`, a MONEY `MONEY:local` (create these labels in the project);
plain `ACTIVITY` and `MONEY` are read as well. Lossy: the value fields of MONEY, QUANTITY
and DATE are not written (counted as lost) and are derived again by the normalizer on
import. Entity ids are Doccano's integers: entities are renamed T1, T2 … in text order on
import; the document id and meta travel as "id" and "meta".
"""
from __future__ import annotations

import json
from pathlib import Path

from ...errors import RecordError
from ..jsonl import read_records
from .records import Attr, Item, Link, Span, build_record, count_written, entity_attrs
from .report import Report

__all__ = ["read", "write"]

_IN_LABEL = {"ACTIVITY": "category", "MONEY": "role"}


def write(items: list[Item], path: str | Path, report: Report) -> None:
    ent_id = rel_id = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for _, rec in items:
            ids, entities = {}, []
            carried = 0
            for e in rec["entities"]:
                ent_id += 1
                ids[e["id"]] = ent_id
                key = _IN_LABEL.get(e["label"])
                label = f"{e['label']}:{e[key]}" if key and e.get(key) else e["label"]
                carried += label != e["label"]
                entities.append({"id": ent_id, "label": label, "start_offset": e["start"], "end_offset": e["end"]})
            relations = []
            for r in rec["relations"]:
                rel_id += 1
                relations.append({"id": rel_id, "from_id": ids[r["head"]], "to_id": ids[r["tail"]], "type": r["label"]})
            line = {"id": rec["id"], "text": rec["text"], "meta": rec["meta"], "entities": entities, "relations": relations}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count_written(report, rec, attributes=carried)
            report.lose("attributes", sum(len(entity_attrs(e)) for e in rec["entities"]) - carried,
                        "Doccano keeps only category and role (in the label); value fields are derived again on import")


def read(path: str | Path, report: Report) -> list[Item]:
    items = []
    for n, line in read_records(path):
        where = f"{path}:{n}"
        if not isinstance(line.get("text"), str):
            raise RecordError("E111", "no string 'text': not a Doccano span export", str(path), n)
        report.read["documents"] += 1
        spans, attrs = _entities(line, where, report)
        links = []
        for r in line.get("relations") or []:
            report.read["relations"] += 1
            if not isinstance(r, dict):
                report.skip(where, "relations", f"relation {r!r}", "not a JSON object with from_id, to_id, type")
                continue
            links.append(Link(str(r.get("from_id")), str(r.get("to_id")), r.get("type"), where))
        doc_id = line.get("id") if isinstance(line.get("id"), (str, int)) and line.get("id") != "" else f"{Path(path).stem}-{n}"
        meta = line.get("meta") if isinstance(line.get("meta"), dict) else {}
        items.append((where, build_record(str(doc_id), line["text"], meta, spans, links, attrs, where, report, rename=True)))
    return items


def _entities(line: dict, where: str, report: Report) -> tuple[list[Span], list[Attr]]:
    raw = line.get("entities")
    if raw and isinstance(line.get("label"), list) and line["label"]:
        raise RecordError("E112", "the line has spans both in 'entities' and in 'label'; keep one of the two", *where.rsplit(":", 1))
    if not raw and isinstance(line.get("label"), list):  # older export: [[start, end, "LABEL"], …] (also beside an empty 'entities')
        raw = [{"id": f"L{k}", "start_offset": x[0], "end_offset": x[1], "label": x[2]} if isinstance(x, list) and len(x) == 3 else x
               for k, x in enumerate(line["label"], 1)]
    spans, attrs = [], []
    for e in raw or []:
        report.read["entities"] += 1
        if not isinstance(e, dict) or not all(k in e for k in ("id", "label", "start_offset", "end_offset")):
            report.skip(where, "entities", f"entity {e!r}", "needs id, label, start_offset, end_offset")
            continue
        eid, label = str(e["id"]), str(e["label"])
        base, _, attr = label.partition(":")
        if attr and base in _IN_LABEL:
            report.read["attributes"] += 1
            attrs.append(Attr(eid, _IN_LABEL[base], attr, where))
            label = base
        spans.append(Span(eid, e["start_offset"], e["end_offset"], label, where))
    return spans, attrs
