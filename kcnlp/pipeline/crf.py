"""Fast inference for the linear-chain CRF models underthesea_core writes (CRFsuite's file
format): underthesea's word segmentation model and our entity recognizer.

The library's own path builds every feature of every token as a Python string (43 per
syllable for the segmentation model) and hands them back to its tagger, and that string
traffic is most of the time. Here a template's feature depends only on the few strings it
looks at, so each distinct window of strings is featurized once and kept as summed label
weights; a document costs a cache lookup per window, array sums and a Viterbi pass. A
window's features are the library's own strings: plain values joined as its featurizer
joins them, .lower/.istitle/.is_in_dict in Python where the window's characters are known to
give the same answers, anything else from the featurizer itself. The tags equal the
library's (tests/test_crf.py compares them).
"""
from __future__ import annotations

import re
import struct
import threading
from typing import Any, Callable

import numpy
import underthesea_core

__all__ = ["WindowCRF", "read_crfsuite", "decode"]

_TEMPLATE_RE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\[(\d+)\])?(\.\w+)?")
_FEATURE = numpy.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])


def _read_quarks(buf: bytes, offset: int) -> list[str]:
    """The strings of a CQDB chunk (CRFsuite's string ↔ id table), in id order."""
    if buf[offset:offset + 4] != b"CQDB":
        raise ValueError("no string table where the header points")
    count, table = struct.unpack_from("<2I", buf, offset + 16)
    if offset + table + 4 * count > len(buf):
        raise ValueError("string table past the end of the file")
    names = [""] * count
    for record in numpy.frombuffer(buf, "<u4", count, offset + table).tolist():
        if record:
            qid, size = struct.unpack_from("<2I", buf, offset + record)
            names[qid] = buf[offset + record + 8:offset + record + 7 + size].decode("utf-8")
    return names


def read_crfsuite(data: bytes) -> tuple[list[str], dict[str, int], numpy.ndarray, numpy.ndarray]:
    """Labels, attribute ids, state weights (attributes × labels) and transition weights
    (label × next label) of a CRFsuite model file; ValueError if it is not one."""
    try:
        return _read_crfsuite(data)
    except (struct.error, IndexError, UnicodeDecodeError) as exc:  # offsets past the end, a broken string
        raise ValueError(f"damaged CRFsuite model file ({type(exc).__name__}: {exc})") from None


def _read_crfsuite(data: bytes):
    if len(data) < 48 or data[:4] != b"lCRF" or data[8:12] != b"FOMC":
        raise ValueError("not a CRFsuite model file")
    n_labels, n_attrs, at_features, at_labels, at_attrs = struct.unpack_from("<5I", data, 20)
    if data[at_features:at_features + 4] != b"FEAT":
        raise ValueError("no feature table where the header points")
    (count,) = struct.unpack_from("<I", data, at_features + 8)
    if at_features + 12 + count * _FEATURE.itemsize > len(data):
        raise ValueError("feature table past the end of the file")
    features = numpy.frombuffer(data, _FEATURE, count, at_features + 12)
    labels, attrs = _read_quarks(data, at_labels), _read_quarks(data, at_attrs)
    if len(labels) != n_labels or len(attrs) != n_attrs:
        raise ValueError("string tables disagree with the header")
    state, trans = numpy.zeros((n_attrs, n_labels)), numpy.zeros((n_labels, n_labels))
    for kind, weights in ((0, state), (1, trans)):
        part = features[features["type"] == kind]
        if len(part) and (part["src"].max() >= len(weights) or part["dst"].max() >= n_labels):
            raise ValueError("a feature names an attribute or label the file does not have")
        numpy.add.at(weights, (part["src"], part["dst"]), part["weight"])
    return labels, {name: i for i, name in enumerate(attrs)}, state, trans


