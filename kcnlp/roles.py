"""MONEY roles (SPEC §3) from the words that introduce an amount (SPEC §5): the cue
closest before the amount, inside its clause, decides."""
from __future__ import annotations

import re
import unicodedata

from spacy.language import Language

from .linear import LinearClassifier, ModelStage
from .spanattrs import span_attrs
from .tokenizer import normalize_syllable

__all__ = ["money_role", "ROLE_CUES", "role_features", "train_role_model", "RoleClassifier"]

#: cue phrase → role (SPEC §5: the words that introduce an amount decide its role)
ROLE_CUES: dict[str, str] = {
    "đối ứng": "counterpart", "đóng góp": "counterpart", "thụ hưởng đóng góp": "counterpart",
    "doanh nghiệp bỏ ra": "counterpart", "vốn tự có": "counterpart", "huy động": "counterpart",
    "quốc gia": "national", "kcqg": "national", "trung ương": "national",
    "địa phương": "local", "ngân sách tỉnh": "local", "kcđp": "local", "ngân sách địa phương": "local",
    "ngân sách huyện": "local", "ngân sách thành phố": "local", "tỉnh hỗ trợ": "local", "ngân sách xã": "local",
    "tổng kinh phí": "total", "tổng vốn": "total", "tổng số tiền": "total", "tổng cộng": "total",
    "tổng mức": "total", "tổng nguồn vốn": "total", "tổng giá trị đầu tư": "total", "tổng chi phí": "total",
    "tổng vốn đầu tư": "total", "tổng giá trị": "total",
    "kinh phí": "support", "hỗ trợ": "support", "ngân sách hỗ trợ": "support", "được hỗ trợ": "support",
    "tài trợ": "support", "bố trí": "support",
    "thu nhập": "income", "lương": "income", "tiền công": "income", "mức lương": "income", "mỗi tháng": "income",
    "doanh thu": "other", "giá trị sản xuất": "other", "kim ngạch": "other", "xuất khẩu": "other",
    "lợi nhuận": "other", "grdp": "other", "vay": "other", "cho vay": "other", "giá bán": "other",
    "giá": "other", "nộp ngân sách": "other", "thu ngân sách": "other", "vốn điều lệ": "other",
    "giải thưởng": "other", "tiền thưởng": "other", "thưởng": "other", "bán được": "other", "doanh số": "other",
    "thu về": "other", "tiêu thụ": "other", "lãi": "other", "chi phí sản xuất": "other", "nợ": "other",
}
# A named source close before the amount ("kinh phí khuyến công quốc gia hỗ trợ 450 triệu",
# "nguồn khuyến công địa phương, tổng cộng 320 triệu") beats a nearer generic cue.
_SOURCES = {"counterpart", "national", "local"}
_SOURCE_REACH = 45
_CUE_RE = re.compile(r"(?<![\w])(" + "|".join(sorted(map(re.escape, ROLE_CUES), key=len, reverse=True)) + r")(?![\w])", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;!?\n:]")
# An earlier amount ends the words that introduce this one.
_AMOUNT_BEFORE = re.compile(r"\d[\d.,]*\s*(?:tỷ|tỉ|triệu|tr|nghìn|ngàn)?\s*(?:đồng|đ|vnđ|vnd|tr\.đ)(?![\w])", re.IGNORECASE)


def money_role(text: str, start: int, end: int, window: int = 90) -> str:
    """The role of the amount at text[start:end] from the cue words before it, within its
    clause and after any earlier amount: a named source close by, else the nearest cue."""
    left = text[max(0, start - window):start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(left)), default=0)
    cut = max([cut] + [m.end() for m in _AMOUNT_BEFORE.finditer(left)])
    left = left[cut:]
    cues = [(ROLE_CUES[m.group(1).lower()], m.end()) for m in _CUE_RE.finditer(left)]
    sources = [c for c in cues if c[0] in _SOURCES and len(left) - c[1] <= _SOURCE_REACH]
    if sources:
        return max(sources, key=lambda c: c[1])[0]
    if cues:
        return max(cues, key=lambda c: c[1])[0]
    suffix = text[end:end + 12].lower().replace(" ", "")
    if "/người" in suffix or "/tháng" in suffix:
        return "income"
    return "support"


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
    X, y = [], []
    for rec in records:
        for e in rec["entities"]:
            if e["label"] == "MONEY" and e.get("role"):
                X.append(role_features(rec["text"], e["start"], e["end"]))
                y.append(e["role"])
    return LinearClassifier.train(X, y, C=2.0, seed=seed)


class RoleClassifier(ModelStage):
    """Pipeline component: the role of every MONEY entity, in `span_attrs` (cue rules when no model)."""

    def __call__(self, doc):
        text = doc.text  # spaCy rebuilds doc.text from every token on each access
        for ent in doc.ents:
            if ent.label_ == "MONEY":
                if self.model is not None:
                    role = self.model.predict(role_features(text, ent.start_char, ent.end_char))
                else:
                    role = money_role(text, ent.start_char, ent.end_char)
                span_attrs(ent)["role"] = role
        return doc



@Language.factory("kcnlp_role")
def make_role(nlp: Language, name: str) -> RoleClassifier:
    return RoleClassifier()
