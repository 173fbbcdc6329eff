"""MONEY roles (SPEC §3) from the words that introduce an amount (SPEC §5): the cue
closest before the amount, inside its clause, decides."""
from __future__ import annotations

import re
import unicodedata

from spacy.language import Language

from .linear import LinearClassifier, ModelStage, train_on_entities
from .spanattrs import doc_text, entities, span_attrs
from .textview import TextView
from .tokenizer import normalize_syllable

__all__ = ["money_role", "role_cue", "ROLE_CUES", "role_features", "train_role_model", "RoleClassifier"]

#: cue phrase → role (SPEC §5: the words that introduce an amount decide its role)
ROLE_CUES: dict[str, str] = {
    "đối ứng": "counterpart", "đóng góp": "counterpart", "thụ hưởng đóng góp": "counterpart",
    "doanh nghiệp bỏ ra": "counterpart", "vốn tự có": "counterpart", "huy động": "counterpart",
    "quốc gia": "national", "kcqg": "national", "trung ương": "national",
    "địa phương": "local", "ngân sách tỉnh": "local", "kcđp": "local", "ngân sách địa phương": "local",
    "ngân sách huyện": "local", "ngân sách thành phố": "local", "tỉnh hỗ trợ": "local", "ngân sách xã": "local",
    "tổng kinh phí": "total", "tổng vốn": "total", "tổng số tiền": "total",
    "tổng mức": "total", "tổng nguồn vốn": "total", "tổng giá trị đầu tư": "total", "tổng chi phí": "total",
    "tổng vốn đầu tư": "total", "tổng giá trị": "total",
    "tổng kinh phí hỗ trợ": "support", "tổng số tiền hỗ trợ": "support", "tổng vốn hỗ trợ": "support",
    "kinh phí": "support", "hỗ trợ": "support", "ngân sách hỗ trợ": "support", "được hỗ trợ": "support",
    "tài trợ": "support", "bố trí": "support", "tổng cộng": "support", "dành": "support",
    "thu nhập": "income", "lương": "income", "tiền công": "income", "mức lương": "income", "mỗi tháng": "income",
    "doanh thu": "other", "giá trị sản xuất": "other", "kim ngạch": "other", "xuất khẩu": "other",
    "lợi nhuận": "income", "lãi suất": "other", "grdp": "other", "vay": "other", "cho vay": "other", "giá bán": "other",
    "giá": "other", "nộp ngân sách": "other", "thu ngân sách": "other", "vốn điều lệ": "other",
    "giải thưởng": "other", "tiền thưởng": "other", "thưởng": "other", "bán được": "other", "doanh số": "other",
    "thu về": "other", "tiêu thụ": "other", "lãi": "income", "chi phí sản xuất": "other", "nợ": "other",
}
#: generic words ("kinh phí", "hỗ trợ") say only that money is spent: any other cue in reach wins
GENERIC = "support"
_SOURCES = {"counterpart", "national", "local"}
_CUE_RE = re.compile(r"(?<![\w])(" + "|".join(sorted(map(re.escape, ROLE_CUES), key=len, reverse=True)) + r")(?![\w])", re.IGNORECASE)
# "quốc gia" and "địa phương" name a source only as the programme's ("cấp quốc gia", "Trung tâm
# Khuyến nông Quốc gia" do not); checked on the words just before the cue.
_NOT_SOURCE_BEFORE = re.compile(r"(?:cấp|khuyến nông|xúc tiến thương mại|chuẩn|tiêu chuẩn|các|nhiều|tại|ở|của)\s*$", re.IGNORECASE)
# A source named anywhere earlier in the sentence ("Từ nguồn kinh phí khuyến công quốc gia năm
# 2024, Trung tâm đã hỗ trợ …") decides where the clause itself names none (SPEC §5).
_SENTENCE_SOURCE = re.compile(
    r"(?:khuyến\s+công|KC)\s+(quốc\s+gia|địa\s+phương)|\b(KCQG|KCĐP)\b"
    r"|ngân\s+sách\s+(tỉnh|địa\s+phương|huyện|thành\s+phố|trung\s+ương)", re.IGNORECASE)
