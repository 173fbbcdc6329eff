"""The kcnlp command line: formats, errors and exit codes (0 ok, 1 inputs failed, 2 usage)."""
import csv
import io
import json
import subprocess
import sys

import pytest

from kcnlp.cli import main
from tests.conftest import REPO

EXAMPLE = REPO / "kcnlp" / "data" / "example.txt"


def test_example_prints_events(capsys):
    assert main(["extract", "--example"]) == 0
    out = capsys.readouterr().out
    assert "TRAINING: đào tạo nghề thêu ren" in out and "180 triệu đồng" in out


def test_jsonl_output_is_spec_records(tmp_path):
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(EXAMPLE), "-o", str(out)]) == 0
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["id"] == "example" and rec["text"] == EXAMPLE.read_text(encoding="utf-8")
    assert {"entities", "relations", "events"} <= set(rec)


def test_csv_has_one_row_per_event(tmp_path):
    out = tmp_path / "o.csv"
    assert main(["extract", str(EXAMPLE), "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    events = json.loads(subprocess.run([sys.executable, "-m", "kcnlp.cli", "extract", str(EXAMPLE)],
                                       capture_output=True, text=True, check=True).stdout)["events"]
    assert len(rows) == len(events) > 0
    assert rows[0]["category"] == events[0]["category"]


def test_json_and_jsonl_input_and_directory(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Năm 2022 chi 5 tỷ đồng cho đào tạo nghề.", encoding="utf-8")
    (tmp_path / "in" / "b.jsonl").write_text(json.dumps({"id": "x1", "text": "Hỗ trợ 2 lớp tập huấn."}) + "\n", encoding="utf-8")
    out = tmp_path / "o.json"
    assert main(["extract", str(tmp_path / "in"), "--format", "json", "-o", str(out)]) == 0
    assert [d["id"] for d in json.loads(out.read_text(encoding="utf-8"))] == ["a", "x1"]


def test_non_utf8_file_fails_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Kinh phí 2 tỷ đồng".encode("cp1258", errors="replace") + b"\xff")
    assert main(["extract", str(bad), str(EXAMPLE)]) == 1
    err = capsys.readouterr().err
    assert "bad.txt: not UTF-8" in err and "--skip-errors" in err


def test_skip_errors_goes_on_and_reports(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(bad), str(tmp_path / "missing.txt"), str(EXAMPLE), "--skip-errors", "-o", str(out)]) == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    err = capsys.readouterr().err
    assert "missing.txt: no such file" in err and "skipped 2" in err


@pytest.mark.parametrize("argv", [["extract"], ["extract", "--format", "xml", "x"], ["nosuch"], ["corpus"]])
def test_usage_errors_exit_2(argv):
    assert main(argv) == 2


def test_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("Chi 3 tỷ đồng năm 2021.".encode("utf-8"))))
    assert main(["extract", "-"]) == 0
    rec = json.loads(capsys.readouterr().out)
    # what matters here is that stdin is read whole; which entities the model finds is the
    # evaluation's business
    assert rec["text"] == "Chi 3 tỷ đồng năm 2021."
    assert "3 tỷ đồng" in [e["text"] for e in rec["entities"]]
    assert all(rec["text"][e["start"]:e["end"]] == e["text"] for e in rec["entities"])


def test_help_is_fast_and_works():
    res = subprocess.run([sys.executable, "-m", "kcnlp.cli", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "extract" in res.stdout


def test_workers_give_the_same_output(tmp_path):
    src = tmp_path / "in.jsonl"
    texts = ["Năm 2022 chi 5 tỷ đồng cho đào tạo nghề.", "", "Hỗ trợ 2 lớp tập huấn.", "Sở Công Thương Nam Định tổ chức hội chợ."] * 3
    src.write_text("".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["extract", str(src), "-o", str(one)]) == 0
    assert main(["extract", str(src), "-o", str(two), "--workers", "2", "--batch-size", "2"]) == 0
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")
