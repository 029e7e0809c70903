"""Classification metrics and their printed table."""

from __future__ import annotations

import numpy as np


def classification_report(y_true, y_pred, labels: tuple[str, ...]) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    The confusion matrix is indexed [true][predicted] in the order of `labels`.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    indices = list(range(len(labels)))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=indices, zero_division=0)
    return {
        "examples": int(len(y_true)),
        "accuracy": float(np.mean(y_true == y_pred)) if len(y_true) else 0.0,
        "macro_f1": float(np.mean(f1)),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "labels": list(labels),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=indices).tolist(),
    }


def format_report(report: dict) -> str:
    """A plain-text table of a `classification_report` result."""
    labels = report["labels"]
    width = max(len(label) for label in labels + ["macro"]) + 2
    lines = [
        f"examples {report['examples']}   accuracy {report['accuracy']:.4f}   macro-F1 {report['macro_f1']:.4f}",
        "",
        f"{'class':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for label in labels:
        row = report["per_class"][label]
        lines.append(
            f"{label:<{width}}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}{row['support']:>10d}"
        )
    lines += ["", "confusion (rows = true, columns = predicted)"]
    lines.append(" " * width + "".join(f"{label[:9]:>10}" for label in labels))
    for label, row in zip(labels, report["confusion_matrix"]):
        lines.append(f"{label:<{width}}" + "".join(f"{count:>10d}" for count in row))
    return "\n".join(lines)


def calibration_line(scores: dict, subject: str = "calibration") -> str:
    """How far the probabilities are to be trusted (`subject`: what they are of), and
    before the calibration if the model has one."""
    line = f"{subject}: ECE {scores['ece']:.4f}, Brier {scores['brier']:.4f}, NLL {scores['nll']:.4f}"
    if "before" in scores:
        before = scores["before"]
        method = f"temperature {scores['temperature']:.3f}" if "temperature" in scores else scores.get("method", "")
        line += f" ({method}; before it: ECE {before['ece']:.4f}, Brier {before['brier']:.4f}, NLL {before['nll']:.4f})"
    return line


AGREEMENT = ("both_right", "network_only", "baseline_only", "both_wrong")


def agreement_group(truth, ours, theirs) -> str:
    """Which of AGREEMENT one example falls in: who of the network and the baseline is right."""
    return {(True, True): "both_right", (True, False): "network_only", (False, True): "baseline_only"}.get(
        (ours == truth, theirs == truth), "both_wrong"
    )


def agreement(gold, network, baseline) -> dict:
    """How many examples both get right, only the network, only the baseline, neither."""
    counts = dict.fromkeys(AGREEMENT, 0)
    for truth, ours, theirs in zip(gold, network, baseline):
        counts[agreement_group(truth, ours, theirs)] += 1
    return counts


def agreement_line(counts: dict, over: str = "") -> str:
    """`agreement`'s counts for a person: "agreement[ over]: both right 3, ..."."""
    return f"agreement{over}: " + ", ".join(f"{key.replace('_', ' ')} {count}" for key, count in counts.items())
