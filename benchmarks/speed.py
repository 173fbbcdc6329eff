"""Speed benchmark: kcnlp against underthesea's word segmentation (the floor) and NER.

    python benchmarks/speed.py [--docs 200] [--corpus corpus] [--model PATH] [--scaling]

Every measurement runs in a fresh subprocess, so peak RSS and load time are its own. Texts
are the corpus documents, repeated to --docs. Prints a Markdown table.
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


def _texts(corpus: str, n: int) -> list[str]:
    texts = []
    for f in sorted(Path(corpus).glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in f.open(encoding="utf-8") if line.strip()]
    if not texts:
        raise SystemExit(f"no documents under {corpus}")
    return [texts[i % len(texts)] for i in range(n)]


def _measure(kind: str, texts: list[str], model: str | None, batch_size: int) -> dict:
    """Run one measurement in this process; returns seconds, load time and peak RSS."""
    t0 = time.perf_counter()
    if kind == "word_tokenize":
        from underthesea import word_tokenize

        word_tokenize("khởi động")
        run = lambda: [word_tokenize(t) for t in texts]  # noqa: E731
    elif kind == "underthesea_ner":
        from underthesea import ner

        ner("khởi động")
        run = lambda: [ner(t) for t in texts]  # noqa: E731
    else:
        import kcnlp
        from kcnlp.pipeline import default_pipeline, load

        nlp = load(model) if model else default_pipeline()
        kcnlp.extract("khởi động", nlp=nlp)
        if kind == "extract":
            run = lambda: [kcnlp.extract(t, nlp=nlp) for t in texts]  # noqa: E731
        else:
            n_process = int(kind.split("_")[-1])
            run = lambda: list(kcnlp.pipe(texts, nlp=nlp, batch_size=batch_size, n_process=n_process))  # noqa: E731
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    run()
    seconds = time.perf_counter() - t1
    rss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"seconds": seconds, "load_s": load_s, "peak_rss_mb": rss_kb / 1024}


def _subprocess(kind: str, args, texts_file: Path) -> dict:
    cmd = [sys.executable, __file__, "--one", kind, "--texts", str(texts_file), "--batch-size", str(args.batch_size)]
    if args.model:
        cmd += ["--model", args.model]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--docs", type=int, default=200)
    p.add_argument("--corpus", default=str(HERE.parent / "corpus"))
    p.add_argument("--model")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--scaling", action="store_true", help="also time 1, 10, 100, 1000 articles and one 1 MB document")
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
    with tempfile.TemporaryDirectory() as tmp:
        tf = Path(tmp) / "texts.json"
        tf.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        kinds = ["word_tokenize", "extract", "pipe_1", "pipe_2", "underthesea_ner"]
        results = {k: _subprocess(k, args, tf) for k in kinds}
        floor = chars / results["word_tokenize"]["seconds"]
        print(f"{len(texts)} documents, {chars:,} characters; model: {args.model or 'default'}; "
              f"{os.cpu_count()} cores\n")
        print("| run | chars/s | docs/s | × word_tokenize | load s | peak RSS MB |")
        print("|---|---|---|---|---|---|")
        for k in kinds:
            r = results[k]
            cps = chars / r["seconds"]
            print(f"| {k} | {cps:,.0f} | {len(texts) / r['seconds']:.1f} | {cps / floor:.2f} | {r['load_s']:.2f} | {r['peak_rss_mb']:.0f} |")
        print(f"\nn_process=2 / n_process=1: {results['pipe_1']['seconds'] / results['pipe_2']['seconds']:.2f}×")
        if args.scaling:
            print("\n| input | seconds | seconds per 1,000 chars |\n|---|---|---|")
            base = _texts(args.corpus, 1000)
            for n in (1, 10, 100, 1000):
                tf.write_text(json.dumps(base[:n], ensure_ascii=False), encoding="utf-8")
                r = _subprocess("pipe_1", args, tf)
                c = sum(map(len, base[:n]))
                print(f"| {n} articles | {r['seconds']:.2f} | {1000 * r['seconds'] / c:.4f} |")
            big = "\n".join(base)[:1_000_000]
            tf.write_text(json.dumps([big], ensure_ascii=False), encoding="utf-8")
            r = _subprocess("extract", args, tf)
            print(f"| one 1 MB document | {r['seconds']:.2f} | {1000 * r['seconds'] / len(big):.4f} |")


if __name__ == "__main__":
    main()
