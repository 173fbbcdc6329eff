"""CoNLL-2003 BIO (`TOKEN POS CHUNK NER`, one token a line) <-> kcnlp records: entities only.

Tokens are kcnlp's (`kcnlp.pipeline.tokenizer.split_tokens`: syllables, digit groups, single
punctuation marks), so every SPEC entity edge is a token edge; an entity whose edge falls
inside a token is skipped and reported. POS is `-X-`. The chunk column says what follows
the token: `_` one space, `SpaceAfter=No` nothing, or other whitespace escaped as CoNLL-U's
SpacesAfter does (`SpacesAfter=\\n\\n`, `SpacesAfter=\\xa0`). A line break ends a
sentence (a blank line); `-DOCSTART- -X- -X- O` starts each document.

Lossy: relations, category, role and value fields are not written (counted); neither are
document ids and meta, nor whitespace at the very start of a text. On import the text is
rebuilt from the tokens and what the chunk column says follows each one (by default one
space inside a sentence, a newline between sentences, so any CoNLL-2003 file reads).
Documents are named FILE-1, FILE-2 …, entities T1, T2 … in text order; value fields come
from the normalizer; ACTIVITY has no category. `I-` with no `B-` before it starts an entity.
"""
from __future__ import annotations

import re
from pathlib import Path

from ...errors import RecordError
from ...pipeline.tokenizer import split_tokens
from .records import Item, Span, build_record, entity_attrs
from .report import Report

__all__ = ["DOCSTART", "read", "write"]

DOCSTART = "-DOCSTART- -X- -X- O"
NO_SPACE = "SpaceAfter=No"
SPACES = "SpacesAfter="
_TAG = re.compile(r"O|[BI]-\S+")


def write(items: list[Item], path: str | Path, report: Report) -> None:
    out: list[str] = []
    for where, rec in items:
        out += [DOCSTART, ""]
        out += _document(rec, where, report)
    Path(path).write_text("\n".join(out) + "\n" if out else "", encoding="utf-8", newline="\n")
    if items:
        report.note("document ids and meta not written (CoNLL has no place for them)", len(items))


def _document(rec: dict, where: str, report: Report) -> list[str]:
    text = rec["text"]
    words, spaces = split_tokens(text)
    tokens, pos = [], 0  # (start, end, word, space_after) of every token, whitespace included
    for w, sp in zip(words, spaces):
        tokens.append((pos, pos + len(w), w, sp))
        pos += len(w) + sp
    starts = {s: k for k, (s, _, w, _) in enumerate(tokens) if not w.isspace()}
    ends = {e: k for k, (_, e, w, _) in enumerate(tokens) if not w.isspace()}
    tags = ["O"] * len(tokens)
    written = 0
    for e in rec["entities"]:
        first, last = starts.get(e["start"]), ends.get(e["end"])
        if first is None or last is None:
            report.skip(where, "entities", f"entity {e['id']} {e['label']} {e['text']!r}", "an edge falls inside a token")
            continue
        if any("\n" in tokens[k][2] for k in range(first, last)):
            report.skip(where, "entities", f"entity {e['id']} {e['label']} {e['text']!r}", "spans a line break (CoNLL ends the sentence there)")
            continue
        for k in range(first, last + 1):
            if not tokens[k][2].isspace():
                tags[k] = ("B-" if k == first else "I-") + e["label"]
        written += 1
    lines = []
    solid = [k for k, t in enumerate(tokens) if not t[2].isspace()]
    if solid and tokens[solid[0]][0] > 0:
        report.note("texts starting with whitespace (CoNLL cannot keep it)")
    for j, k in enumerate(solid):
        end = tokens[solid[j + 1]][0] if j + 1 < len(solid) else len(text)
        after, last = text[tokens[k][1]:end], j + 1 == len(solid)
        brk = "\n" in after
        default = "" if last else "\n" if brk else " "
        space = "_" if after == default else NO_SPACE if not after else SPACES + _escape(after)
        lines.append(f"{tokens[k][2]} -X- {space} {tags[k]}")
        if brk or last:
            lines.append("")
    report.written["documents"] += 1
    report.written["entities"] += written
    report.lose("relations", len(rec["relations"]), "CoNLL holds entities only")
    report.lose("attributes", sum(len(entity_attrs(e)) for e in rec["entities"]),
                "CoNLL holds entity labels only (value fields are derived again on import; category and role are not)")
    return lines


def _escape(ws: str) -> str:
    """Whitespace as one column: \\s for a space, then \\n, \\t, \\xa0 … (as CoNLL-U's SpacesAfter)."""
    return ws.encode("unicode_escape").decode("ascii").replace(" ", "\\s")


def _unescape(value: str) -> str:
    return value.replace("\\s", " ").encode("ascii").decode("unicode_escape")


def read(path: str | Path, report: Report) -> list[Item]:
    try:
        with Path(path).open(encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as exc:
        raise RecordError("E105", f"cannot open {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise RecordError("E107", f"{path} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    docs: list[list[list[tuple[str, str | None, str, int]]]] = [[[]]]  # documents > sentences > (token, space after, tag, line)
    for n, line in enumerate(lines, 1):
        cols = line.split()
        if not cols:
            if docs[-1][-1]:
                docs[-1].append([])
            continue
        if cols[0] == "-DOCSTART-":
            docs.append([[]])
            continue
        if len(cols) < 2 or not _TAG.fullmatch(cols[-1]):
            raise RecordError("E112", f"expected 'TOKEN POS CHUNK TAG' with a BIO tag (O, B-LABEL, I-LABEL), got {line[:60]!r}", str(path), n)
        try:
            sep = next((_unescape(c[len(SPACES):]) if c.startswith(SPACES) else "" for c in cols[1:-1]
                        if c == NO_SPACE or c.startswith(SPACES)), None)
        except (UnicodeDecodeError, UnicodeEncodeError) as exc:
            raise RecordError("E112", f"the {SPACES} column holds a bad escape ({exc.reason}): {line[:60]!r}", str(path), n) from None
        docs[-1][-1].append((cols[0], sep, cols[-1], n))
    items = []
    for sentences in docs:
        sentences = [s for s in sentences if s]
        if not sentences:
            continue
        where = f"{path}:{sentences[0][0][3]}"
        report.read["documents"] += 1
        text, spans = _rebuild(sentences, str(path), report)
        report.read["entities"] += len(spans)
        doc_id = f"{Path(path).stem}-{len(items) + 1}"
        items.append((where, build_record(doc_id, text, {}, spans, [], [], where, report, rename=True)))
    return items


def _rebuild(sentences: list[list[tuple[str, str | None, str, int]]], path: str, report: Report) -> tuple[str, list[Span]]:
    parts: list[str] = []
    pos = 0
    spans: list[Span] = []
    current: Span | None = None
    for s, sentence in enumerate(sentences):
        current = None
        for k, (word, sep, tag, n) in enumerate(sentence):
            start = pos
            parts.append(word)
            pos += len(word)
            if tag == "O":
                current = None
            elif tag.startswith("I-") and current is not None and current.label == tag[2:]:
                current.end = pos
            else:
                report.note("I- tags with no B- before them, read as the start of an entity", int(tag.startswith("I-")))
                current = Span(f"C{len(spans) + 1}", start, pos, tag[2:], f"{path}:{n}")
                spans.append(current)
            if sep is None:  # the default: a space inside a sentence, a newline between sentences
                sep = " " if k + 1 < len(sentence) else "\n" if s + 1 < len(sentences) else ""
            parts.append(sep)
            pos += len(sep)
    return "".join(parts), spans
