"""What every command-line verb uses: argument parsing from the module docstring, the
checked --seed, and user errors as one readable line with a non-zero exit. The verbs
themselves are `shared.verbs`; an app's own options are its `DataFiles` capability."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from shared import import_tensorflow_quietly
from shared.config import check_seed
from shared.deprecation import moved_names
from shared.errors import UsageError, UserError


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose mistakes are a UsageError, so `run_cli` prints them as one line
    (argparse itself prints the usage text too) and exits with status 2."""

    def error(self, message: str):
        raise UsageError(f"{message} (see {self.prog} --help)")


def argument_parser(prog: str, doc: str | None) -> ArgumentParser:
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


def positive_int(value: str) -> int:
    """An option's whole number of at least 1 (argparse `type`)."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def non_negative_float(value: str) -> float:
    """An option's number of at least 0 (argparse `type`)."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {value!r}")
    return number


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


VERBS = ("train", "evaluate", "predict", "export", "serve", "quickstart")


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


# a parser is the tree model's syntactic one; these build the command's arguments
__getattr__ = moved_names(__name__, {"make_parser": "shared.cli:argument_parser"})