# The source named right after the amount: "600 triệu đồng từ nguồn khuyến công quốc gia",
# "(nguồn KCĐP)", "… 882 triệu đồng do HTX đối ứng".
_SOURCE_AFTER = re.compile(
    r"\s*\(?\s*(?:được\s+)?(?:lấy\s+)?(?:từ|thuộc|bằng|là|của)?\s*(?:nguồn|ngân\s+sách|kinh\s+phí|vốn)[^,.;:\n()]{0,45}"
    r"|\s*(?:cho|từ|thuộc)\s+(?:hoạt\s+động\s+|chương\s+trình\s+|kế\s+hoạch\s+|đề\s+án\s+)?khuyến\s+công\s+(?:quốc\s+gia|địa\s+phương)"
    r"|\s*(?:là\s+)?(?:do|của)\s+[^,.;:\n()]{0,40}?(?:đối\s+ứng|đóng\s+góp|tự\s+bỏ|bỏ\s+ra|tự\s+có|tự\s+đầu\s+tư)", re.IGNORECASE)
# The beneficiary's own spending: "gia đình anh đầu tư thêm 350 triệu", "HTX bỏ ra …".
_OWN_SPENDING = re.compile(
    r"(?:gia\s+đình|hộ|doanh\s+nghiệp|công\s+ty|HTX|hợp\s+tác\s+xã|cơ\s+sở|chủ\s+cơ\s+sở|anh|chị|ông|bà|DNTN)"
    r"\b[^,.;:\n]{0,35}?(?:tự\s+)?(?:đầu\s+tư|bỏ\s+ra|bỏ\s+thêm|bỏ\s+vốn|chi\s+thêm|góp)(?:\s+thêm)?"
    r"(?:\s+(?:khoảng|hơn|gần|trên|thêm))?\s*$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;!?…\n:]")
_SENTENCE_END = re.compile(r"[.!?…\n]")
# An earlier amount ends the words that introduce this one.
_AMOUNT_BEFORE = re.compile(r"\d[\d.,]*\s*(?:tỷ|tỉ|triệu|tr|nghìn|ngàn)?\s*(?:đồng|đ|vnđ|vnd|tr\.đ)(?![\w])", re.IGNORECASE)
# A price per unit of goods ("145 nghìn đồng/kg") is other money.
_PRICE_PER = re.compile(r"\s*/\s*(?:kg|tấn|tạ|lít|sản\s+phẩm|chiếc|cái|bộ|m2|m3|m|hộp|chai|gói)(?![\w])", re.IGNORECASE)
_ITEM_MARK = re.compile(r"\s*(?:[-+•*–]|\d{1,2}[.)]|[a-zđ][)]|\(\d{1,2}\))\s", re.IGNORECASE)


def _cues(left: str) -> list[tuple[str, int]]:
    """(role, end offset) of each cue in `left`, names that are not a source left out."""
    out = []
    for m in _CUE_RE.finditer(left):
        role = ROLE_CUES[m.group(1).lower()]
        if role in ("national", "local") and _NOT_SOURCE_BEFORE.search(left[max(0, m.start() - 25):m.start()]):
            continue
        out.append((role, m.end()))
    return out


def _heading_source(text: str, start: int) -> str | None:
    """The source named by the list header that the amount's list item hangs off: a line ending in
    ":" ("- Nguồn khuyến công địa phương:" then "+ Đào tạo nghề …: 180 triệu đồng"), or the head
    of an inline list in its sentence ("… kinh phí khuyến công quốc gia 1,65 tỷ đồng, gồm: đề án A
    (600 triệu đồng); …")."""
    line_start = text.rfind("\n", 0, start) + 1
    sentence = text[max(line_start, start - 700):start]
    scut = max((m.end() for m in re.finditer(r"[.!?](?=\s)", sentence)), default=0)
    head, colon, _ = sentence[scut:].rpartition(":")
    found = list(_SENTENCE_SOURCE.finditer(head)) if colon else []
    if found:
        return _source_role(found[-1])
    pos = line_start
    for _ in range(40):  # lines up, through the list, to a header or heading that names a source
        if pos <= 0:
            return None
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev_start:pos - 1].strip()
        pos = prev_start
        if line.endswith(":") or (len(line) < 120 and not line.endswith((".", ";", ","))):
            found = list(_SENTENCE_SOURCE.finditer(line))
            if found:
                return _source_role(found[-1])
        elif not _ITEM_MARK.match(line):
            return None  # an ordinary paragraph ends the list
    return None


def _source_role(m: re.Match) -> str:
    words = m.group(0).lower()
    if "quốc" in words or "kcqg" in words or "trung" in words:
        return "national"
    return "local"


