"""The paths in a bundle's record of its training data: stored relative to the bundle
folder, so no path of the training machine is in a bundle anyone is given, and resolved
again when the data is read again (`shared.training_data`)."""

from __future__ import annotations

import os
from pathlib import Path

RELATIVE_TO = "paths_relative_to"  # marks a description whose paths are relative to its bundle


def _map_paths(value, change):
    """`value` (JSON-ready) with every string under a "path" key passed through `change`."""
    if isinstance(value, dict):
        return {
            key: change(item) if key == "path" and isinstance(item, str) else _map_paths(item, change)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_map_paths(item, change) for item in value]
    return value


def paths_relative_to(description: dict, folder: Path) -> dict:
    """`description` with each file's path relative to `folder` (the bundle's)."""
    base, changed = Path(folder).resolve(), []

    def relative(path: str) -> str:
        changed.append(path)
        return os.path.relpath(Path(path).resolve(), base)

    mapped = _map_paths(description, relative)
    return {**mapped, RELATIVE_TO: "bundle"} if changed else mapped


def paths_resolved(description: dict, folder: Path) -> dict:
    """A recorded `description` with each path absolute again (paths of bundles from
    before `paths_relative_to` are as they were typed, relative to the working folder)."""
    if description.get(RELATIVE_TO) != "bundle":
        return {key: value for key, value in description.items() if key != RELATIVE_TO}
    resolved = _map_paths(description, lambda path: str((Path(folder) / path).resolve()))
    return {key: value for key, value in resolved.items() if key != RELATIVE_TO}


def without_paths(description: dict) -> dict:
    """`description` less its paths: what must stay the same for data to be the same."""
    if isinstance(description, dict):
        return {key: without_paths(value) for key, value in description.items() if key not in ("path", RELATIVE_TO)}
    if isinstance(description, list):
        return [without_paths(value) for value in description]
    return description
