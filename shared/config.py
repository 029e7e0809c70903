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


def config_from_dict(cls, data: dict, *, where: str = "config", origin=None, _key: str = ""):
    """Build dataclass `cls` from nested dicts, coercing values and rejecting unknown keys.

    `origin(dotted_key)` names where a value or section came from for messages (the
    config file or a command-line override; default: `where` and the key)."""
    origin = origin or (lambda key: f"{where}.{key}" if key else where)
    if not isinstance(data, dict):
        raise ConfigError(f"{origin(_key)}: expected an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(data) - fields)
    if unknown:
        where_unknown = origin(f"{_key}.{unknown[0]}" if _key else unknown[0])
        raise ConfigError(f"{where_unknown}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(fields))}")
    values = {}
    for name, value in data.items():
        kind, key = hints[name], f"{_key}.{name}" if _key else name
        if dataclasses.is_dataclass(kind):
            values[name] = config_from_dict(kind, value, origin=origin, _key=key)
        else:
            values[name] = _coerce(value, kind, origin(key))
    try:
        config = cls(**{**_defaults(cls), **values})
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{origin(_key)}: {error}") from None
    return config


def config_of_record(cls, data: dict):
    """The config a bundle's metadata records. A field the record lacks was added after
    the bundle was trained: it takes the value the bundle was trained with (the class's
    `BEFORE_ADDED`, e.g. vectors "none"), not today's default; a key that has moved since
    is read at its new place (the class's `MOVED_KEYS`)."""
    before = getattr(cls, "BEFORE_ADDED", {})
    if isinstance(data, dict):
        data = merged(before, with_moved_keys(data, getattr(cls, "MOVED_KEYS", {}))[0])
    return config_from_dict(cls, data, where="the bundle's config")


def with_moved_keys(data: dict, moves: dict[str, str]) -> tuple[dict, list[str]]:
    """(`data` with the value of each old dotted key of `moves` under its new key, the old
    keys found). A key whose value is a section (a dict) is not an old one: `model.parser`
    the bundle path moved, `model.parser` the section is today's."""
    found = []
    for old, new in moves.items():
        *section, name = old.split(".")
        holder = value_at(data, ".".join(section))
        if not isinstance(holder, dict) or name not in holder or isinstance(holder[name], dict):
            continue
        value = holder[name]
        data = _without(data, old)
        data = merged(data, nested(new, value))
        found.append(old)
    return data, found


def _without(data: dict, key: str) -> dict:
    head, _, rest = key.partition(".")
    if not rest:
        return {name: value for name, value in data.items() if name != head}
    return {**data, head: _without(data[head], rest)}


def nested(key: str, value) -> dict:
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


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


def merged(base: dict, extra: dict) -> dict:
    """`extra` over `base`, section by section."""
    result = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def value_at(data: dict, key: str):
    for part in key.split(".") if key else []:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _leaf_keys(data, prefix: str) -> list[str]:
    if not isinstance(data, dict):
        return [prefix]
    return [leaf for name, value in data.items() for leaf in _leaf_keys(value, f"{prefix}.{name}" if prefix else name)]


def origin_of(path: Path | None, file_data: dict, overrides: dict):
    """`origin(dotted_key)` for `config_from_dict`: a value set on the command line is
    named as its option (`--training.calibration`), one from the file as the file and
    key (`tiny.json.training.calibration`); a section as every source of its values."""
    stem = str(path) if path is not None else "config"

    def origin(key: str) -> str:
        given = value_at(overrides, key)
        if given is not None and not isinstance(given, dict):
            return f"--{key}"
        in_file = value_at(file_data, key) is not None if key else bool(file_data)
        sources = ([f"{stem}.{key}" if key else stem] if in_file else []) + [
            f"--{leaf}" for leaf in _leaf_keys(given, key)
        ] * (given is not None)
        return " and ".join(sources) or (f"{stem}.{key}" if key else stem)

    return origin


def load_config(cls, path: str | Path | None = None, overrides: list[str] | None = None):
    """Defaults (a config class's `defaults_for(settings)` first, where it has one: the
    defaults of an architecture), then the JSON file at `path`, then dotted `overrides`."""
    data: dict = {}
    if path is not None:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConfigError(f"{path}: not a readable JSON config ({error})") from None
    given = parse_overrides(overrides or [])
    moves = getattr(cls, "MOVED_KEYS", {})
    if isinstance(data, dict):
        data, old_in_file = with_moved_keys(data, moves)
        warn_moved(old_in_file, moves, f"{path}: ", "")
    given, old_given = with_moved_keys(given, moves)
    warn_moved(old_given, moves, "--", "--")
    settings = merged(data, given)
    defaults_for = getattr(cls, "defaults_for", None)
    if defaults_for is not None and isinstance(settings, dict):
        settings = merged(defaults_for(settings), settings)
    return config_from_dict(cls, settings, origin=origin_of(path, data if isinstance(data, dict) else {}, given))


def warn_moved(old_keys: list[str], moves: dict[str, str], where: str, spelled: str) -> None:
    """A DeprecationWarning for each old config key used: `where` it was ("--" for an
    option, "FILE: " for a config file), the new key `spelled` as it would be there."""
    import warnings

    for old in old_keys:
        warnings.warn(f"{where}{old} is deprecated: use {spelled}{moves[old]}", DeprecationWarning, stacklevel=3)


def with_epochs(config, epochs: int):
    """`config` (with a `training.epochs` field) limited to at most `epochs` epochs."""
    import dataclasses

    training = dataclasses.replace(config.training, epochs=min(epochs, config.training.epochs))
    return dataclasses.replace(config, training=training)
