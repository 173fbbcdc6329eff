"""Funding over many documents (SPEC §7): each event's province and period, and
`funding_table(docs, by=(…))`, which sums the distinct MONEY entities of each group.

An event's province and period come from its own PLACE and TIME, else from the document: the
province it names as a whole (`meta.province`, else the province its first paragraph names in a
LOC or an organisation's attached place, else the one it names most) and its date (`meta.date`,
else the first date of its first paragraph). `inherited` says which were taken from the document.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from ..document import Document
from ..pipeline.places import province, province_2025
from .splits import (
    COUNTERPART_ROLES,
    STATE_ROLES,
    TOTAL_ROLES,
    amount,
    ancestors,
    money_splits,
    part_of_map,
    reduce_to_wholes,
    summable,
)

__all__ = ["funding_table", "event_context", "document_context", "document_province", "document_period", "GROUP_KEYS", "UNLINKED"]

GROUP_KEYS = ("province", "period", "category", "doc_id")
UNLINKED = "UNLINKED"
_MONEY_ROLES = STATE_ROLES | COUNTERPART_ROLES | TOTAL_ROLES


def _province_in(text: str) -> str | None:
    """A province named by a LOC or at the end of an organisation's name ("Sở Công Thương Vĩnh Phúc")."""
    found = province(text)
    if found:
        return found
    words = text.split()
    for n in (4, 3, 2, 1):
        if len(words) > n and (found := province(" ".join(words[-n:]))):
            return found
    return None


def document_province(doc: Document) -> str | None:
    """The province the document is about as a whole (see the module docstring)."""
    if doc.meta.get("province") and (found := province(str(doc.meta["province"]))):
        return found
    first_break = doc.text.find("\n")
    first_end = first_break if first_break >= 0 else len(doc.text)
    named = [(e.start, p) for e in doc.entities if e.label in ("LOC", "ORG") and (p := _province_in(e.text))]
    head = [p for start, p in named if start < first_end]
    if head:
        return head[0]
    counts = Counter(p for _, p in named).most_common(2)
    if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]):
        return counts[0][0]
    return None


def _period(ent) -> str | None:
    start, end = ent.attrs.get("date_start"), ent.attrs.get("date_end")
    if not start:
        return None
    return start[:4] if not end or end[:4] == start[:4] else f"{start[:4]}-{end[:4]}"


def document_period(doc: Document) -> str | None:
    """The year of the document as a whole: `meta.date`, else the first date of its first paragraph."""
    date = str(doc.meta.get("date") or "")
    if date[:4].isdigit():
        return date[:4]
    first_break = doc.text.find("\n")
    first_end = first_break if first_break >= 0 else len(doc.text)
    for e in sorted(doc.entities, key=lambda e: e.start):
        if e.label == "DATE" and e.start < first_end and (p := _period(e)):
            return p
    return None


def document_context(doc: Document) -> dict:
    """What an event without its own PLACE or TIME inherits: the document's province and period
    (computed once per document), and the entities by id."""
    return {"province": document_province(doc), "period": document_period(doc), "by_id": {e.id: e for e in doc.entities}}


def event_context(doc: Document, event, inherit: dict | None = None) -> dict:
    """The event's province (official name and the province after the 2025 merger), period and
    which of the two were inherited from the document (`inherit`: its `document_context`)."""
    inherit = inherit or document_context(doc)
    by_id = inherit["by_id"]
    own_province = next((p for i in event.places if i in by_id and (p := province(by_id[i].text))), None)
    own_period = next((p for i in event.times if i in by_id and (p := _period(by_id[i]))), None)
    prov = own_province or inherit["province"]
    inherited = [name for name, own in (("province", own_province), ("period", own_period)) if own is None]
    return {"province": prov, "province_2025": province_2025(prov), "period": own_period or inherit["period"],
            "inherited": ",".join(inherited)}


class _Group:
    """The distinct MONEY entities of one group, by figure; keys are (doc_id, entity id)."""

    def __init__(self):
        self.state, self.counterpart, self.total_source, self.unreadable = set(), set(), set(), set()
        self.events = 0

    def add_event(self, doc_id: str, amounts: list) -> None:
        """One event's usable FUNDING amounts: its totals stand for its whole money where it has
        them, else its state and counterpart amounts do."""
        self.events += 1
        keyed = [((doc_id, a.id), a.attrs.get("role")) for a in amounts]
        state = {k for k, role in keyed if role in STATE_ROLES}
        counterpart = {k for k, role in keyed if role in COUNTERPART_ROLES}
        totals = {k for k, role in keyed if role in TOTAL_ROLES}
        self.state |= state
        self.counterpart |= counterpart
        self.total_source |= totals or (state | counterpart)

    def add_loose(self, key: tuple, role: str) -> None:
        """An amount no event links."""
        (self.state if role in STATE_ROLES else self.counterpart if role in COUNTERPART_ROLES else set()).add(key)
        self.total_source.add(key)


