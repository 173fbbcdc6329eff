"""Funding figures (SPEC §7): splits of a whole into parts, checks, event figures and the
funding table. Documents are written in the corpus markup, so the tests do not depend on a model."""
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcnlp.corpus.markup import compile_text
from kcnlp.document import Document
from kcnlp.funding.table import UNLINKED, funding_table


def doc(body: str, doc_id: str = "d", province: str = "", date: str = "") -> Document:
    records, problems = compile_text(f'=== doc id={doc_id} kind=brief province="{province}" date={date}\n{body}\n')
    assert not problems, problems
    return Document.from_dict(records[0])


def checks_of(d: Document) -> list[tuple]:
    by_id = {e.id: e.text for e in d.entities}
    return [(by_id[c["total"]], [by_id[p] for p in c["parts"]], c["ok"]) for c in d.to_dict()["funding_checks"]]


def figures(d: Document) -> list[tuple]:
    return [(ev["category"], ev["state_vnd"], ev["counterpart_vnd"], ev["total_vnd"]) for ev in d.to_dict()["events"]]


TOTAL_AND_PARTS = ("Giai đoạn 2012-2022, [[hoạt động khuyến công|ACTIVITY cat=GENERAL fund=t,a,b,c]] có tổng kinh phí "
                   "[[60,2 tỷ đồng|MONEY #t v=60200000000 role=total]]; trong đó khuyến công quốc gia [[13 tỷ đồng|MONEY #a v=13000000000 role=national]], "
                   "địa phương [[4,2 tỷ đồng|MONEY #b v=4200000000 role=local]], vốn đối ứng [[43 tỷ đồng|MONEY #c v=43000000000 role=counterpart]].")


def test_a_total_and_its_parts():
    d = doc(TOTAL_AND_PARTS)
    assert checks_of(d) == [("60,2 tỷ đồng", ["13 tỷ đồng", "4,2 tỷ đồng", "43 tỷ đồng"], True)]
    # the whole is the total, never added to its parts
    assert figures(d) == [("GENERAL", 17_200_000_000, 43_000_000_000, 60_200_000_000)]


CASES = [
    # parts in a parenthesis
    ("[[Đào tạo nghề|ACTIVITY cat=TRAINING fund=t]] với kinh phí [[180 triệu đồng|MONEY #t v=180000000 role=support]] "
     "(ngân sách tỉnh [[150 triệu đồng|MONEY v=150000000 role=local]], học viên đóng góp [[30 triệu đồng|MONEY v=30000000 role=counterpart]]).",
     [("180 triệu đồng", ["150 triệu đồng", "30 triệu đồng"], True)]),
    # nested: a part split in its turn keeps its own parts
    ("Tổng kinh phí [[10 tỷ đồng|MONEY v=10000000000 role=total]], gồm: khuyến công quốc gia [[4 tỷ đồng|MONEY v=4000000000 role=national]] "
     "(đào tạo nghề [[1 tỷ đồng|MONEY v=1000000000 role=national]], hội chợ [[3 tỷ đồng|MONEY v=3000000000 role=national]]), "
     "địa phương [[6 tỷ đồng|MONEY v=6000000000 role=local]].",
     [("10 tỷ đồng", ["4 tỷ đồng", "6 tỷ đồng"], True), ("4 tỷ đồng", ["1 tỷ đồng", "3 tỷ đồng"], True)]),
    # "gần" holds parts a little below it
    ("Tổng kinh phí gần [[94 tỷ đồng|MONEY v=94000000000 q=under role=total]]; trong đó quốc gia [[20,49 tỷ đồng|MONEY v=20490000000 role=national]], "
     "địa phương [[73,5 tỷ đồng|MONEY v=73500000000 role=local]].",
     [("94 tỷ đồng", ["20,49 tỷ đồng", "73,5 tỷ đồng"], True)]),
    # "trên" needs the parts above it
    ("Tổng vốn trên [[5 tỷ đồng|MONEY v=5000000000 q=over role=total]], trong đó ngân sách tỉnh [[1 tỷ đồng|MONEY v=1000000000 role=local]], "
     "đối ứng [[2 tỷ đồng|MONEY v=2000000000 role=counterpart]].",
     [("5 tỷ đồng", ["1 tỷ đồng", "2 tỷ đồng"], False)]),
    # parts that do not add up
    ("Tổng kinh phí [[2,5 tỷ đồng|MONEY v=2500000000 role=total]]; trong đó ngân sách tỉnh [[1,2 tỷ đồng|MONEY v=1200000000 role=local]], "
     "vốn đối ứng [[0,9 tỷ đồng|MONEY v=900000000 role=counterpart]].",
     [("2,5 tỷ đồng", ["1,2 tỷ đồng", "0,9 tỷ đồng"], False)]),
    # a remainder named without a figure: the parts are a lower bound
    ("Tổng kinh phí [[2,74 tỷ đồng|MONEY v=2740000000 role=total]]; trong đó khuyến công địa phương [[480 triệu đồng|MONEY v=480000000 role=local]], "
     "phần còn lại do doanh nghiệp đối ứng.",
     [("2,74 tỷ đồng", ["480 triệu đồng"], True)]),
    # rounding of the written figures is allowed: 1,3 + 2,2 + 3,1 = 6,6 ≈ "6,61"
    ("Tổng kinh phí [[6,61 tỷ đồng|MONEY v=6610000000 role=total]], trong đó quốc gia [[1,3 tỷ đồng|MONEY v=1300000000 role=national]], "
     "địa phương [[2,2 tỷ đồng|MONEY v=2200000000 role=local]], đối ứng [[3,1 tỷ đồng|MONEY v=3100000000 role=counterpart]].",
     [("6,61 tỷ đồng", ["1,3 tỷ đồng", "2,2 tỷ đồng", "3,1 tỷ đồng"], True)]),
    # two amounts side by side are no split
    ("Năm 2022 hỗ trợ [[500 triệu đồng|MONEY v=500000000 role=support]], năm 2023 hỗ trợ [[700 triệu đồng|MONEY v=700000000 role=support]].", []),
]


