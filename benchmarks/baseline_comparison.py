"""Baseline comparison: the default models beside the classic baselines of
`evaluate --baseline`, on the test splits of SST, airline tweets and CoNLL-2003.

The default config's bundles (one per seed, trained or reused as the seed study does,
under benchmarks/work/seeds/) against TF-IDF + logistic regression (sentiment) and a
CRF on hand features (NER), each baseline fitted once on the same training data and its
regularisation chosen on dev. Reported on test: accuracy and macro-F1 (sentiment) or
entity F1 (NER), and the agreement counts (both right, only the network, only the
baseline, neither; NER: over gold entities) per seed.

Run from the project root:
  .venv/bin/python -m benchmarks.baseline_comparison [--seeds 1 2 3]
Writes benchmarks/results/baselines.json and .md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from benchmarks.calibration_benchmark import SENTIMENT_DATASETS, bundle
from benchmarks.common import header, run_record, write_results
from shared.metrics import agreement, classification_report
from shared.tasks import get_task


def mean_sd(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values) * 100:.2f} ({sd * 100:.2f})"


def sentiment_comparison(dataset: str, seeds: list[int]) -> dict:
    from sentiment.baseline import fit_tfidf

    task = get_task("sentiment")
    runs, baseline, splits = [], None, None
    for seed in seeds:
        classifier, splits = bundle(task, dataset, seed)
        if baseline is None:
            started = time.perf_counter()
            baseline = fit_tfidf(splits.train, splits.dev)
            seconds = time.perf_counter() - started
            theirs = baseline.predict(splits.test.texts)
            scores = classification_report(splits.test.labels, theirs, classifier.labels)
        ours = classifier.predict_proba(splits.test.texts).argmax(axis=1).tolist()
        network = classification_report(splits.test.labels, ours, classifier.labels)
        runs.append({
            "seed": seed,
            "accuracy": network["accuracy"],
            "macro_f1": network["macro_f1"],
            "agreement": agreement(splits.test.labels, ours, theirs),
        })  # fmt: skip
    return {
        "train_examples": len(splits.train),
        "test_examples": len(splits.test),
        "baseline": {
            "C": baseline.strength,
            "dev_macro_f1_by_C": baseline.dev_macro_f1,
            "accuracy": scores["accuracy"],
            "macro_f1": scores["macro_f1"],
            "fit_seconds_all_C": round(seconds, 1),
        },
        "runs": runs,
    }


def ner_comparison(seeds: list[int]) -> dict:
    from ner.baseline import fit_crf
    from ner.metrics import entity_agreement, entity_report
    from ner.tags import spans

    task = get_task("ner")
    runs, baseline, splits = [], None, None
    for seed in seeds:
        tagger, splits = bundle(task, "conll2003", seed)
        gold = [sentence.tags for sentence in splits.test]
        if baseline is None:
            started = time.perf_counter()
            baseline = fit_crf(splits.train, splits.dev)
            seconds = time.perf_counter() - started
            theirs = baseline.predict(splits.test)
            scores = entity_report(gold, theirs)
        ours = [tagged.tags for tagged in tagger.tag_tokens([sentence.tokens for sentence in splits.test])]
        runs.append({
            "seed": seed,
            "f1": entity_report(gold, ours)["conlleval"]["f1"],
            "agreement": entity_agreement(gold, ours, theirs),
        })  # fmt: skip
    return {
        "train_sentences": len(splits.train),
        "test_entities": sum(len(spans(tags)) for tags in (s.tags for s in splits.test)),
        "baseline": {
            "c1_c2": list(baseline.strengths),
            "dev_f1": baseline.dev_f1,
            "f1": scores["conlleval"]["f1"],
            "fit_seconds_all_settings": round(seconds, 1),
        },
        "runs": runs,
    }


def agreement_cells(runs: list[dict]) -> str:
    keys = ("both_right", "network_only", "baseline_only", "both_wrong")
    return " | ".join(f"{statistics.mean(run['agreement'][key] for run in runs):,.0f}" for key in keys)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    report = {**run_record("benchmarks.baseline_comparison", argv), "sentiment": {}}
    for dataset in SENTIMENT_DATASETS:
        report["sentiment"][dataset] = sentiment_comparison(dataset, args.seeds)
    report["ner"] = {"conll2003": ner_comparison(args.seeds)}
    lines = [
        *header("The default models beside the classic baselines (test; network: mean (sd) over seeds)", report),
        "| data | network | baseline | both right | only the network | only the baseline | both wrong |",
        "|---|---|---|---|---|---|---|",
    ]
    for dataset, result in report["sentiment"].items():
        runs, base = result["runs"], result["baseline"]
        lines.append(
            f"| {dataset}: accuracy | BiGRU {mean_sd([r['accuracy'] for r in runs])} | TF-IDF + LR "
            f"{base['accuracy'] * 100:.2f} | {agreement_cells(runs)} |"
        )
        lines.append(
            f"| {dataset}: macro-F1 | {mean_sd([r['macro_f1'] for r in runs])} | {base['macro_f1'] * 100:.2f} | | | | |"
        )
    ner = report["ner"]["conll2003"]
    lines.append(
        f"| conll2003: entity F1 (agreement over {ner['test_entities']:,} gold entities) | BiLSTM-CRF "
        f"{mean_sd([r['f1'] for r in ner['runs']])} | CRF, hand features {ner['baseline']['f1'] * 100:.2f} "
        f"| {agreement_cells(ner['runs'])} |"
    )
    lines += [
        "",
        "Agreement cells are the mean count over the seeds' networks (one baseline per dataset). Baselines: "
        + "; ".join(
            f"{dataset} C={result['baseline']['C']} (dev macro-F1 by C {result['baseline']['dev_macro_f1_by_C']})"
            for dataset, result in report["sentiment"].items()
        )
        + f"; conll2003 c1, c2 = {ner['baseline']['c1_c2']} (dev F1 {ner['baseline']['dev_f1']}).",
    ]
    write_results("baselines", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
