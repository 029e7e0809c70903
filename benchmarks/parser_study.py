"""The tree model's parser alone on SST: which of its settings earn their place.

Each variant of the parser (`sentiment.tree_model.build_parser` with the given model
settings) is trained alone on SST train's bracketing (the split loss the joint training
uses, Adam 0.002, batches of 32, clipping at 1) for a fixed number of epochs; after each
epoch its greedy trees on dev are scored (unlabelled bracketing F1: spans of two tokens or
more, the whole sentence left out, as `sentiment.tree_eval.bracketing`). The epoch with
the best dev F1 is kept and its test F1 reported (model selection on dev only).

Run from the project root:
  .venv/bin/python -m benchmarks.parser_study --seeds 1 2 3
Writes benchmarks/results/parser-sst.json and .md.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import header, run_record, write_results
from benchmarks.seed_study import summary

BEFORE = {"parser_layers": 1, "parser_char_filters": 0, "parser_dropout": 0.1, "parser_word_dropout": 0.0}
VARIANTS = {
    "one BiLSTM, no characters (before)": BEFORE,
    "two BiLSTMs, dropout 0.3": {**BEFORE, "parser_layers": 2, "parser_dropout": 0.3},
    "+ characters, word dropout 0.1 (default)": {},
}


def batches_of(trees, lookup, batch_size):
    import tensorflow as tf

    from sentiment.tree_training import trainer_batches

    return [(tf.constant(inputs["tokens"]), inputs["spans"], targets[2], targets[3])
            for inputs, targets in trainer_batches(trees, lookup, batch_size)]  # fmt: skip


def bracketing_f1(parser, trees, lookup) -> float:
    import numpy as np

    from sentiment.parser import gold_splits, greedy_splits
    from shared.sequences import length_sorted_batches

    correct = predicted = gold = 0
    indices = length_sorted_batches([len(tree.tokens) for tree in trees], 256)
    for index, (tokens, *_) in zip(indices, batches_of(trees, lookup, 256)):
        scores = np.asarray(parser(tokens, training=False))
        for row, i in enumerate(index):
            count = len(trees[i].tokens)
            ours = {(a, b) for a, b, _ in greedy_splits(scores[row], count)} - {(0, count)}
            theirs = {(a, b) for a, b, _ in gold_splits(trees[i])} - {(0, count)}
            correct, predicted, gold = correct + len(ours & theirs), predicted + len(ours), gold + len(theirs)
    precision, recall = correct / max(predicted, 1), correct / max(gold, 1)
    return 2 * precision * recall / max(precision + recall, 1e-12)


def train_variant(overrides: dict, seed: int, splits, epochs: int) -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    from sentiment.config import ModelConfig
    from sentiment.model import build_vectorizer
    from sentiment.parser import split_logits
    from sentiment.tree_model import build_parser, parser_characters

    keras.utils.set_random_seed(seed)
    config = ModelConfig(architecture="tree", **overrides)
    vocabulary = build_vectorizer(config, splits.train.texts).get_vocabulary()
    lookup = {token: index for index, token in enumerate(vocabulary)}
    parser = build_parser(config, vocabulary, parser_characters(vocabulary), seed)
    optimizer = keras.optimizers.Adam(0.002, clipnorm=1.0)
    train = batches_of(list(splits.train.trees), lookup, 32)

    @tf.function(reduce_retracing=True)
    def step(tokens, spans, splits_, weights):
        with tf.GradientTape() as tape:
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                splits_, split_logits(parser(tokens, training=True), spans)
            )
            loss = tf.reduce_sum(losses * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)
        gradients = tape.gradient(loss, parser.trainable_variables)
        optimizer.apply_gradients(zip(gradients, parser.trainable_variables))

    order = np.random.default_rng(seed)
    curve, best = [], None
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        for index in order.permutation(len(train)):
            step(*train[index])
        dev = bracketing_f1(parser, list(splits.dev.trees), lookup)
        curve.append(round(dev, 4))
        if best is None or dev > best["dev_f1"]:
            test = bracketing_f1(parser, list(splits.test.trees), lookup)
            best = {"epoch": epoch, "dev_f1": dev, "test_f1": test}
        print(f"{overrides} seed {seed} epoch {epoch}: dev F1 {dev * 100:.2f}", flush=True)
    minutes = (time.perf_counter() - started) / 60
    return {"seed": seed, **best, "dev_curve": curve, "minutes": round(minutes, 1)}


def main(argv: list[str]) -> int:
    from sentiment.data import load_tree_dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    splits = load_tree_dataset("sst")
    report = {**run_record("benchmarks.parser_study", argv), "epochs": args.epochs, "variants": {}}
    for name, overrides in VARIANTS.items():
        runs = [train_variant(overrides, seed, splits, args.epochs) for seed in args.seeds]
        report["variants"][name] = {
            "overrides": overrides,
            "runs": runs,
            **{key: summary([run[key] for run in runs]) for key in ("dev_f1", "test_f1", "minutes")},
        }
    write_results("parser-sst", report, to_markdown(report))
    return 0


def to_markdown(report: dict) -> str:
    lines = [
        *header("The tree model's parser alone on SST: unlabelled bracketing F1", report),
        f"Trained alone for {report['epochs']} epochs; the best dev epoch kept. Mean (sd) over seeds.",
        "",
        "| parser | settings | seeds | dev F1 | test F1 | best epochs | minutes |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in report["variants"].items():
        settings = ", ".join(f"{k}={v}" for k, v in result["overrides"].items()) or "the defaults"
        epochs = ", ".join(str(run["epoch"]) for run in result["runs"])
        lines.append(
            f"| {name} | {settings} | {len(result['runs'])} "
            f"| {result['dev_f1']['mean'] * 100:.2f} ({result['dev_f1']['sd'] * 100:.2f}) "
            f"| {result['test_f1']['mean'] * 100:.2f} ({result['test_f1']['sd'] * 100:.2f}) "
            f"| {epochs} | {result['minutes']['mean']:.1f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
