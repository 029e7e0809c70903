"""What one training run of a tree model needs (`SentimentTask.prepare` with
`--model.architecture tree`), in two stages:

1. its parser, trained alone on the bracketing of the training trees (their labels
   unused) for `parser_epochs`, the epoch with the best dev bracketing F1 kept: a
   `shared.tasks.Stage`, so the shared loop trains it with its checkpoints, exact
   resume, logs and progress; or, for texts without trees, the parser of another tree
   bundle (`sentiment.tree.taken_parser`);
2. the recursive network over the gold trees (every labelled node), by the same loop,
   with dev scores through the parser's own trees (what raw text gets).

The parser needs many more epochs than the composition, which overfits after two or
three: trained together, early stopping on sentiment left the parser half trained.
"""

from __future__ import annotations

from pathlib import Path

from sentiment.data import LABELS, MONITOR, Splits
from shared.errors import ConfigError
from shared.tasks import Fit, Stage
from shared.training.steps import OneProcess

PARSER_MONITOR = "bracketing_f1"


def parser_batches(trees, batch_size: int) -> list[tuple]:
    """Length-sorted batches of `trees` for the parser: (the trees' indices, their tokens
    [B, T] strings, the spans of their composed nodes [B, M, 2], each node's gold split
    [B, M], its weight [B, M]: 1 for a node, 0 for padding)."""
    import numpy as np
    import tensorflow as tf

    from sentiment.parser.model import gold_splits
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
    `sentiment.tree.evaluation.bracketing` scores a bundle's."""
    import numpy as np

    from sentiment.parser.model import greedy_splits
    from sentiment.tree.evaluation import span_f1, unlabelled_spans

    def pairs():
        for index, tokens, spans, splits, weights in batches:
            scores = np.asarray(parser(tokens, training=False))
            for row, i in enumerate(index):
                count = len(trees[i].tokens)
                gold = [(*span, k) for span, k, weight in zip(spans[row], splits[row], weights[row]) if weight]
                yield unlabelled_spans(greedy_splits(scores[row], count), count), unlabelled_spans(gold, count)

    return span_f1(pairs())["f1"]


class ParserSteps(OneProcess):
    """The parser's step runner: the likelihood of each gold node's split (a loss Keras
    has not) under the model's compiled optimizer, in this process."""

    def __init__(self):
        super().__init__()
        self.step = None

    def start(self, model) -> None:
        self.step = parser_step(model)

    def run_epoch(self, model, batches) -> tuple[dict, str]:
        import numpy as np

        loss = float(np.mean([float(self.step(*batch)) for batch in batches]))
        return {"loss": loss}, f"  loss {loss:.4f}"


def parser_step(parser):
    """One training step of `parser` on a batch (tokens, node spans, gold splits, weights)."""
    import tensorflow as tf

    from sentiment.parser.model import split_logits

    optimizer = parser.optimizer

    @tf.function(reduce_retracing=True)
    def step(tokens, spans, splits, weights):
        with tf.GradientTape() as tape:
            logits = split_logits(parser(tokens, training=True), spans)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(splits, logits)
            loss = tf.reduce_sum(losses * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)
        gradients = tape.gradient(loss, parser.trainable_variables)
        optimizer.apply_gradients(zip(gradients, parser.trainable_variables))
        return loss

    return step


def parser_stage(parser, train_trees, dev_trees, training, seed: int, epochs: int, done) -> Stage:
    """Stage 1 (`shared.tasks.Stage`): `parser` trained on the bracketing of `train_trees`
    (Adam with the run's learning rate and clipping) for `epochs` epochs in batches
    shuffled by `seed`, the epoch with the best dev bracketing F1 kept; `done` gets it."""
    import keras
    import numpy as np

    parser.compile(optimizer=keras.optimizers.Adam(training.learning_rate, clipnorm=training.clip_norm))
    batches = [batch[1:] for batch in parser_batches(list(train_trees), training.batch_size)]
    dev_trees = list(dev_trees)
    dev_batches = parser_batches(dev_trees, 256)

    def epoch_batches(epoch: int) -> list:
        # The loop counts epochs from 0; the parser's order was always drawn from (seed, 1, 2, ...).
        return [batches[index] for index in np.random.default_rng([seed, epoch + 1]).permutation(len(batches))]

    def evaluate_dev(model) -> dict:
        return {PARSER_MONITOR: parser_bracketing(model, dev_trees, dev_batches)}

    return Stage("parser", parser, epoch_batches, evaluate_dev, PARSER_MONITOR, epochs, ParserSteps(), done)


def train_parser(parser, train_trees, dev_trees, training, seed: int, epochs: int) -> list[float]:
    """`parser_stage` alone, in a folder of its own that is removed at the end: `parser`
    holds the best epoch's weights; returns the dev F1 of every epoch."""
    import tempfile

    from shared.training.run import train_stage

    curve = []
    stage = parser_stage(
        parser, train_trees, dev_trees, training, seed, epochs, lambda model, history: curve.extend(curve_of(history))
    )
    with tempfile.TemporaryDirectory(prefix="rnntext-parser-") as folder:
        train_stage(stage, Path(folder), {"parser": "alone", "seed": seed, "epochs": epochs}, seed, resume=False)
    return curve


def curve_of(history: list[dict]) -> list[float]:
    """The dev bracketing F1 of each of the parser stage's epochs."""
    return [record[f"dev_{PARSER_MONITOR}"] for record in history]


