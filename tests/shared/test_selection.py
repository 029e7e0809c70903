"""Choosing texts to label: uncertainty order, near-duplicates once, blanks never, random seeded."""

import numpy as np
import pytest

from shared.selection import Candidate, duplicate_key, entropy, margin_uncertainty, ranked


def test_entropy_and_margin_of_hand_computed_rows():
    rows = np.array([[1 / 3, 1 / 3, 1 / 3], [1.0, 0.0, 0.0], [0.5, 0.4, 0.1]])
    assert entropy(rows) == pytest.approx(
        [np.log(3), 0.0, -(0.5 * np.log(0.5) + 0.4 * np.log(0.4) + 0.1 * np.log(0.1))], abs=1e-9
    )
    assert margin_uncertainty(rows) == pytest.approx([1.0, 0.0, 0.9])


def test_near_duplicates_share_a_key():
    assert duplicate_key("@united Flight 1234 was LATE!! http://t.co/x") == duplicate_key("@delta flight 99 was late")
    assert duplicate_key("late flight") != duplicate_key("flight late")


def test_the_most_uncertain_come_first_each_near_duplicate_once_and_no_blank():
    found = [
        Candidate(1, "Great flight", "positive", 0.2),
        Candidate(2, "   ", "neutral", 0.99),
        Candidate(3, "Was it late?", "neutral", 0.9),
        Candidate(4, "was it LATE", "neutral", 0.95),
        Candidate(5, "Lost my bag", "negative", 0.5),
        Candidate(6, "!!!", "neutral", 0.4),
        Candidate(7, "???", "neutral", 0.3),
    ]
    assert [c.row for c in ranked(found, 10, order="uncertainty", seed=0)] == [4, 5, 6, 7, 1]
    assert [c.row for c in ranked(found, 2, order="uncertainty", seed=0)] == [4, 5]
    shuffled = [c.row for c in ranked(found, 10, order="random", seed=3)]
    assert shuffled == [c.row for c in ranked(found, 10, order="random", seed=3)] and sorted(shuffled) in (
        [1, 3, 5, 6, 7],
        [1, 4, 5, 6, 7],
    )
