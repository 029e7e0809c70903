"""A tree model for texts without trees (CSV rows, a dataset of plain texts): the parser of
an existing tree bundle (`--parser DIR`) gives each text its tree once, before training,
and goes into the new bundle frozen; only each tree's root is labelled.

The parser reads token strings and holds its own vocabulary, so the new model keeps a
vocabulary of its own (the user's words) for its classifier, and the new bundle parses
every text exactly as the taken one does.
"""

from __future__ import annotations

from pathlib import Path

from shared.errors import ConfigError


def parser_record(path: str | Path) -> dict:
    """What a bundle records of the tree bundle whose parser it took (JSON-ready)."""
    from shared.bundle import MODEL_FILE, read_metadata
    from shared.files import sha256_of

    path = Path(path)
    metadata = read_metadata(path, task="sentiment")
    sha256 = sha256_of(path / MODEL_FILE)
    name = path.resolve().name
    dev = metadata.get("metrics", {}).get("dev", {})
    return {
        "name": name,
        "sha256": sha256,
        "dataset": metadata.get("dataset", {}),
        "dev": {key: dev[key] for key in ("accuracy", "macro_f1", "bracketing") if key in dev},
        "reference": f"{name} (sha256 {sha256[:16]})",
    }


def check_tree_bundle(path: str | Path) -> Path:
    """`path`, checked from its metadata alone (cheap, before any data is read) to be a tree
    model's bundle.

    Raises:
        ConfigError: a sequence model's bundle.
        BundleError: not a sentiment bundle.
    """
    from sentiment.architectures import architecture_of
    from shared.bundle import read_metadata

    if architecture_of(read_metadata(path, task="sentiment")) != "tree":
        raise ConfigError(f"{path}: a sequence model; --parser takes the bundle of a tree model")
    return Path(path)


def taken_parser(path: str | Path):
    """(the parser of the tree bundle at `path`, frozen; its record).

    Raises:
        ConfigError: the bundle is not a tree model, or its parser predates the one that
            reads token strings.
        BundleError: not a sentiment bundle.
    """
    from sentiment.tree.model import PARSER  # registers the layers of a tree bundle
    from shared.bundle import load_bundle

    parser = load_bundle(check_tree_bundle(path), task="sentiment").model.get_layer(PARSER)
    if parser.inputs[0].dtype != "string":
        raise ConfigError(f"{path}: its parser reads word ids only (an older tree model); retrain it to take it")
    parser.trainable = False
    return parser, parser_record(path)


def parsed_trees(parser, max_length: int, texts, labels, batch_size: int = 256) -> list:
    """Each text's tree (`shared.treebank.TreeNode`) as `parser` splits it (over its first
    `max_length` tokens, as the model reads it), its root labelled with the text's label
    and no other node; None for a text with no tokens."""
    import tensorflow as tf

    from sentiment.parser.model import GreedyParse
    from sentiment.tree.model import token_strings

    parse = GreedyParse()
    trees = []
    for start in range(0, len(texts), batch_size):
        tokens = token_strings(tf.constant(list(texts[start : start + batch_size])), max_length)
        lengths = tf.reduce_sum(tf.cast(tokens != "", tf.int32), axis=1)
        found = parse(parser(tokens, training=False), lengths)[-1].numpy()
        for row, count in enumerate(lengths.numpy()):
            words = [token.decode("utf-8") for token in tokens[row, :count].numpy()]
            splits = {(i, j): k for i, j, k in found[row, : max(count - 1, 0)]}
            trees.append(tree_of(words, splits, labels[start + row]) if count else None)
    return trees


def tree_of(tokens: list[str], splits: dict, label: int):
    """The tree over `tokens` that `splits` ((i, j) -> k) describe, only its root labelled."""
    from sentiment.trees import NO_LABEL, binary_node

    def node(i: int, j: int, node_label: int):
        if j - i == 1:
            return binary_node(node_label, (tokens[i],))
        k = splits[i, j]
        return binary_node(node_label, tuple(tokens[i:j]), (node(i, k, NO_LABEL), node(k, j, NO_LABEL)))

    return node(0, len(tokens), label)
