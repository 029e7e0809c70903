"""The tree architecture's recipe (`sentiment.architectures`): SST's trees (or plain texts
parsed by a taken parser), its two-stage training run, its gold-tree and bracketing
scores, and its reading of a text as a tree."""

from __future__ import annotations

from sentiment.architectures import Reading, Recipe
from sentiment.data import load_named_dataset, load_tree_dataset
from sentiment.tree.training import prepare_tree
from shared.errors import UnsupportedError


class TreeReading(Reading):
    """A tree model's reading: its parser's tree and every node's probabilities."""

    def __init__(self, model, calibrate):
        import tensorflow as tf

        from sentiment.tree.model import token_strings

        vectorizer, truncate = model.get_layer("vectorizer"), model.get_layer("truncate")
        parser, parse = model.get_layer("parser"), model.get_layer("parse")
        classifier = model.get_layer("tree_classifier")
        spelled = parser.inputs[0].dtype == "string"  # parsers before character features read the ids

        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def read(text):
            texts = tf.reshape(text, [1])
            ids = truncate(vectorizer(texts))
            tokens = token_strings(texts, truncate.max_length)
            lengths = tf.reduce_sum(tf.cast(ids != 0, tf.int32), axis=1)
            left, right, slots, _, found = parse(parser(tokens if spelled else ids, training=False), lengths)
            nodes = calibrate(classifier([ids, left, right, slots], training=False))
            return tokens[0, : lengths[0]], found[0], nodes[0], tf.shape(ids)[1]

        self._read = read

    def steps(self, text: str):
        raise UnsupportedError(
            "a tree model reads a text as a whole, not word by word: call predict_tree(text) for its tree"
        )

    def tree(self, text: str):
        return self._read(text)

    def explain(self, api, text: str):
        return api.predict(text), api.predict_tree(text)


def load_dataset(name: str, config):
    """The treebank's trees; plain texts when a taken parser gives them theirs."""
    if config.model.tree.parser_bundle:
        return load_named_dataset(name, phrases=config.training.phrases)
    return load_tree_dataset(name)


def tree_scores(api, data) -> dict:
    """Its gold-tree scores and its parser's bracketing, on data with trees."""
    from sentiment.tree.evaluation import evaluate_trees

    return evaluate_trees(api, data) if getattr(data, "trees", ()) else {}


def no_portable(api):
    raise UnsupportedError("a tree model exports as a SavedModel only (no --format onnx)")


RECIPE = Recipe(load_dataset, prepare_tree, tree_scores, TreeReading, no_portable)
