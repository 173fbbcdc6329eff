"""Does `kcnlp label suggest` pick better articles to label than chance? A simulation on the
corpus: start from a share of the train split, then in each round add `--add` documents of the
rest — the ones `suggest` ranks first, or as many at random — retrain (same seed, same dev
split) and score on the test split and a real dev set.

    python benchmarks/labeling_loop.py [--start 0.25] [--add 20] [--rounds 2] [--real DIR] [--iterations N]

Each round trains two models (under a minute each). The gold annotations of the added documents
stand in for a person's corrections.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import gold_sets  # noqa: E402
from learning_curve import subset  # noqa: E402

from kcnlp.corpus.load import read_split_records  # noqa: E402
from kcnlp.pipeline import load, pipe  # noqa: E402
from kcnlp.training.evaluate import evaluate  # noqa: E402
from kcnlp.training.labeling import suggest  # noqa: E402
from kcnlp.training.train import TrainConfig, train_model  # noqa: E402


def _train(train: list[dict], dev: list[dict], iterations: int | None, seed: int) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="kcnlp-loop-"))
    for name, recs in (("train", train), ("dev", dev)):
        (tmp / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    config = TrainConfig(iterations=iterations) if iterations else None
    train_model(tmp, tmp / "model", seed=seed, config=config)
    return tmp / "model"


def run(start: float, add: int, rounds: int, real: Path | None, iterations: int | None, seed: int = 0) -> list[dict]:
    """One row per (round, arm) with the scores; round 0 is the starting model."""
    splits = read_split_records(REPO / "corpus")
    data = gold_sets(["test", "real"], real)
    first = subset(splits["train"], start)
    pool = [r for r in splits["train"] if r["id"] not in {x["id"] for x in first}]
    rows = []

    def score(model: Path, arm: str, k: int, n_train: int) -> None:
        nlp = load(model)
        for data_name, records in data.items():
            s, _, _ = evaluate(nlp, records)
            rows.append({"round": k, "arm": arm, "train docs": n_train, "data": data_name, "entities": s["entities"]["f"],
                         "ACTIVITY": s["activity_lenient"]["f"], "relations": s["relations"]["f"], "roles": s["roles"]["accuracy"]})
            print(" | ".join(str(round(v, 3)) if isinstance(v, float) else str(v) for v in rows[-1].values()), flush=True)

    base = _train(first, splits["dev"], iterations, seed)
    score(base, "start", 0, len(first))
    state = {"suggest": (list(first), list(pool), base), "random": (list(first), list(pool), base)}
    rng = random.Random(seed)
    for k in range(1, rounds + 1):
        for arm in ("suggest", "random"):
            train, rest, model = state[arm]
            if arm == "suggest":
                docs = list(pipe([r["text"] for r in rest], nlp=load(model), ids=[r["id"] for r in rest]))
                chosen_ids = {s.doc.id for s in suggest(docs, add)}
            else:
                chosen_ids = {r["id"] for r in rng.sample(rest, min(add, len(rest)))}
            train = train + [r for r in rest if r["id"] in chosen_ids]
            rest = [r for r in rest if r["id"] not in chosen_ids]
            model = _train(train, splits["dev"], iterations, seed)
            state[arm] = (train, rest, model)
            score(model, arm, k, len(train))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--start", type=float, default=0.25)
    ap.add_argument("--add", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--real", type=Path, default=None)
    ap.add_argument("--iterations", type=int, default=None)
    args = ap.parse_args()
    print("round | arm | train docs | data | entities | ACTIVITY | relations | roles")
    run(args.start, args.add, args.rounds, args.real, args.iterations)


if __name__ == "__main__":
    main()
