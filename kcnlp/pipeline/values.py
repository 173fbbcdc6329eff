"""Pipeline component: the normalized fields of every MONEY, QUANTITY and DATE entity
(value, value_max, unit, qualifier, per, date_start, date_end) and the MONEY role.

A value that cannot be read is left null and `value_error` says why: `extract` never
raises on an unreadable number.
"""
from __future__ import annotations

import unicodedata

from spacy.language import Language
from spacy.tokens import Doc

from .normalize import month_alone, parse_date, parse_money, parse_quantity, qualifier_before
from .roles import money_role
from .spanattrs import doc_text, entities, span_attrs

__all__ = ["entity_fields", "Values", "month_years"]

_EMPTY = {
    "MONEY": {"value": None, "value_max": None, "unit": "VND", "qualifier": None, "per": None},
    "QUANTITY": {"value": None, "value_max": None, "unit": None, "qualifier": None},
    "DATE": {"date_start": None, "date_end": None},
}


def entity_fields(text: str, start: int, end: int, label: str, role: str | None = None) -> dict:
    """The SPEC fields of the entity text[start:end] with this label (pure function)."""
    if label not in _EMPTY:
        return {}
    # Values are read from NFC text (a unit "lớp" is the same however the input was
    # composed); offsets are not involved here.
    left = unicodedata.normalize("NFC", text[max(0, start - 120):start])
    surface = unicodedata.normalize("NFC", text[start:end])
    right = unicodedata.normalize("NFC", text[end:end + 24])
    local = left + surface + right
    start, end = len(left), len(left) + len(surface)
    parser = {"MONEY": parse_money, "QUANTITY": parse_quantity, "DATE": parse_date}[label]
    parsed = parser(surface)
    fields = dict(_EMPTY[label])
    if parsed.ok:
        fields.update(parsed.fields)
    else:
        fields["value_error"] = parsed.reason
    if label in ("MONEY", "QUANTITY"):
        fields["qualifier"] = qualifier_before(local, start)
    if label == "MONEY":
        fields["role"] = role or money_role(local, start, end)
    return fields


class Values:
    """The SPEC fields of every MONEY, QUANTITY and DATE entity, in `span_attrs(span)["fields"]`.
    Roles come from the role stage when it ran before, else from the cue-word rules."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        dates = []
        for ent in entities(doc):
            if ent.label_ in _EMPTY:
                attrs = span_attrs(ent)
                attrs["fields"] = entity_fields(text, ent.start_char, ent.end_char, ent.label_, attrs.get("role"))
                if ent.label_ == "DATE":
                    dates.append((ent, attrs["fields"]))
        month_years(dates)
        return doc


def month_years(dates: list[tuple[object, dict]]) -> None:
    """A month written without its year ("đến hết tháng 6") takes the year of the nearest dated
    DATE before it in the document, else after it; with none, it keeps its `value_error`."""
    years = [(i, f["date_start"][:4]) for i, (_, f) in enumerate(dates) if f.get("date_start")]
    for i, (ent, fields) in enumerate(dates):
        month = month_alone(ent.text)
        if fields.get("date_start") or month is None or not years:
            continue
        before = [y for j, y in years if j < i]
        iso = f"{before[-1] if before else years[0][1]}-{month:02d}"
        fields.update(date_start=iso, date_end=iso)
        fields.pop("value_error", None)


@Language.factory("kcnlp_values")
def make_values(nlp: Language, name: str) -> Values:
    return Values()
