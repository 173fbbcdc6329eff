"""Property-based tests: any text gives a Document whose offsets index that text."""
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kcnlp
from kcnlp.pipeline.normalize import parse_date, parse_money, parse_quantity

FRAGMENTS = [
    "Trung tâm Khuyến công tỉnh Nam Định", "hỗ trợ", "2.170 tr đồng", "3,37 tỷ đồng", "trên", "04 đề án",
    "đào tạo nghề", "năm 2022", "giai đoạn 2012-2022", "15 - 40%", "Công ty TNHH Bao bì Atlantic", "(Trung tâm)",
    "5 triệu đồng/ người/ tháng", "hội chợ", "tại huyện Hải Hậu", ";", ",", ".", "\n", "  ", "\u00a0", "\u200b",
    "😀", "hoà", "thuỷ", "Sở Công thương", "kinh phí khuyến công quốc gia", "1 tỷ 200 triệu đồng", "<b>", "</p>",
]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid(doc, text):
    assert doc.text == text
    for e in doc.entities:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start:e.end] == e.text
    ids = {e.id for e in doc.entities}
    assert all(r.head in ids and r.tail in ids for r in doc.relations)


@SETTINGS
@given(st.text(max_size=300))
def test_random_unicode(text):
    _valid(kcnlp.extract(text), text)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40), st.sampled_from(["NFC", "NFD"]), st.sampled_from([" ", "", "\t"]))
def test_real_like_text_with_noise(parts, form, sep):
    text = unicodedata.normalize(form, sep.join(parts))
    _valid(kcnlp.extract(text), text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_value_parsers_never_raise(text):
    for parser in (parse_money, parse_quantity, parse_date):
        parsed = parser(text)
        assert parsed.ok or parsed.reason
