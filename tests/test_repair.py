"""Span repair of the recognizer's output, and rule patterns that stay inside a paragraph."""
from spacy.tokens import Span

from kcnlp.ner import paragraph_ranges
from kcnlp.pipeline import build_rule_pipeline, build_tokenizer_only
from kcnlp.rules import find_entities, repair_spans

nlp = build_tokenizer_only()


def _span(doc, text, label):
    start = doc.text.index(text)
    return doc.char_span(start, start + len(text), label=label, alignment_mode="expand")


def _repaired(text, piece, label):
    doc = nlp(text)
    return [(s.text, s.label_) for s in repair_spans(doc, [_span(doc, piece, label)])]


def test_capitalised_name_glued_to_a_neighbour_is_kept_whole():
    # underthesea reads "trình Bộ" and "Phước cử" as words; the names must not lose a syllable
    assert _repaired("Sở sẽ tổng hợp trình Bộ Công thương xem xét.", "Bộ Công thương", "ORG") == [("Bộ Công thương", "ORG")]
    assert _repaired("Năm 2019, Sở Công Thương Bình Phước cử cán bộ tham gia.", "Sở Công Thương Bình Phước", "ORG") == \
        [("Sở Công Thương Bình Phước", "ORG")]


def test_lowercase_span_edge_inside_a_word_is_trimmed():
    doc = nlp("Trung tâm tổ chức đào tạo nghề mây tre đan cho lao động.")
    cut = Span(doc, 3, 6, label="ACTIVITY")  # "chức đào tạo": starts inside "tổ chức"
    assert cut.text == "chức đào tạo"
    assert [s.text for s in repair_spans(doc, [cut])] == ["đào tạo"]


def test_org_takes_its_attached_province():
    assert _repaired("Trung tâm Khuyến công tỉnh Thái Bình tổ chức lớp học.", "Trung tâm Khuyến công", "ORG") == \
        [("Trung tâm Khuyến công tỉnh Thái Bình", "ORG")]


def test_rule_patterns_stop_at_a_line_break():
    text = "Bế giảng lớp truyền nghề tại Thanh Oai\nNgày 15/9/2017, huyện Mỹ Đức\nHà Nội có 200\ntriệu đồng"
    ents = [(s.text, s.label_) for s in find_entities(nlp(text))]
    assert ("Thanh Oai", "LOC") in ents and ("Mỹ Đức", "LOC") in ents
    assert all("\n" not in t for t, _ in ents)
    assert not any(label == "MONEY" for _, label in ents)


def test_paragraph_ranges_skip_line_breaks():
    doc = nlp("Dòng một\n\nDòng hai có ba\nx")
    assert [doc[a:b].text for a, b in paragraph_ranges(doc)] == ["Dòng một", "Dòng hai có ba", "x"]


def test_no_entity_crosses_a_paragraph_in_the_rules_pipeline():
    text = "Hỗ trợ máy sấy cho HTX Quyết Thắng ở Đồng Xoài\nCông ty TNHH Minh Long nhận 300 triệu đồng\nTại Hà Nội"
    doc = build_rule_pipeline()(text)
    assert doc.ents and all("\n" not in e.text for e in doc.ents)
