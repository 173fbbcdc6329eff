"""Annotations to and from annotation tools: Label Studio, Doccano, brat, CoNLL-2003.

    >>> from importlib.resources import files
    >>> from kcnlp.io.convert import read
    >>> records, report = read(files("kcnlp.data") / "example_labelstudio.json", "labelstudio")
    >>> len(records), report.skipped
    (3, [])

Every conversion goes through SPEC records and returns a `Report`: what was read, derived,
written, skipped (each with file:line and why) and lost to the target format. Importing this
package is cheap; the format modules load when used.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from .report import Report

__all__ = ["FORMATS", "Report", "convert", "read", "write"]

#: format name -> module; "kcnlp" is SPEC JSONL
FORMATS = {"kcnlp": "records", "labelstudio": "labelstudio", "doccano": "doccano", "brat": "brat", "conll": "conll"}


def _module(fmt: str):
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    return importlib.import_module(f".{FORMATS[fmt]}", __name__)


def read(path: str | Path, fmt: str, report: Report | None = None) -> tuple[list[dict], Report]:
    """SPEC records from a file (a folder for brat) in `fmt`, and the report of the reading
    (the records returned count as written)."""
    from .records import count_written

    report = report if report is not None else Report(source=fmt, target="records")
    records = [rec for _, rec in _module(fmt).read(path, report)]
    for rec in records:
        count_written(report, rec)
    return records, report


def write(records: list, path: str | Path, fmt: str, report: Report | None = None) -> Report:
    """Write SPEC records (or `Document`s) in `fmt`, checked as on reading; the report counts
    what was skipped and what the format could not hold."""
    from .records import check_record

    report = report if report is not None else Report(source="kcnlp", target=fmt)
    items = []
    for n, rec in enumerate(records, 1):
        where = f"record {n}"
        items.append((where, check_record(rec.to_dict() if hasattr(rec, "to_dict") else rec, where, report)))
    _module(fmt).write(items, path, report)
    return report


def convert(src: str | Path, src_format: str, dst: str | Path, dst_format: str, strict: bool = False,
            predictions: bool = False) -> Report:
    """Read `src` in `src_format`, write `dst` in `dst_format`. With `strict`, nothing is
    written when an annotation had to be skipped (see `report.skipped`). With `predictions`,
    Label Studio tasks hold the records as predictions (pre-annotations with their scores) for a
    person to correct; Doccano and brat hold no predictions, so there the records are written as
    the annotations a person starts from, as always."""
    from .records import record_counts

    report = Report(source=src_format, target=dst_format)
    items = _module(src_format).read(src, report)
    if strict and report.skipped:
        report.note("nothing written (--strict and annotations were skipped)")
        for _, rec in items:
            for kind, n in record_counts(rec).items():
                report.lose(kind, n, "not written: --strict")
        return report
    if predictions and dst_format == "labelstudio":
        _module(dst_format).write(items, dst, report, predictions=True)
    else:
        _module(dst_format).write(items, dst, report)
    return report
