"""brat standoff (a folder with NAME.txt + NAME.ann per document) <-> kcnlp records. Lossless
for kcnlp records; brat's discontinuous spans, events and normalizations are not read.

- `T1<TAB>MONEY 120 132<TAB>3,37 tỷ đồng`: an entity (line breaks in the span text as spaces)
- `R1<TAB>FUNDING Arg1:T2 Arg2:T1`: a relation, Arg1 the ACTIVITY
- `A1<TAB>category T2 TRAINING`, `A2<TAB>role T1 local`: category and role
- `#1<TAB>AnnotatorNotes T1<TAB>{"value": 3370000000, …}`: the other fields as a JSON object

Entity ids of the form T<n> are kept, other ids are renamed T1, T2 … in text order. Document
ids and meta go to `kcnlp.io.jsonl` beside the files (brat ignores it); without it a document's
id is its file name and its meta is empty. `annotation.conf` declares the labels, relations
and attributes for brat. Offsets are str indices into the .txt read without newline
translation; entities without an AnnotatorNotes JSON get value fields from the normalizer.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ...errors import RecordError
from ...schema import CATEGORIES, LABELS, RELATION_TAILS, ROLES
from ..jsonl import read_records
from .records import Attr, Item, Link, Span, build_record, count_written, entity_attrs
from .report import Report

__all__ = ["annotation_conf", "read", "write"]

SIDECAR = "kcnlp.io.jsonl"
_T = re.compile(r"(T\S*)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")
_R = re.compile(r"(R\S*)\t(\S+) (\S+:\S+) (\S+:\S+)\s*")
_A = re.compile(r"([AM]\S*)\t(\S+) (\S+)(?: (\S+))?\s*")
_NOTE = re.compile(r"(#\S*)\t(\S+) (\S+)\t(.*)")
_ATTRS = {"category": CATEGORIES, "role": ROLES}


def annotation_conf() -> str:
    return "\n".join([
        "[entities]", *LABELS,
        "[relations]", *(f"{r} Arg1:ACTIVITY, Arg2:{t}" for r, t in RELATION_TAILS.items()),
        "<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "[events]",
        "[attributes]", f"category Arg:ACTIVITY, Value:{'|'.join(CATEGORIES)}", f"role Arg:MONEY, Value:{'|'.join(ROLES)}",
    ]) + "\n"


def write(items: list[Item], path: str | Path, report: Report) -> None:
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise RecordError("E113", f"brat output goes to a folder; {folder} is a file")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "annotation.conf").write_text(annotation_conf(), encoding="utf-8")
    names: set[str] = set()
    with (folder / SIDECAR).open("w", encoding="utf-8", newline="\n") as sidecar:
        for k, (_, rec) in enumerate(items, 1):
            name = re.sub(r"[^\w.-]", "_", rec["id"]).strip(".") or f"doc{k}"
            while name in names:
                name += f"_{k}"
            names.add(name)
            (folder / f"{name}.txt").write_text(rec["text"], encoding="utf-8", newline="")
            (folder / f"{name}.ann").write_text(_ann(rec, report), encoding="utf-8", newline="")
            sidecar.write(json.dumps({"file": name, "id": rec["id"], "meta": rec["meta"]}, ensure_ascii=False) + "\n")
            count_written(report, rec)


def _ann(rec: dict, report: Report) -> str:
    ents = rec["entities"]
    keep = all(re.fullmatch(r"T\d+", e["id"]) for e in ents)
    tid = {e["id"]: e["id"] if keep else f"T{k}" for k, e in enumerate(sorted(ents, key=lambda e: e["start"]), 1)}
    report.note("documents whose entity ids were renamed T1, T2 … for brat", int(not keep and bool(ents)))
    lines, attr_lines = [], []
    for e in ents:
        t = tid[e["id"]]
        lines.append(f"{t}\t{e['label']} {e['start']} {e['end']}\t{e['text'].replace(chr(10), ' ')}")
        fields = entity_attrs(e)
        for key, allowed in _ATTRS.items():
            if fields.get(key) in allowed:
                attr_lines.append(f"A{len(attr_lines) + 1}\t{key} {t} {fields.pop(key)}")
        if fields:
            attr_lines.append(f"#{len(attr_lines) + 1}\tAnnotatorNotes {t}\t{json.dumps(fields, ensure_ascii=False)}")
    lines += [f"R{k}\t{r['label']} Arg1:{tid[r['head']]} Arg2:{tid[r['tail']]}" for k, r in enumerate(rec["relations"], 1)]
    return "\n".join(lines + attr_lines) + "\n" if lines else ""


def read(path: str | Path, report: Report) -> list[Item]:
    folder = Path(path)
    if not folder.is_dir():
        raise RecordError("E114", f"brat input is a folder of .txt and .ann files; {folder} is not a folder")
    sidecar = {}
    if (folder / SIDECAR).is_file():
        for n, entry in read_records(folder / SIDECAR):
            if "file" not in entry:
                raise RecordError("E104", "a kcnlp.io.jsonl line needs 'file', 'id' and 'meta'", str(folder / SIDECAR), n)
            sidecar[entry["file"]] = entry
    items = []
    order = {name: k for k, name in enumerate(sidecar)}  # the order they were written in, else by name
    named = {txt.relative_to(folder).with_suffix("").as_posix(): txt for txt in folder.rglob("*.txt") if txt.is_file()}
    for ann in sorted(folder.rglob("*.ann")):
        if ann.relative_to(folder).with_suffix("").as_posix() not in named:
            report.read["documents"] += 1
            report.skip(str(ann), "documents", ann.name, f"no {ann.with_suffix('.txt').name} beside it: the annotations have no text")
    for name in sorted(named, key=lambda name: (order.get(name, len(order)), name)):
        txt = named[name]
        ann = txt.with_suffix(".ann")
        try:
            text = _read_exact(txt)
            lines = _read_exact(ann).split("\n") if ann.is_file() else []
        except UnicodeDecodeError as exc:
            raise RecordError("E107", f"{txt} or its .ann is not UTF-8 ({exc.reason} at byte {exc.start})") from None
        report.read["documents"] += 1
        report.note("documents without an .ann file (read with no annotations)", int(not ann.is_file()))
        spans, links, attrs = _parse_ann(lines, str(ann), report)
        entry = sidecar.get(name, {})
        rec = build_record(entry.get("id", name), text, entry.get("meta", {}), spans, links, attrs, str(ann), report)
        items.append((str(txt), rec))
    return items


def _read_exact(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as f:  # no newline translation: offsets count \r
        return f.read()


def _parse_ann(lines: list[str], ann: str, report: Report) -> tuple[list[Span], list[Link], list[Attr]]:
    spans, links, attrs = [], [], []
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        where = f"{ann}:{n}"
        if not line.strip():
            continue
        kind = line[0]
        if kind == "T" and (m := _T.fullmatch(line)):
            report.read["entities"] += 1
            tid, label, offsets, text = m.groups()
            if ";" in offsets:
                spans.append(Span(tid, None, None, label, where, text, problem=f"discontinuous span {offsets!r}"))
                continue
            start, end = map(int, offsets.split())
            spans.append(Span(tid, start, end, label, where, text))
        elif kind == "R" and (m := _R.fullmatch(line)):
            report.read["relations"] += 1
            rid, label, *args = m.groups()
            roles = dict(a.split(":", 1) for a in args)
            if set(roles) != {"Arg1", "Arg2"}:
                report.skip(where, "relations", f"relation {rid} {label}", f"arguments {sorted(roles)}, expected Arg1 and Arg2")
                continue
            links.append(Link(roles["Arg1"], roles["Arg2"], label, where))
        elif kind in "AM" and (m := _A.fullmatch(line)):
            report.read["attributes"] += 1
            aid, name, target, value = m.groups()
            if name not in _ATTRS or value is None:
                report.skip(where, "attributes", f"attribute {aid} {name}", "kcnlp reads the attributes 'category VALUE' and 'role VALUE' only")
                continue
            attrs.append(Attr(target, name, value, where))
        elif kind == "#" and (m := _NOTE.fullmatch(line)):
            _, note_type, target, note = m.groups()
            try:
                fields = json.loads(note)
            except json.JSONDecodeError:
                fields = None
            if note_type != "AnnotatorNotes" or not isinstance(fields, dict):
                report.read["attributes"] += 1
                report.skip(where, "attributes", f"note on {target} {note!r}", "not an AnnotatorNotes JSON object of value fields")
                continue
            report.read["attributes"] += len(fields)
            attrs += [Attr(target, k, v, where) for k, v in fields.items()]
        elif kind == "E":
            report.read["relations"] += 1
            report.skip(where, "relations", f"event {line.split(chr(9))[0]}", "brat events are not read: link an ACTIVITY with relations")
        elif kind == "*":
            report.read["relations"] += 1
            report.skip(where, "relations", "equivalence", "brat equivalences are not read")
        elif kind == "N":
            report.read["attributes"] += 1
            report.skip(where, "attributes", f"normalization {line.split(chr(9))[0]}", "brat normalizations are not read")
        else:
            raise RecordError("E112", f"not a brat standoff line: {line[:60]!r}", ann, n)
    return spans, links, attrs
