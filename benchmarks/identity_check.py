"""Identity check: the default trainings a refactor must leave bit-for-bit the same.

Trains, from scratch and on this machine:
  - sentiment: the default config on SST with the default seed (42), scored through the
    Python API on the test sentences (accuracy, macro-F1);
  - ner: the 1,000-sentence CoNLL-2003 study's tagger (the first 1,000 training
    sentences, seed 1), without and with character LMs. The char LMs (forward and
    backward, CoNLL-2003 train text) are small (`--model.units=64 --training.epochs=1`)
    so the check runs in minutes: what it checks is that the code path that takes them
    computes the same, not how much they help (benchmarks.transfer_study measures that);
  - the tree model: a tiny run on SST's first trees (`TINY_TREE`, parser stage first),
    scored on the first test trees, so the recursive network and its parser's loop are
    checked too.
Each run records its scores to 6 decimals and a SHA-256 of the trained weights, so two
results files (one per commit) show whether a change moved anything.

Run from the project root:
  .venv/bin/python -m benchmarks.identity_check [--only tree|sentiment|ner ...]
Writes benchmarks/results/identity-<short commit>.json and .md (with --only, the runs
named are the only ones in it).
"""

from __future__ import annotations

import hashlib
import shutil
import sys

from benchmarks.common import RESULTS, header, run_record, write_results
from benchmarks.transfer_study import training_source
from shared.config import load_config
from shared.tasks import get_task
from shared.training import dataset_source, train

WORK = RESULTS.parent / "work" / "identity"
SMALL_CHAR_LM = ["--model.units=64", "--training.epochs=1"]
TINY_TREE = [
    "--model.architecture=tree", "--model.units=32", "--model.parser.units=32", "--model.parser.hidden=32",
    "--training.epochs=2", "--training.parser_epochs=2",
]  # fmt: skip
TINY_TREE_SENTENCES = {"train": 400, "dev": 100, "test": 200}
GROUPS = ("tree", "sentiment", "ner")


def weights_digest(model) -> str:
    """SHA-256 over every weight array of `model`, in order."""
    digest = hashlib.sha256()
    for array in model.get_weights():
        digest.update(array.tobytes())
    return digest.hexdigest()


def fresh(name: str):
    out = WORK / name
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out.with_name(out.name + ".training"), ignore_errors=True)
    return out


def sentiment_scores(bundle, test) -> dict:
    """Test accuracy and macro-F1 of the sentiment bundle through the Python API, and its weights' digest."""
    from sentiment import SentimentClassifier
    from sentiment.data import LABELS
    from shared.metrics import classification_report

    classifier = SentimentClassifier.load(bundle)
    report = classification_report(test.labels, classifier.predict_proba(test.texts).argmax(axis=1), LABELS)
    return {
        "test_accuracy": round(report["accuracy"], 6),
        "test_macro_f1": round(report["macro_f1"], 6),
        "weights_sha256": weights_digest(classifier.model),
    }


def sentiment_run() -> dict:
    task = get_task("sentiment")
    config = task.config_class()
    source = dataset_source(task, "sst", config)
    return sentiment_scores(train(task, source, config, fresh("sentiment-sst-42"), seed=42), source.splits.test)


def tree_run() -> dict:
    """The tree model (and its parser) trained on SST's first trees, seed 42."""
    import dataclasses

    from sentiment.data import LabelledTrees

    task = get_task("sentiment")
    config = load_config(task.config_class, None, TINY_TREE)
    full = dataset_source(task, "sst", config)
    splits = dataclasses.replace(
        full.splits,
        **{
            split: LabelledTrees.of(getattr(full.splits, split).trees[:count])
            for split, count in TINY_TREE_SENTENCES.items()
        },
    )
    description = {**full.description, "sentences": TINY_TREE_SENTENCES}
    source = dataclasses.replace(full, splits=splits, description=description)
    return sentiment_scores(train(task, source, config, fresh("sentiment-sst-tree-tiny-42"), seed=42), splits.test)


def char_lm(direction: str) -> str:
    lm = get_task("lm")
    config = load_config(lm.config_class, None, [f"--model.direction={direction}", *SMALL_CHAR_LM])
    source = dataset_source(lm, "conll2003", config)
    return str(train(lm, source, config, fresh(f"char-lm-{direction}"), seed=42))


def ner_run(overrides: list[str], name: str) -> dict:
    from ner import EntityTagger

    task = get_task("ner")
    config = load_config(task.config_class, None, overrides)
    source = training_source(task, "conll2003", 1000, config)
    out = train(task, source, config, fresh(name), seed=1)
    tagger = EntityTagger.load(out)
    test = task.evaluate(tagger, source.splits.test)
    dev = task.evaluate(tagger, source.splits.dev)
    return {
        "dev_f1": round(dev["conlleval"]["f1"], 6),
        "test_f1": round(test["conlleval"]["f1"], 6),
        "weights_sha256": weights_digest(tagger.model),
    }


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS), help="the runs to do (default: all)")
    args = parser.parse_args(argv)
    report = {**run_record("benchmarks.identity_check", argv), "runs": {}}
    runs = report["runs"]
    if "tree" in args.only:
        runs["sentiment sst tiny tree model seed 42"] = tree_run()
    if "sentiment" in args.only:
        runs["sentiment sst default seed 42"] = sentiment_run()
    if "ner" in args.only:
        runs["ner conll2003 1000 seed 1 without LM"] = ner_run([], "ner-1000-1")
        lms = {direction: char_lm(direction) for direction in ("forward", "backward")}
        with_lms = [f"--model.char_lm_{direction}={path}" for direction, path in lms.items()]
        runs["ner conll2003 1000 seed 1 with small char LMs"] = ner_run(with_lms, "ner-1000-1-char-lms")
    lines = [
        *header("Identity check: default trainings, scores and weights", report),
        "| run | scores | weights SHA-256 |",
        "|---|---|---|",
    ]
    for name, run in runs.items():
        scores = ", ".join(f"{key} {value:.6f}" for key, value in run.items() if key != "weights_sha256")
        lines.append(f"| {name} | {scores} | `{run['weights_sha256'][:16]}` |")
    write_results(f"identity-{report['commit'][:7]}", report, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
