"""`kcnlp train`: train the default model from the corpus splits and write it atomically.

Steps: the CRF entity recognizer on the train split; per label, choose on dev whether the
rules, the NER or both (NER first, rules filling gaps) give the entities; the category,
role and relation classifiers on the train split; dev and test scores of the whole
pipeline in `meta.json`. The same seed gives the same model (the CRF library may number the
recognizer's features in another order: the same predictions, weights equal to 1e-9).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ..errors import KcnlpError
from ..schema import LABELS

__all__ = ["train_model", "choose_entity_sources", "corpus_hash", "TrainConfig", "read_config"]


@dataclass(frozen=True)
class TrainConfig:
    """Training settings; `kcnlp train --config FILE.json` reads any subset of these keys."""
    iterations: int = 150     # L-BFGS iterations of the CRF recognizer, at most
    l1: float = 0.05          # its L1 penalty (fewer features)
    l2: float = 0.05          # its L2 penalty (smaller weights)

    def __post_init__(self):
        if not isinstance(self.iterations, int) or isinstance(self.iterations, bool) or self.iterations < 1:
            raise KcnlpError("E302", f"training setting 'iterations' must be a positive integer, not {self.iterations!r}")
        for name in ("l1", "l2"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1e6:
                raise KcnlpError("E302", f"training setting {name!r} must be a number ≥ 0, not {value!r}")


def read_config(path: str | Path) -> TrainConfig:
    """A TrainConfig from a JSON object; unknown keys are an error, not ignored."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KcnlpError("E302", f"{path}: cannot read the training config ({exc})") from None
    if not isinstance(data, dict):
        raise KcnlpError("E302", f"{path}: the training config must be a JSON object")
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        old = sorted(set(unknown) & _SPACY_SETTINGS)
        hint = (f" ({', '.join(old)} set the spaCy recognizer of kcnlp 0.1; the recognizer is now a CRF)" if old else "")
        raise KcnlpError("E302", f"{path}: unknown training settings {unknown}{hint}; known: {sorted(known)}")
    try:
        return TrainConfig(**data)
    except KcnlpError as exc:
        raise KcnlpError("E302", f"{path}: {exc.message}") from None


_SPACY_SETTINGS = {"epochs", "width", "depth", "dropout", "batch_size"}


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def corpus_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _spans(ents, label):
    return [(s, e) for s, e, lab in ents if lab == label]


def _label_f1(pred: list[list[tuple]], gold: list[list[tuple]], label: str) -> float:
    """Strict F1 of one label (ACTIVITY: one-to-one overlap) over documents."""
    tp = n_pred = n_gold = 0
    for p, g in zip(pred, gold):
        ps, gs = _spans(p, label), _spans(g, label)
        n_pred += len(ps)
        n_gold += len(gs)
        if label == "ACTIVITY":
            used = set()
            for a in ps:
                for i, b in enumerate(gs):
                    if i not in used and a[0] < b[1] and b[0] < a[1]:
                        used.add(i)
                        tp += 1
                        break
        else:
            tp += len(set(ps) & set(gs))
    pr = tp / n_pred if n_pred else 0.0
    rc = tp / n_gold if n_gold else 0.0
    return 2 * pr * rc / (pr + rc) if pr + rc else 0.0


_SIMPLER = {"rules": 3, "ner": 2, "fill": 1, "both": 0}


def choose_entity_sources(ner_ents, rule_ents, gold_ents) -> tuple[dict[str, str], dict]:
    """Per label: "rules" (rule spans only), "ner" (NER only), "fill" (NER, then rule spans
    where NER found nothing) or "both" (rule spans, then NER spans where the rules found
    nothing), whichever has the best dev F1; ties go to the simpler one."""
    sources, table = {}, {}

    def first_then(first, then, label):
        out = []
        for a, b in zip(first, then):
            own = [x for x in a if x[2] == label]
            out.append(own + [x for x in b if x[2] == label and not any(x[0] < y[1] and y[0] < x[1] for y in own)])
        return out

    for label in LABELS:
        f = {"rules": _label_f1(rule_ents, gold_ents, label), "ner": _label_f1(ner_ents, gold_ents, label),
             "fill": _label_f1(first_then(ner_ents, rule_ents, label), gold_ents, label),
             "both": _label_f1(first_then(rule_ents, ner_ents, label), gold_ents, label)}
        table[label] = {k: round(v, 4) for k, v in f.items()}
        sources[label] = max(_SIMPLER, key=lambda k: (round(f[k], 4), _SIMPLER[k]))
    return sources, table


