"""The model server: bundles behind TensorFlow Serving's REST API and the Open Inference
Protocol v2 (KServe, Triton), with micro-batching, request limits, an optional bearer
token and Prometheus metrics. `shared.verbs.serve` runs it; `server_app` builds it.

    GET  /v1/models/{name}                 TF Serving: the model's status
    GET  /v1/models/{name}/metadata        TF Serving: its task, labels and signature
    POST /v1/models/{name}:predict         TF Serving: {"instances": [...]} or {"inputs": ...}
    POST /v1/models/{name}:sample          a language model's sample after a prime
    GET  /v2/health/live, /v2/health/ready, /v2, /v2/models/{name}, /v2/models/{name}/ready
    POST /v2/models/{name}/infer           Open Inference Protocol v2: a BYTES tensor "text"
    GET  /metrics                          Prometheus: requests, errors, latency, batch sizes

Every failure is a JSON `{"error": "..."}` with a 4xx status: never a traceback.
"""

import asyncio
import contextlib
import hmac
import json
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from shared.errors import UserError
from shared.inputs import check_texts

V2_INPUT = "text"
SERVER_NAME = "rnntext"
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Limits:
    """What one request may hold; past a limit the answer is a 413 or 422 naming it."""

    max_body_bytes: int = 1 << 20
    max_texts: int = 256
    max_text_chars: int = 20_000


@dataclass(frozen=True)
class Batching:
    """Micro-batching: the texts of the requests that arrive while the model is busy go to
    it in one call of at most `max_batch` texts (one larger request is a call of its own);
    `max_wait_ms` > 0 also waits that long for more before a call. `max_batch=1`: a call
    per request."""

    max_batch: int = 64
    max_wait_ms: float = 0.0


@dataclass
class ServedModel:
    """One model the server answers for: its name in the URLs, its task and API object."""

    name: str
    task: object
    api: object
    source: str


class RequestError(Exception):
    """A request the server refuses: its HTTP status and the message of its JSON body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class MicroBatcher:
    """Gathers the texts of concurrent requests into one call of `predict` (a list of texts
    to a list of results, run in a thread of its own), and gives each request its results.

    A call takes the requests waiting when the model is free while their texts fit in
    `max_batch` (one larger request is a call of its own), then waits up to `max_wait_ms` for
    more: under load the batches grow by themselves; a lone request waits no longer than
    `max_wait_ms`. When a call fails, its requests are run one by one, so a bad one fails alone.
    """

    def __init__(self, predict: Callable[[list[str]], list], batching: Batching, observe: Callable[[int], None]):
        self._predict = predict
        self._batching = batching
        self._observe = observe
        self._queue: asyncio.Queue | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        self._task: asyncio.Task | None = None
        self._held = None  # a request that did not fit the last call: the first of the next

    def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._serve())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=True)

    async def predict(self, texts: list[str]) -> list:
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((texts, future))
        return await future

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            waiting = [self._held or await self._queue.get()]
            self._held = None
            await self._gather(waiting, loop)
            texts = [text for request, _ in waiting for text in request]
            self._observe(len(texts))
            try:
                results = await loop.run_in_executor(self._executor, self._predict, texts)
            except Exception:  # noqa: BLE001 - one request's fault must not fail the others: each alone
                await self._one_by_one(waiting, loop)
                continue
            start = 0
            for request, future in waiting:
                if not future.done():
                    future.set_result(results[start : start + len(request)])
                start += len(request)

    async def _gather(self, waiting: list, loop) -> None:
        """Add the requests that wait now, then those that come within the wait, while their
        texts fit the batch; the first that does not is held for the next call."""
        size = len(waiting[0][0])
        deadline = loop.time() + self._batching.max_wait_ms / 1000
        while size < self._batching.max_batch:
            if self._queue.empty():
                left = deadline - loop.time()
                if left <= 0:
                    return
                try:
                    item = await asyncio.wait_for(self._queue.get(), left)
                except TimeoutError:
                    return
            else:
                item = self._queue.get_nowait()
            if size + len(item[0]) > self._batching.max_batch:
                self._held = item
                return
            waiting.append(item)
            size += len(item[0])

    async def _one_by_one(self, waiting: list, loop) -> None:
        for texts, future in waiting:
            try:
                result = await loop.run_in_executor(self._executor, self._predict, texts)
            except Exception as error:  # noqa: BLE001 - handed to the request that caused it
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(result)

    async def run_alone(self, call: Callable[[], object]):
        """`call()` in the model's thread, between batches (a language model's sample)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)


