"""Export a Keras model as a TF SavedModel with named serving outputs, atomically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shared.files import FolderKind, atomic_path

SAVED_MODEL_FILE = "saved_model.pb"
SAVED_MODEL = FolderKind(
    "an exported SavedModel", SAVED_MODEL_FILE, frozenset({SAVED_MODEL_FILE, "variables", "assets", "fingerprint.pb"})
)


def export_saved_model(model, out: str | Path, serve: Callable, input_signature: list) -> Path:
    """Write a SavedModel whose `serving_default` signature is `serve`.

    Args:
        model: the Keras model whose variables `serve` uses (tracked into the archive).
        out: the SavedModel folder; an existing SavedModel there is replaced only once
            the new one is complete, and anything else there is refused (OutputError).
        serve: a function of tensors returning a dict of named output tensors.
        input_signature: the tf.TensorSpec list for `serve`'s arguments.
    """
    import keras

    out = Path(out)
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(name="serving_default", fn=serve, input_signature=input_signature)
    with atomic_path(out, is_dir=True, kind=SAVED_MODEL) as staging:
        archive.write_out(str(staging), verbose=False)
    return out
