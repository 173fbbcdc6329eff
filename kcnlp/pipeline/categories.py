"""ACTIVITY categories (SPEC §3): a linear classifier over the phrase and its context,
with the rule lexicon's guess as one of its features; the lexicon alone when no model."""
from __future__ import annotations

import re
import unicodedata

from spacy.language import Language
from spacy.tokens import Doc

from .linear import Features, LinearClassifier, ModelStage, train_on_entities
from .rules import MEANS_WORDS, activity_category
from .spanattrs import doc_text, entities, span_attrs
from .textview import TextView
from .tokenizer import normalize_syllable

__all__ = ["category_features", "train_category_model", "CategoryClassifier"]


def _words(text: str) -> list[str]:
    return [normalize_syllable(w) for w in unicodedata.normalize("NFC", text).replace("\u00a0", " ").split() if any(c.isalnum() for c in w)]


def category_features(text: str, start: int, end: int) -> Features:
    """Features of the activity text[start:end] for its category."""
    words = _words(text[start:end])
    left = _words(text[max(0, start - 60):start])[-4:]
    right = _words(text[end:end + 80])[:6]
    f: Features = {f"w={w}": 1.0 for w in words}
    f.update({f"bi={a}_{b}": 1.0 for a, b in zip(words, words[1:])})
    if words:
        f[f"first={words[0]}"] = 1.0
        f[f"last={words[-1]}"] = 1.0
        f[f"first2={'_'.join(words[:2])}"] = 1.0
    f[f"lex={activity_category(text[start:end]) or 'NONE'}"] = 1.0
    f.update({f"l={w}": 0.5 for w in left})
    f.update({f"r={w}": 0.5 for w in right})
    f[f"len={min(len(words), 8)}"] = 1.0
    served = _served_category(text, start)
    if served:
        f[f"serves={served}"] = 1.0
    audience = _audience(text, start, end)
    if audience:
        f[f"audience={audience}"] = 1.0
    return f


# Who a training or a workshop serves decides its category (GUIDELINES §6, §9): workers →
# TRAINING, business owners and managers → MANAGEMENT, khuyến công officials → PROGRAM_MANAGEMENT.
_AUDIENCES = [
    ("officials", re.compile(r"cán bộ (?:làm |phụ trách )?(?:công tác )?khuyến công|khuyến công viên|cộng tác viên khuyến công"
                             r"|cán bộ (?:quản lý nhà nước|phòng|sở|huyện|xã|cấp)|công chức|viên chức", re.IGNORECASE)),
    ("business", re.compile(r"chủ (?:cơ sở|doanh nghiệp|hộ kinh doanh|hợp tác xã|HTX)|doanh nghiệp|doanh nhân|giám đốc"
                            r"|cán bộ quản lý|người quản lý|hợp tác xã|HTX|cơ sở (?:CNNT|công nghiệp nông thôn)|tổ hợp tác", re.IGNORECASE)),
    ("workers", re.compile(r"lao động|người lao động|công nhân|thợ|nông dân|phụ nữ|đồng bào|người dân|thanh niên|hộ nghèo"
                           r"|học nghề", re.IGNORECASE)),
]


_CLAUSE_END = re.compile(r"[;:\n]|[.!?](?=\s|$)")


def _audience(text: str, start: int, end: int) -> str | None:
    """The audience named in the activity's clause: after it first ("… cho 1.200 lao động"), then
    before it ("cán bộ làm công tác khuyến công được tập huấn …")."""
    stop = _CLAUSE_END.search(text, end, end + 150)
    right = text[end:stop.start() if stop else end + 150]
    lo = max((m.end() for m in _CLAUSE_END.finditer(text, max(0, start - 100), start)), default=0)
    for window in (right, text[max(lo, start - 100):start]):
        hits = [(m.start(), name) for name, pattern in _AUDIENCES for m in [pattern.search(window)] if m]
        if hits:
            return min(hits)[1]
    return None


# "nâng cao năng lực quản lý … thông qua tổ chức 7 lớp [đào tạo]": the means takes the
# category of the activity it serves (GUIDELINES §8), so that category is a feature.
_MEANS = re.compile(rf"(?:{MEANS_WORDS})\s[^;.:\n]*$", re.IGNORECASE)


def _served_category(text: str, start: int) -> str | None:
    lo = max(text.rfind(c, 0, start) for c in ";.:\n") + 1
    clause = text[lo:start]
    m = _MEANS.search(clause)
    return activity_category(clause[:m.start()]) if m else None


def train_category_model(records: list[dict], seed: int = 0) -> LinearClassifier:
    return train_on_entities(records, "ACTIVITY", "category", category_features, C=5.0, seed=seed)


class CategoryClassifier(ModelStage):
    """Pipeline component: the category of every ACTIVITY entity, in `span_attrs`, with the
    classifier's probability for it (`confidence`) and `source` "model", or `source` "rule"."""

    def __call__(self, doc: Doc) -> Doc:
        view = TextView(doc_text(doc))  # features read NFC text, whatever the user's normalization
        for ent in entities(doc):
            if ent.label_ != "ACTIVITY":
                continue
            attrs = span_attrs(ent)
            if self.model is not None:
                features = category_features(view.view, view.to_view(ent.start_char), view.to_view(ent.end_char))
                attrs["category"], attrs["confidence"] = self.model.best(features)
                attrs["source"] = "model"
            else:
                if attrs.get("category") is None:
                    attrs["category"] = activity_category(ent.text) or "GENERAL"
                attrs["source"] = "rule"
        return doc



@Language.factory("kcnlp_category")
def make_category(nlp: Language, name: str) -> CategoryClassifier:
    return CategoryClassifier()
