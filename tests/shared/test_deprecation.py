"""Public names that moved keep working through deprecated aliases (README: Deprecated names)."""

from __future__ import annotations

import importlib

import pytest

MOVED = [
    ("shared.trainer", "train", "shared.training", "train"),
    ("shared.trainer", "dataset_source", "shared.training", "dataset_source"),
    ("shared.trainer", "ensure_default_model", "shared.training", "ensure_default_model"),
    ("shared.distributed", "make_distribution", "shared.training.distribution", "make_distribution"),
    ("shared.distributed", "distributed_epoch", "shared.training.steps", "distributed_epoch"),
    ("shared.distributed", "run_local_workers", "shared.training.workers", "run_local_workers"),
    ("shared.verbs.export", "export_model", "shared.export", "export_model"),
    ("shared.ray_scoring", "score_on_ray", "shared.ray_engine", "score_on_ray"),
    ("shared.ray_scoring", "input_files", "shared.inputs", "input_files"),
    ("shared.ray_scoring", "commit_output", "shared.part_files", "commit_output"),
    ("lm.scoring", "stream_bits", "lm.inference", "stream_bits"),
    ("sentiment.model", "build_classifier", "sentiment.sequence.model", "build_classifier"),
    ("sentiment.tree_model", "build_tree_classifier", "sentiment.tree.model", "build_tree_classifier"),
    ("sentiment.parser", "SpanScorer", "sentiment.parser.model", "SpanScorer"),
    ("sentiment.trees", "Tree", "shared.treebank", "TreeNode"),
    ("shared.training.steps", "step_strategy", "shared.training.steps", "step_runner"),
    ("shared.selection", "strategies", "shared.selection", "rankings"),
    ("shared.cli", "make_parser", "shared.cli", "argument_parser"),
    ("shared.verbs.train", "build_parser", "shared.verbs.train", "train_arguments"),
]


@pytest.mark.parametrize(("old_module", "old_name", "new_module", "new_name"), MOVED)
def test_an_old_name_still_works_and_says_where_it_moved(old_module, old_name, new_module, new_name):
    new = getattr(importlib.import_module(new_module), new_name)
    with pytest.warns(
        DeprecationWarning, match=rf"^{old_module}\.{old_name} is deprecated: use {new_module}\.{new_name}$"
    ):
        old = getattr(importlib.import_module(old_module), old_name)
    assert old is new


def test_the_old_char_lm_layer_maker_still_works_and_warns(tmp_path):
    from shared.errors import BundleError

    with pytest.warns(
        DeprecationWarning,
        match=r"^lm\.embeddings\.from_bundle is deprecated: use lm\.transfer\.CharacterModel\.open\(path\)"
        r"\.embedding_layer\(name\)$",
    ):
        from lm.embeddings import from_bundle
    with pytest.raises(BundleError, match="model folder not found"):
        from_bundle(tmp_path / "nothing")


@pytest.mark.parametrize("old_module", ["sentiment.model", "sentiment.parser"])
def test_a_moved_module_answers_no_name_its_new_home_lacks(old_module):
    module = importlib.import_module(old_module)
    with pytest.raises(AttributeError, match="has no attribute 'fit_everything'"):
        module.fit_everything  # noqa: B018


def test_a_candidates_score_is_its_uncertainty_and_warns():
    from shared.selection import Candidate

    candidate = Candidate(1, "text", "positive", 0.75)
    with pytest.warns(DeprecationWarning, match=r"^Candidate\.score is deprecated: use Candidate\.uncertainty$"):
        assert candidate.score == candidate.uncertainty == 0.75


def test_a_name_that_never_was_is_an_attribute_error():
    import shared.trainer

    with pytest.raises(AttributeError, match="has no attribute 'fit_everything'"):
        shared.trainer.fit_everything  # noqa: B018
