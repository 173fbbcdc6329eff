"""Corpus statistics: the table in corpus/README.md, with the minimums of issue #3."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..io.jsonl import read_records
from ..pipeline.places import place_kinds
from ..schema import CATEGORIES, RELATION_TAILS, ROLES
from .validate import jsonl_files

__all__ = ["corpus_stats", "format_stats", "MINIMUMS", "SURFACE_FORMS"]

#: what the corpus must reach (issue #3)
MINIMUMS = {"documents": 200, "provinces": 40, "category": 40, "role": 30, "relation": 100, "distractors": 20}


_N = r"(?<![\w.,])"  # a number starts here, not inside another one
#: the number forms, spellings and page noise of ../shared/GENRE.md, each to appear at least once
SURFACE_FORMS = {
    "number: dot grouping (2.760)": rf"{_N}\d{{1,3}}(?:\.\d{{3}})+(?![\d.,])",
    "number: grouping and decimal comma (20.253,331)": rf"{_N}\d{{1,3}}(?:\.\d{{3}})+,\d+",
    "number: decimal comma (3,37)": rf"{_N}\d+,\d{{1,2}}(?!\d)",
    "number: English decimal point (4.9)": rf"{_N}\d+\.\d(?!\d)",
    "number: English comma grouping (1,200)": rf"{_N}\d{{1,3}},\d{{3}}(?![\d,])",
    "number: leading zero (04 đề án)": rf"{_N}0\d\s+\w",
    "number: in words (hai tỷ đồng)": r"(?i)\b(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s+(?:nghìn|ngàn|triệu|tỷ|tỉ)\b",
    "money: two scales (1 tỷ 200 triệu)": r"\d\s*(?:tỷ|tỉ)\s+\d+\s*triệu",
    "money: đ": r"\d\s*đ(?!\w)",
    "money: VNĐ / VND": r"\d\s*(?:VNĐ|VND)\b",
    "money: tr / tr.đ": r"\d\s*tr(?:\.đ|đ)?(?!\w)",
    "money: tỉ": r"\d\s*tỉ\b",
    "money: ngàn": r"\d\s*ngàn\b",
    "range (3 - 5, từ 2 đến 3)": r"\d\s*(?:-|–|đến)\s*\d",
    "rate (/tháng, /người/tháng)": r"\d\s*\w*\s*/\s*(?:người|tháng|năm|ngày|ha|tấn|kg|m2)",
    "qualifier (trên, hơn, gần, khoảng, ước, xấp xỉ, tối đa)": r"(?i)\b(?:trên|hơn|gần|khoảng|ước tính|ước|xấp xỉ|tối đa)\s+\d",
    "count with lượt": r"\d\s+lượt\b",
    "noise: non-breaking space": "\u00a0",
    "noise: double space": r"\S  +\S",
    "noise: caption (Ảnh: …)": r"(?i)\bảnh\s*:",
    "noise: byline / Nguồn / Sưu tầm": r"(?i)(?:nguồn|sưu tầm|theo)\s*:",
    "noise: old-style tone marks (hoà, thuỷ)": r"(?:oà|oá|oả|oã|oạ|uỷ|uý|uỳ|uỹ|uỵ|oè|oé|oẻ|oẽ|oẹ)(?!\w)",
    "noise: no space after punctuation": r"\w[,.;:](?=[^\W\d_])",
}
_SURFACE_RE = {name: re.compile(rx) for name, rx in SURFACE_FORMS.items()}


def corpus_stats(path: str | Path) -> dict:
    s: dict = {"files": {}, "kinds": Counter(), "labels": Counter(), "categories": Counter(), "roles": Counter(),
               "relations": Counter(), "provinces": set(), "lengths": [], "paragraphs": [], "surface": Counter(),
               "old_names": set(), "post_merger_docs": 0, "post_merger_provinces": set()}
    kinds = place_kinds()
    for f in jsonl_files(path):
        n_docs = 0
        for _, rec in read_records(f):
            n_docs += 1
            meta = rec.get("meta") or {}
            s["kinds"][meta.get("kind", "?")] += 1
            if meta.get("province"):
                s["provinces"].add(meta["province"])
                if kinds.get(meta["province"]) == "province63":
                    s["old_names"].add(meta["province"])
                if str(meta.get("date", "")) >= "2025-07":
                    s["post_merger_docs"] += 1
                    s["post_merger_provinces"].add(meta["province"])
            for name, rx in _SURFACE_RE.items():
                s["surface"][name] += len(rx.findall(rec["text"]))
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


def format_stats(s: dict, minimums: bool = True) -> str:
    """A Markdown table; with `minimums` (the whole corpus), each minimum is marked ✓ or ✗ —
    they mean nothing for one split or a file of your own, which get two columns."""
    table = _rows(s)
    if minimums:
        return table
    head, _, *rows = table.split("\n")
    return "\n".join(["| what | count |", "|---|---|"] + [row.rsplit(" | ", 1)[0] + " |" for row in rows])


def _rows(s: dict) -> str:
    def mark(value, minimum):
        return "✓" if value >= minimum else f"✗ (min {minimum})"

    lines = ["| what | count | minimum |", "|---|---|---|"]
    lines.append(f"| documents | {s['documents']} | {mark(s['documents'], MINIMUMS['documents'])} |")
    for name, n in s["files"].items():
        lines.append(f"| · {name} | {n} | |")
    lines.append(f"| provinces (meta) | {len(s['provinces'])} | {mark(len(s['provinces']), MINIMUMS['provinces'])} |")
    lines.append(f"| · provinces abolished by the 2025 merger (pre-2025 names) | {len(s['old_names'])} | {mark(len(s['old_names']), 1)} |")
    lines.append(f"| · documents dated July 2025 or later (post-merger names), in provinces | {s['post_merger_docs']}, {len(s['post_merger_provinces'])} | {mark(s['post_merger_docs'], 1)} |")
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
    for name in SURFACE_FORMS:
        n = s["surface"].get(name, 0)
        lines.append(f"| {name} | {n} | {mark(n, 1)} |")
    return "\n".join(lines)
