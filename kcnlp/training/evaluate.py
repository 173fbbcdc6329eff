"""`kcnlp evaluate`: run a model over gold records and report SPEC §6 scores, confusion
matrices and errors in context (Markdown or JSON)."""
from __future__ import annotations

import json
from pathlib import Path

from .scoring import ERROR_CLASSES, score_records

__all__ = ["predict_records", "evaluate", "render_markdown", "error_summary"]


def predict_records(nlp, records: list[dict]) -> dict[str, dict]:
    """{id: predicted record} for gold records (only their text is used)."""
    from ..pipeline.build import doc_to_document

    out = {}
    for rec, doc in zip(records, nlp.pipe(r["text"] for r in records)):
        out[rec["id"]] = {**doc_to_document(doc).to_dict(), "id": rec["id"]}
    return out


def evaluate(nlp, records: list[dict]) -> tuple[dict, list[dict], dict[str, dict]]:
    """(scores, errors with context, predictions)."""
    gold = {r["id"]: r for r in records}
    pred = predict_records(nlp, records)
    errors: list[dict] = []
    scores = score_records(gold, pred, errors)
    for err in errors:
        text = gold[err["doc"]]["text"]
        inside = text[err["start"]:err["end"]]
        if len(inside) > 160:  # a relation whose head and tail are far apart
            inside = inside[:70] + " … " + inside[-70:]
        err["context"] = (text[max(0, err["start"] - 40):err["start"]] + "[" + inside + "]"
                          + text[err["end"]:err["end"] + 40]).replace("\n", " ")
    return scores, errors, pred


def _row(name: str, prf: dict) -> str:
    return f"| {name} | {prf['p']:.3f} | {prf['r']:.3f} | {prf['f']:.3f} | {prf['gold']} |"


def _confusion(pairs: dict[str, int], title: str) -> list[str]:
    if not pairs:
        return []
    gold_labels = sorted({k.split("→")[0] for k in pairs})
    pred_labels = sorted({k.split("→")[1] for k in pairs})
    lines = [f"### {title} (rows gold, columns predicted)", "", "| gold \\ pred | " + " | ".join(pred_labels) + " |",
             "|---" * (len(pred_labels) + 1) + "|"]
    for g in gold_labels:
        lines.append(f"| {g} | " + " | ".join(str(pairs.get(f"{g}→{p}", "")) for p in pred_labels) + " |")
    return lines + [""]


def render_markdown(scores: dict, errors: list[dict], n_errors: int = 20, title: str = "kcnlp evaluation") -> str:
    lines = [f"# {title}", "", f"{scores['documents']} documents.", "", "| what | P | R | F1 | gold |", "|---|---|---|---|---|",
             _row("entities (headline, ACTIVITY lenient)", scores["entities"]),
             _row("entities, all strict", scores["entities_strict"])]
    for label, prf in scores["per_label"].items():
        lines.append(_row(f"{label}" + (" (lenient)" if label == "ACTIVITY" else ""), prf))
    lines.append(_row("ACTIVITY (strict)", scores["per_label_strict"].get("ACTIVITY", {"p": 0, "r": 0, "f": 0, "gold": 0})))
    lines.append(_row("relations", scores["relations"]))
    for label, prf in scores["relations_per_label"].items():
        lines.append(_row(f"relation {label}", prf))
    lines.append(_row("events (exact)", scores["events_exact"]))
    lines += ["", f"Values correct: {scores['values']['accuracy']:.3f} of {scores['values']['n']} matched MONEY/QUANTITY; "
              f"money roles correct: {scores['roles']['accuracy']:.3f} of {scores['roles']['n']}.", "",
              f"Funding figures: {scores['funding']['events_correct']} of {scores['funding']['events']} gold events with "
              f"money have the same state / counterpart / total ({scores['funding']['accuracy']:.3f}); "
              f"{scores['funding']['checks_reproduced']} of {scores['funding']['checks']} funding checks reproduced.", ""]
    lines += _confusion(scores["category_confusion"], "ACTIVITY categories")
    lines += _confusion(scores["role_confusion"], "MONEY roles")
    lines += _errors_by_class(errors, n_errors)
    return "\n".join(lines) + "\n"


def error_summary(errors: list[dict]) -> list[tuple[str, int, int, int]]:
    """(class, false positives, false negatives, other) per error class, in `ERROR_CLASSES` order;
    "other" counts role and value errors on matched entities."""
    rows = []
    for cls in ERROR_CLASSES:
        mine = [e for e in errors if e.get("class") == cls]
        if mine:
            fp = sum(e["kind"] == "FP" for e in mine)
            fn = sum(e["kind"] == "FN" for e in mine)
            rows.append((cls, fp, fn, len(mine) - fp - fn))
    return rows


def _errors_by_class(errors: list[dict], n_errors: int) -> list[str]:
    """The error classes with their counts, then the first `n_errors` of each class in context."""
    if not errors:
        return []
    lines = ["### Errors by class", "", "| class | FP | FN | on matched entities | total |", "|---|---|---|---|---|"]
    for cls, fp, fn, other in error_summary(errors):
        lines.append(f"| {cls} | {fp} | {fn} | {other} | {fp + fn + other} |")
    lines.append("")
    for cls, *_ in error_summary(errors) if n_errors else []:
        mine = [e for e in errors if e.get("class") == cls]
        lines += [f"#### {cls}: first {min(n_errors, len(mine))} of {len(mine)}", "",
                  "| doc | kind | label | what | in context |", "|---|---|---|---|---|"]
        for e in mine[:n_errors]:
            if e.get("relation"):
                what = f"{e['head']} → {e['tail']}"
            elif "gold" in e:
                what = f"gold {e['gold']}, predicted {e['pred']}"
            else:
                what = e.get("category") or ""
            lines.append(f"| {e['doc']} | {e['kind']} | {e['label']} | {str(what).replace('|', '/')} | {e['context'].replace('|', '/')} |")
        lines.append("")
    return lines


def _first_of_each_class(errors: list[dict], n: int) -> list[dict]:
    """The first n errors of each class (all when n is 0)."""
    if not n:
        return errors
    return [e for cls in ERROR_CLASSES for e in [x for x in errors if x.get("class") == cls][:n]]


def write_report(scores: dict, errors: list[dict], path: str | Path, n_errors: int = 20) -> None:
    path = Path(path)
    if path.suffix == ".json":
        path.write_text(json.dumps({"scores": scores, "error_classes": {c: {"fp": fp, "fn": fn, "matched": o} for c, fp, fn, o in error_summary(errors)},
                                    "errors": _first_of_each_class(errors, n_errors)}, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        path.write_text(render_markdown(scores, errors, n_errors), encoding="utf-8")
