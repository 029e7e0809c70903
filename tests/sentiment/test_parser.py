"""The app's own parser: gold splits, greedy top-down decoding, and a span scorer that learns
the bracketing of a handful of trees."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sentiment.parser.model import SpanScorer, gold_splits, greedy_splits, split_logits
from tests.sentiment.test_trees import TREES, leaf, node


def test_gold_splits_name_each_composed_nodes_span_and_split():
    # (a fine) (little (film .)) -> root (0, 5) splits at 2; (2, 5) at 3; (3, 5) at 4; (0, 2) at 1.
    assert sorted(gold_splits(TREES[0])) == [(0, 2, 1), (0, 5, 2), (2, 5, 3), (3, 5, 4)]
    assert gold_splits(TREES[1]) == []


def test_greedy_decoding_follows_the_scores_top_down():
    scores = np.zeros((6, 6))
    for i, j, _ in gold_splits(TREES[0]):
        scores[i, j] = 1.0  # every gold span scores, every other span not
    for i in range(5):
        scores[i, i + 1] = 1.0  # a single token is always a span
    assert greedy_splits(scores, 5) == [(0, 5, 2), (0, 2, 1), (2, 5, 3), (3, 5, 4)]  # pre-order
    assert greedy_splits(scores, 1) == []


def test_split_logits_score_each_split_by_its_two_halves():
    scores = tf.constant(np.arange(16, dtype="float32").reshape(1, 4, 4))
    logits = split_logits(scores, tf.constant([[[0, 3], [1, 3]]])).numpy()[0]
    # (0, 3): k = 1 -> s(0,1) + s(1,3) = 1 + 7; k = 2 -> s(0,2) + s(2,3) = 2 + 11; the rest impossible.
    np.testing.assert_allclose(logits[0, 1:3], [8.0, 13.0])
    assert (logits[0, [0, 3]] < -1e8).all() and (logits[1, [0, 1, 3]] < -1e8).all()


@pytest.mark.parametrize("depth", [1, 2])
def test_a_span_scorer_learns_the_bracketing_of_its_trees(depth):
    keras.utils.set_random_seed(4)
    trees = [*TREES, node(leaf("a"), node(node(leaf("very"), leaf("good")), leaf("film"))), TREES[0]]
    vocabulary = {token: index + 1 for index, token in enumerate(sorted({t for tree in trees for t in tree.tokens}))}
    width = max(len(tree.tokens) for tree in trees)
    ids = np.zeros((len(trees), width), "int64")
    for row, tree in enumerate(trees):
        ids[row, : len(tree.tokens)] = [vocabulary[token] for token in tree.tokens]
    nodes = max(len(gold_splits(tree)) for tree in trees)
    spans = np.zeros((len(trees), nodes, 2), "int32")
    splits = np.zeros((len(trees), nodes), "int32")
    weights = np.zeros((len(trees), nodes), "float32")
    for row, tree in enumerate(trees):
        for column, (i, j, k) in enumerate(gold_splits(tree)):
            spans[row, column], splits[row, column], weights[row, column] = (i, j), k, 1.0
    embedding = keras.layers.Embedding(len(vocabulary) + 1, 8, mask_zero=True)
    scorer = SpanScorer(8, 8, depth)
    optimizer = keras.optimizers.Adam(0.05)
    for _ in range(60):
        with tf.GradientTape() as tape:
            vectors = embedding(ids)
            logits = split_logits(scorer(vectors, mask=embedding.compute_mask(ids)), spans)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(splits, logits)
            loss = tf.reduce_sum(losses * weights) / weights.sum()
        variables = embedding.trainable_variables + scorer.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    scores = scorer(embedding(ids), mask=embedding.compute_mask(ids)).numpy()
    for row, tree in enumerate(trees):
        assert sorted(greedy_splits(scores[row], len(tree.tokens))) == sorted(gold_splits(tree))


def test_the_in_graph_parse_is_the_greedy_parse_laid_out_for_the_composer():
    from sentiment.parser.model import GreedyParse
    from sentiment.trees import encode_splits

    rng = np.random.default_rng(7)
    lengths = [6, 1, 2, 5, 3]
    scores = rng.normal(size=(len(lengths), 7, 7)).astype("float32")
    left, right, slots, roots, found = (value.numpy() for value in GreedyParse()(scores, np.array(lengths)))
    expected = [greedy_splits(scores[row], length) for row, length in enumerate(lengths)]
    for row, nodes in enumerate(expected):
        assert [tuple(node) for node in found[row, : len(nodes)]] == nodes
    e_left, e_right, e_slots, e_roots = encode_splits(expected, lengths)
    steps = e_slots.shape[1]
    np.testing.assert_array_equal(roots, e_roots)
    for got, want in ((left, e_left), (right, e_right), (slots, e_slots)):
        np.testing.assert_array_equal(got[:, :steps], want)
        assert (got[:, steps:] == 11).all()  # beyond the largest tree: scratch (2 * 6 - 1)


def test_the_parsers_tokens_are_the_vectorizers_cut_as_its_ids_are():
    from sentiment.config import ModelConfig
    from sentiment.sequence.model import Truncate, build_vectorizer
    from sentiment.tree.model import token_strings

    config = ModelConfig(max_length=6)
    texts = ["It's a fine film, isn't it?", "", "one two three four five six seven eight", "\u200b"]
    vectorizer = build_vectorizer(config, texts)
    ids = Truncate(config.max_length)(vectorizer(tf.constant(texts))).numpy()
    tokens = token_strings(tf.constant(texts), config.max_length).numpy()
    assert tokens.shape == ids.shape == (4, 6)
    np.testing.assert_array_equal(tokens != b"", ids != 0)
    vocabulary = vectorizer.get_vocabulary()
    assert [vocabulary[i] for i in ids[0]] == [t.decode() for t in tokens[0]]  # "it 's a fine film ,"


@pytest.mark.parametrize("filters", [0, 4])
def test_only_a_parser_with_character_features_tells_unknown_words_apart(filters):
    from sentiment.config import ModelConfig, ParserSettings
    from sentiment.tree.model import build_parser

    keras.utils.set_random_seed(1)
    config = ModelConfig(parser=ParserSettings(dim=4, units=4, hidden=4, char_filters=filters))
    parser = build_parser(config, ["", "[UNK]", "the", "ran"], list("abcdefghijklmnopqrstuvwxyz"))
    tokens = tf.constant([["the", "quickly", "ran"], ["the", "zebra", "ran"]])  # the middle word is unknown in both
    scores = parser(tokens).numpy()
    assert np.allclose(scores[0], scores[1]) == (filters == 0)
