"""Relations from ACTIVITY entities to their arguments (SPEC §4), by proximity rules.

The rules link an argument to activities of its own sentence (or, through an explicit
continuation — "Trong đó", "Qua đó", "Cụ thể" … — of the sentence before), preferring the
same clause and the nearest activity. `Doc._.relations` holds (head, tail, label) triples
of entity indices into `doc.ents`.
"""
from __future__ import annotations

import bisect
import json
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ModelError
from ..schema import RELATION_TAILS
from .linear import LinearClassifier, ModelStage
from .rules import MEANS_WORDS
from .spanattrs import doc_text, entities, span_attrs
from .textview import TextView
from .tokenizer import normalize_syllable

__all__ = ["sentence_bounds", "link_rules", "RelationRules", "CONTINUATIONS", "approves", "without_approvers"]

if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)
if not Doc.has_extension("relation_confidence"):
    Doc.set_extension("relation_confidence", default=None)

_LABEL_OF_TAIL = {tail: rel for rel, tail in RELATION_TAILS.items()}
CONTINUATIONS = ("trong đó", "qua đó", "cụ thể", "đồng thời", "kết quả", "theo đó", "ngoài ra")
_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[^\s\d.,;:)\]]|\d+[.)]?\s)|\n+")


def _ends_in_item_number(sentence: str) -> bool:
    """A "1." opening a list item, alone or after a colon ("Các nội dung chính: 1. Tập huấn …"),
    ends no sentence."""
    return re.fullmatch(r"\s*\d{1,2}\.", sentence) is not None or re.search(r":\s*\d{1,2}\.$", sentence[-12:]) is not None


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: split at . ! ? … before a new word, and at newlines."""
    out, start = [], 0
    for m in _SENT_END.finditer(text):
        if "\n" not in m.group(0) and _ends_in_item_number(text[start:m.start()]):
            continue
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


# SPEC §5: who approves, assigns or issues a decision about an activity is not its PARTICIPANT
# ("Cục Công Thương địa phương giao Trung tâm …", "UBND tỉnh phê duyệt …").
_APPROVES = re.compile(r"\s*(?:\([^)]{1,40}\)\s*)?(?:đã\s+|vừa\s+|cũng\s+)?(?:giao|phê\s+duyệt|ban\s+hành|có\s+công\s+văn"
                       r"|có\s+quyết\s+định|ký\s+quyết\s+định|chỉ\s+đạo|quyết\s+định|thẩm\s+định)(?![\w])", re.IGNORECASE)


def approves(text: str, org_end: int) -> bool:
    """Whether the organisation ending at `org_end` is the subject of approving or assigning."""
    return _APPROVES.match(text, org_end, org_end + 60) is not None


def without_approvers(text: str, ents, links: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The links less the PARTICIPANT ones whose organisation only approves or assigns."""
    return [(h, t, label) for h, t, label in links if not (label == "PARTICIPANT" and approves(text, ents[t][1]))]


def _activities_by_sentence(ents, sents) -> tuple[list[int], dict[int, list[int]]]:
    """The sentence of each entity, and the ACTIVITY entities of each sentence."""
    starts = [s for s, _ in sents]
    sent_of = [max(0, bisect.bisect_right(starts, s) - 1) for s, _, _, _ in ents]
    acts_in: dict[int, list[int]] = {}
    for i, (_, _, label, _) in enumerate(ents):
        if label == "ACTIVITY":
            acts_in.setdefault(sent_of[i], []).append(i)
    return sent_of, acts_in


def link_rules(text: str, ents: list[tuple[int, int, str, dict]], sents=None) -> list[tuple[int, int, str]]:
    """Relations over `ents` = [(start, end, label, fields)], as (head, tail, label) index triples
    (`sents`: the text's `sentence_bounds`, when the caller has them already)."""
    sents = sentence_bounds(text) if sents is None else sents
    ent_sent, acts_by_sent = _activities_by_sentence(ents, sents)
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
        ents = [(e.start_char, e.end_char, e.label_, span_attrs(e).get("fields") or {}) for e in entities(doc)]
        text = doc_text(doc)
        doc._.relations = without_approvers(text, ents, link_rules(text, ents))
        return doc


