"""Confidence in the output: the classifiers' probabilities on categories, roles and relations,
`source` "rule" where rules decided, each event's weakest, and their reliability."""
import pytest

import kcnlp
from kcnlp.pipeline import build_rule_pipeline
from kcnlp.training.calibration import decisions, reliability

TEXT = ("Năm 2023, Trung tâm Khuyến công Nam Định tổ chức 2 lớp đào tạo nghề cho 70 học viên với kinh phí 180 triệu đồng. "
        "Gần 71 tỷ đồng thực hiện chương trình khuyến công giai đoạn 2021 - 2025.")


def test_trained_decisions_carry_their_probability_and_events_the_weakest():
    record = kcnlp.extract(TEXT).to_dict()
    acts = [e for e in record["entities"] if e["label"] == "ACTIVITY"]
    assert acts and all(e["source"] == "model" and 0 < e["confidence"] <= 1 for e in acts)
    money = {e["text"]: e for e in record["entities"] if e["label"] == "MONEY"}
    assert money["180 triệu đồng"]["source"] == "rule" and "confidence" not in money["180 triệu đồng"]  # "kinh phí" decides
    assert money["71 tỷ đồng"]["source"] == "model" and 0 < money["71 tỷ đồng"]["confidence"] <= 1    # no cue at all
    assert record["relations"] and all(r["source"] == "model" and 0 < r["confidence"] <= 1 for r in record["relations"])
    by_id = {e["id"]: e for e in record["entities"]}
    for ev in record["events"]:
        parts = [by_id[ev["trigger"]]["confidence"]]
        parts += [r["confidence"] for r in record["relations"] if r["head"] == ev["trigger"]]
        parts += [by_id[m]["confidence"] for m in ev["funding"] if "confidence" in by_id[m]]
        assert ev["confidence"] == min(parts)


def test_rules_only_decisions_say_so_and_have_no_probability():
    record = kcnlp.extract(TEXT, nlp=build_rule_pipeline()).to_dict()
    decided = [e for e in record["entities"] if e["label"] in ("ACTIVITY", "MONEY")] + record["relations"]
    assert decided and all(d["source"] == "rule" and "confidence" not in d for d in decided)
    assert all("confidence" not in ev for ev in record["events"])


def test_confidences_survive_the_record_round_trip_and_the_tables():
    doc = kcnlp.extract(TEXT)
    again = kcnlp.Document.from_dict(doc.to_dict())
    assert again.to_dict() == doc.to_dict()
    table = kcnlp.to_dataframe(doc)
    assert list(table.confidence) == [ev.confidence for ev in doc.events]


def test_low_confidence_is_shown_to_the_reader():
    import io

    from kcnlp.io.formats import write_output
    from kcnlp.io.tables import LOW_CONFIDENCE

    doc = kcnlp.extract(TEXT)
    doc.entities[[e.label for e in doc.entities].index("ACTIVITY")].attrs["confidence"] = LOW_CONFIDENCE / 2
    doc.compute_funding()
    out = io.StringIO()
    write_output([doc], "table", out)
    assert "check it" in out.getvalue()
    assert f"? {LOW_CONFIDENCE / 2:.2f}" in kcnlp.render(doc)


def test_reliability_bins_and_calibration_error():
    rows, ece = reliability([(0.95, True)] * 9 + [(0.95, False)] + [(0.55, True), (0.55, False)])
    assert [(r["low"], r["n"]) for r in rows] == [(0.5, 2), (0.9, 10)]
    assert rows[1]["accuracy"] == pytest.approx(0.9) and ece == pytest.approx((2 * 0.05 + 10 * 0.05) / 12)


def test_decisions_are_judged_as_the_scorer_judges():
    gold = {"d": {"id": "d", "text": "đào tạo nghề 5 triệu đồng", "entities": [
        {"id": "T1", "start": 0, "end": 12, "label": "ACTIVITY", "text": "đào tạo nghề", "category": "TRAINING"},
        {"id": "T2", "start": 13, "end": 25, "label": "MONEY", "text": "5 triệu đồng", "role": "support"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "FUNDING"}]}}
    pred = {"d": {"id": "d", "text": gold["d"]["text"], "entities": [
        {**gold["d"]["entities"][0], "confidence": 0.9}, {**gold["d"]["entities"][1], "role": "local", "confidence": 0.7}],
        "relations": [{"head": "T1", "tail": "T2", "label": "FUNDING", "confidence": 0.8}]}}
    assert decisions(gold, pred) == {"category": [(0.9, True)], "role": [(0.7, False)], "relation": [(0.8, True)]}
