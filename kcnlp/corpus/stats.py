"""Corpus statistics: the table in corpus/README.md, with the minimums of issue #3."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..jsonl import read_records
from ..schema import CATEGORIES, RELATION_TAILS, ROLES
from .validate import jsonl_files

__all__ = ["corpus_stats", "format_stats", "MINIMUMS"]

#: what the corpus must reach (issue #3)
MINIMUMS = {"documents": 200, "provinces": 40, "category": 40, "role": 30, "relation": 100, "distractors": 20}


def corpus_stats(path: str | Path) -> dict:
    s: dict = {"files": {}, "kinds": Counter(), "labels": Counter(), "categories": Counter(), "roles": Counter(),
               "relations": Counter(), "provinces": set(), "lengths": [], "paragraphs": []}
    for f in jsonl_files(path):
        n_docs = 0
        for _, rec in read_records(f):
            n_docs += 1
            meta = rec.get("meta") or {}
            s["kinds"][meta.get("kind", "?")] += 1
            if meta.get("province"):
                s["provinces"].add(meta["province"])
            s["lengths"].append(len(rec["text"]))
            s["paragraphs"].append(sum(1 for p in rec["text"].split("\n") if p.strip()))
            for e in rec["entities"]:
                s["labels"][e["label"]] += 1
                if e["label"] == "ACTIVITY":
                    s["categories"][e.get("category")] += 1
                if e["label"] == "MONEY":
                    s["roles"][e.get("role")] += 1
            for r in rec.get("relations", []):
                s["relations"][r["label"]] += 1
        s["files"][f.name] = n_docs
    s["documents"] = sum(s["files"].values())
    return s


def format_stats(s: dict) -> str:
    """A Markdown table; each minimum is marked ✓ or ✗."""
    def mark(value, minimum):
        return "✓" if value >= minimum else f"✗ (min {minimum})"

    lines = ["| what | count | minimum |", "|---|---|---|"]
    lines.append(f"| documents | {s['documents']} | {mark(s['documents'], MINIMUMS['documents'])} |")
    for name, n in s["files"].items():
        lines.append(f"| · {name} | {n} | |")
    lines.append(f"| provinces (meta) | {len(s['provinces'])} | {mark(len(s['provinces']), MINIMUMS['provinces'])} |")
    lines.append(f"| distractor documents | {s['kinds'].get('distractor', 0)} | {mark(s['kinds'].get('distractor', 0), MINIMUMS['distractors'])} |")
    for kind, n in sorted(s["kinds"].items()):
        lines.append(f"| kind {kind} | {n} | |")
    if s["lengths"]:
        lines.append(f"| characters per document (min / median / max) | {min(s['lengths'])} / {sorted(s['lengths'])[len(s['lengths']) // 2]} / {max(s['lengths'])} | |")
        lines.append(f"| paragraphs per document (min / max) | {min(s['paragraphs'])} / {max(s['paragraphs'])} | |")
    for label, n in sorted(s["labels"].items()):
        lines.append(f"| entities {label} | {n} | |")
    for cat in CATEGORIES:
        n = s["categories"].get(cat, 0)
        lines.append(f"| ACTIVITY {cat} | {n} | {mark(n, MINIMUMS['category'])} |")
    for role in ROLES:
        n = s["roles"].get(role, 0)
        lines.append(f"| MONEY role {role} | {n} | {mark(n, MINIMUMS['role'])} |")
    for rel in RELATION_TAILS:
        n = s["relations"].get(rel, 0)
        lines.append(f"| relation {rel} | {n} | {mark(n, MINIMUMS['relation'])} |")
    return "\n".join(lines)
