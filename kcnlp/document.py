"""The output model: `Document` with `Entity`, `Relation` and `Event`, whose `to_dict()` is
exactly the SPEC §1 record and `from_dict()` its inverse."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import KcnlpError
from .schema import EVENT_KEYS, LABELS

__all__ = ["Entity", "Relation", "Event", "Document"]

# The normalized fields each label carries in a record, in SPEC order.
_LABEL_FIELDS: dict[str, tuple[str, ...]] = {
    "ORG": (),
    "LOC": (),
    "MONEY": ("value", "value_max", "unit", "qualifier", "per", "role"),
    "QUANTITY": ("value", "value_max", "unit", "qualifier"),
    "ACTIVITY": ("category",),
    "DATE": ("date_start", "date_end"),
}
_CORE = ("id", "start", "end", "label", "text")


@dataclass
class Entity:
    """One labelled span of the document text, with its normalized fields in `attrs`
    (value, unit, qualifier, per, role, category, date_start, date_end, and any extras such
    as `value_error`, the reason a value could not be read)."""

    id: str
    start: int
    end: int
    label: str
    text: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # entity.value, entity.category … read from attrs; only called when normal lookup fails
        attrs = self.__dict__.get("attrs", {})
        if name in attrs:
            return attrs[name]
        if name in _LABEL_FIELDS.get(self.__dict__.get("label", ""), ()):
            return None
        raise AttributeError(name)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in _CORE}
        for key in _LABEL_FIELDS.get(self.label, ()):
            out[key] = self.attrs.get(key)
        for key, value in self.attrs.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Entity":
        missing = [k for k in _CORE if k not in d]
        if missing:
            raise KcnlpError("E101", f"entity {d.get('id')!r} lacks {', '.join(missing)}")
        if d["label"] not in LABELS:
            raise KcnlpError("E102", f"entity {d['id']!r} has unknown label {d['label']!r}; labels are {', '.join(LABELS)}")
        return cls(d["id"], d["start"], d["end"], d["label"], d["text"], {k: v for k, v in d.items() if k not in _CORE})


@dataclass
class Relation:
    head: str
    tail: str
    label: str
    confidence: float | None = None  # the classifier's probability of the link
    source: str | None = None        # "model" or "rule"; None in gold records

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"head": self.head, "tail": self.tail, "label": self.label}
        if self.source is not None:
            out["source"] = self.source
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Relation":
        try:
            return cls(d["head"], d["tail"], d["label"], d.get("confidence"), d.get("source"))
        except KeyError as exc:
            raise KcnlpError("E103", f"relation {d!r} lacks {exc.args[0]!r}") from None


@dataclass
class Event:
    """One ACTIVITY with all its arguments (SPEC §4)."""

    trigger: str
    category: str | None
    funding: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    # SPEC §7, set by `Document.compute_funding`: each amount once, a whole never added to its parts
    state_vnd: int | None = None
    counterpart_vnd: int | None = None
    total_vnd: int | None = None
    # the weakest probability of the classifiers' decisions about it (category, links, money
    # roles); None when rules made them all
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "category": self.category, "funding": list(self.funding),
                "outputs": list(self.outputs), "participants": list(self.participants),
                "times": list(self.times), "places": list(self.places),
                "state_vnd": self.state_vnd, "counterpart_vnd": self.counterpart_vnd, "total_vnd": self.total_vnd,
                **({"confidence": self.confidence} if self.confidence is not None else {})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Event":
        return cls(d["trigger"], d.get("category"), *(list(d.get(k, [])) for k in EVENT_KEYS.values()))


def _weakest(event: Event, by_id: dict, link_confidence: dict) -> float | None:
    """The lowest probability among the classifiers' decisions about an event: its category,
    its links, the roles of its funding amounts."""
    found = [by_id[event.trigger].attrs.get("confidence")] if event.trigger in by_id else []
    for key in ("funding", "outputs", "participants", "times", "places"):
        for tail in getattr(event, key):
            found.append(link_confidence.get((event.trigger, tail)))
            if key == "funding" and tail in by_id:
                found.append(by_id[tail].attrs.get("confidence"))
    found = [c for c in found if isinstance(c, (int, float))]
    return min(found) if found else None


@dataclass
class Document:
    """An article with its entities, relations and events."""

    text: str
    id: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    events: list[Event] | None = None
    #: the checks of the amounts the text splits into parts, as the last `compute_funding` found them
    funding_checks: list[dict] | None = None

    def entity(self, entity_id: str) -> Entity:
        for ent in self.entities:
            if ent.id == entity_id:
                return ent
        raise KeyError(entity_id)

    def derive_events(self) -> list[Event]:
        """Events from the relations: one per ACTIVITY, arguments in text order."""
        by_id = {e.id: e for e in self.entities}
        events = {e.id: Event(e.id, e.attrs.get("category")) for e in self.entities if e.label == "ACTIVITY"}
        for rel in sorted(self.relations, key=lambda r: by_id[r.tail].start if r.tail in by_id else -1):
            if rel.head in events and rel.label in EVENT_KEYS:
                getattr(events[rel.head], EVENT_KEYS[rel.label]).append(rel.tail)
        return list(events.values())

    def compute_funding(self) -> list[dict]:
        """Set each event's state / counterpart / total figures and return the document's
        `funding_checks` (SPEC §7; `kcnlp.funding.splits`). Derived from the entities and events alone,
        so it gives the same figures however often it runs."""
        from .funding.splits import event_figures, funding_checks, money_splits, part_of_map

        if self.events is None:
            self.events = self.derive_events()
        splits = money_splits(self)
        part_of = part_of_map(splits)
        by_id = {e.id: e for e in self.entities}
        link_confidence = {(r.head, r.tail): r.confidence for r in self.relations if r.confidence is not None}
        for ev in self.events:
            for key, value in event_figures(ev, by_id, part_of).items():
                setattr(ev, key, value)
            ev.confidence = _weakest(ev, by_id, link_confidence)
        self.funding_checks = funding_checks(self, splits)
        return self.funding_checks

    def to_dict(self) -> dict[str, Any]:
        checks = self.compute_funding()
        return {
            "id": self.id,
            "text": self.text,
            "meta": dict(self.meta),
            "entities": [e.to_dict() for e in self.entities],
            "relations": [r.to_dict() for r in self.relations],
            "events": [e.to_dict() for e in self.events],
            "funding_checks": checks,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Document":
        if not isinstance(d, dict) or not isinstance(d.get("text"), str):
            raise KcnlpError("E104", "a record must be a JSON object with a string 'text'")
        events = d.get("events")
        doc = cls(
            text=d["text"],
            id=d.get("id", ""),
            meta=dict(d.get("meta") or {}),
            entities=[Entity.from_dict(e) for e in d.get("entities", [])],
            relations=[Relation.from_dict(r) for r in d.get("relations", [])],
            events=[Event.from_dict(e) for e in events] if events is not None else None,
        )
        doc.compute_funding()  # figures are derived, never read from the record
        return doc

    def __repr__(self) -> str:
        return f"Document(id={self.id!r}, chars={len(self.text)}, entities={len(self.entities)}, relations={len(self.relations)})"
