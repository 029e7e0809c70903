"""What one training run of a tree model needs (`SentimentTask.prepare` with
`--model.architecture tree`): the vocabulary of the trees' tokens, the classifier and its
parser trained together on gold trees, and dev scores with the parser's own trees (what
a user's raw text gets)."""

from __future__ import annotations

from pathlib import Path

from sentiment.data import LABELS, Splits
from shared.errors import ConfigError
from shared.tasks import Fit

MONITOR = "macro_f1"


def trainer_batches(trees, lookup: dict[str, int], batch_size: int) -> list[tuple]:
    """`tree_batches` with the gold splits the parser learns: (inputs dict, targets)."""
    import numpy as np

    from sentiment.parser import gold_splits
    from sentiment.tree_model import TREE_INPUTS, tree_batches
    from shared.sequences import length_sorted_batches

    batches = []
    indices = length_sorted_batches([len(tree.tokens) for tree in trees], batch_size)
    for index, (inputs, labels, weights) in zip(indices, tree_batches(trees, lookup, batch_size)):
        found = [gold_splits(trees[i]) for i in index]
        count = max(max(len(nodes) for nodes in found), 1)
        spans = np.zeros((len(index), count, 2), np.int32)
        splits = np.zeros((len(index), count), np.int32)
        split_weights = np.zeros((len(index), count), np.float32)
        for row, nodes in enumerate(found):
            for column, (i, j, k) in enumerate(nodes):
                spans[row, column], splits[row, column], split_weights[row, column] = (i, j), k, 1.0
        tokens = np.full(inputs[0].shape, "", dtype=object)  # the parser reads their spelling too
        for row, i in enumerate(index):
            tokens[row, : len(trees[i].tokens)] = trees[i].tokens
        named = dict(zip(TREE_INPUTS, inputs)) | {"tokens": tokens, "spans": spans}
        batches.append((named, (labels, weights, splits, split_weights)))
    return batches


def trainer_dataset(batches: list[tuple], seed: int):
    """The batches in an order shuffled by `seed`, as a tf.data.Dataset."""
    import numpy as np
    import tensorflow as tf

    order = np.random.default_rng(seed).permutation(len(batches))
    matrix, schedule = tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None, None], tf.int32)
    inputs = {
        "token_ids": tf.TensorSpec([None, None], tf.int64),
        "left": schedule,
        "right": schedule,
        "slots": schedule,
        "tokens": tf.TensorSpec([None, None], tf.string),
        "spans": tf.TensorSpec([None, None, 2], tf.int32),
    }
    targets = (matrix, tf.TensorSpec([None, None], tf.float32), matrix, tf.TensorSpec([None, None], tf.float32))

    def generate():
        for index in order:
            yield batches[index]

    return tf.data.Dataset.from_generator(generate, output_signature=(inputs, targets))


def prepare_tree(splits: Splits, config, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
    """The Fit of a tree model (see the module docstring)."""
    import keras
    import tensorflow as tf

    from sentiment import model as model_lib
    from sentiment.classifier import SentimentClassifier
    from sentiment.task import temperature_scaled
    from sentiment.tree_model import (
        TreeTrainer,
        build_parser,
        build_tree_classifier,
        build_tree_end_to_end,
        parser_characters,
    )
    from shared.metrics import classification_report

    if tf.distribute.has_strategy():
        raise ConfigError("a tree model trains in one process for now: leave out --strategy and --workers")
    has_trees = hasattr(splits.train, "trees")
    if has_trees == bool(config.model.parser):
        raise ConfigError(
            "--parser takes a tree bundle's parser for texts without trees; bracketed trees train a parser of their own"
            if has_trees
            else "a tree model needs trees: bracketed ones (--trees, --dataset sst) train its parser, or give "
            "--parser DIR (a tree bundle) to parse these texts"
        )
    vectorizer = model_lib.prepared_vectorizer(config.model, splits.train.texts, prepared_dir, resume=resume)
    vocabulary = vectorizer.get_vocabulary()
    classifier = build_tree_classifier(config.model, len(vocabulary), len(LABELS))
    taken = {}
    if has_trees:
        trees = splits.train.trees
        parser = build_parser(config.model, vocabulary, parser_characters(vocabulary), seed)
    else:
        from sentiment.taken_parser import parsed_trees, taken_parser

        parser, taken["parser"] = taken_parser(config.model.parser)
        found = parsed_trees(parser, vectorizer, config.model.max_length, splits.train.texts, splits.train.labels)
        trees = [tree for tree in found if tree is not None]
        print(f"Parser {taken['parser']['reference']}: {len(trees)} texts parsed", flush=True)
    print(f"Vocabulary: {len(vocabulary)} tokens; train {len(trees)} trees, dev {len(splits.dev)}", flush=True)
    lookup = {token: index for index, token in enumerate(vocabulary)}
    batches = trainer_batches(trees, lookup, config.training.batch_size)
    trainer = TreeTrainer(classifier, parser)
    trainer.compile(optimizer=keras.optimizers.Adam(config.training.learning_rate, clipnorm=config.training.clip_norm))
    apis = {}  # one end-to-end model per trainer (a resumed run loads a new one)

    def api_of(model) -> SentimentClassifier:
        if id(model) not in apis:
            end_to_end = build_tree_end_to_end(config.model, vectorizer, model.classifier, model.parser)
            apis[id(model)] = SentimentClassifier(end_to_end, {"labels": list(LABELS)})
        return apis[id(model)]

    def evaluate_dev(model) -> dict:
        predicted = api_of(model).predict_proba(splits.dev.texts).argmax(axis=1)
        report = classification_report(splits.dev.labels, predicted, LABELS)
        return {MONITOR: report["macro_f1"], "accuracy": report["accuracy"]}

    return Fit(
        trainer,
        lambda epoch: trainer_dataset(batches, seed * 1000 + epoch),
        evaluate_dev,
        lambda trained: api_of(trained),
        facts={"train_examples": len(trees)},
        metadata={"labels": list(LABELS)},
        taken=taken,
        calibrate=temperature_scaled if config.training.calibration == "temperature" else None,
    )
