"""Rule-based entity recognition: patterns for MONEY, QUANTITY and DATE, a gazetteer for
LOC, head-word patterns for ORG and a category lexicon for ACTIVITY.

`find_entities(doc)` returns candidate spans; the `kcnlp_entity_rules` component writes them
to `doc.ents`, either alone or filling in around a trained recognizer's entities.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

import numpy
from spacy.attrs import TAG
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..schema import LABELS
from .places import place_kinds
from .spanattrs import doc_text, entities, span_attrs
from .textview import TextView

__all__ = ["find_entities", "EntityRules", "activity_category", "repair_spans", "not_an_activity"]

# --- numbers, money, quantities, dates ------------------------------------------------------
# Patterns use [^\S\n] (whitespace but a line break) where they allow a space: no entity
# crosses a paragraph, and a name at the end of a title must not swallow the next line.

_NUM = r"\d+(?:[.,]\d+)*"
_WNUM = r"(?:(?:một|hai|ba|bốn|năm|sáu|bảy|bẩy|tám|chín|mười|mươi|mốt|lăm|trăm|linh|lẻ)[^\S\n]+)+"
# "một học viên" is "a trainee", not a count: a spelled number in a QUANTITY needs more than "một"
_WNUM_QUANTITY = r"(?!một[^\S\n]+(?!trăm|nghìn|ngàn|triệu))(?:(?:một|hai|ba|bốn|năm|sáu|bảy|bẩy|tám|chín|mười|mươi|mốt|lăm|trăm|linh|lẻ)[^\S\n]+)+"
_SCALE = r"(?:nghìn|ngàn|triệu|tỷ|tỉ|tr(?=[^\S\n]*\.?[^\S\n]*đ)|tr)"
_CUR = r"(?:đồng|VNĐ|VND|vnđ|đ)(?![\w])"
_AMOUNT = rf"(?:{_NUM}[^\S\n]*{_SCALE}(?:[^\S\n]+{_NUM}[^\S\n]*{_SCALE})*|{_WNUM}{_SCALE}|{_NUM})"
_RANGE = rf"{_AMOUNT}(?:[^\S\n]*(?:-|–|—|đến|tới)[^\S\n]*{_AMOUNT})?"
_RATE_WORD = (r"(?:học viên|lao động|người lao động|đề án|cơ sở|sản phẩm|hộ gia đình|gian hàng|doanh nghiệp|"
              r"chủ thể|hợp tác xã|thành viên|lớp học|dự án|[^\W\d_]+)")
_RATE = rf"(?:[^\S\n]*/[^\S\n]*{_RATE_WORD}(?:[^\S\n]*/[^\S\n]*{_RATE_WORD})?)"
MONEY_RE = re.compile(rf"(?<![\w.,]){_RANGE}[^\S\n]*(?:tr\.đ|trđ|{_CUR}){_RATE}?", re.IGNORECASE)

_UNITS = sorted([
    "%", "m2", "m²", "m3", "ha", "km", "tấn", "kg", "lít",
    "lượt học viên", "lượt người", "lượt khách", "lượt khách tham quan", "lượt cán bộ", "lượt kiểm tra",
    "lượt doanh nghiệp", "lượt cơ sở", "lượt đơn vị", "lượt phát sóng", "lượt", "học viên", "học sinh",
    "lao động", "người", "cán bộ", "đại biểu", "khách", "hộ", "hộ gia đình", "hộ kinh doanh", "lớp",
    "khóa", "khoá", "đề án", "dự án", "cơ sở", "doanh nghiệp", "đơn vị", "hợp tác xã", "HTX", "tổ hợp tác",
    "làng nghề", "cụm công nghiệp", "sản phẩm", "mô hình", "máy", "thiết bị", "dây chuyền", "gian hàng",
    "đoàn", "hội chợ", "triển lãm", "phóng sự", "chuyên mục", "tin bài", "bài", "bản tin", "tờ rơi",
    "cuốn", "cẩm nang", "tờ báo", "số báo", "chương trình", "hội thảo", "hội nghị", "cuộc", "chứng nhận",
    "giấy chứng nhận", "bằng khen", "giải", "mẫu", "nhãn hiệu", "thương hiệu", "website", "điểm",
    "tỉnh", "huyện", "xã", "nước", "quốc gia", "công ty", "kế hoạch", "nhiệm vụ", "hồ sơ", "buổi",
    "ngày công", "việc làm", "nghề", "sao", "cửa hàng", "điểm bán", "ki-ốt", "tác phẩm", "thành viên",
    "chủ doanh nghiệp", "chủ cơ sở", "nhóm", "container", "lò", "chiếc", "bộ", "hộ dân", "mặt hàng", "làng",
    "lượt đại biểu", "lượt sản phẩm", "lượt hộ", "lượt lao động", "tấn sản phẩm", "xã", "phường", "bản", "video",
], key=len, reverse=True)
_UNIT = "(?:" + "|".join(re.escape(u) for u in _UNITS) + ")"
QUANTITY_RE = re.compile(
    rf"(?<![\w.,/-]){_RANGE}[^\S\n]*(?:{_SCALE}[^\S\n]*)?{_UNIT}(?![\w²])|(?<![\w.,/])(?:{_WNUM_QUANTITY})(?:nghìn[^\S\n]+|ngàn[^\S\n]+|trăm[^\S\n]+)?{_UNIT}(?![\w])",
    re.IGNORECASE,
)

_YEAR = r"(?:19|20)\d{2}"
DATE_RE = re.compile(
    "|".join([
        rf"(?:ngày[^\S\n]+)?\d{{1,2}}[^\S\n]*/[^\S\n]*\d{{1,2}}[^\S\n]*/[^\S\n]*{_YEAR}",
        rf"(?:ngày[^\S\n]+)?\d{{1,2}}-\d{{1,2}}-{_YEAR}",
        rf"\d{{1,2}}[^\S\n]+tháng[^\S\n]+(?:đầu[^\S\n]+|cuối[^\S\n]+)?năm[^\S\n]+{_YEAR}",
        rf"ngày[^\S\n]+\d{{1,2}}[^\S\n]+tháng[^\S\n]+\d{{1,2}}[^\S\n]+năm[^\S\n]+{_YEAR}",
        rf"tháng[^\S\n]+\d{{1,2}}[^\S\n]*(?:/|năm)[^\S\n]*{_YEAR}",
        rf"quý[^\S\n]+(?:I{{1,3}}|IV|[1-4])[^\S\n]*(?:/|năm)[^\S\n]*{_YEAR}",
        rf"(?:giai đoạn|niên độ|thời kỳ|năm)[^\S\n]+{_YEAR}[^\S\n]*(?:-|–|—|đến)[^\S\n]*(?:năm[^\S\n]+)?{_YEAR}",
        rf"(?:năm|niên độ)[^\S\n]+{_YEAR}",
        rf"{_YEAR}[^\S\n]*(?:-|–|—)[^\S\n]*{_YEAR}",
        rf"{_YEAR}-\d{{2}}(?:-\d{{2}})?",
        rf"{_YEAR}",
        # a month alone ("đến hết tháng 6"); its year comes from the document (values.py)
        r"(?<=[^\d\s][^\S\n])tháng[^\S\n]+(?:1[0-2]|0?[1-9])(?![\d/\w])(?![^\S\n]*(?:năm|/|-)[^\S\n]*\d)",
    ]),
    re.IGNORECASE,
)
# A year inside a decree number (45/2012/NĐ-CP) or a bigger number is no DATE.
_DATE_GUARD_BEFORE = re.compile(r"[\w/.,-]$")
_DATE_GUARD_AFTER = re.compile(r"^(?:/|[.,]\d|\d|-[A-ZĐ])")

# --- LOC --------------------------------------------------------------------------------------

_ADMIN = r"(?:tỉnh|thành phố|TP\.?|huyện|thị xã|quận|xã|phường|thị trấn|vùng|khu vực)"
_CAP_WORD = r"[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ][^\W\d_]*"
_PLACE_NAME = rf"(?:{_CAP_WORD}|\d+)(?:[^\S\n]+{_CAP_WORD}){{0,3}}"
# "huyện Lương Sơn", "các huyện Lương Sơn, Kim Bôi và Yên Thuỷ": each name is a LOC
ADMIN_LOC_RE = re.compile(rf"(?<![\w]){_ADMIN}[^\S\n]+({_PLACE_NAME}(?:[^\S\n]*,[^\S\n]*{_PLACE_NAME})*(?:[^\S\n]+và[^\S\n]+{_PLACE_NAME})?)")
_LIST_SPLIT = re.compile(r"[^\S\n]*,[^\S\n]*|[^\S\n]+và[^\S\n]+")
# "tại Hải Hậu", "ở Đại Từ": a capitalised name after a preposition of place
PREP_LOC_RE = re.compile(rf"(?<![\w])(?:tại|ở)[^\S\n]+({_CAP_WORD}(?:[^\S\n]+{_CAP_WORD}){{0,2}})(?![\w])")


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def _places() -> tuple[re.Pattern, frozenset]:
    names = sorted(place_kinds(), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])")
    return pattern, frozenset(names)


# --- ORG ----------------------------------------------------------------------------------------

# Head words that open an organisation name (matched case-sensitively on the first letter).
_ORG_HEADS = [
    "Công ty", "Cty", "Doanh nghiệp tư nhân", "DNTN", "Hợp tác xã", "HTX", "Tổ hợp tác", "THT",
    "Hộ kinh doanh", "Cơ sở", "Tập đoàn", "Tổng công ty", "Ngân hàng", "Chi nhánh",
    "Bộ", "Sở", "Cục", "Vụ", "Tổng cục", "Viện", "Trường", "Trung tâm", "Ban", "Phòng",
    "UBND", "Ủy ban nhân dân", "Uỷ ban nhân dân", "HĐND", "Hội đồng nhân dân", "Hiệp hội", "Hội",
    "Liên minh", "Liên hiệp", "Báo", "Tạp chí", "Đài", "Văn phòng", "Quỹ", "Làng nghề", "Tổ chức", "Cơ quan",
]
_ORG_SINGLE = ["Chính phủ", "Thủ tướng Chính phủ", "Quốc hội", "Tỉnh ủy", "Tỉnh uỷ", "Huyện ủy",
               "Cục Công Thương địa phương", "Cục Công thương địa phương", "Cục Công nghiệp địa phương"]
# Words that end a name: function words, verbs and conjunctions that do not occur in names.
_STOP = {
    "cho", "tại", "đã", "đang", "sẽ", "với", "là", "được", "có", "của", "trong", "trên", "về", "theo",
    "để", "nhằm", "này", "đó", "cùng", "các", "những", "từ", "đến", "khi", "thì", "mà", "do", "bởi",
    "vì", "nên", "như", "qua", "hỗ", "tổ", "thực", "triển", "tham", "phối", "đề", "nay", "gồm", "bao",
    "vừa", "cũng", "đều", "luôn", "chưa", "không", "ông", "bà", "anh", "chị", "năm", "ngày", "tháng",
    "kinh", "tổng", "đạt", "thuộc", "trực", "mới", "ra", "vào", "lại", "sau", "trước", "hiện", "phê",
    "ở", "ban", "lựa", "cử", "giao", "ký", "trao", "nhận", "dự", "chủ", "đối", "tiếp", "đánh", "báo",
}
_ADMIN_WORDS = {"tỉnh", "huyện", "thành", "phố", "thị", "xã", "quận", "phường", "trấn", "tp"}
# Heads that need a capitalised name after them to be an ORG at all.
# Heads that stand alone as an ORG (with an attached place: "UBND tỉnh"); all others need a name.
_STANDALONE = {"UBND", "Ủy ban nhân dân", "Uỷ ban nhân dân", "HĐND", "Hội đồng nhân dân"}
_BY_PROVINCE = {"Hiệp hội", "Liên minh", "Liên hiệp"}
_LEGAL_FORMS = {"tnhh", "mtv", "cổ", "phần", "cp", "jsc"}


_HEADS = sorted(((h.split(), h) for h in _ORG_HEADS + _ORG_SINGLE), key=lambda x: -len(x[0]))
_HEADS_BY_FIRST: dict[str, list] = {}
for _words, _head in _HEADS:
    _HEADS_BY_FIRST.setdefault(_words[0], []).append((_words, _head))


def _org_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token spans of organisation names: a head word, then name words up to a stop."""

    spans = []
    n = len(doc)
    i = 0
    while i < n:
        matched = None
        for words, head in _HEADS_BY_FIRST.get(doc[i].text, ()):
            k = len(words)
            if i + k <= n and all(doc[i + j].text == w or (j > 0 and doc[i + j].norm_ == w.lower()) for j, w in enumerate(words)):
                matched = (words, head)
                break
        if not matched:
            i += 1
            continue
        words, head = matched
        start, j = i, i + len(words)
        if head == "Tổ chức" and _starts_activity(doc[j:j + 8].text):
            i = j  # Đề án “Tổ chức Hội chợ …”: the verb "organise", not an organisation
            continue
        if head in _ORG_SINGLE:
            spans.append((start, j))
            i = j
            continue
        needs_name = head not in _STANDALONE
        # "Hiệp hội doanh nghiệp tỉnh": an association designated by its province needs no proper name
        designated = head in _BY_PROVINCE
        if needs_name and not designated and not (j < n and (doc[j].text[:1].isupper() or doc[j].norm_ in _LEGAL_FORMS) and doc[j]._.word_start):
            i += 1  # "Hội chợ", "Ban tổ chức", "Sở" or "HTX" alone: no name follows
            continue
        end = j
        last_good = j if not needs_name else None
        place_started = False
        while end < n and end - start < 22:
            tok = doc[end]
            low = tok.norm_
            inside_word = not tok._.word_start  # a syllable continuing underthesea's word
            if tok.is_space or (tok.is_punct and tok.text not in "-–&"):
                break
            if not inside_word and low in _STOP and not tok.text[0].isupper():
                break
            if end > j and not inside_word and any(
                    doc[end:end + len(w)].text == " ".join(w) for w, _ in _HEADS_BY_FIRST.get(tok.text, ())
                    if w[0] not in ("Hội", "Ban", "Phòng")):
                break  # another organisation starts here
            if place_started and not tok.text[0].isupper() and not inside_word:
                break  # "UBND tỉnh Vĩnh Phúc | ban hành …": the attached place ends the name
            end += 1
            if tok.text[0].isupper() or low in _LEGAL_FORMS or (inside_word and last_good == end - 1):
                last_good = end
                if end - 2 >= start and doc[end - 2].norm_ in _ADMIN_WORDS and tok.text[0].isupper():
                    place_started = True
            elif low in _ADMIN_WORDS and (end >= n or not doc[end].text[:1].isupper()):
                last_good = end  # "UBND tỉnh", "Liên minh Hợp tác xã tỉnh"
        if last_good is None or (last_good <= j and needs_name):
            i += 1
            continue
        spans.append((start, last_good))
        i = last_good
    return spans


