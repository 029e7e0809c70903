"""Which texts to label next (`python -m sentiment.select`, the Annotate page): the
classifier's (calibrated) probabilities, most uncertain first by their entropy or by
the margin between the two most likely classes."""

from __future__ import annotations

from shared.selection import entropy, margin_uncertainty


def _with_guesses(measure):
    def ranking(classifier, texts: list[str]):
        probabilities = classifier.predict_proba(texts)
        guesses = [
            {"label": classifier.labels[int(row.argmax())], "confidence": round(float(row.max()), 4)}
            for row in probabilities
        ]
        return measure(probabilities), guesses

    return ranking


RANKINGS = {"entropy": _with_guesses(entropy), "margin": _with_guesses(margin_uncertainty)}
