"""Loading the corpus: `datasets.DatasetDict` with typed features, and spaCy `DocBin`.

Both conversions round-trip a SPEC record exactly (`records_from_dataset`, `records_from_docbin`).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..io.jsonl import read_records
from ..schema import CATEGORIES, LABELS, RELATION_TAILS

__all__ = ["features", "load", "records_from_dataset", "to_docbin", "records_from_docbin", "read_split_records"]

_ENTITY_FIELDS = ("value", "value_max", "unit", "qualifier", "per", "role", "category", "date_start", "date_end")


def features():
    """The typed `datasets.Features` of a corpus split."""
    return _features()


def _features():
    from datasets import ClassLabel, Features, List, Value

    return Features({
        "id": Value("string"),
        "text": Value("string"),
        # meta keys differ between sources; kept as a JSON object text so nothing is lost
        "meta": Value("string"),
        "entities": List({
            "id": Value("string"), "start": Value("int32"), "end": Value("int32"),
            "label": ClassLabel(names=list(LABELS)), "text": Value("string"),
            "value": Value("float64"), "value_max": Value("float64"), "unit": Value("string"),
            "qualifier": Value("string"), "per": Value("string"), "role": Value("string"),
            "category": Value("string"), "date_start": Value("string"), "date_end": Value("string"),
        }),
        "relations": List({"head": Value("string"), "tail": Value("string"),
                               "label": ClassLabel(names=list(RELATION_TAILS))}),
    })


def read_split_records(path: str | Path) -> dict[str, list[dict]]:
    """{split name: records} for a folder of `<split>.jsonl` files, or {"data": …} for one file."""
    p = Path(path)
    files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
    return {(f.stem if p.is_dir() else "data"): [rec for _, rec in read_records(f)] for f in files}


def _row(rec: dict) -> dict:
    ents = []
    for e in rec["entities"]:
        row = {k: e[k] for k in ("id", "start", "end", "label", "text")}
        for k in _ENTITY_FIELDS:
            v = e.get(k)
            row[k] = float(v) if k in ("value", "value_max") and v is not None else v
        ents.append(row)
    return {"id": rec["id"], "text": rec["text"], "meta": json.dumps(rec.get("meta", {}), ensure_ascii=False),
            "entities": ents, "relations": [{"head": r["head"], "tail": r["tail"], "label": r["label"]} for r in rec.get("relations", [])]}


def load(path: str | Path = "corpus"):
    """The corpus as a `datasets.DatasetDict` (one split per JSONL file), typed features."""
    from datasets import Dataset, DatasetDict

    features = _features()
    splits = read_split_records(path)
    return DatasetDict({name: Dataset.from_list([_row(r) for r in recs], features=features) for name, recs in splits.items()})


def records_from_dataset(ds) -> list[dict]:
    """SPEC records back from a `datasets.Dataset` made by `load`."""
    label_names = ds.features["entities"].feature["label"].names
    rel_names = ds.features["relations"].feature["label"].names
    out = []
    for row in ds:
        ents = []
        for e in row["entities"]:
            label = label_names[e["label"]]
            ent = {"id": e["id"], "start": e["start"], "end": e["end"], "label": label, "text": e["text"]}
            for k in _fields_of(label):
                v = e[k]
                ent[k] = int(v) if k in ("value", "value_max") and v is not None and float(v).is_integer() else v
            ents.append(ent)
        rels = [{"head": r["head"], "tail": r["tail"], "label": rel_names[r["label"]]} for r in row["relations"]]
        out.append({"id": row["id"], "text": row["text"], "meta": json.loads(row["meta"]), "entities": ents, "relations": rels})
    return out


def _fields_of(label: str) -> tuple[str, ...]:
    return {"MONEY": ("value", "value_max", "unit", "qualifier", "per", "role"),
            "QUANTITY": ("value", "value_max", "unit", "qualifier"),
            "ACTIVITY": ("category",), "DATE": ("date_start", "date_end")}.get(label, ())


def to_docbin(records: list[dict], nlp=None):
    """Records as a spaCy `DocBin`: entities in `doc.ents`, activity categories as the
    labels of `doc.spans["categories"]`, the whole record in `doc.user_data["kcnlp_record"]`.
    An entity that does not fall on token boundaries raises: nothing is dropped silently."""
    from spacy.tokens import DocBin

    from ..errors import RecordError
    from ..pipeline.build import build_tokenizer_only

    nlp = nlp or build_tokenizer_only()
    db = DocBin(store_user_data=True)
    for rec in records:
        doc = nlp.make_doc(rec["text"])
        ents, cats = [], []
        for e in rec["entities"]:
            span = doc.char_span(e["start"], e["end"], label=e["label"])
            if span is None:
                raise RecordError("E108", f"{rec['id']} {e['id']} {e['text']!r} does not fall on token boundaries")
            ents.append(span)
            if e["label"] == "ACTIVITY" and e.get("category") in CATEGORIES:
                cats.append(doc.char_span(e["start"], e["end"], label=e["category"]))
        doc.ents = ents
        doc.spans["categories"] = cats
        doc.user_data["kcnlp_record"] = json.dumps(rec, ensure_ascii=False)
        db.add(doc)
    return db


def records_from_docbin(db, vocab=None) -> list[dict]:
    """Records back from a DocBin: spans and labels from `doc.ents`, categories from the
    span group, ids, values and relations from the stored record (checked against the spans)."""
    from spacy.vocab import Vocab

    from ..errors import RecordError

    out = []
    for doc in db.get_docs(vocab or Vocab()):
        stored = json.loads(doc.user_data["kcnlp_record"])
        by_span = {(e["start"], e["end"], e["label"]): e for e in stored["entities"]}
        cats = {(s.start_char, s.end_char): s.label_ for s in doc.spans.get("categories", [])}
        ents = []
        for span in doc.ents:
            key = (span.start_char, span.end_char, span.label_)
            if key not in by_span:
                raise RecordError("E109", f"{stored['id']}: DocBin entity {span.text!r} is not in the stored record")
            ent = dict(by_span.pop(key))
            if span.label_ == "ACTIVITY":
                ent["category"] = cats.get((span.start_char, span.end_char))
            ents.append(ent)
        if by_span:
            raise RecordError("E109", f"{stored['id']}: {len(by_span)} stored entities are missing from doc.ents")
        out.append({**stored, "text": doc.text, "entities": ents})
    return out
