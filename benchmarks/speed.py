"""Speed benchmark: kcnlp against underthesea's word segmentation (the floor) and NER.

    python benchmarks/speed.py [--docs N] [--corpus corpus] [--model PATH] [--scaling]
                               [--baseline OTHER/.venv/bin/python] [--rounds 2]

Every measurement runs in a fresh subprocess, so peak RSS and load times are its own. Texts
are the first --docs corpus documents (all of them by default), each once: kcnlp's CRF
inference keeps the weights of every window of tokens it has seen, so a repeated text would
cost less than a new one and flatter the figures. Prints Markdown tables: throughput (one process,
`pipe` with one and two processes), cold start (import + model load, then the first
`extract`), and the time of each pipeline component. `underthesea.ner` is timed on the first
100 texts only (it is slow) and its rate shown for all.

`--baseline PYTHON` runs every measurement also with another interpreter — another checkout's
virtual environment, e.g. the previous release — alternating the two `--rounds` times in this
one run (this machine is shared: only side-by-side figures compare) and printing both, each
with its own model.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = "Năm 2024, Sở Công Thương tỉnh Hà Nam hỗ trợ 2 lớp đào tạo nghề với kinh phí 180 triệu đồng."


def _texts(corpus: str, n: int | None) -> list[str]:
    texts = []
    for f in sorted(Path(corpus).glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in f.open(encoding="utf-8") if line.strip()]
    texts = list(dict.fromkeys(texts))
    if not texts:
        raise SystemExit(f"no documents under {corpus}")
    if n is not None and n > len(texts):
        raise SystemExit(f"--docs {n}: {corpus} holds {len(texts)} distinct documents (repeats would flatter the figures)")
    return texts[:n]


def _rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def _components(nlp, texts: list[str]) -> dict[str, float]:
    """Seconds per pipeline component (and the record conversion) over the texts."""
    from kcnlp.pipeline import doc_to_document

    seconds: dict[str, float] = {"tokenizer": 0.0}
    for text in texts:
        t = time.perf_counter()
        doc = nlp.make_doc(text)
        seconds["tokenizer"] += time.perf_counter() - t
        for name, component in nlp.pipeline:
            t = time.perf_counter()
            doc = component(doc)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        doc_to_document(doc)
        seconds["Doc → record"] = seconds.get("Doc → record", 0.0) + time.perf_counter() - t
    return seconds


def _measure(kind: str, texts: list[str], model: str | None, batch_size: int) -> dict:
    """Run one measurement in this process."""
    if kind == "word_tokenize":
        from underthesea import word_tokenize

        word_tokenize("khởi động")
        t = time.perf_counter()
        for text in texts:
            word_tokenize(text)
        return {"seconds": time.perf_counter() - t, "peak_rss_mb": _rss_mb()}
    if kind == "underthesea_ner":
        from underthesea import ner

        ner("khởi động")
        t = time.perf_counter()
        for text in texts:
            ner(text)
        return {"seconds": time.perf_counter() - t, "peak_rss_mb": _rss_mb()}
    t0 = time.perf_counter()
    import kcnlp
    from kcnlp.pipeline import default_pipeline, load

    nlp = load(model) if model else default_pipeline()
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    kcnlp.extract(FIRST, nlp=nlp)
    out = {"load_s": load_s, "first_s": time.perf_counter() - t1}
    if kind == "cold":
        return {**out, "seconds": 0.0, "peak_rss_mb": _rss_mb()}
    t = time.perf_counter()
    if kind == "components":
        out["components"] = _components(nlp, texts)
    elif kind == "extract":
        for text in texts:
            kcnlp.extract(text, nlp=nlp)
    else:
        n_process = int(kind.split("_")[-1])
        for _ in kcnlp.pipe(texts, nlp=nlp, batch_size=batch_size, n_process=n_process):
            pass
    return {**out, "seconds": time.perf_counter() - t, "peak_rss_mb": _rss_mb()}


def _subprocess(python: str, kind: str, args, texts_file: Path) -> dict:
    cmd = [python, __file__, "--one", kind, "--texts", str(texts_file), "--batch-size", str(args.batch_size)]
    if args.model and python == sys.executable:
        cmd += ["--model", args.model]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=str(texts_file.parent))
    if out.returncode != 0:
        raise SystemExit(f"{kind} ({python}) failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _best(runs: list[dict]) -> dict:
    """The fastest of the rounds (the least disturbed by the machine's other work)."""
    return min(runs, key=lambda r: r["seconds"] + r.get("load_s", 0.0))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--docs", type=int, help="the first N distinct documents (default: all)")
    p.add_argument("--corpus", default=str(HERE.parent / "corpus"))
    p.add_argument("--model")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--baseline", help="another interpreter with another kcnlp installed, measured side by side")
    p.add_argument("--rounds", type=int, default=1, help="alternating rounds; each row shows its fastest round")
    p.add_argument("--scaling", action="store_true", help="also time 1, 10, 100 and all articles, and all of them as one document")
    p.add_argument("--one")
    p.add_argument("--texts")
    args = p.parse_args()
    if args.one:  # child process
        texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
        print(json.dumps(_measure(args.one, texts, args.model, args.batch_size)))
        return
    import tempfile

    texts = _texts(args.corpus, args.docs)
    chars = sum(map(len, texts))
    sides = {"this": sys.executable, **({"baseline": args.baseline} if args.baseline else {})}
    with tempfile.TemporaryDirectory() as tmp:
        tf = Path(tmp) / "texts.json"
        tf.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        kinds = ["word_tokenize", "extract", "pipe_1", "pipe_2", "cold", "components"]
        runs: dict[tuple[str, str], list[dict]] = {}
        for _ in range(args.rounds):
            for kind in kinds:
                for side, python in sides.items():  # alternate: both sides see the same machine
                    if kind == "word_tokenize" and side == "baseline":
                        continue
                    runs.setdefault((side, kind), []).append(_subprocess(python, kind, args, tf))
        # underthesea.ner is ~60× slower than kcnlp: its rate is measured on the first 100 texts
        ner_texts = texts[:100]
        ner_file = Path(tmp) / "ner_texts.json"
        ner_file.write_text(json.dumps(ner_texts, ensure_ascii=False), encoding="utf-8")
        ut = _subprocess(sys.executable, "underthesea_ner", args, ner_file)
        ut["seconds"] *= chars / sum(map(len, ner_texts))  # as if over all the texts, for the table's columns
        results = {key: _best(r) for key, r in runs.items()}
        floor = chars / results[("this", "word_tokenize")]["seconds"]
        print(f"{len(texts)} documents, {chars:,} characters; model: {args.model or 'default'}; {os.cpu_count()} cores; "
              f"fastest of {args.rounds} round(s)\n")
        print("| kcnlp | run | chars/s | docs/s | × word_tokenize | peak RSS MB |")
        print("|---|---|---|---|---|---|")
        rows = [("", "word_tokenize", results[("this", "word_tokenize")])]
        rows += [(side, kind, results[(side, kind)]) for kind in ("extract", "pipe_1", "pipe_2") for side in sides]
        rows.append(("", "underthesea.ner", ut))
        for side, kind, r in rows:
            cps = chars / r["seconds"]
            print(f"| {side} | {kind} | {cps:,.0f} | {len(texts) / r['seconds']:.1f} | {cps / floor:.2f} | {r['peak_rss_mb']:.0f} |")
        print()
        for side in sides:
            print(f"{side}: n_process=2 / n_process=1: {results[(side, 'pipe_1')]['seconds'] / results[(side, 'pipe_2')]['seconds']:.2f}×")
        print("\n| kcnlp | import + model load s | first extract s | cold start to first result s | peak RSS MB |")
        print("|---|---|---|---|---|")
        for side in sides:
            r = results[(side, "cold")]
            print(f"| {side} | {r['load_s']:.2f} | {r['first_s']:.2f} | {r['load_s'] + r['first_s']:.2f} | {r['peak_rss_mb']:.0f} |")
        names = list(dict.fromkeys(n for side in sides for n in results[(side, "components")]["components"]))
        print("\n| component | " + " | ".join(f"{side} s | {side} × word_tokenize" for side in sides) + " |")
        print("|---|" + "---|---|" * len(sides))
        wt = results[("this", "word_tokenize")]["seconds"]
        for name in [*names, "total"]:
            cells = []
            for side in sides:
                comp = results[(side, "components")]["components"]
                s = sum(comp.values()) if name == "total" else comp.get(name)
                cells += ["", ""] if s is None else [f"{s:.2f}", f"{s / wt:.2f}"]
            print(f"| {name} | " + " | ".join(cells) + " |")
        if args.scaling:
            print("\n| input | seconds | seconds per 1,000 chars |\n|---|---|---|")
            base = _texts(args.corpus, None)
            for n in (1, 10, 100, len(base)):
                tf.write_text(json.dumps(base[:n], ensure_ascii=False), encoding="utf-8")
                r = _subprocess(sys.executable, "pipe_1", args, tf)
                c = sum(map(len, base[:n]))
                print(f"| {n} articles | {r['seconds']:.2f} | {1000 * r['seconds'] / c:.4f} |")
            big = "\n".join(base)
            tf.write_text(json.dumps([big], ensure_ascii=False), encoding="utf-8")
            r = _subprocess(sys.executable, "extract", args, tf)
            print(f"| all as one document ({len(big):,} chars) | {r['seconds']:.2f} | {1000 * r['seconds'] / len(big):.4f} |")


if __name__ == "__main__":
    main()
