"""The model server under load: requests/s and latency per model, protocol and concurrency,
with micro-batching and without (`--max-batch 1`).

Each setting starts `python -m <app>.serve` on loopback and sends a fixed number of
one-text requests from a bounded load generator in this process: `concurrency` keep-alive
connections, each sending its next request when the last is answered (a closed loop, so
latency is not hidden by a queue in the generator). The texts are the test sentences of
the models' datasets, in order. The generator is a plain asyncio HTTP/1.1 client: an
HTTP library's own CPU time would be taken from the server on a 2-core machine.

    python -m benchmarks.serve_load --sentiment models/sentiment --ner models/ner
    python -m benchmarks.serve_load --sentiment models/sentiment --soak-seconds 600

`--soak-seconds` runs one sentiment server at a moderate load (`--soak-concurrency`, 8) for
that long instead, recording its resident memory and the errors every 30 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import header, run_record, write_results

ROOT = Path(__file__).resolve().parent.parent


def start_server(module: str, model: Path, name: str, *options: str) -> tuple[subprocess.Popen, str, int]:
    """A server process on a free loopback port: (process, host, port)."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--model", f"{name}={model}", "--port", "0", *options],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = process.stdout.readline()
    if not line.startswith("Serving "):
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    address = line.split(" at http://", 1)[1].split()[0]
    host, port = address.rsplit(":", 1)
    return process, host, int(port)


def request_bytes(host: str, port: int, path: str, body: dict) -> bytes:
    payload = json.dumps(body).encode("utf-8")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("ascii") + payload


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response with a Content-Length; its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return status


async def load(host: str, port: int, requests: list[bytes], concurrency: int) -> dict:
    """Send every request once over `concurrency` connections; latency and throughput."""
    latencies: list[float] = []
    errors = 0
    next_index = 0

    async def connection():
        nonlocal next_index, errors
        reader, writer = await asyncio.open_connection(host, port)
        while next_index < len(requests):
            request = requests[next_index]
            next_index += 1
            started = time.perf_counter()
            writer.write(request)
            status = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            errors += status != 200
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(requests),
        "errors": errors,
        "requests_per_s": round(len(requests) / seconds, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 2),
    }


def resident_mib(pid: int) -> float:
    """The resident memory of process `pid`, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for process {pid}")


async def soak(
    host: str, port: int, requests: list[bytes], concurrency: int, rate: float, seconds: float, pid: int
) -> list[dict]:
    """About `rate` requests a second, cycling through `requests`, over `concurrency` connections
    for `seconds`; every 30 s: elapsed time, requests and errors so far, the server's resident memory."""
    counts = {"requests": 0, "errors": 0}
    deadline = time.monotonic() + seconds
    samples = [{"seconds": 0, **counts, "rss_mib": resident_mib(pid)}]

    async def connection(offset: int):
        reader, writer = await asyncio.open_connection(host, port)
        index, due = offset, time.monotonic()
        while time.monotonic() < deadline:
            due += concurrency / rate
            writer.write(requests[index % len(requests)])
            status = await read_response(reader)
            counts["requests"] += 1
            counts["errors"] += status != 200
            index += concurrency
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        writer.close()

    async def sampler():
        started = time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(min(30, max(deadline - time.monotonic(), 0)))
            samples.append({"seconds": round(time.monotonic() - started), **counts, "rss_mib": resident_mib(pid)})

    await asyncio.gather(sampler(), *(connection(i) for i in range(concurrency)))
    return samples


def bodies(texts: list[str], protocol: str, name: str, host: str, port: int) -> list[bytes]:
    if protocol == "v1":
        return [request_bytes(host, port, f"/v1/models/{name}:predict", {"instances": [t]}) for t in texts]
    return [
        request_bytes(
            host,
            port,
            f"/v2/models/{name}/infer",
            {"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": [t]}]},
        )  # fmt: skip
        for t in texts
    ]


def batch_count(host: str, port: int, name: str) -> float:
    """How many model calls the server has made for `name` (its batch-size histogram's count)."""
    import urllib.request

    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    prefix = f'rnntext_batch_size_count{{model="{name}"}}'
    return next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(prefix))


