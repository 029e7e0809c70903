"""Export: a bundle as a TF SavedModel whose `serving_default` takes raw strings, written atomically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rnntext_runtime.loading import FORMAT, MODEL_FILE, RULES_FILE, VERSION
from shared.files import FolderKind, atomic_path, write_json_atomic
from shared.tasks import get_task

SAVED_MODEL_FILE = "saved_model.pb"
SAVED_MODEL = FolderKind(
    "an exported SavedModel", SAVED_MODEL_FILE, frozenset({SAVED_MODEL_FILE, "variables", "assets", "fingerprint.pb"})
)
PORTABLE = FolderKind("an exported ONNX model", RULES_FILE, frozenset({RULES_FILE, MODEL_FILE}))


def export_saved_model(model, out: str | Path, endpoints: dict[str, tuple[Callable, list]]) -> Path:
    """Write a SavedModel with one signature per endpoint.

    Args:
        model: the Keras model whose variables the endpoints use (tracked into the archive).
        out: the SavedModel folder; an existing SavedModel there is replaced only once
            the new one is complete, and anything else there is refused (OutputError).
        endpoints: signature name -> (function of tensors returning a dict of named
            output tensors, the tf.TensorSpec list of its arguments); include
            "serving_default".
    """
    import keras

    out = Path(out)
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name, (function, input_signature) in endpoints.items():
        archive.add_endpoint(name=name, fn=function, input_signature=input_signature)
    with atomic_path(out, is_dir=True, kind=SAVED_MODEL) as staging:
        archive.write_out(str(staging), verbose=False)
    return out


def export_model(api, out: str | Path) -> Path:
    """Write `api`'s model as a SavedModel with its task's named serving outputs."""
    import tensorflow as tf

    serving = get_task(api.TASK).serving(api)
    endpoints = {
        "serving_default": (serving.function, [tf.TensorSpec([None], tf.string, name="text")]),
        **serving.endpoints,
    }
    return export_saved_model(api.model, out, endpoints)


def portable_parts(api) -> tuple[object, dict]:
    """(`api`'s numeric core as an ONNX ModelProto, the whole `rules.json` the runtime reads
    with it); UnsupportedError for a model without one."""
    from shared.text_rules import unicode_tables

    model, rules = get_task(api.TASK).portable(api)
    header = {"format": FORMAT, "version": VERSION, "task": api.TASK, "lowercase": unicode_tables()["lowercase"]}
    header["metadata"] = {key: api.metadata[key] for key in ("created", "dataset", "labels") if key in api.metadata}
    return model, header | rules


def export_portable(api, out: str | Path) -> Path:
    """Write `api`'s model for `rnntext_runtime`: its numeric core as `model.onnx` and its
    text rules, vocabularies and labels as `rules.json`, atomically (as `export_saved_model`)."""
    import onnx

    out = Path(out)
    model, rules = portable_parts(api)
    with atomic_path(out, is_dir=True, kind=PORTABLE) as staging:
        staging.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(staging / MODEL_FILE))
        write_json_atomic(staging / RULES_FILE, rules)
    return out


def portable_runtime(api):
    """`api`'s model as an `rnntext_runtime` model built in memory (the API's fast path),
    or None for a model without an ONNX core (a tree model, a tagger with character LMs)."""
    from rnntext_runtime.loading import runtime, session
    from shared.errors import UnsupportedError

    try:
        model, rules = portable_parts(api)
    except UnsupportedError:
        return None
    return runtime(rules, session(model.SerializeToString()))
