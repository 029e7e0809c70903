"""Seed study: a task's default config against alternatives, over several seeds.

Each variant (the default, and each `--variant NAME:OVERRIDES`) is trained once per
seed on a registered dataset with the task's training frame; the report gives every
run's dev and test score (the task's model-selection metric) and, per variant, their
mean and standard deviation. Bundles already trained with the same config and seed
(under benchmarks/work/seeds/) are reused, so a study can be resumed; a bundle of another
config there is never replaced (the run stops and says so: name the variant otherwise).

Run from the project root, for example:
  .venv/bin/python -m benchmarks.seed_study --task ner --dataset conll2003 \\
      --variant softmax:model.output=softmax --seeds 1 2 3
Writes benchmarks/results/seeds-<task>-<dataset>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

from benchmarks.common import RESULTS, header, run_record, write_results
from lm.transfer import describe
from shared.config import config_from_dict, config_of_record, load_config
from shared.tasks import APPS, get_task
from shared.training import dataset_source, train
from shared.training.run import recorded_config

WORK = RESULTS.parent / "work" / "seeds"


def parse_variant(text: str) -> tuple[str, list[str]]:
    """`softmax:model.output=softmax,training.epochs=5` -> ("softmax", ["--model.output=softmax", ...])."""
    name, _, overrides = text.partition(":")
    return name, [f"--{item.strip()}" for item in overrides.split(",") if item.strip()]


def lm_paths(config) -> list[tuple[str, str]]:
    """(name the bundle records it by, path) of each language model the config names."""
    model = config.model
    paths = {
        "encoder": getattr(getattr(model, "sequence", None), "encoder", ""),  # sentiment's word LM
        "char_lm_forward": getattr(model, "char_lm_forward", ""),  # NER's character LMs
        "char_lm_backward": getattr(model, "char_lm_backward", ""),
    }
    return [(name, path) for name, path in paths.items() if path]


def trained(task, source, config, out, seed: int) -> dict:
    """The metadata of a bundle of `config`, `seed` and `source` at `out`, training it if needed."""
    metadata_file = out / "metadata.json"
    if metadata_file.is_file():
        metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
        same_data = metadata.get("dataset") == source.description
        # Read through the config class, so that a field added since (at its default) still matches;
        # a language model it took is recorded by reference (name and checksum), not by path.
        recorded = recorded_config(config, {name: describe(path).record() for name, path in lm_paths(config)})
        same_config = config_of_record(type(config), metadata["config"]) == config_from_dict(type(config), recorded)
        if same_data and same_config and metadata["training"]["seed"] == seed:
            return metadata
        # Another config's bundle (e.g. the defaults' before they changed) is a result: never replaced.
        raise SystemExit(f"{out} holds a bundle of another config, data or seed: name the variant otherwise")
    train(task, source, config, out, seed=seed)
    return json.loads(metadata_file.read_text(encoding="utf-8"))


def summary(values: list[float]) -> dict:
    return {
        "mean": round(statistics.mean(values), 4),
        "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
    }


# Test scores reported beside the task's own where its report has them: accuracy, and
# binary (non-neutral, SST-2 style) accuracy for sentiment.
TEST_EXTRAS = ("accuracy", "binary_accuracy")


def variant_runs(task, source, config, overrides: list[str], seeds: list[int], slug: str) -> dict:
    """Train (or reuse) one bundle per seed under WORK/<slug>-<seed>; each run's dev and
    test score (and test accuracy where the task has one), and their mean and sd."""
    runs = []
    for seed in seeds:
        metadata = trained(task, source, config, WORK / f"{slug}-{seed}", seed)
        metrics = metadata["metrics"]
        test = metrics.get("test")
        runs.append({
            "seed": seed,
            "dev": round(task.report_class(metrics["dev"]).monitor_value, 4),
            "test": round(task.report_class(test).monitor_value, 4) if test else None,
            "minutes": round(metadata["training"]["seconds"] / 60, 1),
            **{f"test_{key}": test[key] for key in TEST_EXTRAS if test and key in test},
        })  # fmt: skip
    result = {
        "overrides": overrides,
        "runs": runs,
        "dev": summary([run["dev"] for run in runs]),
        "test": summary([run["test"] for run in runs if run["test"] is not None]),
    }
    for key in TEST_EXTRAS:
        if all(f"test_{key}" in run for run in runs):
            result[f"test_{key}"] = summary([run[f"test_{key}"] for run in runs])
    return result


def percent(result: dict | None) -> str:
    return "-" if result is None else f"{result['mean'] * 100:.2f} ({result['sd'] * 100:.2f})"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=list(APPS), required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--variant", action="append", default=[], help="NAME:section.key=value,...")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--name", help="a name for this study's results (seeds-<task>-<dataset>-<name>)")
    parser.add_argument(
        "--without-default",
        action="store_true",
        help="only the variants named (the defaults' bundles, <task>-<dataset>-default-<seed>, stay as they are)",
    )
    args = parser.parse_args(argv)
    task = get_task(args.task)
    variants = [*([] if args.without_default else [("default", [])]), *map(parse_variant, args.variant)]
    source = None
    report = {**run_record("benchmarks.seed_study", argv), "task": task.name, "dataset": args.dataset, "variants": {}}
    for name, overrides in variants:
        config = load_config(task.config_class, None, overrides)
        source = source or dataset_source(task, args.dataset, config)
        report["variants"][name] = variant_runs(
            task, source, config, overrides, args.seeds, f"{task.name}-{args.dataset}-{name}"
        )
    lines = [
        *header(f"Seed study: {task.name} on {args.dataset} (score: {task.monitor_text})", report),
        "| variant | overrides | seeds | dev mean (sd) | test mean (sd) | test accuracy mean (sd) "
        "| test binary (non-neutral) accuracy mean (sd) | per-seed test |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, result in report["variants"].items():
        dev, test = result["dev"], result["test"]
        per_seed = ", ".join(f"{run['test'] * 100:.1f}" for run in result["runs"] if run["test"] is not None)
        lines.append(
            f"| {name} | {' '.join(result['overrides']) or '(defaults)'} | {len(result['runs'])} "
            f"| {dev['mean'] * 100:.2f} ({dev['sd'] * 100:.2f}) | {test['mean'] * 100:.2f} ({test['sd'] * 100:.2f}) "
            f"| {percent(result.get('test_accuracy'))} | {percent(result.get('test_binary_accuracy'))} | {per_seed} |"
        )
    suffix = f"-{args.name}" if args.name else ""
    write_results(f"seeds-{task.name}-{args.dataset}{suffix}", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
