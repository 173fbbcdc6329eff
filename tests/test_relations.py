"""Relation candidates and the features the relation classifier sees."""
from kcnlp.pipeline.relations import _clause_activities, _features_for
from kcnlp.pipeline.relations import candidate_pairs as _triples


def candidate_pairs(text, ents):
    return [(a, j) for a, j, _ in _triples(text, ents)]


def _ents(text, spans):
    out = []
    for piece, label in spans:
        start = text.index(piece)
        out.append((start, start + len(piece), label, {"category": "MANAGEMENT"} if label == "ACTIVITY" else {}))
    return sorted(out, key=lambda e: e[0])


def test_continuation_sentence_arguments_are_candidates_of_the_sentence_before():
    text = "Trung tâm hỗ trợ đầu tư thay mới lò sấy chè phục vụ chế biến. Cụ thể, Phú Thọ đã cấp 1,5 tỷ đồng."
    ents = _ents(text, [("đầu tư thay mới lò sấy chè", "ACTIVITY"), ("Phú Thọ", "LOC"), ("1,5 tỷ đồng", "MONEY")])
    assert candidate_pairs(text, ents) == [(0, 1), (0, 2)]
    plain = text.replace("Cụ thể, ", "")
    assert candidate_pairs(plain, _ents(plain, [("đầu tư thay mới lò sấy chè", "ACTIVITY"), ("Phú Thọ", "LOC"),
                                                ("1,5 tỷ đồng", "MONEY")])) == []


def test_figures_of_a_means_carry_a_feature_for_the_activity_it_serves():
    text = "Hỗ trợ nâng cao năng lực quản lý cho các HTX thông qua tổ chức 4 lớp tập huấn cho 120 học viên."
    ents = _ents(text, [("nâng cao năng lực quản lý", "ACTIVITY"), ("4 lớp", "QUANTITY"),
                        ("tập huấn", "ACTIVITY"), ("120 học viên", "QUANTITY")])
    pairs, feats = _features_for(text, ents)
    by_pair = dict(zip(pairs, feats))
    outer, inner, trainees = 0, 2, 3
    assert by_pair[(outer, trainees)].get("means=QUANTITY|1") == 1.0  # one activity (the means) between
    assert not any(k.startswith("means=") for k in by_pair[(inner, trainees)])
    assert _clause_activities(text, ents, trainees)[2] == [outer, inner]


def test_list_items_hang_off_the_header_that_ends_in_a_colon():
    from kcnlp.pipeline.relations import list_headers, sentence_bounds

    text = ("Năm 2024, Trung tâm Khuyến công Hà Nam thực hiện các nội dung sau:\n"
            "- Nguồn quốc gia:\n"
            "+ Đào tạo nghề mây tre đan cho 30 lao động.\n"
            "+ Hội chợ hàng thủ công.\n"
            "- Tư vấn lập dự án cho 3 doanh nghiệp.\n"
            "Ông Nguyễn Văn A cho biết kết quả rất khả quan.\n"
            "Các nội dung chính: 1. Tập huấn khởi sự doanh nghiệp. 2. Bình chọn sản phẩm.")
    sents = sentence_bounds(text)
    first = [text[s:e][:12] for s, e in sents]
    heads = {first[i]: [first[h] for h in hs] for i, hs in enumerate(list_headers(text, sents))}
    assert heads["+ Đào tạo ng"] == ["Năm 2024, Tr", "- Nguồn quốc"]
    assert heads["+ Hội chợ hà"] == ["Năm 2024, Tr", "- Nguồn quốc"]
    assert heads["- Tư vấn lập"] == ["Năm 2024, Tr"]  # a sibling of "- Nguồn quốc gia:"
    assert heads["Ông Nguyễn V"] == []  # an unmarked paragraph ends the list
    assert heads["2. Bình chọn"] == ["Các nội dung"]  # item 1 shares the header's sentence


def test_arguments_of_a_list_header_are_candidates_of_each_item():
    text = "Năm 2024, Trung tâm Khuyến công Hà Nam thực hiện:\n- Đào tạo nghề mây tre đan.\n- Hội chợ hàng thủ công."
    ents = _ents(text, [("Năm 2024", "DATE"), ("Trung tâm Khuyến công Hà Nam", "ORG"),
                        ("Đào tạo nghề mây tre đan", "ACTIVITY"), ("Hội chợ", "ACTIVITY")])
    assert sorted(candidate_pairs(text, ents)) == [(2, 0), (2, 1), (3, 0), (3, 1)]


def test_who_approves_or_assigns_is_no_participant():
    from kcnlp.pipeline.relations import approves, without_approvers

    text = ("Cục Công Thương địa phương giao Trung tâm Khuyến công Quảng Bình thực hiện đề án; "
            "UBND tỉnh (Sở Tài chính) vừa phê duyệt kế hoạch; Trung tâm Khuyến công Hà Nam tổ chức lớp.")
    ends = {name: text.index(name) + len(name) for name in ("Cục Công Thương địa phương", "Trung tâm Khuyến công Quảng Bình",
                                                            "UBND tỉnh", "Trung tâm Khuyến công Hà Nam")}
    assert [approves(text, end) for end in ends.values()] == [True, False, True, False]
    ents = [(0, 0, "ACTIVITY", {})] + [(end - 3, end, "ORG", {}) for end in ends.values()]
    links = [(0, i, "PARTICIPANT") for i in range(1, 5)] + [(0, 1, "PLACE")]
    assert without_approvers(text, ents, links) == [(0, 2, "PARTICIPANT"), (0, 4, "PARTICIPANT"), (0, 1, "PLACE")]
