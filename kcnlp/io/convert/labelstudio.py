"""Label Studio JSON export (a list of tasks) <-> kcnlp records. Lossless both ways.

A task carries the article in `data.text` (and the kcnlp id and meta in `data.id`,
`data.meta`). In its annotation's `result`, each entity is one region and its fields ride
on results with the same region id, as Label Studio writes per-region controls:

- `labels` (from_name "label"): `value.start`, `value.end`, `value.text`, `value.labels` [LABEL]
- `choices` (from_name "category" or "role"): `value.choices` [TRAINING] or [local]
- `textarea` (from_name "fields"): `value.text` [a JSON object of the other fields, such as
  {"value": 3370000000, "value_max": null, "unit": "VND", "qualifier": null, "per": null}]
- `relation`: `from_id` (the ACTIVITY), `to_id`, `labels` [FUNDING]; direction "left" reverses it

`LABEL_CONFIG` is a labeling config that produces exactly this. Region ids are the kcnlp
entity ids and are kept on import. On import a task's first annotation that is not
cancelled is read; later annotations and all predictions are counted and ignored; a
choice is read as category or role by its value, whatever its from_name. Entities
without a "fields" textarea get their value fields from the normalizer.
"""
from __future__ import annotations

import json
from pathlib import Path

from ...errors import RecordError
from ...schema import CATEGORIES, LABELS, RELATION_TAILS, ROLES
from .records import Attr, Item, Link, Span, build_record, count_written, entity_attrs
from .report import Report

__all__ = ["LABEL_CONFIG", "from_tasks", "read", "to_tasks", "write"]

LABEL_CONFIG = "\n".join([
    "<View>",
    '  <Relations>' + "".join(f'<Relation value="{r}"/>' for r in RELATION_TAILS) + "</Relations>",
    '  <Labels name="label" toName="text">' + "".join(f'<Label value="{x}"/>' for x in LABELS) + "</Labels>",
    '  <Text name="text" value="$text"/>',
    '  <Choices name="category" toName="text" perRegion="true" visibleWhen="region-selected" whenLabelValue="ACTIVITY">'
    + "".join(f'<Choice value="{c}"/>' for c in CATEGORIES) + "</Choices>",
    '  <Choices name="role" toName="text" perRegion="true" visibleWhen="region-selected" whenLabelValue="MONEY">'
    + "".join(f'<Choice value="{r}"/>' for r in ROLES) + "</Choices>",
    '  <TextArea name="fields" toName="text" perRegion="true" visibleWhen="region-selected"/>',
    "</View>",
])


def to_tasks(items: list[Item], report: Report, predictions: bool = False) -> list[dict]:
    """Label Studio tasks, one per record, the record's annotations as one annotation — or, with
    `predictions`, as one prediction (kcnlp's output for a person to correct: each region and
    relation with the classifier's `score` where it gave one, the task scored by its weakest)."""
    from ... import __version__

    tasks = []
    for n, (_, rec) in enumerate(items, 1):
        result = []
        for e in rec["entities"]:
            region = {"start": e["start"], "end": e["end"]}
            result.append(_result(e["id"], "label", "labels", {**region, "text": e["text"], "labels": [e["label"]]},
                                  e.get("confidence") if predictions else None))
            fields = {k: v for k, v in entity_attrs(e).items() if k not in ("confidence", "source")}
            for key, allowed in (("category", CATEGORIES), ("role", ROLES)):
                if fields.get(key) in allowed:
                    result.append(_result(e["id"], key, "choices", {**region, "text": e["text"], "choices": [fields.pop(key)]}))
            if fields:
                result.append(_result(e["id"], "fields", "textarea", {**region, "text": [json.dumps(fields, ensure_ascii=False)]}))
        for r in rec["relations"]:
            link = {"from_id": r["head"], "to_id": r["tail"], "type": "relation", "direction": "right", "labels": [r["label"]]}
            if predictions and r.get("confidence") is not None:
                link["score"] = r["confidence"]
            result.append(link)
        task = {"id": n, "data": {"text": rec["text"], "id": rec["id"], "meta": rec["meta"]}, "annotations": [], "predictions": []}
        if predictions:
            scores = [x["score"] for x in result if "score" in x]
            task["predictions"] = [{"model_version": f"kcnlp {__version__}", "result": result,
                                    **({"score": min(scores)} if scores else {})}]
        else:
            task["annotations"] = [{"id": n, "result": result, "was_cancelled": False, "ground_truth": False}]
        tasks.append(task)
        count_written(report, rec)
    return tasks


def _result(region_id: str, from_name: str, kind: str, value: dict, score: float | None = None) -> dict:
    out = {"id": region_id, "from_name": from_name, "to_name": "text", "type": kind,
           "origin": "prediction" if score is not None else "manual", "value": value}
    if score is not None:
        out["score"] = score
    return out


