"""Normalized values of MONEY, QUANTITY and DATE spans (SPEC §2), as pure functions.

Every parser returns a `Parsed` whose `ok` is False with a `reason` when the text cannot be
read: `extract` never raises on a value it cannot parse, it leaves the value null.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from .numbers import NUMBER_WORDS, SCALES, parse_digits, parse_number_words, to_plain

__all__ = ["Parsed", "parse_money", "parse_quantity", "parse_date", "month_alone", "qualifier_before", "QUALIFIERS"]


@dataclass
class Parsed:
    """The normalized fields of one span, or the reason they could not be found."""

    fields: dict = field(default_factory=dict)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _fail(reason: str) -> Parsed:
    return Parsed(reason=reason)


# --- qualifiers -------------------------------------------------------------------------

#: qualifier words before a MONEY/QUANTITY span and their SPEC §2 code
QUALIFIERS: dict[str, str] = {
    "trên": "over", "hơn": "over", "ít nhất": "over", "tối thiểu": "over", "vượt": "over",
    "gần": "under", "gần như": "under", "dưới": "under", "tối đa": "under", "chưa đến": "under",
    "chưa tới": "under", "không quá": "under",
    "khoảng": "about", "ước": "about", "ước tính": "about", "ước đạt": "about", "ước khoảng": "about",
    "ước tăng": "about", "ước giảm": "about", "dự kiến khoảng": "about",
    "xấp xỉ": "about", "chừng": "about", "khoảng chừng": "about", "tầm": "about",
}
_QUAL_RE = re.compile(
    r"(?:^|[^\w])(" + "|".join(sorted(map(re.escape, QUALIFIERS), key=len, reverse=True)) + r")\s*(?:là\s*|đạt\s*)?$",
    re.IGNORECASE,
)


def qualifier_before(text: str, start: int) -> str | None:
    """The qualifier code of the word(s) right before `text[start:]`, if any."""
    m = _QUAL_RE.search(text[max(0, start - 24):start])
    return QUALIFIERS[m.group(1).lower()] if m else None


# --- tokens of a span ---------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:\.[^\W\d_]+)*\.?|[%/\-–—~]|\S")
_RANGE_WORDS = {"-", "–", "—", "~", "đến", "tới", "đên"}
_CURRENCY = {"đồng", "đ", "vnđ", "vnd", "đ.", "vndong", "₫"}
# spellings that carry a scale and the currency in one token
_SCALE_CURRENCY = {"tr.đ": "tr", "trđ": "tr", "tr.đồng": "tr", "trđ.": "tr", "tr.đ.": "tr", "tỷđ": "tỷ"}


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.replace("\u00a0", " "))


def _read_amount(tokens: list[str], integer_context: bool) -> tuple[Decimal | None, str | None, int]:
    """Read one amount at the start of `tokens`: digits or words, each optionally followed
    by a scale, several groups summed ("1 tỷ 200 triệu"). Returns (value, last scale, count)."""
    total, last_scale, i, groups = Decimal(0), None, 0, 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        if tok[0].isdigit():
            scale_tok = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            scale_tok = _SCALE_CURRENCY.get(scale_tok, scale_tok)
            num = parse_digits(tok, integer_context=integer_context and scale_tok not in SCALES)
            if num is None:
                return None, None, i
            if scale_tok in SCALES:
                total += num * SCALES[scale_tok]
                last_scale = scale_tok
                i += 2
            else:
                total += num
                i += 1
            groups += 1
            if last_scale is None:
                break  # a bare number ends the amount
        elif low in NUMBER_WORDS:
            j = i
            while j < len(tokens) and tokens[j].lower() in NUMBER_WORDS:
                j += 1
            num = parse_number_words(tokens[i:j])
            if num is None:
                return None, None, i
            scales = [t.lower() for t in tokens[i:j] if t.lower() in SCALES]
            last_scale = scales[-1] if scales else last_scale
            total += num
            groups += 1
            i = j
        else:
            break
    if groups == 0:
        return None, None, 0
    return total, last_scale, i


def _read_range(tokens: list[str], integer_context: bool) -> tuple[Decimal, Decimal | None, int] | str:
    """An amount or a range "3 - 5", "2 đến 3 tỷ"; the low end takes the high end's scale
    when it has none ("3 - 5 triệu"). Returns (low, high, tokens used) or a reason."""
    low, low_scale, n = _read_amount(tokens, integer_context)
    if low is None:
        return "no number at the start"
    if n < len(tokens) and tokens[n].lower() in _RANGE_WORDS:
        high, high_scale, m = _read_amount(tokens[n + 1:], integer_context)
        if high is None:
            return "a range without its upper number"
        if low_scale is None and high_scale is not None:
            low = low * SCALES[high_scale]
        return low, high, n + 1 + m
    return low, None, n


# --- MONEY --------------------------------------------------------------------------------

# Plausible ceilings: Vietnam's whole state budget is about 2e15 đồng a year; no count in these
# articles comes near 1e12. A larger number is a misreading (digits run together), not a value.
MAX_VND = 10**16
MAX_QUANTITY = 10**12


def parse_money(text: str) -> Parsed:
    """"3,37 tỷ đồng" → value 3370000000; "3 - 5 triệu đồng/tháng" → value, value_max, per."""
    amount_text, slash, per_text = text.partition("/")
    per = re.sub(r"\s*/\s*", "/", per_text.strip()) if slash else ""
    per = per or None
    tokens = _tokens(amount_text)
    # "tr.đ" carries the scale and the currency: split it into both.
    expanded: list[str] = []
    for t in tokens:
        if t.lower() in _SCALE_CURRENCY:
            expanded += [_SCALE_CURRENCY[t.lower()], "đồng"]
        else:
            expanded.append(t)
    tokens = expanded
    had_currency = bool(tokens) and tokens[-1].lower() in _CURRENCY
    while tokens and tokens[-1].lower() in _CURRENCY:
        tokens.pop()
    if any(t.lower() in {"usd", "đô", "eur", "$", "yên"} for t in tokens):
        return _fail("foreign currency: no VND value")
    has_scale = any(t.lower() in SCALES for t in tokens)
    if not had_currency and not has_scale:
        return _fail("no currency or scale word")
    read = _read_range(tokens, integer_context=True)
    if isinstance(read, str):
        return _fail(read)
    low, high, used = read
    if used != len(tokens):
        return _fail(f"unread words: {' '.join(tokens[used:])!r}")
    if high is not None and high < low:
        return _fail("range upper bound below lower bound")
    if (high if high is not None else low) > MAX_VND:
        return _fail(f"above {MAX_VND:.0e} đồng, more than any Vietnamese budget: a misread number")
    return Parsed({
        "value": int(low.to_integral_value()),
        "value_max": int(high.to_integral_value()) if high is not None else None,
        "unit": "VND",
        "per": per,
    })


# --- QUANTITY -----------------------------------------------------------------------------

# units whose values may be fractional: a "1,200" before them is a decimal, not a count
_MEASURE_UNITS = {"%", "m2", "m²", "m3", "ha", "km", "m", "tấn", "kg", "lít", "tạ", "km2", "lần", "mw", "kw"}


def parse_quantity(text: str) -> Parsed:
    """"2.760 học viên" → 2760 "học viên"; "15 - 40%" → 15, 40, "%"; "một nghìn học viên"."""
    tokens = _tokens(text)
    unit_guess = " ".join(tokens[1:]).lower()
    integer_context = not any(u in _MEASURE_UNITS for u in unit_guess.split())
    read = _read_range(tokens, integer_context)
    if isinstance(read, str):
        return _fail(read)
    low, high, used = read
    if high is not None and high < low:
        return _fail("range upper bound below lower bound")
    if (high if high is not None else low) > MAX_QUANTITY:
        return _fail(f"above {MAX_QUANTITY:.0e}: a misread number")
    unit = _unit_after(text, tokens, used)
    unit = re.sub(r"^/\s*\d+(?:[.,]\d+)*\s+", "", unit)  # "98/98 xã": a count out of a total
    # "m 3 /năm" as pages write it is the unit "m3/năm"
    unit = re.sub(r"\s*/\s*", "/", re.sub(r"\b(m|km)\s+([23])\b", r"\1\2", unit))
    if not unit:
        return _fail("no unit after the number")
    return Parsed({
        "value": to_plain(low),
        "value_max": to_plain(high) if high is not None else None,
        "unit": unit,
    })


def _unit_after(text: str, tokens: list[str], used: int) -> str:
    """The words after the first `used` tokens, as written, lower-cased, spaces folded."""
    pos = 0
    clean = text.replace("\u00a0", " ")
    for tok in tokens[:used]:
        pos = clean.index(tok, pos) + len(tok)
    return " ".join(clean[pos:].split()).lower()


# --- DATE ---------------------------------------------------------------------------------

_ROMAN_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DATE_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"), "dmy"),
    (re.compile(r"(\d{1,2})\s+tháng\s+(đầu\s+|cuối\s+)?năm\s+(\d{4})"), "months"),
    (re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"), "dmy"),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "ymd"),
    (re.compile(r"quý\s+(i{1,3}|iv|[1-4])\s*(?:/|năm|-)\s*(\d{4})"), "quarter"),
    (re.compile(r"tháng\s+(\d{1,2})\s*(?:/|năm|-)\s*(\d{4})"), "my"),
    (re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{4})"), "my"),
    (re.compile(r"(\d{4})\s*(?:[-–—]|đến|tới)\s*(?:năm\s+)?(\d{4})"), "yy"),
    (re.compile(r"(\d{4})-(\d{2})(?!\d)"), "ym"),
    (re.compile(r"(?<!\d)(\d{4})(?!\d)"), "y"),
]


def parse_date(text: str) -> Parsed:
    """"năm 2022" → 2022..2022; "giai đoạn 2012-2022" → 2012..2022; "ngày 21/5/2012" →
    2012-05-21; "tháng 4/2023" and "2023-04" → 2023-04; "quý II/2023" → 2023-04..2023-06."""
    low = " ".join(text.replace("\u00a0", " ").lower().split())
    for pattern, kind in _DATE_PATTERNS:
        m = pattern.search(low)
        if not m:
            continue
        g = m.groups()
        try:
            if kind == "dmy":
                d, mo, y = int(g[0]), int(g[1]), int(g[2])
                start = end = _iso(y, mo, d)
            elif kind == "ymd":
                start = end = _iso(int(g[0]), int(g[1]), int(g[2]))
            elif kind == "months":  # "6 tháng đầu năm 2019", "9 tháng năm 2013", "6 tháng cuối năm"
                n, y = int(g[0]), int(g[2])
                if not 1 <= n <= 12:
                    return _fail(f"{n} months is not part of a year")
                start, end = (_iso(y, 13 - n), _iso(y, 12)) if g[1] and g[1].startswith("cuối") else (_iso(y, 1), _iso(y, n))
            elif kind == "quarter":
                q, y = _ROMAN_QUARTER[g[0]], int(g[1])
                start, end = _iso(y, 3 * q - 2), _iso(y, 3 * q)
            elif kind in ("my", "ym"):
                mo, y = (int(g[0]), int(g[1])) if kind == "my" else (int(g[1]), int(g[0]))
                start = end = _iso(y, mo)
            elif kind == "yy":
                a, b = int(g[0]), int(g[1])
                if b < a:
                    return _fail("year range runs backwards")
                start, end = _iso(a), _iso(b)
            else:
                start = end = _iso(int(g[0]))
        except ValueError as exc:
            return _fail(str(exc))
        return Parsed({"date_start": start, "date_end": end})
    return _fail("no year in the text")


_MONTH_ALONE = re.compile(r"tháng\s+(\d{1,2})$", re.IGNORECASE)


def month_alone(surface: str) -> int | None:
    """The month of a DATE written without its year ("tháng 6" → 6), else None."""
    m = _MONTH_ALONE.match(unicodedata.normalize("NFC", surface.strip()))
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 12 else None


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if not 1900 <= year <= 2100:
        raise ValueError(f"year {year} out of range")
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} out of range")
    if day is None:
        return f"{year:04d}-{month:02d}"
    datetime.date(year, month, day)  # raises ValueError for 31/2
    return f"{year:04d}-{month:02d}-{day:02d}"