def _alias_spans(doc: Doc, orgs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"(Trung tâm)" or "(TTKC)" right after an ORG, and later capitalised uses of it."""
    aliases, out = set(), []
    for s, e in orgs:
        if e + 2 < len(doc) and doc[e].text == "(":
            close = next((k for k in range(e + 1, min(e + 6, len(doc))) if doc[k].text == ")"), None)
            if close and close > e + 1 and doc[e + 1].text[:1].isupper():
                alias = doc[e + 1:close].text
                aliases.add(alias)
                out.append((e + 1, close))
    if aliases:
        for alias in aliases:
            words = alias.split()
            for i in range(len(doc) - len(words) + 1):
                if all(doc[i + k].text == w for k, w in enumerate(words)):
                    nxt = doc[i + len(words)] if i + len(words) < len(doc) else None
                    if nxt is None or not nxt.text[:1].isupper():
                        out.append((i, i + len(words)))
    return out


# --- ACTIVITY -------------------------------------------------------------------------------------

# (pattern, category, extend): `extend` lets the span run on over the activity's object.
_ACTIVITY_LEXICON: list[tuple[str, str, bool]] = [
    (r"nâng cao năng lực quản lý và tổ chức thực hiện (?:các )?hoạt động khuyến công", "PROGRAM_MANAGEMENT", False),
    (r"đào tạo nghề, truyền nghề,? và nâng cao tay nghề|đào tạo nghề, truyền nghề", "TRAINING", False),
    (r"(?:đào tạo|dạy) nghề|truyền nghề|nâng cao tay nghề|đào tạo lao động|đào tạo thợ", "TRAINING", True),
    (r"nâng cao năng lực quản lý|khởi sự (?:doanh nghiệp|kinh doanh)|quản trị doanh nghiệp|khảo sát học tập kinh nghiệm|tham quan học tập kinh nghiệm|khảo sát,? học tập", "MANAGEMENT", True),
    (r"tập huấn nghiệp vụ(?: khuyến công)?|kiểm tra,? giám sát|nâng cao năng lực cho (?:cán bộ|đội ngũ)|nâng cao năng lực(?! quản lý)|cơ sở dữ liệu(?: về)? khuyến công|bồi dưỡng nghiệp vụ", "PROGRAM_MANAGEMENT", False),
    (r"tập huấn|hội thảo|đào tạo", "MANAGEMENT", False),
    # the purchase or the equipment supported (GUIDELINES §9): "hỗ trợ mua 2 máy", "hỗ trợ máy sấy …"
    (r"(?:mua sắm|mua|trang bị)(?=[^\S\n]+(?:\d+|một|hai|ba|bốn|năm)[^\S\n]+(?:máy|thiết bị|dây chuyền|lò|bộ|hệ thống|dàn))", "TECHNOLOGY", False),
    (r"(?<=hỗ trợ )(?:máy móc|thiết bị|dụng cụ|dây chuyền|máy)(?! móc)|(?:mua sắm|trang bị) (?:máy|thiết bị|dây chuyền|dụng cụ)|mô hình (?:sản xuất|chế biến|thí điểm)|dây chuyền (?:công nghệ|sản xuất|chế biến)", "TECHNOLOGY", True),
    (r"mô hình trình diễn(?: kỹ thuật| kĩ thuật)?|chuyển giao công nghệ|ứng dụng (?:máy|thiết bị|dây chuyền|công nghệ|tiến bộ|khoa học|kỹ thuật)|đầu tư (?:đổi mới )?(?:máy móc|thiết bị|dây chuyền)|đổi mới (?:máy móc|thiết bị|dây chuyền|công nghệ)", "TECHNOLOGY", True),
    (r"bình chọn sản phẩm(?: công nghiệp nông thôn| CNNT)?(?: tiêu biểu)?(?: cấp (?:tỉnh|huyện|khu vực|quốc gia))?|phát triển sản phẩm(?: công nghiệp nông thôn| CNNT)? tiêu biểu|hội chợ,? triển lãm|hội chợ|triển lãm|phòng trưng bày|xây dựng thương hiệu|quảng bá sản phẩm|in catalog|catalogue|điểm giới thiệu(?:,? bán)? sản phẩm", "PRODUCT", True),
    (r"thông tin tuyên truyền|tuyên truyền|xây dựng chuyên mục|phát hành bản tin|in tờ rơi|truyền thông", "COMMUNICATION", False),
    (r"sản xuất sạch hơn", "CLEANER_PRODUCTION", False),
    (r"tư vấn|trợ giúp|lập dự án đầu tư|thiết kế mẫu mã", "CONSULTING", True),
    (r"liên doanh,? liên kết(?:,? hợp tác kinh tế)?|hợp tác kinh tế|phát triển (?:các )?cụm công nghiệp|hạ tầng (?:kỹ thuật )?cụm công nghiệp|di dời (?:cơ sở|doanh nghiệp)", "COOPERATION", True),
    (r"xử lý ô nhiễm(?: môi trường)?|(?:hệ thống )?xử lý nước thải|xử lý khí thải|xử lý chất thải", "ENVIRONMENT", True),
    (r"hợp tác quốc tế(?: về khuyến công)?", "INTERNATIONAL", False),
    (r"(?:chương trình|hoạt động|công tác|kế hoạch(?: kinh phí)?|đề án) khuyến công(?: quốc gia| địa phương)?|(?:chương trình|hoạt động|công tác|kế hoạch|đề án) (?:KCQG|KCĐP)", "GENERAL", False),
]
_ACTIVITY_RE = [(re.compile(rf"(?<![\w])(?:{p})(?![\w])", re.IGNORECASE), cat, ext) for p, cat, ext in _ACTIVITY_LEXICON]
# The object of an extendable activity ends at these words or at punctuation.
_ACT_STOP = {"cho", "nhằm", "với", "để", "tại", "của", "được", "đã", "là", "và", "giúp", "góp", "từ", "có",
             "trị", "giá", "kinh", "tổng", "theo", "thuộc", "năm", "ngày", "tháng", "đạt", "với", "mang", "tạo", "trên"}
# "kinh phí khuyến công quốc gia", "04 đề án khuyến công": funding sources, not activities (SPEC §5).
_FUNDING_SOURCE_BEFORE = re.compile(r"(?:kinh phí|nguồn|vốn|ngân sách|\d+)\s*$", re.IGNORECASE)


# Words that introduce the means of an activity: "nâng cao năng lực quản lý … thông qua tổ chức
# 4 lớp tập huấn" (GUIDELINES §8); used by the category and relation classifiers.
MEANS_WORDS = r"qua việc|thông qua(?: việc)?|bằng việc|bằng cách"


def _starts_activity(phrase: str) -> bool:
    return any(pattern.match(phrase) for pattern, _, _ in _ACTIVITY_RE)


def activity_category(phrase: str) -> str | None:
    """The category of a phrase by the lexicon, or None."""
    for pattern, cat, _ in _ACTIVITY_RE:
        if pattern.search(phrase):
            return cat
    return None


def _activity_spans(doc: Doc, view: TextView) -> list[tuple[Span, str, int]]:
    """(span, category, end of the lexicon match) for every activity phrase."""
    out = []
    taken: list[tuple[int, int]] = []
    for pattern, cat, extend in _ACTIVITY_RE:
        for m in pattern.finditer(view.view):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if cat == "GENERAL" and m.group(0).lower().startswith("đề án") and _FUNDING_SOURCE_BEFORE.search(view.view[max(0, m.start() - 40):m.start()]):
                continue
            start, end = view.span(m.start(), m.end())
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            core_end = span.end
            if extend:
                span = _extend_object(doc, span)
            taken.append((m.start(), m.end()))
            out.append((span, cat, core_end))
    return out


def _extend_object(doc: Doc, span: Span, limit: int = 10) -> Span:
    end = span.end
    last = end
    while end < len(doc) and end - span.end < limit:
        tok = doc[end]
        if tok.is_space or tok.is_punct or tok.like_num or (tok._.word_start and tok.norm_ in _ACT_STOP):
            break
        end += 1
        last = end
    return doc[span.start:last]


# --- assembling -----------------------------------------------------------------------------------


def find_entities(doc: Doc, labels=LABELS) -> list[Span]:
    """Non-overlapping candidate entities; ACTIVITY spans get their lexicon category in
    `span_attrs(span)["category"]`."""
    view = TextView(doc_text(doc))
    text = view.view
    spans: list[Span] = []

    def add(start: int, end: int, label: str, mode: str = "contract") -> Span | None:
        s, e = view.span(start, end)
        span = doc.char_span(s, e, label=label, alignment_mode=mode)
        if span is not None and len(span):
            spans.append(span)
        return span

    if "ORG" in labels:
        orgs = _org_spans(doc)
        for s, e in orgs + _alias_spans(doc, orgs):
            spans.append(Span(doc, s, e, label="ORG"))
    if "MONEY" in labels:
        for m in MONEY_RE.finditer(text):
            add(m.start(), m.end(), "MONEY")
    if "DATE" in labels:
        for m in DATE_RE.finditer(text):
            if _DATE_GUARD_BEFORE.search(text[max(0, m.start() - 1):m.start()]) or _DATE_GUARD_AFTER.search(text[m.end():m.end() + 2]):
                continue
            add(m.start(), m.end(), "DATE")
    if "QUANTITY" in labels:
        for m in QUANTITY_RE.finditer(text):
            unit_start = re.search(r"[^\W\d_]", m.group(0))
            if unit_start and m.group(0)[unit_start.start()].isupper() and not m.group(0).endswith(("HTX", "CNNT")):
                if not re.match(r"[^\W\d_]", m.group(0)):  # digits then a capital: "2024 Khách"
                    continue
            add(m.start(), m.end(), "QUANTITY")
    if "LOC" in labels:
        pattern, _ = _places()
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 200):m.start()].rstrip(" ")  # not the whole text before: long texts
            words_before = before.split()
            prev_word = words_before[-1] if words_before else ""
            after = text[m.end():m.end() + 2].lstrip(" ")
            # "Nguyễn Văn Đức": a place name inside a longer capitalised name is no LOC.
            if prev_word[:1].isupper() and prev_word.isalpha() and not re.search(r"[-–]\s*$", before[-2:]):
                if prev_word.lower() not in ("tỉnh", "huyện", "vùng"):
                    continue
            if after[:1].isupper() and after[:1].isalpha() and len(m.group(0).split()) == 1:
                continue
            add(m.start(), m.end(), "LOC")
        for m in ADMIN_LOC_RE.finditer(text):
            pos = m.start(1)
            for name in _LIST_SPLIT.split(m.group(1)):
                start = text.index(name, pos)
                add(start, start + len(name), "LOC")
                pos = start + len(name)
        for m in PREP_LOC_RE.finditer(text):
            add(m.start(1), m.end(1), "LOC")
    chosen = _resolve(spans)
    if "ACTIVITY" in labels:
        chosen += _place_activities(doc, _activity_spans(doc, view), chosen)
    return sorted(chosen, key=lambda s: s.start)


def _place_activities(doc: Doc, acts, others: list[Span]) -> list[Span]:
    """Activities around the other entities: an extended object stops where another
    entity starts ("Hội chợ Công Thương | vùng Đồng bằng sông Hồng"); an activity whose
    lexicon phrase itself overlaps an entity ("tư vấn" in an ORG name) is dropped."""
    placed = []
    others = sorted(others, key=lambda o: o.start)
    starts = [o.start for o in others]
    for span, cat, core_end in acts:
        start, end = span.start, span.end
        # only entities starting before the activity's end can overlap it; spans are short
        k = bisect.bisect_left(starts, end)
        for other in others[max(0, k - 64):k]:
            if other.start < end and start < other.end:
                if other.start >= core_end:
                    end = min(end, other.start)
                else:
                    end = start  # overlaps the phrase itself
        end = _trim_trailing_words(doc, start, end, _ACT_END_WORDS)
        if end > start:
            act = Span(doc, start, end, label="ACTIVITY")
            span_attrs(act)["category"] = cat
            placed.append(act)
    return filter_spans(placed)


_TRAILING = {"vùng", "khu", "vực", "tỉnh", "huyện", "thành", "phố", "ở", "tại"}
_ACT_END_WORDS = frozenset(_ACT_STOP | _TRAILING)


def _trim_trailing_words(doc: Doc, start: int, end: int, words) -> int:
    """`end` moved back over trailing spaces, punctuation and whole underthesea words made only
    of `words` ("cho", "nhằm", "thành phố"), never into a word ("tạo" of "đào tạo" stays)."""
    while end > start:
        if doc[end - 1].is_space or doc[end - 1].is_punct:
            end -= 1
            continue
        first = end - 1
        while first > start and not doc[first]._.word_start:
            first -= 1
        if not all(t.norm_ in words for t in doc[first:end]):
            break
        end = first
    return end


_NAME_END_WORDS = frozenset({"và", "cùng", "với", "hoặc", "của", "cho", "tại"})

# When spans overlap the longer wins; on a tie this order decides.
_PRIORITY = {"ORG": 0, "MONEY": 1, "DATE": 2, "QUANTITY": 3, "LOC": 4, "ACTIVITY": 5}


def _resolve(spans: list[Span]) -> list[Span]:
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), _PRIORITY[s.label_], s.start))
    return filter_spans(ordered)


_WORD_BOUNDED = ("ORG", "LOC", "ACTIVITY")
_ADMIN_HEADS = (("thành", "phố"), ("thị", "xã"), ("tỉnh",), ("huyện",), ("tp",), ("tp.",))


def _head_at(doc: Doc, start: int, end: int) -> bool:
    """Whether an organisation head ("hộ kinh doanh", "công ty") opens doc[start:end], in any
    letter case: underthesea may glue its first syllable to the word before ("chủ_hộ")."""
    return any(end - start >= len(words) and [t.norm_ for t in doc[start:start + len(words)]] == [w.lower() for w in words]
               for words, _ in _HEADS if len(words) > 1)


def repair_spans(doc: Doc, spans) -> list[Span]:
    """A trained recognizer's spans made to keep two SPEC rules it can break: an ORG, LOC or
    ACTIVITY begins and ends on an underthesea word boundary (trimmed to the whole words it
    covers, dropped when none), and an ORG takes the place attached to its name
    ("Trung tâm Phát triển Công Thương" + "tỉnh Vĩnh Phúc"), which then is no LOC of its own."""
    n = len(doc)
    text = doc_text(doc)
    out = []
    for span in spans:
        start, end = span.start, span.end
        if span.label_ in _WORD_BOUNDED:
            # underthesea often glues a name to its neighbour ("trình_Bộ", "Phước_cử"): a
            # capitalised syllable at the edge is trusted over its word boundary
            while start < end and ((not doc[start]._.word_start and not doc[start].text[:1].isupper()
                                    and not (span.label_ == "ORG" and _head_at(doc, start, end)))
                                   or doc[start].is_punct):
                start += 1
            while end > start and ((end < n and not doc[end]._.word_start and not doc[end - 1].text[:1].isupper())
                                   or doc[end - 1].is_punct):
                end -= 1
        if span.label_ == "ORG" and end == span.end:
            end = _attached_place_end(doc, end)
        if span.label_ == "ACTIVITY":
            end = _trim_trailing_words(doc, start, end, _ACT_STOP)  # "… nhằm", "… cho": SPEC ends before them
        if span.label_ == "ORG":
            end = _trim_trailing_words(doc, start, end, _NAME_END_WORDS)  # "TTKC và | Sở …": no name ends in "và"
        if span.label_ == "ORG" and _bare_head_without_alias(doc, start, end, text):
            continue
        if end > start:
            out.append(span if (start, end) == (span.start, span.end) else Span(doc, start, end, label=span.label_))
    orgs = filter_spans([s for s in out if s.label_ == "ORG"])
    return sorted(orgs + [s for s in out if s.label_ != "ORG" and not any(o.start < s.end and s.start < o.end for o in orgs)],
                  key=lambda s: s.start)


_GENERIC_HEADS = frozenset(h for h in _ORG_HEADS if h not in _STANDALONE)
_ALIAS_OPENING = re.compile(r"(?:\(|\(?(?:gọi tắt là|sau đây gọi là|sau đây gọi tắt là|gọi là)\s*)$")


def _bare_head_without_alias(doc: Doc, start: int, end: int, text: str) -> bool:
    """"Trung tâm", "Sở", "Công ty" alone, with no earlier "(Trung tâm)" or "(gọi tắt là
    Trung tâm)" making it an alias: SPEC §2 says a bare generic head is no ORG."""
    head = doc[start:end].text
    if head not in _GENERIC_HEADS:
        return False
    before = text[:doc[start].idx]
    if _ALIAS_OPENING.search(before[-40:]):
        return False  # this mention is the alias being defined
    return re.search(rf"\((?:[^()]{{0,40}}\s)?{re.escape(head)}\)", before) is None