# Windows of these characters (ASCII and Vietnamese letters, digits, punctuation; one space
# between non-empty strings) get .lower, .istitle and .is_in_dict from the functions below,
# which give the featurizer's own answers there (tests/test_crf.py compares them on random
# windows); any other window still goes through the featurizer.
_VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵfjwz"
_SAFE_WORD = f"[!-~{_VI_LETTERS}{_VI_LETTERS.upper()}]+"
_SAFE = re.compile(f"{_SAFE_WORD}(?: {_SAFE_WORD})*")


_SAFE_LOWER_START = re.compile(f"(?:^| )[a-z{_VI_LETTERS}]")  # a string of the window that starts lower case


def _lower(values: list[str], dictionary: set) -> list[str]:
    return [value.lower() for value in values]


def _istitle(values: list[str], dictionary: set) -> list[str]:
    return ["False" if _SAFE_LOWER_START.search(value) else "True" for value in values]


def _is_in_dict(values: list[str], dictionary: set) -> list[str]:
    return ["True" if value.lower() in dictionary else "False" for value in values]


# each answers for a list of safe windows' values at once
_PYTHON_FUNCTIONS: dict[str, Callable[[list[str], set], list[str]]] = {
    ".lower": _lower, ".istitle": _istitle, ".is_in_dict": _is_in_dict}