def write(items: list[Item], path: str | Path, report: Report, predictions: bool = False) -> None:
    tasks = to_tasks(items, report, predictions)
    Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read(path: str | Path, report: Report) -> list[Item]:
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordError("E105", f"cannot open {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RecordError("E107", f"{path} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise RecordError("E106", f"not valid JSON ({exc.msg} at column {exc.colno})", str(path), exc.lineno) from None
    return from_tasks(tasks, report, str(path))


def from_tasks(tasks: list, report: Report, source: str = "<tasks>") -> list[Item]:
    """Records from Label Studio tasks (the parsed JSON export)."""
    if not isinstance(tasks, list):
        raise RecordError("E110", f"{source}: a Label Studio export is a JSON list of tasks, got a {type(tasks).__name__}; "
                                  "export with 'JSON', not 'JSON-MIN' or CSV")
    items = []
    for n, task in enumerate(tasks, 1):
        tid = task.get("id", n) if isinstance(task, dict) else n
        where = f"{source} task {tid}"
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise RecordError("E111", f"{where}: no string data.text; kcnlp reads Text tasks whose value is $text")
        report.read["documents"] += 1
        report.note("predictions ignored (only annotations are read)", len(task.get("predictions") or []))
        annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
        live = [a for a in annotations if not a.get("was_cancelled")]
        report.note("cancelled annotations ignored", len(annotations) - len(live))
        report.note("later annotations of a task ignored (the first one not cancelled is read)", max(0, len(live) - 1))
        if not live:
            report.skip(where, "documents", "the task", "no annotation that is not cancelled")
            continue
        spans, links, attrs = _parse_results(live[0].get("result") or [], where, report)
        doc_id = data.get("id") if isinstance(data.get("id"), (str, int)) and data.get("id") != "" else f"task-{tid}"
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        items.append((where, build_record(str(doc_id), data["text"], meta, spans, links, attrs, where, report)))
    return items


def _parse_results(results: list, where: str, report: Report) -> tuple[list[Span], list[Link], list[Attr]]:
    spans, links, attrs = [], [], []
    regions = {str(r.get("id")) for r in results if isinstance(r, dict) and r.get("type") == "labels"}
    for r in results:
        if not isinstance(r, dict):
            report.read["attributes"] += 1
            report.skip(where, "attributes", f"result {r!r}", "a result must be a JSON object")
            continue
        kind, rid = r.get("type"), str(r.get("id"))
        value = r["value"] if isinstance(r.get("value"), dict) else {}
        at = f"{where} region {rid}"
        if kind == "labels":
            report.read["entities"] += 1
            labels = value.get("labels") or []
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                problem, labels = f"'labels' must be a list of label names, not {labels!r}", []
            else:
                problem = f"{len(labels)} labels {labels}; a kcnlp entity has one" if len(labels) != 1 else None
            spans.append(Span(rid, value.get("start"), value.get("end"), labels[0] if labels else None, at, value.get("text"), problem))
            report.note("region notes (meta) ignored", int(bool(r.get("meta"))))
        elif kind == "relation":
            report.read["relations"] += 1
            labels = r.get("labels") or []
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                labels = [labels]  # reported below as not one label name
            head, tail = str(r.get("from_id")), str(r.get("to_id"))
            if r.get("direction") == "left":
                head, tail = tail, head
            if len(labels) != 1:
                report.skip(where, "relations", f"relation {head} -> {tail}", f"{len(labels)} labels {labels}; a kcnlp relation has one")
                continue
            links.append(Link(head, tail, labels[0], where))
        elif kind == "choices" and rid in regions:
            report.read["attributes"] += 1
            choices = value.get("choices") or []
            if len(choices) != 1 or choices[0] not in CATEGORIES + ROLES:
                report.skip(at, "attributes", f"choices {choices}", "not one category or role")
                continue
            attrs.append(Attr(rid, "category" if choices[0] in CATEGORIES else "role", choices[0], at))
        elif kind == "textarea" and rid in regions:
            texts = value.get("text") or []
            try:
                fields = json.loads(texts[0]) if len(texts) == 1 else None
            except (json.JSONDecodeError, TypeError):
                fields = None
            if not isinstance(fields, dict):
                report.read["attributes"] += 1
                report.skip(at, "attributes", f"textarea {texts!r}", 'not one JSON object of value fields ({"value": …, "unit": …})')
                continue
            report.read["attributes"] += len(fields)
            attrs += [Attr(rid, k, v, at) for k, v in fields.items()]
        else:
            report.read["attributes"] += 1
            why = f"unsupported result type {kind!r}" if rid in regions or kind not in ("choices", "textarea") else "not attached to a labelled region"
            report.skip(at, "attributes", f"{kind} result", why)
    return spans, links, attrs
