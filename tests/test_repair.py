"""Span repair of the recognizer's output, and rule patterns that stay inside a paragraph."""
import pytest
from spacy.tokens import Span

from kcnlp.pipeline import build_rule_pipeline, build_tokenizer_only
from kcnlp.pipeline.ner import paragraph_ranges
from kcnlp.pipeline.rules import find_entities, repair_spans

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


def test_recognizer_activity_ends_before_a_goal_word():
    # SPEC §2: an ACTIVITY ends before "nhằm …", "cho …"
    assert _repaired("Hỗ trợ đổi mới thiết bị dệt nhằm tăng năng suất.", "đổi mới thiết bị dệt nhằm", "ACTIVITY") == \
        [("đổi mới thiết bị dệt", "ACTIVITY")]


def test_rule_activity_is_not_cut_inside_a_word():
    # "tạo" (as in "tạo ra") is a stop word, but here it is the second syllable of "đào tạo"
    ents = [(s.text, s.label_) for s in find_entities(nlp("Trung tâm mở lớp đào tạo cho 30 học viên."))]
    assert ("đào tạo", "ACTIVITY") in ents


def test_bare_head_is_an_org_only_as_a_defined_alias():
    no_alias = "Thời gian tới, Trung tâm sẽ tăng cường tuyên truyền."
    assert _repaired(no_alias, "Trung tâm", "ORG") == []
    defined = "Trung tâm Khuyến công Hà Nam (gọi tắt là Trung tâm) mở lớp. Năm sau, Trung tâm sẽ mở thêm."
    doc = nlp(defined)
    later = defined.rindex("Trung tâm")
    kept = repair_spans(doc, [doc.char_span(later, later + 9, label="ORG")])
    assert [(s.start_char, s.text) for s in kept] == [(later, "Trung tâm")]
    first = defined.index("Trung tâm)")  # the definition itself
    assert [s.text for s in repair_spans(doc, [doc.char_span(first, first + 9, label="ORG")])] == ["Trung tâm"]


def test_activity_fragments_touching_at_a_space_become_one_span():
    from kcnlp.pipeline.rules import EntityRules

    text = "Trung tâm hỗ trợ đầu tư thay mới lò sấy chè phục vụ chế biến.\nđầu tư\nlò sấy"
    doc = nlp(text)
    first, second = _span(doc, "đầu tư thay mới", "ACTIVITY"), _span(doc, "lò sấy chè", "ACTIVITY")
    own_line, next_line = [doc.char_span(m, m + len(t), label="ACTIVITY") for m, t in
                           ((text.rindex("đầu tư"), "đầu tư"), (text.rindex("lò sấy"), "lò sấy"))]
    doc.ents = [first, second, own_line, next_line]
    ents = [e.text for e in EntityRules(override=(), fill=())(doc).ents]
    # joined across a space, never across a line break
    assert ents == ["đầu tư thay mới lò sấy chè", "đầu tư", "lò sấy"]


def test_means_of_an_activity_has_the_served_category_as_a_feature():
    from kcnlp.pipeline.categories import category_features

    text = "Hỗ trợ nâng cao năng lực quản lý cho các HTX thông qua tổ chức 4 lớp đào tạo cho 120 học viên."
    start = text.index("đào tạo")
    assert category_features(text, start, start + 7).get("serves=MANAGEMENT") == 1.0
    plain = "Trung tâm tổ chức 4 lớp đào tạo cho 120 học viên."
    start = plain.index("đào tạo")
    assert not any(k.startswith("serves=") for k in category_features(plain, start, start + 7))


def test_organise_before_an_activity_is_no_organisation():
    ents = [(s.text, s.label_) for s in find_entities(nlp("Đề án “Tổ chức Hội chợ Công Thương tỉnh Vĩnh Long năm 2026”."))]
    assert ("Hội chợ Công Thương", "ACTIVITY") in ents and not any(label == "ORG" for _, label in ents)
    ents = [(s.text, s.label_) for s in find_entities(nlp("Tổ chức Phát triển Công nghiệp Liên hợp quốc tài trợ."))]
    assert ("Tổ chức Phát triển Công nghiệp Liên hợp quốc", "ORG") in ents


@pytest.mark.parametrize("text,activity,audience", [
    ("Trung tâm mở 46 lớp tập huấn vận hành máy gặt cho 1.500 lao động nông thôn.", "tập huấn", "workers"),
    ("Tổ chức 5 lớp đào tạo với 200 học viên là chủ các doanh nghiệp nhỏ.", "đào tạo", "business"),
    ("Mở 2 lớp tập huấn nghiệp vụ cho cán bộ làm công tác khuyến công cấp huyện.", "tập huấn", "officials"),
    ("Cán bộ khuyến công viên các xã được tập huấn về quản lý đề án.", "tập huấn", "officials"),
    ("Năm nay tổ chức tập huấn tại huyện Gia Lộc.", "tập huấn", None),
])
def test_who_an_activity_serves_is_a_category_feature(text, activity, audience):
    from kcnlp.pipeline.categories import category_features

    start = text.index(activity)
    feats = category_features(text, start, start + len(activity))
    assert [k for k in feats if k.startswith("audience=")] == ([f"audience={audience}"] if audience else [])


def test_no_organisation_name_ends_in_a_conjunction():
    doc = nlp("Ngay từ đầu năm, TTKC và Sở Công Thương đã triển khai kế hoạch.")
    start = doc.text.index("TTKC")
    span = doc.char_span(start, doc.text.index("Sở") - 1, label="ORG", alignment_mode="expand")
    assert [s.text for s in repair_spans(doc, [span])] == ["TTKC"]


@pytest.mark.parametrize("text,phrase,rejected", [
    ("nhằm nâng cao năng lực xây dựng đề án", "nâng cao năng lực xây dựng đề án", True),
    ("là cơ hội để tuyên truyền, quảng bá", "tuyên truyền", True),
    ("hỗ trợ xây dựng 9 mô hình", "xây dựng", True),
    ("đã thực hiện 466 chương trình, đề án khuyến công.", "đề án khuyến công", True),
    ("tầm quan trọng của việc phát triển công nghiệp đi đôi", "phát triển công nghiệp", True),
    ("Kế hoạch về phát triển công nghiệp nông thôn và khuyến công", "phát triển công nghiệp nông thôn và khuyến công", False),
    ("năm 2018, chương trình khuyến công quốc gia đã hỗ trợ", "chương trình khuyến công quốc gia", False),
    ("Tích cực triển khai các đề án khuyến công", "đề án khuyến công", False),
    ("tổ chức 12 lớp tập huấn cho lao động", "tập huấn", False),
])
def test_what_is_no_activity(text, phrase, rejected):
    from kcnlp.pipeline.rules import not_an_activity

    start = text.index(phrase)
    assert not_an_activity(text, start, start + len(phrase)) is rejected


def test_an_organisation_head_glued_to_the_word_before_is_kept():
    doc = nlp("Bà Trần Thị Công, chủ hộ kinh doanh Hiệp Công, cho biết.")
    start, end = doc.text.index("hộ kinh"), doc.text.index(", cho")
    span = doc.char_span(start, end, label="ORG", alignment_mode="expand")
    assert [s.text for s in repair_spans(doc, [span])] == ["hộ kinh doanh Hiệp Công"]
