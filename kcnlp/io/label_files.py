"""`kcnlp label export | suggest`: articles in, pre-annotated Label Studio tasks and a ranked
list out. Inputs are read as `kcnlp extract` reads them (every unreadable one reported)."""
from __future__ import annotations

import sys

from .extract_files import Inputs

__all__ = ["run_label"]


def run_label(args) -> int:
    from ..pipeline.build import default_pipeline, load
    from ..training.labeling import require_trained, suggest
    from .convert.labelstudio import to_tasks
    from .convert.report import Report

    nlp = load(args.model) if args.model else default_pipeline()
    if args.label_command == "suggest":
        require_trained(nlp)
    inputs = Inputs(args.inputs, args.skip_errors)
    docs = inputs.documents(nlp)
    if args.label_command == "suggest":
        ranked = suggest(docs, args.n)
        for k, s in enumerate(ranked, 1):
            print(f"{k:>3}. {s.doc.id}  score {s.score:.2f}  {s.reason}")
        chosen = [s.doc for s in ranked]
    else:
        chosen = list(docs)
    if args.output:
        import json
        from pathlib import Path

        tasks = to_tasks([(d.id, d.to_dict()) for d in chosen], Report(source="kcnlp", target="labelstudio"), predictions=True)
        Path(args.output).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"kcnlp: {len(tasks)} pre-annotated Label Studio tasks written to {args.output}", file=sys.stderr)
    return inputs.summary(f"{len(chosen)} documents written")
