"""A model bundle: a directory holding the whole pipeline and what describes it.

    <bundle>/model.keras      the end-to-end Keras model (raw strings in)
    <bundle>/metadata.json    format version, task, labels, config, dataset, metrics,
                              library versions, created time
    <bundle>/logs/            training log (CSV) and TensorBoard events, when trained here

Bundles are written to a temporary folder and renamed into place, so a crash never
leaves a half-written bundle, and they load with Keras `safe_mode=True`: no pickle, no
Lambda bytecode.
"""

from __future__ import annotations

import datetime
import json
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

from shared.errors import BundleError
from shared.files import FolderKind, atomic_path, check_replaceable, recover_swapped

FORMAT_VERSION = 1
MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"
LOGS_DIR = "logs"
BUNDLE = FolderKind("a model bundle", METADATA_FILE, frozenset({MODEL_FILE, METADATA_FILE, LOGS_DIR}))


def library_versions() -> dict:
    """Versions of Python and the libraries a bundle depends on."""
    import keras
    import numpy
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
    }


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: the Keras model and its metadata."""

    path: Path
    model: object
    metadata: dict


def save_bundle(path: str | Path, model, metadata: dict, logs_dir: str | Path | None = None) -> Path:
    """Write `model` and `metadata` as a bundle at `path`, replacing any old one atomically.

    `metadata` must hold at least `task` and `labels`; the format version, library
    versions and creation time are added here.
    """
    path = Path(path)
    full = {
        "format_version": FORMAT_VERSION,
        **metadata,
        "versions": library_versions(),
        "created": utc_now(),
    }
    with atomic_path(path, is_dir=True, kind=BUNDLE) as staging:
        model.save(staging / MODEL_FILE)
        (staging / METADATA_FILE).write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")
        if logs_dir is not None and Path(logs_dir).is_dir():
            shutil.copytree(logs_dir, staging / LOGS_DIR)
    return path


def check_bundle_target(path: str | Path) -> None:
    """Raise OutputError now, before any training, if saving a bundle at `path` could
    destroy something that is not a bundle."""
    recover_swapped(path)
    check_replaceable(path, BUNDLE)


def read_metadata(path: str | Path, task: str | None = None) -> dict:
    """Read and check a bundle's metadata without loading the model.

    Raises:
        BundleError: missing folder or files, unreadable JSON, another task, or a
            format version newer than this code understands.
    """
    path = Path(path)
    recover_swapped(path)
    if not path.is_dir():
        raise BundleError(f"{path}: model folder not found")
    meta_path = path / METADATA_FILE
    if not meta_path.is_file():
        raise BundleError(f"{path}: not a model bundle (no {METADATA_FILE})")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"{meta_path}: unreadable metadata ({error})") from None
    if not isinstance(metadata, dict):
        raise BundleError(f"{meta_path}: metadata must be a JSON object")
    version = metadata.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise BundleError(f"{meta_path}: missing or invalid format_version")
    if version > FORMAT_VERSION:
        raise BundleError(
            f"{meta_path}: bundle format version {version} is newer than this code "
            f"supports ({FORMAT_VERSION}); upgrade the project to load it"
        )
    if task is not None and metadata.get("task") != task:
        raise BundleError(f"{path}: this is a {metadata.get('task')!r} model, not a {task!r} model")
    return metadata


@dataclass(frozen=True)
class BundleEntry:
    """A bundle found in a models folder: where it is and what its metadata says."""

    path: Path
    task: str
    metadata: dict


def find_bundles(root: str | Path, task: str | None = None) -> list[BundleEntry]:
    """Readable bundles directly under `root` (of `task` if given), newest first.

    Folders that are not bundles, whose metadata cannot be read, or whose names start
    with a dot (an interrupted save's staging folder) are skipped.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    for old in root.glob(".*.old-*"):  # a save cut short between its two renames
        recover_swapped(root / old.name[1:].rsplit(".old-", 1)[0])
    found = []
    for folder in sorted(root.iterdir()):
        hidden = folder.name.startswith(".")  # half-written or replaced bundles (see atomic_path)
        if hidden or not folder.is_dir() or not (folder / METADATA_FILE).is_file():
            continue
        try:
            metadata = read_metadata(folder, task)
        except BundleError:
            continue
        found.append(BundleEntry(folder, str(metadata.get("task")), metadata))
    return sorted(found, key=lambda entry: str(entry.metadata.get("created", "")), reverse=True)


def load_bundle(path: str | Path, task: str | None = None) -> Bundle:
    """Load a bundle with `safe_mode=True`, checking task and format version first."""
    import keras

    path = Path(path)
    metadata = read_metadata(path, task)
    model_path = path / MODEL_FILE
    if not model_path.is_file():
        raise BundleError(f"{path}: incomplete bundle (no {MODEL_FILE})")
    check_no_pickles(path)
    try:
        model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except ValueError as error:
        if "unsafe" in str(error).lower() or "lambda" in str(error).lower():
            raise BundleError(f"{model_path}: refused to load unsafe content (Lambda layer or pickled code)") from None
        raise BundleError(f"{model_path}: cannot load model ({_first_line(error)})") from None
    except Exception as error:  # noqa: BLE001 - Keras raises many types for corrupt zips
        raise BundleError(f"{model_path}: cannot load model ({_first_line(error)})") from None
    return Bundle(path=path, model=model, metadata=metadata)


PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".dill")
KERAS_MEMBERS = ("config.json", "metadata.json", "model.weights.h5")


def check_no_pickles(path: Path) -> None:
    """Refuse a bundle that carries pickle-able files, in its folder or inside model.keras.

    Nothing here would unpickle them, but a bundle that ships them was not written by
    this project, and a user should know before trusting it.
    """
    import zipfile

    for file in path.rglob("*"):
        if file.suffix.lower() in PICKLE_SUFFIXES:
            raise BundleError(f"{file}: bundles never contain pickled objects; refusing to load {path}")
    try:
        with zipfile.ZipFile(path / MODEL_FILE) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        raise BundleError(f"{path / MODEL_FILE}: cannot load model ({_first_line(error)})") from None
    for name in names:
        if name not in KERAS_MEMBERS and not (name.startswith("assets/") and name.endswith(".txt")):
            raise BundleError(
                f"{path / MODEL_FILE}: unexpected member {name!r} (a Keras file holds only its config, "
                "weights and text assets); refusing to load it"
            )


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
