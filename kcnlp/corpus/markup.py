"""Compile `.kc` inline markup (corpus/AUTHORING.md) into SPEC JSONL records.

    [[2.170 tr đồng|MONEY #m1 v=2170000000 role=total]]

The compiler strips the markup and computes offsets itself, so an annotation can never
point at the wrong characters. It reports every problem as `file:line: message`, checks each
annotated value against the library's normalizer, and never rewrites what the author wrote.

Run as `python -m kcnlp.corpus.markup FILE.kc [...]` to check files while writing them.
"""
from __future__ import annotations

import re
import shlex
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..pipeline.normalize import month_alone, parse_date, parse_money, parse_quantity, qualifier_before
from ..schema import CATEGORIES, LABELS, QUALIFIERS, RELATION_TAILS, ROLES

__all__ = ["Problem", "compile_file", "compile_text", "main", "KINDS"]

KINDS = ("review", "plan", "scheme", "conference", "fair", "class", "selection", "brief", "feature", "distractor")
_HEADER = "=== doc"
_ANNOTATION = re.compile(r"\[\[([^\[\]|\n]+)\|([A-Z]+)([^\[\]\n]*)\]\]")
_REL_KEYS = {"fund": "FUNDING", "out": "OUTPUT", "part": "PARTICIPANT", "time": "TIME", "place": "PLACE"}
_ALLOWED = {
    "ACTIVITY": {"cat", *_REL_KEYS},
    "MONEY": {"v", "max", "q", "per", "role"},
    "QUANTITY": {"v", "max", "q", "u"},
    "DATE": {"ds", "de"},
    "ORG": set(),
    "LOC": set(),
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def compile_file(path: str | Path, check_values: bool = True) -> tuple[list[dict], list[Problem]]:
    """All documents of one `.kc` file as SPEC records, and the problems found."""
    path = Path(path)
    return compile_text(path.read_text(encoding="utf-8"), str(path), check_values)


def compile_text(source: str, path: str = "<text>", check_values: bool = True) -> tuple[list[dict], list[Problem]]:
    records, problems = [], []
    lines = source.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith(_HEADER)]
    if any(line.strip() for line in lines[: starts[0] if starts else len(lines)] if not line.startswith("%%")):
        problems.append(Problem(path, 1, f"text before the first '{_HEADER}' line"))
    for n, first in enumerate(starts):
        last = starts[n + 1] if n + 1 < len(starts) else len(lines)
        rec, probs = _compile_doc(lines, first, last, path, check_values)
        problems += probs
        if rec is not None:
            records.append(rec)
    seen: dict[str, int] = {}
    for rec, first in zip(records, starts):
        if rec["id"] in seen:
            problems.append(Problem(path, first + 1, f"document id {rec['id']!r} repeats line {seen[rec['id']]}"))
        seen.setdefault(rec["id"], first + 1)
    return records, problems


