"""Sentiment benchmark: default config vs a TF-IDF + LogisticRegression baseline.

Trains the default configuration on SST (3 classes) and on airline tweets, then
reports test accuracy and macro-F1, binary accuracy on SST's non-neutral test
sentences, the same numbers for a TF-IDF (word 1-2 grams + char 2-5 grams) +
LogisticRegression baseline tuned on dev, training wall time, batch throughput
and single-text latency through the Python API and through the exported SavedModel.

Run from the project root:
  .venv/bin/python -m benchmarks.sentiment_benchmark
Writes benchmarks/results/sentiment.json and benchmarks/results/sentiment.md.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import shared

shared.import_tensorflow_quietly()

import numpy as np  # noqa: E402

from benchmarks.common import best_seconds, header, median_latency_ms, run_record, savedmodel_speed, write_results  # noqa: E402
from sentiment import SentimentClassifier  # noqa: E402
from sentiment.config import SentimentConfig  # noqa: E402
from sentiment.data import LABELS, load_named_dataset  # noqa: E402
from shared.export import export_model  # noqa: E402
from shared.metrics import classification_report  # noqa: E402
from shared.tasks import get_task  # noqa: E402
from shared.training import dataset_source, train  # noqa: E402

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
DATASETS = ("sst", "airline-tweets")


def baseline(splits) -> dict:
    """TF-IDF word 1-2 + char 2-5 grams, LogisticRegression with C tuned on dev."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    best = None
    for c in (0.25, 1.0, 4.0, 16.0):
        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        )
        model = make_pipeline(features, LogisticRegression(C=c, max_iter=2000))
        model.fit(splits.train.texts, splits.train.labels)
        dev = classification_report(splits.dev.labels, model.predict(splits.dev.texts), LABELS)
        if best is None or dev["macro_f1"] > best[0]["macro_f1"]:
            best = (dev, model, c)
    dev, model, c = best
    test = classification_report(splits.test.labels, model.predict(splits.test.texts), LABELS)
    return {"C": c, "dev": _summary(dev), "test": _summary(test), "test_per_class_f1": _per_class_f1(test)}


def _summary(report: dict) -> dict:
    return {"accuracy": round(report["accuracy"], 4), "macro_f1": round(report["macro_f1"], 4)}


def _per_class_f1(report: dict) -> dict:
    return {label: round(row["f1"], 4) for label, row in report["per_class"].items()}


def binary_accuracy(probabilities: np.ndarray, labels) -> float:
    """Accuracy of positive-vs-negative probability on the non-neutral examples."""
    labels = np.asarray(labels)
    keep = labels != LABELS.index("neutral")
    predicted_positive = probabilities[keep, 2] > probabilities[keep, 0]
    return float(np.mean(predicted_positive == (labels[keep] == LABELS.index("positive"))))


def speed(classifier, texts: list[str], export_dir: Path) -> dict:
    """Batch throughput and single-text latency through the API and the SavedModel."""

    export_model(classifier, export_dir)
    served_seconds, served_p50 = savedmodel_speed(export_dir, texts)
    return {
        "texts": len(texts),
        "api_sentences_per_s": round(len(texts) / best_seconds(lambda: classifier.predict_proba(texts))),
        "api_latency_p50_ms": median_latency_ms(classifier.predict, texts[:100]),
        "savedmodel_sentences_per_s": round(len(texts) / served_seconds),
        "savedmodel_latency_p50_ms": served_p50,
    }


def run_dataset(name: str, config: SentimentConfig) -> dict:
    source = dataset_source(get_task("sentiment"), name, config)
    splits = source.splits
    out = WORK / name
    started = time.perf_counter()
    train(get_task("sentiment"), source, config, out, seed=42)
    seconds = time.perf_counter() - started
    classifier = SentimentClassifier.load(out)
    metadata = classifier.metadata
    result = {
        "train_examples": len(splits.train),
        "train_seconds": round(seconds, 1),
        "epochs_run": metadata["training"]["epochs_run"],
        "best_epoch": metadata["training"]["best_epoch"],
        "dev": _summary(metadata["metrics"]["dev"]),
        "test": _summary(metadata["metrics"]["test"]),
        "test_per_class_f1": _per_class_f1(metadata["metrics"]["test"]),
        # The baseline trains on sentences only (no SST phrases), as is usual for it...
        "baseline_tfidf_logreg": baseline(load_named_dataset(name)),
    }
    if name == "sst" and config.training.phrases:
        # ...and on the same labelled phrases as the RNN.
        result["baseline_tfidf_logreg_phrases"] = baseline(splits)
    if name == "sst":
        test_probabilities = classifier.predict_proba(splits.test.texts)
        result["test_binary_accuracy"] = round(binary_accuracy(test_probabilities, splits.test.labels), 4)
        result["speed"] = speed(classifier, list(splits.test.texts), WORK / "sst-export")
    return result


def to_markdown(report: dict) -> str:
    lines = [
        *header("Sentiment benchmark", report),
        "| dataset | model | test accuracy | test macro-F1 | dev macro-F1 | train time |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in report["datasets"].items():
        base = result["baseline_tfidf_logreg"]
        lines.append(
            f"| {name} | default RNN | {result['test']['accuracy']:.1%} | {result['test']['macro_f1'] * 100:.1f} "
            f"| {result['dev']['macro_f1'] * 100:.1f} | {result['train_seconds'] / 60:.1f} min |"
        )
        lines.append(
            f"| {name} | TF-IDF + LogReg (C={base['C']}) | {base['test']['accuracy']:.1%} "
            f"| {base['test']['macro_f1'] * 100:.1f} | {base['dev']['macro_f1'] * 100:.1f} | |"
        )
        if "baseline_tfidf_logreg_phrases" in result:
            phrases = result["baseline_tfidf_logreg_phrases"]
            lines.append(
                f"| {name} | TF-IDF + LogReg on the RNN's phrases (C={phrases['C']}) "
                f"| {phrases['test']['accuracy']:.1%} | {phrases['test']['macro_f1'] * 100:.1f} "
                f"| {phrases['dev']['macro_f1'] * 100:.1f} | |"
            )
    sst = report["datasets"].get("sst", {})
    if "test_binary_accuracy" in sst:
        lines += [
            "",
            "SST binary accuracy (non-neutral test sentences, positive vs negative probability): "
            f"{sst['test_binary_accuracy']:.1%}",
        ]
    if "speed" in sst:
        s = sst["speed"]
        lines += [
            "",
            f"Speed on {s['texts']} SST test sentences:",
            "",
            "| path | batch sentences/s | single-text latency p50 |",
            "|---|---|---|",
            f"| Python API | {s['api_sentences_per_s']:,} | {s['api_latency_p50_ms']} ms |",
            f"| SavedModel | {s['savedmodel_sentences_per_s']:,} | {s['savedmodel_latency_p50_ms']} ms |",
        ]
    lines += ["", "Per-class test F1:", ""]
    for name, result in report["datasets"].items():
        lines.append(
            f"- {name}: RNN {result['test_per_class_f1']}; "
            f"baseline {result['baseline_tfidf_logreg']['test_per_class_f1']}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    names = argv or list(DATASETS)
    config = SentimentConfig()
    report = {
        **run_record("benchmarks.sentiment_benchmark", argv),
        "config": json.loads(json.dumps(config, default=lambda o: o.__dict__)),
        "datasets": {name: run_dataset(name, config) for name in names},
    }
    write_results("sentiment", report, to_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
