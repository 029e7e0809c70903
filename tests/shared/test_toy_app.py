"""An app registered with only the required parts (a Task and how results print): every
verb either serves it or says, in one line, which capability it lacks, and the pages that
need a capability do not offer it."""

import pytest

from sentiment.task import SentimentTask
from shared.cli import run_cli
from shared.tasks import APPS, App, Presentation, apps_with, get_app


class ToyTask(SentimentTask):
    """The sentiment model side under another name: what a new app writes first."""

    name = "toy"


APP = App(ToyTask(), Presentation(title="Toy", noun="texts", examples=("A toy text.",), show=lambda api, texts: None))


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(APPS, "toy", __name__)
    return get_app("toy")


def run_verb(verb: str, argv: list[str], capsys) -> tuple[int, list[str], str]:
    """(exit status, stderr lines, stdout) of the shared verb `verb` run for the toy app."""
    import importlib

    command = importlib.import_module(f"shared.verbs.{verb}").command
    status = run_cli(command("toy", f"The toy's {verb}."), argv)
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


def test_the_pages_list_only_the_apps_with_the_capability_they_need(toy):
    for capability in ("files", "annotation", "baseline", "errors"):
        assert "toy" not in apps_with(capability)
    assert apps_with("annotation") == ["sentiment", "ner"] and apps_with("files") == ["sentiment", "ner", "lm"]


@pytest.mark.parametrize(
    "verb, argv, line",
    [
        ("train", ["--dataset", "sst", "--csv", "r.csv"], "error: unrecognised argument '--csv'"),
        ("train", ["--dataset", "sst", "--annotations", "a.jsonl"], "error: unrecognised argument '--annotations'"),
        ("evaluate", ["--model", "m", "--dataset", "sst", "--errors", "e.csv"], "error: unrecognized arguments"),
        ("evaluate", ["--model", "m", "--dataset", "sst", "--baseline", "tfidf"], "error: unrecognized arguments"),
        ("select", ["--model", "m"], "error: toy has no annotation loop: toy.select needs one"),
        ("export_annotations", [], "error: toy has no annotation loop: toy.export_annotations needs one"),
    ],
)
def test_a_verb_that_needs_a_missing_capability_says_so_in_one_line(toy, capsys, verb, argv, line):
    status, errors, _ = run_verb(verb, argv, capsys)
    assert status == 2 and len(errors) == 1 and errors[0].startswith(line), errors


def help_text(verb: str, capsys) -> str:
    with pytest.raises(SystemExit) as stopped:
        run_verb(verb, ["--help"], capsys)
    captured = capsys.readouterr()
    assert stopped.value.code == 0 and not captured.err
    return captured.out


def test_the_verbs_that_need_only_the_task_serve_the_toy(toy, capsys):
    for verb in ("train", "evaluate", "predict", "export", "quickstart"):
        assert f"usage: python -m toy.{verb}" in help_text(verb, capsys)
    train_help, evaluate_help = help_text("train", capsys), help_text("evaluate", capsys)
    assert "data (--dataset):" in train_help and "--csv" not in train_help and "--annotations" not in train_help
    assert "--errors" not in evaluate_help and "--baseline" not in evaluate_help
