"""Shared by every format: checked SPEC records from what a tool says, and kcnlp JSONL itself.

A reader turns its file into `Span`s, `Link`s and `Attr`s with the place each came from;
`build_record` checks them against SPEC §1–§4, reports and leaves out what is wrong, maps
offsets to NFC text, fills value fields from the normalizer and returns the record
(through `Document`, so it is exactly what `kcnlp.extract(...).to_dict()` gives).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...document import Document
from ...errors import KcnlpError, RecordError
from ...pipeline.textview import TextView
from ...schema import CATEGORIES, LABELS, RELATION_TAILS, ROLES
from .report import Report

__all__ = ["Attr", "Item", "Link", "Span", "build_record", "check_record", "count_written", "entity_attrs", "read", "record_counts", "write"]

CORE = ("id", "start", "end", "label", "text")
VALUE_LABELS = ("MONEY", "QUANTITY", "DATE")
#: the value fields of each label that the normalizer can derive (role aside)
VALUE_FIELDS = {
    "MONEY": ("value", "value_max", "unit", "qualifier", "per"),
    "QUANTITY": ("value", "value_max", "unit", "qualifier"),
    "DATE": ("date_start", "date_end"),
}
#: (where, record): every record travels with the place it was read from
Item = tuple[str, dict]


@dataclass
class Span:
    """An entity as the tool gives it; `text` is the tool's copy of the span, checked if given;
    `problem` says why the reader could not take it (it is skipped, and so is what refers to it)."""

    id: str
    start: Any
    end: Any
    label: str
    where: str
    text: str | None = None
    problem: str | None = None


@dataclass
class Link:
    head: str
    tail: str
    label: str
    where: str


@dataclass
class Attr:
    """One field of an entity: category, role, or a value field (value, unit, date_start …)."""

    entity: str
    key: str
    value: Any
    where: str


def entity_attrs(entity: dict) -> dict:
    """The fields of a record's entity beyond id, start, end, label and text."""
    return {k: v for k, v in entity.items() if k not in CORE}


def record_counts(rec: dict) -> dict[str, int]:
    """The documents (1), entities, relations and attributes of a record."""
    return {"documents": 1, "entities": len(rec["entities"]), "relations": len(rec["relations"]),
            "attributes": sum(len(entity_attrs(e)) for e in rec["entities"])}


def count_written(report: Report, rec: dict, attributes: int | None = None) -> None:
    counts = record_counts(rec)
    if attributes is not None:
        counts["attributes"] = attributes
    report.written.update(counts)


class _NFC:
    """The NFC form of a text and the map from its original offsets into it."""

    def __init__(self, text: str):
        self.length = len(text)
        self.changed = not unicodedata.is_normalized("NFC", text)
        if not self.changed:
            self.text = text
            return
        view = TextView(text)  # NFC per character cluster; NBSP shown as a space there, kept here
        self.text = "".join("\u00a0" if c == " " and text[view.original(i)] == "\u00a0" else c
                            for i, c in enumerate(view.view))
        self._to_nfc: dict[int, int] = {}
        for i in range(len(self.text), -1, -1):
            self._to_nfc[view.original(i)] = i

    def offset(self, i: int) -> int | None:
        """The NFC offset of original offset `i`, or None when `i` splits a composed character."""
        return i if not self.changed else self._to_nfc.get(i)


def build_record(doc_id: str, text: str, meta: dict, spans: list[Span], links: list[Link], attrs: list[Attr],
                 where: str, report: Report, rename: bool = False) -> dict:
    """A SPEC record from a tool's annotations; every item left out is reported with why.

    Entities are checked (label, offsets, span text, overlap, duplicate id) in text order, so
    of two overlapping spans the later one is skipped. `rename` numbers the entities T1, T2 …
    in text order (for tools whose ids are not kcnlp's).
    """
    nfc = _NFC(text)
    if nfc.changed:
        report.note("texts not in NFC: converted to NFC, offsets mapped")
    ents = _check_spans(nfc, spans, report)
    skipped_ids = {s.id for s in spans} - set(ents)
    fields = _check_attrs(ents, attrs, skipped_ids, report)
    _derive(nfc.text, ents, fields, report)
    relations = _check_links(ents, links, skipped_ids, report)
    order = sorted(ents, key=lambda i: (ents[i]["start"], ents[i]["end"]))
    new_id = {old: (f"T{k}" if rename else old) for k, old in enumerate(order, 1)}
    rec = {
        "id": doc_id,
        "text": nfc.text,
        "meta": meta,
        "entities": [{**ents[i], "id": new_id[i], **fields[i]} for i in order],
        "relations": [{"head": new_id[h], "tail": new_id[t], "label": lab} for h, t, lab in relations],
    }
    try:
        rec = Document.from_dict(rec).to_dict()
    except KcnlpError as exc:  # cannot happen after the checks above; say where if it does
        raise RecordError(exc.code, f"{where}: {exc.message}") from None
    # SPEC fields the record lacked come back as null (a category the source did not give)
    report.derived["attributes"] += sum(len(entity_attrs(e)) for e in rec["entities"]) - sum(map(len, fields.values()))
    from ...corpus.validate import record_problems

    if record_problems(rec):
        report.note("records that `kcnlp corpus validate` will flag (the source lacks fields or has wrong values)")
    return rec


