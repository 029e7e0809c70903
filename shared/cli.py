"""What every command-line verb uses: an app's own options (`AppCli`), argument parsing
from the module docstring, and user errors as one readable line with a non-zero exit."""

from __future__ import annotations

import abc
import argparse
import importlib
import sys
from collections.abc import Callable

from shared import import_tensorflow_quietly
from shared.config import check_seed
from shared.errors import UnsupportedError, UsageError, UserError


class AppCli(abc.ABC):
    """An app's own command-line options, in its `cli` module as `CLI`: the files `train`
    and `evaluate` read instead of `--dataset` (and the config overrides some of its
    options stand for), and how `quickstart` prints results for a person. Each of the
    app's verb modules is `main = command(CLI, __doc__)`."""

    task_name: str
    train_file_option: str  # the file option that stands instead of --dataset in train
    evaluate_file_option: str  # the same for evaluate

    @property
    def task(self):
        from shared.tasks import get_task

        return get_task(self.task_name)

    @abc.abstractmethod
    def add_training_arguments(self, source, group) -> None:
        """The train verb's file options: `train_file_option` into `source` (the group
        it shares, mutually exclusive, with --dataset), the others into `group`."""

    def config_overrides(self, args) -> list[str]:
        """Dotted config overrides (`--model.level=word`) that the app's own train options stand for."""
        return []

    @abc.abstractmethod
    def read_training_files(self, args, config, seed: int):
        """The `shared.tasks.DataSource` named by the train verb's file options."""

    @abc.abstractmethod
    def add_evaluation_arguments(self, source, group) -> None:
        """The evaluate verb's file options, as for `add_training_arguments`."""

    @abc.abstractmethod
    def read_evaluation_file(self, args, api):
        """(name, gold data) from the evaluate verb's file options."""

    @abc.abstractmethod
    def show(self, api, texts: list[str]) -> None:
        """Print the results of `texts` for a person (quickstart)."""

    def error_rows(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]] | None:
        """(columns, one row per wrong prediction on `gold`, most confident first) for the
        evaluate verb's --errors file, with the baseline's prediction of each when
        `baseline` (one per example of `gold`) is given; None where the app writes no such file."""
        return None

    annotations: bool = False  # whether train reads annotation files (--annotations, --extra)

    def annotated_examples(self, path, size: int | None = None) -> object:
        """The training examples of an annotation file (`shared.annotations`; its first
        `size` bytes when given: the version a bundle recorded)."""
        raise UnsupportedError(f"{self.task_name}.train reads no annotation files")

    def with_examples(self, splits, extra: list):
        """`splits` with each of `extra` (`annotated_examples`) added to its training split."""
        raise UnsupportedError(f"{self.task_name}.train reads no annotation files")

    def held_out(self, examples, seed: int):
        """Splits of `examples` alone: a tenth held out (chosen by `seed`) as dev, no test."""
        raise UnsupportedError(f"{self.task_name}.train reads no annotation files")

    annotation_format: str = ""  # the file format export_annotations writes (".csv", ".conll")

    def write_annotations(self, path, out) -> int:
        """Write the labelled decisions of annotation file `path` to `out` in the app's
        usual training format; how many were written."""
        raise UnsupportedError(f"{self.task_name} has no annotation export")

    def selection_strategies(self) -> dict:
        """Name -> `shared.selection.Strategy`: how the select verb ranks texts to label."""
        return {}

    baselines: tuple[str, ...] = ()  # the classic models evaluate --baseline can train beside the bundle's

    def training_file_arguments(self, recorded: dict) -> argparse.Namespace:
        """The train verb's file options that read again the files a bundle records
        (`shared.datasets.files_fingerprint`)."""
        raise UnsupportedError(f"{self.task_name} cannot read a bundle's training files again")

    def baseline_comparison(self, name: str, api, training, gold) -> tuple[dict, list[str], list]:
        """Train baseline `name` on `training` (the bundle's splits) and score it on `gold`
        beside `api`: (what the JSON report records, the lines printed, the baseline's
        prediction of each example of `gold`)."""
        raise UnsupportedError(f"{self.task_name}.evaluate has no baseline")


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose mistakes are a UsageError, so `run_cli` prints them as one line
    (argparse itself prints the usage text too) and exits with status 2."""

    def error(self, message: str):
        raise UsageError(f"{message} (see {self.prog} --help)")


def make_parser(prog: str, doc: str | None) -> ArgumentParser:
    """An ArgumentParser whose help text is the CLI module's docstring."""
    summary, _, details = (doc or "").strip().partition("\n")
    return ArgumentParser(
        prog=prog,
        description=summary,
        epilog=details.strip() or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def seed_value(text: str) -> int:
    """A `--seed` value, checked by `shared.config.check_seed`."""
    try:
        seed = int(text)
    except ValueError:
        seed = text  # not a number: check_seed says so
    try:
        return check_seed(seed)
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_seed_argument(parser: argparse.ArgumentParser, default: int) -> None:
    """The `--seed` option every verb that draws random numbers has, checked once here."""
    parser.add_argument("--seed", type=seed_value, default=default, help=f"random seed (default: {default})")


def run_cli(main: Callable[[list[str]], int | None], argv: list[str] | None = None) -> int:
    """Run `main(argv)`; a UserError becomes `error: <message>` on stderr and exit code 2."""
    argv = sys.argv[1:] if argv is None else argv
    if not {"-h", "--help"} & set(argv):
        import_tensorflow_quietly()
    try:
        return main(argv) or 0
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


VERBS = ("train", "evaluate", "predict", "export", "quickstart")


def rnntext(argv: list[str] | None = None) -> int:
    """The `rnntext TASK VERB [options]` console script: the same as `python -m TASK.VERB`."""
    from shared.tasks import APPS, get_task

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or argv[0] not in APPS or argv[1] not in (*VERBS, *get_task(argv[0]).extra_verbs):
        own = "".join(
            f"\n  rnntext {task} {{{','.join(get_task(task).extra_verbs)}}}"
            for task in APPS
            if get_task(task).extra_verbs
        )
        print(
            f"usage: rnntext {{{','.join(APPS)}}} {{{','.join(VERBS)}}} [options]{own}\n"
            "  the same as python -m TASK.VERB; add --help after the verb for its options",
            file=sys.stderr,
        )
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return run_cli(importlib.import_module(f"{argv[0]}.{argv[1]}").main, argv[2:])
