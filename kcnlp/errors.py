"""Coded errors. Every message says what was wrong and what to do; codes stay stable.

E0xx input text · E1xx records and corpus files · E2xx models · E3xx training and evaluation
(E301 a corpus folder without train/dev splits · E302 a bad training config)

Annotation-tool files (kcnlp.io.convert) reuse E104–E107 (not an object, unreadable, not JSON,
not UTF-8) and add: E110 wrong top-level type (a Label Studio export is a list of tasks) ·
E111 a document without its text · E112 a line that is not the format's (brat standoff,
CoNLL) · E113 output path of the wrong kind · E114 input path of the wrong kind.
"""
from __future__ import annotations

__all__ = ["KcnlpError", "InputError", "RecordError", "ModelError"]


class KcnlpError(Exception):
    """Base class of kcnlp's errors; `code` is stable across versions (E001, E101 …)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


class InputError(KcnlpError, TypeError):
    """The text given to extract/pipe is not a str (a TypeError, so `except TypeError` works)."""


class RecordError(KcnlpError, ValueError):
    """A JSONL line or record does not follow SPEC §1; `path` and `line` say where."""

    def __init__(self, code: str, message: str, path: str | None = None, line: int | None = None):
        where = f"{path}:{line}: " if path is not None and line is not None else ""
        super().__init__(code, where + message)
        self.path, self.line = path, line


class ModelError(KcnlpError, OSError):
    """A model directory is missing, corrupt or incompatible; the message names the file."""
