"""The tokenizer keeps the user's text exactly and puts SPEC spans on token boundaries."""
import unicodedata

import pytest
import spacy

from kcnlp.pipeline import build_tokenizer_only
from kcnlp.pipeline.tokenizer import normalize_syllable, split_tokens

AWKWARD = [
    "Trung tâm Khuyến công tỉnh Vĩnh Phúc",
    unicodedata.normalize("NFD", "Trung tâm Khuyến công hỗ trợ 2.170 tr đồng"),
    "dòng một\r\ndòng hai\r\n",
    "cột\tmột\t\tcột hai",
    "kinh phí\u00a02 tỷ\u00a0đồng",
    "zero\u200bwidth\u200djoiner\ufeff",
    "sản phẩm 😀👍🏽 đạt 4 sao 🇻🇳",
    "  leading and trailing spaces  ",
    "The quick brown fox jumps over 13 lazy dogs.",
    "مرحبا بالعالم 2024",
    "hoà thuỷ khoá " * 2000,
    "",
    " ",
    "\n\n\n",
    "a",
    "%/-–—…“”",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_split_tokens_rebuilds_text(text):
    words, spaces = split_tokens(text)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces)) == text


@pytest.mark.parametrize("text", AWKWARD)
def test_doc_text_and_offsets_are_the_users(text):
    doc = build_tokenizer_only()(text)
    assert doc.text == text
    for tok in doc:
        assert text[tok.idx:tok.idx + len(tok)] == tok.text


def test_numbers_units_percent_and_slash_are_split():
    doc = build_tokenizer_only()("15 - 40%, 5 triệu đồng/ người/ tháng, 3.000 m2")
    texts = [t.text for t in doc if not t.is_space]
    assert texts[:5] == ["15", "-", "40", "%", ","]
    assert "/" in texts and "3.000" in texts


def test_underthesea_words_ride_along():
    doc = build_tokenizer_only()("Trung tâm Khuyến công tỉnh Vĩnh Phúc")
    assert [t.lemma_ for t in doc] == ["trung_tâm", "trung_tâm", "khuyến_công", "khuyến_công", "tỉnh", "vĩnh_phúc", "vĩnh_phúc"]
    assert [t._.word_start for t in doc] == [True, False, True, False, True, True, False]


def test_nfd_input_gets_the_same_words_as_nfc():
    nfc = "Trung tâm Khuyến công tỉnh Vĩnh Phúc hỗ trợ đào tạo nghề"
    tok = build_tokenizer_only()
    assert [t.lemma_ for t in tok(unicodedata.normalize("NFD", nfc))] == [t.lemma_ for t in tok(nfc)]


@pytest.mark.parametrize("old,new", [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoá", "khóa"), ("Hoà", "hòa"), ("a", "a"),
                                     # closed syllables and "qu" have one spelling: left alone
                                     ("toàn", "toàn"), ("hoạch", "hoạch"), ("Hoàng", "hoàng"), ("quý", "quý"), ("thuyền", "thuyền")])
def test_old_style_tone_marks_normalized_for_models(old, new):
    assert normalize_syllable(old) == new


def test_words_that_underthesea_normalizes_are_still_joined():
    # "toàn bộ", "kế hoạch": the segmenter reads its own normalized form; the words must not
    # fall apart into syllables where that form differs from the text
    doc = build_tokenizer_only()("Toàn bộ kế hoạch được hoàn thành")
    assert [t.lemma_ for t in doc][:4] == ["toàn_bộ", "toàn_bộ", "kế_hoạch", "kế_hoạch"]


def test_segmenter_failure_keeps_every_syllable(monkeypatch):
    import kcnlp.pipeline.tokenizer as tokenizer

    class Broken:
        def tag(self, _):
            raise RuntimeError("segmenter down")

    monkeypatch.setattr(tokenizer, "_segmenter", (Broken(), str))
    doc = build_tokenizer_only()("Trung tâm Khuyến công")
    assert doc.text == "Trung tâm Khuyến công" and all(t._.word_start for t in doc)
    assert [t.lemma_ for t in doc] == ["trung", "tâm", "khuyến", "công"]


def test_public_word_tokenize_is_the_fallback(monkeypatch):
    import kcnlp.pipeline.tokenizer as tokenizer

    monkeypatch.setattr(tokenizer, "_segmenter", False)  # the model was not found in this underthesea
    doc = build_tokenizer_only()("Trung tâm Khuyến công tỉnh Vĩnh Phúc")
    assert [t.lemma_ for t in doc] == ["trung_tâm", "trung_tâm", "khuyến_công", "khuyến_công", "tỉnh", "vĩnh_phúc", "vĩnh_phúc"]


def test_gold_entity_boundaries_fall_on_token_boundaries(real_records):
    """The share of gold span boundaries in ../shared/real that are token boundaries: 100%."""
    tok = build_tokenizer_only()
    total = on_boundary = 0
    for rec in real_records:
        doc = tok(rec["text"])
        starts = {t.idx for t in doc}
        ends = {t.idx + len(t) for t in doc}
        for e in rec["entities"]:
            total += 2
            on_boundary += (e["start"] in starts) + (e["end"] in ends)
    assert total > 100
    assert on_boundary / total == 1.0


def test_tokenizer_round_trips_through_disk(tmp_path):
    nlp = build_tokenizer_only()
    nlp.to_disk(tmp_path / "m")
    loaded = spacy.load(tmp_path / "m")
    doc = loaded("Trung tâm Khuyến công")
    assert [t.lemma_ for t in doc] == ["trung_tâm", "trung_tâm", "khuyến_công", "khuyến_công"]
