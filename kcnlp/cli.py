"""The `kcnlp` command line. Each sub-command only parses its arguments and calls a plain
function; exit codes: 0 ok, 1 some inputs failed, 2 usage error."""
from __future__ import annotations

import argparse
import sys

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _positive(value: str) -> int:
    """A whole number of at least 1 (workers, batch sizes): 0 or less would hang or crash later."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kcnlp", description="Structured data from Vietnamese khuyến công articles.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command")

    ex = sub.add_parser("extract", help="extract entities, relations and events from articles")
    ex.add_argument("inputs", nargs="*", help="text files (.txt: one article), JSONL files (a 'text' field per line), folders, or - for stdin")
    ex.add_argument("--example", action="store_true", help="run on the bundled example article")
    ex.add_argument("--format", choices=["jsonl", "json", "csv", "table", "html"], default=None,
                    help="jsonl: kcnlp records (default); json: one array; csv: one row per event; table: for reading; html: highlighted page")
    ex.add_argument("--bom", action="store_true", help="start the output with a UTF-8 BOM (for CSV opened in Excel)")
    ex.add_argument("--model", help="a model directory (default: the bundled pipeline)")
    ex.add_argument("-o", "--output", help="write here instead of standard output")
    ex.add_argument("--skip-errors", action="store_true", help="go on past unreadable inputs and list them at the end")
    ex.add_argument("--workers", type=_positive, default=1, help="worker processes (default 1)")
    ex.add_argument("--batch-size", type=_positive, default=32, help="texts per batch sent to a worker")
    ex.add_argument("--dask-scheduler", metavar="ADDR", help="run on a Dask cluster (tcp://host:8786); needs kcnlp[dask]")

    fu = sub.add_parser("funding", help="sum the funding figures of many articles by province, period and category")
    fu.add_argument("inputs", nargs="+", help="text files, JSONL files (texts, or records kcnlp extract wrote), folders, or -")
    fu.add_argument("--by", default="province,period,category", help="comma-separated: province, period, category, doc_id")
    fu.add_argument("--format", choices=["table", "csv", "json"], default="table")
    fu.add_argument("--model", help="a model directory for texts that still need extracting (default: the bundled model)")
    fu.add_argument("-o", "--output", help="write here instead of standard output")
    fu.add_argument("--skip-errors", action="store_true", help="go on past unreadable inputs and list them at the end")

    tr = sub.add_parser("train", help="train a model on the corpus splits")
    tr.add_argument("--corpus", default="corpus", help="folder with train.jsonl, dev.jsonl, test.jsonl")
    tr.add_argument("--output", required=True, help="model directory to write (replaced atomically)")
    tr.add_argument("--add", action="append", default=[], metavar="FILE.jsonl", help="more labelled documents for training (repeatable)")
    tr.add_argument("--config", metavar="FILE.json", help="training settings: iterations, l1, l2")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--iterations", type=int, default=None, help="CRF recognizer iterations (default 150; overrides --config)")

    ev = sub.add_parser("evaluate", help="score a model on gold kcnlp records")
    ev.add_argument("--model", help="model directory (default: the bundled model)")
    ev.add_argument("--data", required=True, help="gold JSONL file or folder")
    ev.add_argument("--report", help="write a report: .md or .json")
    ev.add_argument("--errors", type=int, default=20, help="how many errors of each class to list (default 20)")

    corpus = sub.add_parser("corpus", help="build, validate and describe the annotated corpus")
    csub = corpus.add_subparsers(dest="corpus_command")
    b = csub.add_parser("build", help="compile corpus/src/*.kc into JSONL splits")
    b.add_argument("--src", default="corpus/src")
    b.add_argument("--out", default="corpus")
    v = csub.add_parser("validate", help="check JSONL records against the guidelines and the normalizer")
    v.add_argument("path", help="a JSONL file or a folder of them")
    s = csub.add_parser("stats", help="print the statistics table of a corpus")
    s.add_argument("path", help="a JSONL file or a folder of them")
    a = csub.add_parser("agreement", help="score a second, independent annotation against the first (the scores of GUIDELINES §10)")
    a.add_argument("first", help="a .kc file or a folder of them: the first annotation")
    a.add_argument("second", help="a .kc file or a folder of them: the second annotation of some of the same documents")

    from .io.convert import FORMATS

    cv = sub.add_parser("convert", help="convert annotations between kcnlp records and annotation tools",
                        description="Prints a report to stderr. Exit 0: all read; 1: annotations were skipped "
                                    "(output still written unless --strict) or the input is malformed.")
    cv.add_argument("--from", dest="src_format", required=True, choices=list(FORMATS),
                    help="kcnlp: records (JSONL); labelstudio: JSON export; doccano: JSONL; brat: folder; conll: CoNLL-2003 file")
    cv.add_argument("--to", dest="dst_format", required=True, choices=list(FORMATS))
    cv.add_argument("input", help="a file, or a folder for brat (and for kcnlp JSONL)")
    cv.add_argument("-o", "--output", required=True, help="a file, or a folder for brat")
    cv.add_argument("--strict", action="store_true", help="write nothing when an annotation has to be skipped")
    cv.add_argument("--predictions", action="store_true",
                    help="Label Studio: write the records as predictions (pre-annotations with scores) for a person to correct")

    lb = sub.add_parser("label", help="the labeling loop: pre-annotated Label Studio tasks, which articles to label next")
    lsub = lb.add_subparsers(dest="label_command")
    le = lsub.add_parser("export", help="extract articles and write them as pre-annotated Label Studio tasks")
    le.add_argument("inputs", nargs="+", help="text files, JSONL files, folders, or -")
    le.add_argument("-o", "--output", required=True, help="the Label Studio tasks JSON to write")
    le.add_argument("--model", help="a model directory (default: the bundled model)")
    le.add_argument("--skip-errors", action="store_true", help="go on past unreadable inputs and list them at the end")
    ls = lsub.add_parser("suggest", help="rank unlabeled articles by how much labelling them would teach the model")
    ls.add_argument("inputs", nargs="+", help="text files, JSONL files, folders, or -")
    ls.add_argument("-n", type=_positive, default=20, help="how many to suggest (default 20)")
    ls.add_argument("-o", "--output", help="also write them as pre-annotated Label Studio tasks")
    ls.add_argument("--model", help="a trained model directory (default: the bundled model)")
    ls.add_argument("--skip-errors", action="store_true", help="go on past unreadable inputs and list them at the end")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except BrokenPipeError:
        # the reader went away (`kcnlp extract … | head`): stop quietly, as Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("kcnlp: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from .errors import KcnlpError

        if isinstance(exc, KcnlpError):
            print(f"kcnlp: {exc}", file=sys.stderr)
            return EXIT_FAILED
        raise


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return EXIT_OK
    if args.command == "extract":
        if not args.inputs and not args.example:
            parser.error("extract needs FILE, DIR or - (or --example)")
        from .io.extract_files import run_extract

        return run_extract(args)
    if args.command == "funding":
        from .io.funding_files import run_funding

        return run_funding(args)
    if args.command == "train":
        from .training.train import read_config, train_model

        config = read_config(args.config) if args.config else None
        train_model(args.corpus, args.output, seed=args.seed, iterations=args.iterations, extra=args.add, config=config)
        return EXIT_OK
    if args.command == "evaluate":
        from .corpus.load import read_split_records
        from .pipeline.build import default_pipeline, load
        from .training.evaluate import evaluate, render_markdown, write_report

        nlp = load(args.model) if args.model else default_pipeline()
        records = [r for recs in read_split_records(args.data).values() for r in recs]
        scores, errors, _ = evaluate(nlp, records)
        print(render_markdown(scores, errors, args.errors))
        if args.report:
            write_report(scores, errors, args.report, args.errors)
        return EXIT_OK
    if args.command == "corpus":
        from .corpus import commands

        if args.corpus_command is None:
            parser.error("corpus needs build, validate, stats or agreement")
        return commands.run(args)
    if args.command == "label":
        if args.label_command is None:
            parser.error("label needs export or suggest")
        from .io.label_files import run_label

        return run_label(args)
    if args.command == "convert":
        from .io.convert import convert

        report = convert(args.input, args.src_format, args.output, args.dst_format, strict=args.strict, predictions=args.predictions)
        print(report.format(), file=sys.stderr)
        return EXIT_FAILED if report.skipped else EXIT_OK
    parser.print_help()
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
