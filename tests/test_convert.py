"""kcnlp.io.convert: round trips, hand-written tool files, every kind of skip, malformed input, CLI."""
import json
import subprocess
import sys
import unicodedata
from collections import Counter

import pytest

from kcnlp.cli import main
from kcnlp.corpus.validate import record_problems
from kcnlp.document import Document
from kcnlp.errors import RecordError
from kcnlp.io.convert import FORMATS, convert, read, write
from tests.conftest import REPO

DEV = REPO / "corpus" / "dev.jsonl"
EXAMPLE = REPO / "kcnlp" / "data" / "example_labelstudio.json"


@pytest.fixture(scope="module")
def dev_records():
    lines = DEV.read_text(encoding="utf-8").splitlines()[:4]
    return [Document.from_dict(json.loads(line)).to_dict() for line in lines]


def _target(tmp_path, fmt):
    return tmp_path / ("brat" if fmt == "brat" else f"out.{fmt}")


def _why(report):
    return Counter(s.why.split(":")[0].split(";")[0] for s in report.skipped)


def _core(rec):
    return ([(e["start"], e["end"], e["label"], e["text"], e.get("category"), e.get("role")) for e in rec["entities"]],
            rec["relations"], rec["id"], rec["meta"], rec["text"])


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_on_dev_records(tmp_path, dev_records, fmt):
    out = _target(tmp_path, fmt)
    wrote = write(dev_records, out, fmt)
    back, got = read(out, fmt)
    assert wrote.balanced and got.balanced and not wrote.skipped and not got.skipped
    assert got.read["entities"] == wrote.written["entities"] == sum(len(r["entities"]) for r in dev_records)
    if fmt in ("kcnlp", "labelstudio", "brat"):
        assert back == dev_records
    elif fmt == "doccano":  # entities, relations, category and role exact; values re-derived
        assert [_core(r) for r in back] == [_core(r) for r in dev_records]
        assert wrote.lost_count("attributes") > 0 and got.derived["attributes"] > 0
    else:  # conll: the label/text sequence of the entities (and here the text too)
        assert [r["text"] for r in back] == [r["text"] for r in dev_records]
        assert [[(e["label"], e["text"]) for e in r["entities"]] for r in back] == \
               [[(e["label"], e["text"]) for e in r["entities"]] for r in dev_records]
        assert wrote.lost_count("relations") == sum(len(r["relations"]) for r in dev_records)


def test_example_export_imports_without_skips():
    records, report = read(EXAMPLE, "labelstudio")
    assert len(records) == 3 and report.skipped == [] and report.balanced
    labels = {e["label"] for r in records for e in r["entities"]}
    assert labels == {"ORG", "MONEY", "QUANTITY", "ACTIVITY", "LOC", "DATE"}
    assert all(record_problems(r) == [] for r in records)
    assert all(r["relations"] for r in records)
    roles = {e["role"] for r in records for e in r["entities"] if e["label"] == "MONEY"}
    assert roles == {"total", "local", "national"}
    money = next(e for e in records[0]["entities"] if e["text"] == "650 triệu đồng")
    assert money["value"] == 650_000_000  # from the normalizer: the export has no fields textarea
    assert report.notes["entities given value fields by the normalizer"] == 11


def _region(rid, start, end, text, label):
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
            "value": {"start": start, "end": end, "text": text, "labels": [label]}}


def _choice(rid, start, end, text, name, value):
    return {"id": rid, "from_name": name, "to_name": "text", "type": "choices", "origin": "manual",
            "value": {"start": start, "end": end, "text": text, "choices": [value]}}


LS_TEXT = "Năm 2022, Sở Công Thương Nam Định hỗ trợ 2 lớp đào tạo nghề với kinh phí 180 triệu đồng."


