"""A tree model's evaluation beyond its raw-text scores: with the gold trees (root and
every phrase, as the treebank's papers report), and its parser's bracketing against them."""

from __future__ import annotations

import numpy as np

from sentiment.data import LABELS
from sentiment.report import binary_accuracy


def gold_tree_nodes(api, trees, batch_size: int = 256):
    """For each batch of `trees` (length-sorted): (its TreeBatch, node probabilities [B, 2T, 3])
    of the api's classifier composed over the gold trees."""
    from sentiment.tree.model import TREE_CLASSIFIER, tree_batches
    from sentiment.trees import encode_trees
    from shared.sequences import length_sorted_batches

    classifier = api.model.get_layer(TREE_CLASSIFIER)
    lookup = {token: index for index, token in enumerate(api.model.get_layer("vectorizer").get_vocabulary())}
    for index, (inputs, _, _) in zip(
        length_sorted_batches([len(tree.tokens) for tree in trees], batch_size), tree_batches(trees, lookup, batch_size)
    ):
        yield encode_trees([trees[i] for i in index]), classifier(inputs, training=False).numpy(), index


def parsed_splits(api, text: str) -> tuple[int, list]:
    """(how many tokens the api's parser read in `text`, the (i, j, k) of its tree's nodes)."""
    tokens, found, _, _ = api.reading.tree(text)
    count = len(tokens.numpy())
    return count, [tuple(int(v) for v in node) for node in found.numpy()[: max(count - 1, 0)]]


def unlabelled_spans(splits, count: int) -> set[tuple[int, int]]:
    """The spans (i, j) of a tree's composed nodes `splits` ((i, j, k) each) over `count`
    tokens, the whole sentence left out (it is always right)."""
    return {(i, j) for i, j, _ in splits} - {(0, count)}


def span_f1(pairs) -> dict:
    """Precision, recall and F1 over (our spans, gold spans) of many trees, pooled."""
    correct = predicted = gold = 0
    for ours, theirs in pairs:
        correct, predicted, gold = correct + len(ours & theirs), predicted + len(ours), gold + len(theirs)
    precision, recall = correct / max(predicted, 1), correct / max(gold, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 6), "recall": round(recall, 6), "f1": round(f1, 6)}


def bracketing(parse, texts, trees) -> dict:
    """Unlabelled bracketing precision, recall and F1 of `parse` (text -> `parsed_splits`) on
    `texts` against the gold `trees` (spans of two tokens or more, the whole sentence left
    out: it is always right)."""
    from sentiment.parser.model import gold_splits

    def pairs():
        for text, tree in zip(texts, trees):
            count, found = parse(text)
            if count == len(tree.tokens):  # else the text's tokens are not the tree's (not our standardization)
                yield unlabelled_spans(found, count), unlabelled_spans(gold_splits(tree), count)

    return span_f1(pairs())


def evaluate_trees(api, data) -> dict:
    """The gold-tree scores of a tree model on `data` (LabelledTrees): root accuracy,
    macro-F1 and binary accuracy, all-phrases accuracy; and its parser's bracketing."""
    from shared.metrics import classification_report

    trees = list(data.trees)
    roots = np.zeros((len(trees), len(LABELS)), np.float32)
    right = total = 0
    for batch, nodes, index in gold_tree_nodes(api, trees):
        roots[index] = nodes[np.arange(len(index)), batch.roots]
        labelled = batch.labels >= 0
        right += int((nodes.argmax(-1) == batch.labels)[labelled].sum())
        total += int(labelled.sum())
    labels = [tree.label for tree in trees]
    report = classification_report(labels, roots.argmax(axis=1), LABELS)
    return {
        "gold_trees": {
            "accuracy": report["accuracy"],
            "macro_f1": report["macro_f1"],
            "binary_accuracy": binary_accuracy(roots, labels),
            "all_phrases_accuracy": round(right / max(total, 1), 6),
            "phrases": total,
        },
        "bracketing": bracketing(lambda text: parsed_splits(api, text), data.texts, trees),
    }
