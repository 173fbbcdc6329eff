"""`kcnlp funding`: the funding table (SPEC §7) of many articles or extracted records.

Inputs are read as `kcnlp extract` reads them; a JSONL line that already holds extracted
entities (a record `kcnlp extract` wrote) is used as it is, any other text is extracted first.
"""
from __future__ import annotations

import sys

from ..errors import KcnlpError
from .extract_files import Inputs

__all__ = ["run_funding", "format_table"]


def format_table(table, fmt: str) -> str:
    """The funding table as text: `table` (aligned, amounts with thousands dots), `csv` or `json`."""
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "json":
        return table.to_json(orient="records", force_ascii=False, indent=1) + "\n"
    import pandas as pd

    if table.empty:
        return "(no funding found)\n"
    shown = table.astype(object).where(table.notna(), "")
    for col in ("state_vnd", "counterpart_vnd", "total_vnd"):
        shown[col] = ["" if pd.isna(v) else f"{int(v):,}".replace(",", ".") for v in table[col]]
    return shown.to_string(index=False) + "\n"


def run_funding(args) -> int:
    from tqdm import tqdm

    from ..document import Document
    from ..funding.table import GROUP_KEYS, funding_table
    from ..pipeline.build import default_pipeline, extract, load

    by = tuple(k.strip() for k in args.by.split(",") if k.strip())
    unknown = [k for k in by if k not in GROUP_KEYS]
    if unknown:
        print(f"kcnlp: [E120] --by takes {', '.join(GROUP_KEYS)}, not {', '.join(unknown)}", file=sys.stderr)
        return 2
    inputs = Inputs(args.inputs, args.skip_errors)
    nlp = None

    def documents():
        nonlocal nlp
        for art in inputs.articles():
            if art.record is not None:
                try:
                    doc = Document.from_dict(art.record)
                except KcnlpError as exc:
                    if not inputs.report(f"[{exc.code}] {art.id}: {exc.message}"):
                        return
                    continue
                doc.id = doc.id or art.id
                yield doc
                continue
            if nlp is None:
                nlp = load(args.model) if args.model else default_pipeline()
            yield extract(art.text, nlp=nlp, doc_id=art.id)

    progress = tqdm(documents(), unit="doc", file=sys.stderr, disable=None)
    table = funding_table(progress, by=by)
    text = format_table(table, args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return inputs.summary(f"{len(table)} rows written")
