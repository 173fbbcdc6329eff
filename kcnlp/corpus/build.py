"""Compile `corpus/src/*.kc` into `train.jsonl`, `dev.jsonl` and `test.jsonl`.

Splits are fixed by the document ids alone (a hash), stratified by article kind, about
70/15/15: adding a document never moves another one to a different split.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from ..io.jsonl import write_records
from .markup import Problem, compile_file

__all__ = ["build_corpus", "assign_splits", "SPLITS"]

SPLITS = ("train", "dev", "test")


def _rank(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()


def assign_splits(records: list[dict], dev: float = 0.15, test: float = 0.15) -> dict[str, list[dict]]:
    """Per kind, documents ordered by the hash of their id: the first `test` share goes to
    test, the next `dev` share to dev, the rest to train."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        by_kind[rec.get("meta", {}).get("kind", "")].append(rec)
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for kind in sorted(by_kind):
        docs = sorted(by_kind[kind], key=lambda r: _rank(r["id"]))
        n_test = round(len(docs) * test)
        n_dev = round(len(docs) * dev)
        out["test"] += docs[:n_test]
        out["dev"] += docs[n_test:n_test + n_dev]
        out["train"] += docs[n_test + n_dev:]
    for split in out.values():
        split.sort(key=lambda r: r["id"])
    return out


def build_corpus(src: str | Path = "corpus/src", out: str | Path = "corpus") -> tuple[dict[str, int], list[Problem]]:
    """Compile every .kc file and write the splits; returns counts per split and problems.
    Nothing is written when any file has a problem."""
    records, problems = [], []
    for path in sorted(Path(src).glob("*.kc")):
        recs, probs = compile_file(path)
        for r in recs:
            r["meta"]["batch"] = path.stem
        records += recs
        problems += probs
    seen: set[str] = set()
    for r in records:
        if r["id"] in seen:
            problems.append(Problem(str(src), 0, f"document id {r['id']!r} is used in two files"))
        seen.add(r["id"])
    if problems:
        return {}, problems
    splits = assign_splits(records)
    Path(out).mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, recs in splits.items():
        counts[name] = write_records(recs, Path(out) / f"{name}.jsonl")
    return counts, []