def _ls_export():
    t = LS_TEXT
    def span(s):
        return (t.index(s), t.index(s) + len(s), s)
    good = [
        _region("a1", *span("Năm 2022"), "DATE"),
        _region("a2", *span("Sở Công Thương Nam Định"), "ORG"),
        _region("a3", *span("2 lớp"), "QUANTITY"),
        _region("a4", *span("đào tạo nghề"), "ACTIVITY"),
        _choice("a4", *span("đào tạo nghề"), "category", "TRAINING"),
        _region("a5", *span("180 triệu đồng"), "MONEY"),
        _choice("a5", *span("180 triệu đồng"), "role", "support"),
        {"id": "a5", "from_name": "fields", "to_name": "text", "type": "textarea",
         "value": {"start": span("180 triệu đồng")[0], "end": span("180 triệu đồng")[1],
                   "text": ['{"value": 180000000, "unit": "VND", "qualifier": null, "per": null, "value_max": null}']}},
        {"from_id": "a4", "to_id": "a5", "type": "relation", "direction": "right", "labels": ["FUNDING"]},
        {"from_id": "a3", "to_id": "a4", "type": "relation", "direction": "left", "labels": ["OUTPUT"]},
        {"from_id": "a4", "to_id": "a2", "type": "relation", "direction": "right", "labels": ["PARTICIPANT"]},
        {"from_id": "a4", "to_id": "a1", "type": "relation", "direction": "right", "labels": ["TIME"]},
    ]
    bad = [
        _region("b1", *span("Nam Định"), "LOC"),                        # overlapping span (inside a2)
        _region("b2", 200, 210, "xa", "ORG"),                            # offsets out of range
        _region("b3", 0, 3, "Nam", "DATE"),                              # span text mismatch ("Năm")
        _region("b4", *span("nghề với"), "SKILL"),                       # unknown label
        {"from_id": "a4", "to_id": "zz", "type": "relation", "direction": "right", "labels": ["PLACE"]},  # missing id
        {"from_id": "a4", "to_id": "a2", "type": "relation", "direction": "right", "labels": ["FUNDED_BY"]},  # unsupported
        {"from_id": "a4", "to_id": "b1", "type": "relation", "direction": "right", "labels": ["PLACE"]},  # to a skipped one
        _choice("a2", *span("Sở Công Thương Nam Định"), "category", "TRAINING"),  # category on an ORG
        {"id": "g1", "from_name": "quality", "to_name": "text", "type": "choices", "value": {"choices": ["good"]}},
    ]
    first = {"id": 7, "result": [], "was_cancelled": True}
    second = {"id": 8, "result": good + bad, "was_cancelled": False, "ground_truth": False}
    later = {"id": 9, "result": good[:1], "was_cancelled": False}
    prediction = {"model_version": "v1", "result": good}
    return [
        {"id": 1, "data": {"text": t}, "annotations": [first, second, later], "predictions": [prediction]},
        {"id": 2, "data": {"text": "Không có nhãn."}, "annotations": [{"id": 10, "result": [], "was_cancelled": True}]},
    ]


def test_labelstudio_export_reports_every_skip(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_ls_export(), ensure_ascii=False), encoding="utf-8")
    records, report = read(path, "labelstudio")
    assert len(records) == 1 and report.balanced
    rec = records[0]
    assert record_problems(rec) == []
    assert [e["id"] for e in rec["entities"]] == ["a1", "a2", "a3", "a4", "a5"]  # Label Studio ids kept
    assert {(r["head"], r["tail"], r["label"]) for r in rec["relations"]} == {
        ("a4", "a5", "FUNDING"), ("a4", "a3", "OUTPUT"), ("a4", "a2", "PARTICIPANT"), ("a4", "a1", "TIME")}
    money = rec["entities"][4]
    assert (money["role"], money["value"]) == ("support", 180_000_000)
    assert rec["entities"][0]["date_start"] == "2022"  # derived
    assert _why(report) == {
        "overlapping span": 1, "offsets 200..210 out of range (text has 88 characters)": 1,
        "span text mismatch": 1, "unknown label 'SKILL'": 1, "relation to a missing id 'zz'": 1,
        "unsupported relation label 'FUNDED_BY'": 1, "its entity b1 was skipped": 1, "ORG has no category": 1,
        "not attached to a labelled region": 1, "no annotation that is not cancelled": 1}
    assert all(s.where.startswith(f"{path} task ") for s in report.skipped)
    assert report.notes["predictions ignored (only annotations are read)"] == 1
    assert report.notes["cancelled annotations ignored"] == 2
    assert report.notes["later annotations of a task ignored (the first one not cancelled is read)"] == 1
    assert report.read["documents"] == 2 and report.skipped_count("documents") == 1


def test_labelstudio_nfd_text_is_mapped_to_nfc(tmp_path):
    text = unicodedata.normalize("NFD", "Tỉnh Hà Nam chi 3 tỷ đồng.")
    start = text.index("3 t")
    end = start + len(unicodedata.normalize("NFD", "3 tỷ đồng"))
    task = {"id": 1, "data": {"text": text}, "annotations": [{"id": 1, "result": [
        _region("m", start, end, text[start:end], "MONEY"), _region("bad", 1, 2, text[1:2], "LOC")]}]}
    path = tmp_path / "nfd.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    (rec,), report = read(path, "labelstudio")
    assert rec["text"] == unicodedata.normalize("NFC", text)
    assert [(e["text"], e["value"]) for e in rec["entities"]] == [("3 tỷ đồng", 3_000_000_000)]
    assert report.notes["texts not in NFC: converted to NFC, offsets mapped"] == 1
    assert _why(report) == {"offsets 1..2 split a composed character": 1}