def _check_spans(nfc: _NFC, spans: list[Span], report: Report) -> dict[str, dict]:
    text = nfc.text
    ok: dict[str, dict] = {}
    ends: list[tuple[int, int, str]] = []

    def skip(s: Span, why: str) -> None:
        report.skip(s.where, "entities", f"entity {s.id} {s.label} {s.text!r}" if s.text is not None else f"entity {s.id} {s.label}", why)

    seen: set[str] = set()
    for s in sorted(spans, key=lambda s: (s.start, s.end) if isinstance(s.start, int) and isinstance(s.end, int) else (-1, -1)):
        if s.id in seen:
            skip(s, "duplicate id")
            continue
        seen.add(s.id)
        if s.problem:
            skip(s, s.problem)
            continue
        if s.label not in LABELS:
            skip(s, f"unknown label {s.label!r}; labels are {', '.join(LABELS)}")
            continue
        if not (isinstance(s.start, int) and isinstance(s.end, int)) or isinstance(s.start, bool):
            skip(s, f"offsets {s.start!r}..{s.end!r} are not integers")
            continue
        if not 0 <= s.start < s.end <= nfc.length:
            skip(s, f"offsets {s.start}..{s.end} out of range (text has {nfc.length} characters)")
            continue
        start, end = nfc.offset(s.start), nfc.offset(s.end)
        if start is None or end is None:
            skip(s, f"offsets {s.start}..{s.end} split a composed character")
            continue
        surface = text[start:end]
        if s.text is not None and (not isinstance(s.text, str)
                                   or unicodedata.normalize("NFC", s.text) not in (surface, surface.replace("\n", " "))):
            skip(s, f"span text mismatch: the file says {s.text!r}, text[{s.start}:{s.end}] is {surface!r}")
            continue
        clash = next((i for a, b, i in ends if a < end and start < b), None)
        if clash is not None:
            skip(s, f"overlapping span: overlaps {clash} {ok[clash]['text']!r}")
            continue
        ok[s.id] = {"id": s.id, "start": start, "end": end, "label": s.label, "text": surface}
        ends.append((start, end, s.id))
    return ok


def _check_attrs(ents: dict[str, dict], attrs: list[Attr], skipped_ids: set[str], report: Report) -> dict[str, dict]:
    fields: dict[str, dict] = {i: {} for i in ents}
    for a in attrs:
        what = f"{a.key} {a.value!r} of {a.entity}"
        ent = ents.get(a.entity)
        if ent is None:
            why = f"its entity {a.entity} was skipped" if a.entity in skipped_ids else f"no entity with id {a.entity!r}"
            report.skip(a.where, "attributes", what, why)
            continue
        label = ent["label"]
        if a.key in fields[a.entity]:
            report.skip(a.where, "attributes", what, f"{a.entity} already has a {a.key}")
            continue
        if a.key == "category" and (label != "ACTIVITY" or a.value not in CATEGORIES + (None,)):
            why = f"{label} has no category" if label != "ACTIVITY" else f"unknown category; categories are {', '.join(CATEGORIES)}"
            report.skip(a.where, "attributes", what, why)
            continue
        if a.key == "role" and (label != "MONEY" or a.value not in ROLES + (None,)):
            why = f"{label} has no role" if label != "MONEY" else f"unknown role; roles are {', '.join(ROLES)}"
            report.skip(a.where, "attributes", what, why)
            continue
        if a.key in {k for ks in VALUE_FIELDS.values() for k in ks} and a.key not in VALUE_FIELDS.get(label, ()):
            report.skip(a.where, "attributes", what, f"{label} has no {a.key}")
            continue
        fields[a.entity][a.key] = a.value
    return fields


