"""Output views: DataFrames, displaCy HTML, the html format and the Excel BOM option."""
import pandas as pd

import kcnlp
from kcnlp.cli import main
from tests.conftest import REPO

EXAMPLE = REPO / "kcnlp" / "data" / "example.txt"


def test_to_dataframe_events_and_entities():
    doc = kcnlp.extract(EXAMPLE.read_text(encoding="utf-8"), doc_id="ex")
    events = kcnlp.to_dataframe([doc], kind="events")
    assert isinstance(events, pd.DataFrame) and len(events) == len(doc.to_dict()["events"])
    assert (events["doc_id"] == "ex").all() and "TRAINING" in set(events["category"])
    ents = kcnlp.to_dataframe(doc, kind="entities")
    assert len(ents) == len(doc.entities) and set(ents["label"]) >= {"MONEY", "ORG", "ACTIVITY"}
    assert ents.loc[ents["text"] == "180 triệu đồng", "value"].iloc[0] == 180_000_000


def test_render_highlights_entities():
    doc = kcnlp.extract("Năm 2023, Sở Công Thương Nam Định chi 5 tỷ đồng cho đào tạo nghề.")
    html = kcnlp.render(doc)
    assert "5 tỷ đồng" in html and "MONEY" in html and "ACTIVITY:TRAINING" in html


def test_html_format_writes_a_page(tmp_path):
    out = tmp_path / "o.html"
    assert main(["extract", str(EXAMPLE), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Hội chợ Công Thương" in page and page.rstrip().endswith("</html>")


def test_csv_with_bom_for_excel(tmp_path):
    out = tmp_path / "o.csv"
    assert main(["extract", str(EXAMPLE), "--format", "csv", "--bom", "-o", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "đào tạo nghề".encode() in raw
