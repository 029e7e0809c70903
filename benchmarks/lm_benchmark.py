"""Language-model benchmark: a character LM trained on a dataset's train text only, scored
on its dev (and test) text in bits per character, against general-purpose compressors
given the same train text, with the learning curve, speed and samples.

Run from the project root:
  .venv/bin/python -m benchmarks.lm_benchmark [--dataset conll2003] [--model.units 512 ...]
Dotted overrides change the LM config (the default config otherwise). Writes
benchmarks/results/lm-<dataset>.json and .md.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import json
import lzma
import sys
import time

from benchmarks.common import RESULTS, header, run_record, write_results
from shared.config import load_config
from shared.tasks import get_task
from shared.training import dataset_source, train

WORK = RESULTS.parent / "work"
COMPRESSORS = {
    "xz -9e": lambda data: lzma.compress(data, preset=9 | lzma.PRESET_EXTREME),
    "bzip2 -9": lambda data: bz2.compress(data, 9),
    "gzip -9": lambda data: gzip.compress(data, 9),
}
PRIMES = ("", "The ")
TEMPERATURES = (0.5, 1.0)


def conditional_bits_per_char(compress, train: str, dev: str) -> float:
    """Bits per dev character a compressor spends on dev after it has seen train."""
    before = len(compress(train.encode("utf-8")))
    after = len(compress((train + dev).encode("utf-8")))
    return round((after - before) * 8 / len(dev), 4)


def learning_curve(bundle) -> list[dict]:
    with open(bundle / "logs" / "training.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    elapsed, curve = 0.0, []
    for row in rows:
        elapsed += float(row["seconds"])
        curve.append({
            "epoch": int(row["epoch"]),
            "dev_bits_per_char": round(float(row["dev_bits_per_token"]), 4),
            "minutes": round(elapsed / 60, 1),
        })  # fmt: skip
    return curve


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="conll2003")
    parser.add_argument("--seed", type=int, default=42)
    args, overrides = parser.parse_known_args(argv)
    task = get_task("lm")
    config = load_config(task.config_class, None, ["--model.level=char", *overrides])
    source = dataset_source(task, args.dataset, config)
    report = {**run_record("benchmarks.lm_benchmark", argv), "dataset": args.dataset, "overrides": overrides}

    bundle = WORK / f"lm-{args.dataset}-forward"  # the low-resource study reuses it
    train(task, source, config, bundle, seed=args.seed)
    metadata = json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))
    report["metrics"] = metadata["metrics"]
    report["training"] = metadata["training"]
    report["curve"] = learning_curve(bundle)

    train_text = "".join(source.splits.train.pieces())
    dev_text = "".join(source.splits.dev.pieces())
    report["compressors"] = {
        name: conditional_bits_per_char(c, train_text, dev_text) for name, c in COMPRESSORS.items()
    }

    model = task.load(bundle)
    started = time.perf_counter()
    model.evaluate_text([dev_text])
    scoring_seconds = time.perf_counter() - started
    model.sample("The ", length=20, seed=0)  # traces the sampling graph
    started = time.perf_counter()
    model.sample("The ", length=2000, temperature=1.0, seed=0)
    sampling_seconds = time.perf_counter() - started
    report["speed"] = {
        "scoring_chars_per_second": round(len(dev_text) / scoring_seconds),
        "sampling_chars_per_second": round(2000 / sampling_seconds),
    }
    report["samples"] = [
        {"prime": prime, "temperature": t, "seed": 1, "text": model.sample(prime, length=300, temperature=t, seed=1)}
        for t in TEMPERATURES
        for prime in PRIMES
    ]

    dev, test = report["metrics"]["dev"], report["metrics"].get("test")
    minutes = report["training"]["seconds"] / 60
    lines = [
        *header(f"Language-model benchmark: character LM on {args.dataset}", report),
        f"Config overrides: {' '.join(overrides) or '(defaults)'}; seed {args.seed}.",
        "",
        "Bits per character on the dev text (lower is better); compressors are given the train text first:",
        "",
        "| model | dev bits/char | test bits/char | train time |",
        "|---|---|---|---|",
        f"| char LSTM (this project) | {dev['bits_per_char']:.3f} | {test['bits_per_char']:.3f} | "
        f"{minutes:.1f} min ({report['training']['epochs_run']} epochs, best {report['training']['best_epoch']}) |",
        *(f"| {name} | {bits:.3f} | | |" for name, bits in report["compressors"].items()),
        "",
        "Learning curve (dev bits per character after each epoch, minutes of training so far):",
        "",
        "| epoch | dev bits/char | minutes |",
        "|---|---|---|",
        *(f"| {row['epoch']} | {row['dev_bits_per_char']:.3f} | {row['minutes']} |" for row in report["curve"]),
        "",
        f"Speed: scoring {report['speed']['scoring_chars_per_second']:,} characters/s (dev text, carried state), "
        f"sampling {report['speed']['sampling_chars_per_second']:,} characters/s (one stream).",
        "",
        "Samples (300 characters, seed 1):",
        "",
    ]
    for sample in report["samples"]:
        lines += [f"Temperature {sample['temperature']}, prime {sample['prime']!r}:", "", "```text"]
        lines += [sample["prime"] + sample["text"], "```", ""]
    write_results(f"lm-{args.dataset}", report, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
