"""Batch scoring speed and memory: the single-process CLI against `--engine ray`.

Writes a CSV of N tweets (the airline-tweets texts, repeated; under benchmarks/work,
never committed), scores it with `python -m sentiment.predict` as a user would run it,
once in one process and then on an embedded local Ray cluster with 1 and 2 workers,
and once more with BIG rows on 2 workers to see whether a worker's memory grows
with the input. Peak memory is each process's high-water mark (VmHWM), polled.

    .venv/bin/python -m benchmarks.cluster_scoring --rows 1000000 --big-rows 5000000
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.common import header, run_record, write_results

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "scoring"
DEFAULT_MODEL = ROOT / "benchmarks" / "work" / "seeds" / "sentiment-airline-tweets-without-LM-1"
DAY_SECONDS = 86_400
CPU_ROLES = ("command", "reading", "repartition", "scoring", "ray, other")


def write_input(rows: int) -> Path:
    """A CSV of `rows` tweets (id, text), written once per size."""
    from shared.datasets import dataset_texts

    path = WORK / f"tweets-{rows}.csv"
    if path.is_file():
        return path
    splits = dataset_texts("airline-tweets")
    texts = [text for split in splits.values() if split for text in split]
    WORK.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with open(partial, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text"])
        writer.writerows([n, text] for n, text in zip(range(rows), itertools.cycle(texts)))
    partial.rename(path)
    return path


def memory_mb(pid: int) -> dict[str, float] | None:
    """A process's peak resident memory (VmHWM, which counts the pages of Ray's shared
    object store it has touched) and its private memory now (RssAnon), in MB."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    wanted = ("VmHWM:", "RssAnon:")
    fields = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in lines if line.startswith(wanted)}
    return fields if len(fields) == 2 else None


def process_title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time a process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def role(title: str) -> str | None:
    """What a Ray process does, by its title (a task worker takes its task's name)."""
    for marker, name in (("BlockScorer", "scoring"), ("read_files", "reading"), ("Repartition", "repartition")):
        if marker in title:
            return name
    return "ray, other" if "ray" in title else None