@Language.factory("kcnlp_relation_rules")
def make_relation_rules(nlp: Language, name: str) -> RelationRules:
    return RelationRules()


# --- the trained relation classifier --------------------------------------------------------


_LIST_MARK = re.compile(r"[^\S\n]*(?:([-–+•*])|(\d{1,2})[.)]|([a-zđ])[.)])\s")
_INLINE_LIST = re.compile(r":\s*(?:\d{1,2}[.)]|[-–+•*])\s")  # "Các nội dung chính: 1. …"


def list_headers(text: str, sents: list[tuple[int, int]]) -> list[list[int]]:
    """For each sentence, the sentences whose list it is an item of.

    A sentence ending in ":" ("Trung tâm … thực hiện các đề án sau trong năm 2023:"), or
    opening an inline list ("Các nội dung chính: 1. …"), heads the items after it: inline
    "2. …" sentences, lines opening with a list mark ("-", "+", "a)"), and the first unmarked
    paragraph right after it; an unmarked paragraph after that ends the list. A marked item
    ending in ":" heads a sub-list, which ends at the next item with its own mark."""
    out: list[list[int]] = []
    stack: list[tuple[int, str]] = []  # (header sentence, the mark of the item that opened it)
    for i, (s, e) in enumerate(sents):
        m = _LIST_MARK.match(text, s)
        mark = "" if m is None else (m.group(1) or ("1" if m.group(2) else "a"))
        new_paragraph = s == 0 or "\n" in text[max(0, s - 3):s]
        if stack and new_paragraph and not mark and stack[-1][0] != i - 1:
            stack = []
        while mark and stack and stack[-1][1] == mark:
            stack.pop()  # a sibling of the item that opened the sub-list
        out.append([h for h, _ in stack])
        sentence = text[s:e].rstrip()
        if sentence.endswith(":") or _INLINE_LIST.search(sentence):
            stack = stack + [(i, mark)] if mark else [(i, "")]
    return out


def candidate_pairs(text: str, ents: list[tuple[int, int, str, dict]], sents=None) -> list[tuple[int, int, str]]:
    """(activity, argument, how) triples the classifier judges, `how` saying why: the same sentence; the
    argument in a continuation sentence with no activity right after the activity's; the
    argument in the header of the list the activity's sentence is an item of (GUIDELINES §7:
    listed activities share the header's money, date and implementing ORG). Gold pairs
    outside these are counted as missed by `train_relation_model`."""
    sents = sentence_bounds(text) if sents is None else sents
    sent_of, acts_in = _activities_by_sentence(ents, sents)
    items_of: dict[int, list[int]] = {}  # header sentence -> the item sentences under it
    for sid, headers in enumerate(list_headers(text, sents)):
        for h in headers:
            items_of.setdefault(h, []).append(sid)
    pairs = []
    for j, (s, e, label, _) in enumerate(ents):
        if label not in _LABEL_OF_TAIL:
            continue
        sid = sent_of[j]
        for a in acts_in.get(sid, []):
            pairs.append((a, j, "sentence"))
        if sid > 0 and sid not in acts_in and _continues(text, sents[sid]):
            for a in acts_in.get(sid - 1, []):
                pairs.append((a, j, "continuation"))
        for item in items_of.get(sid, []):
            for a in acts_in.get(item, []):
                pairs.append((a, j, "list header"))
    return pairs


def _bucket(n: int, edges=(0, 1, 2, 4, 8, 16, 32, 64)) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return "more"


_MEANS_BETWEEN = re.compile(rf"\b(?:{MEANS_WORDS})\b", re.IGNORECASE)


def _clause_of(text: str, pos: int) -> tuple[int, int]:
    """The ";"-clause around `pos`, inside its line."""
    lo = max(text.rfind(";", 0, pos), text.rfind("\n", 0, pos)) + 1
    ends = [k for k in (text.find(";", pos), text.find("\n", pos)) if k >= 0]
    return lo, min(ends) if ends else len(text)