@pytest.mark.parametrize("body,expected", CASES)
def test_funding_checks(body, expected):
    assert checks_of(doc(body)) == expected


def test_an_unreadable_value_is_reported_not_summed():
    d = doc(TOTAL_AND_PARTS)
    d.entities[2].attrs["value"] = None  # "13 tỷ đồng" as if it could not be read
    check = d.to_dict()["funding_checks"][0]
    assert check["ok"] is None and check["unreadable"] == [d.entities[2].id]
    table = funding_table([d], by=("doc_id",))
    assert table.loc[0, "state_vnd"] == 4_200_000_000 and table.loc[0, "n_unreadable"] == 1


def test_no_money_gives_null_figures_and_no_checks():
    d = doc("[[Đào tạo nghề|ACTIVITY cat=TRAINING out=q]] cho [[30 học viên|QUANTITY #q v=30]].")
    record = d.to_dict()
    assert record["funding_checks"] == [] and figures(d) == [("TRAINING", None, None, None)]
    table = funding_table([d], by=("category",))
    assert table["state_vnd"].isna().all() and table.loc[0, "n_events"] == 1


SHARED = ("Năm 2023, [[Trung tâm Khuyến công Hà Nam|ORG #o]] tổ chức [[đào tạo nghề|ACTIVITY cat=TRAINING fund=m time=y part=o]] và "
          "[[truyền nghề|ACTIVITY cat=TRAINING fund=m time=y part=o]] với kinh phí [[400 triệu đồng|MONEY #m v=400000000 role=local]] "
          "trong [[năm 2023|DATE #y ds=2023]]. Lao động có thu nhập [[5 triệu đồng/người/tháng|MONEY v=5000000 per=người/tháng role=income]].\n"
          "[[Hội chợ|ACTIVITY cat=PRODUCT fund=h time=z]] [[năm 2024|DATE #z ds=2024]] có kinh phí [[300 triệu đồng|MONEY #h v=300000000 role=local]].\n"
          "Kinh phí khuyến công địa phương năm 2024 là [[2 tỷ đồng|MONEY v=2000000000 role=local]].")


def test_an_amount_shared_by_two_events_of_a_group_counts_once():
    table = funding_table([doc(SHARED, province="Hà Nam", date="2024-01")], by=("province", "period", "category"))
    rows = {(r.period, r.category): r for r in table.itertuples()}
    training = rows[("2023", "TRAINING")]
    assert training.state_vnd == 400_000_000 and training.n_events == 2 and training.n_amounts == 1
    assert rows[("2024", "PRODUCT")].state_vnd == 300_000_000          # several periods in one article
    unlinked = rows[("2024", UNLINKED)]                                 # money no event links, dated by the document
    assert unlinked.state_vnd == 2_000_000_000 and unlinked.inherited == "province,period"
    assert table["province_2025"].unique().tolist() == ["Ninh Bình"]
    # wages are never funding
    assert table["total_vnd"].sum() == 2_700_000_000


def test_an_unlinked_whole_adds_only_what_its_linked_parts_leave():
    body = ("Kinh phí khuyến công địa phương năm 2023 là [[2 tỷ đồng|MONEY v=2000000000 role=local]], trong đó "
            "[[đào tạo nghề|ACTIVITY cat=TRAINING fund=a]] [[500 triệu đồng|MONEY #a v=500000000 role=local]], "
            "[[hội chợ|ACTIVITY cat=PRODUCT fund=b]] [[300 triệu đồng|MONEY #b v=300000000 role=local]].")
    table = funding_table([doc(body)], by=("category",))
    assert dict(zip(table.category, table.state_vnd)) == {"PRODUCT": 300_000_000, "TRAINING": 500_000_000, UNLINKED: 1_200_000_000}
    assert table.state_vnd.sum() == 2_000_000_000