def _join_touching_activities(doc: Doc, spans: list[Span]) -> list[Span]:
    """Two ACTIVITY spans with nothing but a space between them ("đầu tư đổi mới" + "dây
    chuyền …") are one phrase cut in two by the recognizer: they become one span."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        prev = out[-1] if out else None
        if prev is not None and prev.label_ == span.label_ == "ACTIVITY" and _only_spaces_between(doc, prev.end, span.start):
            out[-1] = Span(doc, prev.start, span.end, label="ACTIVITY")
            span_attrs(out[-1]).update(span_attrs(prev))
        else:
            out.append(span)
    return out


def _only_spaces_between(doc: Doc, end: int, start: int) -> bool:
    gap = doc[end:start]
    return (bool(doc[end - 1].whitespace_) or len(gap) > 0) and all(t.is_space and "\n" not in t.text for t in gap)


def _attached_place_end(doc: Doc, end: int) -> int:
    """End of "tỉnh Vĩnh Phúc" (admin word + capitalised name) right after token `end`, or `end`."""
    for head in _ADMIN_HEADS:
        k = end + len(head)
        if k >= len(doc) or tuple(t.norm_ for t in doc[end:k]) != head:
            continue
        if not doc[k].text[:1].isupper():
            return k  # "Trung tâm Khuyến công tỉnh": designated by its province
        if doc[k]._.word_start:
            k += 1
            while k < len(doc) and k - end < 7 and doc[k].text[:1].isupper() and not doc[k]._.word_start:
                k += 1  # the rest of an underthesea word ("Vĩnh Phúc")
            return k
    return end


# SPEC §5–§6 and GUIDELINES §9: an aim or a benefit ("nhằm …", "góp phần …", "là cơ hội để …")
# is no activity, a verb of doing alone ("xây dựng", "tổ chức") is none either, and a scheme word
# after a count ("466 chương trình, đề án khuyến công") counts schemes, it does not name the programme.
_AIM_BEFORE = re.compile(r"(?:nhằm(?:\s+mục\s+(?:đích|tiêu))?|góp\s+phần|(?:cơ\s+hội|dịp|điều\s+kiện)\s+để|mục\s+tiêu\s+là)\s*$",
                         re.IGNORECASE)
_DOING_VERBS = frozenset({"tổ chức", "thực hiện", "tham gia", "triển khai", "hỗ trợ", "xây dựng", "phát triển", "mở",
                          "nâng cao", "áp dụng", "hoạt động", "chương trình", "đề án", "kế hoạch"})
_COUNT_BEFORE = re.compile(r"(?<![\d/.,])(?!(?:19|20)\d\d(?!\d))\d[\d.]*\s+(?:(?:[^\W\d_]+\s+){0,2}[^\W\d_]+\s*(?:,|và|hoặc)\s*)?$")


# "phát triển công nghiệp / kinh tế / sản xuất" is what the programme aims at, not something it
# funds (the activities are "phát triển cụm công nghiệp", "phát triển sản phẩm …")
_AIM_PHRASE = re.compile(r"phát\s+triển\s+(?:công\s+nghiệp|kinh\s+tế|sản\s+xuất)(?!.*khuyến\s+công)")


def not_an_activity(text: str, start: int, end: int) -> bool:
    """Whether an ACTIVITY span at text[start:end] breaks one of the guide's rules of what an
    activity is: an aim or benefit, a verb of doing alone, a scheme word after a count."""
    phrase = " ".join(text[start:end].lower().split())
    if phrase in _DOING_VERBS or _AIM_PHRASE.match(phrase):
        return True
    before = text[max(0, start - 40):start]
    if _AIM_BEFORE.search(before):
        return True
    return phrase.startswith(("đề án", "chương trình")) and bool(_COUNT_BEFORE.search(before))


class EntityRules:
    """Pipeline component: rule entities merged with those already on the Doc (a trained
    recognizer's, first put right by `repair_spans`). Entities of `drop` labels already on
    the Doc are removed first; rule spans of `override` labels replace overlapping entities;
    rule spans of `fill` labels are added only where they overlap none; other labels are left
    alone."""

    def __init__(self, override=LABELS, fill=(), drop=()):
        unknown = (set(override) | set(fill) | set(drop)) - set(LABELS)
        if unknown:
            raise ValueError(f"unknown labels {sorted(unknown)}; labels are {', '.join(LABELS)}")
        self.override = tuple(override)
        self.fill = tuple(lab for lab in fill if lab not in self.override)
        self.drop = tuple(drop)

    def __call__(self, doc: Doc) -> Doc:
        rule_spans = find_entities(doc, self.override + self.fill)
        strong = [s for s in rule_spans if s.label_ in self.override]
        weak = [s for s in rule_spans if s.label_ in self.fill]
        trained = repair_spans(doc, [e for e in entities(doc) if e.label_ not in self.drop])
        kept = [e for e in trained if not any(s.start < e.end and e.start < s.end for s in strong)]
        merged = strong + kept
        merged += [s for s in weak if not any(s.start < e.end and e.start < s.end for e in merged)]
        text = doc_text(doc)
        merged = [s for s in merged if s.label_ != "ACTIVITY" or not not_an_activity(text, s.start_char, s.end_char)]
        doc.ents = _join_touching_activities(doc, merged)
        return doc


class RuleHints:
    """Pipeline component run before the trained recognizer: each token's `tag_` says what
    the rules make of it ("B-ORG", "I-MONEY", "O"), and the recognizer embeds that tag, so it
    learns from the corpus when to follow the rules and when to overrule them."""

    def __call__(self, doc: Doc) -> Doc:
        tags = ["O"] * len(doc)
        for span in find_entities(doc):
            tags[span.start] = f"B-{span.label_}"
            for k in range(span.start + 1, span.end):
                tags[k] = f"I-{span.label_}"
        if tags:  # one array write instead of a Python attribute set per token
            strings = doc.vocab.strings
            doc.from_array([TAG], numpy.array([strings.add(t) for t in tags], dtype="uint64"))
        return doc


@Language.factory("kcnlp_rule_hints")
def make_rule_hints(nlp: Language, name: str) -> RuleHints:
    return RuleHints()


@Language.factory("kcnlp_entity_rules", default_config={"override": list(LABELS), "fill": [], "drop": []})
def make_entity_rules(nlp: Language, name: str, override: list[str], fill: list[str], drop: list[str]) -> EntityRules:
    return EntityRules(override, fill, drop)
