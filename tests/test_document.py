"""The output model's to_dict() is exactly the SPEC record, from_dict() its inverse."""

import pytest

from kcnlp.document import Document, Entity, Relation
from kcnlp.errors import KcnlpError
from kcnlp.io.jsonl import read_documents, write_documents


def test_real_gold_round_trips(real_records):
    for rec in real_records:
        doc = Document.from_dict(rec)
        out = doc.to_dict()
        assert {k: out[k] for k in rec} == rec  # every gold field back unchanged
        assert Document.from_dict(out).to_dict() == out


def test_events_are_derived_from_relations():
    doc = Document(
        text="đào tạo nghề 2 lớp 10 triệu đồng",
        entities=[Entity("T1", 0, 12, "ACTIVITY", "đào tạo nghề", {"category": "TRAINING"}),
                  Entity("T2", 13, 18, "QUANTITY", "2 lớp", {"value": 2, "unit": "lớp"}),
                  Entity("T3", 19, 32, "MONEY", "10 triệu đồng", {"value": 10_000_000, "unit": "VND", "role": "support"})],
        relations=[Relation("T1", "T3", "FUNDING"), Relation("T1", "T2", "OUTPUT")],
    )
    assert doc.to_dict()["events"] == [{"trigger": "T1", "category": "TRAINING", "funding": ["T3"], "outputs": ["T2"],
                                        "participants": [], "times": [], "places": [],
                                        "state_vnd": 10_000_000, "counterpart_vnd": None, "total_vnd": 10_000_000}]


def test_label_fields_are_always_present():
    ent = Entity("T1", 0, 5, "MONEY", "5 tỷ", {})
    d = ent.to_dict()
    assert list(d) == ["id", "start", "end", "label", "text", "value", "value_max", "unit", "qualifier", "per", "role"]
    assert ent.value is None


def test_attribute_access_and_errors():
    ent = Entity("T1", 0, 5, "QUANTITY", "5 lớp", {"value": 5})
    assert ent.value == 5
    with pytest.raises(AttributeError):
        ent.nonexistent
    with pytest.raises(KcnlpError, match="E102"):
        Entity.from_dict({"id": "T1", "start": 0, "end": 1, "label": "PERSON", "text": "x"})
    with pytest.raises(KcnlpError, match="E104"):
        Document.from_dict({"entities": []})


def test_jsonl_round_trip(tmp_path, real_records):
    docs = [Document.from_dict(r) for r in real_records]
    path = tmp_path / "out.jsonl"
    assert write_documents(docs, path) == len(docs)
    back = list(read_documents(path))
    assert [d.to_dict() for d in back] == [d.to_dict() for d in docs]
    assert "Vĩnh Phúc" in path.read_text(encoding="utf-8")  # not \\u-escaped


def test_jsonl_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n{"id": "b", "text": \n', encoding="utf-8")
    with pytest.raises(KcnlpError, match=r"bad.jsonl:2"):
        list(read_documents(path))
