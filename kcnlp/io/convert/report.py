"""What a conversion read, wrote, derived and left out: nothing is dropped silently.

Counts are kept per kind (documents, entities, relations, attributes; an attribute is one
field of an entity beyond id/start/end/label/text: category, role, value, unit …). For every
kind `read + derived == written + skipped + lost`, where `skipped` lists each annotation the
input got wrong (with file:line or file + task and why) and `lost` counts what the target
format cannot hold, by reason.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["KINDS", "Report", "Skip"]

KINDS = ("documents", "entities", "relations", "attributes")


@dataclass(frozen=True)
class Skip:
    where: str
    kind: str
    what: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: skipped {self.what}: {self.why}"


@dataclass
class Report:
    source: str = ""
    target: str = ""
    read: Counter = field(default_factory=Counter)
    written: Counter = field(default_factory=Counter)
    derived: Counter = field(default_factory=Counter)
    skipped: list[Skip] = field(default_factory=list)
    lost: Counter = field(default_factory=Counter)  # (kind, reason) -> count
    notes: Counter = field(default_factory=Counter)  # remark -> count

    def skip(self, where: str, kind: str, what: str, why: str) -> None:
        """One annotation left out of the output, where it was and why."""
        self.skipped.append(Skip(where, kind, what, why))

    def lose(self, kind: str, n: int, why: str) -> None:
        """`n` items the target format cannot hold."""
        if n:
            self.lost[(kind, why)] += n

    def note(self, remark: str, n: int = 1) -> None:
        if n:
            self.notes[remark] += n

    def skipped_count(self, kind: str) -> int:
        return sum(s.kind == kind for s in self.skipped)

    def lost_count(self, kind: str) -> int:
        return sum(n for (k, _), n in self.lost.items() if k == kind)

    @property
    def balanced(self) -> bool:
        """read + derived == written + skipped + lost, for every kind."""
        return all(self.read[k] + self.derived[k] == self.written[k] + self.skipped_count(k) + self.lost_count(k)
                   for k in KINDS)

    def to_dict(self) -> dict:
        return {
            "source": self.source, "target": self.target,
            "counts": {k: {"read": self.read[k], "derived": self.derived[k], "written": self.written[k],
                           "skipped": self.skipped_count(k), "lost": self.lost_count(k)} for k in KINDS},
            "skipped": [{"where": s.where, "kind": s.kind, "what": s.what, "why": s.why} for s in self.skipped],
            "lost": [{"kind": k, "why": why, "n": n} for (k, why), n in self.lost.items()],
            "notes": dict(self.notes),
        }

    def format(self) -> str:
        """The report as lines for a person: counts, each skip, each loss, notes."""
        lines = [f"convert {self.source} -> {self.target}"]
        for k in KINDS:
            extra = f" + {self.derived[k]} derived" if self.derived[k] else ""
            lines.append(f"  {k:<10} read {self.read[k]}{extra}, written {self.written[k]}, "
                         f"skipped {self.skipped_count(k)}, lost {self.lost_count(k)}")
        lines += [f"  {s}" for s in self.skipped]
        lines += [f"  lost {n} {k}: {why}" for (k, why), n in self.lost.items()]
        lines += [f"  note: {remark}" + (f" ({n})" if n > 1 else "") for remark, n in self.notes.items()]
        if not self.balanced:  # a bug in a converter, never the user's input
            lines.append("  warning: counts do not balance (read + derived != written + skipped + lost)")
        return "\n".join(lines)
