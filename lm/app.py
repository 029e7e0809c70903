"""The language-model app as the registry holds it: its task, its own data files (text
files or a CSV column, the token level and reading direction), and how samples print.
It has no annotation loop, baseline or errors file."""

from __future__ import annotations

import argparse
from pathlib import Path

from lm.data import DEV_SHARE, MAX_DEV_TOKENS, TextCorpus, TextSplits
from lm.task import TASK
from shared.capabilities import DataFiles
from shared.errors import DataError
from shared.tasks import App, DataSource, Presentation

LEVELS = ("char", "word")
DEV_TEXT_OPTION = "--dev-text"  # what a bundle records as its dev when the option gave it


def corpus_description(files: list[Path], text_col: str | None, dev: str) -> dict:
    """What a bundle records about text files: names, paths and SHA-256 of each, how dev was made."""
    from shared.files import sha256_of

    name = files[0].name + (f" and {len(files) - 1} more" if len(files) > 1 else "")
    return {
        "name": name,
        "files": [{"path": str(path), "sha256": sha256_of(path)} for path in files],
        "text_col": text_col,
        "dev": dev,
    }


def split_off_dev(corpus: TextCorpus) -> tuple[TextCorpus, TextCorpus]:
    """(train, dev): the last 1/DEV_SHARE of the corpus's characters (at most about
    MAX_DEV_TOKENS of them) becomes dev."""
    import dataclasses

    characters = sum(len(piece) for piece in corpus.pieces())
    held = min(max(characters // DEV_SHARE, 1), MAX_DEV_TOKENS)
    cut = characters - held
    return dataclasses.replace(corpus, stop=cut), dataclasses.replace(corpus, name=f"{corpus.name} (dev)", start=cut)


class TextFiles(DataFiles):
    """Plain UTF-8 text files, or a column of CSV files."""

    train_option = "--text"
    evaluate_option = "--text"
    evaluation_format = "text"

    def add_training_arguments(self, source, group) -> None:
        source.add_argument("--text", type=Path, nargs="+", help="plain UTF-8 text files (or CSV with --text-col)")
        group.add_argument("--text-col", help="read the files as CSV and take the text from this column")
        group.add_argument(
            "--dev-text",
            type=Path,
            nargs="+",
            help=f"dev text for early stopping (default: the last 1/{DEV_SHARE} of --text, at most "
            f"{MAX_DEV_TOKENS:,} characters)",
        )
        group.add_argument("--test-text", type=Path, nargs="+", help="test text, scored once at the end")
        group.add_argument("--level", choices=LEVELS, help="tokens: characters or words (sets model.level)")
        group.add_argument(
            "--direction",
            choices=("forward", "backward"),
            help="read the text forward, or backward from its end (sets model.direction)",
        )

    def config_overrides(self, args) -> list[str]:
        options = {"level": getattr(args, "level", None), "direction": getattr(args, "direction", None)}
        return [f"--model.{name}={value}" for name, value in options.items() if value]

    def read_training_files(self, args, config, seed: int) -> DataSource:
        def corpus(files, role):
            return None if not files else TextCorpus(f"{files[0].name} ({role})", tuple(files), args.text_col)

        train = corpus(args.text, "train")
        dev = corpus(args.dev_text, "dev")
        if dev is None:
            train, dev = split_off_dev(train)
        described = DEV_TEXT_OPTION if args.dev_text else f"last 1/{DEV_SHARE} of the text"
        description = corpus_description(list(args.text), args.text_col, described)
        return DataSource(description, TextSplits(train, dev, corpus(args.test_text, "test")))

    def add_evaluation_arguments(self, source, group) -> None:
        source.add_argument("--text", type=Path, nargs="+", help="plain UTF-8 text files (or CSV with --text-col)")
        group.add_argument("--text-col", help="read the files as CSV and take the text from this column")

    def read_evaluation_file(self, args, api):
        first, more = args.text[0], len(args.text) - 1
        name = f"{first}" + (f" (and {more} more)" if more else "")
        return first.stem, TextCorpus(name, tuple(args.text), args.text_col)

    def recorded_arguments(self, recorded: dict) -> argparse.Namespace:
        """The --text files a bundle records; its dev must have been split off them
        (--dev-text and --test-text files are not recorded)."""
        if recorded.get("dev") == DEV_TEXT_OPTION:
            raise DataError("the bundle records its --text files only, not its --dev-text ones")
        files = [Path(entry["path"]) for entry in recorded["files"]]
        return argparse.Namespace(text=files, text_col=recorded.get("text_col"), dev_text=None, test_text=None)


def show(api, texts: list[str]) -> None:
    """Each text, then the model's continuation of it."""
    for text in texts:
        try:
            sample = api.sample(text, length=120 if api.level == "char" else 25, temperature=0.5, seed=1)
        except DataError as error:
            sample = f"(cannot sample: {error})"
        print(f"{text!r} -> {(text + sample)!r}")


PRESENTATION = Presentation(
    title="Language model",
    noun="texts",
    examples=("The film ", "It is ", "This movie is a"),
    show=show,
)

APP = App(TASK, PRESENTATION, files=TextFiles())
