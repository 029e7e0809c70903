import json

import pytest

from sentiment.config import SentimentConfig
from shared.config import load_config, parse_overrides
from shared.errors import ConfigError


def test_overrides_are_nested_and_coerced_to_field_types():
    config = load_config(
        SentimentConfig, None, ["--model.cell", "lstm", "--training.epochs=3", "--model.bidirectional", "false"]
    )
    assert config.model.cell == "lstm"
    assert config.training.epochs == 3
    assert config.model.bidirectional is False


def test_file_then_overrides(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"model": {"units": 32, "layers": 2}}))
    config = load_config(SentimentConfig, path, ["--model.units", "16"])
    assert (config.model.units, config.model.layers) == (16, 2)
    assert config.training == SentimentConfig().training


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["--model.colour", "red"], "unknown key 'colour'"),
        (["--model.cell", "transformer"], "is not one of lstm, gru, simple_rnn"),
        (["--training.epochs", "many"], "expected int"),
        (["--model.layers", "4"], "layers must be 1, 2 or 3"),
        (["--model.layers", "0"], r"layers must be 1, 2 or 3 \(or 0 on top of encoder_layers\)"),
        (["--model.encoder_layers", "1"], "encoder_layers needs an encoder"),
        (
            ["--model.encoder=lm", "--model.encoder_layers=1", "--model.layers=0", "--model.pooling=last"],
            "pooling 'last'",
        ),
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