def test_province_and_period_from_the_event_else_the_document():
    body = ("[[Đào tạo nghề|ACTIVITY cat=TRAINING place=l time=y fund=m]] tại tỉnh [[Bắc Giang|LOC #l]] [[năm 2019|DATE #y ds=2019]], "
            "kinh phí [[100 triệu đồng|MONEY #m v=100000000 role=support]]. [[Hội chợ|ACTIVITY cat=PRODUCT fund=n]] có kinh phí "
            "[[200 triệu đồng|MONEY #n v=200000000 role=support]].")
    table = funding_table([doc(body, province="Thái Nguyên", date="2020-05")], by=("province", "period", "category"))
    got = {(r.province, r.province_2025, r.period, r.inherited, r.category) for r in table.itertuples()}
    assert got == {("Bắc Giang", "Bắc Ninh", "2019", "", "TRAINING"), ("Thái Nguyên", "Thái Nguyên", "2020", "province,period", "PRODUCT")}


def test_funding_table_rejects_an_unknown_grouping():
    with pytest.raises(ValueError, match="groups by"):
        funding_table([], by=("year",))


# --- properties: no amount counted twice, a group's figure is the sum of its distinct amounts ------

@st.composite
def documents(draw):
    n_money = draw(st.integers(1, 5))
    roles = draw(st.lists(st.sampled_from(["national", "local", "support", "counterpart", "total", "income"]),
                          min_size=n_money, max_size=n_money))
    values = draw(st.lists(st.integers(1, 900), min_size=n_money, max_size=n_money))
    n_acts = draw(st.integers(1, 3))
    cats = draw(st.lists(st.sampled_from(["TRAINING", "PRODUCT"]), min_size=n_acts, max_size=n_acts))
    links = draw(st.lists(st.lists(st.integers(0, n_money - 1), max_size=n_money, unique=True), min_size=n_acts, max_size=n_acts))
    parts = [f"[[{v} triệu đồng|MONEY #m{i} v={v * 1_000_000} role={r}]]" for i, (v, r) in enumerate(zip(values, roles))]
    acts = [f"[[hoạt động {i}|ACTIVITY cat={c}" + (f" fund={','.join(f'm{j}' for j in link)}" if link else "") + "]]"
            for i, (c, link) in enumerate(zip(cats, links))]
    body = "; ".join(acts) + ". Kinh phí: " + "; ".join(parts) + "."
    return body, values, roles, links


@settings(max_examples=60, deadline=None)
@given(documents())
def test_no_amount_counted_twice_in_a_group(drawn):
    body, values, roles, links = drawn
    d = doc(body)
    state = {"national", "local", "support"}
    linked = {j for link in links for j in link}
    table = funding_table([d], by=("category",))
    for row in table.itertuples():
        if row.category == UNLINKED:
            ids = {j for j in range(len(values)) if j not in linked and roles[j] != "income"}
        else:
            ids = {j for i, link in enumerate(links) if d.events[i].category == row.category for j in link}
        expected = sum(values[j] for j in ids if roles[j] in state) * 1_000_000
        assert (0 if pd.isna(row.state_vnd) else row.state_vnd) == expected
        assert row.n_amounts == len({j for j in ids if roles[j] != "income"})
    # over the whole document every state amount counts exactly once, linked or not
    whole = funding_table([d], by=("doc_id",))
    assert whole.state_vnd.fillna(0).sum() == sum(v for v, r in zip(values, roles) if r in state) * 1_000_000


def test_real_articles_that_state_totals_and_parts_add_up(real_records):
    """The real dev documents whose text splits a total into parts: every check, computed on their
    gold entities, comes out ok."""
    checks = []
    for rec in real_records:
        checks += [(rec["id"], c) for c in Document.from_dict(json.loads(json.dumps(rec))).to_dict()["funding_checks"]]
    assert checks, "no real article splits a total into parts"
    assert all(c["ok"] for _, c in checks), checks


def test_a_record_whose_values_are_not_numbers_is_reported_not_summed():
    d = doc(TOTAL_AND_PARTS)
    d.entities[1].attrs["value"] = "60,2 tỷ"      # a hand-edited record
    record = d.to_dict()
    assert record["funding_checks"][0]["ok"] is None
    # the unreadable total is not used: the event's total falls back to state + counterpart
    assert record["events"][0]["total_vnd"] == 17_200_000_000 + 43_000_000_000
    assert funding_table([d], by=("doc_id",)).loc[0, "n_unreadable"] == 1
