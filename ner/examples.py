"""The tagger's mistakes on gold sentences, one row per wrong entity: the rows of the
error browser and of `evaluate --errors`."""

from __future__ import annotations

from ner.metrics import entity_outcomes

COLUMNS = [
    "sentence", "text", "kind", "gold_type", "gold_entity", "predicted_type", "predicted_entity", "confidence",
    "gold_start", "gold_end", "predicted_start", "predicted_end",
]  # fmt: skip
ERROR_KINDS = ("wrong_type", "wrong_boundary", "missed", "spurious")


def entity_errors(tagger, sentences, baseline: list[list[str]] | None = None) -> list[dict]:
    """Every entity of `sentences` the tagger got wrong: its sentence (1-based) and its
    tokens joined by spaces, the kind of mistake, the gold and the predicted entity
    (type, words and token positions [start, end); empty where there is none) and the
    predicted entity's score; most confident first, missed entities last. With the
    baseline's tags of each sentence, `baseline` is the type it gave the gold entity's
    span (the predicted one's for a spurious entity), empty where it found none there."""
    from ner.tags import spans

    predicted = tagger.tag_tokens([sentence.tokens for sentence in sentences])
    rows = []
    for number, (sentence, tagged) in enumerate(zip(sentences, predicted), start=1):
        theirs = {(s.start, s.end): s.label for s in spans(baseline[number - 1])} if baseline else {}
        for outcome in entity_outcomes(sentence.tags, tagged.tags):
            if outcome.kind == "correct":
                continue
            row = {"sentence": number, "text": " ".join(sentence.tokens), "kind": outcome.kind}
            for side, span in (("gold", outcome.gold), ("predicted", outcome.predicted)):
                row |= {
                    f"{side}_type": span.label if span else "",
                    f"{side}_entity": " ".join(sentence.tokens[span.start : span.end]) if span else "",
                    f"{side}_start": span.start if span else None,
                    f"{side}_end": span.end if span else None,
                }
            row["confidence"] = tagged.entity_scores[outcome.predicted.start] if outcome.predicted else None
            if baseline is not None:
                span = outcome.gold or outcome.predicted
                row["baseline"] = theirs.get((span.start, span.end), "")
            rows.append(row)
    return sorted(rows, key=lambda row: (row["confidence"] is None, -(row["confidence"] or 0.0)))
