"""Calibration numbers from choice log-likelihoods: ECE, Brier, reliability bins."""

from __future__ import annotations

import math

import pytest

from gatekeeper.evals.calibration import (ChoiceScore, choice_scores, expected_calibration_error,
                                          reliability_bins, softmax, summary)


def test_softmax_is_a_distribution_and_stable_for_large_logliks():
    probs = softmax([-1000.0, -1001.0, -1002.0, -1003.0])
    assert math.isclose(sum(probs), 1.0) and probs[0] > probs[1] > probs[2]


def test_perfectly_confident_and_right_is_perfectly_calibrated():
    scores = [ChoiceScore((1.0, 0.0, 0.0, 0.0), 0)] * 10
    assert expected_calibration_error(scores) == 0.0
    assert summary(scores)["brier"] == 0.0


def test_confident_and_wrong_is_the_worst_case():
    scores = [ChoiceScore((1.0, 0.0, 0.0, 0.0), 1)] * 4
    assert expected_calibration_error(scores) == pytest.approx(1.0)
    assert summary(scores)["brier"] == pytest.approx(2.0)


def test_ece_is_the_weighted_gap_per_bin():
    # 4 items at confidence 0.7 (bin 7), 3 right -> gap 0.05; 6 items at 0.9 (bin 9), 3 right -> gap 0.4
    scores = [ChoiceScore((0.7, 0.3), 0)] * 3 + [ChoiceScore((0.7, 0.3), 1)] + \
             [ChoiceScore((0.9, 0.1), 0)] * 3 + [ChoiceScore((0.9, 0.1), 1)] * 3
    assert expected_calibration_error(scores) == pytest.approx(0.4 * 0.05 + 0.6 * 0.4)
    bins = reliability_bins(scores)
    assert [b["n"] for b in bins] == [0] * 7 + [4, 0, 6]
    assert bins[9]["accuracy"] == pytest.approx(0.5) and bins[9]["confidence"] == pytest.approx(0.9)


def test_choice_scores_from_logliks_pick_the_most_likely_choice():
    scores = choice_scores([[-3.0, -1.0, -2.0, -4.0]], [1])
    assert scores[0].predicted == 1 and scores[0].correct
    assert scores[0].confidence == pytest.approx(softmax([-3.0, -1.0, -2.0, -4.0])[1])
