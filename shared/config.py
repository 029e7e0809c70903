"""Nested dataclass configs read from a JSON file plus dotted command-line overrides.

A config is a frozen dataclass of sections (themselves dataclasses). Values come from
the defaults, then a JSON file, then overrides such as `--model.cell gru`; each value
is coerced to the field's declared type, and unknown keys are errors.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from pathlib import Path

from shared.errors import ConfigError

MAX_SEED = 2**32 - 1  # NumPy's legacy generator, which Keras seeds, takes 32 bits


def check_seed(seed) -> int:
    """`seed` if it is a whole number from 0 to MAX_SEED, else a ConfigError."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"seed must be a whole number from 0 to {MAX_SEED:,}, got {seed!r}")
    return seed


def require_positive(config, *names: str) -> None:
    """ValueError unless each named field of `config` is at least 1."""
    for name in names:
        if getattr(config, name) < 1:
            raise ValueError(f"{name} must be positive")


def require_fraction(config, *names: str) -> None:
    """ValueError unless each named field of `config` is in [0, 1) (a dropout rate)."""
    for name in names:
        if not 0.0 <= getattr(config, name) < 1.0:
            raise ValueError(f"{name} must be in [0, 1)")


@dataclass(frozen=True)
class TrainingSettings:
    """What the shared training frame reads from every app's `training` section; an
    app's TrainingConfig subclasses it, with its own defaults and extra fields."""

    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 0.001
    clip_norm: float = 1.0
    patience: int = 3

    def __post_init__(self):
        require_positive(self, "epochs", "batch_size", "patience")
        if self.learning_rate <= 0:
            raise ValueError("learning_rate must be positive")


def config_to_dict(config) -> dict:
    """The config as plain JSON-ready nested dicts."""
    return dataclasses.asdict(config)


def config_from_dict(cls, data: dict, *, where: str = "config"):
    """Build dataclass `cls` from nested dicts, coercing values and rejecting unknown keys."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(data) - fields)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(fields))}")
    values = {}
    for name, value in data.items():
        kind = hints[name]
        if dataclasses.is_dataclass(kind):
            values[name] = config_from_dict(kind, value, where=f"{where}.{name}")
        else:
            values[name] = _coerce(value, kind, f"{where}.{name}")
    try:
        config = cls(**{**_defaults(cls), **values})
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}: {error}") from None
    return config


def _defaults(cls) -> dict:
    return {field.name: getattr(cls(), field.name) for field in dataclasses.fields(cls)}


def _coerce(value, kind, where: str):
    origin = typing.get_origin(kind)
    if origin is typing.Literal:
        choices = typing.get_args(kind)
        if value not in choices:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(map(str, choices))}")
        return value
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0", "yes", "no"}:
            return value.lower() in {"true", "1", "yes"}
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if kind in (int, float, str):
        if kind is not str and isinstance(value, bool):
            raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}")
        try:
            coerced = kind(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}") from None
        if kind is int and isinstance(value, float) and value != coerced:
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return coerced
    raise ConfigError(f"{where}: unsupported type {kind}")


def parse_overrides(args: list[str]) -> dict:
    """Turn `['--model.cell', 'gru', '--training.epochs=3']` into nested dicts."""
    overrides: dict = {}
    items = list(args)
    while items:
        flag = items.pop(0)
        if not flag.startswith("--") or "." not in flag:
            raise ConfigError(f"unrecognised argument {flag!r} (config overrides look like --section.key VALUE)")
        key, sep, value = flag[2:].partition("=")
        if not sep:
            if not items:
                raise ConfigError(f"override {flag} needs a value")
            value = items.pop(0)
        node = overrides
        *sections, leaf = key.split(".")
        for section in sections:
            node = node.setdefault(section, {})
        node[leaf] = value
    return overrides


def _merge(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(cls, path: str | Path | None = None, overrides: list[str] | None = None):
    """Defaults, then the JSON file at `path`, then dotted `overrides`."""
    data: dict = {}
    if path is not None:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConfigError(f"{path}: not a readable JSON config ({error})") from None
    data = _merge(data, parse_overrides(overrides or []))
    return config_from_dict(cls, data, where=str(path) if path else "config")


def with_epochs(config, epochs: int):
    """`config` (with a `training.epochs` field) limited to at most `epochs` epochs."""
    import dataclasses

    training = dataclasses.replace(config.training, epochs=min(epochs, config.training.epochs))
    return dataclasses.replace(config, training=training)
