"""The task registry: what each app declares once, so that everything else is shared.

An app is one package plus one line in `APPS`. Its `task` module holds a `Task`
subclass that says what is its own: names and defaults, datasets and file readers,
how to build and fit its model (`prepare`), how to score it, its API class and its
SavedModel signature. The training frame (`shared.trainer`), the CLI verbs
(`shared.verbs`) and the UI work through this contract only.

Task modules import nothing heavy at import time (no TensorFlow), so listing the
tasks is cheap.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.errors import UserError

# name -> module that defines TASK. The order is the UI's order.
APPS = {"sentiment": "sentiment.task", "ner": "ner.task", "lm": "lm.task"}


@dataclass(frozen=True)
class DataSource:
    """Training data and what the bundle records about where it came from.

    `splits` has `train`, `dev` and `test` (None when there is no test split).
    """

    description: dict
    splits: object


@dataclass(frozen=True)
class Fit:
    """What an app hands the training frame for one run.

    Attributes:
        model: the compiled Keras model the loop fits (its checkpoint is what resumes).
        make_train_data: epoch -> that epoch's shuffled training dataset.
        evaluate_dev: model -> dev metrics, holding the task's `monitor`.
        finish: the trained model -> the app's API object over the end-to-end model.
        facts: extra `training` facts for the metadata (e.g. the example count).
        metadata: extra top-level metadata (e.g. the NER tag set).
    """

    model: object
    make_train_data: Callable[[int], object]
    evaluate_dev: Callable[[object], dict]
    finish: Callable[[object], object]
    facts: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReportView:
    """An evaluation report as the UI shows it: headline numbers, a per-class (or
    per-type) table, a confusion matrix and a note."""

    numbers: dict[str, str]
    table: dict[str, dict]
    confusion: dict[str, dict[str, int]]
    confusion_axes: tuple[str, str]  # (rows, columns) titles
    note: str = ""


class Task(abc.ABC):
    """The contract an app fulfils. Class attributes describe it; the abstract methods
    do its own work (an app that leaves one out fails when its TASK is created)."""

    name: str  # CLI prefix, bundle "task" and default bundle folder name
    title: str  # what the UI calls it
    noun: str  # what the CLI calls one input ("texts", "sentences")
    config_class: type
    datasets: tuple[str, ...]  # registered datasets it trains on
    default_dataset: str
    monitor: str  # dev metric that model selection and early stopping follow
    monitor_mode: str = "max"  # "max" or "min": whether a higher or a lower `monitor` is better
    monitor_text: str  # how the bundle describes it
    train_file_option: str  # the file option that stands instead of --dataset in train
    evaluate_file_option: str  # the same for evaluate
    output_format: str  # "csv" or "jsonl": what predict writes when --output has no suffix of either
    scores_blank_texts: bool  # a blank text has a true answer (no entities); else its row stays unscored
    examples: tuple[str, ...]  # texts for quickstart
    extra_verbs: tuple[str, ...] = ()  # the app's own CLI verbs besides the shared ones (<app>/<verb>.py)
    distributed_training: bool = True  # train takes --strategy and --workers (see shared.distributed)

    # ----------------------------------------------------------------- API
    @abc.abstractmethod
    def api_class(self) -> type:
        """The app's API class (its `load(path)` reads a bundle of this task)."""

    def load(self, path: str | Path):
        return self.api_class().load(path)

    # ----------------------------------------------------------------- data
    @abc.abstractmethod
    def load_dataset(self, name: str, config=None):
        """Train/dev/test splits of registered dataset `name`: as training with `config`
        reads them, or, with None, as evaluation reads them (plain examples)."""

    @abc.abstractmethod
    def dataset_texts(self, name: str) -> dict[str, list[str] | None]:
        """The raw texts of registered dataset `name`, per split (train, dev, test; None
        when it has no such split): what a language model reads of it."""

    @abc.abstractmethod
    def add_training_arguments(self, source, group) -> None:
        """The train verb's file options: `train_file_option` into `source` (the group
        it shares, mutually exclusive, with --dataset), the others into `group`."""

    def config_overrides(self, args) -> list[str]:
        """Dotted config overrides (`--model.level=word`) that the app's own train options stand for."""
        return []

    @abc.abstractmethod
    def read_training_files(self, args, config, seed: int) -> DataSource:
        """The DataSource named by the train verb's file options."""

    @abc.abstractmethod
    def add_evaluation_arguments(self, source, group) -> None:
        """The evaluate verb's file options, as for `add_training_arguments`."""

    @abc.abstractmethod
    def read_evaluation_file(self, args, api):
        """(name, gold data) from the evaluate verb's file options."""

    # ----------------------------------------------------------------- model
    @abc.abstractmethod
    def prepare(self, splits, config, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
        """Vocabularies, the compiled model and the per-epoch callbacks for one run.

        Whatever the run derives from the data and needs again to resume (a
        vocabulary) is written to `prepared_dir` and, on `resume`, read back from it.
        """

    @abc.abstractmethod
    def evaluate(self, api, data) -> dict:
        """The task's report of `api` on gold `data` (one split)."""

    @abc.abstractmethod
    def score(self, report: dict) -> float:
        """The one number of `report` that model selection follows (the `monitor`, in `monitor_mode`)."""

    def headline(self, report: dict) -> str:
        """The report's main numbers on one line."""
        return "   ".join(f"{name} {value}" for name, value in self.report_view(report).numbers.items())

    @abc.abstractmethod
    def format_report(self, report: dict) -> str:
        """The report as a printed table."""

    def summary_line(self, report: dict) -> str | None:
        """A line the evaluate verb prints last for scripts to read (None: nothing)."""
        return None

    @abc.abstractmethod
    def report_view(self, report: dict) -> ReportView:
        """What the UI's Models page shows of `report`."""

    # ----------------------------------------------------------------- prediction
    @abc.abstractmethod
    def result_fields(self, api) -> list[str]:
        """Names of the fields `results` gives each text, in output order."""

    @abc.abstractmethod
    def results(self, api, texts: list[str]) -> list[dict]:
        """One dict of JSON-ready fields per (non-blank) text."""

    @abc.abstractmethod
    def show(self, api, texts: list[str]) -> None:
        """Print the results of `texts` for a person (quickstart)."""

    @abc.abstractmethod
    def serving(self, api) -> tuple[Callable, str]:
        """(serving function of a string batch `text` -> named tensors, one-line description)."""

    def extra_endpoints(self, api) -> dict[str, tuple[Callable, list]]:
        """More SavedModel signatures besides `serving_default`: name -> (function, input signature)."""
        return {}


def get_task(name: str) -> Task:
    """The registered task `name`; a UserError lists the known ones."""
    if name not in APPS:
        raise UserError(f"unknown task {name!r}; known tasks: {', '.join(APPS)}")
    return importlib.import_module(APPS[name]).TASK


def all_tasks() -> list[Task]:
    """Every registered task, in registration order."""
    return [get_task(name) for name in APPS]
