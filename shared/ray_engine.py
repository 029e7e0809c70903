"""Batch scoring on a Ray cluster: the predict verb's `--engine ray`.

Input files (CSV, JSONL, Parquet or plain text; a path, a folder or a glob, on any
file system pyarrow reads; `shared.inputs` reads them) are read in blocks of
`rows_per_part` rows by Ray Data; a pool of actors, each holding the model once, scores
the blocks (the API sorts each block's texts by length into batches) and writes one
part file per block, by the protocol of `shared.part_files`: every input column, the
task's result fields, source_file and source_row. Ray retries the blocks of a worker
that dies; a retried block replaces its own part.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from shared import LOOPBACK
from shared.bundle import METADATA_FILE, MODEL_FILE
from shared.errors import UserError
from shared.inputs import Row, check_inputs, display_name, filesystem_and_path, input_files, source_rows
from shared.part_files import (
    SUCCESS,
    check_output,
    clear_output,
    commit_output,
    part_name,
    prepare_output,
    write_manifest,
    write_part,
)
from shared.reaper import reaped_cluster
from shared.results import blank_note

ROWS_PER_PART = 8192
CONNECT_TIMEOUT = 30.0  # seconds to reach a cluster given by address
INIT_THREAD = "ray-init"
SOURCE_COLUMNS = ("source_file", "source_row")


# ----------------------------------------------------------------- reading


def read_blocks(filesystem, path: str, index: int, text_col: str, chunk_rows: int):
    """One input file as pyarrow tables of `chunk_rows` rows: the file's index, source,
    text, the row's fields as JSON (so rows of any shape travel as one schema) and an
    error column, null unless the file cannot be read on (then one row carries why)."""
    import itertools

    import pyarrow as pa

    name = display_name(filesystem, path)

    def table(chunk: list[Row], error: str | None = None):
        return pa.table(
            {
                "file_index": pa.array([index] * len(chunk), pa.int64()),
                "source_file": pa.array([name] * len(chunk), pa.string()),
                "source_row": pa.array([number for number, _, _ in chunk], pa.int64()),
                "text": pa.array([text for _, _, text in chunk], pa.string()),
                "fields": pa.array([json.dumps(row, ensure_ascii=False, default=str) for _, row, _ in chunk]),
                "error": pa.array([error] * len(chunk), pa.string()),
            }
        )

    try:
        rows = source_rows(filesystem, path, text_col, chunk_rows)
        while chunk := list(itertools.islice(rows, chunk_rows)):
            yield table(chunk)
    except UserError as error:
        yield table([(0, {}, "")], error_record(error))


def read_files(batch: dict, filesystem, text_col: str, chunk_rows: int):
    """A Ray Data UDF: the blocks of each input file named in `batch` (index and path)."""
    for index, path in zip(batch["file_index"], batch["path"]):
        yield from read_blocks(filesystem, str(path), int(index), text_col, chunk_rows)


# ----------------------------------------------------------------- scoring


@dataclass(frozen=True)
class PartOptions:
    task: str
    output: str  # the output folder, a local path or a URI
    output_format: str  # csv or jsonl
    strict: bool
    keep_formulas: bool
    threads: int | None = None  # TensorFlow threads per worker (None: TensorFlow's default, every core)


def error_record(error: UserError) -> str:
    """A user's error as data: Ray wraps what a worker raises, losing its type."""
    return json.dumps({"type": type(error).__name__, "message": str(error)})


def user_error(record: str) -> UserError:
    """The UserError (of its own type) that `error_record` wrote down."""
    import shared.errors

    found = json.loads(record)
    kind = getattr(shared.errors, found["type"], None)
    return (kind if isinstance(kind, type) and issubclass(kind, UserError) else UserError)(found["message"])


def failed(record: str) -> dict:
    """What a scoring actor returns for a block it could not score."""
    return {"part": [""], "rows": [0], "blank": [0], "error": [record]}


class BlockScorer:
    """A Ray actor: loads the bundle once, then scores blocks into part files."""

    def __init__(self, bundle_ref, options: PartOptions):
        import ray
        import tensorflow as tf

        from shared.tasks import get_task

        if options.threads:
            tf.config.threading.set_intra_op_parallelism_threads(options.threads)

        self.options = options
        self.task = get_task(options.task)
        self.folder = tempfile.TemporaryDirectory(prefix="rnntext-bundle-")
        for name, data in ray.get(bundle_ref[0]).items():
            Path(self.folder.name, name).write_bytes(data)
        self.api = self.task.load(self.folder.name)
        self.filesystem, self.output = filesystem_and_path(options.output)

    def __call__(self, block):
        errors = [error for error in block.column("error").to_pylist() if error]
        if errors:
            return failed(errors[0])
        files = block.column("file_index").to_pylist()
        try:
            written = [self.write_part(block.filter([name == file for name in files])) for file in dict.fromkeys(files)]
        except UserError as error:
            return failed(error_record(error))
        return {key: [summary[key] for summary in written] for key in ("part", "rows", "blank")} | {
            "error": [None] * len(written)
        }

    def write_part(self, block) -> dict:
        """Score the rows of one file in `block` into the part named after that file and
        its first row, and return what was written."""
        from shared.results import write_scored

        fields = [json.loads(value) for value in block.column("fields").to_pylist()]
        sources = block.column("source_file").to_pylist()
        numbers = block.column("source_row").to_pylist()
        rows = [
            (number, {**row, "source_file": source, "source_row": number}, text)
            for row, source, number, text in zip(fields, sources, numbers, block.column("text").to_pylist())
        ]
        columns = list(dict.fromkeys(key for row in fields for key in row)) + list(SOURCE_COLUMNS)
        name = part_name(block.column("file_index")[0].as_py(), numbers[0], self.options.output_format)

        def write(out):
            return write_scored(
                self.task,
                self.api,
                columns,
                iter(rows),
                out,
                output_format=self.options.output_format,
                strict=self.options.strict,
                keep_formulas=self.options.keep_formulas,
                source=sources[0],
            )

        summary = write_part(self.filesystem, self.output, name, write)
        return {"part": name, "rows": summary.rows, "blank": summary.blank}