def _compile_doc(lines, first, last, path, check_values):
    problems: list[Problem] = []
    header_line = first + 1

    def problem(line: int, msg: str) -> None:
        problems.append(Problem(path, line, msg))

    try:
        header = dict(_pairs(shlex.split(lines[first][len(_HEADER):])))
    except ValueError as exc:
        problem(header_line, f"unreadable header: {exc}")
        return None, problems
    if not header.get("id"):
        problem(header_line, "header without id=")
        return None, problems
    if header.get("kind") not in KINDS:
        problem(header_line, f"kind must be one of {', '.join(KINDS)}; got {header.get('kind')!r}")
    # Body lines with their file line numbers; comments dropped, outer blank lines trimmed.
    body = [(i + 1, lines[i]) for i in range(first + 1, last) if not lines[i].startswith("%%")]
    while body and not body[0][1].strip():
        body.pop(0)
    while body and not body[-1][1].strip():
        body.pop()
    text_parts: list[str] = []
    pos = 0
    raw_entities = []
    previous = ""
    for line_no, raw in body:
        stripped = _ANNOTATION.sub(lambda m: m.group(1), raw).strip()
        if previous and stripped[:1].islower() and previous[-1:] not in ".:;!?…”\")»":
            problem(line_no, "looks like a wrapped paragraph: write one paragraph per line")
        previous = stripped
        cursor = 0
        for m in _ANNOTATION.finditer(raw):
            plain = _plain(raw[cursor:m.start()])
            text_parts.append(plain)
            pos += len(plain)
            surface = _plain(m.group(1))
            raw_entities.append((line_no, pos, pos + len(surface), surface, m.group(2), m.group(3)))
            text_parts.append(surface)
            pos += len(surface)
            cursor = m.end()
        plain = _plain(raw[cursor:]) + "\n"
        for token in ("[[", "]]"):
            if token in plain:
                problem(line_no, f"stray {token!r}: an annotation is malformed (surface text may not contain | [ ])")
        text_parts.append(plain)
        pos += len(plain)
    text = "".join(text_parts).rstrip("\n")
    if unicodedata.normalize("NFC", text) != text:
        problem(header_line, "text is not NFC after composing its pieces")
    entities, refs = [], {}
    for line_no, start, end, surface, label, attr_text in raw_entities:
        ent, ref, rels, probs = _entity(text, start, end, surface, label, attr_text, check_values)
        problems += [Problem(path, line_no, f"{surface!r}: {p}") for p in probs]
        if ent is None:
            continue
        ent["_line"], ent["_rels"], ent["_ref"] = line_no, rels, ref
        if ref:
            if ref in refs:
                problem(line_no, f"#{ref} is used twice")
            refs[ref] = ent
        entities.append(ent)
    entities.sort(key=lambda e: (e["start"], e["end"]))
    for i, ent in enumerate(entities, 1):
        ent["id"] = f"T{i}"
    relations = []
    for ent in entities:
        for key, targets in ent["_rels"]:
            label = _REL_KEYS[key]
            for ref in targets:
                tail = refs.get(ref)
                if tail is None:
                    problem(ent["_line"], f"{ent['text']!r}: {key}={ref} names no entity in this document")
                elif tail["label"] != RELATION_TAILS[label]:
                    problem(ent["_line"], f"{ent['text']!r}: {key}={ref} is a {tail['label']}, {label} needs {RELATION_TAILS[label]}")
                else:
                    relations.append({"head": ent["id"], "tail": tail["id"], "label": label})
    for ent in entities:
        del ent["_line"], ent["_rels"], ent["_ref"]
    meta = {k: v for k, v in header.items() if k != "id"}
    meta.setdefault("source", "written for kcnlp")
    rec = {"id": header["id"], "text": text, "meta": meta, "entities": entities, "relations": relations}
    return rec, problems


def _pairs(tokens: list[str]):
    for tok in tokens:
        key, eq, value = tok.partition("=")
        if not eq:
            raise ValueError(f"{tok!r} is not key=value")
        yield key, value


def _plain(s: str) -> str:
    return unicodedata.normalize("NFC", s.replace("<nbsp>", "\u00a0"))


