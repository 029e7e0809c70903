"""The serve verb: bundles behind an HTTP server (TensorFlow Serving's REST API and the
Open Inference Protocol v2), with micro-batching; `shared.server` answers the requests."""

from __future__ import annotations

import argparse
import contextlib
import gc
import ipaddress
import re
import signal
import socket
from pathlib import Path

from shared.cli import argument_parser, non_negative_float, positive_int
from shared.errors import UsageError, UserError
from shared.server import Batching, Limits, ServedModel, server_app
from shared.tasks import get_task

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def model_argument(text: str) -> tuple[str, Path]:
    """`[NAME=]DIR`: a model's name in the URLs (default: the folder's name) and its bundle."""
    name, equals, folder = text.partition("=")
    name, folder = (name, folder) if equals else (Path(text).resolve().name, text)
    if not NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"{name!r} cannot name a model in a URL: letters, digits, '_', '.' and '-' (give NAME=DIR)"
        )
    return name, Path(folder)


def serve_arguments(task, doc: str | None):
    example = (
        f"Example:\n  python -m {task.name}.serve --model models/{task.name}\n"
        f'  curl -s localhost:8000/v1/models/{task.name}:predict -d \'{{"instances": ["..."]}}\''
    )
    parser = argument_parser(f"python -m {task.name}.serve", f"{(doc or '').rstrip()}\n\n{example}")
    parser.add_argument(
        "--model",
        type=model_argument,
        action="append",
        required=True,
        metavar="[NAME=]DIR",
        help=f"a bundle written by {task.name}.train, served as NAME (default: the folder's name); repeat for more",
    )
    parser.add_argument(
        "--address", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: a free one, printed)")
    parser.add_argument(
        "--token-file",
        type=Path,
        help="a file holding a bearer token every request must carry (Authorization: Bearer TOKEN)",
    )
    batching, limits = Batching(), Limits()
    for option, kind, default, what in (
        (
            "--max-batch",
            positive_int,
            batching.max_batch,
            "most texts a model call takes from concurrent requests (1: one request)",
        ),
        ("--max-wait-ms", non_negative_float, batching.max_wait_ms, "longest wait for more requests before a call"),
        ("--max-body-bytes", positive_int, limits.max_body_bytes, "largest request body"),
        ("--max-texts", positive_int, limits.max_texts, "most texts in one request"),
        ("--max-text-chars", positive_int, limits.max_text_chars, "longest text, in characters"),
        ("--drain-seconds", non_negative_float, 30.0, "on SIGTERM or Ctrl-C, time for the requests in flight"),
    ):
        parser.add_argument(option, type=kind, default=default, help=f"{what} (default: {default:,})")
    return parser


def read_token(path: Path) -> str:
    """The bearer token in `path` (its one line, surrounding whitespace removed)."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"--token-file {path}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    if not token or any(c.isspace() for c in token) or not token.isprintable():
        raise UsageError(f"--token-file {path}: must hold one token: printable, without spaces")
    return token


def listening_socket(address: str, port: int) -> socket.socket:
    """A socket bound to `address`:`port`, or a UserError saying why not."""
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    except ValueError:
        raise UsageError(f"--address {address!r}: not an IP address (127.0.0.1, 0.0.0.0, ::1)") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError as error:
        sock.close()
        raise UserError(f"cannot listen on {address}:{port}: {error.strerror or error}") from None
    sock.listen(2048)  # connections wait in the backlog from now on, until the server takes them
    return sock


def loaded(task, models: list[tuple[str, Path]]) -> list[ServedModel]:
    names = [name for name, _ in models]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UsageError(f"two --model options are named {repeated[0]!r}; name them apart with NAME=DIR")
    return [ServedModel(name, task, loaded_model(task, folder), str(folder)) for name, folder in models]


def loaded_model(task, folder: Path):
    """A bundle's API, or, for a folder of `export --format onnx`, its `rnntext_runtime` model."""
    import rnntext_runtime

    if not (Path(folder) / rnntext_runtime.RULES_FILE).is_file():
        return task.load(folder)
    try:
        model = rnntext_runtime.load(folder)
    except rnntext_runtime.RuntimeModelError as error:
        raise UserError(str(error)) from None
    if model.rules["task"] != task.name:
        raise UserError(f"{folder}: an exported {model.rules['task']} model; serve it with {model.rules['task']}.serve")
    return model


def draining_server(config):
    """uvicorn's server, whose SIGTERM or Ctrl-C stops it taking requests, lets those in flight
    be answered (for up to its graceful-shutdown timeout) and returns: the verb exits with 0.
    (uvicorn's own handler raises the signal again once drained, which kills the process.)"""
    import uvicorn

    class DrainingServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            handled = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return DrainingServer(config)


def command(app_name: str, doc: str | None):
    """The `main(argv)` of `python -m <task>.serve`."""

    def main(argv: list[str]) -> int:
        import uvicorn

        task = get_task(app_name)
        args = serve_arguments(task, doc).parse_args(argv)
        token = read_token(args.token_file) if args.token_file else None
        models = loaded(task, args.model)
        # The loaded models are many Python objects that live as long as the server: out of the
        # collector's sight, its full collections no longer stop every request in flight for about
        # 200 ms (sentiment, concurrency 32, four passes of 3,000 requests: p99 233/16/241/15 ms
        # before, 42/25/30/27 ms after).
        gc.freeze()
        sock = listening_socket(args.address, args.port)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        names = ", ".join(f"{m.name} ({m.source})" for m in models)

        def ready() -> None:
            print(f"Serving {names} at http://{shown}:{port} (API docs: /docs; Ctrl-C or SIGTERM stops it)", flush=True)
            if token is None and not ipaddress.ip_address(host).is_loopback:
                print(f"warning: {host} is reachable from other machines and no --token-file was given", flush=True)

        limits = Limits(args.max_body_bytes, args.max_texts, args.max_text_chars)
        app = server_app(models, limits, Batching(args.max_batch, args.max_wait_ms), token, on_ready=ready)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=args.drain_seconds,
            server_header=False,
        )
        draining_server(config).run(sockets=[sock])
        print("Stopped: every request taken was answered", flush=True)
        return 0

    return main
