"""Text → spaCy `Doc`: syllable tokens carrying underthesea's word segmentation.

spaCy tokens are syllables, digit groups and single punctuation marks, so that every SPEC
span ("2.170 tr đồng", "15 - 40%", "Vĩnh Phúc") falls on token boundaries even where
underthesea would join two syllables across a span edge. underthesea's words ride along:
`token.lemma_` is the lower-cased word ("trung_tâm" on both "Trung" and "tâm") and
`token._.word_start` marks its first syllable; the trained components embed the lemma.

The Doc's text is exactly the string the user passed, so `token.idx` and every span's
`start_char`/`end_char` index that string. Normalization (NFC, lower case, old-style tone
marks) is applied only to what the models see (`norm_`, `lemma_`), never to the text.
"""
from __future__ import annotations

import re
import unicodedata

from spacy.tokens import Doc, Token
from spacy.util import registry
from spacy.vocab import Vocab

__all__ = ["UndertheseaTokenizer", "split_tokens", "normalize_syllable"]

# Combining marks and zero-width joiners stay attached to the letters they modify (NFD input).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u200c\u200d"
_TOKEN_RE = re.compile(
    rf"\d+(?:[.,]\d+)*[{_MARKS}]*"          # 2.760 · 20.253,331 · 3,37
    rf"|(?:[^\W\d_]|[{_MARKS}])+"           # a syllable or a Latin word
    rf"|\S[{_MARKS}]*"                      # any other single character
)
# Old-style tone placement → new style, for the models' view only ("hoà" and "hòa" alike).
_OLD_TONES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_OLD_TONE_RE = re.compile("|".join(_OLD_TONES))

if not Token.has_extension("word_start"):
    Token.set_extension("word_start", default=True)


def normalize_syllable(text: str) -> str:
    """NFC, lower case, new-style tone marks: the form the models see."""
    low = unicodedata.normalize("NFC", text).lower()
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONES[m.group(0)], low) if len(low) > 1 else low


def split_tokens(text: str) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags whose concatenation is exactly `text`.

    A single " " after a token becomes its trailing space; any other whitespace (newlines,
    tabs, non-breaking or double spaces) becomes a whitespace token of its own.
    """
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    n = len(text)
    for m in _TOKEN_RE.finditer(text):
        if m.start() > pos:
            _add_whitespace(text[pos:m.start()], words, spaces)
        words.append(m.group(0))
        spaces.append(False)
        pos = m.end()
    if pos < n:
        _add_whitespace(text[pos:], words, spaces)
    return words, spaces


def _add_whitespace(ws: str, words: list[str], spaces: list[bool]) -> None:
    if words and not spaces[-1] and not words[-1].isspace() and ws[0] == " ":
        spaces[-1] = True
        ws = ws[1:]
    if ws:
        words.append(ws)
        spaces.append(False)


class UndertheseaTokenizer:
    """spaCy tokenizer: syllable tokens, underthesea words in `lemma_` and `_.word_start`."""

    def __init__(self, vocab: Vocab, segment: bool = True):
        self.vocab = vocab
        self.segment = segment

    def __call__(self, text: str) -> Doc:
        words, spaces = split_tokens(text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        norms = [normalize_syllable(w) if not w.isspace() else w for w in words]
        for token, norm in zip(doc, norms):
            token.norm_ = norm
        if self.segment:
            self._attach_words(doc, norms)
        else:
            for token, norm in zip(doc, norms):
                token.lemma_ = norm
        return doc

    def _attach_words(self, doc: Doc, norms: list[str]) -> None:
        """Run underthesea on the normalized syllables and group tokens into its words."""
        from underthesea import word_tokenize  # heavy: imported on first use

        idx = [i for i, t in enumerate(doc) if not t.is_space]
        seg_input = " ".join(norms[i] for i in idx)
        # Character offset in seg_input where each non-space token starts.
        starts, pos = [], 0
        for i in idx:
            starts.append(pos)
            pos += len(norms[i]) + 1
        group = list(range(len(idx)))  # word id of each non-space token (default: itself)
        if seg_input:
            try:
                words = word_tokenize(seg_input)
            except Exception:  # a segmenter failure must not lose the text: fall back to syllables
                words = []
            cursor, k = 0, 0
            for wid, word in enumerate(words):
                for piece in word.split():
                    found = seg_input.find(piece, cursor)
                    if found < 0:
                        break
                    cursor = found + len(piece)
                    while k < len(idx) and starts[k] < cursor:
                        if starts[k] >= found:
                            group[k] = len(idx) + wid  # offset keeps ids apart from defaults
                        k += 1
        for k, i in enumerate(idx):
            token = doc[i]
            first = k == 0 or group[k - 1] != group[k]
            j = k
            while j + 1 < len(idx) and group[j + 1] == group[k]:
                j += 1
            start = k
            while start > 0 and group[start - 1] == group[k]:
                start -= 1
            token.lemma_ = "_".join(norms[idx[m]] for m in range(start, j + 1))
            token._.word_start = first
        for token in doc:
            if token.is_space:
                token.lemma_ = token.text

    # spaCy serialization: the tokenizer has settings only.
    def to_bytes(self, *, exclude=()) -> bytes:
        import srsly

        return srsly.msgpack_dumps({"segment": self.segment})

    def from_bytes(self, data: bytes, *, exclude=()) -> "UndertheseaTokenizer":
        import srsly

        self.segment = srsly.msgpack_loads(data).get("segment", True)
        return self

    def to_disk(self, path, *, exclude=()) -> None:
        from pathlib import Path

        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=()) -> "UndertheseaTokenizer":
        from pathlib import Path

        return self.from_bytes(Path(path).read_bytes())


@registry.tokenizers("kcnlp.UndertheseaTokenizer.v1")
def create_tokenizer(segment: bool = True):
    def make(nlp):
        return UndertheseaTokenizer(nlp.vocab, segment=segment)

    return make