def train_model(corpus: str | Path, output: str | Path, seed: int = 0, iterations: int | None = None,
                extra: list[str] | None = None, config: TrainConfig | None = None) -> dict:
    """Train on `corpus/train.jsonl` (+ `extra` JSONL files), tune on `dev.jsonl`, report
    `test.jsonl`; write the model directory to `output` atomically. `iterations`, when given,
    overrides `config.iterations`. Returns meta."""
    import numpy as np
    import sklearn
    import spacy
    import underthesea

    from .. import __version__
    from ..corpus.load import read_split_records
    from ..pipeline.build import add_stages, build_tokenizer_only
    from ..pipeline.categories import train_category_model
    from ..pipeline.ner import entity_doc, train_recognizer
    from ..pipeline.relations import train_relation_model
    from ..pipeline.roles import train_role_model
    from ..pipeline.rules import find_entities, repair_spans
    from .evaluate import predict_records
    from .scoring import score_records

    config = config or TrainConfig()
    if iterations is not None:
        config = replace(config, iterations=iterations)
    t_start = time.time()
    corpus = Path(corpus)
    splits = read_split_records(corpus)
    for name in ("train", "dev"):
        if name not in splits:
            raise KcnlpError("E301", f"{corpus} has no {name}.jsonl: give the corpus folder with train/dev/test JSONL files")
    train = list(splits["train"])
    files = [corpus / f"{n}.jsonl" for n in splits]
    for path in extra or []:
        added = read_split_records(path)["data"]
        train += added
        files.append(Path(path))
        _log(f"added {len(added)} documents from {path}")
    dev, test = splits["dev"], splits.get("test", [])
    _log(f"training on {len(train)} documents, tuning on {len(dev)}, testing on {len(test)}; seed {seed}")

    # 1. the entity recognizer
    _log("1/4 entity recognizer")
    nlp = build_tokenizer_only()
    ner_info = train_recognizer(nlp, train, LABELS, iterations=config.iterations, l1=config.l1, l2=config.l2, log=_log)
    dev_docs_text = [r["text"] for r in dev]
    gold_dev = [[(e["start"], e["end"], e["label"]) for e in r["entities"]] for r in dev]

    def ner_dev_ents():
        docs = (entity_doc(nlp, t) for t in dev_docs_text)
        return [[(e.start_char, e.end_char, e.label_) for e in repair_spans(d, d.ents)] for d in docs]

    # 2. where each label's entities come from
    rule_nlp = build_tokenizer_only()
    rule_dev = [[(s.start_char, s.end_char, s.label_) for s in find_entities(rule_nlp(t))] for t in dev_docs_text]
    sources, source_table = choose_entity_sources(ner_dev_ents(), rule_dev, gold_dev)
    _log("2/4 entity sources on dev: " + ", ".join(f"{k}={v}" for k, v in sources.items()))
    override = [lab for lab, src in sources.items() if src in ("rules", "both")]
    drop = [lab for lab, src in sources.items() if src == "rules"]
    fill = [lab for lab, src in sources.items() if src == "fill"]

    # 3. classifiers
    _log("3/4 category, role and relation classifiers")
    fallbacks: dict[str, str] = {}

    def trained(stage, fn):
        # a stage whose training data has a single class keeps its rules (said in meta.json)
        try:
            return fn()
        except ValueError as exc:
            fallbacks[stage] = str(exc)
            _log(f"   {stage}: rules kept ({exc})")
            return None

    category_model = trained("category", lambda: train_category_model(train, seed=seed))
    role_model = trained("role", lambda: train_role_model(train, seed=seed))
    relation_model, coverage = trained("relation", lambda: train_relation_model(train, seed=seed)) or (None, {})

    add_stages(nlp, override=override, fill=fill, drop=drop)
    nlp.get_pipe("kcnlp_category").model = category_model
    nlp.get_pipe("kcnlp_role").model = role_model
    relations = nlp.get_pipe("kcnlp_relation_model")
    relations.model = relation_model

    # threshold of the relation classifier: best relation F1 on dev, end to end
    gold_dev_map = {r["id"]: r for r in dev}
    dev_docs = [nlp(r["text"]) for r in dev]
    best = (-1.0, 0.5)
    for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        relations.threshold = threshold
        pred = {r["id"]: _with_id(relations(d), r["id"]) for r, d in zip(dev, dev_docs)}
        f = score_records(gold_dev_map, pred)["relations"]["f"]
        if f > best[0]:
            best = (f, threshold)
    relations.threshold = best[1]
    if coverage:
        _log(f"   relation threshold {best[1]} (dev relation F1 {best[0]:.3f}); gold relations outside candidates: "
             f"{coverage['not_candidates']} of {coverage['gold_relations']}")

    # 4. scores and the model directory
    _log("4/4 scoring dev and test")
    scores = {"dev": score_records(gold_dev_map, predict_records(nlp, dev))}
    if test:
        scores["test"] = score_records({r["id"]: r for r in test}, predict_records(nlp, test))
    meta = {
        "name": Path(output).name, "kcnlp": __version__, "seed": seed, "config": asdict(config),
        "versions": {"python": platform.python_version(), "spacy": spacy.__version__, "scikit-learn": sklearn.__version__,
                     "underthesea": getattr(underthesea, "__version__", "?"), "numpy": np.__version__},
        "corpus": {"path": str(corpus), "sha256": corpus_hash(files), "train_docs": len(train), "dev_docs": len(dev), "test_docs": len(test)},
        "entity_sources": sources, "entity_source_dev_f1": source_table,
        "ner": ner_info, "relation_threshold": relations.threshold, "relation_candidates": coverage,
        "rule_fallbacks": fallbacks,
        "scores": {split: _headline(s) for split, s in scores.items()},
        "train_seconds": round(time.time() - t_start, 1),
    }
    nlp.meta["kcnlp"] = meta
    write_atomically(nlp, Path(output), meta)
    _log(f"model written to {output} in {meta['train_seconds']:.0f}s")
    return meta


