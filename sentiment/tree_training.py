"""What one training run of a tree model needs (`SentimentTask.prepare` with
`--model.architecture tree`), in two stages:

1. its parser, trained alone on the bracketing of the training trees (their labels
   unused) for `parser_epochs`, the epoch with the best dev bracketing F1 kept; or, for
   texts without trees, the parser of another tree bundle (`sentiment.taken_parser`);
2. the recursive network over the gold trees (every labelled node), by the shared
   training loop, with dev scores through the parser's own trees (what raw text gets).

The parser needs many more epochs than the composition, which overfits after two or
three: trained together, early stopping on sentiment left the parser half trained.
"""

from __future__ import annotations

from pathlib import Path

from sentiment.data import LABELS, Splits
from shared.errors import ConfigError
from shared.tasks import Fit

MONITOR = "macro_f1"
PARSER_FILE = "parser.keras"


def parser_batches(trees, batch_size: int) -> list[tuple]:
    """Length-sorted batches of `trees` for the parser: (the trees' indices, their tokens
    [B, T] strings, the spans of their composed nodes [B, M, 2], each node's gold split
    [B, M], its weight [B, M]: 1 for a node, 0 for padding)."""
    import numpy as np
    import tensorflow as tf

    from sentiment.parser import gold_splits
    from shared.sequences import length_sorted_batches

    batches = []
    for index in length_sorted_batches([len(tree.tokens) for tree in trees], batch_size):
        width = max(len(trees[i].tokens) for i in index)
        tokens = np.full((len(index), width), "", dtype=object)
        found = [gold_splits(trees[i]) for i in index]
        count = max(max(len(nodes) for nodes in found), 1)
        spans = np.zeros((len(index), count, 2), np.int32)
        splits = np.zeros((len(index), count), np.int32)
        weights = np.zeros((len(index), count), np.float32)
        for row, (i, nodes) in enumerate(zip(index, found)):
            tokens[row, : len(trees[i].tokens)] = trees[i].tokens
            for column, (start, end, k) in enumerate(nodes):
                spans[row, column], splits[row, column], weights[row, column] = (start, end), k, 1.0
        batches.append((index, tf.constant(tokens.astype(str)), spans, splits, weights))
    return batches


def parser_bracketing(parser, trees, batches: list[tuple]) -> float:
    """Unlabelled bracketing F1 of `parser`'s greedy trees against `trees`, batched as
    `parser_batches` batches them (made once by the caller), scored as
    `sentiment.tree_eval.bracketing` scores a bundle's."""
    import numpy as np

    from sentiment.parser import greedy_splits
    from sentiment.tree_eval import span_f1, unlabelled_spans

    def pairs():
        for index, tokens, spans, splits, weights in batches:
            scores = np.asarray(parser(tokens, training=False))
            for row, i in enumerate(index):
                count = len(trees[i].tokens)
                gold = [(*span, k) for span, k, weight in zip(spans[row], splits[row], weights[row]) if weight]
                yield unlabelled_spans(greedy_splits(scores[row], count), count), unlabelled_spans(gold, count)

    return span_f1(pairs())["f1"]


def train_parser(parser, train_trees, dev_trees, training, seed: int, epochs: int) -> list[float]:
    """Train `parser` on the bracketing of `train_trees` (the likelihood of each gold
    node's split, Adam with the run's learning rate and clipping) for `epochs` epochs in
    batches shuffled by `seed`, and keep the weights of the epoch with the best dev
    bracketing F1. Returns the dev F1 of every epoch."""
    import time

    import keras
    import numpy as np
    import tensorflow as tf

    from sentiment.parser import split_logits

    optimizer = keras.optimizers.Adam(training.learning_rate, clipnorm=training.clip_norm)
    batches = [batch[1:] for batch in parser_batches(list(train_trees), training.batch_size)]
    dev_trees = list(dev_trees)
    dev_batches = parser_batches(dev_trees, 256)

    @tf.function(reduce_retracing=True)
    def step(tokens, spans, splits, weights):
        with tf.GradientTape() as tape:
            logits = split_logits(parser(tokens, training=True), spans)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(splits, logits)
            loss = tf.reduce_sum(losses * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)
        gradients = tape.gradient(loss, parser.trainable_variables)
        optimizer.apply_gradients(zip(gradients, parser.trainable_variables))
        return loss

    curve, best = [], None
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        order = np.random.default_rng([seed, epoch]).permutation(len(batches))
        losses = [float(step(*batches[index])) for index in order]
        curve.append(parser_bracketing(parser, dev_trees, dev_batches))
        improved = best is None or curve[-1] > max(curve[:-1])
        if improved:
            best = parser.get_weights()
        print(
            f"Parser epoch {epoch}/{epochs}: loss {np.mean(losses):.4f}   dev bracketing F1 {curve[-1] * 100:.2f}"
            f"{' (best)' if improved else ''}   {time.perf_counter() - started:.0f}s",
            flush=True,
        )
    parser.set_weights(best)
    return curve


