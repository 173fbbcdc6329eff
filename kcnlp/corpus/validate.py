"""Validation of SPEC records: structure (offsets, overlaps, labels, vocabularies, relation
typing) and values re-derived with the normalizer.

Structural problems make a corpus invalid. Value disagreements are listed for a person to
judge — the gold may be right and the normalizer wrong — and never rewritten.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KcnlpError
from ..io.jsonl import read_records
from ..pipeline.normalize import month_alone
from ..pipeline.values import entity_fields
from ..schema import CATEGORIES, LABELS, QUALIFIERS, RELATION_TAILS, ROLES

__all__ = ["record_problems", "value_disagreements", "validate_paths", "Report", "jsonl_files"]

_COMPARED = {
    "MONEY": ("value", "value_max", "unit", "qualifier", "per"),
    "QUANTITY": ("value", "value_max", "unit", "qualifier"),
    "DATE": ("date_start", "date_end"),
}


@dataclass
class Report:
    records: int = 0
    problems: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def record_problems(rec: dict) -> list[str]:
    """SPEC §1–§4 problems of one record, one message each."""
    out: list[str] = []
    text = rec.get("text")
    if not isinstance(text, str):
        return ["no string 'text'"]
    if not isinstance(rec.get("id"), str) or not rec["id"]:
        out.append("no string 'id'")
    ents = rec.get("entities")
    if not isinstance(ents, list):
        return out + ["'entities' is not a list"]
    ids: dict[str, dict] = {}
    for e in ents:
        if not isinstance(e, dict) or not all(k in e for k in ("id", "start", "end", "label", "text")):
            out.append(f"entity {e!r} lacks one of id, start, end, label, text")
            continue
        if e["id"] in ids:
            out.append(f"{e['id']}: duplicate entity id")
        ids[e["id"]] = e
    valid = [e for e in ids.values() if isinstance(e["start"], int) and isinstance(e["end"], int)]
    prev = None
    for e in sorted(valid, key=lambda e: (e["start"], e["end"])):
        tag = e["id"]
        if not 0 <= e["start"] < e["end"] <= len(text):
            out.append(f"{tag}: offsets {e['start']}..{e['end']} out of range (text has {len(text)} characters)")
            continue
        if text[e["start"]:e["end"]] != e["text"]:
            out.append(f"{tag}: text[{e['start']}:{e['end']}] is {text[e['start']:e['end']]!r}, entity says {e['text']!r}")
        if prev is not None and e["start"] < prev["end"]:
            out.append(f"{tag}: overlaps {prev['id']}")
        prev = e
        out += [f"{tag}: {p}" for p in _field_problems(e)]
    rels = rec.get("relations", [])
    if not isinstance(rels, list):
        return out + ["'relations' is not a list"]
    seen = set()
    for r in rels:
        h, t = ids.get(r.get("head")), ids.get(r.get("tail"))
        if h is None or t is None:
            out.append(f"relation {r.get('head')}→{r.get('tail')} names a missing entity")
            continue
        if r.get("label") not in RELATION_TAILS:
            out.append(f"relation {r['head']}→{r['tail']} has unknown label {r.get('label')!r}")
            continue
        if h["label"] != "ACTIVITY":
            out.append(f"relation {r['head']}→{r['tail']}: head is {h['label']}, must be ACTIVITY")
        if t["label"] != RELATION_TAILS[r["label"]]:
            out.append(f"relation {r['head']}→{r['tail']}: {r['label']} needs a {RELATION_TAILS[r['label']]} tail, got {t['label']}")
        key = (r["head"], r["tail"], r["label"])
        if key in seen:
            out.append(f"relation {r['head']}→{r['tail']} {r['label']} repeats")
        seen.add(key)
    return out


def _field_problems(e: dict) -> list[str]:
    label, out = e["label"], []
    if label not in LABELS:
        return [f"unknown label {label!r}"]
    if label in ("MONEY", "QUANTITY"):
        if not isinstance(e.get("value"), (int, float)) or isinstance(e.get("value"), bool):
            out.append(f"{label} without a numeric value")
        if e.get("value_max") is not None and isinstance(e.get("value"), (int, float)) and e["value_max"] < e["value"]:
            out.append("value_max below value")
        if e.get("qualifier") not in QUALIFIERS:
            out.append(f"qualifier {e.get('qualifier')!r} is not over, under, about or null")
    if label == "MONEY":
        if e.get("unit") != "VND":
            out.append("MONEY unit must be VND")
        if e.get("role") not in ROLES:
            out.append(f"role {e.get('role')!r} is not one of {', '.join(ROLES)}")
    if label == "QUANTITY" and not e.get("unit"):
        out.append("QUANTITY without unit")
    if label == "ACTIVITY" and e.get("category") not in CATEGORIES:
        out.append(f"category {e.get('category')!r} is not one of {', '.join(CATEGORIES)}")
    if label == "DATE" and not (e.get("date_start") and e.get("date_end")):
        out.append("DATE without date_start and date_end")
    return out


def value_disagreements(rec: dict) -> list[str]:
    """Where the normalizer reads a MONEY/QUANTITY/DATE span differently from the record."""
    out = []
    text = rec["text"]
    for e in rec.get("entities", []):
        keys = _COMPARED.get(e.get("label"))
        if not keys or not isinstance(e.get("start"), int):
            continue
        derived = entity_fields(text, e["start"], e["end"], e["label"], role=e.get("role"))
        month = month_alone(e.get("text", "")) if e["label"] == "DATE" else None
        for k in keys:
            if _same(derived.get(k), e.get(k)):
                continue
            if month is not None and str(e.get(k))[4:] == f"-{month:02d}":
                continue  # a month alone takes its year from the document
            why = f" ({derived['value_error']})" if derived.get("value_error") else ""
            out.append(f"{e['id']} {e['text']!r}: {k} is {e.get(k)!r}, the normalizer reads {derived.get(k)!r}{why}")
    return out


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) or isinstance(b, float) and isinstance(a, (int, float)):
        return abs(a - b) < 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def jsonl_files(path: str | Path) -> list[Path]:
    p = Path(path)
    return sorted(p.rglob("*.jsonl")) if p.is_dir() else [p]


def validate_paths(path: str | Path) -> Report:
    """Validate every record of a JSONL file or of every JSONL file under a folder.
    Each message starts with file:line; document ids must be unique across files."""
    report = Report()
    first_seen: dict[str, str] = {}
    for f in jsonl_files(path):
        try:
            for n, rec in read_records(f, errors=report.problems):
                report.records += 1
                where = f"{f}:{n} {rec.get('id')}"
                report.problems += [f"{where}: {p}" for p in record_problems(rec)]
                rid = rec.get("id")
                if isinstance(rid, str):
                    if rid in first_seen:
                        report.problems.append(f"{where}: id also used at {first_seen[rid]}")
                    first_seen.setdefault(rid, f"{f}:{n}")
                if isinstance(rec.get("text"), str) and isinstance(rec.get("entities"), list):
                    try:
                        report.disagreements += [f"{where}: {d}" for d in value_disagreements(rec)]
                    except (KeyError, TypeError):
                        pass  # already reported as a structural problem
        except KcnlpError as exc:
            report.problems.append(exc.message)
    return report
