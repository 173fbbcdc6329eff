"""The CRF alternative to the spaCy recognizer, for the README comparison.

    pip install python-crfsuite
    python benchmarks/crf_ner.py [--model models/default] [--data test,real]

A linear-chain CRF (python-crfsuite) is trained on the corpus train split over the same
syllable tokens as the spaCy NER, with BIO tags, in two variants: lexical features only, and
lexical features plus the rule hints the spaCy NER also sees (`kcnlp_rule_hints`). Both are
scored on entity spans only (SPEC §6 headline F1 with ACTIVITY lenient, its category taken
from the overlapping gold activity so that categories do not enter) next to the recognizer of the
shipped model on its own (no rule spans, no span repair) and the shipped hybrid.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from accuracy import model_and_data  # noqa: E402

from kcnlp import extract  # noqa: E402
from kcnlp.corpus.load import read_split_records  # noqa: E402
from kcnlp.pipeline import build_tokenizer_only, load  # noqa: E402
from kcnlp.pipeline.ner import entity_doc  # noqa: E402
from kcnlp.schema import LABELS  # noqa: E402
from kcnlp.training.scoring import score_records  # noqa: E402


def token_features(doc, i: int, hints: bool) -> list[str]:
    def one(tok, pre: str) -> list[str]:
        text = tok.text
        feats = [f"{pre}w={text.lower()}", f"{pre}shape={tok.shape_}", f"{pre}title={text[:1].isupper()}",
                 f"{pre}digit={any(c.isdigit() for c in text)}", f"{pre}word={tok.lemma_.lower()}"]
        if hints:
            feats.append(f"{pre}hint={tok.tag_ or 'O'}")
        return feats

    feats = ["bias", f"suf3={doc[i].text[-3:].lower()}", f"pre3={doc[i].text[:3].lower()}"] + one(doc[i], "")
    for off in (-2, -1, 1, 2):
        j = i + off
        feats += one(doc[j], f"{off}:") if 0 <= j < len(doc) else [f"{off}:edge"]
    if 0 < i:
        feats.append(f"bigram={doc[i - 1].text.lower()}|{doc[i].text.lower()}")
    return feats


def paragraphs(nlp, text: str, hints: bool):
    """(offset, doc) per non-empty paragraph; entities never cross a line break."""
    pos = 0
    for para in text.split("\n"):
        start = pos
        pos += len(para) + 1
        if para.strip():
            doc = nlp.make_doc(para)
            if hints:
                doc = nlp.get_pipe("kcnlp_rule_hints")(doc)
            yield start, doc


def bio(doc, offset: int, entities: list[dict]) -> list[str]:
    tags = ["O"] * len(doc)
    for e in entities:
        span = doc.char_span(e["start"] - offset, e["end"] - offset)
        if span is None:
            continue
        tags[span.start] = f"B-{e['label']}"
        for k in range(span.start + 1, span.end):
            tags[k] = f"I-{e['label']}"
    return tags


def spans_from_tags(doc, offset: int, tags: list[str]) -> list[dict]:
    out, cur = [], None
    for i, tag in enumerate([*tags, "O"]):
        if cur is not None and not (tag.startswith("I-") and tag[2:] == cur[1]):
            first, label = cur
            out.append({"start": offset + doc[first].idx, "end": offset + doc[i - 1].idx + len(doc[i - 1].text), "label": label})
            cur = None
        if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
            cur = (i, tag[2:])
    return out


def train_crf(nlp, records: list[dict], hints: bool, path: str) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for rec in records:
        for offset, doc in paragraphs(nlp, rec["text"], hints):
            trainer.append([token_features(doc, i, hints) for i in range(len(doc))], bio(doc, offset, rec["entities"]))
    trainer.set_params({"c1": 0.05, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True})
    trainer.train(path)


def records_with(records: list[dict], predict) -> dict[str, dict]:
    """Predicted records; an ACTIVITY takes the category of the gold activity it overlaps, so
    that only spans are compared here (categories are the classifier's job)."""
    out = {}
    for rec in records:
        ents = predict(rec["text"])
        gold_acts = [g for g in rec["entities"] if g["label"] == "ACTIVITY"]
        for k, e in enumerate(ents, 1):
            e.update(id=f"T{k}", text=rec["text"][e["start"]:e["end"]])
            if e["label"] == "ACTIVITY":
                e["category"] = next((g["category"] for g in gold_acts if g["start"] < e["end"] and e["start"] < g["end"]), None)
        out[rec["id"]] = {"id": rec["id"], "text": rec["text"], "entities": ents, "relations": []}
    return out


def row(name: str, data: str, records: list[dict], predict) -> str:
    gold = {r["id"]: r for r in records}
    t0 = time.time()
    s = score_records(gold, records_with(records, predict))
    seconds = time.time() - t0
    pl = s["per_label"]
    cells = [data, name, f"{s['entities']['f']:.3f}", f"{s['entities_strict']['f']:.3f}",
             *(f"{pl.get(lab, {}).get('f', 0.0):.3f}" for lab in LABELS), f"{seconds:.0f}"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    import pycrfsuite

    model, data = model_and_data()
    plain = build_tokenizer_only()
    plain.add_pipe("kcnlp_rule_hints")
    train = read_split_records(REPO / "corpus")["train"]
    taggers = {}
    with tempfile.TemporaryDirectory() as tmp:
        for hints in (False, True):
            t0 = time.time()
            path = f"{tmp}/crf_{hints}.crfsuite"
            train_crf(plain, train, hints, path)
            tagger = pycrfsuite.Tagger()
            tagger.open(path)
            taggers[hints] = (tagger, time.time() - t0)

        def crf_predict(hints):
            tagger = taggers[hints][0]
            return lambda text: [e for off, doc in paragraphs(plain, text, hints)
                                 for e in spans_from_tags(doc, off, tagger.tag([token_features(doc, i, hints) for i in range(len(doc))]))]

        systems = [(f"CRF, lexical (train {taggers[False][1]:.0f} s)", crf_predict(False)),
                   (f"CRF, lexical + rule hints (train {taggers[True][1]:.0f} s)", crf_predict(True))]
        if model is not None:
            nlp = load(model)

            def spacy_ner(text):  # entity_doc reads paragraph by paragraph, as the pipeline does
                return [{"start": s.start_char, "end": s.end_char, "label": s.label_} for s in entity_doc(nlp, text).ents]

            def hybrid(text):
                return [{"start": e.start, "end": e.end, "label": e.label} for e in extract(text, nlp=nlp).entities]

            systems += [("spaCy NER + rule hints, raw (shipped recognizer)", spacy_ner), ("hybrid (shipped)", hybrid)]
        head = ["data", "system", "entities F1", "strict F1", *LABELS, "s"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for data_name, records in data.items():
            for name, predict in systems:
                print(row(name, data_name, records, predict), flush=True)


if __name__ == "__main__":
    main()
