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
