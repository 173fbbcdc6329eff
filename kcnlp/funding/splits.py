"""Funding figures (corpus/GUIDELINES.md §10): which amounts the text splits into parts, whether the parts add up,
and each event's state / counterpart / total money, every amount counted once.

Pure functions over a `Document`'s MONEY entities and events; `funding_table` (in
`kcnlp.funding_table`) sums them over many documents.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Split", "money_splits", "amount", "summable", "funding_checks", "event_figures", "part_of_map", "reduce_to_wholes",
           "ancestors", "STATE_ROLES", "COUNTERPART_ROLES", "TOTAL_ROLES"]

STATE_ROLES = frozenset({"national", "local", "support"})
COUNTERPART_ROLES = frozenset({"counterpart"})
TOTAL_ROLES = frozenset({"total"})

# Words that open the parts of the amount before them: "…60,2 tỷ đồng; trong đó …", "…, gồm: …".
_PARTS_OPEN = re.compile(r"[\s,;:.–-]*(?:trong\s+đó|bao\s+gồm|gồm\s+có|gồm|chia\s+ra|cụ\s+thể)(?![\w])[\s,:]*", re.IGNORECASE)
# The parts run to the end of their sentence ("." before a space or the end; never a thousands dot).
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
# A remainder named without its figure ("còn lại là vốn đối ứng") makes the parts a lower bound.
_REMAINDER = re.compile(r"(?:phần|số|kinh\s+phí)?\s*còn\s+lại", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEAR = re.compile(r"(?:gần\s+như|gần|xấp\s+xỉ)\s*$", re.IGNORECASE)


@dataclass
class Split:
    """An amount the text splits into parts: `whole` and `parts` are MONEY entity ids."""

    whole: str
    parts: list[str] = field(default_factory=list)
    remainder: bool = False  # a remainder is named without a figure: the parts are a lower bound


def amount(ent) -> int | float | None:
    """The VND value of a MONEY entity, or None when it could not be read (or a record holds
    something that is not a number there): such an amount is reported, never summed."""
    value = ent.attrs.get("value") if ent is not None else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def summable(ent) -> bool:
    """An amount that can be summed: read, and not a rate ("5 triệu đồng/người/tháng")."""
    return amount(ent) is not None and not ent.attrs.get("per")


def _money(doc) -> list:
    return sorted((e for e in doc.entities if e.label == "MONEY"), key=lambda e: e.start)


def money_splits(doc) -> list[Split]:
    """Every amount the text splits into parts: a parenthesis right after it ("2 tỷ đồng (ngân sách
    tỉnh 1,2 tỷ, đối ứng 0,8 tỷ)"), or "trong đó" / "gồm" / "bao gồm" after it, in its sentence or
    opening the next one. The parts are the later amounts of that stretch that are not above the
    whole; an amount that is itself split keeps its own parts (nested splits)."""
    text = doc.text
    money = _money(doc)
    splits: list[Split] = []
    for i, whole in enumerate(money):
        if text.startswith(("(", " ("), whole.end):
            close = text.find(")", whole.end, whole.end + 300)
            stop = close if close >= 0 else min(len(text), whole.end + 300)
        else:
            nxt = money[i + 1].start if i + 1 < len(money) else len(text)
            m = _PARTS_OPEN.match(text, whole.end, nxt)
            if not m:
                continue
            end = _SENTENCE_END.search(text, m.end())
            stop = end.start() if end else len(text)
        parts = [e for e in money[i + 1:] if e.end <= stop]
        if amount(whole) is not None:
            parts = [e for e in parts if amount(e) is None or amount(e) <= amount(whole)]
        if not parts:
            continue
        stretch = text[whole.end:stop]
        figured = any(_REMAINDER.search(text[max(whole.end, p.start - 40):p.start]) for p in parts)
        remainder = bool(_REMAINDER.search(stretch)) and not figured
        splits.append(Split(whole.id, [p.id for p in parts], remainder))
    # nested: a part that is itself split keeps its parts out of the outer split
    inner = {s.whole: set(s.parts) for s in splits}
    for s in splits:
        nested = set().union(*(inner[p] for p in s.parts if p in inner))
        s.parts = [p for p in s.parts if p not in nested]
    return splits


def part_of_map(splits: list[Split]) -> dict[str, str]:
    """part id → the whole it belongs to."""
    return {p: s.whole for s in splits for p in s.parts}


def ancestors(entity_id, part_of: dict) -> set:
    """The wholes an amount is a part of, at any depth."""
    out, seen = set(), entity_id
    while seen in part_of and part_of[seen] not in out:
        seen = part_of[seen]
        out.add(seen)
    return out


def reduce_to_wholes(ids, part_of: dict[str, str]) -> set[str]:
    """The amounts of `ids` that are not a part (at any depth) of another amount of `ids`."""
    ids = set(ids)
    return {i for i in ids if not (ancestors(i, part_of) & ids)}


# --- checks ---------------------------------------------------------------------------------------

def _precision(text: str, value: int) -> Decimal:
    """Half a unit of the last written digit, in VND: "60,2 tỷ đồng" → 0,05 tỷ."""
    m = _NUMBER.search(text)
    if not m or not value:
        return Decimal(0)
    digits = m.group(0)
    number = Decimal(re.sub(r"[.,]", "", digits))
    if number == 0:
        return Decimal(0)
    # the value over the digits as written gives the scale of the last digit
    return Decimal(value) / number / 2


def _interval(doc_text: str, ent) -> tuple[Decimal, Decimal] | None:
    """What the written amount allows: the precision of its figures, widened by its qualifier
    (over: at least, under: at most — or close below after "gần" —, about: ±10 %)."""
    value = amount(ent)
    if value is None:
        return None
    high_value = ent.attrs.get("value_max")
    high_value = high_value if isinstance(high_value, (int, float)) and not isinstance(high_value, bool) else value
    tol = _precision(ent.text, value)
    lo, hi = Decimal(value) - tol, Decimal(high_value) + tol
    q = ent.attrs.get("qualifier")
    if q == "over":
        hi = Decimal("Infinity")
    elif q == "under":
        near = _NEAR.search(doc_text[max(0, ent.start - 12):ent.start])
        lo = Decimal(value) * Decimal("0.9") - tol if near else Decimal(0)
    elif q == "about":
        lo, hi = Decimal(value) * Decimal("0.9") - tol, Decimal(high_value) * Decimal("1.1") + tol
    return lo, hi


def funding_checks(doc, splits: list[Split] | None = None) -> list[dict]:
    """One check per split amount: the whole, its parts, their sums and `ok` — whether
    the parts add up to the whole within what the written figures and their qualifiers allow
    (with a remainder named without a figure, or a single part: whether they stay within it).
    A part whose value could not be read is listed in `unreadable` and makes `ok` null."""
    by_id = {e.id: e for e in doc.entities}
    out = []
    for s in money_splits(doc) if splits is None else splits:
        whole = by_id[s.whole]
        parts = [by_id[p] for p in s.parts]
        unreadable = [e.id for e in [whole, *parts] if amount(e) is None]
        check = {"total": s.whole, "parts": list(s.parts), "total_vnd": amount(whole),
                 "parts_vnd": sum(amount(e) for e in parts if amount(e) is not None),
                 "ok": None, "lower_bound": s.remainder or len(parts) == 1}
        if unreadable:
            check["unreadable"] = unreadable
        else:
            w_lo, w_hi = _interval(doc.text, whole)
            intervals = [_interval(doc.text, e) for e in parts]
            p_lo, p_hi = sum(i[0] for i in intervals), sum(i[1] for i in intervals)
            check["ok"] = bool(p_lo <= w_hi) if check["lower_bound"] else bool(p_lo <= w_hi and p_hi >= w_lo)
        out.append(check)
    return out


# --- per event --------------------------------------------------------------------------------------

def event_figures(event, by_id: dict, part_of: dict[str, str]) -> dict[str, int | None]:
    """`state_vnd`, `counterpart_vnd`, `total_vnd` of one event (`by_id`: the document's entities
    by id): its FUNDING amounts by role, a whole never added to its own parts, `income`/`other`
    never counted; the total is the `total` amount where the text gives one, else state +
    counterpart."""
    amounts = [by_id.get(i) for i in event.funding]
    amounts = [a for a in amounts if summable(a)]

    def ids(roles):
        return {a.id for a in amounts if a.attrs.get("role") in roles}

    def total(chosen):
        kept = reduce_to_wholes(chosen, part_of)
        return sum(amount(by_id[i]) for i in kept) if kept else None

    state, counterpart, totals = ids(STATE_ROLES), ids(COUNTERPART_ROLES), ids(TOTAL_ROLES)
    return {"state_vnd": total(state), "counterpart_vnd": total(counterpart),
            "total_vnd": total(totals) if totals else total(state | counterpart)}
