"""The extraction pipeline, one stage per module, in the order a text goes through them:

`tokenizer` (syllable tokens, underthesea words) → `rules` (rule entities and the hints the
recognizer sees) → `ner` (the trained recognizer) → `categories` (ACTIVITY category) → `roles`
(MONEY role) → `values` (numbers, dates: `normalize`, `numbers`) → `relations` (activity →
argument). `build` assembles them into a spaCy pipeline and holds `extract`, `pipe`, `load`.
Helpers: `linear` (the classifiers' model), `places` (the gazetteer), `spanattrs`, `textview`.
"""
from __future__ import annotations

__all__ = ["extract", "pipe", "load", "default_pipeline", "default_model_path", "doc_to_document", "build_rule_pipeline",
           "build_tokenizer_only", "add_stages", "text_problem", "CHUNK_CHARS"]


def __getattr__(name: str):
    # `build` loads spaCy; the pure stages (normalize, numbers, places) import without it
    if name in __all__:
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module 'kcnlp.pipeline' has no attribute {name!r}")
