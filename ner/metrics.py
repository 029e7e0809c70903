"""Entity-level scores with seqeval, in conlleval-compatible and strict IOB2 modes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ner.tags import Span, spans

MODES = ("conlleval", "strict")


def entity_report(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict:
    """Micro P/R/F1 and per-type scores per mode, plus an error breakdown.

    Sentences are scored one by one (never flattened, so entities cannot merge
    across a sentence boundary).
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    gold = [list(tags) for tags in gold]
    predicted = [list(tags) for tags in predicted]
    if len(gold) != len(predicted) or any(len(g) != len(p) for g, p in zip(gold, predicted)):
        raise ValueError("gold and predicted tag sequences differ in shape")
    report = {"sentences": len(gold), "tokens": sum(map(len, gold))}
    for mode, options in (("conlleval", {}), ("strict", {"mode": "strict", "scheme": IOB2})):
        table = classification_report(gold, predicted, output_dict=True, zero_division=0, **options)
        micro = table.pop("micro avg")
        for key in ("macro avg", "weighted avg"):
            table.pop(key, None)
        report[mode] = {
            "precision": float(micro["precision"]),
            "recall": float(micro["recall"]),
            "f1": float(micro["f1-score"]),
            "per_type": {
                kind: {
                    "precision": float(row["precision"]),
                    "recall": float(row["recall"]),
                    "f1": float(row["f1-score"]),
                    "support": int(row["support"]),
                }
                for kind, row in sorted(table.items())
            },
        }
    report["errors"] = error_breakdown(gold, predicted)
    return report


NONE = "(none)"


@dataclass(frozen=True)
class EntityOutcome:
    """One entity of a sentence, judged: `kind` one of ERROR_KINDS' names ("correct",
    "wrong_type", "wrong_boundary", "missed", "spurious"), with the gold span and the
    predicted one it was matched to (the first overlapping one for a wrong boundary;
    None where there is none)."""

    kind: str
    gold: Span | None
    predicted: Span | None


def entity_outcomes(gold_tags: Sequence[str], predicted_tags: Sequence[str]) -> list[EntityOutcome]:
    """Every gold entity of a sentence (correct, wrong type for the same span, wrong
    boundary where a prediction overlaps it, or missed), then every predicted one that
    overlaps no gold entity (spurious)."""
    gold_spans, predicted_spans = spans(gold_tags), spans(predicted_tags)
    exact = {(s.start, s.end): s for s in predicted_spans}
    outcomes = []
    for span in gold_spans:
        match = exact.get((span.start, span.end))
        overlapping = [other for other in predicted_spans if _overlaps(other, [span])]
        if match is not None:
            outcomes.append(EntityOutcome("correct" if match.label == span.label else "wrong_type", span, match))
        elif overlapping:
            outcomes.append(EntityOutcome("wrong_boundary", span, overlapping[0]))
        else:
            outcomes.append(EntityOutcome("missed", span, None))
    outcomes += [EntityOutcome("spurious", None, span) for span in predicted_spans if not _overlaps(span, gold_spans)]
    return outcomes


def entity_agreement(gold, network, baseline) -> dict:
    """`shared.metrics.agreement` over gold entities: how many both tag sequences find
    exactly (span and type), only `network`'s, only `baseline`'s, neither."""
    from shared.metrics import agreement

    found = []
    for gold_tags, our_tags, their_tags in zip(gold, network, baseline):
        ours, theirs = set(spans(our_tags)), set(spans(their_tags))
        found += [(entity in ours, entity in theirs) for entity in spans(gold_tags)]
    return agreement([True] * len(found), [a for a, _ in found], [b for _, b in found])


def error_breakdown(gold, predicted) -> dict:
    """Counts of correct, wrong-type, wrong-boundary, missed and spurious entities, the
    (gold->predicted) same-span type confusions, and an entity confusion matrix.

    `confusion[gold][predicted]` counts gold entities by the type predicted for exactly
    their span, with NONE for no prediction of that span; row NONE counts predicted
    spans that match no gold span.
    """
    counts, confusions = Counter(), Counter()
    confusion: dict[str, Counter] = {}
    for gold_tags, predicted_tags in zip(gold, predicted):
        for outcome in entity_outcomes(gold_tags, predicted_tags):
            counts[outcome.kind] += 1
            if outcome.kind == "wrong_type":
                confusions[f"{outcome.gold.label}->{outcome.predicted.label}"] += 1
            if outcome.gold is not None:
                exact = outcome.kind in ("correct", "wrong_type")
                confusion.setdefault(outcome.gold.label, Counter())[outcome.predicted.label if exact else NONE] += 1
        gold_exact = {(s.start, s.end) for s in spans(gold_tags)}
        for span in spans(predicted_tags):
            if (span.start, span.end) not in gold_exact:
                confusion.setdefault(NONE, Counter())[span.label] += 1
    keys = ("correct", "wrong_type", "wrong_boundary", "missed", "spurious")
    return {
        **{key: counts[key] for key in keys},
        "type_confusions": dict(confusions.most_common()),
        "confusion": {row: dict(sorted(columns.items())) for row, columns in sorted(confusion.items())},
    }


def _overlaps(span, others) -> bool:
    return any(other.start < span.end and span.start < other.end for other in others)


def format_entity_report(report: dict) -> str:
    """A plain-text table of an `entity_report` result."""
    lines = [f"sentences {report['sentences']}   tokens {report['tokens']}"]
    for mode in MODES:
        scores = report[mode]
        lines += [
            "",
            f"{mode}: precision {scores['precision']:.4f}   recall {scores['recall']:.4f}   F1 {scores['f1']:.4f}",
            f"  {'type':<8}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
        ]
        for kind, row in scores["per_type"].items():
            lines.append(
                f"  {kind:<8}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}{row['support']:>10d}"
            )
    errors = report["errors"]
    counts = ("correct", "wrong_type", "wrong_boundary", "missed", "spurious")
    lines += ["", "entities: " + "   ".join(f"{key} {errors[key]}" for key in counts)]
    if errors["type_confusions"]:
        lines.append(
            "type confusions (gold->predicted): "
            + ", ".join(f"{pair} {count}" for pair, count in errors["type_confusions"].items())
        )
    return "\n".join(lines)
