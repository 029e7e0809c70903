"""Calibration benchmark: how far the default models' probabilities are to be trusted,
before and after the calibration fitted on dev at the end of training.

For each seed, the default config is trained (or its bundle reused, as the seed study
does, under benchmarks/work/seeds/) on SST and airline tweets (sentiment: the
temperature of the logits) and CoNLL-2003 (NER: the isotonic curve of entity scores).
Reported on test, through the product's APIs: ECE (15 equal-width bins), Brier score
and NLL with no calibration and with the product's; the sentiment labels and NER F1
with both. To choose between the two on dev alone, each is also scored by 2-fold
cross-validation on dev (fitted on one half, measured on the other, both ways).

Run from the project root:
  .venv/bin/python -m benchmarks.calibration_benchmark [--seeds 1 2 3]
Writes benchmarks/results/calibration.json and .md.
"""

from __future__ import annotations

import argparse
import statistics
import sys

import numpy as np

from benchmarks.common import header, run_record, write_results
from benchmarks.seed_study import WORK, trained
from shared.calibration import calibration_scores, event_scores, fit_monotone, fit_temperature, mapped, tempered
from shared.config import load_config
from shared.tasks import get_task
from shared.training import dataset_source

SENTIMENT_DATASETS = ("sst", "airline-tweets")
MEASURES = ("ece", "brier", "nll")
FOLD_SEED = 0


def halves(count: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(FOLD_SEED).permutation(count)
    return order[: count // 2], order[count // 2 :]


def cross_validated(fit, score, count: int) -> dict:
    """Mean of `score(rows, fitted on the other rows)` over dev's two halves, per measure;
    `fit(rows)` -> a function of rows giving what `score` measures."""
    first, second = halves(count)
    folds = [score(held, fit(trained_on)) for trained_on, held in ((first, second), (second, first))]
    return {key: round(statistics.mean(fold[key] for fold in folds), 6) for key in MEASURES}


def bundle(task, dataset: str, seed: int):
    config = load_config(task.config_class, None, [])
    source = dataset_source(task, dataset, config)
    out = WORK / f"{task.name}-{dataset}-default-{seed}"
    trained(task, source, config, out, seed)
    return task.api_class().load(out), source.splits


def sentiment_run(dataset: str, seed: int) -> dict:
    classifier, splits = bundle(get_task("sentiment"), dataset, seed)
    dev, test = (np.asarray(split.labels) for split in (splits.dev, splits.test))
    raw_dev = classifier.predict_proba(splits.dev.texts, calibrated=False)
    raw_test = classifier.predict_proba(splits.test.texts, calibrated=False)
    calibrated_test = classifier.predict_proba(splits.test.texts)

    def score(held, probabilities):
        return calibration_scores(probabilities(held), dev[held])

    def fit(rows):
        temperature = fit_temperature(raw_dev[rows], dev[rows])
        return lambda held: tempered(raw_dev[held], temperature)

    return {
        "seed": seed,
        "temperature": classifier.temperature,
        "test_accuracy": round(float((raw_test.argmax(axis=1) == test).mean()), 6),
        "argmax_unchanged": bool((raw_test.argmax(axis=1) == calibrated_test.argmax(axis=1)).all()),
        "none": {
            "test": calibration_scores(raw_test, test),
            "dev_cv": cross_validated(lambda rows: lambda held: raw_dev[held], score, len(dev)),
        },
        "calibrated": {
            "test": calibration_scores(calibrated_test, test),
            "dev_cv": cross_validated(fit, score, len(dev)),
        },
    }


def ner_run(seed: int) -> dict:
    from ner.task import entity_outcomes, evaluate_sentences, isotonic_calibrated

    task = get_task("ner")
    tagger, splits = bundle(task, "conll2003", seed)
    tagger = type(tagger)(tagger.model, {key: value for key, value in tagger.metadata.items() if key != "calibration"})
    raw_dev, _, dev_correct = entity_outcomes(splits.dev, tagger.tag_tokens([s.tokens for s in splits.dev]))
    raw_dev, dev_correct = np.asarray(raw_dev), np.asarray(dev_correct)
    calibrated, record = isotonic_calibrated(tagger, splits.dev)  # what training does after the last epoch
    before, after = evaluate_sentences(tagger, splits.test), evaluate_sentences(calibrated, splits.test)

    def fit(rows):
        points = fit_monotone(raw_dev[rows], dev_correct[rows])
        return lambda held: mapped(raw_dev[held], points)

    def score(held, scores):
        return event_scores(scores(held), dev_correct[held])

    return {
        "seed": seed,
        "curve_points": len(record["points"]),
        "test_f1": {"none": before["conlleval"]["f1"], "calibrated": after["conlleval"]["f1"]},
        "test_entities": after["calibration"]["entities"],
        "none": {
            "test": {key: before["calibration"][key] for key in MEASURES},
            "dev_cv": cross_validated(lambda rows: lambda held: raw_dev[held], score, len(dev_correct)),
        },
        "calibrated": {
            "test": {key: after["calibration"][key] for key in MEASURES},
            "dev_cv": cross_validated(fit, score, len(dev_correct)),
        },
    }


def mean_sd(runs: list[dict], method: str, split: str, key: str) -> str:
    values = [run[method][split][key] for run in runs]
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ({sd:.4f})"


def table(name: str, runs: list[dict], method_name: str) -> list[str]:
    rows = []
    for method, label in (("none", "none"), ("calibrated", method_name)):
        cells = [mean_sd(runs, method, "test", key) for key in MEASURES]
        cells.append(mean_sd(runs, method, "dev_cv", "ece"))
        rows.append(f"| {name} | {label} | {' | '.join(cells)} |")
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    report = {**run_record("benchmarks.calibration_benchmark", argv), "sentiment": {}, "ner": {}}
    for dataset in SENTIMENT_DATASETS:
        report["sentiment"][dataset] = [sentiment_run(dataset, seed) for seed in args.seeds]
    report["ner"]["conll2003"] = [ner_run(seed) for seed in args.seeds]
    lines = [
        *header("Calibration of the default models (test; mean (sd) over seeds)", report),
        "| data | calibration | ECE | Brier | NLL | dev 2-fold ECE |",
        "|---|---|---|---|---|---|",
    ]
    for dataset, runs in report["sentiment"].items():
        lines += table(f"sentiment, {dataset}", runs, "temperature (dev)")
    lines += table("NER entity scores, conll2003", report["ner"]["conll2003"], "isotonic (dev)")
    lines += ["", "Per seed:", ""]
    for dataset, runs in report["sentiment"].items():
        for run in runs:
            lines.append(
                f"- sentiment {dataset}, seed {run['seed']}: temperature {run['temperature']}, test accuracy "
                f"{run['test_accuracy']:.4f}, argmax unchanged: {run['argmax_unchanged']}, test ECE "
                f"{run['none']['test']['ece']:.4f} -> {run['calibrated']['test']['ece']:.4f}"
            )
    for run in report["ner"]["conll2003"]:
        lines.append(
            f"- NER conll2003, seed {run['seed']}: curve of {run['curve_points']} points, {run['test_entities']} test "
            f"entities, test F1 {run['test_f1']['none']:.4f} -> {run['test_f1']['calibrated']:.4f}, entity ECE "
            f"{run['none']['test']['ece']:.4f} -> {run['calibrated']['test']['ece']:.4f}"
        )
    write_results("calibration", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
