"""Calibration measures on hand-checked numbers, and temperature scaling that finds a known temperature."""

import math

import numpy as np
import pytest

from shared.calibration import (
    calibration_scores,
    event_scores,
    fit_monotone,
    fit_temperature,
    mapped,
    reliability,
    tempered,
)


def test_ece_brier_and_nll_of_a_hand_computed_example():
    probabilities = [[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]]
    labels = [0, 1, 0, 0]
    scores = calibration_scores(probabilities, labels)
    # Bin of 0.9: two predictions, one right (gap 0.4); bin of 0.6: two, both right (gap 0.4).
    assert scores["ece"] == pytest.approx(0.4)
    assert scores["brier"] == pytest.approx((0.02 + 1.62 + 0.32 + 0.32) / 4)
    assert scores["nll"] == pytest.approx(-(math.log(0.9) + math.log(0.1) + 2 * math.log(0.6)) / 4, abs=1e-6)


def test_reliability_bins_are_equal_width_and_hold_every_prediction():
    probabilities = np.array([[1 / 15, 14 / 15], [0.5, 0.5], [1.0, 0.0], [0.34, 0.66]])
    rows = reliability(probabilities, [1, 0, 0, 1])
    assert len(rows) == 15 and sum(row["count"] for row in rows) == 4
    assert rows[13]["count"] == 1 and rows[13]["accuracy"] == 1.0  # 14/15 is the top of bin 13
    assert rows[7]["count"] == 1 and rows[7]["confidence"] == pytest.approx(0.5)  # 0.5 is in (7/15, 8/15]
    assert rows[14]["count"] == 1 and rows[9]["count"] == 1
    assert rows[0]["count"] == 0 and rows[0]["accuracy"] is None


def test_the_fitted_temperature_undoes_a_known_overconfidence_and_keeps_every_argmax():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=1.5, size=(20000, 3))
    truth = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(3, p=row) for row in truth])
    overconfident = tempered(truth, 1 / 3)  # logits times 3
    temperature = fit_temperature(overconfident, labels)
    assert temperature == pytest.approx(3.0, rel=0.05)
    calibrated = tempered(overconfident, temperature)
    assert (calibrated.argmax(axis=1) == overconfident.argmax(axis=1)).all()
    before, after = calibration_scores(overconfident, labels), calibration_scores(calibrated, labels)
    assert after["nll"] < before["nll"] and after["ece"] < before["ece"] / 3


def test_probabilities_of_the_wrong_shape_are_a_value_error():
    with pytest.raises(ValueError, match="need \\[N, classes\\] probabilities and N labels"):
        calibration_scores([0.2, 0.8], [1])


def test_event_scores_of_a_hand_computed_example():
    scores = event_scores([0.9, 0.9, 0.6, 0.6], [True, False, True, True])
    assert scores["ece"] == pytest.approx(0.4)  # the same bins as the two-class example above
    assert scores["brier"] == pytest.approx((0.01 + 0.81 + 0.16 + 0.16) / 4)
    assert scores["nll"] == pytest.approx(-(math.log(0.9) + math.log(0.1) + 2 * math.log(0.6)) / 4, abs=1e-6)


def test_the_monotone_map_recovers_a_known_distortion_and_keeps_the_order():
    rng = np.random.default_rng(0)
    truth = rng.uniform(0.3, 1.0, size=20000)
    correct = rng.uniform(size=truth.size) < truth
    reported = np.sqrt(truth)  # over-confident, monotone
    points = fit_monotone(reported, correct)
    fixed = mapped(reported, points)
    assert np.all(np.diff(fixed[np.argsort(reported)]) >= 0)
    assert event_scores(fixed, correct)["ece"] < 0.01 < event_scores(reported, correct)["ece"] / 5
    assert mapped([0.0, 2.0], points).tolist() == [points[0][1], points[-1][1]]  # flat beyond the ends


def test_the_monotone_map_never_says_always_or_never():
    points = fit_monotone([0.2, 0.4, 0.8, 0.9], [False, False, True, True])
    assert [y for _, y in points][0] == pytest.approx(0.125) and points[-1][1] == pytest.approx(0.875)


def test_events_of_the_wrong_shape_are_a_value_error():
    with pytest.raises(ValueError, match="need N confidences and N outcomes"):
        event_scores([0.5, 0.5], [True])