def test_doccano_file_both_forms(tmp_path):
    text = "Năm 2021, tỉnh Nam Định tổ chức 3 lớp tập huấn với tổng kinh phí 1,2 tỷ đồng."
    def at(s):
        return (text.index(s), text.index(s) + len(s))
    lines = [
        {"id": 17, "text": text, "Comments": [], "entities": [
            {"id": 101, "label": "DATE", "start_offset": at("Năm 2021")[0], "end_offset": at("Năm 2021")[1]},
            {"id": 102, "label": "LOC", "start_offset": at("Nam Định")[0], "end_offset": at("Nam Định")[1]},
            {"id": 103, "label": "QUANTITY", "start_offset": at("3 lớp")[0], "end_offset": at("3 lớp")[1]},
            {"id": 104, "label": "ACTIVITY:MANAGEMENT", "start_offset": at("tập huấn")[0], "end_offset": at("tập huấn")[1]},
            {"id": 105, "label": "MONEY", "start_offset": at("1,2 tỷ đồng")[0], "end_offset": at("1,2 tỷ đồng")[1]},
            {"id": 106, "label": "MONEY:federal", "start_offset": at("tổng")[0], "end_offset": at("tổng")[1]},
            {"id": 107, "label": "ORG", "start_offset": 5, "end_offset": 500},
            {"id": 108, "start_offset": 0, "end_offset": 3}],
         "relations": [
            {"id": 1, "from_id": 104, "to_id": 105, "type": "FUNDING"},
            {"id": 2, "from_id": 104, "to_id": 103, "type": "OUTPUT"},
            {"id": 3, "from_id": 104, "to_id": 102, "type": "PLACE"},
            {"id": 4, "from_id": 104, "to_id": 101, "type": "TIME"},
            {"id": 5, "from_id": 103, "to_id": 105, "type": "FUNDING"},
            {"id": 6, "from_id": 104, "to_id": 999, "type": "TIME"}]},
        {"text": "Hỗ trợ 2 lớp đào tạo nghề.", "label": [[7, 12, "QUANTITY"], [13, 25, "ACTIVITY"]]},
    ]
    path = tmp_path / "doccano.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    (first, second), report = read(path, "doccano")
    assert report.balanced
    assert first["id"] == "17" and [e["id"] for e in first["entities"]] == ["T1", "T2", "T3", "T4", "T5", "T6"]
    by_text = {e["text"]: e for e in first["entities"]}
    assert by_text["tập huấn"]["category"] == "MANAGEMENT"
    assert by_text["1,2 tỷ đồng"]["value"] == 1_200_000_000 and by_text["1,2 tỷ đồng"]["role"] == "total"  # cue words
    assert by_text["tổng"]["label"] == "MONEY"  # kept; only its unknown role "federal" is skipped
    assert len(first["relations"]) == 4
    assert [(e["label"], e["text"]) for e in second["entities"]] == [("QUANTITY", "2 lớp"), ("ACTIVITY", "đào tạo nghề")]
    assert second["id"] == "doccano-2" and second["entities"][1]["category"] is None
    assert _why(report) == {"unknown role": 1, "offsets 5..500 out of range (text has 77 characters)": 1,
                            "needs id, label, start_offset, end_offset": 1,
                            "FUNDING goes from an ACTIVITY to a MONEY, not QUANTITY -> MONEY": 1,
                            "relation to a missing id '999'": 1}
    assert all(s.where in (f"{path}:1", f"{path}:2") for s in report.skipped)
    assert report.notes["ACTIVITY entities without a category in the source (left null)"] == 1


