"""PTB-style labelled trees: leaves, escapes, malformed lines named by file and line."""

import pytest

from shared.errors import DataError
from shared.treebank import iter_phrases, parse_tree, read_trees


def test_a_leaf_with_a_non_breaking_space_stays_one_token():
    tree = parse_tree("(3 (2 like) (2 8\u00a01\\/2))")
    assert tree.label == 3
    assert tree.tokens == ("like", "8 1/2")


def test_ptb_escapes_are_undone():
    tree = parse_tree("(2 (2 -LRB-) (2 (2 a\\*b) (2 -RRB-)))")
    assert tree.tokens == ("(", "a*b", ")")


@pytest.mark.parametrize("line", ["(2 (2 a)", "(7 word)", "2 word)", "(2 (2 a)) extra"])
def test_a_malformed_line_is_refused(line):
    with pytest.raises(ValueError):
        parse_tree(line)


def test_every_labelled_phrase_root_first():
    tree = parse_tree("(3 (2 The) (4 (3 gorgeous) (2 film)))")
    assert [(node.label, " ".join(node.tokens)) for node in iter_phrases(tree)] == [
        (3, "The gorgeous film"),
        (2, "The"),
        (4, "gorgeous film"),
        (3, "gorgeous"),
        (2, "film"),
    ]


def test_a_file_skips_blank_lines_and_names_the_malformed_one(tmp_path):
    path = tmp_path / "trees.txt"
    path.write_text("(3 (2 A) (4 joy))\n\n(1 (1 dull)\n", encoding="utf-8")
    trees = read_trees(path)
    assert next(trees).tokens == ("A", "joy")
    with pytest.raises(DataError, match=r"trees.txt: line 3: malformed tree \(expected '\)' at character 11\)"):
        next(trees)
