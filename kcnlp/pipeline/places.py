"""The place gazetteer `kcnlp/data/places.tsv`: the 63 provinces before the July 2025 merger
and the 34 after it, regions, countries and spelling variants (pure data, no spaCy)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

__all__ = ["place_kinds", "province", "province_2025"]

_PROVINCE_KINDS = ("province63", "both")
_HEAD = re.compile(r"^(?:tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, str, str], ...]:
    rows = []
    for line in resources.files("kcnlp.data").joinpath("places.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, kind, *note = line.split("\t")
            rows.append((name, kind, note[0] if note else ""))
    return tuple(rows)


def place_kinds() -> dict[str, str]:
    """name → kind (province63, both, region, country, variant)."""
    return {name: kind for name, kind, _ in _rows()}


@lru_cache(maxsize=1)
def _provinces() -> tuple[dict[str, str], dict[str, str]]:
    """(any spelling, lower-cased → official name; official name → province after the merger)."""
    names, after = {}, {}
    for name, kind, note in _rows():
        if kind in _PROVINCE_KINDS:
            names[name.lower()] = name
            after[name] = name
    for name, kind, note in _rows():
        if kind == "variant" and note in after:
            names[name.lower()] = note
    for name, kind, note in _rows():
        if kind == "province63" and note:
            target = re.sub(r"^(?:merged into|became)\s+", "", note)
            after[name] = names.get(target.lower(), names.get(_HEAD.sub("", target).lower(), target))
    return names, after


def province(name: str | None) -> str | None:
    """The official name of the province `name` spells ("tỉnh Thanh Hoá" → "Thanh Hóa"), or None
    when it names no province (a district, a region, a country).

    >>> province("TP.HCM"), province("tỉnh Bắc Cạn"), province("Gia Lộc")
    ('Hồ Chí Minh', 'Bắc Kạn', None)
    """
    if not name:
        return None
    key = _HEAD.sub("", unicodedata.normalize("NFC", " ".join(name.split()))).lower()
    names = _provinces()[0]
    return names.get(key) or names.get(unicodedata.normalize("NFC", " ".join(name.split())).lower())


def province_2025(name: str | None) -> str | None:
    """The province that `name`'s territory belongs to after the July 2025 merger (34 provinces).

    >>> province_2025("Nam Định"), province_2025("Bình Dương"), province_2025("Cần Thơ")
    ('Ninh Bình', 'Hồ Chí Minh', 'Cần Thơ')
    """
    official = province(name)
    return _provinces()[1].get(official) if official else None