def role_cue(text: str, start: int, end: int, window: int = 110) -> str | None:
    """The role the words around the amount at text[start:end] give it (SPEC §5), or None when
    they give none. In its clause, after any earlier amount: the nearest cue that names a
    source, a total, wages or other money beats generic words ("kinh phí", "hỗ trợ"); then a
    source right after the amount, the beneficiary's own spending, a source earlier in the
    sentence or in the list header; then the generic words."""
    left = text[max(0, start - window):start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(left)), default=0)
    cut = max([cut] + [m.end() for m in _AMOUNT_BEFORE.finditer(left)])
    clause = left[cut:]
    cues = _cues(clause)
    named = [c for c in cues if c[0] != GENERIC]
    if named:
        return max(named, key=lambda c: c[1])[0]
    m = _SOURCE_AFTER.match(text, end, min(len(text), end + 70))
    if m:
        after = [c for c in _cues(m.group(0)) if c[0] in _SOURCES]
        if after:
            return after[0][0]
    if _OWN_SPENDING.search(clause):
        return "counterpart"
    sentence = text[max(0, start - 260):start]
    scut = max((m.end() for m in _SENTENCE_END.finditer(sentence)), default=0)
    scut = max([scut] + [m.end() for m in _AMOUNT_BEFORE.finditer(sentence)])
    found = list(_SENTENCE_SOURCE.finditer(sentence[scut:]))
    if found:
        return _source_role(found[-1])
    heading = _heading_source(text, start)
    if heading:
        return heading
    if cues:
        return GENERIC
    suffix = text[end:end + 12].lower().replace(" ", "")
    if "/người" in suffix or "/tháng" in suffix:
        return "income"
    if _PRICE_PER.match(text, end):
        return "other"
    return None


def money_role(text: str, start: int, end: int) -> str:
    """The rules' role of the amount at text[start:end]: `role_cue`, else `support` (state money
    whose source is not said)."""
    return role_cue(text, start, end) or GENERIC


# --- the trained role classifier --------------------------------------------------------------

def role_features(text: str, start: int, end: int) -> dict[str, float]:
    """The words before the amount (nearest first, within its clause), the cue-rule role,
    and the words after it."""
    def words(s: str) -> list[str]:
        s = unicodedata.normalize("NFC", s).replace("\u00a0", " ")
        return [normalize_syllable(w.strip(",()“”\"")) for w in s.split() if any(c.isalpha() for c in w)]

    left_text = text[max(0, start - 120):start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(left_text)), default=0)
    left = words(left_text[cut:])[::-1][:14]
    right = words(text[end:end + 40])[:4]
    f = {f"rule={money_role(text, start, end)}": 1.0}
    for i, w in enumerate(left):
        f[f"l={w}"] = 1.0 / (1 + i / 4)
        if i < 3:
            f[f"l{i}={w}"] = 1.0
    for a, b in zip(left[1:], left):
        f[f"lb={a}_{b}"] = 0.7
    for w in right:
        f[f"r={w}"] = 0.5
    sentence_left = text[max(0, start - 300):start].lower()
    f["trong_do_before"] = 1.0 if "trong đó" in sentence_left[-150:] else 0.0
    f["per"] = 1.0 if "/" in text[start:end] else 0.0
    return f


def train_role_model(records: list[dict], seed: int = 0) -> LinearClassifier:
    return train_on_entities(records, "MONEY", "role", role_features, C=2.0, seed=seed)


class RoleClassifier(ModelStage):
    """Pipeline component: the role of every MONEY entity, in `span_attrs`. The words that
    introduce an amount decide (`role_cue`, SPEC §5); the trained classifier decides only where
    the text gives no cue (`mode="combined"`, the default). `mode` "rules" or "model" gives either
    alone, for comparison."""

    mode = "combined"

    def decide(self, text: str, start: int, end: int) -> tuple[str, float | None]:
        """The role of the amount at text[start:end] and the classifier's probability for it
        (None when the words that introduce it decided)."""
        if self.model is None or self.mode == "rules":
            return money_role(text, start, end), None
        if self.mode == "combined":
            cue = role_cue(text, start, end)
            if cue is not None:
                return cue, None
        return self.model.best(role_features(text, start, end))

    def role(self, text: str, start: int, end: int) -> str:
        return self.decide(text, start, end)[0]

    def __call__(self, doc):
        view = TextView(doc_text(doc))  # the cue words are NFC, whatever the user's normalization
        for ent in entities(doc):
            if ent.label_ == "MONEY":
                attrs = span_attrs(ent)
                attrs["role"], confidence = self.decide(view.view, view.to_view(ent.start_char), view.to_view(ent.end_char))
                attrs["source"] = "rule" if confidence is None else "model"
                if confidence is not None:
                    attrs["confidence"] = confidence
        return doc


@Language.factory("kcnlp_role")
def make_role(nlp: Language, name: str) -> RoleClassifier:
    return RoleClassifier()
