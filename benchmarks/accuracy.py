"""The accuracy table of the README: the ablation (rules only, trained only, hybrid) on the
corpus test split and on a real dev set of annotated press articles, plus underthesea's own
`ner` on ORG and LOC, the money-role comparison (cue rules, trained classifier, combined) and
the reliability of the confidences (predicted against observed accuracy, with the ECE).

    python benchmarks/accuracy.py [--model models/default] [--data test,real] [--real DIR]

"rules only" is the rules-only pipeline; "trained only" is the model with every entity from
its recognizer (no rule spans) and every role from its classifier; "hybrid" is the model as
shipped (per-label entity sources chosen on dev; a role from the introducing words where the
text gives them, from the classifier elsewhere). `--real DIR` is a folder of gold JSONL files of
real articles (default: `real/` of the shared folder beside the checkout, when there is one).
Scores follow the evaluation of `corpus/GUIDELINES.md` (`kcnlp.training.scoring`).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kcnlp.corpus.load import read_split_records  # noqa: E402
from kcnlp.io.jsonl import read_records  # noqa: E402
from kcnlp.pipeline import build_rule_pipeline, default_model_path, load  # noqa: E402
from kcnlp.schema import LABELS  # noqa: E402
from kcnlp.training.calibration import decisions, reliability  # noqa: E402
from kcnlp.training.evaluate import evaluate, predict_records  # noqa: E402


def gold_sets(names: list[str], real: Path | None = None) -> dict[str, list[dict]]:
    out = {}
    for name in names:
        if name == "real":
            real = real or REPO.parent / "shared" / "real"
            files = sorted(real.glob("*.jsonl"))
            if files:
                records = [r for f in files for _, r in read_records(f)]
                out[f"real dev ({len(records)})"] = records
        else:
            out[f"corpus {name}"] = read_split_records(REPO / "corpus")[name]
    return out


def trained_only(path):
    nlp = load(path)
    stage = nlp.get_pipe("kcnlp_entity_rules")
    stage.override, stage.fill, stage.drop = (), (), ()
    nlp.get_pipe("kcnlp_role").mode = "model"
    return nlp


def underthesea_orgloc(records: list[dict]) -> dict[str, float]:
    """(strict F1, overlap F1) of underthesea.ner's ORG and LOC spans against the gold ORG and
    LOC. Overlap F1 forgives span conventions ("tỉnh" inside LOC) but not labels (underthesea
    tags many organisations as LOC)."""
    from underthesea import ner

    tp = {"ORG": 0, "LOC": 0}
    n_pred, n_gold, overlap = dict(tp), dict(tp), dict(tp)
    for rec in records:
        text, pos, spans, cur = rec["text"], 0, [], None
        for line in text.split("\n"):
            for word, _, _, tag in (ner(line) if line.strip() else []):
                start = text.find(word, pos)
                if start < 0:
                    continue
                pos = start + len(word)
                if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
                    cur = [start, pos, tag[2:]]
                    spans.append(cur)
                elif tag.startswith("I-") and cur is not None and cur[2] == tag[2:]:
                    cur[1] = pos
                else:
                    cur = None
            cur = None
            pos = max(pos, text.find("\n", pos) + 1 if "\n" in text[pos:] else pos)
        pred = {(s, e, lab) for s, e, lab in spans if lab in tp}
        gold = {(e["start"], e["end"], e["label"]) for e in rec["entities"] if e["label"] in tp}
        for lab in tp:
            p = {x for x in pred if x[2] == lab}
            g = {x for x in gold if x[2] == lab}
            tp[lab] += len(p & g)
            n_pred[lab] += len(p)
            n_gold[lab] += len(g)
            free = set(g)
            for x in sorted(p):  # overlap, one to one
                hit = next((y for y in sorted(free) if x[0] < y[1] and y[0] < x[1]), None)
                if hit:
                    free.discard(hit)
                    overlap[lab] += 1

    def f1(hits, lab):
        return 2 * hits[lab] / (n_pred[lab] + n_gold[lab]) if n_pred[lab] + n_gold[lab] else 0.0
    return {lab: (f1(tp, lab), f1(overlap, lab)) for lab in tp}


def model_and_data() -> tuple[Path | None, dict[str, list[dict]]]:
    """The --model and --data options of the accuracy benchmarks."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    ap.add_argument("--data", default="test,real", help="comma-separated: test, dev, real")
    ap.add_argument("--real", type=Path, default=None, help="folder of gold JSONL files of real articles")
    args = ap.parse_args()
    return (Path(args.model) if args.model else default_model_path()), gold_sets(args.data.split(","), args.real)