def read_bundle_files(model: Path) -> dict[str, bytes]:
    """The files a worker needs to load the bundle (the model and its metadata), so the
    bundle need only be on the machine that starts the run."""
    return {name: (Path(model) / name).read_bytes() for name in (MODEL_FILE, METADATA_FILE)}


# ----------------------------------------------------------------- the run


@dataclass(frozen=True)
class RayRun:
    rows: int
    blank: int
    parts: int
    seconds: float

    def describe(self, where: str) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        wrote = f"Wrote {self.rows} rows in {self.parts} part files to {where}"
        return f"{wrote}{blank_note(self.blank)}; {rate:,.0f} rows/s"


def check_reachable(address: str, timeout: float) -> None:
    """UserError unless something accepts TCP connections at a `host:port` address
    within `timeout` seconds (Ray itself waits minutes for a cluster that is not there).
    Other forms (`auto`, `ray://...`) are left to Ray."""
    import socket

    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        reason = f"no answer within {timeout:g} s" if isinstance(error, TimeoutError) else error.strerror or error
        raise UserError(f"cannot reach the Ray cluster at {address} ({str(reason).lower()})") from None


def init_within(deadline: float, timeout: float, **options) -> None:
    """`ray.init(**options)`, or a UserError at `deadline` (time.monotonic(); the
    connect `timeout` began before the address was probed): Ray retries a server that
    answers but is not Ray's for minutes, and its call cannot be cancelled, so it runs
    in a daemon thread that is left behind (the command is ending anyway)."""
    import threading

    import ray

    failure: list[BaseException] = []

    def init() -> None:
        try:
            ray.init(**options)
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            failure.append(error)

    thread = threading.Thread(target=init, name=INIT_THREAD, daemon=True)
    thread.start()
    thread.join(max(deadline - time.monotonic(), 0.0))
    address = options.get("address")
    if thread.is_alive():
        raise UserError(f"cannot connect to the Ray cluster at {address} (no answer within {timeout:g} s)")
    if failure:
        if isinstance(failure[0], Exception):  # refused, a version or token that does not match...
            raise UserError(f"cannot connect to the Ray cluster at {address} ({failure[0]})") from None
        raise failure[0]


@contextlib.contextmanager
def ray_messages_held(verbose: bool):
    """Unless `verbose`, hold back what Ray writes to this process's stderr while the
    block runs (its Python loggers, Ray Data's plans and progress bars, and its C++
    core's lines, which no setting silences), so a user's error is the one line the
    command prints. What was held is written out after all if the block fails with
    anything but a user's error: a bug report needs it."""
    import sys

    import ray.data

    ray.data.DataContext.get_current().enable_progress_bars = verbose
    if verbose:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        bug = False
        try:
            yield
        except (UserError, KeyboardInterrupt):
            raise
        except BaseException:
            bug = True
            raise
        finally:
            _restore_stderr(saved)
            if bug:
                held.seek(0)
                sys.stderr.write(held.read().decode("utf-8", "replace"))


def _restore_stderr(saved: int) -> None:
    """Point stderr back at `saved`; while an abandoned `ray.init` thread may still
    write, only Python's sys.stderr goes back (Ray's core keeps writing to the held file)."""
    import sys
    import threading

    sys.stderr.flush()
    if any(thread.name == INIT_THREAD and thread.is_alive() for thread in threading.enumerate()):
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="backslashreplace")
    else:
        os.dup2(saved, 2)
    os.close(saved)


