"""Run the Streamlit app in a background process (for the browser test and the UI benchmark)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(models_dir: Path, startup_seconds: float = 120, cwd: Path = ROOT, *, served: bool = True):
    """`streamlit run streamlit_app.py` on a free localhost port, as `make start` serves it
    (`app_pages.launch.SERVED`; `served=False`: Streamlit's development defaults), in
    the working folder `cwd` (where the Annotate page finds data/); yields its URL once
    healthy."""
    from app_pages.launch import SERVED

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RNNTEXT_MODELS_DIR": str(models_dir)}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless=true",
               "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
               *(SERVED if served else [])]  # fmt: skip
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + startup_seconds
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_idle(page, settle_ms: int = 300, timeout_ms: int = 120_000) -> None:
    """Wait `settle_ms` (a run starts shortly after an input), then until the script run
    is over (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(settle_ms)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=timeout_ms)
