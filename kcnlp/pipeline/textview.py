"""An NFC view of the user's text for pattern matching, with offsets mapped back.

Patterns are written for NFC text; the user's text may be NFD or mixed. The view is matched,
and every match offset is mapped back into the original string, which is never changed.
"""
from __future__ import annotations

import bisect
import re
import unicodedata

__all__ = ["TextView"]

_CLUSTER = re.compile(r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", re.DOTALL)


class TextView:
    """`view` is the NFC text with non-breaking spaces as plain spaces; `original(i)` maps
    an offset in `view` to the offset in the user's text."""

    def __init__(self, text: str):
        self.text = text
        if unicodedata.is_normalized("NFC", text):
            self.view = text.replace("\u00a0", " ")
            self._map: list[int] | None = None
            return
        parts, mapping = [], []
        for m in _CLUSTER.finditer(text):
            composed = unicodedata.normalize("NFC", m.group(0)).replace("\u00a0", " ")
            parts.append(composed)
            mapping.extend([m.start()] * len(composed))
        mapping.append(len(text))
        self.view = "".join(parts)
        self._map = mapping

    def original(self, i: int) -> int:
        return i if self._map is None else self._map[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.original(start), self.original(end)

    def to_view(self, i: int) -> int:
        """The offset in `view` of the user's offset `i` (a character-cluster boundary)."""
        return i if self._map is None else bisect.bisect_left(self._map, i)
