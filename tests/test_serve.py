"""The model server as users run it: `python -m <app>.serve` processes on 127.0.0.1,
spoken to over HTTP (TensorFlow Serving's REST API and the Open Inference Protocol v2)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

TOKEN = "s3cret-token"


@contextmanager
def server(*args: str, module: str = "sentiment.serve"):
    """A server process on a free loopback port; yields (base URL, process)."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Serving "), line + process.stderr.read()
        yield line.split(" at ", 1)[1].split()[0], process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def call(url: str, body=None, *, token: str | None = TOKEN, raw: bytes | None = None, method: str | None = None):
    """(status, JSON body) of one request."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"))
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
            return response.status, json.loads(
                text
            ) if response.headers.get_content_type() == "application/json" else text
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode())


@pytest.fixture(scope="module")
def sentiment_server(sentiment_bundle, tmp_path_factory):
    token_file = tmp_path_factory.mktemp("token") / "token"
    token_file.write_text(TOKEN + "\n")
    args = [
        "--model", str(sentiment_bundle), "--model", f"second={sentiment_bundle}", "--token-file", str(token_file),
        "--max-texts", "4", "--max-text-chars", "200", "--max-body-bytes", "2000", "--max-wait-ms", "20",
    ]  # fmt: skip
    with server(*args) as (url, _process):
        yield url


def test_both_protocols_answer_what_the_python_api_returns_for_two_models(sentiment_server, sentiment_classifier):
    texts = ["Great value, works perfectly", "Broke after two days"]
    expected = [sentiment_classifier.predict(text) for text in texts]
    status, v1 = call(f"{sentiment_server}/v1/models/sentiment:predict", {"instances": texts})
    assert status == 200
    assert [p["label"] for p in v1["predictions"]] == [p.label for p in expected]
    for answer, prediction in zip(v1["predictions"], expected):
        assert answer["probabilities"] == pytest.approx(prediction.probabilities, abs=1e-6)
    status, columnar = call(f"{sentiment_server}/v1/models/second:predict", {"inputs": {"text": texts}})
    assert status == 200 and columnar["outputs"]["label"] == [p.label for p in expected]
    body = {"id": "r1", "inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": texts}]}
    status, v2 = call(f"{sentiment_server}/v2/models/second/infer", body)
    assert status == 200 and v2["id"] == "r1" and v2["model_name"] == "second"
    outputs = {tensor["name"]: tensor for tensor in v2["outputs"]}
    assert outputs["label"] == {"name": "label", "datatype": "BYTES", "shape": [2], "data": [p.label for p in expected]}
    probabilities = outputs["probabilities"]
    assert probabilities["shape"] == [2, 3] and probabilities["parameters"]["names"] == list(
        sentiment_classifier.labels
    )
    flat = [p.probabilities[label] for p in expected for label in sentiment_classifier.labels]
    assert probabilities["data"] == pytest.approx(flat, abs=1e-6)


def test_health_metadata_and_docs(sentiment_server):
    assert call(f"{sentiment_server}/v2/health/live", token=None) == (200, {"live": True})
    assert call(f"{sentiment_server}/v2/health/ready", token=None) == (200, {"ready": True})
    status, metadata = call(f"{sentiment_server}/v2/models/sentiment")
    assert status == 200 and metadata["inputs"] == [{"name": "text", "datatype": "BYTES", "shape": [-1]}]
    assert {o["name"]: o["shape"] for o in metadata["outputs"]} == {"label": [-1], "probabilities": [-1, 3]}
    assert metadata["platform"] == "onnxruntime_onnx"  # a bundle loaded on the API's fast path
    status, v1 = call(f"{sentiment_server}/v1/models/second")
    assert status == 200 and v1["model_version_status"][0]["state"] == "AVAILABLE"
    status, openapi = call(f"{sentiment_server}/openapi.json")
    assert status == 200 and "/v2/models/{name}/infer" in openapi["paths"]


@pytest.mark.parametrize(
    ("path", "body", "raw", "status", "says"),
    [
        ("/v1/models/nosuch:predict", {"instances": ["hi"]}, None, 404, "unknown model 'nosuch'"),
        ("/v1/models/sentiment:predict", None, b'{"instances": [', 400, "the body is not JSON"),
        ("/v1/models/sentiment:predict", {"texts": ["hi"]}, None, 400, '"instances"'),
        ("/v1/models/sentiment:predict", {"instances": ["hi", 3]}, None, 422, "text 1: expected a string"),
        ("/v1/models/sentiment:predict", {"instances": ["hi", "  "]}, None, 422, "text 1: empty text"),
        ("/v1/models/sentiment:predict", {"instances": ["a"] * 5}, None, 413, "--max-texts"),
        ("/v1/models/sentiment:predict", {"instances": ["a" * 201]}, None, 422, "--max-text-chars"),
        ("/v1/models/sentiment:predict", {"instances": ["b" * 2500]}, None, 413, "--max-body-bytes"),
        (
            "/v2/models/sentiment/infer",
            {"inputs": [{"name": "words", "datatype": "BYTES", "shape": [1], "data": ["x"]}]},
            None,
            400,
            "unknown input 'words'",
        ),  # fmt: skip
        (
            "/v2/models/sentiment/infer",
            {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2], "data": ["x"]}]},
            None,
            400,
            "does not fit 1 texts",
        ),  # fmt: skip
        ("/v1/models/sentiment:sample", {"prime": "a"}, None, 404, "only a language model samples"),
        ("/nowhere", None, None, 404, "no such path: GET /nowhere"),
    ],
)
def test_a_bad_request_is_a_4xx_json_error_naming_what_is_wrong(sentiment_server, path, body, raw, status, says):
    got, answer = call(f"{sentiment_server}{path}", body, raw=raw)
    assert got == status and says in answer["error"] and set(answer) == {"error"}


def test_without_the_token_only_the_health_probes_answer(sentiment_server):
    body = {"instances": ["fine"]}
    for token in (None, "wrong"):
        assert call(f"{sentiment_server}/v1/models/sentiment:predict", body, token=token)[0] == 401
        assert call(f"{sentiment_server}/metrics", token=token)[0] == 401
    assert call(f"{sentiment_server}/v2/health/ready", token=None)[0] == 200


def test_concurrent_requests_are_gathered_into_one_model_call(sentiment_server):
    answers = []

    def one(i):
        answers.append(call(f"{sentiment_server}/v1/models/second:predict", {"instances": [f"text number {i}"]}))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [200] * 8
    _, metrics = call(f"{sentiment_server}/metrics")
    batches = float(next(line.split()[-1] for line in metrics.splitlines()
                         if line.startswith('rnntext_batch_size_count{model="second"}')))  # fmt: skip
    assert batches < 8  # eight one-text requests within the 20 ms wait: fewer model calls than requests
    assert 'rnntext_requests_total{model="second",protocol="v1",status="200"}' in metrics


def test_an_ner_server_gives_entities_with_offsets_and_a_language_model_samples(
    ner_bundle, entity_tagger, lm_bundle, language_model
):
    from dataclasses import asdict

    text = "Astrid flew to Oslo on Monday."
    with server("--model", str(ner_bundle), module="ner.serve") as (url, _process):
        status, answer = call(f"{url}/v1/models/ner:predict", {"instances": [text, ""]}, token=None)
    assert status == 200
    assert answer["predictions"] == [{"entities": [asdict(e) for e in entity_tagger.predict(text)]}, {"entities": []}]
    with server("--model", f"chars={lm_bundle}", module="lm.serve") as (url, _process):
        status, sampled = call(f"{url}/v1/models/chars:sample", {"prime": "Oslo", "length": 12, "seed": 3}, token=None)
        assert (status, sampled) == (200, {"text": language_model.sample("Oslo", length=12, seed=3)})
        status, refused = call(f"{url}/v1/models/chars:sample", {"length": -1}, token=None)
        assert status == 422 and set(refused) == {"error"}


def test_sigterm_answers_every_request_in_flight_then_exits(sentiment_bundle):
    with server("--model", str(sentiment_bundle), "--max-wait-ms", "4000", "--max-batch", "64") as (url, process):
        answers = []

        def one(i):
            answers.append(call(f"{url}/v1/models/sentiment:predict", {"instances": [f"review {i}"]}, token=None))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # the requests are taken and wait in the batcher (4 s)
        process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join()
        assert process.wait(timeout=30) == 0
        assert process.stdout.read() == "Stopped: every request taken was answered\n"
    assert [status for status, _ in answers] == [200] * 6


def test_a_bad_option_is_one_line_and_exit_status_2(capfd, sentiment_bundle, tmp_path):
    from tests.conftest import run_in_process, run_module

    empty = tmp_path / "token"
    empty.write_text("\n")
    for args, says in [
        (["--model", str(sentiment_bundle), "--token-file", str(empty)], "--token-file"),
        (["--model", f"a={sentiment_bundle}", "--model", f"a={sentiment_bundle}"], "named 'a'"),
        (["--model", f"bad/name={sentiment_bundle}"], "cannot name a model"),
        (["--model", str(sentiment_bundle), "--address", "localhost:80"], "--address"),
    ]:
        result = run_in_process(capfd, "sentiment.serve", *args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    result = run_module("sentiment.serve", "--model", str(tmp_path / "missing"))  # a fresh process: one line too
    assert result.returncode == 2 and result.stderr == f"error: {tmp_path / 'missing'}: model folder not found\n"


def test_an_onnx_export_is_served_as_its_bundle_and_only_by_its_apps_server(capfd, ner_bundle, entity_tagger, tmp_path):
    from dataclasses import asdict

    from tests.conftest import run_in_process

    out = tmp_path / "ner-onnx"
    assert (
        run_in_process(
            capfd, "ner.export", "--model", str(ner_bundle), "--format", "onnx", "--out", str(out)
        ).returncode
        == 0
    )
    text = "Astrid flew to Oslo on Monday."
    with server("--model", f"fast={out}", module="ner.serve") as (url, _process):
        status, answer = call(f"{url}/v1/models/fast:predict", {"instances": [text]}, token=None)
        assert (status, answer) == (
            200,
            {"predictions": [{"entities": [asdict(e) for e in entity_tagger.predict(text)]}]},
        )
        status, described = call(f"{url}/v2/models/fast", token=None)
        assert (status, described["platform"]) == (200, "onnxruntime_onnx")
        assert described["parameters"]["labels"] == list(entity_tagger.labels)
    result = run_in_process(capfd, "sentiment.serve", "--model", str(out))
    assert result.returncode == 2 and result.stderr == f"error: {out}: an exported ner model; serve it with ner.serve\n"
