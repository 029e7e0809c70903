"""Low-resource study: does a language model trained on unlabelled text help when labels are few?

NER: the tagger trained on the first N sentences of CoNLL-2003 train (dev = valid,
test = test), with and without contextual string embeddings from a forward and a
backward character LM trained on the whole train text (its labels unused). Each
variant is trained once per seed; the report gives every run and the mean and sd.

Run from the project root:
  .venv/bin/python -m benchmarks.lowresource_study --sentences 1000 --seeds 1 2 3
The character LMs are trained with the default LM config into benchmarks/work/ (or
reused when there with the same config); --lm-override section.key=value changes it.
Writes benchmarks/results/lowresource-ner.json and .md.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from benchmarks.common import RESULTS, header, run_record, write_results
from benchmarks.seed_study import WORK, summary, trained
from shared.config import load_config
from shared.tasks import DataSource, get_task
from shared.trainer import dataset_source


def char_lms(overrides: list[str], seed: int) -> dict[str, dict]:
    """Forward and backward character LMs of CoNLL-2003's train text: direction -> metadata (with path)."""
    task = get_task("lm")
    result = {}
    for direction in ("forward", "backward"):
        config = load_config(task.config_class, None, [f"--model.direction={direction}", *overrides])
        out = RESULTS.parent / "work" / f"lm-conll2003-{direction}"
        metadata = trained(task, dataset_source(task, "conll2003", config), config, out, seed)
        result[direction] = {"path": str(out), **metadata}
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000, help="training sentences kept (default: 1000)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--lm-override", action="append", default=[], help="LM config section.key=value")
    args = parser.parse_args(argv)
    report = {**run_record("benchmarks.lowresource_study", argv), "sentences": args.sentences, "variants": {}}

    lm_overrides = [f"--{item}" for item in args.lm_override]
    lms = char_lms(lm_overrides, seed=42)  # the LM benchmark's seed: its forward model is reused
    report["char_lms"] = {
        direction: {
            "path": meta["path"],
            "dev_bits_per_char": meta["metrics"]["dev"]["bits_per_char"],
            "minutes": round(meta["training"]["seconds"] / 60, 1),
        }
        for direction, meta in lms.items()
    }

    task = get_task("ner")
    full = dataset_source(task, "conll2003", task.config_class())
    splits = dataclasses.replace(full.splits, train=full.splits.train[: args.sentences])
    source = DataSource({**full.description, "train_sentences": args.sentences}, splits)
    variants = {
        "tagger only": [],
        "with char LMs": [f"--model.char_lm_{d}={lms[d]['path']}" for d in ("forward", "backward")],
    }
    for name, overrides in variants.items():
        config = load_config(task.config_class, None, overrides)
        runs = []
        for seed in args.seeds:
            slug = name.replace(" ", "-")
            metadata = trained(task, source, config, WORK / f"ner-low{args.sentences}-{slug}-{seed}", seed)
            metrics = metadata["metrics"]
            runs.append({
                "seed": seed,
                "dev": round(task.score(metrics["dev"]), 4),
                "test": round(task.score(metrics["test"]), 4),
                "minutes": round(metadata["training"]["seconds"] / 60, 1),
            })  # fmt: skip
        report["variants"][name] = {
            "overrides": overrides,
            "runs": runs,
            "dev": summary([run["dev"] for run in runs]),
            "test": summary([run["test"] for run in runs]),
        }

    base, lifted = report["variants"]["tagger only"], report["variants"]["with char LMs"]
    lines = [
        *header(f"Low-resource NER: {args.sentences} CoNLL-2003 training sentences, with and without char LMs", report),
        "Character LMs (default LM config, CoNLL-2003 train text only, labels unused): "
        + ", ".join(
            f"{d} {lm['dev_bits_per_char']:.3f} bits/char on valid ({lm['minutes']} min)"
            for d, lm in report["char_lms"].items()
        ),
        "",
        "| variant | seeds | dev F1 mean (sd) | test F1 mean (sd) | per-seed test | minutes per run |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in report["variants"].items():
        dev, test, runs = result["dev"], result["test"], result["runs"]
        per_seed = ", ".join(f"{run['test'] * 100:.1f}" for run in runs)
        lines.append(
            f"| {name} | {len(runs)} | {dev['mean'] * 100:.2f} ({dev['sd'] * 100:.2f}) "
            f"| {test['mean'] * 100:.2f} ({test['sd'] * 100:.2f}) "
            f"| {per_seed} "
            f"| {sum(run['minutes'] for run in runs) / len(runs):.1f} |"
        )
    gain = (lifted["test"]["mean"] - base["test"]["mean"]) * 100
    dev_gain = (lifted["dev"]["mean"] - base["dev"]["mean"]) * 100
    lines += ["", f"Test F1 gain from the char LMs: {gain:+.2f} points (dev {dev_gain:+.2f})."]
    write_results(f"lowresource-ner-{args.sentences}", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
