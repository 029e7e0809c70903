"""Local worker processes: `--workers N` runs a multi-worker training as N processes on
127.0.0.1, each given its TF_CONFIG, and supervises them (the chief's output passed
through; one failure stops the others and says how to go on)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import deque

from shared import LOOPBACK
from shared.errors import UserError


def free_ports(count: int) -> list[int]:
    """`count` TCP ports free on 127.0.0.1 now."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((LOOPBACK, 0))
        return [sock.getsockname()[1] for sock in sockets]


def local_tf_configs(workers: int) -> list[dict]:
    """The TF_CONFIG of each of `workers` processes on 127.0.0.1 (worker 0 is the chief)."""
    cluster = {"worker": [f"{LOOPBACK}:{port}" for port in free_ports(workers)]}
    return [{"cluster": cluster, "task": {"type": "worker", "index": index}} for index in range(workers)]


def how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"was killed ({signal.Signals(-code).name})"
        except ValueError:
            return f"was killed (signal {-code})"
    return f"exited with status {code}"


def run_local_workers(module: str, argv: list[str], workers: int, checkpoint_hint) -> None:
    """Run `python -m module argv --strategy multi-worker` as `workers` processes on
    127.0.0.1 and wait for them. The chief's output is passed through; if any worker
    fails, the others are stopped and a UserError says which, and (`checkpoint_hint()`)
    how to go on."""
    processes = []
    tails: list[deque] = []
    readers = []
    for index, config in enumerate(local_tf_configs(workers)):
        env = {**os.environ, "TF_CONFIG": json.dumps(config)}
        process = subprocess.Popen(
            [sys.executable, "-m", module, *argv, "--strategy", "multi-worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        tail: deque = deque(maxlen=20)
        reader = threading.Thread(target=relay, args=(process.stdout, tail, index == 0), daemon=True)
        reader.start()
        processes.append(process)
        tails.append(tail)
        readers.append(reader)
    try:
        failed = wait_all(processes)
    finally:
        stop(processes)
        for reader in readers:
            reader.join(timeout=10)
    if failed is None:
        return
    index, code = failed
    said = next((line[len("error: ") :] for line in reversed(tails[index]) if line.startswith("error: ")), None)
    if said is not None:
        raise UserError(f"worker {index}: {said}")
    raise UserError(f"worker {index} {how_it_ended(code)}; the others were stopped. {checkpoint_hint()}")


def relay(stream, tail: deque, show: bool) -> None:
    """Keep a worker's last lines; print the chief's as they come, but for its `error:`
    line, which `run_local_workers` raises as the command's own (so it is said once)."""
    for line in stream:
        tail.append(line.rstrip("\n"))
        if show and not line.startswith("error: "):
            print(line, end="", flush=True)


def wait_all(processes: list) -> tuple[int, int] | None:
    """Wait until every process ends well (None) or one fails: (its index, its code)."""
    import time

    while True:
        codes = [process.poll() for process in processes]
        for index, code in enumerate(codes):
            if code not in (None, 0):
                return index, code
        if all(code == 0 for code in codes):
            return None
        time.sleep(0.2)


def stop(processes: list) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