def _with_id(doc, doc_id):
    from ..pipeline.build import doc_to_document

    return {**doc_to_document(doc).to_dict(), "id": doc_id}


def _headline(s: dict) -> dict:
    keep = ("entities", "entities_strict", "per_label", "values", "roles", "relations", "relations_per_label", "events_exact")
    return {k: s[k] for k in keep}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def recover_interrupted(output: Path) -> list[str]:
    """Put right what a killed training run left beside `output`: the previous model moved aside
    (`.NAME.old`) goes back when `output` is missing, and half-written temporary folders
    (`.NAME.<random>`) are removed. Returns what was done, one line each."""
    done = []
    old = output.with_name(f".{output.name}.old")
    if old.is_dir() and not output.exists():
        os.replace(old, output)
        done.append(f"restored the previous model from {old.name}")
    elif old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
        done.append(f"removed {old.name}")
    for leftover in output.parent.glob(f".{output.name}.*"):
        if leftover.is_dir() and leftover != old:
            shutil.rmtree(leftover, ignore_errors=True)
            done.append(f"removed the unfinished {leftover.name}")
    for line in done:
        _log(f"   {output.name}: {line}")
    return done


def write_atomically(nlp, output: Path, meta: dict) -> None:
    """Write to a temporary folder beside `output`, then swap it in: an interrupted run
    never leaves a half-written model where a good one was."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted(output)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it 0700; a model folder follows the user's umask
    try:
        nlp.to_disk(tmp)
        (tmp / "meta.json").write_text(json.dumps({**json.loads((tmp / "meta.json").read_text(encoding="utf-8")), "kcnlp": meta},
                                                  ensure_ascii=False, indent=2), encoding="utf-8")
        old = None
        if output.exists():
            old = output.with_name(f".{output.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(output, old)
        os.replace(tmp, output)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
