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

from ..errors import KcnlpError

__all__ = ["run_extract", "iter_inputs", "expand_inputs", "Article", "InputFailure", "Inputs"]


@dataclass
class Article:
    id: str
    text: str
    record: dict | None = None  # a JSONL line that already holds extracted entities (SPEC record)


class InputFailure(Exception):
    """One input that could not be read; the message is the one-line report."""


_TEXT_SUFFIXES = (".txt", ".jsonl")


def expand_inputs(inputs: list[str], report=None) -> list[str]:
    """Files of the inputs: folders are walked for .txt and .jsonl files (any letter case); a
    broken link or an unreadable folder entry is reported through `report(message)`, never
    passed over silently."""
    paths: list[str] = []
    for item in inputs:
        p = Path(item)
        if item != "-" and p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.suffix.lower() not in _TEXT_SUFFIXES:
                    continue
                if f.is_file():
                    paths.append(str(f))
                elif report is not None and not f.is_dir():
                    report(f"[E108] {f}: a broken link or not a regular file")
        else:
            paths.append(item)
    return paths


def iter_inputs(path: str, report=None) -> Iterator[Article]:
    """The articles of one input: a .txt file is one article, a .jsonl file one per line. A bad
    JSONL line (not JSON, not an object, no string 'text') goes to `report(message)` with
    file:line and the lines after it are still read; without `report` it raises InputFailure."""
    from .jsonl import read_records

    def bad(message: str) -> None:
        if report is None:
            raise InputFailure(message)
        report(message)

    if path == "-":
        data = sys.stdin.buffer.read()
        yield Article("stdin", _decode(data, "<stdin>"))
        return
    p = Path(path)
    if not p.exists():
        raise InputFailure(f"[E105] {path}: no such file")
    if p.suffix.lower() == ".jsonl":
        errors: list[str] = []
        try:
            for n, rec in read_records(p, errors=errors if report is not None else None):
                while errors:
                    bad(errors.pop(0))
                if not isinstance(rec.get("text"), str):
                    bad(f"[E111] {path}:{n}: the record has no string 'text' field")
                    continue
                yield Article(str(rec.get("id") or f"{p.stem}-{n}"), rec["text"], rec if "entities" in rec else None)
            while errors:
                bad(errors.pop(0))
        except KcnlpError as exc:
            raise InputFailure(str(exc)) from None
        return
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFailure(f"[E105] {path}: cannot read ({exc.strerror})") from None
    yield Article(p.stem, _decode(data, path))
def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFailure(f"[E107] {name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); convert it to UTF-8 first") from None


class _Stop(Exception):
    """The first unreadable input ends a run without --skip-errors."""


class Inputs:
    """The articles of a command's inputs. Every unreadable one (a missing or non-UTF-8 file, a
    broken link, a malformed JSONL line, a record without text, a text that cannot be processed)
    is reported on stderr as `kcnlp: [Ecode] where: what` and counted in `failures`; the good ones
    are all still given, unless `skip_errors` is off, where the first failure ends the input."""

    def __init__(self, inputs: list[str], skip_errors: bool, example: str | None = None):
        self.inputs, self.skip_errors, self.example = inputs, skip_errors, example
        self.failures: list[str] = []
        self.many = example is None and (len(inputs) > 1 or any(Path(i).is_dir() or i.lower().endswith(".jsonl") for i in inputs))

    def report(self, message: str) -> bool:
        """Report an unreadable input; True when the run goes on past it (--skip-errors)."""
        print(f"kcnlp: {message}", file=sys.stderr)
        self.failures.append(message)
        return self.skip_errors

    def _report_or_stop(self, message: str) -> None:
        if not self.report(message):
            raise _Stop

    def articles(self) -> Iterator[Article]:
        from ..pipeline.build import text_problem

        if self.example is not None:
            yield Article("example", self.example)
            return
        try:
            for path in expand_inputs(self.inputs, self._report_or_stop):
                try:
                    for art in iter_inputs(path, self._report_or_stop):
                        problem = text_problem(art.text)
                        if problem is not None:
                            self._report_or_stop(f"[{problem.code}] {path} ({art.id}): {problem.message}")
                            continue
                        yield art
                except InputFailure as exc:
                    self._report_or_stop(str(exc))
        except _Stop:
            return

    def documents(self, nlp, batch_size: int = 32, n_process: int = 1) -> Iterator:
        """The readable articles extracted in order, batched through `pipe` (worker processes
        when `n_process` > 1)."""
        from ..pipeline.build import pipe

        ids: list[str] = []

        def texts():
            for art in self.articles():
                ids.append(art.id)
                yield art.text
        yield from pipe(texts(), nlp=nlp, batch_size=batch_size, n_process=n_process, ids=_ids(ids))

    def summary(self, written: str) -> int:
        """Say what was written and skipped; the exit code (1 when anything was skipped)."""
        if not self.failures:
            return 0
        what = "skipped" if self.skip_errors else "stopped at"
        print(f"kcnlp: {written}; {what} {len(self.failures)} unreadable input(s)"
              + ("" if self.skip_errors else " (use --skip-errors to go on past them)"), file=sys.stderr)
        return 1


def run_extract(args) -> int:
    from tqdm import tqdm

    from ..document import Document
    from ..pipeline.build import default_pipeline, load
    from .formats import write_output

    fmt = args.format or ("table" if args.example else "jsonl")
    try:
        nlp = load(args.model) if args.model else default_pipeline()
    except KcnlpError as exc:
        print(f"kcnlp: {exc}", file=sys.stderr)
        return 1
    example = resources.files("kcnlp.data").joinpath("example.txt").read_text(encoding="utf-8") if args.example else None
    inputs = Inputs(args.inputs, args.skip_errors, example)

    def documents():
        if args.dask_scheduler:
            from .scale import extract_dask

            for rec in extract_dask(((a.id, a.text) for a in inputs.articles()), args.dask_scheduler, model=args.model):
                yield Document.from_dict(rec)
            return
        yield from inputs.documents(nlp, args.batch_size, args.workers)

    progress = tqdm(documents(), unit="doc", disable=None if inputs.many else True, file=sys.stderr)
    encoding = "utf-8-sig" if args.bom else "utf-8"
    out = open(args.output, "w", encoding=encoding, newline="") if args.output else sys.stdout
    if args.bom and not args.output:
        out.write("\ufeff")
    try:
        n = write_output(progress, fmt, out)
    finally:
        if args.output:
            out.close()
    return inputs.summary(f"{n} documents written")


def _ids(seen: list[str]) -> Iterator[str]:
    """The ids of the texts in the order they were read: a document comes out of `pipe` only
    after its text was read, so its id is in `seen` by then."""
    i = 0
    while True:
        yield seen[i]
        i += 1
