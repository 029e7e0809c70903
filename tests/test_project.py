"""The README's two commands are the ones the Makefile and CI run."""

import re

from tests.conftest import ROOT


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^make (\w+)", readme, flags=re.MULTILINE)
    assert commands[:2] == ["start", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^start:", makefile, re.MULTILINE) and re.search(r"^test:", makefile, re.MULTILINE)


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line.strip()), line


def test_benchmark_records_name_the_commit_and_dirty_flag():
    from benchmarks.common import run_record

    record = run_record("benchmarks.x", ["--flag"])
    assert len(record["commit"]) == 40 and isinstance(record["dirty"], bool)
    assert record["command"] == ".venv/bin/python -m benchmarks.x --flag"
