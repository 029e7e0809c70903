"""Whether a probability can be trusted: calibration measures and temperature scaling.

`calibration_scores` gives the expected calibration error (equal-width bins of the top
class's probability, Guo et al. 2017), the Brier score and the negative log-likelihood
of class probabilities against labels; `reliability` the bins a reliability diagram
draws. `event_scores` and `confidence_bins` measure the same for the confidence of a
yes/no event (a found entity being right). `fit_temperature` finds the temperature T that minimises the NLL of
softmax(logits / T) on held-out data: the log-probabilities a softmax model outputs are
its logits up to a per-row constant, so dividing them by T is temperature scaling of
the logits and never changes the argmax.
"""

from __future__ import annotations

import numpy as np

BINS = 15
EPSILON = 1e-12


def _checked(probabilities, labels) -> tuple[np.ndarray, np.ndarray]:
    probabilities = np.asarray(probabilities, dtype="float64")
    labels = np.asarray(labels, dtype="int64")
    if probabilities.ndim != 2 or len(probabilities) != len(labels) or not len(labels):
        raise ValueError(f"need [N, classes] probabilities and N labels, got {probabilities.shape} and {labels.shape}")
    return probabilities, labels


def reliability(probabilities, labels, bins: int = BINS) -> list[dict]:
    """Per equal-width bin of the top-class probability (`bins` of them over [0, 1]): its
    bounds, how many predictions fall in it, their mean confidence and their accuracy
    (None for an empty bin)."""
    probabilities, labels = _checked(probabilities, labels)
    return confidence_bins(probabilities.max(axis=1), probabilities.argmax(axis=1) == labels, bins)


def _checked_events(confidence, correct) -> tuple[np.ndarray, np.ndarray]:
    confidence = np.asarray(confidence, dtype="float64")
    correct = np.asarray(correct, dtype=bool)
    if confidence.ndim != 1 or confidence.shape != correct.shape or not len(correct):
        raise ValueError(f"need N confidences and N outcomes, got {confidence.shape} and {correct.shape}")
    return confidence, correct


def confidence_bins(confidence, correct, bins: int = BINS) -> list[dict]:
    """`reliability`'s bins for predictions of confidence `confidence[i]` that were right
    where `correct[i]`."""
    confidence, correct = _checked_events(confidence, correct)
    # Bin b holds (b / bins, (b + 1) / bins]; a confidence of exactly 0 joins the first.
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        count = int(inside.sum())
        rows.append({
            "low": b / bins,
            "high": (b + 1) / bins,
            "count": count,
            "confidence": float(confidence[inside].mean()) if count else None,
            "accuracy": float(correct[inside].mean()) if count else None,
        })  # fmt: skip
    return rows


def expected_calibration_error(probabilities, labels, bins: int = BINS) -> float:
    """The count-weighted mean gap between confidence and accuracy over the bins."""
    return _gap(reliability(probabilities, labels, bins))


def _gap(rows: list[dict]) -> float:
    total = sum(row["count"] for row in rows)
    return sum(row["count"] * abs(row["confidence"] - row["accuracy"]) for row in rows if row["count"]) / total


def calibration_scores(probabilities, labels, bins: int = BINS) -> dict:
    """ECE, Brier score (the mean over examples of the squared distance to the one-hot
    label, summed over classes) and NLL (mean, natural log), JSON-ready."""
    probabilities, labels = _checked(probabilities, labels)
    one_hot = np.eye(probabilities.shape[1])[labels]
    picked = probabilities[np.arange(len(labels)), labels]
    return {
        "ece": round(expected_calibration_error(probabilities, labels, bins), 6),
        "brier": round(float(((probabilities - one_hot) ** 2).sum(axis=1).mean()), 6),
        "nll": round(float(-np.log(np.maximum(picked, EPSILON)).mean()), 6),
    }


def event_scores(confidence, correct, bins: int = BINS) -> dict:
    """ECE, Brier score and NLL of yes/no predictions: `confidence[i]` the probability
    given to the event, `correct[i]` whether it happened."""
    confidence, correct = _checked_events(confidence, correct)
    picked = np.where(correct, confidence, 1.0 - confidence)
    return {
        "ece": round(_gap(confidence_bins(confidence, correct, bins)), 6),
        "brier": round(float(((confidence - correct) ** 2).mean()), 6),
        "nll": round(float(-np.log(np.maximum(picked, EPSILON)).mean()), 6),
    }


def fit_monotone(confidence, correct) -> list[list[float]]:
    """The non-decreasing map from confidence to the observed rate of correct events
    (isotonic regression, scikit-learn's pool-adjacent-violators), as the (x, y) corners
    of a piecewise-linear curve for `mapped`. No y is nearer 0 or 1 than 1 / (2N): N
    held-out events cannot show that a prediction is never wrong."""
    from sklearn.isotonic import IsotonicRegression

    confidence, correct = _checked_events(confidence, correct)
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(confidence, correct.astype("float64"))
    margin = 0.5 / len(correct)
    ys = np.clip(fitted.y_thresholds_, margin, 1.0 - margin)
    return [[round(float(x), 6), round(float(y), 6)] for x, y in zip(fitted.X_thresholds_, ys)]


def mapped(confidence, points: list[list[float]]) -> np.ndarray:
    """`confidence` through the piecewise-linear curve of `fit_monotone` (flat beyond its ends)."""
    xs, ys = zip(*points)
    return np.interp(np.asarray(confidence, dtype="float64"), xs, ys)


def tempered(probabilities, temperature: float) -> np.ndarray:
    """softmax(log(probabilities) / temperature), row by row."""
    logits = np.log(np.maximum(np.asarray(probabilities, dtype="float64"), EPSILON)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(probabilities, labels) -> float:
    """The temperature (between 0.05 and 20) that minimises the NLL of `tempered`
    probabilities against `labels`: a bounded 1-D search over log T (scipy's Brent)."""
    from scipy.optimize import minimize_scalar

    probabilities, labels = _checked(probabilities, labels)
    rows = np.arange(len(labels))

    def nll(log_t: float) -> float:
        return float(-np.log(np.maximum(tempered(probabilities, np.exp(log_t))[rows, labels], EPSILON)).mean())

    found = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-5})
    return round(float(np.exp(found.x)), 6)
