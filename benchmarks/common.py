"""Helpers the benchmark scripts share: machine description and timing."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"platform": platform.platform(), "cpu": cpu, "cores": cores}


def best_seconds(run: Callable[[], object], repeats: int = 3) -> float:
    """The fastest of `repeats` timed calls of `run` (after one warm-up call)."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def median_latency_ms(call: Callable[[object], object], items: Sequence) -> float:
    """Median wall time in ms of `call(item)` over `items` (after one warm-up call)."""
    call(items[0])
    latencies = []
    for item in items:
        started = time.perf_counter()
        call(item)
        latencies.append(time.perf_counter() - started)
    return round(statistics.median(latencies) * 1000, 2)


def savedmodel_speed(export_dir: Path, texts: Sequence[str], batch_size: int = 256) -> tuple[float, float]:
    """(seconds to serve all `texts` in length-sorted batches, median single-text ms) for
    the SavedModel at `export_dir`, whose serving_default takes `text`."""
    import tensorflow as tf

    serve = tf.saved_model.load(str(export_dir)).signatures["serving_default"]
    ordered = sorted(texts, key=len)
    batches = [tf.constant(ordered[start : start + batch_size]) for start in range(0, len(ordered), batch_size)]

    def serve_all():
        for batch in batches:
            serve(text=batch)

    return best_seconds(serve_all), median_latency_ms(lambda text: serve(text=tf.constant([text])), texts[:100])


RESULTS = Path(__file__).resolve().parent / "results"


def git_state(root: Path = RESULTS.parent.parent) -> dict:
    """The checked-out commit and whether the working tree differs from it: True, False,
    or "unknown" when git cannot say (no git, not a checkout)."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        except OSError:
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    # Results written by earlier benchmarks of the same run are not code changes.
    changed = git("status", "--porcelain", "--", ".", ":(exclude)benchmarks/results")
    return {"commit": git("rev-parse", "HEAD") or "unknown", "dirty": "unknown" if changed is None else bool(changed)}


def run_record(module: str, argv: Sequence[str]) -> dict:
    """The exact command, git commit and dirty flag, date, machine and library versions
    of a benchmark run."""
    from shared.bundle import library_versions

    return {
        "command": " ".join([f".venv/bin/python -m {module}", *argv]),
        **git_state(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "versions": library_versions(),
    }


ENTITY_TYPES = ("PER", "LOC", "ORG", "MISC")


def per_type_cells(f1_by_type: dict[str, float]) -> str:
    """Table cells of per-type F1 in percent, CoNLL's types in their usual order."""
    return " | ".join(f"{f1_by_type.get(kind, 0) * 100:.1f}" for kind in ENTITY_TYPES)


DIRTY_NOTES = {True: " with uncommitted changes", "unknown": " (whether it had uncommitted changes is unknown)"}


def header(title: str, report: dict) -> list[str]:
    """A results page's first lines: title, command, date, machine and versions."""
    machine_info = report["machine"]
    return [
        f"# {title}",
        "",
        f"Command: `{report['command']}`  ",
        f"Code: commit {report.get('commit', 'unknown')}{DIRTY_NOTES.get(report.get('dirty'), '')}  ",
        f"Date: {report['date']}  ",
        f"Machine: {machine_info['cpu']}, {machine_info['cores']} cores, {machine_info['platform']}  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        "",
    ]


def write_results(name: str, report: dict, markdown: str) -> None:
    """Write results/NAME.json and results/NAME.md, and print the Markdown."""
    import json

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown)
    print(markdown)
