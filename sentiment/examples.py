"""Every labelled text with what the classifier made of it: the rows of the error browser
and of `evaluate --errors`."""

from __future__ import annotations

COLUMNS = ["row", "text", "gold", "predicted", "confidence", "p_gold", "words"]


def scored_examples(classifier, data) -> list[dict]:
    """One row per text of `data` (`LabelledTexts`), in order: its row (1-based), text,
    gold and predicted label, the confidence of the prediction, the probability of the
    gold label and its length in words (split at white space)."""
    probabilities = classifier.predict_proba(data.texts)
    return [
        {
            "row": index + 1,
            "text": text,
            "gold": classifier.labels[label],
            "predicted": classifier.labels[int(row.argmax())],
            "confidence": float(row.max()),
            "p_gold": float(row[label]),
            "words": len(text.split()),
        }
        for index, (text, label, row) in enumerate(zip(data.texts, data.labels, probabilities))
    ]


def most_confident_mistakes(rows: list[dict]) -> list[dict]:
    """The wrongly classified rows, most confident first."""
    return sorted((row for row in rows if row["gold"] != row["predicted"]), key=lambda row: -row["confidence"])
