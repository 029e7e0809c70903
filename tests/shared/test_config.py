import json
import re

import pytest

from sentiment.config import SentimentConfig
from shared.config import load_config, parse_overrides
from shared.errors import ConfigError


def test_overrides_are_nested_and_coerced_to_field_types():
    config = load_config(
        SentimentConfig,
        None,
        ["--model.cell", "lstm", "--training.epochs=3", "--model.sequence.bidirectional", "false"],
    )
    assert config.model.cell == "lstm"
    assert config.training.epochs == 3
    assert config.model.sequence.bidirectional is False


def test_file_then_overrides(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"model": {"units": 32, "sequence": {"layers": 2}}}))
    config = load_config(SentimentConfig, path, ["--model.units", "16"])
    assert (config.model.units, config.model.sequence.layers) == (16, 2)
    assert config.training == SentimentConfig().training


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["--model.colour", "red"], "unknown key 'colour'"),
        (["--model.cell", "transformer"], "is not one of lstm, gru, simple_rnn"),
        (["--training.epochs", "many"], "expected int"),
        (["--model.sequence.layers", "4"], "layers must be 1, 2 or 3"),
        (["--model.sequence.layers", "0"], r"layers must be 1, 2 or 3 \(or 0 on top of encoder_layers\)"),
        (["--model.sequence.encoder_layers", "1"], "encoder_layers needs an encoder"),
        (
            [
                "--model.sequence.encoder=lm",
                "--model.sequence.encoder_layers=1",
                "--model.sequence.layers=0",
                "--model.sequence.pooling=last",
            ],
            "pooling 'last'",
        ),
        (["--model.parser.units", "0"], "units must be positive"),
        (["--model.dropout", "1.5"], r"dropout must be in \[0, 1\)"),
        (["--model.units"], "needs a value"),
        (["--epochs", "3"], "unrecognised argument"),
    ],
)
def test_bad_overrides_raise_config_error(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(SentimentConfig, None, overrides)


def test_unreadable_config_file_is_a_config_error(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not a readable JSON config"):
        load_config(SentimentConfig, path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(SentimentConfig, tmp_path / "missing.json")


def test_parse_overrides_builds_nested_dicts():
    assert parse_overrides(["--a.b", "1", "--a.c=2"]) == {"a": {"b": "1", "c": "2"}}


def test_the_readmes_tree_command_trains_the_config_of_the_readmes_tree_results():
    """The README's tree row comes from benchmarks.tree_benchmark; its command must build
    the same config (a tree model's defaults are the ones that benchmark chose)."""
    import re
    import shlex

    from benchmarks.tree_benchmark import VARIANTS
    from shared.tasks import get_app
    from shared.verbs.train import train_arguments, training_config
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(
        r"python -m sentiment\.train (--dataset sst --model\.architecture tree[^\n]*\\\n[^\n]*)", readme
    )
    argv = shlex.split(command.group(1).replace("\\\n", " "))
    args, overrides = train_arguments(get_app("sentiment"), "").parse_known_args(argv)
    built = training_config(get_app("sentiment"), args, overrides)
    assert built == load_config(SentimentConfig, None, VARIANTS["tree-lstm-glove"][1])
    assert (built.model.cell, built.model.units, built.training.batch_size) == ("lstm", 128, 32)
    assert load_config(SentimentConfig, None, []).model.units == 64  # the sequence model keeps its own


def test_a_bad_value_names_the_option_or_the_file_it_came_from(tmp_path):
    import json

    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"model": {"units": 8}, "training": {"epochs": "two"}}))
    with pytest.raises(ConfigError, match=r"^--training\.calibration: 'isotonic' is not one of temperature, none$"):
        load_config(SentimentConfig, path, ["--training.calibration", "isotonic", "--training.epochs", "2"])
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}\.training\.epochs: expected int, got 'two'$"):
        load_config(SentimentConfig, path, [])
    with pytest.raises(
        ConfigError, match=r"^--model\.tree\.parser_bundle: tree\.parser_bundle \(a tree bundle's parser\)"
    ):
        load_config(SentimentConfig, None, ["--model.tree.parser_bundle", "models/trees"])
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}\.model and --model\.tree\.parser_bundle: tree"):
        load_config(SentimentConfig, path, ["--model.tree.parser_bundle", "models/trees", "--training.epochs", "2"])


def test_keys_of_the_flat_model_section_before_architecture_sections_still_work_and_warn(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"model": {"layers": 2, "parser_units": 32}}))
    with pytest.warns(DeprecationWarning) as warned:
        config = load_config(SentimentConfig, path, ["--model.pooling", "mean", "--model.parser_hidden=16"])
    assert sorted(str(warning.message) for warning in warned) == [
        "--model.parser_hidden is deprecated: use --model.parser.hidden",
        "--model.pooling is deprecated: use --model.sequence.pooling",
        f"{path}: model.layers is deprecated: use model.sequence.layers",
        f"{path}: model.parser_units is deprecated: use model.parser.units",
    ]
    assert (config.model.sequence.layers, config.model.sequence.pooling) == (2, "mean")
    assert (config.model.parser.units, config.model.parser.hidden) == (32, 16)


def test_a_bundles_record_of_the_flat_model_section_reads_as_the_sections_it_moved_to():
    from shared.config import config_of_record

    record = {"model": {"architecture": "tree", "parser": "trees (sha256 0123)", "parser_dim": 100, "layers": 2}}
    model = config_of_record(SentimentConfig, record).model
    assert (model.tree.parser_bundle, model.parser.dim, model.sequence.layers) == ("trees (sha256 0123)", 100, 2)
    assert model.vectors == "none"  # a bundle from before the vectors trained without them
