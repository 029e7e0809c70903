"""Opening an exported folder: its rules, its ONNX session, the task's runtime model."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rnntext_runtime.inputs import RuntimeModelError
from rnntext_runtime.ner import TaggerRuntime
from rnntext_runtime.sentiment import SentimentRuntime

FORMAT = "rnntext-onnx"
VERSION = 1
RULES_FILE = "rules.json"
MODEL_FILE = "model.onnx"


def session(model: Path | bytes, threads: int | None = None):
    """An onnxruntime session on the CPU over a model file or its bytes (`threads`: intra-op
    threads, None: onnxruntime's default)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    model = model if isinstance(model, bytes) else str(model)
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def load(folder: str | Path, *, threads: int | None = None):
    """The model exported to `folder`: a `SentimentRuntime` or a `TaggerRuntime`."""
    folder = Path(folder)
    try:
        rules = json.loads((folder / RULES_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeModelError(f"{folder}: no {RULES_FILE}; export a model with --format onnx") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RuntimeModelError(f"{folder / RULES_FILE}: not readable JSON ({error})") from None
    if not isinstance(rules, dict) or rules.get("format") != FORMAT:
        raise RuntimeModelError(f"{folder / RULES_FILE}: not an {FORMAT} rules file")
    if rules.get("version") != VERSION:
        raise RuntimeModelError(f"{folder}: format version {rules.get('version')}; this runtime reads {VERSION}")
    if not (folder / MODEL_FILE).is_file():
        raise RuntimeModelError(f"{folder}: no {MODEL_FILE}")
    if rules.get("task") not in RUNTIMES:
        raise RuntimeModelError(f"{folder}: a {rules.get('task')!r} model; this runtime reads sentiment and ner")
    try:
        onnx_session = session(folder / MODEL_FILE, threads)
    except Exception as error:  # onnxruntime's errors (InvalidProtobuf, Fail, ...) share no base but Exception
        raise RuntimeModelError(f"{folder / MODEL_FILE}: onnxruntime cannot load it ({error})") from None
    try:
        return runtime(rules, onnx_session)
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise RuntimeModelError(f"{folder / RULES_FILE}: incomplete or malformed ({error!r})") from None


RUNTIMES = {"sentiment": SentimentRuntime, "ner": TaggerRuntime}


def runtime(rules: dict, onnx_session):
    """The runtime model of `rules["task"]` over an open session (also the Python API's fast path)."""
    return RUNTIMES[rules["task"]](rules, onnx_session)
