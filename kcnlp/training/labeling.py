"""The labeling loop: which articles a person should label next, and Label Studio tasks
pre-annotated with kcnlp's output for them to correct.

An article is worth labelling when the model is unsure about much in it, and more so where
money is at stake: its score sums, over the classifiers' decisions (ACTIVITY categories, MONEY
roles, relations), how unsure each was (1 − probability), a decision about money (a role, a
FUNDING link, the category of a funded activity) weighing 1 + log10(1 + amount / 100 million
đồng).
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from ..document import Document
from ..errors import KcnlpError

__all__ = ["Suggestion", "uncertainty", "suggest", "require_trained"]


@dataclass
class Suggestion:
    doc: Document
    score: float
    reason: str


_FUNDING_ROLES = {"national", "local", "support", "counterpart", "total"}


def _money_weight(vnd) -> float:
    return 1 + math.log10(1 + vnd / 1e8) if isinstance(vnd, (int, float)) and vnd > 0 else 1.0


def uncertainty(doc: Document) -> Suggestion:
    """The document's score and a one-line reason naming its least sure decision."""
    by_id = {e.id: e for e in doc.entities}
    funded: dict[str, float] = {}  # activity → its largest amount
    for r in doc.relations:
        if r.label == "FUNDING" and r.tail in by_id and isinstance(v := by_id[r.tail].attrs.get("value"), (int, float)):
            funded[r.head] = max(funded.get(r.head, 0), v)
    found = []  # (unsureness × weight, confidence, what)
    for e in doc.entities:
        c = e.attrs.get("confidence")
        if not isinstance(c, (int, float)):
            continue
        if e.label == "ACTIVITY":
            found.append(((1 - c) * _money_weight(funded.get(e.id)), c, f"category {e.attrs.get('category')} of “{e.text}”"))
        elif e.label == "MONEY":
            found.append(((1 - c) * _money_weight(e.attrs.get("value")), c, f"role {e.attrs.get('role')} of {e.text}"))
    for r in doc.relations:
        if r.confidence is None or r.head not in by_id or r.tail not in by_id:
            continue
        weight = _money_weight(by_id[r.tail].attrs.get("value")) if r.label == "FUNDING" else 1.0
        found.append(((1 - r.confidence) * weight, r.confidence, f"{r.label} “{by_id[r.head].text}” → {by_id[r.tail].text}"))
    score = sum(f[0] for f in found)
    unsure = [f for f in found if f[1] < 0.8]
    funding = [v for e in doc.entities if e.label == "MONEY" and e.attrs.get("role") in _FUNDING_ROLES
               and isinstance(v := e.attrs.get("value"), (int, float)) and not e.attrs.get("per")]
    weakest = min(found, key=lambda f: f[1]) if found else None
    reason = (f"{len(unsure)} unsure decisions of {len(found)}"
              + (f"; weakest {weakest[1]:.2f}: {weakest[2]}" if weakest else "")
              + (f"; largest amount {max(funding) / 1e9:.2f} tỷ đồng" if funding else ""))
    return Suggestion(doc, round(score, 4), reason)


def require_trained(nlp) -> None:
    """`suggest` ranks by the classifiers' probabilities: a rules-only model has none."""
    names = ("kcnlp_category", "kcnlp_role", "kcnlp_relation_model")
    if not any(getattr(nlp.get_pipe(n), "model", None) is not None for n in names if n in nlp.pipe_names):
        raise KcnlpError("E208", "suggest needs a trained model (one with classifiers): the model given is rules only; "
                                 "train one with `kcnlp train` or use the bundled model")


def suggest(docs, n: int = 20) -> list[Suggestion]:
    """The `n` documents most worth labelling, best first (ties in input order); `docs` is read
    once and only the best `n` are kept."""
    return heapq.nlargest(n, (uncertainty(d) for d in docs), key=lambda s: s.score)
