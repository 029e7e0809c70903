"""What an app can do besides its model (`shared.tasks.Task`): each capability a small
contract, given to the app's registry record (`shared.tasks.App`) or left out.

    DataFiles    train and evaluate on the user's own files (their options, reading
                 them, reading a bundle's recorded files again)
    Annotation   the annotation loop: a decision's answer, annotation files as training
                 examples, the held-out split, the export format, rankings of texts to ask
    Baseline     a classic model trained beside the network (`evaluate --baseline`, the
                 Errors page): fitting it gives a predictor; `shared.baselines` scores,
                 counts agreement and prints
    ErrorRows    the rows of the evaluate verb's --errors file

Every member of a capability is required: an app has the whole capability or none of it,
so no flag has to agree with a hook by hand. Modules that implement them import nothing
heavy at import time (listing the apps stays cheap).
"""

from __future__ import annotations

import abc
import argparse
from collections.abc import Callable
from dataclasses import dataclass


class DataFiles(abc.ABC):
    """Training and evaluation data from the user's own files instead of `--dataset`."""

    train_option: str  # the file option that stands instead of --dataset in train
    evaluate_option: str  # the same for evaluate
    evaluation_format: str  # what that file is: "csv" (a labelled CSV, its columns chosen), "conll", "text"

    @abc.abstractmethod
    def add_training_arguments(self, source, group) -> None:
        """The train verb's file options: `train_option` into `source` (the group it
        shares, mutually exclusive, with --dataset), the others into `group`."""

    @abc.abstractmethod
    def config_overrides(self, args) -> list[str]:
        """Dotted config overrides (`--model.level=word`) that the file options stand for."""

    @abc.abstractmethod
    def read_training_files(self, args, config, seed: int):
        """The `shared.tasks.DataSource` the train verb's file options name."""

    @abc.abstractmethod
    def recorded_arguments(self, recorded: dict) -> argparse.Namespace:
        """The train verb's file options that read again the files a bundle records
        (`read_training_files`'s description); DataError when they cannot be."""

    @abc.abstractmethod
    def add_evaluation_arguments(self, source, group) -> None:
        """The evaluate verb's file options, as for `add_training_arguments`."""

    @abc.abstractmethod
    def read_evaluation_file(self, args, api):
        """(name, gold data) from the evaluate verb's file options."""


class Annotation(abc.ABC):
    """The annotation loop (`shared.annotations`, the select verb, the Annotate page)."""

    answer_field: str  # the field of a decision record that holds the answer ("label", "entities")
    export_format: str  # the file format export_annotations writes (".csv", ".conll")

    @abc.abstractmethod
    def guessed_answer(self, guess):
        """The answer a queue row's `guess` stands for (what accepting it records)."""

    @abc.abstractmethod
    def summary(self, record: dict) -> str:
        """A decision record's answer in a few words (the Annotate page's list)."""

    @abc.abstractmethod
    def examples(self, path, size: int | None = None):
        """The training examples of an annotation file (its first `size` bytes when
        given: the version a bundle recorded)."""

    @abc.abstractmethod
    def with_examples(self, splits, extra: list):
        """`splits` with each of `extra` (`examples`) added to its training split."""

    @abc.abstractmethod
    def held_out(self, examples, seed: int):
        """Splits of `examples` alone: a tenth held out (chosen by `seed`) as dev, no test."""

    @abc.abstractmethod
    def write_export(self, path, out) -> int:
        """Write the labelled decisions of annotation file `path` to `out` in the app's
        usual training format (`export_format`); how many were written."""

    @abc.abstractmethod
    def rankings(self) -> dict:
        """Name -> `shared.selection.Ranking`: how the select verb ranks texts to label."""


@dataclass(frozen=True)
class FittedBaseline:
    """A baseline trained on a bundle's training data.

    Attributes:
        predict: gold data -> one prediction per example, as the errors file shows it.
        chosen: the settings chosen on dev and the dev scores they were chosen by (recorded).
        chosen_text: those settings for a person ("C=2.0").
        trained_on: how many training examples it saw.
    """

    predict: Callable[[object], list]
    chosen: dict
    chosen_text: str
    trained_on: int


@dataclass(frozen=True)
class Comparison:
    """A baseline and the network scored on the same gold data.

    Attributes:
        scores: the baseline's headline numbers (recorded).
        scores_text: the same for a person.
        agreement: `shared.metrics.agreement` counts of the two.
    """

    scores: dict
    scores_text: str
    agreement: dict


class Baseline(abc.ABC):
    """A classic model trained beside the network on the bundle's own training data."""

    name: str  # evaluate --baseline's choice ("tfidf")
    title: str  # what the Errors page calls it ("TF-IDF + logistic regression")
    model: str  # what it is, recorded and printed
    unit: str  # what its training data counts ("examples", "sentences")
    agreement_over: str  # what agreement counts, after "agreement" ("", " on gold entities")

    @abc.abstractmethod
    def fit(self, training) -> FittedBaseline:
        """The baseline trained on `training`'s train split, its settings chosen on dev."""

    @abc.abstractmethod
    def network_predictions(self, api, gold) -> list:
        """The network's prediction of each example of `gold`, in the baseline's form."""

    @abc.abstractmethod
    def compare(self, gold, network: list, baseline: list) -> Comparison:
        """The baseline's scores on `gold` and where the two agree."""


class ErrorRows(abc.ABC):
    """Where the model went wrong on gold data: the evaluate verb's --errors file and the
    rows the Errors page browses."""

    view: str  # how the Errors page shows `scored`: "confusion" (classes) or "spans" (on sentences)

    @abc.abstractmethod
    def rows(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]]:
        """(columns, one row per wrong prediction on `gold`, most confident first), with
        the baseline's prediction of each (`FittedBaseline.predict`) when given."""

    @abc.abstractmethod
    def scored(self, api, gold, baseline: list | None = None) -> tuple[list[str], list[dict]]:
        """(columns, the rows the Errors page's `view` browses): every example with its
        gold and predicted class ("confusion": columns row, text, gold, predicted,
        confidence, words) or each wrong span ("spans": as `rows`); with the baseline's
        prediction of each when given."""


def compared_with_baseline(baseline: Baseline, api, training, gold) -> tuple[dict, list[str], list]:
    """Train `baseline` on `training` (the bundle's splits) and score it on `gold` beside
    `api`: (what the JSON report records, the lines printed, the baseline's prediction of
    each example of `gold`)."""
    from shared.metrics import agreement_line

    fitted = baseline.fit(training)
    predicted = fitted.predict(gold)
    comparison = baseline.compare(gold, baseline.network_predictions(api, gold), predicted)
    record = {
        "name": baseline.name,
        "model": baseline.model,
        **fitted.chosen,
        f"train_{baseline.unit}": fitted.trained_on,
        **comparison.scores,
        "agreement": comparison.agreement,
    }
    lines = [
        f"baseline ({baseline.model}, {fitted.chosen_text} chosen on dev, trained on the bundle's "
        f"{fitted.trained_on:,} training {baseline.unit}): {comparison.scores_text}",
        agreement_line(comparison.agreement, baseline.agreement_over),
    ]
    return record, lines, predicted
