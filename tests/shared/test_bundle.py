import json
import shutil

import keras
import numpy as np
import pytest

from shared.bundle import BUNDLE, FORMAT_VERSION, load_bundle, read_metadata, save_bundle
from shared.errors import BundleError, OutputError
from shared.files import atomic_path
from shared.training import start_work_dir


def _tiny_model():
    inputs = keras.Input(shape=(2,))
    return keras.Model(inputs, keras.layers.Dense(1, name="dense")(inputs))


def test_save_and_load_round_trip(tmp_path):
    model = _tiny_model()
    save_bundle(tmp_path / "b", model, {"task": "toy", "labels": ["a"]})
    bundle = load_bundle(tmp_path / "b", task="toy")
    x = np.ones((1, 2), dtype="float32")
    np.testing.assert_allclose(bundle.model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert bundle.metadata["format_version"] == FORMAT_VERSION
    assert {"tensorflow", "keras", "python"} <= set(bundle.metadata["versions"])


def test_failed_save_keeps_the_previous_bundle(tmp_path):
    save_bundle(tmp_path / "b", _tiny_model(), {"task": "toy", "labels": ["a"]})
    before = (tmp_path / "b" / "metadata.json").read_text()

    class Exploding:
        def save(self, path):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        save_bundle(tmp_path / "b", Exploding(), {"task": "toy", "labels": ["a"]})
    assert (tmp_path / "b" / "metadata.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b"]


def test_save_replaces_a_bundle_or_an_empty_folder_but_never_other_files(tmp_path):
    save_bundle(tmp_path / "b", _tiny_model(), {"task": "toy", "labels": ["a"]})
    save_bundle(tmp_path / "b", _tiny_model(), {"task": "toy", "labels": ["b"]})
    assert read_metadata(tmp_path / "b")["labels"] == ["b"]
    (tmp_path / "empty").mkdir()
    save_bundle(tmp_path / "empty", _tiny_model(), {"task": "toy", "labels": ["a"]})
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.txt").write_text("years of work")
    (tmp_path / "notes.txt").write_text("mine")
    for target in ("home", "notes.txt"):
        with pytest.raises(OutputError, match=f"{target}: exists and is not a model bundle"):
            save_bundle(tmp_path / target, _tiny_model(), {"task": "toy", "labels": ["a"]})
    assert (tmp_path / "home" / "thesis.txt").read_text() == "years of work"
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "empty", "home", "notes.txt"]


@pytest.mark.parametrize(
    ("marker", "kind_name", "replace"),
    [
        ("metadata.json", "BUNDLE", lambda path: save_bundle(path, _tiny_model(), {"task": "toy", "labels": ["a"]})),
        ("saved_model.pb", "SAVED_MODEL", None),
        ("TRAINING", "WORK_FOLDER", lambda path: start_work_dir(path, resume=False)),
        ("state.json", "CHECKPOINT", None),
    ],
    ids=["bundle", "export", "work-folder", "checkpoint"],
)
def test_a_folder_with_the_marker_and_a_users_file_is_never_replaced(tmp_path, marker, kind_name, replace):
    """The marker alone does not make a folder ours: one file of the user's beside it stops
    the replacement, and every file stays."""
    from shared import export
    from shared.files import check_replaceable
    from shared.training import workdir

    kind = {"BUNDLE": BUNDLE, "SAVED_MODEL": export.SAVED_MODEL}.get(kind_name) or getattr(workdir, kind_name)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / marker).write_text("{}")
    (folder / "thesis.txt").write_text("years of work")
    with pytest.raises(OutputError, match="holds 'thesis.txt', which is not part of"):
        check_replaceable(folder, kind)
    if replace is not None:
        with pytest.raises(OutputError, match="thesis.txt"):
            replace(folder)
    assert (folder / "thesis.txt").read_text() == "years of work" and (folder / marker).is_file()
    (folder / "thesis.txt").unlink()
    check_replaceable(folder, kind)  # only the artifact's own files: replaceable


def test_find_bundles_skips_an_interrupted_saves_staging_folder(tmp_path):
    from shared.bundle import find_bundles

    save_bundle(tmp_path / "b", _tiny_model(), {"task": "toy", "labels": ["a"]})
    shutil.copytree(tmp_path / "b", tmp_path / ".b.tmp-123")
    assert [entry.path.name for entry in find_bundles(tmp_path)] == ["b"]


def test_atomic_path_removes_temporary_on_error(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise ValueError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "model folder not found"),
        (lambda p: p.mkdir(), r"not a model bundle \(no metadata.json\)"),
        (lambda p: (p.mkdir(), (p / "metadata.json").write_text("{oops")), "unreadable metadata"),
        (
            lambda p: (p.mkdir(), (p / "metadata.json").write_text(json.dumps({"format_version": 99, "task": "toy"}))),
            "format version 99 is newer",
        ),
        (
            lambda p: (p.mkdir(), (p / "metadata.json").write_text(json.dumps({"format_version": 1, "task": "ner"}))),
            "this is a 'ner' model, not a 'toy' model",
        ),
        (
            lambda p: (p.mkdir(), (p / "metadata.json").write_text(json.dumps({"format_version": 1, "task": "toy"}))),
            r"incomplete bundle \(no model.keras\)",
        ),
    ],
)
def test_load_bundle_errors(tmp_path, setup, message):
    path = tmp_path / "b"
    setup(path)
    with pytest.raises(BundleError, match=message):
        load_bundle(path, task="toy")


def test_truncated_model_file_is_a_bundle_error(tmp_path):
    save_bundle(tmp_path / "b", _tiny_model(), {"task": "toy", "labels": ["a"]})
    model_file = tmp_path / "b" / "model.keras"
    model_file.write_bytes(model_file.read_bytes()[:100])
    with pytest.raises(BundleError, match="cannot load model"):
        load_bundle(tmp_path / "b", task="toy")


def test_bundle_load_rejects_lambda_layer(tmp_path):
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    save_bundle(tmp_path / "b", model, {"task": "toy", "labels": ["a"]})
    with pytest.raises(BundleError, match="refused to load unsafe content"):
        load_bundle(tmp_path / "b", task="toy")


def test_read_metadata_needs_no_model(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "metadata.json").write_text(json.dumps({"format_version": 1, "task": "toy"}))
    assert read_metadata(tmp_path / "b")["task"] == "toy"


def test_bundle_with_a_pickle_is_refused(tmp_path):
    save_bundle(tmp_path / "b", _tiny_model(), {"task": "toy", "labels": ["a"]})
    (tmp_path / "b" / "model.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(BundleError, match="model.pkl: bundles never contain pickled objects"):
        load_bundle(tmp_path / "b", task="toy")


def test_keras_file_with_an_extra_member_is_refused(tmp_path):
    import zipfile

    save_bundle(tmp_path / "b", _tiny_model(), {"task": "toy", "labels": ["a"]})
    with zipfile.ZipFile(tmp_path / "b" / "model.keras", "a") as archive:
        archive.writestr("payload.pkl", b"\x80\x04K\x01.")
    with pytest.raises(BundleError, match="unexpected member 'payload.pkl'"):
        load_bundle(tmp_path / "b", task="toy")
