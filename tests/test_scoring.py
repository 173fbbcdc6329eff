"""kcnlp.training.scoring agrees with the independent reference scorer (../shared/tools/score.py)."""
import copy
import importlib.util
import random

import pytest

import kcnlp
from kcnlp.training.scoring import PRF, match_activities, score_records
from tests.conftest import SHARED_REAL


def _reference():
    path = SHARED_REAL.parent / "tools" / "score.py"
    if not path.exists():
        pytest.skip("../shared/tools/score.py is not beside this checkout")
    spec = importlib.util.spec_from_file_location("reference_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _perturbed(rec, seed):
    """A prediction-like copy of a gold record: spans shifted, labels, values and roles changed, some dropped."""
    rng = random.Random(seed)
    out = copy.deepcopy(rec)
    kept = []
    for e in out["entities"]:
        r = rng.random()
        if r < 0.1:
            continue
        if r < 0.2:
            e["end"] = max(e["start"] + 1, e["end"] - 1)
        elif r < 0.3 and e["label"] == "ACTIVITY":
            e["category"] = "GENERAL"
        elif r < 0.4 and e["label"] == "MONEY":
            e["role"] = "support"
        elif r < 0.5 and e["label"] in ("MONEY", "QUANTITY"):
            e["value"] = (e.get("value") or 0) + 1
        kept.append(e)
    out["entities"] = kept
    ids = {e["id"] for e in kept}
    out["relations"] = [r for r in out["relations"] if r["head"] in ids and r["tail"] in ids and rng.random() > 0.15]
    return out


@pytest.mark.parametrize("seed", range(6))
def test_same_figures_as_reference_scorer(real_records, seed):
    ref = _reference()
    gold = {r["id"]: r for r in real_records}
    if seed == 0:  # the pipeline's own output
        pred = {r["id"]: {**kcnlp.extract(r["text"]).to_dict(), "id": r["id"]} for r in real_records}
    else:
        pred = {r["id"]: _perturbed(r, seed) for r in real_records}
    mine, theirs = score_records(gold, pred), ref.score(gold, pred)
    assert (mine["entities"]["p"], mine["entities"]["r"], mine["entities"]["f"]) == pytest.approx(theirs["entity_micro"])
    assert (mine["entities_strict"]["p"], mine["entities_strict"]["r"], mine["entities_strict"]["f"]) == pytest.approx(theirs["entity_strict_micro"])
    for label, v in theirs["per_label"].items():
        assert (mine["per_label"][label]["p"], mine["per_label"][label]["r"], mine["per_label"][label]["f"]) == pytest.approx(v[:3])
    assert (mine["values"]["accuracy"], mine["values"]["n"]) == pytest.approx(theirs["value_accuracy"])
    assert (mine["roles"]["accuracy"], mine["roles"]["n"]) == pytest.approx(theirs["role_accuracy"])
    assert (mine["relations"]["p"], mine["relations"]["r"], mine["relations"]["f"]) == pytest.approx(theirs["relation"])


def test_gold_scores_perfectly_against_itself(real_records):
    gold = {r["id"]: r for r in real_records}
    s = score_records(gold, copy.deepcopy(gold))
    assert s["entities"]["f"] == s["entities_strict"]["f"] == s["relations"]["f"] == s["events_exact"]["f"] == 1.0
    assert s["values"]["accuracy"] == s["roles"]["accuracy"] == 1.0


def test_missing_prediction_counts_as_empty(real_records):
    gold = {r["id"]: r for r in real_records}
    s = score_records(gold, {})
    assert s["entities"]["tp"] == 0 and s["entities"]["gold"] == sum(len(r["entities"]) for r in real_records)


def test_lenient_activity_matching_is_one_to_one():
    gold = [{"id": "G1", "start": 0, "end": 10, "category": "TRAINING"}]
    pred = [{"id": "P1", "start": 0, "end": 4, "category": "TRAINING"}, {"id": "P2", "start": 5, "end": 10, "category": "TRAINING"},
            {"id": "P3", "start": 0, "end": 10, "category": "PRODUCT"}]
    assert match_activities(pred, gold) == {"P1": "G1"}


def test_prf_arithmetic():
    a = PRF(3, 4, 6)
    a += PRF(1, 1, 2)
    assert (a.tp, a.pred, a.gold) == (4, 5, 8) and a.p == 0.8 and a.r == 0.5 and a.f == pytest.approx(2 * 0.4 / 1.3)
    assert PRF().f == 0.0


def test_errors_are_listed(real_records):
    gold = {r["id"]: r for r in real_records}
    pred = {r["id"]: _perturbed(r, 3) for r in real_records}
    errors = []
    s = score_records(gold, pred, errors)
    fn = sum(1 for e in errors if e["kind"] == "FN" and not e.get("relation"))
    assert fn == s["entities"]["gold"] - s["entities"]["tp"]
    rel_fn = [e for e in errors if e["kind"] == "FN" and e.get("relation")]
    rel_fp = [e for e in errors if e["kind"] == "FP" and e.get("relation")]
    assert len(rel_fn) == s["relations"]["gold"] - s["relations"]["tp"] > 0
    assert len(rel_fp) == s["relations"]["pred"] - s["relations"]["tp"]
    assert all(e["label"] in ("FUNDING", "OUTPUT", "PARTICIPANT", "TIME", "PLACE") and e["head"] and e["tail"] for e in rel_fn)


def _ent(i, start, end, label, text, **kw):
    return {"id": i, "start": start, "end": end, "label": label, "text": text, **kw}


def test_errors_carry_their_class():
    text = "Trung tâm Khuyến công Hà Nam mở 3 lớp đào tạo nghề may và tập huấn tại Lý Nhân, kinh phí 300 triệu đồng."
    def at(s):
        return text.index(s), text.index(s) + len(s)
    gold = {"id": "d", "text": text, "entities": [
        _ent("T1", *at("Trung tâm Khuyến công Hà Nam"), "ORG", "Trung tâm Khuyến công Hà Nam"),
        _ent("T2", *at("3 lớp"), "QUANTITY", "3 lớp", value=3, unit="lớp"),
        _ent("T3", *at("đào tạo nghề may"), "ACTIVITY", "đào tạo nghề may", category="TRAINING"),
        _ent("T4", *at("tập huấn"), "ACTIVITY", "tập huấn", category="MANAGEMENT"),
        _ent("T5", *at("Lý Nhân"), "LOC", "Lý Nhân"),
        _ent("T6", *at("300 triệu đồng"), "MONEY", "300 triệu đồng", value=300000000, unit="VND", role="support")],
        "relations": [{"head": "T3", "tail": "T2", "label": "OUTPUT"}, {"head": "T4", "tail": "T5", "label": "PLACE"},
                      {"head": "T3", "tail": "T1", "label": "PARTICIPANT"}]}
    pred = {"id": "d", "text": text, "entities": [
        _ent("P1", *at("Trung tâm Khuyến công Hà"), "ORG", "Trung tâm Khuyến công Hà"),      # boundary
        _ent("P2", *at("3 lớp"), "QUANTITY", "3 lớp", value=3, unit="lớp"),
        _ent("P3", *at("đào tạo nghề may"), "ACTIVITY", "đào tạo nghề may", category="MANAGEMENT"),  # wrong category
        _ent("P6", *at("300 triệu đồng"), "MONEY", "300 triệu đồng", value=300000000, unit="VND", role="local"),  # wrong role
        _ent("P7", *at("kinh phí"), "ACTIVITY", "kinh phí", category="GENERAL")],                    # spurious activity
        "relations": [{"head": "P7", "tail": "P6", "label": "FUNDING"}]}
    errors = []
    score_records({"d": gold}, {"d": pred}, errors)
    got = sorted((e["class"], e["kind"]) for e in errors)
    assert got == sorted([
        ("boundary", "FP"), ("boundary", "FN"), ("wrong category", "FP"), ("wrong category", "FN"),
        ("wrong role", "role"), ("spurious activity", "FP"), ("missed activity", "FN"), ("missed entity", "FN"),
        ("link from a spurious activity", "FP"), ("missed link: activity not found", "FN"),
        ("missed link: activity not found", "FN"), ("missed link: activity not found", "FN")])
    from kcnlp.training.evaluate import error_summary
    summary = {c: (fp, fn, o) for c, fp, fn, o in error_summary(errors)}
    assert summary["wrong category"] == (1, 1, 0) and summary["wrong role"] == (0, 0, 1)