class _WindowGroup:
    """The templates that read one column of `width` consecutive tokens, and the summed
    weights of each window of those strings already seen (rows 0 and 1: windows that run
    before the first token or past the last one, whose features all read BOS or EOS). One
    column at a time, windows repeat far more often than whole tokens do."""

    # then the cache starts over, so memory stays bounded on any input: at most 200,000
    # windows, and at most 16 MB of weights (the recognizer's 13 labels × 5 offsets: 30,000)
    MAX_WINDOWS = 200_000
    TABLE_BYTES = 16_000_000

    def __init__(self, width: int, column: int, templates: list[tuple[int, str, str]], dictionary: set,
                 state: numpy.ndarray):
        self.width, self.column = width, column
        self.offsets = sorted({start for start, _, _ in templates})
        # each template read at offset 0 of a window of `width` strings ("local"), and the row
        # of the window's weights its offset adds to
        self.local: dict[str, tuple[str, int]] = {
            name: (("T[0]" if width == 1 else f"T[0,{width - 1}]") + function, self.offsets.index(start))
            for start, name, function in templates}
        self.local_templates = sorted({local for local, _ in self.local.values()})
        # a plain template's value is the window's strings joined by spaces, as the featurizer
        # writes it; only the others (.lower, .istitle, .is_in_dict, …) need the featurizer
        self.plain = [local for local in self.local_templates if "." not in local]
        functions = [local for local in self.local_templates if "." in local]
        self.featurizer = underthesea_core.CRFFeaturizer(functions, dictionary) if functions else None
        suffixes = [local[local.index("."):] for local in functions]
        self.in_python = [(local, _PYTHON_FUNCTIONS[suffix]) for local, suffix in zip(functions, suffixes)] \
            if functions and all(suffix in _PYTHON_FUNCTIONS for suffix in suffixes) else []
        self.dictionary = dictionary
        self.state = state
        self.max_windows = min(self.MAX_WINDOWS, self.TABLE_BYTES // (len(self.offsets) * state.shape[1] * 8))
        self._pairs: dict[str, list[tuple[int, int]]] = {}  # "local=value" → (row, attribute id)

    def add_attribute(self, template: str, value: str, attribute: int) -> None:
        local, row = self.local[template]
        self._pairs.setdefault(f"{local}={value}", []).append((row, attribute))

    def finish(self) -> None:
        """Index the attributes by the featurizer's own strings: `entry[string]` → its
        (row, attribute id) pairs at `pair_row/pair_attr[start[e]:start[e] + count[e]]`."""
        strings = list(self._pairs)
        self.entry = {string: e for e, string in enumerate(strings)}
        self.count = numpy.array([len(self._pairs[s]) for s in strings], dtype=numpy.intp)
        self.start = numpy.cumsum(self.count) - self.count
        pairs = [pair for s in strings for pair in self._pairs[s]] or [(0, 0)]
        self.pair_row, self.pair_attr = (numpy.array(column, dtype=numpy.intp) for column in zip(*pairs))
        del self._pairs
        self.reset()

    def reset(self) -> None:
        """An empty cache: only the BOS and EOS rows."""
        self.table = numpy.zeros((1024, len(self.offsets), self.state.shape[1]))
        edges = [(f"{local}={edge}", row) for row, edge in enumerate(("BOS", "EOS")) for local in self.local_templates]
        self._sum_features([feature for feature, _ in edges], numpy.array([row for _, row in edges], dtype=numpy.intp))
        self.index: dict = {}
        self.size = 2

    def _sum_features(self, features: list[str], rows: numpy.ndarray) -> None:
        """Add to each table row in `rows` the weights of the feature string beside it."""
        entry = self.entry
        ids = numpy.array([entry.get(f, -1) for f in features], dtype=numpy.intp)
        found = ids >= 0
        ids, rows = ids[found], rows[found]
        counts = self.count[ids]
        pairs = numpy.repeat(self.start[ids] - (numpy.cumsum(counts) - counts), counts) + numpy.arange(counts.sum())
        numpy.add.at(self.table, (numpy.repeat(rows, counts), self.pair_row[pairs]), self.state[self.pair_attr[pairs]])

    def window_rows(self, keys: list, text: Callable[[Any], str]) -> list[int]:
        """The table row of each window of `width` consecutive keys (strings, or keys that
        `text` turns into strings), featurizing the new ones."""
        if self.width > 1:
            keys = list(zip(*(keys[k:] for k in range(self.width))))
        new = set(keys).difference(self.index)
        if new:
            if self.size + len(new) > self.max_windows:
                self.reset()
                new = set(keys)
            self._add(list(new), text)
        return list(map(self.index.__getitem__, keys))

    def _add(self, windows: list, text: Callable[[Any], str]) -> None:
        first = self.size
        if first + len(windows) > len(self.table):
            grown = numpy.zeros((max(min(2 * len(self.table), self.max_windows), first + len(windows)), *self.table.shape[1:]))
            grown[:first] = self.table[:first]
            self.table = grown
        strings = [text(w) for w in windows] if self.width == 1 else [[text(k) for k in w] for w in windows]
        values = strings if self.width == 1 else [" ".join(w) for w in strings]
        # the feature strings of the new windows, and the table row each adds to
        everyone = numpy.arange(first, first + len(windows))
        features = [f"{local}={value}" for local in self.plain for value in values]
        rows = [everyone] * len(self.plain)
        if self.featurizer is not None:
            safe = [k for k, value in enumerate(values) if _SAFE.fullmatch(value)] if self.in_python else []
            if safe:
                safe_values = [values[k] for k in safe]
                for local, function in self.in_python:
                    features += [f"{local}={answer}" for answer in function(safe_values, self.dictionary)]
                    rows.append(first + numpy.array(safe, dtype=numpy.intp))
            rest = sorted(set(range(len(windows))).difference(safe))
            if rest:
                # the windows one after another as one sentence (one sentence each is ~3×
                # slower): the local templates read forward only, so position k·width reads window k
                sentence = [[strings[k]] for k in rest] if self.width == 1 else [[t] for k in rest for t in strings[k]]
                for k, computed in zip(rest, self.featurizer.process([sentence])[0][::self.width]):
                    features += computed
                    rows.append(numpy.full(len(computed), first + k, dtype=numpy.intp))
        self._sum_features(features, numpy.concatenate(rows) if rows else numpy.zeros(0, dtype=numpy.intp))
        # known only once their weights are in: a featurizer that fails half way leaves no window
        # pointing at an empty row
        self.index.update(zip(windows, range(first, first + len(windows))))
        self.size = first + len(windows)


class WindowCRF:
    """A CRFsuite model and its feature templates ("T[-1]", "T[0,1].lower", "T[2][3]": the
    syntax of underthesea_core's featurizer), tagging sequences of tokens exactly as
    `CRFTagger.tag(CRFFeaturizer.process(...))` would. Its window caches are shared by the
    threads that use it (under a lock). ValueError if the model file or a template is not
    of a form it reads."""

    def __init__(self, model: bytes, templates: list[str], dictionary: set | None = None):
        self.labels, attr_ids, state, self.trans = read_crfsuite(model)
        parsed: dict[tuple[int, int], list] = {}  # (width, column) → templates
        for name in templates:
            m = _TEMPLATE_RE.fullmatch(name)
            if m is None:
                raise ValueError(f"feature template {name!r} is not of the form T[i], T[i,j], T[i][c], T[i].f")
            start, end = int(m.group(1)), int(m.group(2) if m.group(2) is not None else m.group(1))
            if end < start:
                raise ValueError(f"feature template {name!r} runs backwards")
            column = int(m.group(3)) if m.group(3) is not None else 0
            parsed.setdefault((end - start + 1, column), []).append((start, name, m.group(4) or ""))
        self.groups = [_WindowGroup(w, c, ts, dictionary or set(), state) for (w, c), ts in sorted(parsed.items())]
        self._lock = threading.Lock()
        group_of = {name: group for group in self.groups for name in group.local}
        for feature, attribute in attr_ids.items():
            template, _, value = feature.partition("=")
            if template in group_of:  # attributes of templates not given are never seen
                group_of[template].add_attribute(template, value, attribute)
        for group in self.groups:
            group.finish()

    def emissions(self, columns: list[list], lengths: list[int], text: Callable[[Any], str] = str) -> list[numpy.ndarray]:
        """Summed state weights of each sequence, tokens × labels. `columns[c]` is column c of
        all the sequences' tokens one after another, as strings or as keys that `text` turns
        into strings (the featurizer's input; it fails on an empty string). The sequences are
        read as one run (one cache lookup per window); a window that crosses a sequence's edge
        gets the BOS or EOS row instead, as the featurizer reads it."""
        lengths = numpy.asarray(lengths, dtype=numpy.intp)
        total = int(lengths.sum())
        scores = numpy.zeros((total, len(self.labels)))
        if total:
            starts = numpy.cumsum(lengths) - lengths
            everywhere = numpy.arange(total)
            position = everywhere - numpy.repeat(starts, lengths)  # within its sequence
            length = numpy.repeat(lengths, lengths)
            with self._lock:  # the window caches are shared
                for group in self.groups:
                    inner = group.window_rows(columns[group.column], text) if total >= group.width else [0]
                    inner = numpy.array(inner, dtype=numpy.intp)
                    for r, offset in enumerate(group.offsets):
                        first = position + offset  # the window's first token, within the sequence
                        rows = inner[numpy.clip(everywhere + offset, 0, len(inner) - 1)]
                        rows = numpy.where(first < 0, 0, numpy.where(first + group.width > length, 1, rows))
                        scores += group.table[rows, r]
        return numpy.split(scores, numpy.cumsum(lengths)[:-1]) if len(lengths) else []

    def tag_columns(self, columns: list[list], lengths: list[int], text: Callable[[Any], str] = str) -> list[list[str]]:
        """The best labels of each sequence, read as in `emissions`."""
        labels = self.labels
        return [[labels[i] for i in path] for path in decode(self.emissions(columns, lengths, text), self.trans)]

    def tag(self, sequences: list[list[tuple[str, ...]]]) -> list[list[str]]:
        """The best labels of each sequence of tokens (tuples of column strings)."""
        tokens = [token for sequence in sequences for token in sequence]
        columns = [list(column) for column in zip(*tokens)] if tokens else []
        return self.tag_columns(columns, [len(sequence) for sequence in sequences])


def decode(scores: list[numpy.ndarray], trans: numpy.ndarray) -> list[list[int]]:
    """Viterbi: the best label path of each sequence of emission scores (tokens × labels).

    A position where one label beats every other by more than any transitions around it
    could make up is that label on the best path, whatever its neighbours are (an anchor;
    most syllables of the segmentation model). The best path then splits there, and the
    pieces between anchors, short and many, are decoded together, one array step per
    position of the longest piece.
    """
    # gain[y, z]: the most the transitions around a position can favour label z over label y
    gain = (trans.max(0)[None, :] - trans.min(0)[:, None]) + (trans.max(1)[None, :] - trans.min(1)[:, None])
    pieces = []  # (sequence, first position, end position, label before, label after)
    paths: list[numpy.ndarray] = []  # each position's best label alone, then the pieces decoded
    for k, emit in enumerate(scores):
        n = len(emit)
        best = emit.argmax(1) if n else numpy.zeros(0, dtype=numpy.intp)
        margin = emit[numpy.arange(n), best][:, None] - emit - gain[best]
        margin[numpy.arange(n), best] = numpy.inf
        anchors = numpy.flatnonzero(margin.min(1) > 0).tolist() if n else []
        paths.append(best)
        for left, right in zip([-1, *anchors], [*anchors, n]):
            if right - left > 1:
                pieces.append((k, left + 1, right, int(best[left]) if left >= 0 else -1,
                               int(best[right]) if right < n else -1))
    if pieces:
        for (k, first, end, _, _), labels in zip(pieces, _decode_pieces(scores, pieces, trans)):
            paths[k][first:end] = labels
    return [path.tolist() for path in paths]


def _decode_pieces(scores, pieces, trans) -> list[numpy.ndarray]:
    """Viterbi over many pieces at once, each with its fixed labels before and after (-1:
    none). The pieces are taken longest first, so that step t updates only the first rows."""
    order = sorted(range(len(pieces)), key=lambda b: pieces[b][1] - pieces[b][2])
    pieces = [pieces[b] for b in order]
    count, n_labels = len(pieces), trans.shape[0]
    lengths = numpy.array([end - first for _, first, end, _, _ in pieces])
    longest = int(lengths[0])
    emit = numpy.zeros((count, longest, n_labels))
    for b, (k, first, end, _, _) in enumerate(pieces):
        emit[b, :end - first] = scores[k][first:end]
    before = numpy.array([p[3] for p in pieces])
    after = numpy.array([p[4] for p in pieces])
    # forward: the best score of each label at each position (the path is recovered after)
    best = numpy.empty((count, longest, n_labels))
    best[:, 0] = emit[:, 0] + numpy.where(before[:, None] >= 0, trans[before], 0.0)
    active = numpy.searchsorted(-lengths, -numpy.arange(longest), side="left")  # pieces longer than t
    for t in range(1, longest):
        k = active[t]
        best[:k, t] = (best[:k, t - 1, :, None] + trans).max(1) + emit[:k, t]
    last_scores = best[numpy.arange(count), lengths - 1]
    label = (last_scores + numpy.where(after[:, None] >= 0, trans[:, after].T, 0.0)).argmax(1)
    # backward: each label's best predecessor, for the chosen labels only
    path = numpy.zeros((count, longest), dtype=numpy.intp)
    for t in range(longest - 1, -1, -1):
        k = active[t]
        path[:k, t] = label[:k]  # a piece joins at its last position with its final label
        if t:
            label[:k] = (best[:k, t - 1] + trans[:, label[:k]].T).argmax(1)
    out: list[numpy.ndarray] = [None] * count  # type: ignore[list-item]
    for b, original in enumerate(order):
        out[original] = path[b, :lengths[b]]
    return out