def measure(app: str, model: Path, texts: list[str], args) -> list[dict]:
    rows = []
    for batching in ("on", "off"):
        options = ["--max-wait-ms", str(args.max_wait_ms)] + (["--max-batch", "1"] if batching == "off" else [])
        process, host, port = start_server(f"{app}.serve", model, app, *options)
        try:
            for protocol in ("v1", "v2"):
                for concurrency in args.concurrency:
                    requests = bodies(texts[: args.requests], protocol, app, host, port)
                    asyncio.run(load(host, port, requests[: 4 * concurrency], concurrency))  # warm-up
                    calls_before = batch_count(host, port, app)
                    result = asyncio.run(load(host, port, requests, concurrency))
                    calls = batch_count(host, port, app) - calls_before
                    result["mean_batch"] = round(len(requests) / calls, 2) if calls else None
                    rows.append({"model": app, "protocol": protocol, "batching": batching,
                                 "concurrency": concurrency, **result})  # fmt: skip
                    print(rows[-1], flush=True)
        finally:
            process.terminate()
            process.wait(timeout=60)
    return rows


def test_texts(app: str, limit: int) -> list[str]:
    from shared.tasks import get_task

    task = get_task(app)
    test = task.load_dataset(task.default_dataset).test
    texts = list(test.texts) if hasattr(test, "texts") else [" ".join(sentence.tokens) for sentence in test]
    return (texts * (limit // max(len(texts), 1) + 1))[:limit]


def markdown(record: dict) -> str:
    lines = [
        *header("Model server under load", record),
        "One-text requests on loopback from a closed-loop generator in another process; "
        f"{record['settings']['requests']:,} requests per row, max wait {record['settings']['max_wait_ms']} ms.",
        "",
        "| model | protocol | micro-batching | concurrency | requests/s | p50 ms | p99 ms | texts a call | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in record["rows"]:
        lines.append(
            f"| {row['model']} | {row['protocol']} | {row['batching']} | {row['concurrency']} | "
            f"{row['requests_per_s']:,} | {row['p50_ms']} | {row['p99_ms']} | {row['mean_batch']} | {row['errors']} |"
        )
    return "\n".join(lines) + "\n"


def soak_markdown(record: dict) -> str:
    settings = record["settings"]
    lines = [
        *header("Model server soak", record),
        f"One sentiment server, defaults; one-text v1 requests, about {settings['rate']:g} a second over "
        f"{settings['concurrency']} connections, for {settings['seconds']:g} s, the test texts in turn.",
        "",
        "| seconds | requests | errors | server resident memory, MiB |",
        "|---|---|---|---|",
        *(f"| {s['seconds']} | {s['requests']:,} | {s['errors']} | {s['rss_mib']} |" for s in record["samples"]),
    ]
    return "\n".join(lines) + "\n"


def run_soak(args) -> dict:
    texts = test_texts("sentiment", args.requests)
    process, host, port = start_server("sentiment.serve", args.sentiment, "sentiment")
    try:
        requests = bodies(texts, "v1", "sentiment", host, port)
        asyncio.run(load(host, port, requests[: 4 * args.soak_concurrency], args.soak_concurrency))  # warm-up
        settings = (args.soak_concurrency, args.soak_rate, args.soak_seconds, process.pid)
        return asyncio.run(soak(host, port, requests, *settings))
    finally:
        process.terminate()
        process.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentiment", type=Path, help="a sentiment bundle")
    parser.add_argument("--ner", type=Path, help="an NER bundle")
    parser.add_argument("--requests", type=int, default=3000, help="requests per row (default: 3000)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--max-wait-ms", type=float, default=0.0, help="the server's --max-wait-ms (default: 0)")
    parser.add_argument("--name", default="serve-load", help="results file stem (default: serve-load)")
    parser.add_argument("--soak-seconds", type=float, help="instead: a soak of this many seconds (sentiment)")
    parser.add_argument("--soak-concurrency", type=int, default=8, help="connections of the soak (default: 8)")
    parser.add_argument("--soak-rate", type=float, default=300, help="requests a second of the soak (default: 300)")
    args = parser.parse_args(argv)
    command = run_record("benchmarks.serve_load", sys.argv[1:] if argv is None else argv)
    if args.soak_seconds:
        samples = run_soak(args)
        settings = {
            "seconds": args.soak_seconds,
            "concurrency": args.soak_concurrency,
            "rate": args.soak_rate,
            "sentiment": str(args.sentiment),
        }
        record = {**command, "settings": settings, "samples": samples}
        write_results(f"{args.name}-soak", record, soak_markdown(record))
        return 0
    rows = []
    for app in ("sentiment", "ner"):
        model = getattr(args, app)
        if model is not None:
            rows += measure(app, model, test_texts(app, args.requests), args)
    settings = {"requests": args.requests, "concurrency": args.concurrency, "max_wait_ms": args.max_wait_ms,
                "sentiment": str(args.sentiment), "ner": str(args.ner)}  # fmt: skip
    record = {**command, "settings": settings, "rows": rows}
    write_results(args.name, record, markdown(record))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
