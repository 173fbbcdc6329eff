"""How far the confidences in the output can be trusted: predicted confidence against observed
accuracy, by bins, for the classifiers' decisions (ACTIVITY categories, MONEY roles,
relations), and the expected calibration error (pure, no spaCy)."""
from __future__ import annotations

from .scoring import entity_key, match_activities

__all__ = ["decisions", "reliability", "BINS"]

#: confidence bins (lower bounds); a decision falls in the last bin whose bound it reaches
BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def decisions(gold: dict[str, dict], pred: dict[str, dict]) -> dict[str, list[tuple[float, bool]]]:
    """(confidence, correct) of every decision a classifier made, by kind: a category is judged
    where the activity overlaps a gold activity, a role where the amount matches a gold one, a
    relation as the scorer counts it."""
    out: dict[str, list[tuple[float, bool]]] = {"category": [], "role": [], "relation": []}
    for did, g in gold.items():
        p = pred.get(did)
        if p is None:
            continue
        gk = {entity_key(e): e for e in g["entities"]}
        ga = [e for e in g["entities"] if e["label"] == "ACTIVITY"]
        for e in p["entities"]:
            c = e.get("confidence")
            if c is None:
                continue
            if e["label"] == "ACTIVITY":
                near = [x for x in ga if x["start"] < e["end"] and e["start"] < x["end"]]
                if near:
                    out["category"].append((c, any(x.get("category") == e.get("category") for x in near)))
            elif e["label"] == "MONEY" and entity_key(e) in gk:
                out["role"].append((c, gk[entity_key(e)].get("role") == e.get("role")))
        amap = match_activities([e for e in p["entities"] if e["label"] == "ACTIVITY"], ga)
        gid = {e["id"]: e for e in g["entities"]}
        pid = {e["id"]: e for e in p["entities"]}
        gold_rels = {(r["head"], entity_key(gid[r["tail"]]), r["label"]) for r in g.get("relations", []) if r["tail"] in gid}
        for r in p.get("relations", []):
            if r.get("confidence") is None or r["tail"] not in pid:
                continue
            key = (amap.get(r["head"]), entity_key(pid[r["tail"]]), r["label"])
            out["relation"].append((r["confidence"], key in gold_rels))
    return out


def reliability(pairs: list[tuple[float, bool]]) -> tuple[list[dict], float]:
    """Rows per confidence bin (`low`, `n`, mean `confidence`, observed `accuracy`) and the
    expected calibration error: the bins' |accuracy − confidence| weighted by their size."""
    rows = []
    for k, low in enumerate(BINS):
        high = BINS[k + 1] if k + 1 < len(BINS) else 1.0001
        inside = [(c, ok) for c, ok in pairs if low <= c < high]
        if inside:
            rows.append({"low": low, "n": len(inside), "confidence": sum(c for c, _ in inside) / len(inside),
                         "accuracy": sum(ok for _, ok in inside) / len(inside)})
    total = sum(r["n"] for r in rows)
    ece = sum(r["n"] * abs(r["accuracy"] - r["confidence"]) for r in rows) / total if total else 0.0
    return rows, ece
