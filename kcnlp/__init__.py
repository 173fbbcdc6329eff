"""kcnlp: structured data from Vietnamese khuyến công (industrial promotion) articles.

    >>> import kcnlp
    >>> doc = kcnlp.extract("Trung tâm Khuyến công tỉnh Hà Nam hỗ trợ 3 lớp đào tạo nghề.")
    >>> doc.to_dict()["events"][0]["category"]
    'TRAINING'

Heavy dependencies (spaCy, underthesea) load on first use, so `import kcnlp` stays fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"
__all__ = ["extract", "pipe", "load", "extract_dataset", "to_dataframe", "render", "funding_table", "Document", "Entity", "Relation", "Event", "KcnlpError", "__version__"]

_LAZY = {
    "extract": ("kcnlp.pipeline", "extract"),
    "pipe": ("kcnlp.pipeline", "pipe"),
    "load": ("kcnlp.pipeline", "load"),
    "extract_dataset": ("kcnlp.io.scale", "extract_dataset"),
    "to_dataframe": ("kcnlp.io.views", "to_dataframe"),
    "render": ("kcnlp.io.views", "render"),
    "funding_table": ("kcnlp.funding.table", "funding_table"),
    "Document": ("kcnlp.document", "Document"),
    "Entity": ("kcnlp.document", "Entity"),
    "Relation": ("kcnlp.document", "Relation"),
    "Event": ("kcnlp.document", "Event"),
    "KcnlpError": ("kcnlp.errors", "KcnlpError"),
}

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document, Entity, Event, Relation
    from .errors import KcnlpError
    from .funding.table import funding_table
    from .io.scale import extract_dataset
    from .io.views import render, to_dataframe
    from .pipeline.build import extract, load, pipe


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kcnlp' has no attribute {name!r}")
