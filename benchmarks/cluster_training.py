"""Training in one process against two local workers (MultiWorkerMirroredStrategy).

Runs the train command as a user would, once as is and once with `--workers 2`,
with the same seed, config and global batch, and compares the loss curves, the dev
and test scores, the wall time and the trained weights; once with the default config
and once without dropout (whose masks differ between half a batch and the whole).
Two workers on a 2-core machine share the cores one process already uses, so no
speed-up is expected here; the point is that the same command trains the same model.

    .venv/bin/python -m benchmarks.cluster_training --dataset airline-tweets --epochs 3
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import header, run_record, write_results

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "training"


def train(name: str, dataset: str, epochs: int, seed: int, extra: list[str]) -> dict:
    out = WORK / name
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "sentiment.train", "--dataset", dataset, "--out", str(out), "--seed", str(seed)]
    command += [f"--training.epochs={epochs}", f"--training.patience={epochs}", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name} failed: {(done.stderr or done.stdout).strip().splitlines()[-1]}")
    with open(out / "logs" / "training.csv", newline="", encoding="utf-8") as handle:
        epochs_log = list(csv.DictReader(handle))
    metadata = json.loads((out / "metadata.json").read_text())
    result = {
        "name": name,
        "config": extra,
        "seconds": round(seconds, 1),
        "loss": [round(float(row["loss"]), 4) for row in epochs_log],
        "dev_macro_f1": [round(float(row["dev_macro_f1"]), 4) for row in epochs_log],
        "test": {key: round(metadata["metrics"]["test"][key], 4) for key in ("accuracy", "macro_f1")},
        "training": {key: metadata["training"][key] for key in ("strategy", "workers", "replicas", "best_epoch")},
    }
    print(result, flush=True)
    return result


def max_weight_difference(first: str, second: str) -> float:
    """The largest difference between any two corresponding weights of two bundles."""
    import numpy as np

    import shared

    shared.import_tensorflow_quietly()
    from sentiment import SentimentClassifier

    weights = [SentimentClassifier.load(WORK / name).model.get_weights() for name in (first, second)]
    return float(max(np.abs(a - b).max() for a, b in zip(*weights)))


def markdown(report: dict) -> str:
    lines = header("Training: one process against two local workers", report)
    lines += [
        f"Sentiment, dataset {report['dataset']}, {report['epochs']} epochs, seed {report['seed']} (global batch as "
        "configured; two workers take half of each batch). Wall time of the whole command, start-up included.",
        "",
    ]
    for pair in report["pairs"]:
        one, two = pair["runs"]
        lines += [
            f"### {pair['title']}",
            "",
            "| Epoch | Loss, 1 process | Loss, 2 workers | Dev macro-F1, 1 process | Dev macro-F1, 2 workers |",
            "|---:|---:|---:|---:|---:|",
        ]
        for epoch, (l1, l2, d1, d2) in enumerate(
            zip(one["loss"], two["loss"], one["dev_macro_f1"], two["dev_macro_f1"]), start=1
        ):
            lines.append(f"| {epoch} | {l1} | {l2} | {d1} | {d2} |")
        lines += ["", "| Run | Seconds | Test accuracy | Test macro-F1 | Best epoch |", "|---|---:|---:|---:|---:|"]
        for run in pair["runs"]:
            test = run["test"]
            lines.append(
                f"| {run['name']} | {run['seconds']} | {test['accuracy'] * 100:.2f} | {test['macro_f1'] * 100:.2f} "
                f"| {run['training']['best_epoch']} |"
            )
        lines += [
            "",
            f"Time, 2 workers / 1 process: {two['seconds'] / one['seconds']:.2f}. Largest difference between the "
            f"two bundles' weights: {pair['max_weight_difference']:.2e}.",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="airline-tweets")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    pairs = []
    for title, key, config in (
        ("Default config (dropout on)", "default", []),
        ("Without dropout", "no-dropout", ["--model.dropout=0", "--model.embedding_dropout=0"]),
    ):
        runs = [
            train(f"{key}-one-process", args.dataset, args.epochs, args.seed, config),
            train(f"{key}-two-workers", args.dataset, args.epochs, args.seed, [*config, "--workers", "2"]),
        ]
        difference = max_weight_difference(*(run["name"] for run in runs))
        pairs.append({"title": title, "runs": runs, "max_weight_difference": difference})
    report = {
        **run_record("benchmarks.cluster_training", argv if argv is not None else sys.argv[1:]),
        "dataset": args.dataset,
        "epochs": args.epochs,
        "seed": args.seed,
        "pairs": pairs,
    }
    write_results("cluster-training", report, markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
