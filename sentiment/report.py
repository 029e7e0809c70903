"""The sentiment classifier's evaluation report: accuracy, macro-F1, per-class scores, confusions."""

from __future__ import annotations

import numpy as np

from sentiment.data import LABELS
from shared.metrics import calibration_line
from shared.tasks import Report, ReportView

NEUTRAL = LABELS.index("neutral")


def binary_accuracy(probabilities: np.ndarray, labels) -> float:
    """SST-2 derived: on the texts whose gold class is not neutral, whether P(positive) >
    P(negative) says the right one (None when every text is neutral)."""
    labels = np.asarray(labels)
    kept = labels != NEUTRAL
    if not kept.any():
        return None
    positive = probabilities[kept, LABELS.index("positive")] > probabilities[kept, LABELS.index("negative")]
    return round(float(np.mean(positive == (labels[kept] == LABELS.index("positive")))), 6)


class SentimentReport(Report):
    """`shared.metrics.classification_report`'s numbers; model selection follows macro-F1."""

    @property
    def monitor_value(self) -> float:
        return self["macro_f1"]

    def table(self) -> str:
        from shared.metrics import format_report

        lines = [format_report(self)]
        if self.get("binary_accuracy") is not None:
            lines.append(f"binary accuracy (non-neutral texts, positive vs negative): {self['binary_accuracy']:.4f}")
        if "calibration" in self:
            lines.append(calibration_line(self["calibration"]))
        if "gold_trees" in self:
            gold, brackets = self["gold_trees"], self["bracketing"]
            lines.append(
                f"with the gold trees: accuracy {gold['accuracy']:.4f}, macro-F1 {gold['macro_f1']:.4f}, "
                f"binary {gold['binary_accuracy']:.4f}, all phrases {gold['all_phrases_accuracy']:.4f} "
                f"({gold['phrases']:,} phrases)"
            )
            lines.append(
                f"parser bracketing: precision {brackets['precision']:.4f}, recall {brackets['recall']:.4f}, "
                f"F1 {brackets['f1']:.4f}"
            )
        return "\n".join(lines)

    def view(self) -> ReportView:
        labels = self["labels"]
        numbers = {"Accuracy": f"{self['accuracy']:.1%}", "Macro-F1": f"{self['macro_f1'] * 100:.1f}"}
        if self.get("binary_accuracy") is not None:
            numbers["Binary (non-neutral)"] = f"{self['binary_accuracy']:.1%}"
        if "calibration" in self:
            numbers["ECE"] = f"{self['calibration']['ece']:.3f}"
        if "gold_trees" in self:
            numbers["All phrases (gold trees)"] = f"{self['gold_trees']['all_phrases_accuracy']:.1%}"
            numbers["Parser bracketing F1"] = f"{self['bracketing']['f1'] * 100:.1f}"
        return ReportView(
            numbers=numbers,
            table=self["per_class"],
            confusion={true: dict(zip(labels, row)) for true, row in zip(labels, self["confusion_matrix"])},
            confusion_axes=("true class", "predicted class"),
        )