@contextlib.contextmanager
def ray_cluster(address: str | None, workers: int, *, connect_timeout: float = CONNECT_TIMEOUT, verbose=False):
    """Connect to the Ray cluster at `address` (or $RAY_ADDRESS) within `connect_timeout`
    seconds, or start an embedded local one with a CPU for each of `workers` and one for
    reading (and use one already started in this process as it is); shut down what we started.

    Security: the embedded cluster is given 127.0.0.1 as its node address, but Ray 2.60
    still binds its servers to every interface of this machine; Ray's token
    authentication, on by default, guards them. See the README's security notes.
    """
    import ray

    if ray.is_initialized():
        yield
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    options = {"log_to_driver": verbose, "configure_logging": False}
    if address:
        deadline = time.monotonic() + connect_timeout  # one bound for the probe and Ray's own connect
        check_reachable(address, connect_timeout)
    with ray_messages_held(verbose), contextlib.ExitStack() as stack:
        if address:
            init_within(deadline, connect_timeout, address=address, **options)
        else:
            stack.enter_context(reaped_cluster())  # its processes end with this command, however it ends
            ray.init(num_cpus=workers + 1, include_dashboard=False, _node_ip_address=LOOPBACK, **options)
        try:
            yield
        finally:
            ray.shutdown()


def cluster_workers() -> int:
    """On a cluster we joined: its CPUs less one for reading."""
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)


def score_on_ray(
    task,
    model: Path,
    inputs: str,
    text_col: str,
    output: str,
    *,
    output_format: str,
    workers: int | None = None,
    address: str | None = None,
    strict: bool = False,
    keep_formulas: bool = False,
    rows_per_part: int = ROWS_PER_PART,
    connect_timeout: float = CONNECT_TIMEOUT,
    verbose: bool = False,
) -> RayRun:
    """Score every row of `inputs` with the bundle `model` into part files under `output`.

    Everything that can be checked here (the bundle, the inputs and their text column,
    the output folder, the cluster's address) is checked before anything is written;
    a run that fails with a user's error leaves nothing in `output`.
    """
    try:
        import ray  # noqa: F401
    except ImportError:
        raise UserError("--engine ray needs Ray: pip install 'ray[data]' (make installs it)") from None

    task.load(model)  # a broken or foreign bundle stops here, before any cluster starts
    filesystem, files = input_files(inputs)
    check_inputs(filesystem, files, text_col)
    out_fs, folder = filesystem_and_path(output)
    check_output(out_fs, folder, output)
    embedded = not (address or os.environ.get("RAY_ADDRESS"))
    if embedded:
        workers = workers or os.cpu_count() or 1
    source = Source(filesystem, files, text_col, rows_per_part)
    options = PartOptions(task.name, output, output_format, strict, keep_formulas)
    with ray_cluster(address, workers or 1, connect_timeout=connect_timeout, verbose=verbose):
        workers = workers or cluster_workers()
        # Workers on this machine share its cores rather than each running a thread per core.
        options = replace(options, threads=max(1, (os.cpu_count() or 1) // workers) if embedded else None)
        created = prepare_output(out_fs, folder, output)
        try:
            return score_into(task, model, source, options, workers, out_fs, folder)
        except UserError:
            clear_output(out_fs, folder, remove=created)
            raise


@dataclass(frozen=True)
class Source:
    filesystem: object
    files: list[str]
    text_col: str
    rows_per_part: int


def score_into(task, model: Path, source: Source, options: PartOptions, workers: int, out_fs, folder: str) -> RayRun:
    """The run itself, on the cluster we are connected to, into the prepared `folder`."""
    import ray

    from shared.bundle import utc_now

    start = time.perf_counter()
    names = [display_name(source.filesystem, path) for path in source.files]
    manifest = {"task": task.name, "model": str(model), "inputs": names}
    write_manifest(out_fs, folder, {**manifest, "started": utc_now()})
    bundle = [ray.put(read_bundle_files(model))]  # in a list: Ray passes it on as a reference
    # A read task per file (a fraction of a CPU: reading is light, and a different
    # CPU share keeps Ray from fusing it into the scoring actors, which would read
    # a whole file each), cut into blocks of `rows_per_part` that the actors share.
    items = [{"file_index": index, "path": path} for index, path in enumerate(source.files)]
    reading = {"filesystem": source.filesystem, "text_col": source.text_col, "chunk_rows": source.rows_per_part}
    dataset = (
        ray.data.from_items(items, override_num_blocks=len(source.files))
        .map_batches(read_files, batch_size=1, num_cpus=0.5, fn_kwargs=reading)
        .repartition(target_num_rows_per_block=source.rows_per_part)
        .map_batches(
            BlockScorer,
            batch_size=None,
            batch_format="pyarrow",
            fn_constructor_args=(bundle, options),
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )
    )
    results = []
    for result in dataset.iter_rows():
        if result["error"]:
            raise user_error(result["error"])
        results.append(result)
    parts = sorted(row["part"] for row in results)
    if len(parts) != len(set(parts)):
        raise RuntimeError(f"{options.output}: a part was reported twice; output left without {SUCCESS}")
    rows, blank = (sum(result[key] for result in results) for key in ("rows", "blank"))
    run = RayRun(rows, blank, len(parts), time.perf_counter() - start)
    summary = {**manifest, "rows": run.rows, "blank": run.blank, "parts": parts, "seconds": round(run.seconds, 1)}
    commit_output(out_fs, folder, parts, {**summary, "finished": utc_now(), "workers": workers})
    return run
