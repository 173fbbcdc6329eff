"""The labeling loop: pre-annotated Label Studio tasks and which articles to label next."""
import json

import kcnlp
from kcnlp.cli import main
from kcnlp.io.convert import read

CLEAR = "Năm 2023, Trung tâm Khuyến công Nam Định tổ chức 2 lớp đào tạo nghề cho 70 học viên với kinh phí 180 triệu đồng."
MESSY = ("Gần 71 tỷ đồng thực hiện chương trình, nhiều hoạt động. Các trung tâm dạy nghề, các doanh nghiệp xây dựng "
         "đề án, biên soạn tài liệu, tập huấn và hướng dẫn sản xuất; 3 lớp mỗi năm, hơn 500 triệu đồng cho hội chợ, "
         "tư vấn, truyền thông và khảo sát tại Lào Cai, Yên Bái.")


def _write(tmp_path, texts):
    f = tmp_path / "a.jsonl"
    f.write_text("".join(json.dumps({"id": f"d{k}", "text": t}, ensure_ascii=False) + "\n" for k, t in enumerate(texts)),
                 encoding="utf-8")
    return f


def test_export_writes_predictions_a_person_corrects_and_the_importer_ignores(tmp_path, capsys):
    f = _write(tmp_path, [CLEAR])
    out = tmp_path / "tasks.json"
    assert main(["label", "export", str(f), "-o", str(out)]) == 0
    task = json.loads(out.read_text(encoding="utf-8"))[0]
    assert task["annotations"] == [] and task["predictions"][0]["model_version"].startswith("kcnlp")
    result = task["predictions"][0]["result"]
    assert any(r.get("score") for r in result if r["type"] == "labels") and any(r.get("score") for r in result if r["type"] == "relation")
    records, report = read(out, "labelstudio")   # only corrected work (annotations) is read back
    assert records == [] and [s.why for s in report.skipped] == ["no annotation that is not cancelled"]
    assert "predictions ignored" in report.format()


def test_convert_with_predictions_keeps_the_scores(tmp_path):
    rec = kcnlp.extract(CLEAR).to_dict()
    src = tmp_path / "r.jsonl"
    src.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "t.json"
    assert main(["convert", "--from", "kcnlp", "--to", "labelstudio", str(src), "-o", str(out), "--predictions"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))[0]["predictions"][0]["result"]
    scores = sorted(r["score"] for r in result if r["type"] == "relation")
    assert scores == sorted(r["confidence"] for r in rec["relations"])


def test_suggest_ranks_the_unsure_article_first_with_a_reason(tmp_path, capsys):
    f = _write(tmp_path, [CLEAR, MESSY])
    assert main(["label", "suggest", str(f), "-n", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[1] == "d1" and "unsure decisions" in lines[0] and "weakest" in lines[0]


def test_suggest_needs_a_trained_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KCNLP_MODEL", "rules")
    import kcnlp.pipeline.build as build

    monkeypatch.setattr(build, "_default", None)
    assert main(["label", "suggest", str(_write(tmp_path, [CLEAR]))]) == 1
    assert "[E208]" in capsys.readouterr().err
