"""The language model's evaluation report: bits per character (and, for a word model,
perplexity and bits per word) over a text."""

from __future__ import annotations

import json

from shared.tasks import Report, ReportView

SUMMARY_KEYS = ("bits_per_char", "perplexity", "bits_per_word", "tokens", "characters", "unknown_share")


class LanguageModelReport(Report):
    """`LanguageModel.evaluate_text`'s numbers; model selection follows bits per token (lower is better)."""

    @property
    def monitor_value(self) -> float:
        return self.get("bits_per_word", self["bits_per_char"])

    def headline(self) -> str:
        return self.summary_line()

    def summary_line(self) -> str:
        return json.dumps({key: self[key] for key in SUMMARY_KEYS if key in self})

    def table(self) -> str:
        rows = [("bits per character", f"{self['bits_per_char']:.4f}")]
        if "perplexity" in self:
            rows += [
                ("perplexity (per word)", f"{self['perplexity']:.2f}"),
                ("bits per word", f"{self['bits_per_word']:.4f}"),
            ]
        rows += [
            ("tokens", f"{self['tokens']:,}"),
            ("characters", f"{self['characters']:,}"),
            ("unknown tokens", f"{self['unknown_share']:.2%}"),
        ]
        return "\n".join(f"{name:<24}{value:>12}" for name, value in rows)

    def view(self) -> ReportView:
        numbers = {"Bits per char": f"{self['bits_per_char']:.3f}"}
        if "perplexity" in self:
            numbers["Perplexity"] = f"{self['perplexity']:.1f}"
        numbers["Tokens"] = f"{self['tokens']:,}"
        return ReportView(numbers=numbers, table={}, confusion={}, confusion_axes=("", ""))
