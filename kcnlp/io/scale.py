"""Extraction at scale: over a Hugging Face `datasets.Dataset` (with `num_proc` workers)
and on a Dask cluster.

Each worker process loads the pipeline once (lazily, on its first batch).
"""
from __future__ import annotations

import json
from collections import deque

__all__ = ["extract_dataset", "extract_dask", "RECORD_COLUMNS"]

#: columns added by extract_dataset; entities/relations/events hold the SPEC lists as JSON text
RECORD_COLUMNS = ("kcnlp_entities", "kcnlp_relations", "kcnlp_events")


def _extract_batch(batch: dict, text_column: str, model: str | None) -> dict:
    from ..pipeline.build import default_pipeline, extract

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
    from ..pipeline.build import load

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


# --- Dask ------------------------------------------------------------------------------------


def _extract_records_on_worker(batch: list[tuple[str, str]], model: str | None) -> list[dict]:
    """Runs on a Dask worker: the pipeline is loaded once per worker process and cached."""
    from ..pipeline.build import default_pipeline, pipe

    nlp = _cached(model) if model else default_pipeline()
    return [d.to_dict() for d in pipe([t for _, t in batch], nlp=nlp, ids=[i for i, _ in batch])]


def extract_dask(articles, scheduler=None, model: str | None = None, batch_size: int = 64, max_in_flight: int | None = None):
    """Extract [(id, text), …] on a Dask cluster; yields SPEC records in input order.

    `scheduler` is a `dask.distributed.Client` or a scheduler address ("tcp://host:8786");
    `model` a model directory that every worker can read (the bundled one when None).
    Needs the `dask` extra: `pip install 'kcnlp[dask]'`.
    """
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - depends on the extra
        raise ImportError("extract_dask needs dask.distributed: pip install 'kcnlp[dask]'") from None
    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        in_flight: deque = deque()
        limit = max_in_flight or 4 * max(1, len(client.scheduler_info().get("workers", {})))

        def submit(batch):
            in_flight.append(client.submit(_extract_records_on_worker, batch, model, pure=False))

        batch: list[tuple[str, str]] = []
        for item in articles:
            batch.append(item)
            if len(batch) == batch_size:
                submit(batch)
                batch = []
                while len(in_flight) >= limit:  # oldest first keeps input order and bounds memory
                    yield from in_flight.popleft().result()
        if batch:
            submit(batch)
        while in_flight:
            yield from in_flight.popleft().result()
    finally:
        if own:
            client.close()