def test_brat_folder_reports_what_it_cannot_read(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    text = "Tỉnh Bắc Ninh hỗ trợ 5 cơ sở ứng dụng máy móc thiết bị\r\nvới 2 tỷ đồng."
    (folder / "a.txt").write_bytes(text.encode("utf-8"))
    s = text.index("2 tỷ đồng")
    ann = [
        "T1\tLOC 5 13\tBắc Ninh",
        "T2\tQUANTITY 21 28\t5 cơ sở",
        "T3\tACTIVITY 29 54\tứng dụng máy móc thiết bị",
        f"T4\tMONEY {s} {s + 9}\t2 tỷ đồng",
        "T5\tORG 0 4;5 13\tTỉnh Bắc Ninh",
        "R1\tFUNDING Arg1:T3 Arg2:T4",
        "R2\tFUNDED_BY Arg1:T4 Arg2:T3",
        "R3\tPLACE Arg1:T3 Arg2:T5",
        "R4\tOUTPUT Arg1:T3 Arg2:T2",
        "A1\tcategory T3 TECHNOLOGY",
        "A2\tNegated T3",
        "A3\trole T4 local",
        "#1\tAnnotatorNotes T2\tkiểm tra lại",
        "E1\tACTIVITY:T3 Money:T4",
    ]
    (folder / "a.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_text("Không có gì.", encoding="utf-8")
    (rec, empty), report = read(folder, "brat")
    assert report.balanced and rec["id"] == "a" and empty["entities"] == []
    assert rec["text"] == text  # \r\n kept: brat offsets count it
    assert [e["id"] for e in rec["entities"]] == ["T1", "T2", "T3", "T4"]
    assert rec["entities"][3]["role"] == "local" and rec["entities"][3]["value"] == 2_000_000_000
    assert rec["entities"][1]["value"] == 5  # the note was not JSON: derived instead
    assert len(rec["relations"]) == 2
    assert _why(report) == {"discontinuous span '0 4": 1, "unsupported relation label 'FUNDED_BY'": 1,
                            "its entity T5 was skipped": 1, "kcnlp reads the attributes 'category VALUE' and 'role VALUE' only": 1,
                            "not an AnnotatorNotes JSON object of value fields": 1,
                            "brat events are not read": 1}
    assert {s.where for s in report.skipped} == {f"{folder / 'a.ann'}:{n}" for n in (5, 7, 8, 11, 13, 14)}
    assert report.notes["documents without an .ann file (read with no annotations)"] == 1


def test_brat_output_declares_the_schema_and_keeps_meta(tmp_path, dev_records):
    write(dev_records[:1], tmp_path / "b", "brat")
    conf = (tmp_path / "b" / "annotation.conf").read_text(encoding="utf-8")
    assert "FUNDING Arg1:ACTIVITY, Arg2:MONEY" in conf and "category Arg:ACTIVITY" in conf
    ann = (tmp_path / "b" / f"{dev_records[0]['id']}.ann").read_text(encoding="utf-8")
    assert "\tAnnotatorNotes T" in ann and "\tcategory T" in ann


def test_conll_export_and_import(tmp_path):
    recs = [{"id": "x", "text": "Năm 2022 HàNội chi 15 - 40% kinh phí.\nTập huấn 3 lớp.\n\n", "meta": {}, "entities": [
        {"id": "T1", "start": 0, "end": 8, "label": "DATE", "text": "Năm 2022"},
        {"id": "T2", "start": 11, "end": 14, "label": "LOC", "text": "Nội"},
        {"id": "T3", "start": 19, "end": 27, "label": "QUANTITY", "text": "15 - 40%"},
        {"id": "T4", "start": 38, "end": 46, "label": "ACTIVITY", "text": "Tập huấn", "category": "MANAGEMENT"},
        {"id": "T5", "start": 47, "end": 52, "label": "QUANTITY", "text": "3 lớp"}],
        "relations": [{"head": "T4", "tail": "T5", "label": "OUTPUT"}]}]
    out = tmp_path / "o.conll"
    report = write(recs, out, "conll")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:4] == ["-DOCSTART- -X- -X- O", "", "Năm -X- _ B-DATE", "2022 -X- _ I-DATE"]
    assert "40 -X- SpaceAfter=No I-QUANTITY" in lines and "phí -X- SpaceAfter=No O" in lines
    assert lines[-3:] == ["lớp -X- SpaceAfter=No I-QUANTITY", ". -X- SpacesAfter=\\n\\n O", ""]
    assert _why(report) == {"an edge falls inside a token": 1}
    assert report.lost_count("relations") == 1 and report.balanced
    (back,), got = read(out, "conll")
    assert back["id"] == "o-1" and back["text"] == recs[0]["text"]
    assert [(e["label"], e["text"]) for e in back["entities"]] == [
        ("DATE", "Năm 2022"), ("QUANTITY", "15 - 40%"), ("ACTIVITY", "Tập huấn"), ("QUANTITY", "3 lớp")]
    assert back["entities"][1]["value_max"] == 40 and got.balanced


def test_conll_import_iob1_and_unknown_labels(tmp_path):
    path = tmp_path / "in.conll"
    path.write_text("-DOCSTART- -X- -X- O\n\nHà -X- _ I-LOC\nNội -X- _ I-LOC\nvà O\nX -X- _ B-PER\n\n"
                    "-DOCSTART- -X- -X- O\n\nNăm -X- _ B-DATE\n2020 -X- _ I-DATE\n", encoding="utf-8")
    (a, b), report = read(path, "conll")
    assert a["text"] == "Hà Nội và X" and [e["text"] for e in a["entities"]] == ["Hà Nội"]
    assert b["entities"][0]["date_start"] == "2020"
    assert report.notes["I- tags with no B- before them, read as the start of an entity"] == 1
    assert [str(s) for s in report.skipped] == [f"{path}:6: skipped entity C2 PER: unknown label 'PER'; labels are ORG, MONEY, QUANTITY, ACTIVITY, LOC, DATE"]


@pytest.mark.parametrize("fmt, content, code, where", [
    ("labelstudio", '{"data": {"text": "x"}}', "E110", "in"),
    ("labelstudio", '[\n{"data": {"text": "x"}},\n{"data": }\n]', "E106", "in:3"),
    ("labelstudio", '[{"id": 5, "data": {"content": "x"}}]', "E111", "in task 5"),
    ("doccano", '{"text": "a", "entities": []}\n{"text": "b",\n', "E106", "in:2"),
    ("doccano", '{"text": "a"}\n["text"]\n', "E104", "in:2"),
    ("doccano", '{"text": "a"}\n{"data": "b"}\n', "E111", "in:2"),
    ("conll", "Hà -X- _ B-LOC\nNội\n", "E112", "in:2"),
    ("conll", "Hà -X- _ S-LOC\n", "E112", "in:1"),
    ("kcnlp", '{"id": "a", "text": 3}\n', "E111", "in:1"),
])
def test_malformed_input_says_file_and_line(tmp_path, fmt, content, code, where):
    path = tmp_path / "in"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordError) as exc:
        read(path, fmt)
    assert exc.value.code == code and f"{tmp_path / where}" in str(exc.value)


