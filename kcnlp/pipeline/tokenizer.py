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

import functools
import re
import unicodedata
from pathlib import Path

import numpy
from spacy.attrs import LEMMA, NORM
from spacy.tokens import Doc, Token
from spacy.util import registry
from spacy.vocab import Vocab

from .spanattrs import keep_text

__all__ = ["UndertheseaTokenizer", "split_tokens", "normalize_syllable"]

# Combining marks and zero-width joiners stay attached to the letters they modify (NFD input).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u200c\u200d"
_TOKEN_RE = re.compile(
    rf"\d+(?:[.,]\d+)*[{_MARKS}]*"          # 2.760 · 20.253,331 · 3,37
    rf"|(?:[^\W\d_]|[{_MARKS}])+"           # a syllable or a Latin word
    rf"|\S[{_MARKS}]*"                      # any other single character
)
_PIECE_RE = re.compile(rf"\s+|{_TOKEN_RE.pattern}")
# One tone placement for the open syllables written both ways, for the models' view only
# ("hoà" and "hòa" alike; underthesea's form). Closed syllables ("toàn", "hoạch") and "qu"
# ("quý") have one spelling and stay as they are.
_OLD_TONES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_OLD_TONE_RE = re.compile("(?<!q)(?:" + "|".join(_OLD_TONES) + ")$")

if not Token.has_extension("word_start"):
    Token.set_extension("word_start", default=True)


@functools.lru_cache(maxsize=100_000)  # called for every token by several stages
def normalize_syllable(text: str) -> str:
    """NFC, lower case, one tone placement ("hoà" → "hòa"): the form the models see."""
    low = unicodedata.normalize("NFC", text).lower()
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONES[m.group(0)], low) if len(low) > 1 else low


def split_tokens(text: str) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags whose concatenation is exactly `text`.

    A single " " after a token becomes its trailing space; any other whitespace (newlines,
    tabs, non-breaking or double spaces) becomes a whitespace token of its own.
    """
    words: list[str] = []
    spaces: list[bool] = []
    for piece in _PIECE_RE.findall(text):  # tokens and whitespace runs, covering the text
        if not piece[0].isspace():
            words.append(piece)
            spaces.append(False)
        elif piece[0] == " " and words and not spaces[-1] and not words[-1].isspace():
            spaces[-1] = True
            if len(piece) > 1:
                words.append(piece[1:])
                spaces.append(False)
        else:
            words.append(piece)
            spaces.append(False)
    return words, spaces


_segmenter = None  # underthesea's word-segmentation model, loaded on first use


def _load_segmenter():
    """underthesea's own CRF segmentation model (what `word_tokenize` runs), run on our
    syllables directly by our faster inference (`crf.WindowCRF`, the same tags):
    `word_tokenize` would split the text again with its slower regular expressions and we
    would have to find its words back in our tokens. If this underthesea keeps the model
    elsewhere or in another form, `word_tokenize` itself is the fallback."""
    global _segmenter
    if _segmenter is None:
        try:
            import joblib
            from underthesea.pipeline import word_tokenize as ws
            from underthesea.pipeline.text_normalize.token_normalize import token_normalize

            from .crf import WindowCRF

            folder = Path(ws.__file__).parent / "models" / "ws_crf_vlsp2013_20230727"
            model = WindowCRF((folder / "models.bin").read_bytes(), joblib.load(folder / "features.bin"),
                              joblib.load(folder / "dictionary.bin"))
            if model.labels != ["B-W", "I-W"]:
                raise ValueError(f"unexpected segmentation labels {model.labels}")
            _segmenter = (model, functools.lru_cache(maxsize=50_000)(token_normalize))
        except Exception:  # noqa: BLE001 - any layout change: use the public function
            _segmenter = False
    return _segmenter


def segment(syllables: list[str]) -> list[bool]:
    """Whether each syllable begins a word (underthesea's segmentation); a segmenter failure
    must not lose the text: every syllable is then a word of its own."""
    if not syllables:
        return []
    model = _load_segmenter()
    try:
        if model:
            crf, normalize = model
            return [tag != "I-W" for tag in crf.tag_columns([list(map(normalize, syllables))], [len(syllables)])[0]]
        return _begins_from_words(syllables)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - the Rust library panics (BaseException) rather than raise
        return [True] * len(syllables)


def _begins_from_words(syllables: list[str]) -> list[bool]:
    """The same through `word_tokenize`, finding its words back in the syllables."""
    from underthesea import word_tokenize

    text = " ".join(syllables)
    starts, pos = [], 0
    for s in syllables:
        starts.append(pos)
        pos += len(s) + 1
    begins = [True] * len(syllables)
    cursor, k = 0, 0
    for word in word_tokenize(text):
        first = True
        for piece in word.split():
            found = text.find(piece, cursor)
            if found < 0:
                return begins
            cursor = found + len(piece)
            while k < len(syllables) and starts[k] < cursor:
                if starts[k] >= found and not first:
                    begins[k] = False
                first = False
                k += 1
    return begins


class UndertheseaTokenizer:
    """spaCy tokenizer: syllable tokens, underthesea words in `lemma_` and `_.word_start`."""

    def __init__(self, vocab: Vocab, segment: bool = True):
        self.vocab = vocab
        self.segment = segment

    def __call__(self, text: str) -> Doc:
        words, spaces = split_tokens(text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        norms = [normalize_syllable(w) if not w.isspace() else w for w in words]
        lemmas = self._word_lemmas(doc, words, norms) if self.segment else norms
        if words:  # one array write instead of a Python attribute set per token
            add = self.vocab.strings.add
            ids = {s: add(s) for s in {*norms, *lemmas}}  # each distinct string hashed once
            doc.from_array([NORM, LEMMA], numpy.array([list(map(ids.__getitem__, norms)), list(map(ids.__getitem__, lemmas))],
                                                      dtype="uint64").T.copy())
        keep_text(doc, text)
        return doc

    def _word_lemmas(self, doc: Doc, words: list[str], norms: list[str]) -> list[str]:
        """Each token's underthesea word ("trung_tâm" on both syllables); marks the syllables
        that continue a word (`_.word_start` False)."""
        idx = [i for i, w in enumerate(words) if not w.isspace()]
        begins = segment([norms[i] for i in idx])
        lemmas = list(norms)  # whitespace tokens keep their text
        k = 0
        while k < len(idx):
            j = k + 1
            while j < len(idx) and not begins[j]:
                j += 1
            if j - k > 1:
                lemma = "_".join(norms[idx[m]] for m in range(k, j))
                for m in range(k, j):
                    lemmas[idx[m]] = lemma
                    if m > k:
                        doc[idx[m]]._.word_start = False
            k = j
        return lemmas

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
