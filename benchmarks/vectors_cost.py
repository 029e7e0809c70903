"""What the pretrained vectors cost: bundle size, load time and prediction speed, side by side.

For each dataset, the seed study's bundles of one seed (benchmarks/work/seeds/<task>-
<dataset>-<variant>-<seed>, trained by `benchmarks.seed_study --name vectors`) are loaded
in this one process and measured in turns: the bundle's size on disk (all of it, and
model.keras), the time `task.load` takes (the fastest of 3, after one), batch throughput
of the Python API on the test texts (texts/s and tokens/s, the fastest of 3 rounds, the
variants taking turns within each round) and the median single-text latency over 300
test texts (the variants taking turns on each). Training minutes are read from each bundle.

Run from the project root, on a quiet machine:
  .venv/bin/python -m benchmarks.vectors_cost --seed 1
Writes benchmarks/results/vectors-cost.json and .md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from benchmarks.common import header, run_record, write_results
from benchmarks.seed_study import WORK
from shared.tasks import get_task

# (task, dataset) -> the seed study's variants, the first being the one compared against
GROUPS = {
    ("sentiment", "sst"): ("default", "glove", "glove-vocab50k"),
    ("sentiment", "airline-tweets"): ("default", "glove", "glove-vocab50k"),
    ("ner", "conll2003"): ("default", "glove", "glove-vocab50k"),
}
ROUNDS = 3
LATENCY_TEXTS = 300


def folder_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 2)


def load_seconds(task, bundle: Path) -> float:
    """The fastest of 3 loads of `bundle` (after one)."""
    task.load(bundle)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        task.load(bundle)
        times.append(time.perf_counter() - started)
    return round(min(times), 3)


def test_texts(task, dataset: str) -> tuple[list[str], int]:
    """The test split's raw texts (NER: tokens joined by spaces) and their number of tokens."""
    test = task.load_dataset(dataset).test
    if task.name == "ner":
        from ner.tokenizer import tokenize_batch

        texts = [" ".join(sentence.tokens) for sentence in test]
        return texts, sum(len(row) for row in tokenize_batch(texts))
    texts = list(test.texts)
    return texts, sum(len(text.split()) for text in texts)


def batch_call(api, task_name: str, texts: list[str]):
    return (lambda: api.predict_batch(texts)) if task_name == "ner" else (lambda: api.predict_proba(texts))


def single_text_p50_ms(apis: dict, texts: list[str]) -> dict[str, float]:
    """Median ms of one `predict(text)` per API, the APIs taking turns on each text (after one call each)."""
    latencies = {name: [] for name in apis}
    for api in apis.values():
        api.predict(texts[0])
    for text in texts:
        for name, api in apis.items():
            started = time.perf_counter()
            api.predict(text)
            latencies[name].append(time.perf_counter() - started)
    return {name: round(statistics.median(values) * 1000, 2) for name, values in latencies.items()}


def measure_group(task_name: str, dataset: str, variants: tuple[str, ...], seed: int) -> dict:
    task = get_task(task_name)
    texts, tokens = test_texts(task, dataset)
    bundles = {name: WORK / f"{task_name}-{dataset}-{name}-{seed}" for name in variants}
    loads = {name: load_seconds(task, path) for name, path in bundles.items()}
    apis = {name: task.load(path) for name, path in bundles.items()}
    calls = {name: batch_call(api, task_name, texts) for name, api in apis.items()}
    for call in calls.values():  # warm-up
        call()
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(ROUNDS):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - started)
    p50 = single_text_p50_ms(apis, texts[:LATENCY_TEXTS])
    result = {}
    for name, path in bundles.items():
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        config = metadata["config"]["model"]
        result[name] = {
            "bundle": path.name,
            "vectors": config.get("vectors", "none"),
            "vectors_vocabulary": config.get("vectors_vocabulary", 0),
            "bundle_mb": folder_mb(path),
            "model_keras_mb": round((path / "model.keras").stat().st_size / 1e6, 2),
            "load_s": loads[name],
            "texts_per_s": round(len(texts) / best[name]),
            "tokens_per_s": round(tokens / best[name]),
            "p50_ms": p50[name],
            "training_minutes": round(metadata["training"]["seconds"] / 60, 1),
        }
    return {"task": task_name, "dataset": dataset, "texts": len(texts), "tokens": tokens, "variants": result}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    report = {**run_record("benchmarks.vectors_cost", argv), "seed": args.seed, "groups": []}
    for (task_name, dataset), variants in GROUPS.items():
        report["groups"].append(measure_group(task_name, dataset, variants, args.seed))
    write_results("vectors-cost", report, to_markdown(report))
    return 0


COLUMNS = (
    ("bundle_mb", "bundle MB"), ("model_keras_mb", "model.keras MB"), ("load_s", "load s"),
    ("texts_per_s", "texts/s"), ("tokens_per_s", "tokens/s"), ("p50_ms", "single text p50 ms"),
    ("training_minutes", "training min"),
)  # fmt: skip


def to_markdown(report: dict) -> str:
    lines = [
        *header("What the pretrained vectors cost: size, load time, speed", report),
        f"Seed {report['seed']}'s bundles of the seed studies; Python API, test texts, in one process, "
        "the variants taking turns. In brackets: against the first row (no vectors).",
        "",
        "| data | variant | vectors | added words | " + " | ".join(title for _, title in COLUMNS) + " |",
        "|---|---|---|---|" + "---|" * len(COLUMNS),
    ]
    for group in report["groups"]:
        base = next(iter(group["variants"].values()))
        for name, row in group["variants"].items():
            cells = []
            for key, _ in COLUMNS:
                value = f"{row[key]:,}"
                if row is not base and key != "training_minutes":
                    value += f" ({(row[key] / base[key] - 1) * 100:+.0f}%)"
                cells.append(value)
            lines.append(
                f"| {group['dataset']} | {name} | {row['vectors']} | {row['vectors_vocabulary']:,} | "
                + " | ".join(cells)
                + " |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