def prepared_parser(
    splits: Splits, config, vocabulary: list[str], prepared_dir: Path, *, resume: bool, seed: int, vectors=None
):
    """Stage 1: (the run's parser, its dev bracketing F1 per epoch), trained
    (`train_parser`) and written to `prepared_dir`, or read back from there on `resume`
    (a run stopped within stage 1 trains it again, from the same seed to the same weights)."""
    import json
    import os

    import keras

    from sentiment.tree_model import build_parser, parser_characters
    from shared.files import write_json_atomic

    path, curve_file = prepared_dir / PARSER_FILE, prepared_dir / "parser-curve.json"
    if resume and path.is_file() and curve_file.is_file():
        return keras.saving.load_model(path, safe_mode=True), json.loads(curve_file.read_text(encoding="utf-8"))
    parser = build_parser(config.model, vocabulary, parser_characters(vocabulary), seed)
    if vectors is not None:
        from sentiment.model import initialize_from_vectors

        known = initialize_from_vectors(parser, vocabulary, vectors, "parser_embedding")
        print(f"Vectors {config.model.vectors}: the parser's {known} of {len(vocabulary)} words start from theirs")
    epochs = config.training.parser_epochs
    curve = train_parser(parser, splits.train.trees, splits.dev.trees, config.training, seed, epochs)
    print(f"Parser: dev bracketing F1 {max(curve) * 100:.2f} (epoch {curve.index(max(curve)) + 1})", flush=True)
    partial = prepared_dir / f"partial-{PARSER_FILE}"  # Keras writes only to a .keras name
    parser.save(partial)
    os.replace(partial, path)
    write_json_atomic(curve_file, curve)
    return parser, curve


def tree_dataset(batches: list[tuple], seed: int):
    """The classifier's batches ((ids, left, right, slots), labels, weights) in an order
    shuffled by `seed`, as a tf.data.Dataset."""
    import numpy as np
    import tensorflow as tf

    order = np.random.default_rng(seed).permutation(len(batches))
    schedule = tf.TensorSpec([None, None, None], tf.int32)
    inputs = (tf.TensorSpec([None, None], tf.int64), schedule, schedule, schedule)
    targets = tf.TensorSpec([None, None], tf.int32)

    def generate():
        for index in order:
            yield batches[index]

    return tf.data.Dataset.from_generator(
        generate, output_signature=(inputs, targets, tf.TensorSpec([None, None], tf.float32))
    )


def prepare_tree(splits: Splits, config, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
    """The Fit of a tree model (see the module docstring)."""
    import keras
    import tensorflow as tf

    from sentiment import model as model_lib
    from sentiment.classifier import SentimentClassifier
    from sentiment.task import temperature_scaled
    from sentiment.tree_model import build_tree_classifier, build_tree_end_to_end, tree_batches
    from shared.metrics import classification_report
    from shared.vectors import vectors_of

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
    vectors = vectors_of(config.model)  # loaded once: the vocabulary, the parser and the leaves take them
    vectorizer = model_lib.prepared_vectorizer(
        config.model, splits.train.texts, prepared_dir, resume=resume, vectors=vectors
    )
    vocabulary = vectorizer.get_vocabulary()
    taken, facts = {}, {}
    if has_trees:
        trees = splits.train.trees
        parser, curve = prepared_parser(
            splits, config, vocabulary, prepared_dir, resume=resume, seed=seed, vectors=vectors
        )
        facts["parser"] = {"epochs": len(curve), "best_epoch": curve.index(max(curve)) + 1, "dev_bracketing_f1": curve}
    else:
        from sentiment.taken_parser import parsed_trees, taken_parser

        parser, taken["parser"] = taken_parser(config.model.parser)
        found = parsed_trees(parser, config.model.max_length, splits.train.texts, splits.train.labels)
        trees = [tree for tree in found if tree is not None]
        print(f"Parser {taken['parser']['reference']}: {len(trees)} texts parsed", flush=True)
    parser.trainable = False
    # Whether stage 1 ran here or was read back, stage 2 starts from the same random state.
    keras.utils.set_random_seed(seed)
    print(f"Vocabulary: {len(vocabulary)} tokens; train {len(trees)} trees, dev {len(splits.dev)}", flush=True)
    lookup = {token: index for index, token in enumerate(vocabulary)}
    batches = tree_batches(trees, lookup, config.training.batch_size)
    classifier = build_tree_classifier(config.model, len(vocabulary), len(LABELS))
    if vectors is not None and not resume:
        known = model_lib.initialize_from_vectors(classifier, vocabulary, vectors)
        print(f"Vectors {config.model.vectors}: {known} of {len(vocabulary)} leaf words start from theirs", flush=True)
    classifier.compile(
        optimizer=keras.optimizers.Adam(config.training.learning_rate, clipnorm=config.training.clip_norm),
        loss=keras.losses.SparseCategoricalCrossentropy(),
    )
    apis = {}  # one end-to-end model per classifier (a resumed run loads a new one)

    def api_of(model) -> SentimentClassifier:
        if id(model) not in apis:
            end_to_end = build_tree_end_to_end(config.model, vectorizer, model, parser)
            apis[id(model)] = SentimentClassifier(end_to_end, {"labels": list(LABELS)})
        return apis[id(model)]

    def evaluate_dev(model) -> dict:
        predicted = api_of(model).predict_proba(splits.dev.texts).argmax(axis=1)
        report = classification_report(splits.dev.labels, predicted, LABELS)
        return {MONITOR: report["macro_f1"], "accuracy": report["accuracy"]}

    return Fit(
        classifier,
        lambda epoch: tree_dataset(batches, seed * 1000 + epoch),
        evaluate_dev,
        lambda trained: api_of(trained),
        facts={"train_examples": len(trees), **facts},
        metadata={"labels": list(LABELS)},
        taken=taken,
        calibrate=temperature_scaled if config.training.calibration == "temperature" else None,
    )
