"""kcnlp: structured data from Vietnamese khuyến công (industrial promotion) articles.

    >>> import kcnlp
    >>> doc = kcnlp.extract("Trung tâm Khuyến công tỉnh Hà Nam hỗ trợ 3 lớp đào tạo nghề.")
    >>> doc.to_dict()["events"][0]["category"]
    'TRAINING'

Heavy dependencies (spaCy, underthesea) load on first use, so `import kcnlp` stays fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["extract", "pipe", "load", "extract_dataset", "to_dataframe", "render", "funding_table", "Document", "Entity", "Relation", "Event", "KcnlpError", "__version__"]

_LAZY = {
    "extract": ("kcnlp.pipeline", "extract"),
    "pipe": ("kcnlp.pipeline", "pipe"),
    "load": ("kcnlp.pipeline", "load"),
    "extract_dataset": ("kcnlp.scale", "extract_dataset"),
    "to_dataframe": ("kcnlp.views", "to_dataframe"),
    "render": ("kcnlp.views", "render"),
    "funding_table": ("kcnlp.aggregate", "funding_table"),
    "Document": ("kcnlp.document", "Document"),
    "Entity": ("kcnlp.document", "Entity"),
    "Relation": ("kcnlp.document", "Relation"),
    "Event": ("kcnlp.document", "Event"),
    "KcnlpError": ("kcnlp.errors", "KcnlpError"),
}

if TYPE_CHECKING:  # pragma: no cover
    from .aggregate import funding_table
    from .document import Document, Entity, Event, Relation
    from .errors import KcnlpError
    from .pipeline import extract, load, pipe
    from .scale import extract_dataset
    from .views import render, to_dataframe


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kcnlp' has no attribute {name!r}")
