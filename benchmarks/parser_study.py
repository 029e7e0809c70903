"""The tree model's parser alone on SST: which of its settings earn their place.

Each variant of the parser (`sentiment.tree.model.build_parser` with the given model
settings) is trained as a tree model's first stage trains it
(`sentiment.tree.training.train_parser`, the shared loop: Adam 0.002, batches of 32, clipping at 1) for a
fixed number of epochs; after each epoch its greedy trees on dev are scored (unlabelled
bracketing F1: spans of two tokens or more, the whole sentence left out). The epoch with
the best dev F1 is kept and its test F1 reported (model selection on dev only).

Run from the project root:
  .venv/bin/python -m benchmarks.parser_study --seeds 1 2 3
Writes benchmarks/results/parser-sst.json and .md.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import header, run_record, write_results
from benchmarks.seed_study import summary

BEFORE = {"parser.layers": 1, "parser.char_filters": 0, "parser.dropout": 0.1, "parser.word_dropout": 0.0}
VARIANTS = {
    "one BiLSTM, no characters (before)": BEFORE,
    "two BiLSTMs, dropout 0.3": {**BEFORE, "parser.layers": 2, "parser.dropout": 0.3},
    "+ characters, word dropout 0.1 (default)": {},
}


def train_variant(overrides: dict, seed: int, splits, epochs: int) -> dict:
    import keras

    from sentiment.config import SentimentConfig, TrainingConfig
    from sentiment.sequence.model import build_vectorizer
    from sentiment.tree.model import build_parser, parser_characters
    from sentiment.tree.training import parser_batches, parser_bracketing, train_parser
    from shared.config import load_config

    keras.utils.set_random_seed(seed)
    settings = [f"--model.{key}={value}" for key, value in overrides.items()]
    config = load_config(SentimentConfig, None, ["--model.architecture=tree", *settings]).model
    vocabulary = build_vectorizer(config, splits.train.texts).get_vocabulary()
    parser = build_parser(config, vocabulary, parser_characters(vocabulary), seed)
    started = time.perf_counter()
    curve = train_parser(parser, splits.train.trees, splits.dev.trees, TrainingConfig(batch_size=32), seed, epochs)
    minutes = (time.perf_counter() - started) / 60
    best, test = max(curve), list(splits.test.trees)
    return {
        "seed": seed,
        "epoch": curve.index(best) + 1,
        "dev_f1": best,
        "test_f1": parser_bracketing(parser, test, parser_batches(test, 256)),  # the best dev epoch's weights
        "dev_curve": curve,
        "minutes": round(minutes, 1),
    }


def main(argv: list[str]) -> int:
    from sentiment.data import load_tree_dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    splits = load_tree_dataset("sst")
    report = {**run_record("benchmarks.parser_study", argv), "epochs": args.epochs, "variants": {}}
    for name, overrides in VARIANTS.items():
        runs = [train_variant(overrides, seed, splits, args.epochs) for seed in args.seeds]
        report["variants"][name] = {
            "overrides": overrides,
            "runs": runs,
            **{key: summary([run[key] for run in runs]) for key in ("dev_f1", "test_f1", "minutes")},
        }
    write_results("parser-sst", report, to_markdown(report))
    return 0


def to_markdown(report: dict) -> str:
    lines = [
        *header("The tree model's parser alone on SST: unlabelled bracketing F1", report),
        f"Trained alone for {report['epochs']} epochs; the best dev epoch kept. Mean (sd) over seeds.",
        "",
        "| parser | settings | seeds | dev F1 | test F1 | best epochs | minutes |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in report["variants"].items():
        settings = ", ".join(f"{k}={v}" for k, v in result["overrides"].items()) or "the defaults"
        epochs = ", ".join(str(run["epoch"]) for run in result["runs"])
        lines.append(
            f"| {name} | {settings} | {len(result['runs'])} "
            f"| {result['dev_f1']['mean'] * 100:.2f} ({result['dev_f1']['sd'] * 100:.2f}) "
            f"| {result['test_f1']['mean'] * 100:.2f} ({result['test_f1']['sd'] * 100:.2f}) "
            f"| {epochs} | {result['minutes']['mean']:.1f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
