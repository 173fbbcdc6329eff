"""Retraining on newly labelled articles (slow: trains on the whole corpus).

Organisations named "Xưởng <trade> <name>" (a workshop) appear nowhere in the corpus and no
rule knows the head word "Xưởng". A few labelled documents with that pattern are added; the
retrained model then finds such names in sentences it has not seen.
"""
from pathlib import Path

import pytest

import kcnlp
from kcnlp.io.jsonl import write_records
from kcnlp.pipeline.values import entity_fields
from kcnlp.training.train import train_model

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TRADES = ["Mộc", "Gốm", "Rèn", "Dệt", "Mây tre", "Sơn mài", "Cơ khí", "Chế biến chè", "Đan cói", "Bánh đa"]
NAMES = ["Phúc An", "Hưng Thịnh", "Thành Công", "Bảo Ngọc", "Đại Phát", "Minh Khang", "Quang Vinh",
         "Hòa Thuận", "Tân Tiến", "Đông Á"]
HELD_OUT = [("Năm 2025, Xưởng Gỗ Lâm Phong ở huyện Yên Thành được hỗ trợ 300 triệu đồng mua máy bào.", "Xưởng Gỗ Lâm Phong"),
            ("Sở Công Thương đã nghiệm thu dây chuyền sấy của Xưởng Chế biến miến Ngọc Lan.", "Xưởng Chế biến miến Ngọc Lan")]


def _record(i: int) -> dict:
    org = f"Xưởng {TRADES[i]} {NAMES[i]}"
    text = (f"Năm 202{i % 5}, {org} tại tỉnh Nghệ An được hỗ trợ {200 + 10 * i} triệu đồng từ kinh phí "
            f"khuyến công địa phương để ứng dụng máy móc thiết bị tiên tiến. {org} có {20 + i} lao động.")
    spans = [(text.index("Năm 202"), text.index("Năm 202") + 8, "DATE"), (text.index(org), text.index(org) + len(org), "ORG"),
             (text.index("Nghệ An"), text.index("Nghệ An") + 7, "LOC")]
    money = f"{200 + 10 * i} triệu đồng"
    spans.append((text.index(money), text.index(money) + len(money), "MONEY"))
    act = "ứng dụng máy móc thiết bị tiên tiến"
    spans.append((text.index(act), text.index(act) + len(act), "ACTIVITY"))
    second = text.index(org, text.index(org) + 1)
    spans.append((second, second + len(org), "ORG"))
    workers = f"{20 + i} lao động"
    spans.append((text.index(workers), text.index(workers) + len(workers), "QUANTITY"))
    entities = []
    for k, (s, e, label) in enumerate(sorted(spans), 1):
        ent = {"id": f"T{k}", "start": s, "end": e, "label": label, "text": text[s:e]}
        role = "local" if label == "MONEY" else None
        ent.update(entity_fields(text, s, e, label, role))
        if label == "ACTIVITY":
            ent["category"] = "TECHNOLOGY"
        entities.append(ent)
    by_label = {}
    for ent in entities:
        by_label.setdefault(ent["label"], []).append(ent["id"])
    act_id = by_label["ACTIVITY"][0]
    relations = [{"head": act_id, "tail": by_label["MONEY"][0], "label": "FUNDING"},
                 {"head": act_id, "tail": by_label["ORG"][0], "label": "PARTICIPANT"},
                 {"head": act_id, "tail": by_label["DATE"][0], "label": "TIME"},
                 {"head": act_id, "tail": by_label["LOC"][0], "label": "PLACE"}]
    return {"id": f"xuong-{i}", "text": text, "entities": entities, "relations": relations, "meta": {"kind": "brief"}}


def _orgs(nlp, text):
    return {e.text for e in kcnlp.extract(text, nlp=nlp).entities if e.label == "ORG"}


@pytest.mark.slow
def test_retrained_model_finds_a_new_organisation_pattern(tmp_path):
    added = tmp_path / "added.jsonl"
    write_records([_record(i) for i in range(len(TRADES))], added)
    meta_before = train_model(CORPUS, tmp_path / "before", iterations=150)
    meta_after = train_model(CORPUS, tmp_path / "after", iterations=150, extra=[str(added)])
    before, after = kcnlp.load(tmp_path / "before"), kcnlp.load(tmp_path / "after")
    assert meta_after["corpus"]["train_docs"] == meta_before["corpus"]["train_docs"] + len(TRADES)
    for text, org in HELD_OUT:
        assert org not in _orgs(before, text)
        assert org in _orgs(after, text), (text, _orgs(after, text))
