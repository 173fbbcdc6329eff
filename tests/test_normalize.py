"""Table-driven tests of the pure value normalizers (SPEC §2)."""
from decimal import Decimal

import pytest

from kcnlp.pipeline.normalize import parse_date, parse_money, parse_quantity, qualifier_before
from kcnlp.pipeline.numbers import parse_digits, parse_number_words

DIGITS = [
    ("2.760", None, 2760), ("20.253,331", None, Decimal("20253.331")), ("3,37", None, Decimal("3.37")),
    ("4.9", None, Decimal("4.9")), ("1.200.000", None, 1200000), ("06", None, 6), ("02", None, 2),
    ("0", None, 0), ("1.109", None, 1109), ("10.862", None, 10862), ("60,182", None, Decimal("60.182")),
    ("1,200", True, 1200), ("1,200", False, Decimal("1.2")), ("1,234,567", None, 1234567),
    ("1,234.5", None, Decimal("1234.5")), ("1.234,5", None, Decimal("1234.5")), ("0,5", None, Decimal("0.5")),
    ("12.5", None, Decimal("12.5")), ("2.17", None, Decimal("2.17")), ("100", None, 100),
    ("007", None, 7), ("1.000", None, 1000), ("21,62", None, Decimal("21.62")), ("1,000", True, 1000),
    ("0,125", True, Decimal("0.125")), ("1.2.3", None, None), ("abc", None, None), ("", None, None),
    ("1..2", None, None), ("1,23,4", None, None),
]


@pytest.mark.parametrize("text,integer_context,expected", DIGITS)
def test_parse_digits(text, integer_context, expected):
    got = parse_digits(text, integer_context=bool(integer_context))
    assert got == (Decimal(expected) if expected is not None else None)


WORDS = [
    ("hai", 2), ("mười", 10), ("mười lăm", 15), ("hai mươi", 20), ("hai mươi mốt", 21), ("ba mươi tư", 34),
    ("một trăm", 100), ("một trăm hai mươi", 120), ("một trăm linh năm", 105), ("một trăm lẻ năm", 105),
    ("năm trăm", 500), ("một nghìn", 1000), ("một ngàn", 1000), ("ba nghìn năm trăm", 3500),
    ("hai triệu", 2_000_000), ("hai tỷ", 2_000_000_000), ("chín mươi chín", 99), ("bảy", 7),
    ("mười hai nghìn", 12000), ("nghìn", None), ("hai mươi lăm", 25),
    ("lăm", None), ("mốt", None), ("hai ba", None), ("xin chào", None), ("", None),
]


@pytest.mark.parametrize("text,expected", WORDS)
def test_parse_number_words(text, expected):
    got = parse_number_words(text.split())
    assert got == (Decimal(expected) if expected is not None else None)


