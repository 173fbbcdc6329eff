"""Reading and writing SPEC records as JSON Lines, with file:line in every error."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from ..document import Document
from ..errors import KcnlpError, RecordError

__all__ = ["read_records", "read_documents", "write_records", "write_documents"]


def read_records(path: str | Path, errors: list[str] | None = None) -> Iterator[tuple[int, dict]]:
    """(line number, record) for every non-blank line. A malformed line raises RecordError,
    or, when an `errors` list is given, is reported there ("[E106] file:line: what") and skipped."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise RecordError("E105", f"cannot open {path}: {exc.strerror}") from None
    with handle:
        try:
            for n, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    if not isinstance(rec, dict):
                        raise RecordError("E104", "a record must be a JSON object", str(path), n)
                except json.JSONDecodeError as exc:
                    err = RecordError("E106", f"not valid JSON ({exc.msg} at column {exc.colno})", str(path), n)
                    if errors is None:
                        raise err from None
                    errors.append(str(err))
                    continue
                except RecordError as err:
                    if errors is None:
                        raise
                    errors.append(str(err))
                    continue
                yield n, rec
        except UnicodeDecodeError as exc:
            raise RecordError("E107", f"{path} is not UTF-8 ({exc.reason} at byte {exc.start})") from None


def read_documents(path: str | Path) -> Iterator[Document]:
    for n, rec in read_records(path):
        try:
            yield Document.from_dict(rec)
        except KcnlpError as exc:
            raise RecordError(exc.code, exc.message, str(path), n) from None


def write_records(records: Iterable[dict], path: str | Path) -> int:
    """Write records as UTF-8 JSON Lines (non-ASCII kept as is); returns the count."""
    n = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_documents(docs: Iterable[Document], path: str | Path) -> int:
    return write_records((d.to_dict() for d in docs), path)