class ProcessWatch:
    """Polls every process of this machine whose command line names a scoring worker
    (Ray's actor title), and the command's own process: their peak memory in MB; and
    the CPU seconds of the command and of each kind of Ray process."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peaks: dict[int, float] = {}  # VmHWM
        self.private: dict[int, float] = {}  # the highest RssAnon seen
        self.titles: dict[int, str] = {}
        self.cpu_seen: dict[int, float] = {}
        self.cpu_by_role: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.poll, daemon=True)
        self.thread.start()

    def poll(self) -> None:
        while not self.stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                pid = int(entry.name)
                self.count_cpu(pid)
                title = self.titles.get(pid) or process_title(pid)
                if pid == self.pid or "BlockScorer" in title:
                    self.titles[pid] = title
                    memory = memory_mb(pid)
                    if memory is not None:
                        self.peaks[pid] = max(memory["VmHWM"], self.peaks.get(pid, 0.0))
                        self.private[pid] = max(memory["RssAnon"], self.private.get(pid, 0.0))
            self.stop.wait(0.5)

    def count_cpu(self, pid: int) -> None:
        name = "command" if pid == self.pid else role(process_title(pid))
        if name is None:
            return
        used = cpu_seconds(pid)
        if used is None:
            return
        # A process first seen mid-run counts from then; Ray's worker pool starts before the run.
        self.cpu_by_role[name] = self.cpu_by_role.get(name, 0.0) + used - self.cpu_seen.get(pid, used)
        self.cpu_seen[pid] = used

    def finish(self) -> dict:
        self.stop.set()
        self.thread.join()
        workers = [pid for pid in self.peaks if pid != self.pid]
        return {
            "cpu_seconds": {name: round(seconds, 1) for name, seconds in sorted(self.cpu_by_role.items())},
            "command_peak_mb": round(self.peaks.get(self.pid, 0.0)),
            "worker_peak_mb": sorted(round(self.peaks[pid]) for pid in workers),
            "worker_private_peak_mb": sorted(round(self.private[pid]) for pid in workers),
        }


def count_output_rows(output: Path) -> int:
    files = sorted(output.glob("part-*")) if output.is_dir() else [output]
    total = 0
    for path in files:
        with open(path, newline="", encoding="utf-8") as handle:
            total += sum(1 for _ in csv.reader(handle)) - 1
    return total


def run_case(name: str, model: Path, source: Path, rows: int, workers: int | None) -> dict:
    output = WORK / f"out-{name}"
    if output.is_dir():
        shutil.rmtree(output)
    output.unlink(missing_ok=True)
    command = [sys.executable, "-m", "sentiment.predict", "--model", str(model), "--input", str(source)]
    if workers is None:
        command += ["--output", str(output.with_suffix(".csv"))]
        output = output.with_suffix(".csv")
        output.unlink(missing_ok=True)
    else:
        command += ["--engine", "ray", "--workers", str(workers), "--output", str(output)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    watch = ProcessWatch(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    result = {"name": name, "rows": rows, "workers": workers, "seconds": round(seconds, 1), **watch.finish()}
    if process.returncode != 0:
        raise SystemExit(f"{name} failed: {stderr.strip().splitlines()[-1]}")
    written = count_output_rows(output)
    if written != rows:
        raise SystemExit(f"{name}: wrote {written} rows, expected {rows}")
    result["rows_per_s"] = round(rows / seconds)
    print(result, flush=True)
    return result


def markdown(report: dict) -> str:
    lines = header("Batch scoring: single process against Ray", report)
    lines += [
        f"Model: `{report['model']}` (sentiment, airline tweets); input: one CSV of tweets.",
        "Times are wall clock for the whole command as a user runs it (start-up, reading, "
        "scoring, writing; Ray's includes starting the embedded cluster and its workers).",
        "",
        "Memory: peak resident MB (VmHWM; a Ray worker's counts the pages of the shared object "
        "store it has read blocks from) and peak private MB (RssAnon: the worker's own heap).",
        "",
        "| Run | Rows | Workers | Seconds | Rows/s | Peak MB, command | Peak MB per worker | Private MB per worker |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for case in report["cases"]:
        workers = case["workers"] if case["workers"] else "-"
        peaks = ", ".join(str(peak) for peak in case["worker_peak_mb"]) or "-"
        private = ", ".join(str(peak) for peak in case["worker_private_peak_mb"]) or "-"
        lines.append(
            f"| {case['name']} | {case['rows']:,} | {workers} | {case['seconds']} | {case['rows_per_s']:,} "
            f"| {case['command_peak_mb']} | {peaks} | {private} |"
        )
    derived = report["derived"]
    lines += [
        "",
        "CPU seconds by process (polled twice a second, so a process's first half second is missed):",
        "",
        "| Run | " + " | ".join(CPU_ROLES) + " |",
        "|---|" + "---:|" * len(CPU_ROLES),
    ]
    for case in report["cases"]:
        cells = [str(case["cpu_seconds"].get(name, "-")) for name in CPU_ROLES]
        lines.append(f"| {case['name']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"- Ray with 1 worker against the CLI: {derived['ray1_cost_vs_cli_percent']:+.1f}% time "
        "(target: at most +20%).",
        f"- Ray with 2 workers against 1: {derived['ray2_speedup_vs_ray1']:.2f}x.",
    ]
    if "ray1_cost_vs_cli_big_percent" in derived:
        lines.append(f"- The same at {report['big_rows']:,} rows: {derived['ray1_cost_vs_cli_big_percent']:+.1f}%.")
    if "worker_memory_growth_percent" in derived:
        lines.append(
            f"- Peak memory per worker from {report['rows']:,} to {report['big_rows']:,} rows: private "
            f"{derived['worker_private_memory_growth_percent']:+.1f}% (target: within 10%); resident, with the "
            f"shared object store pages, {derived['worker_memory_growth_percent']:+.1f}%."
        )
    lines += [
        f"- Rows/s per scoring core (Ray, 2 workers): {derived['rows_per_s_per_core']:,}. "
        f"1 billion rows a day is {1e9 / DAY_SECONDS:,.0f} rows/s: about {derived['cores_for_1e9_a_day']} such cores, "
        "before headroom for retries and stragglers.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=5_000_000, help="0: skip the memory run")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)

    source = write_input(args.rows)
    cases = [
        run_case("cli", args.model, source, args.rows, None),
        run_case("ray-1", args.model, source, args.rows, 1),
        run_case("ray-2", args.model, source, args.rows, 2),
    ]
    if args.big_rows:
        big = write_input(args.big_rows)
        cases += [
            run_case("cli-big", args.model, big, args.big_rows, None),
            run_case("ray-1-big", args.model, big, args.big_rows, 1),
            run_case("ray-2-big", args.model, big, args.big_rows, 2),
        ]
    by_name = {case["name"]: case for case in cases}
    per_core = by_name["ray-2"]["rows_per_s"] / 2
    derived = {
        "ray1_cost_vs_cli_percent": round((by_name["ray-1"]["seconds"] / by_name["cli"]["seconds"] - 1) * 100, 1),
        "ray2_speedup_vs_ray1": round(by_name["ray-1"]["seconds"] / by_name["ray-2"]["seconds"], 2),
        "rows_per_s_per_core": round(per_core),
        "cores_for_1e9_a_day": round(1e9 / DAY_SECONDS / per_core, 1),
    }
    if args.big_rows:
        derived["ray1_cost_vs_cli_big_percent"] = round(
            (by_name["ray-1-big"]["seconds"] / by_name["cli-big"]["seconds"] - 1) * 100, 1
        )
        for key, name in (("worker_peak_mb", "worker_memory"), ("worker_private_peak_mb", "worker_private_memory")):
            small, big = max(by_name["ray-2"][key]), max(by_name["ray-2-big"][key])
            derived[f"{name}_growth_percent"] = round((big / small - 1) * 100, 1)
    report = {
        **run_record("benchmarks.cluster_scoring", argv if argv is not None else sys.argv[1:]),
        "model": str(args.model.relative_to(ROOT)) if args.model.is_relative_to(ROOT) else str(args.model),
        "rows": args.rows,
        "big_rows": args.big_rows,
        "cases": cases,
        "derived": derived,
    }
    write_results("cluster-scoring", report, markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