def new_parser(config, vocabulary: list[str], seed: int, vectors=None):
    """The run's parser before training: built from `seed`, its words started from the vectors."""
    from sentiment.tree.model import build_parser, parser_characters

    parser = build_parser(config.model, vocabulary, parser_characters(vocabulary), seed)
    if vectors is not None:
        from sentiment.sequence.model import initialize_from_vectors

        known = initialize_from_vectors(parser, vocabulary, vectors, "parser_embedding")
        print(f"Vectors {config.model.vectors}: the parser's {known} of {len(vocabulary)} words start from theirs")
    return parser


def reading_copy(parser):
    """`parser` as the composition reads raw text with it: the same weights, frozen, and not
    compiled (so neither its optimizer nor its state goes into the bundle)."""
    copy = type(parser).from_config(parser.get_config())  # clone_model would keep the compiled optimizer
    copy.set_weights(parser.get_weights())
    copy.trainable = False
    return copy


def parser_facts(curve: list[float]) -> dict:
    return {"epochs": len(curve), "best_epoch": curve.index(max(curve)) + 1, "dev_bracketing_f1": curve}


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


def parser_and_trees(splits: Splits, config, vocabulary: list[str], *, seed, vectors, facts):
    """Stage 1's part of `prepare_tree`: (a dict that holds the parser the composition
    reads raw text with, under "parser", once it is trained; the stages to run first; the
    bundles taken; the training trees). The parser's facts go into `facts`. A resumed run
    gets its parser from the stage's checkpoint (all its epochs done: none is run again)."""
    taken, stages = {}, ()
    reading = {}  # the parser the composition's dev scores read raw text with, once it is trained
    if hasattr(splits.train, "trees"):  # bracketed trees: stage 1 trains a parser of their own
        trees = splits.train.trees

        def parser_trained(parser, history: list[dict]) -> None:
            curve = curve_of(history)
            print(f"Parser: dev bracketing F1 {max(curve) * 100:.2f} (epoch {curve.index(max(curve)) + 1})")
            reading["parser"] = reading_copy(parser)
            facts["parser"] = parser_facts(curve)  # read by the run after the stages

        parser = new_parser(config, vocabulary, seed, vectors)
        epochs = config.training.parser_epochs
        stages = (parser_stage(parser, trees, splits.dev.trees, config.training, seed, epochs, parser_trained),)
    else:
        from sentiment.tree.taken_parser import parsed_trees, taken_parser

        reading["parser"], taken["parser"] = taken_parser(config.model.tree.parser_bundle)
        found = parsed_trees(reading["parser"], config.model.max_length, splits.train.texts, splits.train.labels)
        trees = [tree for tree in found if tree is not None]
        print(f"Parser {taken['parser']['reference']}: {len(trees)} texts parsed", flush=True)
    return reading, stages, taken, trees


def prepare_tree(
    splits: Splits, config, prepared_dir: Path, *, resume: bool, seed: int, api_class: type, calibrate
) -> Fit:
    """The Fit of a tree model (see the module docstring): its models wrapped in the app's
    `api_class`, calibrated after training by `calibrate` (None: not at all)."""
    import keras
    import tensorflow as tf

    from sentiment.sequence import model as model_lib
    from sentiment.tree.model import build_tree_classifier, build_tree_end_to_end, tree_batches
    from shared.metrics import classification_report
    from shared.vectors import vectors_of

    if tf.distribute.has_strategy():
        raise ConfigError("a tree model trains in one process for now: leave out --strategy and --workers")
    has_trees = hasattr(splits.train, "trees")
    if has_trees == bool(config.model.tree.parser_bundle):
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
    facts = {}
    reading, stages, taken, trees = parser_and_trees(
        splits, config, vocabulary, seed=seed, vectors=vectors, facts=facts
    )
    # Whether stage 1 runs, resumes or was taken, the composition starts from the same random state.
    keras.utils.set_random_seed(seed)
    facts["train_examples"] = len(trees)
    print(f"Vocabulary: {len(vocabulary)} tokens; train {len(trees)} trees, dev {len(splits.dev)}", flush=True)
    lookup = {token: index for index, token in enumerate(vocabulary)}
    batches = tree_batches(trees, lookup, config.training.batch_size)
    classifier = build_tree_classifier(config.model, len(vocabulary), len(LABELS))
    if vectors is not None:  # a resumed composition takes its checkpoint's weights instead
        known = model_lib.initialize_from_vectors(classifier, vocabulary, vectors)
        print(f"Vectors {config.model.vectors}: {known} of {len(vocabulary)} leaf words start from theirs", flush=True)
    classifier.compile(
        optimizer=keras.optimizers.Adam(config.training.learning_rate, clipnorm=config.training.clip_norm),
        loss=keras.losses.SparseCategoricalCrossentropy(),
    )
    apis = {}  # one end-to-end model per classifier (a resumed run loads a new one)

    def api_of(model):
        if id(model) not in apis:
            parser = reading["parser"]
            parser.trainable = False  # a taken parser, as a trained one
            end_to_end = build_tree_end_to_end(config.model, vectorizer, model, parser)
            apis[id(model)] = api_class(end_to_end, {"labels": list(LABELS), "architecture": "tree"})
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
        facts=facts,  # the parser's facts are added when stage 1 is done
        metadata={"labels": list(LABELS), "architecture": "tree"},
        taken=taken,
        calibrate=calibrate,
        stages=stages,
    )
