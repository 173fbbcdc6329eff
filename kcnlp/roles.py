"""MONEY roles (SPEC §3) from the words that introduce an amount (SPEC §5): the cue
closest before the amount, inside its clause, decides."""
from __future__ import annotations

import re

__all__ = ["money_role", "ROLE_CUES"]

#: cue phrase → role; the nearest cue before the amount wins, a longer one on a tie
ROLE_CUES: dict[str, str] = {
    "đối ứng": "counterpart", "đóng góp": "counterpart", "thụ hưởng đóng góp": "counterpart",
    "doanh nghiệp bỏ ra": "counterpart", "vốn tự có": "counterpart", "huy động": "counterpart",
    "quốc gia": "national", "kcqg": "national", "trung ương": "national",
    "địa phương": "local", "ngân sách tỉnh": "local", "kcđp": "local", "ngân sách địa phương": "local",
    "ngân sách huyện": "local", "tỉnh hỗ trợ": "local",
    "tổng kinh phí": "total", "tổng vốn": "total", "tổng số tiền": "total", "tổng cộng": "total",
    "tổng mức": "total", "tổng nguồn vốn": "total", "tổng giá trị đầu tư": "total", "tổng chi phí": "total",
    "kinh phí": "support", "hỗ trợ": "support", "ngân sách hỗ trợ": "support", "được hỗ trợ": "support",
    "tài trợ": "support",
    "thu nhập": "income", "lương": "income", "tiền công": "income", "mức lương": "income",
    "doanh thu": "other", "giá trị sản xuất": "other", "kim ngạch": "other", "xuất khẩu": "other",
    "lợi nhuận": "other", "grdp": "other", "vốn vay": "other", "cho vay": "other", "giá bán": "other",
    "giá": "other", "nộp ngân sách": "other", "vốn điều lệ": "other", "vốn đầu tư": "other",
    "giải thưởng": "other", "tiền thưởng": "other", "bán được": "other", "đạt doanh số": "other",
    "doanh số": "other", "giá trị": "other", "thu về": "other", "tiêu thụ": "other",
}
_CUE_RE = re.compile(r"(?<![\w])(" + "|".join(sorted(map(re.escape, ROLE_CUES), key=len, reverse=True)) + r")(?![\w])", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;!?\n:]")


def money_role(text: str, start: int, end: int, window: int = 90) -> str:
    """The role of the amount at text[start:end] from the cue words before it."""
    left = text[max(0, start - window):start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(left)), default=0)
    left = left[cut:]
    best = None
    for m in _CUE_RE.finditer(left):
        if best is None or m.end() > best.end() or (m.end() == best.end() and len(m.group(0)) > len(best.group(0))):
            best = m
    if best is not None:
        return ROLE_CUES[best.group(1).lower()]
    suffix = text[end:end + 12].lower()
    if "/người" in suffix.replace(" ", "") or "/tháng" in suffix.replace(" ", ""):
        return "income"
    return "support"