def _clause_activities(text: str, ents, j: int) -> tuple[int, int, list[int]]:
    """The ";"-clause of argument `j` and the activities that start inside it."""
    lo, hi = _clause_of(text, ents[j][0])
    return lo, hi, [k for k, x in enumerate(ents) if x[2] == "ACTIVITY" and lo <= x[0] < hi]


def pair_features(text: str, ents, a: int, j: int, acts_same_sentence: list[int], rule_links: set,
                  clause: tuple[int, int, list[int]], how: str = "sentence") -> dict[str, float]:
    a_s, a_e, _, a_f = ents[a]
    j_s, j_e, label, j_f = ents[j]
    before = j_e <= a_s
    lo, hi = (j_e, a_s) if before else (a_e, j_s)
    between = text[lo:hi] if hi > lo else ""
    words = [normalize_syllable(w) for w in between.split() if any(c.isalpha() for c in w)]
    acts_between = sum(1 for k, x in enumerate(ents) if x[2] == "ACTIVITY" and lo <= x[0] < hi and k != a)
    same_between = sum(1 for k, x in enumerate(ents) if x[2] == label and lo <= x[0] < hi and k != j)
    dists = sorted(acts_same_sentence, key=lambda k: min(abs(ents[k][0] - j_e), abs(j_s - ents[k][1])))
    rank = dists.index(a) if a in dists else 9
    cat = a_f.get("category") or "?"
    d = "before" if before else "after"
    f = {
        f"tail={label}": 1.0, f"tail_cat={label}|{cat}": 1.0, f"dir={label}|{d}": 1.0,
        f"dist={label}|{_bucket(len(words))}": 1.0, f"acts_between={label}|{d}|{_bucket(acts_between, (0, 1, 2))}": 1.0,
        f"same_between={label}|{_bucket(same_between, (0, 1, 2, 4))}": 1.0, f"rank={label}|{min(rank, 3)}": 1.0,
        f"semi={label}|{between.count(';') > 0}": 1.0, f"colon={label}|{':' in between}": 1.0,
        f"newline={chr(10) in between}": 1.0,
        f"semis={label}|{_bucket(between.count(';'), (0, 1, 2))}": 1.0,
        f"rule_link={label}|{(a, j) in rule_links}": 1.0, f"how={label}|{how}": 1.0,
    }
    # an argument whose own ";"-clause holds another activity belongs to that one
    c_lo, c_hi, clause_acts = clause
    own = any(k != a for k in clause_acts)
    f[f"clause={label}|{'same' if c_lo <= a_s < c_hi else 'other'}|{own}"] = 1.0
    if label == "MONEY":
        f[f"role={j_f.get('role')}|{cat == 'GENERAL'}"] = 1.0
    if not before and _MEANS_BETWEEN.search(between):
        # "A … thông qua tổ chức 7 lớp B …": the means' figures are A's too (GUIDELINES §8)
        f[f"means={label}|{_bucket(acts_between, (0, 1, 2))}"] = 1.0
    if len(words) <= 6:
        for w in words:
            f[f"bw={label}|{w}"] = 1.0
    else:
        for w in words[:2] + words[-3:]:
            f[f"bw_edge={label}|{w}"] = 1.0
    left = [normalize_syllable(w) for w in text[max(0, j_s - 30):j_s].split() if any(c.isalpha() for c in w)][-2:]
    for k, w in enumerate(reversed(left)):
        f[f"arg_l{k}={label}|{w}"] = 1.0
    return f


def _features_for(text, ents):
    sents = sentence_bounds(text)  # once, for the candidates and the rule links
    triples = candidate_pairs(text, ents, sents)
    by_arg: dict[int, list[int]] = {}
    for a, j, _ in triples:
        by_arg.setdefault(j, []).append(a)
    # what the proximity rules would link is one feature among the others
    rule_links = {(a, j) for a, j, _ in link_rules(text, ents, sents)}
    clauses = {j: _clause_activities(text, ents, j) for j in by_arg}  # once per argument, not per pair
    return ([(a, j) for a, j, _ in triples],
            [pair_features(text, ents, a, j, by_arg[j], rule_links, clauses[j], how) for a, j, how in triples])


