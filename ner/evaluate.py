"""Evaluate an NER bundle: entity-level micro P/R/F1 and per-type F1 (seqeval).

Scores are given in seqeval's default conlleval-compatible mode (as papers report)
and in strict IOB2 mode, with a breakdown of the errors. Prints a table and writes
the same numbers as JSON.

Examples:
  python -m ner.evaluate --model models/ner --dataset conll2003 --split test
  python -m ner.evaluate --model models/my-ner --file my/test.txt
"""

from __future__ import annotations

from pathlib import Path

from ner.cli import add_model_argument
from ner.data import DATASETS, check_known_types, load_named_dataset, read_conll
from ner.tags import SCHEMES
from shared.cli import make_parser, run_cli
from shared.files import write_json_atomic


def main(argv: list[str]) -> int:
    parser = make_parser("python -m ner.evaluate", __doc__)
    add_model_argument(parser)
    data = parser.add_argument_group("data (one of --dataset or --file)")
    source = data.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=DATASETS, help="a registered dataset")
    source.add_argument("--file", type=Path, help="a CoNLL-format file with gold tags in the last column")
    data.add_argument("--split", choices=("train", "dev", "test"), default="test", help="dataset split (default: test)")
    data.add_argument("--scheme", choices=SCHEMES, default="auto", help="tag scheme of --file (default: auto)")
    parser.add_argument("--output", type=Path, help="JSON report path (default: evaluation-<data>-<split>.json)")
    args = parser.parse_args(argv)

    from ner.metrics import format_entity_report
    from ner.tagger import EntityTagger
    from ner.train import evaluate_sentences

    tagger = EntityTagger.load(args.model)
    if args.dataset:
        sentences = getattr(load_named_dataset(args.dataset), args.split)
        name = f"{args.dataset}-{args.split}"
    else:
        sentences = read_conll(args.file, args.scheme)
        check_known_types(args.file, sentences, tagger.labels)
        name = args.file.stem
    report = evaluate_sentences(tagger, sentences)
    output = args.output or Path(f"evaluation-{name}.json")
    write_json_atomic(output, {"model": str(args.model), "data": name, **report})
    print(format_entity_report(report))
    print(f"\nWrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
