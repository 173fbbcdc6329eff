"""Does more written data still help on real articles? Train on 25 / 50 / 100 % of the corpus
train split (the same dev split for tuning, the same seed), then score each model on the corpus
test split and on a real dev set.

    python benchmarks/learning_curve.py [--fractions 0.25,0.5,1] [--real DIR] [--full models/default]

A fraction keeps that share of each article kind (documents ordered by the hash of their id, as
the splits are), so a smaller train split has the same mix. `--full MODEL` scores a model already
trained on the whole train split (the shipped one) instead of training it again. Training runs
take under a minute each (the whole split: as long as `kcnlp train`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import gold_sets  # noqa: E402

from kcnlp.corpus.load import read_split_records  # noqa: E402
from kcnlp.pipeline import load  # noqa: E402
from kcnlp.training.evaluate import evaluate  # noqa: E402
from kcnlp.training.train import train_model  # noqa: E402


def subset(records: list[dict], fraction: float) -> list[dict]:
    """The first `fraction` of each kind's documents, ordered by the hash of their id."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_kind[r.get("meta", {}).get("kind", "")].append(r)
    out = []
    for docs in by_kind.values():
        docs.sort(key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
        out += docs[:max(1, round(len(docs) * fraction))]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fractions", default="0.25,0.5,1")
    ap.add_argument("--real", type=Path, default=None, help="folder of gold JSONL files of real articles")
    ap.add_argument("--full", type=Path, default=None, help="a model trained on the whole train split, scored as 100 %%")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    splits = read_split_records(REPO / "corpus")
    data = gold_sets(["test", "real"], args.real)
    print("| train share | documents | data | entities F1 | ACTIVITY (lenient) | roles | relations F1 | events exact F1 | train s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for fraction in (float(x) for x in args.fractions.split(",")):
        train = subset(splits["train"], fraction)
        t0 = time.time()
        if fraction >= 1 and args.full:
            model = args.full
        else:
            tmp = Path(tempfile.mkdtemp(prefix="kcnlp-curve-"))
            for name, recs in (("train", train), ("dev", splits["dev"])):
                with open(tmp / f"{name}.jsonl", "w", encoding="utf-8") as f:
                    f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
            model = tmp / "model"
            train_model(tmp, model, seed=args.seed)
        seconds = time.time() - t0
        nlp = load(model)
        for data_name, records in data.items():
            s, _, _ = evaluate(nlp, records)
            print(f"| {fraction:.0%} | {len(train)} | {data_name} | {s['entities']['f']:.3f} | {s['activity_lenient']['f']:.3f} | "
                  f"{s['roles']['accuracy']:.3f} | {s['relations']['f']:.3f} | {s['events_exact']['f']:.3f} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
