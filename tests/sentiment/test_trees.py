"""Recursive composition: trees laid out as arrays, composed a height level at a time,
give every node the state that composing it node by node gives."""

import numpy as np
import pytest
import tensorflow as tf

from sentiment.tree.model import CELLS, TreeComposer
from sentiment.trees import NO_LABEL, binary_node, encode_trees
from shared.errors import DataError
from shared.treebank import TreeNode


def leaf(token: str, label: int = 1) -> TreeNode:
    return binary_node(label, (token,))


def node(left: TreeNode, right: TreeNode, label: int = 2) -> TreeNode:
    return binary_node(label, left.tokens + right.tokens, (left, right))


TREES = [
    node(node(leaf("a"), leaf("fine", 2)), node(leaf("little"), node(leaf("film"), leaf(".", NO_LABEL))), 0),
    leaf("Dull", 0),  # one word: its leaf is its root
    node(leaf("not"), node(leaf("bad"), leaf("!")), 1),
]


def test_a_batch_is_laid_out_by_height_with_children_before_parents():
    batch = encode_trees(TREES)
    assert batch.width == 5 and batch.left.shape == (3, 3, 2)  # 3 levels, at most 2 nodes on one
    scratch = 9
    # Tree 0: leaves 0..4; composed in post-order: (a fine)=5, (film .)=6, (little (film .))=7, root=8.
    assert batch.slots[0].tolist() == [[5, 6], [7, scratch], [8, scratch]]
    assert batch.left[0, 0].tolist() == [0, 3] and batch.right[0, 0].tolist() == [1, 4]
    assert batch.left[0, 2, 0] == 5 and batch.right[0, 2, 0] == 7
    assert batch.labels[0].tolist() == [1, 2, 1, 1, NO_LABEL, 2, 2, 2, 0, NO_LABEL]
    assert batch.roots.tolist() == [8, 0, 6]
    assert (batch.slots[1] == scratch).all()  # a lone leaf composes nothing


def reference_states(composer, tree: TreeNode, vectors: dict) -> list:
    """Each node's h, composed one node at a time, in `_walk`'s order (leaves, then post-order)."""
    leaves, composed = [], []

    def walk(tree):
        if not tree.children:
            h, c = composer.leaf_states(vectors[tree.tokens[0]][None])
            leaves.append(h[0])
            return h, c
        (hl, cl), (hr, cr) = walk(tree.children[0]), walk(tree.children[1])
        h, c = composer.node_states(hl, cl, hr, cr)
        composed.append(h[0])
        return h, c

    walk(tree)
    return leaves + composed


@pytest.mark.parametrize("cell", CELLS)
def test_composing_a_level_at_a_time_equals_composing_node_by_node(cell):
    keras_seed = tf.random.Generator.from_seed(3)
    words = sorted({token for tree in TREES for token in tree.tokens})
    vectors = {word: keras_seed.normal([6]) for word in words}
    batch = encode_trees(TREES)
    leaf_vectors = np.zeros((len(TREES), batch.width, 6), np.float32)
    for row, tokens in enumerate(batch.tokens):
        for position, token in enumerate(tokens):
            leaf_vectors[row, position] = vectors[token]
    composer = TreeComposer(4, cell)
    states = composer([leaf_vectors, batch.left, batch.right, batch.slots]).numpy()
    assert states.shape == (3, 10, 4)
    for row, tree in enumerate(TREES):
        expected = reference_states(composer, tree, vectors)
        leaves = len(tree.tokens)
        got = [states[row, slot] for slot in [*range(leaves), *range(5, 5 + leaves - 1)]]
        np.testing.assert_allclose(np.stack(got), np.stack(expected), atol=1e-5)
        np.testing.assert_allclose(states[row, batch.roots[row]], expected[-1], atol=1e-5)


def test_gradients_reach_every_leaf_through_the_levels():
    batch = encode_trees(TREES[:1])
    vectors = tf.Variable(tf.random.stateless_normal([1, 5, 6], seed=[1, 2]))
    composer = TreeComposer(4, "lstm")
    with tf.GradientTape() as tape:
        states = composer([vectors, batch.left, batch.right, batch.slots])
        root = tf.reduce_sum(states[0, int(batch.roots[0])])
    gradient = tape.gradient(root, vectors).numpy()
    assert (np.abs(gradient[0]).sum(axis=-1) > 0).all()  # the root depends on all five words


@pytest.mark.parametrize("children", [1, 3])
def test_a_node_is_binary(children):
    with pytest.raises(ValueError, match=f"a node has {children} children"):
        binary_node(1, ("a",) * children, tuple(leaf("a") for _ in range(children)))


def test_sst_trees_are_read_over_the_apps_own_tokens_with_three_classes(tmp_path):
    from sentiment.data import read_sst_trees

    path = tmp_path / "trees.txt"
    path.write_text("(3 (2 It) (4 (3 (2 is) (4 n't-bad)) (2 ...)))\n(1 (0 Dull))\n", encoding="utf-8")
    first, second = read_sst_trees(path)
    # "It" is lowercased; "n't-bad" splits into n't - bad and "..." into . . .: right-branching chains.
    assert first.tokens == ("it", "is", "n't", "-", "bad", ".", ".", ".")
    assert first.label == 2 and first.children[0].label == 1  # 5 classes to 3: 3 -> positive, 2 -> neutral
    chain = first.children[1].children[0].children[1]
    assert chain.tokens == ("n't", "-", "bad") and chain.label == 2
    assert [child.tokens for child in chain.children] == [("n't",), ("-", "bad")]
    assert second.tokens == ("dull",) and second.label == 0 and not second.children  # a unary node: the outer label


def test_a_node_with_three_children_is_refused(tmp_path):
    from sentiment.data import read_sst_trees

    path = tmp_path / "trees.txt"
    path.write_text("(3 (2 a) (2 b) (2 c))\n", encoding="utf-8")
    with pytest.raises(DataError, match="trees.txt: line 1: a node with 3 children over 'a b c': trees must be binary"):
        read_sst_trees(path)


@pytest.mark.parametrize("cell", CELLS)
def test_a_parsers_splits_compose_to_the_same_root_as_the_tree(cell):
    from sentiment.parser.model import gold_splits, greedy_splits
    from sentiment.trees import encode_splits

    batch = encode_trees(TREES)
    vectors = tf.random.stateless_normal([len(TREES), batch.width, 6], seed=[5, 6])
    composer = TreeComposer(4, cell)
    by_height = composer([vectors, batch.left, batch.right, batch.slots]).numpy()
    pre_orders = []
    for tree in TREES:  # the gold tree as a parser gives it: pre-order, from scores that favour it
        scores = np.zeros((batch.width + 1, batch.width + 1))
        for i, j, _ in gold_splits(tree):
            scores[i, j] = 1.0
        scores[np.arange(batch.width), np.arange(1, batch.width + 1)] = 1.0
        pre_orders.append(greedy_splits(scores, len(tree.tokens)))
    left, right, slots, roots = encode_splits(pre_orders, [len(tree.tokens) for tree in TREES])
    assert slots.shape == (3, 4, 1)  # one node a step: the largest tree has four
    one_by_one = composer([vectors, left, right, slots]).numpy()
    for row in range(len(TREES)):
        np.testing.assert_allclose(one_by_one[row, roots[row]], by_height[row, batch.roots[row]], atol=1e-5)