def _derive(text: str, ents: dict[str, dict], fields: dict[str, dict], report: Report) -> None:
    """Value fields the source lacks, from the normalizer (`kcnlp.pipeline.values.entity_fields`)."""
    from ...pipeline.values import entity_fields

    for i, e in ents.items():
        label, have = e["label"], fields[i]
        if label == "ACTIVITY" and "category" not in have:
            report.note("ACTIVITY entities without a category in the source (left null)")
        if label not in VALUE_LABELS:
            continue
        carried = any(k in have for k in VALUE_FIELDS[label])
        if carried and (label != "MONEY" or "role" in have):
            continue
        derived = entity_fields(text, e["start"], e["end"], label, role=have.get("role"))
        added = {k: v for k, v in derived.items() if k not in have and (not carried or k in VALUE_FIELDS[label] or k == "role")}
        have.update(added)
        report.derived["attributes"] += len(added)
        if not carried:
            report.note("entities given value fields by the normalizer")
        if "role" in added:
            report.note("MONEY roles guessed from cue words (the source has none)")


def _check_links(ents: dict[str, dict], links: list[Link], skipped_ids: set[str], report: Report) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for r in links:
        what = f"relation {r.label} {r.head} -> {r.tail}"
        missing = [i for i in (r.head, r.tail) if i not in ents]
        if missing:
            gone = [i for i in missing if i in skipped_ids]
            why = f"its entity {gone[0]} was skipped" if gone else f"relation to a missing id {missing[0]!r}"
            report.skip(r.where, "relations", what, why)
            continue
        if r.label not in RELATION_TAILS:
            report.skip(r.where, "relations", what, f"unsupported relation label {r.label!r}; labels are {', '.join(RELATION_TAILS)}")
            continue
        head, tail = ents[r.head]["label"], ents[r.tail]["label"]
        if head != "ACTIVITY" or tail != RELATION_TAILS[r.label]:
            report.skip(r.where, "relations", what, f"{r.label} goes from an ACTIVITY to a {RELATION_TAILS[r.label]}, not {head} -> {tail}")
            continue
        if (r.head, r.tail, r.label) in out:
            report.skip(r.where, "relations", what, "repeats an earlier relation")
            continue
        out.append((r.head, r.tail, r.label))
    return out


def read(path: str | Path, report: Report) -> list[Item]:
    """kcnlp SPEC JSONL (a file or a folder of *.jsonl): every record checked like a tool's."""
    from ...corpus.validate import jsonl_files
    from ..jsonl import read_records

    items: list[Item] = []
    for f in jsonl_files(path):
        for n, rec in read_records(f):
            try:
                items.append((f"{f}:{n}", check_record(rec, f"{f}:{n}", report)))
            except RecordError as exc:
                raise RecordError(exc.code, exc.message, str(f), n) from None
    return items


def check_record(rec: dict, where: str, report: Report) -> dict:
    """A kcnlp record read and checked like a tool's: the same skips, the same counts."""
    if not isinstance(rec.get("text"), str):
        raise RecordError("E111", "the record has no string 'text'")
    ents, rels = rec.get("entities") or [], rec.get("relations") or []
    if not isinstance(ents, list) or not isinstance(rels, list) or not all(isinstance(x, dict) for x in ents + rels):
        raise RecordError("E104", "'entities' and 'relations' must be lists of JSON objects")
    spans, attrs = [], []
    for e in ents:
        eid = str(e.get("id"))
        spans.append(Span(eid, e.get("start"), e.get("end"), e.get("label"), where, e.get("text")))
        attrs += [Attr(eid, k, v, where) for k, v in entity_attrs(e).items()]
    links = [Link(str(r.get("head")), str(r.get("tail")), r.get("label"), where) for r in rels]
    report.read.update(documents=1, entities=len(spans), relations=len(links), attributes=len(attrs))
    meta = rec["meta"] if isinstance(rec.get("meta"), dict) else {}
    doc_id = rec["id"] if isinstance(rec.get("id"), str) and rec["id"] else where
    built = build_record(doc_id, rec["text"], meta, spans, links, attrs, where, report)
    # a model's relations keep their confidence and source (for pre-annotated tasks)
    extra = {(r.get("head"), r.get("tail"), r.get("label")): {k: r[k] for k in ("confidence", "source") if k in r} for r in rels}
    for r in built["relations"]:
        r.update(extra.get((r["head"], r["tail"], r["label"]), {}))
    return built


def write(items: list[Item], path: str | Path, report: Report) -> None:
    """kcnlp SPEC JSONL, events included."""
    from ..jsonl import write_records

    for _, rec in items:
        count_written(report, rec)
    write_records((rec for _, rec in items), path)