def _record_ents(rec: dict) -> list[tuple[int, int, str, dict]]:
    return [(e["start"], e["end"], e["label"], e) for e in rec["entities"]]


def train_relation_model(records: list[dict], seed: int = 0) -> tuple[LinearClassifier, dict]:
    """Train the binary linked/not-linked classifier; returns (model, coverage) where
    coverage counts gold relations that no candidate pair covers."""
    X, y = [], []
    missed = total = 0
    for rec in records:
        ents = sorted(_record_ents(rec), key=lambda x: x[0])
        pos = {e[3]["id"]: i for i, e in enumerate(ents)}
        gold = {(pos[r["head"]], pos[r["tail"]]) for r in rec.get("relations", []) if r["head"] in pos and r["tail"] in pos}
        pairs, feats = _features_for(rec["text"], ents)
        covered = set(pairs)
        total += len(gold)
        missed += len(gold - covered)
        for pair, f in zip(pairs, feats):
            X.append(f)
            y.append("LINK" if pair in gold else "NONE")
    model = LinearClassifier.train(X, y, C=1.0, seed=seed)
    return model, {"gold_relations": total, "not_candidates": missed}


def link_model(model, text: str, ents, threshold: float = 0.5, confidences: dict | None = None) -> list[tuple[int, int, str]]:
    """The candidate pairs the classifier links (probability of LINK at least `threshold`);
    `confidences`, when given, receives each link's probability."""
    pairs, feats = _features_for(text, ents)
    out = []
    for (a, j), f in zip(pairs, feats):
        p = model.proba(f, "LINK")
        if p >= threshold:
            link = (a, j, _LABEL_OF_TAIL[ents[j][2]])
            out.append(link)
            if confidences is not None:
                confidences[link] = round(p, 4)
    return sorted(out)


class RelationModel(ModelStage):
    """Pipeline component: `doc._.relations` from the trained classifier (rules when none)."""

    def __init__(self, model=None, threshold: float = 0.5):
        super().__init__(model)
        self.threshold = threshold

    def __call__(self, doc: Doc) -> Doc:
        view = TextView(doc_text(doc))  # features and sentence bounds read NFC text
        ents = []
        for e in entities(doc):
            attrs = span_attrs(e)
            ents.append((view.to_view(e.start_char), view.to_view(e.end_char), e.label_,
                         {**(attrs.get("fields") or {}), "category": attrs.get("category")}))
        text = view.view
        confidences: dict = {}
        links = link_rules(text, ents) if self.model is None else link_model(self.model, text, ents, self.threshold, confidences)
        doc._.relations = without_approvers(text, ents, links)
        # one per relation, None for the rules' links (a list: Doc extensions cross processes as msgpack)
        doc._.relation_confidence = [confidences.get(link) for link in doc._.relations]
        return doc

    def to_disk(self, path, exclude=()):
        super().to_disk(path)
        (Path(path) / "settings.json").write_text(json.dumps({"threshold": self.threshold}), encoding="utf-8")

    def from_disk(self, path, exclude=()):
        settings = Path(path) / "settings.json"
        if settings.exists():
            try:
                threshold = json.loads(settings.read_text(encoding="utf-8"))["threshold"]
            except (ValueError, KeyError, TypeError, OSError) as exc:
                raise ModelError("E205", f"{settings} is corrupt ({type(exc).__name__}: {exc})") from None
            if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
                raise ModelError("E207", f"{settings}: 'threshold' must be a number between 0 and 1, not {threshold!r}")
            self.threshold = float(threshold)
        return super().from_disk(path)


@Language.factory("kcnlp_relation_model")
def make_relation_model(nlp: Language, name: str) -> RelationModel:
    return RelationModel()