MONEY = [
    ("3,37 tỷ đồng", 3_370_000_000, None, None),
    ("2.170 tr đồng", 2_170_000_000, None, None),
    ("20.253,331 triệu đồng", 20_253_331_000, None, None),
    ("1,2 tỉ đồng", 1_200_000_000, None, None),
    ("3 - 5 triệu đồng/tháng", 3_000_000, 5_000_000, "tháng"),
    ("5 triệu đồng/ người/ tháng", 5_000_000, None, "người/tháng"),
    ("5 triệu đồng/người/tháng", 5_000_000, None, "người/tháng"),
    ("4.9 tỷ đồng", 4_900_000_000, None, None),
    ("4.9 tỷ", 4_900_000_000, None, None),
    ("02 tỷ đồng", 2_000_000_000, None, None),
    ("1 tỷ 200 triệu đồng", 1_200_000_000, None, None),
    ("2 tỷ 500 triệu đồng", 2_500_000_000, None, None),
    ("hai tỷ đồng", 2_000_000_000, None, None),
    ("năm trăm triệu đồng", 500_000_000, None, None),
    ("2 đến 3 tỷ đồng", 2_000_000_000, 3_000_000_000, None),
    ("2 tới 3 tỷ đồng", 2_000_000_000, 3_000_000_000, None),
    ("120.000.000 đ", 120_000_000, None, None),
    ("120.000.000 đồng", 120_000_000, None, None),
    ("850 triệu VNĐ", 850_000_000, None, None),
    ("850 triệu VND", 850_000_000, None, None),
    ("850 triệu vnđ", 850_000_000, None, None),
    ("10.862 triệu đồng", 10_862_000_000, None, None),
    ("11 tỷ đồng", 11_000_000_000, None, None),
    ("500 nghìn đồng", 500_000, None, None),
    ("500 ngàn đồng", 500_000, None, None),
    ("1,500,000 đồng", 1_500_000, None, None),
    ("3 tr.đ", 3_000_000, None, None),
    ("450 trđ", 450_000_000, None, None),
    ("60,182 tỷ đồng", 60_182_000_000, None, None),
    ("12,982 tỷ đồng", 12_982_000_000, None, None),
    ("478 triệu đồng", 478_000_000, None, None),
    ("2,630 tỷ đồng", 2_630_000_000, None, None),
    ("1.000 tỷ đồng", 1_000_000_000_000, None, None),
    ("0,5 tỷ đồng", 500_000_000, None, None),
    ("15 triệu đồng/đề án", 15_000_000, None, "đề án"),
    ("3-5 triệu đồng", 3_000_000, 5_000_000, None),
    ("3 – 5 triệu đồng", 3_000_000, 5_000_000, None),
    ("300 - 500 nghìn đồng/ngày", 300_000, 500_000, "ngày"),
    ("2,5 tỷ đ", 2_500_000_000, None, None),
    ("1 tỷ đồng", 1_000_000_000, None, None),
    ("1\u00a0tỷ đồng", 1_000_000_000, None, None),
    ("một tỷ đồng", 1_000_000_000, None, None),
    ("mười lăm triệu đồng", 15_000_000, None, None),
    ("7.318 triệu đồng", 7_318_000_000, None, None),
    ("200.000 đồng/người", 200_000, None, "người"),
]


@pytest.mark.parametrize("text,value,value_max,per", MONEY)
def test_parse_money(text, value, value_max, per):
    parsed = parse_money(text)
    assert parsed.ok, parsed.reason
    assert parsed.fields == {"value": value, "value_max": value_max, "unit": "VND", "per": per}


@pytest.mark.parametrize("text", ["đồng", "300 USD", "tỷ đồng", "5 - triệu đồng", "5 người", "abc đồng", "5 - 3 triệu đồng"])
def test_parse_money_unreadable_gives_reason(text):
    parsed = parse_money(text)
    assert not parsed.ok and parsed.reason


QUANTITY = [
    ("7.600m 3 /năm", 7600, None, "m3/năm"), ("1.200 sản phẩm / năm", 1200, None, "sản phẩm/năm"), ("3.000 m 2", 3000, None, "m2"),
    ("82 lớp", 82, None, "lớp"), ("2.760 học viên", 2760, None, "học viên"), ("06 đoàn", 6, None, "đoàn"),
    ("98/98 xã", 98, None, "xã"),
    ("1000 lượt học viên", 1000, None, "lượt học viên"), ("317 cơ sở", 317, None, "cơ sở"),
    ("3.000 m2", 3000, None, "m2"), ("15 - 40%", 15, 40, "%"), ("21,62%", 21.62, None, "%"),
    ("một nghìn học viên", 1000, None, "học viên"), ("1,200 học viên", 1200, None, "học viên"),
    ("1.109 lượt kiểm tra", 1109, None, "lượt kiểm tra"), ("892 lượt cán bộ", 892, None, "lượt cán bộ"),
    ("04 đề án", 4, None, "đề án"), ("01 đơn vị", 1, None, "đơn vị"), ("2,5 tấn", 2.5, None, "tấn"),
    ("200 gian hàng", 200, None, "gian hàng"), ("12 cụm công nghiệp", 12, None, "cụm công nghiệp"),
    ("25%", 25, None, "%"), ("4.9%", 4.9, None, "%"), ("15-20 học viên", 15, 20, "học viên"),
    ("hai lớp", 2, None, "lớp"), ("mười lăm đề án", 15, None, "đề án"), ("35 HTX", 35, None, "htx"),
    ("1,2 triệu lượt khách", 1_200_000, None, "lượt khách"), ("7 Lớp", 7, None, "lớp"),
    ("3 tờ báo", 3, None, "tờ báo"), ("120 sản phẩm", 120, None, "sản phẩm"), ("5 đến 7 lớp", 5, 7, "lớp"),
    ("0,5 ha", 0.5, None, "ha"), ("1.500 m²", 1500, None, "m²"),
]


