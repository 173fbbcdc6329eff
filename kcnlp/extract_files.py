"""`kcnlp extract`: read articles from files, folders, JSONL or stdin, and write results.

Unreadable inputs (missing, not UTF-8, bad JSON) give one line each on stderr; without
--skip-errors the first one stops the run. The exit code is 1 when any input failed.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterator

from .errors import KcnlpError

__all__ = ["run_extract", "iter_inputs", "expand_inputs", "Article", "InputFailure"]


@dataclass
class Article:
    id: str
    text: str
    record: dict | None = None  # a JSONL line that already holds extracted entities (SPEC record)


class InputFailure(Exception):
    """One input that could not be read; the message is the one-line report."""


def expand_inputs(inputs: list[str]) -> list[str]:
    paths: list[str] = []
    for item in inputs:
        p = Path(item)
        if item != "-" and p.is_dir():
            paths += sorted(str(f) for f in p.rglob("*") if f.suffix in (".txt", ".jsonl") and f.is_file())
        else:
            paths.append(item)
    return paths


def iter_inputs(path: str) -> Iterator[Article]:
    """The articles of one input: a .txt file is one article, a .jsonl file one per line."""
    from .jsonl import read_records

    if path == "-":
        data = sys.stdin.buffer.read()
        yield Article("stdin", _decode(data, "<stdin>"))
        return
    p = Path(path)
    if not p.exists():
        raise InputFailure(f"{path}: no such file")
    if p.suffix == ".jsonl":
        try:
            for n, rec in read_records(p):
                if not isinstance(rec.get("text"), str):
                    raise InputFailure(f"{path}:{n}: the record has no string 'text' field")
                yield Article(str(rec.get("id") or f"{p.stem}-{n}"), rec["text"], rec if "entities" in rec else None)
        except KcnlpError as exc:
            raise InputFailure(exc.message) from None
        return
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFailure(f"{path}: cannot read ({exc.strerror})") from None
    yield Article(p.stem, _decode(data, path))


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFailure(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); convert it to UTF-8 first") from None


def run_extract(args) -> int:
    from tqdm import tqdm

    from .document import Document
    from .formats import write_output
    from .pipeline import default_pipeline, doc_to_document, extract, load

    fmt = args.format or ("table" if args.example else "jsonl")
    try:
        nlp = load(args.model) if args.model else default_pipeline()
    except KcnlpError as exc:
        print(f"kcnlp: {exc}", file=sys.stderr)
        return 1
    failures: list[str] = []
    if args.example:
        text = resources.files("kcnlp.data").joinpath("example.txt").read_text(encoding="utf-8")
        articles_by_input = [("example", lambda: iter([Article("example", text)]))]
    else:
        articles_by_input = [(p, (lambda p=p: iter_inputs(p))) for p in expand_inputs(args.inputs)]

    def articles():
        for name, arts in articles_by_input:
            try:
                yield from arts()
            except InputFailure as exc:
                print(f"kcnlp: {exc}", file=sys.stderr)
                failures.append(str(exc))
                if not args.skip_errors:
                    return

    def documents():
        if args.dask_scheduler:
            from .scale import extract_dask

            for rec in extract_dask(((a.id, a.text) for a in articles()), args.dask_scheduler, model=args.model):
                yield Document.from_dict(rec)
            return
        workers = max(1, args.workers)
        if workers == 1:
            for art in articles():
                yield extract(art.text, nlp=nlp, doc_id=art.id)
            return
        # Worker processes each hold the pipeline; texts go out in batches, in order.
        for doc, doc_id in nlp.pipe(((a.text, a.id) for a in articles()), as_tuples=True,
                                    n_process=workers, batch_size=args.batch_size):
            yield doc_to_document(doc, doc_id) if doc.text.strip() else Document(text=doc.text, id=doc_id)

    many = len(articles_by_input) > 1 or any(str(p).endswith(".jsonl") for p, _ in articles_by_input)
    progress = tqdm(documents(), unit="doc", disable=None if many else True, file=sys.stderr)

    encoding = "utf-8-sig" if args.bom else "utf-8"
    out = open(args.output, "w", encoding=encoding, newline="") if args.output else sys.stdout
    if args.bom and not args.output:
        out.write("\ufeff")
    try:
        n = write_output(progress, fmt, out)
    finally:
        if args.output:
            out.close()
    if failures:
        what = "skipped" if args.skip_errors else "stopped at"
        print(f"kcnlp: {n} documents written; {what} {len(failures)} unreadable input(s)"
              + ("" if args.skip_errors else " (use --skip-errors to go on past them)"), file=sys.stderr)
        return 1
    return 0