def test_malformed_brat_line(tmp_path):
    (tmp_path / "a.txt").write_text("abc", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tLOC 0 3\tabc\nX9 what\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"a\.ann:2: not a brat standoff line") as exc:
        read(tmp_path, "brat")
    assert exc.value.code == "E112"


def test_tool_to_tool_keeps_entities_and_relations(tmp_path):
    direct, _ = read(EXAMPLE, "labelstudio")
    report = convert(EXAMPLE, "labelstudio", tmp_path / "d.jsonl", "doccano")
    via, _ = read(tmp_path / "d.jsonl", "doccano")
    assert report.balanced and not report.skipped
    def strip(r):
        return ([(e["label"], e["text"], e.get("category"), e.get("role")) for e in r["entities"]], len(r["relations"]))
    assert [strip(r) for r in via] == [strip(r) for r in direct]


def test_cli_convert(tmp_path, capsys):
    out = tmp_path / "ls.json"
    assert main(["convert", "--from", "kcnlp", "--to", "labelstudio", str(DEV), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "convert kcnlp -> labelstudio" in err and "skipped 0" in err
    assert len(json.loads(out.read_text(encoding="utf-8"))) == len(DEV.read_text(encoding="utf-8").splitlines())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_ls_export(), ensure_ascii=False), encoding="utf-8")
    loose, strict = tmp_path / "loose.jsonl", tmp_path / "strict.jsonl"
    assert main(["convert", "--from", "labelstudio", "--to", "kcnlp", str(bad), "-o", str(loose)]) == 1
    assert "skipped entity b4 SKILL" in capsys.readouterr().err and loose.exists()
    assert main(["convert", "--from", "labelstudio", "--to", "kcnlp", str(bad), "-o", str(strict), "--strict"]) == 1
    assert "nothing written" in capsys.readouterr().err and not strict.exists()
    bad.write_text("{}", encoding="utf-8")
    assert main(["convert", "--from", "labelstudio", "--to", "kcnlp", str(bad), "-o", str(loose)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kcnlp: [E110]") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["convert", "--from", "kcnlp", "x", "-o", "y"],
                                  ["convert", "--from", "xml", "--to", "kcnlp", "x", "-o", "y"],
                                  ["convert", "--from", "kcnlp", "--to", "conll", "x"]])
def test_cli_convert_usage_errors(argv):
    assert main(argv) == 2


def test_cli_convert_subprocess_to_brat(tmp_path):
    res = subprocess.run([sys.executable, "-m", "kcnlp.cli", "convert", "--from", "labelstudio", "--to", "brat",
                          str(EXAMPLE), "-o", str(tmp_path / "brat")], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "brat").glob("*.ann")) == [
        "example-bacgiang-2022.ann", "example-hanoi-2023.ann", "example-thaibinh-2024.ann"]
    assert "relations  read 19, written 19" in res.stderr