def funding_table(docs: Iterable[Document], by: tuple[str, ...] | list[str] = ("province", "period", "category")):
    """A pandas DataFrame: the `by` columns (any of province, period, category, doc_id; a province
    column brings `province_2025` beside it), `inherited`, then `state_vnd`, `counterpart_vnd`,
    `total_vnd`, `n_events`, `n_amounts`, `n_unreadable`. Each figure sums the set of distinct MONEY
    entities of its group: an amount linked to two events of a group counts once, a whole never
    with its own parts, `income`/`other` and rates ("/người/tháng") never. State, counterpart or
    total money that no event links appears in rows whose category is `UNLINKED` (a whole whose
    parts are linked adds only the rest); an amount whose value could not be read is counted in
    `n_unreadable`, never summed as 0.
    """
    import pandas as pd

    by = tuple(by)
    unknown = [k for k in by if k not in GROUP_KEYS]
    if unknown:
        raise ValueError(f"funding_table groups by {', '.join(GROUP_KEYS)}, not {', '.join(unknown)}")
    groups: dict[tuple, _Group] = defaultdict(_Group)
    values: dict[tuple, int] = {}
    part_of: dict[tuple, tuple] = {}
    for n, doc in enumerate([docs] if isinstance(docs, Document) else docs):
        doc_id = doc.id or f"#{n}"
        events = doc.events if doc.events is not None else doc.derive_events()
        inherit = document_context(doc)
        by_id = inherit["by_id"]
        doc_parts = part_of_map(money_splits(doc))
        part_of.update({(doc_id, p): (doc_id, w) for p, w in doc_parts.items()})
        values.update({(doc_id, e.id): amount(e) for e in doc.entities if e.label == "MONEY" and summable(e)})
        linked: set[str] = set()
        for ev in events:
            group = groups[_key(by, event_context(doc, ev, inherit), ev.category, doc_id)]
            money = [by_id[i] for i in ev.funding if i in by_id and by_id[i].label == "MONEY"]
            linked |= {a.id for a in money}
            group.unreadable |= {(doc_id, a.id) for a in money if amount(a) is None and a.attrs.get("role") in _MONEY_ROLES}
            group.add_event(doc_id, [a for a in money if summable(a)])
        loose = [e for e in doc.entities if e.label == "MONEY" and e.id not in linked and e.attrs.get("role") in _MONEY_ROLES
                 and not e.attrs.get("per") and not (ancestors(e.id, doc_parts) & linked)]  # a part of a counted whole is in it
        if loose:
            context = {"province": inherit["province"], "province_2025": province_2025(inherit["province"]),
                       "period": inherit["period"], "inherited": "province,period"}
            group = groups[_key(by, context, UNLINKED, doc_id)]
            for e in loose:
                if amount(e) is None:
                    group.unreadable.add((doc_id, e.id))
                    continue
                linked_parts = [p for p, w in doc_parts.items() if w == e.id and p in linked]
                key = (doc_id, e.id)
                if linked_parts:  # a whole whose parts are linked: only the rest is unlinked money
                    key = (doc_id, e.id, "rest")
                    values[key] = max(amount(e) - sum(values.get((doc_id, p), 0) for p in linked_parts), 0)
                group.add_loose(key, e.attrs["role"])
    rows = []
    for key, g in groups.items():
        def figure(ids):
            kept = reduce_to_wholes(ids, part_of)
            return sum(values[i] for i in kept) if kept else None
        counted = set().union(*(reduce_to_wholes(ids, part_of) for ids in (g.state, g.counterpart, g.total_source)))
        row = dict(zip(by, key))
        if "province" in by:
            row["province_2025"] = key[len(by)]
        row["inherited"] = key[-1]
        row.update(state_vnd=figure(g.state), counterpart_vnd=figure(g.counterpart), total_vnd=figure(g.total_source),
                   n_events=g.events, n_amounts=len(counted), n_unreadable=len(g.unreadable))
        rows.append(row)
    columns = [*by, *(["province_2025"] if "province" in by else []), "inherited", "state_vnd", "counterpart_vnd",
               "total_vnd", "n_events", "n_amounts", "n_unreadable"]
    table = pd.DataFrame(rows, columns=columns)
    for col in ("state_vnd", "counterpart_vnd", "total_vnd"):
        table[col] = table[col].astype("Int64")
    return table.sort_values(list(by), na_position="last", kind="stable").reset_index(drop=True) if by else table


def _key(by, context: dict, category: str | None, doc_id: str) -> tuple:
    """The group of an event: its `by` values, the province after the merger, and which of the
    grouped province and period were inherited from the document."""
    values = {"province": context["province"], "period": context["period"], "category": category, "doc_id": doc_id}
    key = tuple(values[k] for k in by)
    if "province" in by:
        key += (context["province_2025"],)
    return key + (",".join(f for f in context["inherited"].split(",") if f and f in by),)
