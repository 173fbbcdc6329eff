"""SPEC §6 scoring of predicted records against gold records (pure, no spaCy).

- entities: ORG, MONEY, QUANTITY, LOC, DATE match on (start, end, label); ACTIVITY matches a
  gold ACTIVITY it overlaps with the same category, each gold matched once (greedy, in text
  order). The headline micro figure counts ACTIVITY leniently; `strict` counts it exactly.
- values: over strictly matched MONEY and QUANTITY, all of value, value_max, unit, qualifier
  equal; roles: over strictly matched MONEY.
- relations: label equal, tail strictly matched, head leniently matched.
- events: exact when the matched trigger's category and every argument set equal gold's.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ..schema import EVENT_KEYS, RELATION_TAILS

__all__ = ["PRF", "score_records", "match_activities", "entity_key", "ERROR_CLASSES"]


@dataclass
class PRF:
    """Counts of true positives, predictions and gold items; `+=` merges."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def __iadd__(self, other: "PRF") -> "PRF":
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold
        return self

    @property
    def p(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def r(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def to_dict(self) -> dict:
        return {"p": self.p, "r": self.r, "f": self.f, "tp": self.tp, "pred": self.pred, "gold": self.gold}


def entity_key(e: dict) -> tuple[int, int, str]:
    return (e["start"], e["end"], e["label"])


def _overlap(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def match_activities(pred: list[dict], gold: list[dict]) -> dict[str, str]:
    """pred ACTIVITY id → gold ACTIVITY id: overlap and same category, greedy in order."""
    used: set[str] = set()
    pairs: dict[str, str] = {}
    for p in pred:
        for g in gold:
            if g["id"] not in used and _overlap(p, g) and p.get("category") == g.get("category"):
                used.add(g["id"])
                pairs[p["id"]] = g["id"]
                break
    return pairs


def _num(x):
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _events(rec: dict) -> dict[str, dict]:
    """trigger id → {category, argument sets by key}, derived from the relations."""
    ents = {e["id"]: e for e in rec["entities"]}
    out = {e["id"]: {"category": e.get("category"), **{k: set() for k in EVENT_KEYS.values()}}
           for e in rec["entities"] if e["label"] == "ACTIVITY"}
    for r in rec.get("relations", []):
        if r["head"] in out and r["tail"] in ents and r["label"] in EVENT_KEYS:
            out[r["head"]][EVENT_KEYS[r["label"]]].add(entity_key(ents[r["tail"]]))
    return out


def score_records(gold: dict[str, dict], pred: dict[str, dict], errors: list | None = None) -> dict:
    """Score predicted records against gold records, both keyed by document id. A gold
    document with no prediction counts as predicting nothing. When `errors` is a list,
    every false positive and false negative is appended to it as a dict (entities first, then
    relations, which carry `relation: True` and the head and tail texts)."""
    strict: dict[str, PRF] = defaultdict(PRF)
    activity = PRF()
    rel: dict[str, PRF] = defaultdict(PRF)
    events = PRF()
    values = Counter()
    cat_conf: Counter = Counter()
    role_conf: Counter = Counter()
    funding: Counter = Counter()
    for did, g in gold.items():
        p = pred.get(did, {"text": g["text"], "entities": [], "relations": []})
        gk = {entity_key(e): e for e in g["entities"]}
        pk = {entity_key(e): e for e in p["entities"]}
        for k in gk:
            strict[k[2]].gold += 1
        for k, pe in pk.items():
            strict[k[2]].pred += 1
            if k in gk:
                strict[k[2]].tp += 1
                ge = gk[k]
                if k[2] in ("MONEY", "QUANTITY"):
                    values["n"] += 1
                    values["ok"] += all(_num(pe.get(f)) == _num(ge.get(f)) for f in ("value", "value_max", "unit", "qualifier"))
                if k[2] == "MONEY":
                    values["role_n"] += 1
                    values["role_ok"] += pe.get("role") == ge.get("role")
                    role_conf[(ge.get("role"), pe.get("role"))] += 1
        ga = [e for e in g["entities"] if e["label"] == "ACTIVITY"]
        pa = [e for e in p["entities"] if e["label"] == "ACTIVITY"]
        amap = match_activities(pa, ga)
        activity += PRF(len(amap), len(pa), len(ga))
        # category confusion over activities that overlap, whatever their category
        for pe in pa:
            ge = next((x for x in ga if _overlap(pe, x)), None)
            if ge is not None:
                cat_conf[(ge.get("category"), pe.get("category"))] += 1
        gid = {e["id"]: e for e in g["entities"]}
        pid = {e["id"]: e for e in p["entities"]}
        gold_rels = {(r["head"], entity_key(gid[r["tail"]]), r["label"]) for r in g.get("relations", []) if r["tail"] in gid}
        for _, _, label in gold_rels:
            rel[label].gold += 1
        for r in p.get("relations", []):
            rel[r["label"]].pred += 1
            h, t = pid.get(r["head"]), pid.get(r["tail"])
            key = (amap[r["head"]], entity_key(t), r["label"]) if h and t and r["head"] in amap else None
            if key in gold_rels:
                gold_rels.discard(key)
                rel[r["label"]].tp += 1
            elif errors is not None and h and t:
                why = ("link from a spurious activity" if r["head"] not in amap else
                       "link to a spurious argument" if entity_key(t) not in gk else "wrong link")
                errors.append(_relation_error(did, "FP", r["label"], h, t, why))
        if errors is not None:
            found_heads = set(amap.values())
            for head, tail_key, label in sorted(gold_rels):
                why = ("missed link: activity not found" if head not in found_heads else
                       "missed link: argument not found" if tail_key not in pk else "missed link")
                errors.append(_relation_error(did, "FN", label, gid[head], gk[tail_key], why))
        funding += _funding_agreement(g, p, amap)
        g_events, p_events = _events(g), _events(p)
        events.gold += len(g_events)
        events.pred += len(p_events)
        events.tp += sum(1 for pid_, ev in p_events.items() if pid_ in amap and ev == g_events.get(amap[pid_]))
        if errors is not None:
            errors += _errors(did, g, p, gk, pk, amap)
    total = PRF()
    for v in strict.values():
        total += v
    headline = PRF(total.tp - strict["ACTIVITY"].tp + activity.tp, total.pred, total.gold)
    rel_total = PRF()
    for v in rel.values():
        rel_total += v
    per_label = {lab: (activity if lab == "ACTIVITY" else v).to_dict() for lab, v in sorted(strict.items())}
    return {
        "entities": headline.to_dict(),
        "entities_strict": total.to_dict(),
        "per_label": per_label,
        "per_label_strict": {lab: v.to_dict() for lab, v in sorted(strict.items())},
        "activity_lenient": activity.to_dict(),
        "values": {"accuracy": values["ok"] / values["n"] if values["n"] else 0.0, "n": values["n"]},
        "roles": {"accuracy": values["role_ok"] / values["role_n"] if values["role_n"] else 0.0, "n": values["role_n"]},
        "relations": rel_total.to_dict(),
        "relations_per_label": {lab: rel[lab].to_dict() for lab in RELATION_TAILS},
        "events_exact": events.to_dict(),
        "category_confusion": {f"{g}→{p}": n for (g, p), n in sorted(cat_conf.items(), key=str)},
        "role_confusion": {f"{g}→{p}": n for (g, p), n in sorted(role_conf.items(), key=str)},
        "funding": {"events": funding["events"], "events_correct": funding["events_ok"],
                    "accuracy": funding["events_ok"] / funding["events"] if funding["events"] else 0.0,
                    "checks": funding["checks"], "checks_reproduced": funding["checks_ok"],
                    "checks_share": funding["checks_ok"] / funding["checks"] if funding["checks"] else 0.0},
        "documents": len(gold),
    }


_FIGURES = ("state_vnd", "counterpart_vnd", "total_vnd")


def _funding_agreement(g: dict, p: dict, amap: dict[str, str]) -> Counter:
    """Funding as an analyst sees it (SPEC §7): over the gold events with money, whether the
    matched predicted event has the same state / counterpart / total figures (both sides computed
    by the same §7 rules from their own entities and relations); and how many gold
    `funding_checks` the prediction reproduces (same whole, same parts, same verdict)."""
    from ..document import Document

    out: Counter = Counter()
    # events derived from the relations, as the scorer matches them (from_dict computes the figures once)
    gold_doc, pred_doc = Document.from_dict({**g, "events": None}), Document.from_dict({**p, "events": None})
    g_checks, p_checks = gold_doc.funding_checks, pred_doc.funding_checks
    g_ents = {e.id: e for e in gold_doc.entities}
    p_ents = {e.id: e for e in pred_doc.entities}
    pred_by_gold = {amap[ev.trigger]: ev for ev in pred_doc.events if ev.trigger in amap}
    for ev in gold_doc.events:
        figures = tuple(getattr(ev, k) for k in _FIGURES)
        if any(f is not None for f in figures):
            out["events"] += 1
            match = pred_by_gold.get(ev.trigger)
            out["events_ok"] += match is not None and tuple(getattr(match, k) for k in _FIGURES) == figures

    def keys(checks, ents):
        return {((ents[c["total"]].start, ents[c["total"]].end), frozenset((ents[i].start, ents[i].end) for i in c["parts"]), c["ok"])
                for c in checks}
    gk, pk = keys(g_checks, g_ents), keys(p_checks, p_ents)
    out["checks"] += len(gk)
    out["checks_ok"] += len(gk & pk)
    return out


def _relation_error(did: str, kind: str, label: str, head: dict, tail: dict, why: str) -> dict:
    """A missed (FN) or spurious (FP) relation; start/end cover head and tail for the context."""
    return {"doc": did, "kind": kind, "label": label, "relation": True, "head": head["text"], "tail": tail["text"],
            "start": min(head["start"], tail["start"]), "end": max(head["end"], tail["end"]), "class": why}


#: the error classes, in the order reports list them
ERROR_CLASSES = (
    "missed activity", "spurious activity", "wrong category", "activity boundary", "missed entity", "spurious entity",
    "boundary", "wrong label", "wrong role", "wrong value", "missed link: activity not found",
    "missed link: argument not found", "missed link", "link from a spurious activity", "link to a spurious argument",
    "wrong link",
)


def _entity_error_class(e: dict, k: tuple, others: list[dict]) -> str:
    """Why an entity of one side has no match on the other: an overlapping entity there says
    whether it is a boundary, a label or (for activities) a category error."""
    near = [o for o in others if o["start"] < k[1] and k[0] < o["end"]]
    if k[2] == "ACTIVITY":
        acts = [o for o in near if o["label"] == "ACTIVITY"]
        if any(o.get("category") != e.get("category") for o in acts):
            return "wrong category"
        return "activity boundary" if acts else ("wrong label" if near else "")
    if any(o["label"] == k[2] for o in near):
        return "boundary"
    return "wrong label" if near else ""


def _errors(did, g, p, gk, pk, amap) -> list[dict]:
    out = []
    matched_gold_acts = set(amap.values())

    def add(kind, k, e, others, default):
        err = {"doc": did, "kind": kind, "label": k[2], "start": k[0], "end": k[1], "text": e["text"]}
        if k[2] == "ACTIVITY":
            err["category"] = e.get("category")
        err["class"] = _entity_error_class(e, k, others) or default
        out.append(err)

    for k, e in pk.items():
        if (e["id"] not in amap) if k[2] == "ACTIVITY" else (k not in gk):
            add("FP", k, e, g["entities"], "spurious activity" if k[2] == "ACTIVITY" else "spurious entity")
        elif k[2] in ("MONEY", "QUANTITY"):
            ge = gk[k]
            if k[2] == "MONEY" and e.get("role") != ge.get("role"):
                out.append({"doc": did, "kind": "role", "label": "MONEY", "start": k[0], "end": k[1], "text": e["text"],
                            "class": "wrong role", "gold": ge.get("role"), "pred": e.get("role")})
            if not all(_num(e.get(f)) == _num(ge.get(f)) for f in ("value", "value_max", "unit", "qualifier")):
                out.append({"doc": did, "kind": "value", "label": k[2], "start": k[0], "end": k[1], "text": e["text"],
                            "class": "wrong value", "gold": [ge.get(f) for f in ("value", "value_max", "unit", "qualifier")],
                            "pred": [e.get(f) for f in ("value", "value_max", "unit", "qualifier")]})
    for k, e in gk.items():
        if (e["id"] not in matched_gold_acts) if k[2] == "ACTIVITY" else (k not in pk):
            add("FN", k, e, p["entities"], "missed activity" if k[2] == "ACTIVITY" else "missed entity")
    return out
