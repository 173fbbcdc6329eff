"""`kcnlp corpus build | validate | stats | agreement`: parse nothing, call the plain functions."""
from __future__ import annotations

import sys

__all__ = ["run"]


def run(args) -> int:
    if args.corpus_command == "build":
        from .build import build_corpus

        counts, problems = build_corpus(args.src, args.out)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print(f"kcnlp: {len(problems)} problems; nothing written", file=sys.stderr)
            return 1
        print(" ".join(f"{k}={v}" for k, v in counts.items()))
        return 0
    if args.corpus_command == "validate":
        from .validate import validate_paths

        report = validate_paths(args.path)
        for p in report.problems:
            print(p)
        for d in report.disagreements:
            print(f"note: {d}")
        print(f"{report.records} records, {len(report.problems)} problems, "
              f"{len(report.disagreements)} value disagreements with the normalizer")
        return 0 if report.ok else 1
    if args.corpus_command == "stats":
        from pathlib import Path

        from .stats import corpus_stats, format_stats

        # the minimums are the whole corpus's: a folder of splits gets them, one file does not
        print(format_stats(corpus_stats(args.path), minimums=Path(args.path).is_dir()))
        return 0
    if args.corpus_command == "agreement":
        from .agreement import agreement, format_agreement, kc_files

        print(format_agreement(agreement(kc_files(args.first), kc_files(args.second))))
        return 0
    return 2
