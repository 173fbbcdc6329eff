"""Relations from ACTIVITY entities to their arguments (SPEC §4), by proximity rules.

The rules link an argument to activities of its own sentence (or, through an explicit
continuation — "Trong đó", "Qua đó", "Cụ thể" … — of the sentence before), preferring the
same clause and the nearest activity. `Doc._.relations` holds (head, tail, label) triples
of entity indices into `doc.ents`.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .schema import RELATION_TAILS

__all__ = ["sentence_bounds", "link_rules", "RelationRules", "CONTINUATIONS"]

if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)

_LABEL_OF_TAIL = {tail: rel for rel, tail in RELATION_TAILS.items()}
CONTINUATIONS = ("trong đó", "qua đó", "cụ thể", "đồng thời", "kết quả", "theo đó", "ngoài ra")
_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[^\s\d.,;:)\]]|\d+[.)]?\s)|\n+")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: split at . ! ? … before a new word, and at newlines."""
    out, start = [], 0
    for m in _SENT_END.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def link_rules(text: str, ents: list[tuple[int, int, str, dict]]) -> list[tuple[int, int, str]]:
    """Relations over `ents` = [(start, end, label, fields)], as (head, tail, label) index triples."""
    sents = sentence_bounds(text)

    def sent_of(pos: int) -> int:
        for i, (s, e) in enumerate(sents):
            if s <= pos < e:
                return i
        return len(sents) - 1

    ent_sent = [sent_of(s) for s, _, _, _ in ents]
    acts_by_sent: dict[int, list[int]] = {}
    for i, (_, _, label, _) in enumerate(ents):
        if label == "ACTIVITY":
            acts_by_sent.setdefault(ent_sent[i], []).append(i)
    out: set[tuple[int, int, str]] = set()
    for j, (s, e, label, fields) in enumerate(ents):
        if label not in _LABEL_OF_TAIL:
            continue
        if label == "MONEY" and fields.get("role") in ("income", "other"):
            continue
        sid = ent_sent[j]
        acts = acts_by_sent.get(sid)
        if not acts and sid > 0 and _continues(text, sents[sid]):
            acts = acts_by_sent.get(sid - 1)
            if acts:
                acts = [acts[-1]]
        if not acts:
            continue
        rel = _LABEL_OF_TAIL[label]
        if rel == "TIME":
            chosen = acts  # a date in the sentence dates each of its activities
        else:
            chosen = [_nearest(text, acts, ents, s, e)]
        for a in chosen:
            out.add((a, j, rel))
    return sorted(out)


def _continues(text: str, sent: tuple[int, int]) -> bool:
    head = text[sent[0]:sent[0] + 12].lower().lstrip(" -+*•")
    return head.startswith(CONTINUATIONS)


def _nearest(text: str, acts: list[int], ents, s: int, e: int) -> int:
    """The activity closest to [s, e): same clause first (no ";" between), then distance;
    an activity before the argument wins a tie."""
    def cost(a: int) -> tuple[int, int, int]:
        a_s, a_e = ents[a][0], ents[a][1]
        lo, hi = (a_e, s) if a_e <= s else (e, a_s)
        between = text[lo:hi]
        return (between.count(";"), hi - lo, 0 if a_e <= s else 1)

    return min(acts, key=cost)


class RelationRules:
    """Pipeline component: sets `doc._.relations` by the proximity rules."""

    def __call__(self, doc: Doc) -> Doc:
        ents = [(e.start_char, e.end_char, e.label_, e._.fields or {}) for e in doc.ents]
        doc._.relations = link_rules(doc.text, ents)
        return doc


@Language.factory("kcnlp_relation_rules")
def make_relation_rules(nlp: Language, name: str) -> RelationRules:
    return RelationRules()
