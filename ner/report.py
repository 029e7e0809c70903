"""The tagger's evaluation report: conlleval and strict entity scores, per type, and its errors."""

from __future__ import annotations

from shared.tasks import Report, ReportView

ERROR_KINDS = ("correct", "wrong_type", "wrong_boundary", "missed", "spurious")


class EntityReport(Report):
    """`ner.metrics`' numbers; model selection follows conlleval's entity F1."""

    @property
    def monitor_value(self) -> float:
        return self["conlleval"]["f1"]

    def table(self) -> str:
        from ner.metrics import format_entity_report
        from shared.metrics import calibration_line

        table = format_entity_report(self)
        if "calibration" in self:
            table += "\n" + calibration_line(self["calibration"], "entity scores against being right")
        return table

    def view(self) -> ReportView:
        conlleval, errors = self["conlleval"], self["errors"]
        numbers = {
            "F1 (conlleval)": f"{conlleval['f1'] * 100:.1f}",
            "F1 (strict)": f"{self['strict']['f1'] * 100:.1f}",
            "Precision / recall": f"{conlleval['precision']:.3f} / {conlleval['recall']:.3f}",
        }
        if "calibration" in self:
            numbers["Entity score ECE"] = f"{self['calibration']['ece']:.3f}"
        return ReportView(
            numbers=numbers,
            table=conlleval["per_type"],
            confusion=errors["confusion"],
            confusion_axes=("gold type", "predicted type (same span)"),
            note="Entities: " + ", ".join(f"{kind.replace('_', ' ')} {errors[kind]}" for kind in ERROR_KINDS),
        )
