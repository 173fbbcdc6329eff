"""Inter-annotator agreement: two independent annotations of the same documents, scored
against each other with the SPEC §6 scoring (pass A as gold, pass B as prediction; F1 is
symmetric, so the order does not change it)."""
from __future__ import annotations

from pathlib import Path

from ..errors import RecordError
from ..training.scoring import score_records
from .markup import compile_file

__all__ = ["agreement", "format_agreement", "kc_files"]


def kc_files(path: str | Path) -> list[Path]:
    """A .kc file, or the .kc files of a folder."""
    path = Path(path)
    files = sorted(path.glob("*.kc")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise RecordError("E313", f"{path}: no .kc file there")
    return files


def _records(path: str | Path) -> dict[str, dict]:
    recs, problems = compile_file(str(path))
    if problems:
        raise RecordError("E310", f"{path} does not compile ({len(problems)} problems; first: {problems[0]})")
    return {r["id"]: r for r in recs}


def agreement(first: list[str | Path], second: list[str | Path]) -> dict:
    """Scores of the second pass against the first over the documents both contain; the
    texts must be identical (a second annotator adds markup, never edits the text)."""
    a = {k: v for p in first for k, v in _records(p).items()}
    b = {k: v for p in second for k, v in _records(p).items()}
    shared = sorted(set(a) & set(b))
    if not shared:
        raise RecordError("E311", "the two passes have no document id in common")
    for doc_id in shared:
        if a[doc_id]["text"] != b[doc_id]["text"]:
            raise RecordError("E312", f"document {doc_id}: the two passes have different texts")
    scores = score_records({k: a[k] for k in shared}, {k: b[k] for k in shared})
    return {"documents": len(shared), "only_first": len(set(a) - set(b)), "only_second": len(set(b) - set(a)),
            "scores": scores}


def format_agreement(result: dict) -> str:
    s = result["scores"]
    lines = [f"documents annotated twice: {result['documents']}", "",
             "| figure | P | R | F1 |", "|---|---|---|---|"]

    def row(name, prf):
        lines.append(f"| {name} | {prf['p']:.3f} | {prf['r']:.3f} | {prf['f']:.3f} |")

    row("entities (headline)", s["entities"])
    row("entities, strict", s["entities_strict"])
    for label, prf in s["per_label"].items():
        row(f"  {label}", prf)
    row("relations", s["relations"])
    for label, prf in s["relations_per_label"].items():
        row(f"  {label}", prf)
    row("events (exact)", s["events_exact"])
    lines.append(f"| values equal on matched MONEY/QUANTITY | {s['values']['accuracy']:.3f} | | n={s['values']['n']} |")
    lines.append(f"| money roles equal | {s['roles']['accuracy']:.3f} | | n={s['roles']['n']} |")
    return "\n".join(lines)
