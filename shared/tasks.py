"""The task registry: the contract each app fulfils once, so that everything else is shared.

An app is one package plus one line in `APPS`. Its `task` module holds a `Task`
subclass, the whole of what the shared code needs of it:

    the spec          class attributes: name, config class, datasets, the monitored
                      dev metric, report type, output format
    load_dataset      a registered dataset's splits, as training or evaluation reads them
    prepare -> Fit    vocabularies and the compiled model of one training run
    evaluate -> Report  its report on gold data (the report prints itself and says
                      what the UI shows of it)
    result_fields, results   what `predict` writes for each text
    serving -> Serving       its SavedModel signatures
    answer            one API result as the model server's JSON (`shared.server`)
    api_class         the app's API class (`load(path)` reads a bundle)

The app's `app` module registers it: an `App` record of the `Task`, how the app meets a
person (`Presentation`: its title, what one input is called, example texts, how a result
prints), and each capability it has (`shared.capabilities`: its own data files,
annotation, a baseline, error rows; None where it has none). The training package
(`shared.training`), the CLI verbs (`shared.verbs`), export and the UI work through
these only. Raw texts of a dataset (what a language model reads) come from
the dataset registry (`shared.datasets.dataset_texts`), not from another app.

Task modules import nothing heavy at import time (no TensorFlow), so listing the
tasks is cheap.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shared.capabilities import Annotation, Baseline, DataFiles, ErrorRows
from shared.errors import UnsupportedError, UserError

# name -> module that defines APP (an `App`). The order is the UI's order.
APPS = {"sentiment": "sentiment.app", "ner": "ner.app", "lm": "lm.app"}


@dataclass(frozen=True)
class DataSource:
    """Training data and what the bundle records about where it came from.

    `splits` has `train`, `dev` and `test` (None when there is no test split).
    """

    description: dict
    splits: object


@dataclass(frozen=True)
class Stage:
    """A model a run trains before its own (a tree model's parser), by the same epoch loop:
    its own dev monitor (higher is better), checkpoint and exact resume, logs, and
    progress (its records say `stage`).

    Attributes:
        name: its folder in the work folder and its name in logs and progress.
        model: the compiled Keras model the loop fits (ignored when resuming).
        make_train_data: epoch -> that epoch's training data for `steps`.
        evaluate_dev: model -> dev metrics, holding `monitor`.
        monitor: the dev metric whose best epoch is kept.
        epochs: how many it trains (no early stopping: the best epoch is kept).
        steps: its step runner (`shared.training.steps`'s interface).
        done: (the model with its best weights, the epochs' records) -> None: hands the
            trained model to the run's own (and writes what a resumed run reads back).
    """

    name: str
    model: object
    make_train_data: Callable[[int], object]
    evaluate_dev: Callable[[object], dict]
    monitor: str
    epochs: int
    steps: object
    done: Callable[[object, list[dict]], None]


@dataclass(frozen=True)
class Fit:
    """What an app hands the training frame for one run.

    Attributes:
        model: the compiled Keras model the loop fits (its checkpoint is what resumes).
        make_train_data: epoch -> that epoch's shuffled training dataset.
        evaluate_dev: model -> dev metrics, holding the task's `monitor`.
        finish: the trained model -> the app's API object over the end-to-end model.
        facts: extra `training` facts for the metadata (e.g. the example count).
        metadata: the app's own top-level metadata: a classifier's or tagger's `labels`
            (and the NER tag set), a language model's `vocabulary`.
        taken: the bundles whose weights the model took, by the `config.model` field
            that named them -> their record (with a "reference"): the bundle keeps
            these, and the reference in that field, instead of a local path.
        calibrate: (the API object, the dev data) -> (the API object over a calibrated
            model, what the bundle records of the calibration), run after `finish`;
            None keeps the model's own probabilities.
        stages: models trained first, in order, each by the same loop (`Stage`); `model`
            is trained after them.
    """

    model: object
    make_train_data: Callable[[int], object]
    evaluate_dev: Callable[[object], dict]
    finish: Callable[[object], object]
    facts: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    taken: dict = field(default_factory=dict)
    calibrate: Callable[[object, object], tuple[object, dict]] | None = None
    stages: tuple[Stage, ...] = ()


@dataclass(frozen=True)
class ReportView:
    """An evaluation report as the UI shows it: headline numbers, a per-class (or
    per-type) table, a confusion matrix and a note."""

    numbers: dict[str, str]
    table: dict[str, dict]
    confusion: dict[str, dict[str, int]]
    confusion_axes: tuple[str, str]  # (rows, columns) titles
    note: str = ""


class Report(dict, metaclass=abc.ABCMeta):
    """An evaluation report: the JSON-ready numbers themselves (it is the dict that a
    bundle's metadata and the evaluate verb's file hold), and what it knows of them."""

    @property
    @abc.abstractmethod
    def monitor_value(self) -> float:
        """The number model selection follows (the task's `monitor`, in `monitor_mode`)."""

    @abc.abstractmethod
    def table(self) -> str:
        """The report as a printed table."""

    @abc.abstractmethod
    def view(self) -> ReportView:
        """What the UI's Models page shows of it."""

    def headline(self) -> str:
        """The main numbers on one line."""
        return "   ".join(f"{name} {value}" for name, value in self.view().numbers.items())

    def summary_line(self) -> str | None:
        """A line the evaluate verb prints last for scripts to read (None: nothing)."""
        return None


@dataclass(frozen=True)
class Serving:
    """A task's SavedModel signatures.

    Attributes:
        function: `serving_default`, a string batch `text` -> named tensors.
        description: its inputs and outputs in one line.
        endpoints: more signatures: name -> (function, input signature).
    """

    function: Callable
    description: str
    endpoints: dict[str, tuple[Callable, list]] = field(default_factory=dict)


class Task(abc.ABC):
    """The contract an app fulfils (see the module docstring). Class attributes are its
    spec; an app that leaves out an abstract method fails when its TASK is created."""

    name: str  # CLI prefix, bundle "task" and default bundle folder name
    config_class: type
    datasets: tuple[str, ...]  # registered datasets it trains on
    default_dataset: str
    monitor: str  # dev metric that model selection and early stopping follow
    monitor_mode: str = "max"  # "max" or "min": whether a higher or a lower `monitor` is better
    monitor_text: str  # how the bundle describes it
    report_class: type[Report]  # what `evaluate` returns; reads a report back from a bundle's metrics
    output_format: str  # "csv" or "jsonl": what predict writes when --output has no suffix of either
    scores_blank_texts: bool  # a blank text has a true answer (no entities); else its row stays unscored
    extra_verbs: tuple[str, ...] = ()  # the app's own CLI verbs besides the shared ones (<app>/<verb>.py)
    distributed_training: bool = True  # train takes --strategy and --workers (see shared.training.distribution)

    @abc.abstractmethod
    def api_class(self) -> type:
        """The app's API class (its `load(path)` reads a bundle of this task)."""

    def load(self, path: str | Path):
        return self.api_class().load(path)

    @abc.abstractmethod
    def load_dataset(self, name: str, config=None):
        """Train/dev/test splits of registered dataset `name`: as training with `config`
        reads them, or, with None, as evaluation reads them (plain examples)."""

    @abc.abstractmethod
    def prepare(self, splits, config, prepared_dir: Path, *, resume: bool, seed: int) -> Fit:
        """Vocabularies, the compiled model and the per-epoch callbacks for one run.

        Whatever the run derives from the data and needs again to resume (a
        vocabulary) is written to `prepared_dir` and, on `resume`, read back from it.
        """

    @abc.abstractmethod
    def evaluate(self, api, data) -> Report:
        """The task's report of `api` on gold `data` (one split)."""

    @abc.abstractmethod
    def result_fields(self, api) -> list[str]:
        """Names of the fields `results` gives each text, in output order."""

    @abc.abstractmethod
    def results(self, api, texts: list[str]) -> list[dict]:
        """One dict of JSON-ready fields per (non-blank) text."""

    @abc.abstractmethod
    def serving(self, api) -> Serving:
        """The SavedModel signatures of `api`'s model."""

    def portable(self, api) -> tuple[object, dict]:
        """(`api`'s numeric core as an ONNX ModelProto, the rules `rnntext_runtime` reads
        with it: its text steps (`shared.text_rules.steps_for_runtime`), vocabularies and
        labels) for `export --format onnx` and the API's fast path. UnsupportedError where
        there is none, raised before any work (loading a model asks every time)."""
        from shared.errors import UnsupportedError

        raise UnsupportedError(f"{self.name} models export as a SavedModel only (no --format onnx)")

    def answer(self, result) -> dict:
        """One result of `api.predict` as the model server's JSON object: its fields, less
        the text the request sent."""
        fields = asdict(result)
        fields.pop("text", None)
        return fields


@dataclass(frozen=True)
class Presentation:
    """How an app meets a person (every app has one).

    Attributes:
        title: what the UI and messages call it ("Sentiment classifier").
        noun: what the CLI calls its inputs ("texts", "sentences").
        examples: the texts quickstart reads when given none.
        show: (the API object, texts) -> None: print each text's result (quickstart).
    """

    title: str
    noun: str
    examples: tuple[str, ...]
    show: Callable[[object, list[str]], None]


@dataclass(frozen=True)
class App:
    """A registered app: its model side, how it meets a person, and its capabilities
    (`shared.capabilities`), each None where the app lacks it: the verbs and pages that
    need one offer nothing for it, or say it is missing.

    Attributes:
        task: the `Task`.
        presentation: `Presentation`: title, noun, examples, how a result prints.
        files: `DataFiles`: training and evaluating on the user's own files.
        annotation: `Annotation`: the annotation loop.
        baseline: `Baseline`: a classic model beside the network.
        errors: `ErrorRows`: the evaluate verb's --errors file.
    """

    task: Task
    presentation: Presentation
    files: DataFiles | None = None
    annotation: Annotation | None = None
    baseline: Baseline | None = None
    errors: ErrorRows | None = None

    def needs(self, capability: str, doing: str):
        """The app's `capability`; an UnsupportedError saying that `doing` needs it when
        the app lacks it."""
        found = getattr(self, capability)
        if found is None:
            raise UnsupportedError(f"{self.task.name} has no {CAPABILITY_NAMES[capability]}: {doing} needs one")
        return found


CAPABILITY_NAMES = {
    "files": "reader of its own files",
    "annotation": "annotation loop",
    "baseline": "baseline",
    "errors": "error rows",
}


def get_app(name: str) -> App:
    """The registered app `name`; a UserError lists the known ones."""
    if name not in APPS:
        raise UserError(f"unknown task {name!r}; known tasks: {', '.join(APPS)}")
    return importlib.import_module(APPS[name]).APP


def apps_with(capability: str) -> list[str]:
    """The names of the registered apps that have `capability` (an `App` field), in order."""
    return [name for name in APPS if getattr(get_app(name), capability) is not None]


def title_of(name: str) -> str:
    """What the UI and messages call the registered app `name` ("Sentiment classifier")."""
    return get_app(name).presentation.title


def get_task(name: str) -> Task:
    """The registered app `name`'s task; a UserError lists the known ones."""
    return get_app(name).task


def all_tasks() -> list[Task]:
    """Every registered task, in registration order."""
    return [get_task(name) for name in APPS]