class Metrics:
    """The server's Prometheus metrics, in a registry of its own."""

    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rnntext_requests", "Requests answered, by model, protocol and HTTP status.",
            ["model", "protocol", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "rnntext_request_seconds", "Time from a request's body read to its answer, by model and protocol.",
            ["model", "protocol"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.batch_size = Histogram(
            "rnntext_batch_size", "Texts per model call (micro-batching gathers concurrent requests).",
            ["model"], buckets=BATCH_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.refused = Counter(
            "rnntext_refused_requests", "Requests refused before reaching a model (token, body size), by status.",
            ["status"], registry=self.registry,
        )  # fmt: skip

    def text(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


# ------------------------------------------------------------------ request bodies


def texts_of_v1(body) -> tuple[list, bool]:
    """The texts of a TF Serving predict body and whether it is in the columnar format
    (`inputs`, answered as `outputs`) rather than the row one (`instances`, `predictions`)."""
    if not isinstance(body, dict) or len({"instances", "inputs"} & set(body)) != 1:
        raise RequestError(400, 'the body must be a JSON object with "instances" (a list) or "inputs"')
    signature = body.get("signature_name", "serving_default")
    if signature != "serving_default":
        raise RequestError(400, f"unknown signature_name {signature!r}; this server has serving_default")
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list):
            raise RequestError(400, '"instances" must be a list of texts or of {"text": ...} objects')
        return [row[V2_INPUT] if isinstance(row, dict) and set(row) == {V2_INPUT} else row for row in rows], False
    inputs = body["inputs"]
    if isinstance(inputs, dict):
        if set(inputs) != {V2_INPUT}:
            raise RequestError(400, f'"inputs" has one input, "{V2_INPUT}"; got {", ".join(map(repr, inputs))}')
        inputs = inputs[V2_INPUT]
    if not isinstance(inputs, list):
        raise RequestError(400, f'"inputs" must be a list of texts or {{"{V2_INPUT}": [...]}}')
    return inputs, True


def texts_of_v2(body) -> tuple[list, list[str] | None]:
    """The texts of an Open Inference Protocol infer body (one BYTES tensor named "text")
    and the names of the outputs it asks for (None: all)."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list) or len(body["inputs"]) != 1:
        raise RequestError(400, f'the body must be a JSON object whose "inputs" list holds one tensor, "{V2_INPUT}"')
    (tensor,) = body["inputs"]
    if not isinstance(tensor, dict) or tensor.get("name") != V2_INPUT:
        name = tensor.get("name") if isinstance(tensor, dict) else None
        raise RequestError(400, f'unknown input {name!r}; this model has one input, "{V2_INPUT}" (BYTES)')
    if tensor.get("datatype") != "BYTES":
        raise RequestError(400, f'input "{V2_INPUT}" has datatype BYTES, not {tensor.get("datatype")!r}')
    data, shape = tensor.get("data"), tensor.get("shape")
    if not isinstance(data, list) or not isinstance(shape, list) or not all(isinstance(n, int) for n in shape):
        raise RequestError(400, f'input "{V2_INPUT}" needs "shape" (a list of integers) and "data" (a list)')
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1) or math.prod(shape) != len(data):
        raise RequestError(400, f'input "{V2_INPUT}": shape {shape} does not fit {len(data)} texts; use [{len(data)}]')
    wanted = body.get("outputs")
    if wanted is None:
        return data, None
    if not isinstance(wanted, list) or not all(isinstance(o, dict) and isinstance(o.get("name"), str) for o in wanted):
        raise RequestError(400, '"outputs" must be a list of {"name": ...} objects')
    return data, [output["name"] for output in wanted]


def checked_texts(texts: list, limits: Limits, allow_blank: bool) -> list[str]:
    """`texts` within the server's limits and valid for the model, else a RequestError naming why."""
    if not texts:
        raise RequestError(400, "no texts in the request")
    if len(texts) > limits.max_texts:
        raise RequestError(413, f"{len(texts):,} texts in one request; this server takes at most "
                           f"{limits.max_texts:,} (--max-texts)")  # fmt: skip
    try:
        checked = check_texts(texts, allow_empty=allow_blank)
    except UserError as error:
        raise RequestError(422, str(error)) from None
    for index, text in enumerate(checked):
        if len(text) > limits.max_text_chars:
            raise RequestError(422, f"text {index}: {len(text):,} characters; this server takes at most "
                               f"{limits.max_text_chars:,} a text (--max-text-chars)")  # fmt: skip
    return checked


# ------------------------------------------------------------------ answers


def v2_tensor(name: str, column: list) -> dict:
    """One output of the Open Inference Protocol from the values of one answer field."""
    n = len(column)
    if all(isinstance(value, str) for value in column):
        return {"name": name, "datatype": "BYTES", "shape": [n], "data": column}
    if all(isinstance(value, int) and not isinstance(value, bool) for value in column):
        return {"name": name, "datatype": "INT64", "shape": [n], "data": column}
    if all(isinstance(value, int | float) and not isinstance(value, bool) for value in column):
        return {"name": name, "datatype": "FP64", "shape": [n], "data": [float(v) for v in column]}
    names = list(column[0]) if isinstance(column[0], dict) else None
    if names and all(isinstance(v, dict) and list(v) == names and _numbers(v.values()) for v in column):
        data = [float(v[key]) for v in column for key in names]
        return {"name": name, "datatype": "FP64", "shape": [n, len(names)], "data": data,
                "parameters": {"names": names}}  # fmt: skip
    return {
        "name": name,
        "datatype": "BYTES",
        "shape": [n],
        "data": [json.dumps(v, ensure_ascii=False) for v in column],
    }


def _numbers(values) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def v2_outputs(answers: list[dict], wanted: list[str] | None) -> list[dict]:
    """The answers as Open Inference Protocol outputs, one tensor per field (those `wanted`)."""
    fields = list(answers[0])
    unknown = [name for name in wanted or () if name not in fields]
    if unknown:
        raise RequestError(400, f"unknown output {unknown[0]!r}; this model's outputs: {', '.join(fields)}")
    return [v2_tensor(name, [answer[name] for answer in answers]) for name in wanted or fields]


# ------------------------------------------------------------------ the application


class Guard:
    """ASGI middleware run before any route: the bearer token (when the server has one;
    the health probes stay open) and the body size limit (a 413 before the body is parsed)."""

    OPEN_PATHS = frozenset({"/v2/health/live", "/v2/health/ready"})

    def __init__(self, app, *, token: str | None, max_body_bytes: int, refused: Callable[[int], None]):
        self.app = app
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.refused = refused

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        if self.token is not None and scope["path"] not in self.OPEN_PATHS and not self._authorized(headers):
            return await self._refuse(send, 401, "missing or wrong bearer token (Authorization: Bearer ...)")
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body_bytes:
            return await self._refuse(send, 413, self._too_large(declared.decode("latin-1")))
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_body_bytes:
                return await self._refuse(send, 413, self._too_large(f"over {size}"))
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _authorized(self, headers: dict) -> bool:
        given = headers.get(b"authorization", b"")
        return hmac.compare_digest(given, b"Bearer " + self.token.encode("utf-8"))

    def _too_large(self, size: str) -> str:
        return f"the request body is {size} bytes; this server takes at most {self.max_body_bytes:,} (--max-body-bytes)"

    async def _refuse(self, send, status: int, message: str) -> None:
        self.refused(status)
        body = json.dumps({"error": message}).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


TEXTS_SCHEMA = {"type": "array", "items": {"type": "string"}}
V1_BODY = {
    "oneOf": [
        {"type": "object", "required": ["instances"], "properties": {"instances": TEXTS_SCHEMA}},
        {"type": "object", "required": ["inputs"], "properties": {"inputs": TEXTS_SCHEMA}},
    ],
    "example": {"instances": ["A gorgeous, witty film.", "Dull and far too long."]},
}
V2_BODY = {
    "type": "object",
    "required": ["inputs"],
    "example": {
        "inputs": [{"name": V2_INPUT, "shape": [1], "datatype": "BYTES", "data": ["Angela Merkel visited Paris."]}]
    },
}
SAMPLE_BODY = {
    "type": "object",
    "properties": {
        "prime": {"type": "string", "default": ""},
        "length": {"type": "integer", "default": 200},
        "temperature": {"type": "number", "default": 1.0},
        "top_k": {"type": "integer", "default": 0},
        "seed": {"type": "integer", "default": 0},
    },
}


def json_body(schema: dict) -> dict:
    """A route's `openapi_extra`: its JSON request body as the docs show it (the route reads it itself)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# What computes a model's answers (its API's `engine`), as KServe and Triton name the platform.
PLATFORMS = {"onnxruntime": "onnxruntime_onnx", "tensorflow": "keras_tensorflow"}


class Routes:
    """What the routes of one server share: its models by name, their outputs read at
    start, their batchers (started with the app), its limits and metrics."""

    def __init__(self, models: list[ServedModel], limits: Limits, metrics: Metrics):
        self.by_name = {model.name: model for model in models}
        # One answer per model, read now: the first call builds the model's graph (not on a
        # user's request), and the v2 metadata route needs no model call.
        self.outputs = {model.name: model_outputs(model) for model in models}
        self.limits = limits
        self.metrics = metrics
        self.batchers: dict[str, MicroBatcher] = {}

    def served(self, name: str) -> ServedModel:
        if name not in self.by_name:
            raise RequestError(404, f"unknown model {name!r}; this server has {', '.join(self.by_name)}")
        return self.by_name[name]

    async def answered(self, name: str, protocol: str, work) -> JSONResponse:
        """`await work()` as a JSON answer, a refusal as its status; counted and timed."""
        started = time.perf_counter()
        try:
            body, status = await work(), 200
        except RequestError as error:
            body, status = {"error": error.message}, error.status
        except UserError as error:  # the model refused what it was asked (a text, a sample's settings)
            body, status = {"error": str(error)}, 422
        label = name if name in self.by_name else "unknown"
        self.metrics.requests.labels(label, protocol, str(status)).inc()
        self.metrics.latency.labels(label, protocol).observe(time.perf_counter() - started)
        return JSONResponse(body, status_code=status)

    async def predictions(self, model: ServedModel, texts: list) -> list[dict]:
        checked = checked_texts(texts, self.limits, model.task.scores_blank_texts)
        return await self.batchers[model.name].predict(checked)  # the API's UserError: a 422, in `answered`


async def read_json(request: Request):
    """The request's JSON body; a 400 when it is not JSON."""
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as error:
        raise RequestError(400, f"the body is not JSON: {error}") from None


def server_app(
    models: list[ServedModel],
    limits: Limits = Limits(),
    batching: Batching = Batching(),
    token: str | None = None,
    on_ready: Callable[[], None] = lambda: None,
):
    """The FastAPI application that answers for `models` (see the module docstring);
    `on_ready()` runs once it takes requests."""
    metrics = Metrics()
    routes = Routes(models, limits, metrics)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        for model in models:
            observe = metrics.batch_size.labels(model.name).observe
            routes.batchers[model.name] = MicroBatcher(answerer(model), batching, observe)
            routes.batchers[model.name].start()
        on_ready()
        yield
        for batcher in routes.batchers.values():
            await batcher.stop()

    app = FastAPI(
        title="rnntext model server",
        summary="TensorFlow Serving's REST API and the Open Inference Protocol v2 over rnntext bundles",
        version="1",
        lifespan=lifespan,
    )
    app.add_middleware(
        Guard, token=token, max_body_bytes=limits.max_body_bytes, refused=lambda s: metrics.refused.labels(s).inc()
    )
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.include_router(v1_routes(routes))
    app.include_router(v2_routes(routes))

    @app.get("/metrics", tags=["Monitoring"])
    async def prometheus():
        from prometheus_client import CONTENT_TYPE_LATEST

        return Response(metrics.text(), media_type=CONTENT_TYPE_LATEST)

    return app


async def http_error(request: Request, error: HTTPException) -> JSONResponse:
    """Starlette's own refusals (no such path, wrong method) as the server's JSON errors."""
    messages = {404: "no such path", 405: "method not allowed"}
    message = (
        f"{messages[error.status_code]}: {request.method} {request.url.path}"
        if error.status_code in messages
        else error.detail
    )
    return JSONResponse({"error": message}, status_code=error.status_code, headers=error.headers)


async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    return JSONResponse({"error": "; ".join(str(e.get("msg")) for e in error.errors())}, status_code=422)


def v1_routes(routes: Routes) -> APIRouter:
    """TensorFlow Serving's REST API, and a language model's samples beside it."""
    router = APIRouter()

    @router.get("/v1/models/{name}", tags=["TensorFlow Serving"])
    async def v1_status(name: str):
        async def work():
            routes.served(name)
            ok = {"error_code": "OK", "error_message": ""}
            return {"model_version_status": [{"version": "1", "state": "AVAILABLE", "status": ok}]}

        return await routes.answered(name, "v1", work)

    @router.get("/v1/models/{name}/metadata", tags=["TensorFlow Serving"])
    async def v1_metadata(name: str):
        async def work():
            model = routes.served(name)
            return {"model_spec": {"name": name, "version": "1"}, "metadata": description(model)}

        return await routes.answered(name, "v1", work)

    @router.post("/v1/models/{name}:predict", tags=["TensorFlow Serving"], openapi_extra=json_body(V1_BODY))
    async def v1_predict(name: str, request: Request):
        async def work():
            model = routes.served(name)
            texts, columnar = texts_of_v1(await read_json(request))
            answers = await routes.predictions(model, texts)
            if columnar:
                return {"outputs": {key: [answer[key] for answer in answers] for key in answers[0]}}
            return {"predictions": answers}

        return await routes.answered(name, "v1", work)

    @router.post("/v1/models/{name}:sample", tags=["Language models"], openapi_extra=json_body(SAMPLE_BODY))
    async def v1_sample(name: str, request: Request):
        async def work():
            model = routes.served(name)
            if not hasattr(model.api, "sample"):
                raise RequestError(404, f"model {name!r} is a {model.task.name} model; only a language model samples")
            settings = sample_settings(await read_json(request), routes.limits)
            text = await routes.batchers[name].run_alone(lambda: model.api.sample(**settings))
            return {"text": text}

        return await routes.answered(name, "v1", work)

    return router


def v2_routes(routes: Routes) -> APIRouter:
    """The Open Inference Protocol v2 (KServe, Triton)."""
    router = APIRouter(tags=["Open Inference Protocol v2"])

    @router.get("/v2/health/live")
    async def live():
        return {"live": True}

    @router.get("/v2/health/ready")
    async def ready():
        return {"ready": len(routes.batchers) == len(routes.by_name)}

    @router.get("/v2")
    async def server_metadata():
        return {"name": SERVER_NAME, "version": "1", "extensions": [], "models": list(routes.by_name)}

    @router.get("/v2/models/{name}")
    async def v2_metadata(name: str):
        async def work():
            model = routes.served(name)
            return {
                "name": name,
                "versions": ["1"],
                "platform": PLATFORMS[model.api.engine],
                "inputs": [{"name": V2_INPUT, "datatype": "BYTES", "shape": [-1]}],
                "outputs": routes.outputs[name],
                "parameters": description(model),
            }

        return await routes.answered(name, "v2", work)

    @router.get("/v2/models/{name}/ready")
    async def v2_ready(name: str):
        async def work():
            routes.served(name)
            return {"name": name, "ready": name in routes.batchers}

        return await routes.answered(name, "v2", work)

    @router.post("/v2/models/{name}/infer", openapi_extra=json_body(V2_BODY))
    async def v2_infer(name: str, request: Request):
        async def work():
            model = routes.served(name)
            body = await read_json(request)
            texts, wanted = texts_of_v2(body)
            outputs = v2_outputs(await routes.predictions(model, texts), wanted)
            answer = {"model_name": name, "model_version": "1", "outputs": outputs}
            return {**({"id": body["id"]} if isinstance(body.get("id"), str) else {}), **answer}

        return await routes.answered(name, "v2", work)

    return router


def answerer(model: ServedModel) -> Callable[[list[str]], list[dict]]:
    """Texts to the JSON answers of `model`: its API's results, as its task writes them."""
    return lambda texts: [model.task.answer(result) for result in model.api.predict(texts)]


def description(model: ServedModel) -> dict:
    """What a model's metadata endpoints say of it."""
    metadata = model.api.metadata
    return {
        "task": model.task.name,
        "labels": list(model.api.labels),
        "bundle": model.source,
        "created": metadata.get("created"),
    }


def model_outputs(model: ServedModel) -> list[dict]:
    """The model's Open Inference Protocol outputs (name, datatype, shape), read off the answer to one text."""
    (answer,) = answerer(model)(["Example text."])
    return [
        {key: tensor[key] for key in ("name", "datatype", "shape")} | {"shape": [-1, *tensor["shape"][1:]]}
        for tensor in v2_outputs([answer], None)
    ]


def sample_settings(body, limits: Limits) -> dict:
    """A sample request's settings (prime, length, temperature, top_k, seed) with their defaults."""
    defaults = {"prime": "", "length": 200, "temperature": 1.0, "top_k": 0, "seed": 0}
    if not isinstance(body, dict) or set(body) - set(defaults):
        unknown = sorted(set(body) - set(defaults)) if isinstance(body, dict) else []
        raise RequestError(400, f"a sample body is a JSON object of {', '.join(defaults)}"
                           + (f"; unknown: {', '.join(unknown)}" if unknown else ""))  # fmt: skip
    settings = {**defaults, **body}
    if not isinstance(settings["prime"], str) or len(settings["prime"]) > limits.max_text_chars:
        raise RequestError(422, f"prime: a text of at most {limits.max_text_chars:,} characters (--max-text-chars)")
    if isinstance(settings["length"], int) and settings["length"] > limits.max_text_chars:
        raise RequestError(422, f"length: at most {limits.max_text_chars:,} tokens (--max-text-chars)")
    return settings