def main() -> None:
    model, data = model_and_data()
    systems = [("rules only", build_rule_pipeline)]
    if model is not None:
        systems += [("trained only", lambda: trained_only(model)), ("hybrid (shipped)", lambda: load(model))]
    plain = [lab for lab in LABELS if lab != "ACTIVITY"]
    head = ["data", "system", "entities F1", *plain, "ACTIVITY (lenient)", "values", "roles", "relations F1", "events exact F1", "s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for data_name, records in data.items():
        for name, make in systems:
            nlp = make()
            t0 = time.time()
            s, _, _ = evaluate(nlp, records)
            pl = s["per_label"]
            cells = [data_name, name, f"{s['entities']['f']:.3f}", *(f"{pl[lab]['f']:.3f}" for lab in plain),
                     f"{s['activity_lenient']['f']:.3f}", f"{s['values']['accuracy']:.3f}", f"{s['roles']['accuracy']:.3f}",
                     f"{s['relations']['f']:.3f}", f"{s['events_exact']['f']:.3f}", f"{time.time() - t0:.0f}"]
            print("| " + " | ".join(cells) + " |", flush=True)
        t0 = time.time()
        u = underthesea_orgloc(records)
        cells = [data_name, "underthesea.ner (strict / overlap)", ""] + [f"{u[lab][0]:.3f} / {u[lab][1]:.3f}" if lab in u else "" for lab in plain] + [""] * 5 + [f"{time.time() - t0:.0f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
    if model is not None:
        role_table(model, data)
        calibration_table(model, data)


def calibration_table(model: Path, data: dict[str, list[dict]]) -> None:
    """Reliability of the shipped model's confidences: predicted against observed accuracy by
    bin, per kind of decision, with the expected calibration error (ECE)."""
    nlp = load(model)
    print("\n| data | decision | bins: confidence → accuracy (n) | ECE |")
    print("|---|---|---|---|")
    for data_name, records in data.items():
        pred = predict_records(nlp, records)
        for kind, pairs in decisions({r["id"]: r for r in records}, pred).items():
            rows, ece = reliability(pairs)
            bins = "; ".join(f"≥{r['low']:.1f}: {r['confidence']:.2f} → {r['accuracy']:.2f} ({r['n']})" for r in rows)
            print(f"| {data_name} | {kind} | {bins} | {ece:.3f} |", flush=True)


def role_table(model: Path, data: dict[str, list[dict]]) -> None:
    """Money roles of the shipped model's MONEY entities, decided by the cue rules alone, the
    trained classifier alone, or combined (the cue decides, the classifier where there is none)."""
    nlp = load(model)
    modes = ("rules", "model", "combined")
    print("\n| data | roles: cue rules | roles: trained classifier | roles: combined (shipped) | MONEY matched |")
    print("|---|---|---|---|---|")
    for data_name, records in data.items():
        cells = []
        for mode in modes:
            nlp.get_pipe("kcnlp_role").mode = mode
            s, _, _ = evaluate(nlp, records)
            cells.append(f"{s['roles']['accuracy']:.3f}")
        print(f"| {data_name} | " + " | ".join(cells) + f" | {s['roles']['n']} |", flush=True)


if __name__ == "__main__":
    main()
