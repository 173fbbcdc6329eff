"""The trained entity recognizer: spaCy's transition-based NER over a CNN tok2vec that
embeds each syllable's norm, prefix, suffix and shape, underthesea's word (`LEMMA`) and what
the rules make of it (`TAG`, set by the `kcnlp_rule_hints` component just before). It is
trained on paragraphs and, through the `kcnlp_paragraph_ner` component, run on paragraphs."""
from __future__ import annotations

import random
import sys
import time
from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

__all__ = ["add_ner", "train_ner", "record_examples", "entity_doc", "recognize", "finish_recognizer", "paragraph_ranges"]

def add_ner(nlp: Language, labels, *, width: int, depth: int) -> None:
    """Add rule hints + tok2vec + ner to a blank kcnlp pipeline (sizes from `kcnlp.training.train.TrainConfig`)."""
    nlp.add_pipe("kcnlp_rule_hints")
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width,
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", "LEMMA", "TAG"],
                  "rows": [5000, 1000, 2500, 500, 5000, 50], "include_static_vectors": False},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "depth": depth,
                   "window_size": 1, "maxout_pieces": 3},
    }})
    ner = nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": 64, "maxout_pieces": 2, "use_upper": True, "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": width, "upstream": "tok2vec"},
    }})
    for label in labels:
        ner.add_label(label)


def record_examples(nlp: Language, records: list[dict], labels) -> list[Example]:
    """One training example per paragraph (entities never cross a line break), so that
    minibatches are of similar size."""
    examples = []
    for rec in records:
        text = rec["text"]
        pos = 0
        for para in text.split("\n"):
            start, end = pos, pos + len(para)
            pos = end + 1
            if not para.strip():
                continue
            doc = _hinted(nlp, nlp.make_doc(para))
            ents = [e for e in rec["entities"] if start <= e["start"] and e["end"] <= end and e["label"] in labels]
            spans = [doc.char_span(e["start"] - start, e["end"] - start, label=e["label"]) for e in ents]
            examples.append(Example.from_dict(doc, {"entities": [(s.start_char, s.end_char, s.label_) for s in spans if s is not None]}))
    return examples


def train_ner(nlp: Language, train: list[Example], *, epochs: int, dropout: float, batch_size: int, seed: int = 0,
              dev_score: Callable[[], float] | None = None, log: Callable[[str], None] | None = None) -> dict:
    """Train tok2vec + ner in place (settings from `kcnlp.training.train.TrainConfig`); with
    `dev_score`, keep the weights of the best epoch."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    fix_random_seed(seed)
    rng = random.Random(seed)
    optimizer = nlp.initialize(lambda: train)
    best, best_bytes, history = -1.0, None, []
    pipes = [p for p in nlp.pipe_names if p in ("tok2vec", "ner")]
    for epoch in range(epochs):
        t0 = time.time()
        rng.shuffle(train)
        losses: dict = {}
        for batch in minibatch(train, size=batch_size):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
        score = dev_score() if dev_score else None
        history.append({"epoch": epoch + 1, "loss": round(float(losses.get("ner", 0.0)), 2), "dev": None if score is None else round(float(score), 4)})
        log(f"  ner epoch {epoch + 1:>2}/{epochs}  loss {losses.get('ner', 0.0):9.1f}" +
            (f"  dev F1 {score:.3f}" if score is not None else "") + f"  ({time.time() - t0:.0f}s)")
        if score is not None and score > best:
            best = score
            best_bytes = {p: nlp.get_pipe(p).to_bytes() for p in pipes}
    if best_bytes is not None:
        for p, data in best_bytes.items():
            nlp.get_pipe(p).from_bytes(data)
    return {"history": history, "best_dev": round(float(best), 4) if best >= 0 else None}


def _hinted(nlp: Language, doc: Doc) -> Doc:
    return nlp.get_pipe("kcnlp_rule_hints")(doc) if "kcnlp_rule_hints" in nlp.pipe_names else doc


def paragraph_ranges(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the paragraphs: the recognizer was trained on one paragraph at a time
    (entities never cross a line break), so it reads one paragraph at a time too."""
    ranges, start = [], 0
    for i, token in enumerate(doc):
        if token.is_space and "\n" in token.text:
            if i > start:
                ranges.append((start, i))
            start = i + 1
    if start < len(doc):
        ranges.append((start, len(doc)))
    return ranges


def recognize(nlp: Language, doc: Doc, batch_size: int = 64) -> Doc:
    """Set `doc.ents` from tok2vec + ner run on each paragraph of a hinted doc."""
    tok2vec, ner = nlp.get_pipe("tok2vec"), nlp.get_pipe("ner")
    ranges = paragraph_ranges(doc)
    paragraphs = ner.pipe(tok2vec.pipe((doc[a:b].as_doc() for a, b in ranges), batch_size=batch_size), batch_size=batch_size)
    ents = []
    for (first, _), para in zip(ranges, paragraphs):
        ents += [Span(doc, first + e.start, first + e.end, label=e.label_) for e in para.ents]
    doc.ents = ents
    return doc


class ParagraphRecognizer:
    """Pipeline component standing in for the (disabled) tok2vec and ner: runs them paragraph
    by paragraph, as in training."""

    def __init__(self, nlp: Language):
        self.nlp = nlp

    def __call__(self, doc: Doc) -> Doc:
        return recognize(self.nlp, doc)


@Language.factory("kcnlp_paragraph_ner")
def make_paragraph_recognizer(nlp: Language, name: str) -> ParagraphRecognizer:
    return ParagraphRecognizer(nlp)


def finish_recognizer(nlp: Language) -> None:
    """After training: tok2vec and ner stay in the model but are disabled; the paragraph
    recognizer runs them."""
    if "kcnlp_paragraph_ner" not in nlp.component_names:
        nlp.add_pipe("kcnlp_paragraph_ner", after="ner")
    for name in ("tok2vec", "ner"):
        if name in nlp.pipe_names:
            nlp.disable_pipe(name)


def entity_doc(nlp: Language, text: str) -> Doc:
    """Run only tokenizer, rule hints and the recognizer (paragraph by paragraph)."""
    return recognize(nlp, _hinted(nlp, nlp.make_doc(text)))
