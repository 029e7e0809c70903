"""The sentiment classifier's evaluation report: accuracy, macro-F1, per-class scores, confusions."""

from __future__ import annotations

from shared.tasks import Report, ReportView


class SentimentReport(Report):
    """`shared.metrics.classification_report`'s numbers; model selection follows macro-F1."""

    @property
    def monitor_value(self) -> float:
        return self["macro_f1"]

    def table(self) -> str:
        from shared.metrics import format_report

        return format_report(self)

    def view(self) -> ReportView:
        labels = self["labels"]
        return ReportView(
            numbers={"Accuracy": f"{self['accuracy']:.1%}", "Macro-F1": f"{self['macro_f1'] * 100:.1f}"},
            table=self["per_class"],
            confusion={true: dict(zip(labels, row)) for true, row in zip(labels, self["confusion_matrix"])},
            confusion_axes=("true class", "predicted class"),
        )