def _entity(text, start, end, surface, label, attr_text, check_values):
    """One annotation as a SPEC entity dict, its #ref, its relation lists and its problems."""
    probs: list[str] = []
    if label not in LABELS:
        return None, None, [], [f"unknown label {label}"]
    if surface != surface.strip():
        probs.append("surface text has leading or trailing spaces")
    try:
        tokens = shlex.split(attr_text)
    except ValueError as exc:
        return None, None, [], [f"unreadable attributes: {exc}"]
    ref, attrs = None, {}
    for tok in tokens:
        if tok.startswith("#"):
            ref = tok[1:]
            continue
        key, eq, value = tok.partition("=")
        if not eq or key not in _ALLOWED[label]:
            probs.append(f"{tok!r} is not an attribute of {label} (allowed: #id, {', '.join(sorted(_ALLOWED[label])) or 'none'})")
            continue
        attrs[key] = value
    ent = {"id": None, "start": start, "end": end, "label": label, "text": surface}
    rels = []
    if label == "ACTIVITY":
        ent["category"] = attrs.get("cat")
        if ent["category"] not in CATEGORIES:
            probs.append(f"cat= must be one of {', '.join(CATEGORIES)}")
        rels = [(k, [r.lstrip("#") for r in attrs[k].split(",") if r]) for k in _REL_KEYS if k in attrs]
    elif label in ("MONEY", "QUANTITY"):
        ent.update(_number_fields(text, start, surface, label, attrs, probs, check_values))
    elif label == "DATE":
        ent["date_start"] = attrs.get("ds")
        ent["date_end"] = attrs.get("de") or attrs.get("ds")
        if not ent["date_start"]:
            probs.append("DATE needs ds=")
        elif check_values:
            parsed = parse_date(surface)
            got = (parsed.fields.get("date_start"), parsed.fields.get("date_end"))
            month = month_alone(surface)  # its year comes from the document
            if month is not None and ent["date_start"] == ent["date_end"] and ent["date_start"][4:] == f"-{month:02d}":
                got = (ent["date_start"], ent["date_end"])
            if got != (ent["date_start"], ent["date_end"]):
                probs.append(f"normalizer reads {got if parsed.ok else parsed.reason}, markup says {(ent['date_start'], ent['date_end'])}")
    return ent, ref, rels, probs


def _number_fields(text, start, surface, label, attrs, probs, check_values) -> dict:
    fields: dict = {}
    try:
        fields["value"] = _num(attrs["v"]) if "v" in attrs else None
        fields["value_max"] = _num(attrs["max"]) if "max" in attrs else None
    except ValueError as exc:
        probs.append(str(exc))
        return fields
    if fields["value"] is None:
        probs.append(f"{label} needs v=")
    fields["qualifier"] = attrs.get("q") or None
    if fields["qualifier"] not in QUALIFIERS:
        probs.append("q= must be over, under or about")
    parsed = parse_money(surface) if label == "MONEY" else parse_quantity(surface)
    if label == "MONEY":
        fields["unit"] = "VND"
        fields["per"] = attrs.get("per") or None
        fields["role"] = attrs.get("role")
        if fields["role"] not in ROLES:
            probs.append(f"role= must be one of {', '.join(ROLES)}")
    else:
        fields["unit"] = attrs.get("u") or parsed.fields.get("unit")
        if not fields["unit"]:
            probs.append(f"no unit: the normalizer says {parsed.reason}; give u=")
    if check_values:
        if not parsed.ok:
            probs.append(f"normalizer cannot read it ({parsed.reason})")
        else:
            keys = ("value", "value_max", "per") if label == "MONEY" else ("value", "value_max")
            for key in keys:
                if parsed.fields.get(key) != fields.get(key):
                    probs.append(f"{key}: normalizer reads {parsed.fields.get(key)!r}, markup says {fields.get(key)!r}")
        qual = qualifier_before(text, start)
        if qual != fields["qualifier"]:
            probs.append(f"qualifier: the words before read {qual!r}, markup says q={fields['qualifier']!r}")
    return fields


def _num(s: str) -> int | float:
    try:
        x = float(s)
    except ValueError:
        raise ValueError(f"{s!r} is not a number (write v=2170000000 or v=21.62)") from None
    return int(x) if x.is_integer() else x


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    if not paths:
        print("usage: python -m kcnlp.corpus.markup FILE.kc [...]", file=sys.stderr)
        return 2
    total_docs = total_problems = 0
    for p in paths:
        records, problems = compile_file(p)
        total_docs += len(records)
        total_problems += len(problems)
        for prob in problems:
            print(prob)
    print(f"{total_docs} documents, {total_problems} problems")
    return 1 if total_problems else 0


if __name__ == "__main__":
    sys.exit(main())
