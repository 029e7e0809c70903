"""The task registry and its contract."""

import importlib

import pytest

from shared.cli import VERBS, rnntext
from shared.errors import UserError
from shared.tasks import APPS, Task, all_tasks, get_task


def test_every_registered_task_is_found_by_name_in_order():
    assert [task.name for task in all_tasks()] == list(APPS)
    assert all(get_task(task.name) is task for task in all_tasks())


def test_an_unknown_task_is_a_user_error_naming_the_known_ones():
    with pytest.raises(UserError, match="unknown task 'pos'; known tasks: sentiment, ner, lm"):
        get_task("pos")


def test_a_task_that_leaves_out_part_of_the_contract_cannot_be_created():
    class Half(Task):
        name = "half"

        def api_class(self):
            return object

    with pytest.raises(TypeError, match="abstract"):
        Half()


@pytest.mark.parametrize("name", list(APPS))
def test_every_task_has_every_verb_with_its_own_help(name):
    task = get_task(name)
    for verb in (*VERBS, *task.extra_verbs):
        module = importlib.import_module(f"{name}.{verb}")
        assert callable(module.main) and module.__doc__.strip()
    assert task.default_dataset in task.datasets and task.output_format in ("csv", "jsonl")
    assert name == task.api_class().TASK


def test_the_console_script_names_tasks_and_verbs(capsys):
    assert rnntext(["pos", "train"]) == 2
    usage = capsys.readouterr().err
    assert "usage: rnntext {sentiment,ner,lm} {train,evaluate,predict,export,serve,quickstart}" in usage
    assert "rnntext lm {sample}" in usage
    assert rnntext(["ner", "sample"]) == 2
    with pytest.raises(SystemExit) as done:
        rnntext(["ner", "predict", "--help"])
    assert done.value.code == 0 and "usage: python -m ner.predict" in capsys.readouterr().out
