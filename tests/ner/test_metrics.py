"""Entity-level scores: conlleval-compatible vs strict IOB2, and the error breakdown."""

import pytest

from ner.metrics import entity_report, format_entity_report


def test_error_breakdown_counts_each_kind_of_error():
    gold = [["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "O"]]
    predicted = [["B-PER", "I-PER", "O", "B-ORG", "O", "O", "B-MISC"]]
    errors = entity_report(gold, predicted)["errors"]
    assert {k: errors[k] for k in ("correct", "wrong_type", "wrong_boundary", "missed", "spurious")} == {
        "correct": 1, "wrong_type": 1, "wrong_boundary": 0, "missed": 1, "spurious": 1,
    }  # fmt: skip
    assert errors["type_confusions"] == {"LOC->ORG": 1}
    assert errors["confusion"] == {
        "(none)": {"MISC": 1}, "LOC": {"ORG": 1}, "ORG": {"(none)": 1}, "PER": {"PER": 1},
    }  # fmt: skip
    boundary = entity_report([["B-PER", "I-PER"]], [["B-PER", "O"]])
    assert boundary["errors"]["wrong_boundary"] == 1 and boundary["conlleval"]["f1"] == 0.0


def test_strict_mode_rejects_entities_that_open_with_i():
    report = entity_report([["B-PER", "I-PER", "O"]], [["I-PER", "I-PER", "O"]])
    assert report["conlleval"]["f1"] == 1.0
    assert report["strict"]["f1"] == 0.0


def test_sentences_are_not_merged_across_boundaries():
    gold = [["O", "B-PER"], ["I-PER", "O"]]
    report = entity_report(gold, gold)
    assert report["conlleval"]["per_type"]["PER"]["support"] == 2
    assert "conlleval: precision 1.0000" in format_entity_report(report)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in shape"):
        entity_report([["O"]], [["O", "O"]])


def test_entity_agreement_counts_gold_entities_each_tagger_finds_exactly():
    from ner.metrics import entity_agreement

    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    network = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O"]]
    baseline = [["B-PER", "O", "O", "B-LOC"], ["O", "B-ORG"]]
    assert entity_agreement(gold, network, baseline) == {
        "both_right": 0, "network_only": 2, "baseline_only": 1, "both_wrong": 0,
    }  # fmt: skip
