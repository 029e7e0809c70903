"""Active learning benchmark: a simulated annotator (the gold labels of a dataset's
training split) labels what the model asks for, by uncertainty or at random.

Per seed: 500 random training examples labelled first; then 4 rounds, each adding 250
chosen from the rest of the training split by the app's uncertainty strategy (the one
`select` uses: sentiment `entropy` of the calibrated probabilities, NER `sentence`, the
least sure token) or at random, retraining the default config from scratch after each
round (dev for early stopping and calibration is the dataset's full dev split). Test
accuracy and macro-F1 (sentiment, airline tweets) or entity F1 (NER, CoNLL-2003) per
round, mean and sd over seeds, and how many labels uncertainty needs to reach random's
score at 1,500 (linear between rounds). Bundles are kept under
benchmarks/work/active/ and reused, so a run can be resumed.

Run from the project root:
  .venv/bin/python -m benchmarks.active_learning [--tasks sentiment ner] [--seeds 1 2 3]
Writes benchmarks/results/active-learning.json, .md and .svg.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

import numpy as np

from benchmarks.common import RESULTS, header, run_record, write_results
from shared.config import load_config
from shared.selection import Candidate, ranked
from shared.tasks import DataSource, get_app, get_task
from shared.training import train

WORK = RESULTS.parent / "work" / "active"
SETUP = {"sentiment": ("airline-tweets", "entropy", "macro_f1"), "ner": ("conll2003", "sentence", "f1")}
ALSO = {"sentiment": ("accuracy",), "ner": ()}  # further test scores tabulated per round
START, STEP, ROUNDS = 500, 250, 4


def subset(task_name: str, pool, indices: list[int]):
    if task_name == "ner":
        return [pool[i] for i in indices]
    from sentiment.data import LabelledTexts

    return LabelledTexts(tuple(pool.texts[i] for i in indices), tuple(pool.labels[i] for i in indices))


def pool_texts(task_name: str, pool) -> list[str]:
    return [" ".join(s.tokens) for s in pool] if task_name == "ner" else list(pool.texts)


def score(task_name: str, metrics: dict) -> dict:
    test = metrics["test"]
    if task_name == "ner":
        return {"f1": round(test["conlleval"]["f1"], 6)}
    return {"accuracy": round(test["accuracy"], 6), "macro_f1": round(test["macro_f1"], 6)}


def trained(task, splits, chosen: list[int], name: str, seed: int) -> tuple[object, dict]:
    """The bundle trained on the `chosen` training examples (reused when it exists)."""
    out = WORK / name
    if not (out / "metadata.json").is_file():
        data = type(splits)(subset(task.name, splits.train, chosen), splits.dev, splits.test)
        description = {"name": SETUP[task.name][0], "labelled": len(chosen), "run": name}
        train(task, DataSource(description, data), load_config(task.config_class, None, []), out, seed=seed)
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    return task.api_class().load(out), metadata


def curve(task, splits, strategy_name: str, seed: int) -> list[dict]:
    """Scores after the start and after each round of one strategy and seed."""
    measure = get_app(task.name).annotation.rankings()[SETUP[task.name][1]]
    texts = pool_texts(task.name, splits.train)
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(len(texts))[:START].tolist()
    points = []
    for round_number in range(ROUNDS + 1):
        label = "start" if round_number == 0 else strategy_name
        api, metadata = trained(task, splits, chosen, f"{task.name}-{label}-{seed}-{len(chosen)}", seed)
        points.append({"labels": len(chosen), **score(task.name, metadata["metrics"])})
        if round_number == ROUNDS:
            break
        rest = sorted(set(range(len(texts))) - set(chosen))
        if strategy_name == "random":
            found = [Candidate(i, texts[i], None, 0.0) for i in rest]
            picked = ranked(found, STEP, order="random", seed=seed * 100 + round_number)
        else:
            uncertainty, _ = measure(api, [texts[i] for i in rest])
            found = [Candidate(i, texts[i], None, float(u)) for i, u in zip(rest, uncertainty)]
            picked = ranked(found, STEP, order="uncertainty", seed=0)
        chosen = chosen + [candidate.row for candidate in picked]
    return points


def labels_to_reach(points: list[dict], target: float, key: str) -> float | None:
    """The label count at which a curve first reaches `target`, linear between its points."""
    for before, after in zip(points, points[1:]):
        if before[key] >= target:
            return before["labels"]
        if after[key] >= target:
            share = (target - before[key]) / (after[key] - before[key])
            return round(before["labels"] + share * (after["labels"] - before["labels"]), 1)
    return points[0]["labels"] if points and points[0][key] >= target else None


def cell(point: dict, key: str) -> str:
    return f"{point[key] * 100:.2f} ({point['sd'] * 100:.2f})"


def mean_curve(curves: list[list[dict]], key: str) -> list[dict]:
    rows = []
    for points in zip(*curves):
        values = [point[key] for point in points]
        rows.append({
            "labels": points[0]["labels"],
            key: round(statistics.mean(values), 6),
            "sd": round(statistics.stdev(values), 6) if len(values) > 1 else 0.0,
        })  # fmt: skip
    return rows


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = 11, fill: str = "black") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">{content}</text>'


def svg(report: dict) -> str:
    """Learning curves (mean over seeds), one panel per task, as a standalone SVG."""
    width, height, pad = 420, 300, 50
    colours = {"uncertainty": "#d62728", "random": "#1f77b4"}
    parts = []
    for index, (task_name, result) in enumerate(report["tasks"].items()):
        key, left = result["metric"], index * (width + 20)
        curves = {name: result["mean"][name] for name in colours}
        values = [point[key] for points in curves.values() for point in points]
        low, span = min(values), (max(values) - min(values)) or 1.0

        def x(labels, left=left):
            return left + pad + (labels - START) / (STEP * ROUNDS) * (width - 2 * pad)

        def y(value, low=low, span=span):
            return height - pad - (value - low) / span * (height - 2 * pad)

        parts.append(_text(left + width / 2, 20, f"{task_name}: test {key}", size=14))
        for name, points in curves.items():
            path = " ".join(f"{x(p['labels']):.1f},{y(p[key]):.1f}" for p in points)
            parts.append(f'<polyline fill="none" stroke="{colours[name]}" stroke-width="2" points="{path}"/>')
            parts += [
                f'<circle cx="{x(p["labels"]):.1f}" cy="{y(p[key]):.1f}" r="3" fill="{colours[name]}"/>' for p in points
            ]
        parts += [_text(x(p["labels"]), height - pad + 18, str(p["labels"])) for p in curves["random"]]
        parts += [_text(left + pad - 6, y(v) + 4, f"{v * 100:.1f}", anchor="end") for v in (low, low + span)]
        parts.append(_text(left + width / 2, height - 8, "labels"))
    parts += [_text(10, height + 16, "uncertainty", anchor="start", size=12, fill=colours["uncertainty"]),
              _text(100, height + 16, "random", anchor="start", size=12, fill=colours["random"])]  # fmt: skip
    total = len(report["tasks"]) * (width + 20)
    header_line = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{height + 24}" font-family="sans-serif">'
    )
    return "\n".join([header_line, *parts, "</svg>"]) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", choices=list(SETUP), default=list(SETUP))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    report = {**run_record("benchmarks.active_learning", argv), "tasks": {}}
    lines = []
    for task_name in args.tasks:
        task = get_task(task_name)
        dataset, strategy, key = SETUP[task_name]
        splits = task.load_dataset(dataset, load_config(task.config_class, None, []))
        curves = {name: [curve(task, splits, name, seed) for seed in args.seeds] for name in ("uncertainty", "random")}
        mean = {name: mean_curve(runs, key) for name, runs in curves.items()}
        also = {extra: {name: mean_curve(runs, extra) for name, runs in curves.items()} for extra in ALSO[task_name]}
        target = mean["random"][-1][key]
        needed = labels_to_reach(mean["uncertainty"], target, key)
        report["tasks"][task_name] = {
            "dataset": dataset, "strategy": strategy, "metric": key, "curves": curves, "mean": mean,
            "random_final": target, "uncertainty_labels_to_reach_random_final": needed, "also": also,
        }  # fmt: skip
        extra_header = "".join(f" | uncertainty {extra} | random {extra}" for extra in ALSO[task_name])
        lines += [
            f"## {task_name}: {dataset}, test {key} (uncertainty = `{strategy}`), mean (sd) over seeds {args.seeds}",
            "",
            f"| labels | uncertainty | random{extra_header} |",
            "|---|---|---" + "|---|---" * len(ALSO[task_name]) + "|",
            *(
                f"| {u['labels']} | {cell(u, key)} | {cell(r, key)}"
                + "".join(
                    f" | {cell(also[x]['uncertainty'][i], x)} | {cell(also[x]['random'][i], x)}"
                    for x in ALSO[task_name]
                )
                + " |"
                for i, (u, r) in enumerate(zip(mean["uncertainty"], mean["random"]))
            ),
            "",
            f"Random's score at {mean['random'][-1]['labels']:,} labels ({target * 100:.2f}) is reached by uncertainty "
            + (f"at {needed:,} labels." if needed is not None else "at none of its points."),
            "",
        ]
    (RESULTS / "active-learning.svg").write_text(svg(report))
    page = [*header("Active learning: uncertainty sampling against random, a simulated annotator", report), *lines,
            "![learning curves](active-learning.svg)", ""]  # fmt: skip
    write_results("active-learning", report, "\n".join(page))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
