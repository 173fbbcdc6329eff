"""Vietnamese numbers: digit strings with Vietnamese or English grouping, and number words.

Pure functions, no spaCy. Values are returned as `Decimal` so that "20.253,331 triệu" times
1e6 is exact; callers turn them into int or float at the edge.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["parse_digits", "parse_number_words", "parse_number", "SCALES", "NUMBER_WORDS", "to_plain"]

#: scale words and their multipliers (SPEC §2)
SCALES: dict[str, Decimal] = {
    "nghìn": Decimal(10**3), "ngàn": Decimal(10**3),
    "triệu": Decimal(10**6), "tr": Decimal(10**6),
    "tỷ": Decimal(10**9), "tỉ": Decimal(10**9),
}

_DIGITS = {
    "không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
    "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
}
_WORD_SCALES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
#: every word that may appear inside a spelled-out number
NUMBER_WORDS = frozenset(_DIGITS) | {"mười", "mươi", "trăm", "linh", "lẻ", "chục"} | frozenset(_WORD_SCALES)

_DIGIT_RE = re.compile(r"^\d+(?:[.,]\d+)*$")


def to_plain(value: Decimal) -> int | float:
    """An exact Decimal as int when whole, else float."""
    return int(value) if value == value.to_integral_value() else float(value)


def parse_digits(s: str, integer_context: bool = False) -> Decimal | None:
    """Parse a digit string such as "2.760", "20.253,331", "3,37", "4.9" or "1,200".

    Vietnamese convention (SPEC §2): "." groups thousands, "," marks decimals, except that a
    "." not followed by exactly three digits is a decimal point. English grouping ("1,200",
    "1,234,567", "1,234.5") is recognised when the string can only be read that way, or when
    `integer_context` says the value must be whole (a count of people, an amount in đồng).
    Leading zeros count for nothing. Returns None for anything else.
    """
    s = s.strip()
    if not _DIGIT_RE.match(s):
        return None
    dots, commas = s.count("."), s.count(",")
    try:
        if dots == 0 and commas == 0:
            return Decimal(s)
        if dots and commas:
            # The separator that comes last is the decimal mark.
            if s.rfind(",") > s.rfind("."):
                return _grouped(s, group=".", decimal=",")
            return _grouped(s, group=",", decimal=".")
        if dots:
            groups = s.split(".")
            if all(len(g) == 3 for g in groups[1:]):
                return Decimal(s.replace(".", ""))
            if dots == 1:
                return Decimal(s)  # English decimal point: "4.9"
            return None
        groups = s.split(",")
        if commas > 1:  # "1,234,567" can only be English grouping
            return Decimal(s.replace(",", "")) if all(len(g) == 3 for g in groups[1:]) else None
        if integer_context and len(groups[1]) == 3 and not groups[0].startswith("0"):
            return Decimal(s.replace(",", ""))
        return Decimal(s.replace(",", "."))
    except InvalidOperation:
        return None


def _grouped(s: str, group: str, decimal: str) -> Decimal | None:
    whole, _, frac = s.rpartition(decimal)
    parts = whole.split(group)
    if not all(len(p) == 3 for p in parts[1:]) or group in frac:
        return None
    return Decimal("".join(parts) + "." + frac)


def parse_number_words(words: list[str]) -> Decimal | None:
    """Parse spelled-out Vietnamese numbers: "hai", "mười lăm", "một trăm hai mươi",
    "ba nghìn năm trăm", "một trăm linh năm". Returns None if the words are not a number."""
    if not words:
        return None
    words = [w.lower() for w in words]
    if any(w not in NUMBER_WORDS for w in words) or all(w in _WORD_SCALES for w in words):
        return None  # not number words, or a bare scale ("tỷ đồng" has no number)
    total = 0      # finished scale groups (nghìn, triệu, tỷ)
    group = 0      # the current group below 1000
    current = None  # the last digit or tens value not yet placed
    seen_any = False
    for i, w in enumerate(words):
        if w in _DIGITS:
            d = _DIGITS[w]
            if w in ("mốt", "lăm", "nhăm", "tư") and i == 0:
                return None  # these forms only follow "mươi"/"mười"
            if current is not None and current % 10 != 0:
                return None  # two digits in a row
            current = (current or 0) + d
        elif w == "mười":
            if current:
                return None
            current = 10
        elif w in ("mươi", "chục"):
            if current is None or current >= 10:
                return None
            current *= 10
        elif w == "trăm":
            if current is None or current >= 10:
                return None
            group += current * 100
            current = None
        elif w in ("linh", "lẻ"):
            if current is not None:
                return None
        else:  # a scale word
            scale = _WORD_SCALES[w]
            value = group + (current or 0)
            if value == 0:
                value = 1 if not seen_any else 0
                if value == 0:
                    return None
            total += value * scale
            group, current = 0, None
        seen_any = True
    return Decimal(total + group + (current or 0))


def parse_number(s: str, integer_context: bool = False) -> Decimal | None:
    """A number written in digits or in words."""
    if s and s[0].isdigit():
        return parse_digits(s, integer_context)
    return parse_number_words(s.split())
