"""Start the UI the way `make start` does: serve it at once and train, behind it and one
at a time, each app's default model that is missing; the pages show the progress and
load each model when it lands. Progress lines go to this terminal too.

  python -m app_pages.launch [--address 127.0.0.1] [--port 8501]

The server listens on 127.0.0.1 (this machine only) unless --address says otherwise,
e.g. --address 0.0.0.0 to serve other machines of your network.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def missing_defaults(models: Path) -> list[str]:
    """The registered tasks with no bundle at `models/<task>`, in registry order."""
    from shared.bundle import METADATA_FILE
    from shared.tasks import all_tasks

    return [task.name for task in all_tasks() if not (models / task.name / METADATA_FILE).is_file()]


# The app as served, not a development server: no watching of the source tree (and of
# the models being written, which overflowed inotify's queue while defaults trained) and
# no "Deploy" button. A plain `streamlit run streamlit_app.py` keeps Streamlit's defaults.
SERVED = ["--server.fileWatcherType=none", "--server.runOnSave=false", "--client.toolbarMode=viewer"]


def start_ui(address: str, port: int, status_file: Path) -> subprocess.Popen:
    """The Streamlit server, told where the default trainings' status is."""
    from app_pages.defaults import STATUS_VARIABLE

    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
               f"--server.address={address}", f"--server.port={port}",
               "--server.headless=true", "--browser.gatherUsageStats=false", *SERVED]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, STATUS_VARIABLE: str(status_file)})


def port_taken(address: str, port: int) -> str | None:
    """Why the UI could not listen at `address:port`, or None when it can."""
    import socket

    try:
        with socket.create_server((address, port)):
            return None
    except OSError as error:
        return os.strerror(error.errno).lower() if error.errno else str(error)


def train_default(models: Path):
    """`train_one` for `train_queue`: the default model of a task at `models/<task>`."""

    def train_one(name: str, on_epoch) -> None:
        from shared.tasks import get_task
        from shared.training import ensure_default_model

        ensure_default_model(get_task(name), models / name, on_epoch=on_epoch)

    return train_one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app_pages.launch", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8501, help="port (default: 8501)")
    args = parser.parse_args(argv)

    from app_pages.common import models_dir
    from app_pages.defaults import DefaultsStatus, train_queue, write_status

    # A stop (Ctrl-C, or SIGTERM from a service manager) ends the training and the UI server with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    port_in_use = port_taken(args.address, args.port)
    if port_in_use:
        print(f"error: {args.address}:{args.port} is in use ({port_in_use}); choose another port: "
              "PORT=8600 make start, or --port 8600", file=sys.stderr)  # fmt: skip
        return 2
    models = models_dir().absolute()
    queue = missing_defaults(models)
    with tempfile.TemporaryDirectory(prefix="rnntext-start-") as folder:
        status_file = Path(folder) / "defaults.json"
        status = DefaultsStatus(queue)
        write_status(status_file, status)
        print(f"Starting the UI on http://{args.address}:{args.port}", flush=True)
        ui = start_ui(args.address, args.port, status_file)
        try:
            if queue:
                print(f"Training the missing default models behind it, one at a time: {', '.join(queue)}. "
                      "Each page shows its model's progress and loads it when it lands.", flush=True)  # fmt: skip
                import shared

                shared.import_tensorflow_quietly()
                status = train_queue(status, status_file, train_default(models))
                if status.failed:
                    print("\nThe UI runs without these models; their pages say how to train them.", flush=True)
            return ui.wait()
        except KeyboardInterrupt:
            return 130
        finally:
            if ui.poll() is None:
                ui.terminate()
                try:
                    ui.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    ui.kill()


if __name__ == "__main__":
    raise SystemExit(main())