@pytest.mark.parametrize("text,value,value_max,unit", QUANTITY)
def test_parse_quantity(text, value, value_max, unit):
    parsed = parse_quantity(text)
    assert parsed.ok, parsed.reason
    assert parsed.fields == {"value": value, "value_max": value_max, "unit": unit}
    assert type(parsed.fields["value"]) is type(value)


@pytest.mark.parametrize("text", ["lớp", "học viên nhiều", "", "%"])
def test_parse_quantity_unreadable_gives_reason(text):
    assert not parse_quantity(text).ok


DATES = [
    ("năm 2022", "2022", "2022"), ("2022", "2022", "2022"), ("giai đoạn 2012-2022", "2012", "2022"),
    ("giai đoạn 2012 - 2022", "2012", "2022"), ("2012 - 2022", "2012", "2022"), ("2021 – 2025", "2021", "2025"),
    ("ngày 21/5/2012", "2012-05-21", "2012-05-21"), ("21/05/2012", "2012-05-21", "2012-05-21"),
    ("ngày 21 tháng 5 năm 2012", "2012-05-21", "2012-05-21"), ("tháng 4/2023", "2023-04", "2023-04"),
    ("tháng 4 năm 2023", "2023-04", "2023-04"), ("2023-04", "2023-04", "2023-04"),
    ("2023-04-15", "2023-04-15", "2023-04-15"), ("quý II/2023", "2023-04", "2023-06"),
    ("quý IV năm 2024", "2024-10", "2024-12"), ("quý 1/2025", "2025-01", "2025-03"),
    ("năm 2021-2025", "2021", "2025"), ("từ năm 2012 đến năm 2022", "2012", "2022"),
    ("niên độ 2023", "2023", "2023"), ("06/2023", "2023-06", "2023-06"), ("Năm 2019", "2019", "2019"),
    ("ngày 1.3.2024", "2024-03-01", "2024-03-01"), ("24-11-2022", "2022-11-24", "2022-11-24"),
    ("6 tháng đầu năm 2019", "2019-01", "2019-06"), ("9 tháng năm 2013", "2013-01", "2013-09"),
    ("6 tháng cuối năm 2020", "2020-07", "2020-12"),
]


@pytest.mark.parametrize("text,start,end", DATES)
def test_parse_date(text, start, end):
    parsed = parse_date(text)
    assert parsed.ok, parsed.reason
    assert parsed.fields == {"date_start": start, "date_end": end}


@pytest.mark.parametrize("text", ["10 năm qua", "ngày 31/2/2023", "tháng 13/2023", "năm 2030 - 2020", "hàng năm", "tháng 6",
                                  "14 tháng năm 2020"])
def test_parse_date_unreadable_gives_reason(text):
    parsed = parse_date(text)
    assert not parsed.ok and parsed.reason


QUALIFIERS = [
    ("trên ", "over"), ("hơn ", "over"), ("ít nhất ", "over"), ("tối thiểu ", "over"),
    ("gần ", "under"), ("dưới ", "under"), ("tối đa ", "under"), ("chưa đến ", "under"), ("gần như ", "under"),
    ("khoảng ", "about"), ("ước ", "about"), ("ước tính ", "about"), ("xấp xỉ ", "about"), ("chừng ", "about"),
    ("ước đạt ", "about"), ("với tổng kinh phí ", None), ("có ", None), ("Trên ", "over"), ("", None),
    ("thêm ", None), ("đạt trên ", "over"), ("ước tăng ", "about"),
]


@pytest.mark.parametrize("before,expected", QUALIFIERS)
def test_qualifier_before(before, expected):
    text = before + "20 tỷ đồng"
    assert qualifier_before(text, len(before)) == expected
