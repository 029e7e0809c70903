"""The kill points of the crash tests: inert unless asked for, and once means once."""

import os
import signal
import subprocess
import sys

import pytest

from shared.faults import kill_point
from tests.conftest import ROOT

DIE_AT_SCORING = "from shared.faults import kill_point; kill_point('scoring-worker'); print('alive')"


def run(env: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", DIE_AT_SCORING], env=env, capture_output=True, text=True)


def test_a_point_kills_only_the_process_that_asked_for_it_and_once_means_once(tmp_path):
    assert run({}).stdout == "alive\n"
    assert run({"RNNTEXT_TEST_KILL_AT": "before-rename"}).stdout == "alive\n"
    assert run({"RNNTEXT_TEST_KILL_AT": "scoring-worker"}).returncode == -signal.SIGKILL
    once = {"RNNTEXT_TEST_KILL_AT": "scoring-worker", "RNNTEXT_TEST_KILL_ONCE": str(tmp_path / "killed")}
    assert run(once).returncode == -signal.SIGKILL and (tmp_path / "killed").exists()
    assert run(once).stdout == "alive\n"


def test_an_unknown_point_is_a_bug():
    with pytest.raises(ValueError, match="unknown kill point 'somewhere'"):
        kill_point("somewhere")
