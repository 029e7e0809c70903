"""Start the UI the way `make start` does: train each app's default model if it has none
and its data can be found, say what is missing and how to get it, then always run the UI.

  python -m app_pages.launch [--address 127.0.0.1] [--port 8501]

The server listens on 127.0.0.1 (this machine only) unless --address says otherwise,
e.g. --address 0.0.0.0 to serve other machines of your network.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_default_models(models: Path) -> list[str]:
    """Train the default model of every registered task that has none in `models`;
    returns one line per task whose model could not be made (and why)."""
    from shared.datasets import get_spec
    from shared.errors import UserError
    from shared.tasks import all_tasks
    from shared.verbs.quickstart import ensure_default_model

    missing = []
    for task in all_tasks():
        try:
            ensure_default_model(task, models / task.name)
        except UserError as error:
            source = get_spec(task.default_dataset).source
            missing.append(f"- {task.title}: not trained ({error}). The dataset: {source}.")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app_pages.launch", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8501, help="port (default: 8501)")
    args = parser.parse_args(argv)

    import shared

    shared.import_tensorflow_quietly()
    from app_pages.common import models_dir

    missing = ensure_default_models(models_dir())
    if missing:
        print("\nThe UI starts without these models; its pages say how to train them:", *missing, sep="\n", flush=True)
    print(f"\nStarting the UI on http://{args.address}:{args.port}", flush=True)
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
               f"--server.address={args.address}", f"--server.port={args.port}",
               "--server.headless=true", "--browser.gatherUsageStats=false"]  # fmt: skip
    os.chdir(ROOT)
    os.execv(sys.executable, command)


if __name__ == "__main__":
    raise SystemExit(main())
