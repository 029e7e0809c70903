"""Seed study: how much the default sentiment model's test score moves with the seed,
and what averaging the probabilities of the seeds' models gives.

Trains the default config once per seed on one dataset (default airline-tweets) and
reports each run's dev/test accuracy and macro-F1, then the scores of the mean of the
first k models' probabilities for k = 2..n.

Run from the project root:
  .venv/bin/python -m benchmarks.sentiment_seeds [--dataset NAME] [--seeds 42 1 2 3 4]
Writes benchmarks/results/sentiment-seeds.json and .md.
"""

from __future__ import annotations

import argparse
import statistics
import sys

import numpy as np

from benchmarks.common import header, run_record, write_results
from benchmarks.sentiment_benchmark import WORK
from sentiment import SentimentClassifier
from sentiment.config import SentimentConfig
from shared.tasks import get_task
from shared.training import dataset_source, train


def scores(probabilities: np.ndarray, labels) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    predicted = probabilities.argmax(axis=1)
    return {
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(float(f1_score(labels, predicted, average="macro")), 4),
    }


def table_row(name: str, result: dict) -> str:
    cells = [f"{result[split]['accuracy']:.1%} | {result[split]['macro_f1'] * 100:.1f}" for split in ("dev", "test")]
    return f"| {name} | {' | '.join(cells)} |"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="airline-tweets")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2, 3, 4])
    args = parser.parse_args(argv)
    config = SentimentConfig()
    source = dataset_source(get_task("sentiment"), args.dataset, config)
    splits = source.splits
    runs, dev_probabilities, test_probabilities = [], [], []
    for seed in args.seeds:
        out = WORK / "seeds" / f"{args.dataset}-{seed}"
        train(get_task("sentiment"), source, config, out, seed=seed)
        classifier = SentimentClassifier.load(out)
        dev_probabilities.append(classifier.predict_proba(splits.dev.texts))
        test_probabilities.append(classifier.predict_proba(splits.test.texts))
        runs.append(
            {
                "seed": seed,
                "best_epoch": classifier.metadata["training"]["best_epoch"],
                "dev": scores(dev_probabilities[-1], splits.dev.labels),
                "test": scores(test_probabilities[-1], splits.test.labels),
            }
        )
    ensembles = [
        {
            "models": k,
            "dev": scores(np.mean(dev_probabilities[:k], axis=0), splits.dev.labels),
            "test": scores(np.mean(test_probabilities[:k], axis=0), splits.test.labels),
        }
        for k in range(2, len(runs) + 1)
    ]
    test_accuracies = [run["test"]["accuracy"] for run in runs]
    report = {
        **run_record("benchmarks.sentiment_seeds", argv),
        "dataset": args.dataset,
        "runs": runs,
        "test_accuracy_mean": round(statistics.mean(test_accuracies), 4),
        "test_accuracy_stdev": round(statistics.stdev(test_accuracies), 4) if len(runs) > 1 else 0.0,
        "ensembles": ensembles,
    }
    lines = [
        *header(f"Sentiment seed study: {args.dataset}, default config", report),
        "| models | dev accuracy | dev macro-F1 | test accuracy | test macro-F1 |",
        "|---|---|---|---|---|",
        *(table_row(f"seed {run['seed']} (best epoch {run['best_epoch']})", run) for run in runs),
        *(table_row(f"mean of {row['models']} models' probabilities", row) for row in ensembles),
        "",
        f"Single-model test accuracy: mean {report['test_accuracy_mean']:.1%}, "
        f"standard deviation {report['test_accuracy_stdev'] * 100:.1f} points.",
    ]
    write_results("sentiment-seeds", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
