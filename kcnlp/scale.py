"""Extraction at scale: over a Hugging Face `datasets.Dataset` (with `num_proc` workers).

Each worker process loads the pipeline once (lazily, on its first batch).
"""
from __future__ import annotations

import json

__all__ = ["extract_dataset", "RECORD_COLUMNS"]

#: columns added by extract_dataset; entities/relations/events hold the SPEC lists as JSON text
RECORD_COLUMNS = ("kcnlp_entities", "kcnlp_relations", "kcnlp_events")


def _extract_batch(batch: dict, text_column: str, model: str | None) -> dict:
    from .pipeline import default_pipeline, extract

    nlp = _cached(model) if model else default_pipeline()
    out = {c: [] for c in RECORD_COLUMNS}
    for text in batch[text_column]:
        rec = extract(text if text is not None else "", nlp=nlp).to_dict()
        out["kcnlp_entities"].append(json.dumps(rec["entities"], ensure_ascii=False))
        out["kcnlp_relations"].append(json.dumps(rec["relations"], ensure_ascii=False))
        out["kcnlp_events"].append(json.dumps(rec["events"], ensure_ascii=False))
    return out


_models: dict = {}


def _cached(path: str):
    from .pipeline import load

    if path not in _models:
        _models[path] = load(path)
    return _models[path]


def extract_dataset(ds, text_column: str = "text", num_proc: int | None = None, batch_size: int = 64, model: str | None = None):
    """`ds` with the SPEC record fields added as columns (JSON text, one list per row).

    A missing text (None) is read as an empty article; a column that is not there raises
    a KeyError naming the columns that are.
    """
    if text_column not in ds.column_names:
        raise KeyError(f"no column {text_column!r}; the dataset has {', '.join(ds.column_names)}")
    return ds.map(_extract_batch, batched=True, batch_size=batch_size, num_proc=num_proc,
                  fn_kwargs={"text_column": text_column, "model": model}, desc="kcnlp extract")
