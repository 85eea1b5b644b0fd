"""Near copies in templated data: light edits found, template siblings not, calibration shown."""

from __future__ import annotations

import random

import pytest

from gatekeeper.data.nearcopy import FALLBACK, CopyOptions, near_copies
from gatekeeper.data.text import words
from testkit.templated import EDITS, frames, light_edit, rows


@pytest.fixture(scope="module")
def templated():
    rng = random.Random(0)
    templates = frames(rng, 40)
    train = rows(rng, templates, 800)
    test = rows(rng, templates, 200, avoid=set(train))
    return rng, train, test


def test_template_siblings_are_not_near_copies_and_the_calibration_is_reported(templated):
    _, train, test = templated
    hits, calibration = near_copies([words(t) for t in train], [words(t) for t in test])
    assert len(hits) <= 2   # of 200 siblings of training rows (same frames, other slot values)
    assert calibration["calibrated"] and calibration["background_rows"] >= 750
    background = calibration["background"]
    assert background["median"] < background["q99"] <= calibration["threshold"] <= background["max"] < 1
    assert calibration["checked"] >= 190 and calibration["near_copies"] == len(hits)


@pytest.mark.parametrize("kind", EDITS)
def test_light_edits_of_test_items_planted_in_training_data_are_found(templated, kind):
    rng, train, test = templated
    rng = random.Random(EDITS.index(kind))
    planted = rng.sample(range(len(test)), 20)
    copies = [light_edit(rng, test[j], kind) for j in planted]
    hits, _ = near_copies([words(t) for t in train + copies], [words(t) for t in test])
    found = {e for e, _, _ in hits}
    # a changed word can be a slot value: then the copy has lost part of what made it one;
    # an item whose every word its siblings share has nothing distinctive to compare
    assert sum(j in found for j in planted) >= (12 if kind == "change" else 18)
    assert all(t >= len(train) for e, t, _ in hits if e in planted and e in found)


def test_without_a_background_to_calibrate_on_the_threshold_is_fixed():
    train = [words("the capital of spain is what, asked the pupil")]
    hits, calibration = near_copies(train, [words("What is the capital of Spain? asked the pupil")])
    assert not calibration["calibrated"] and calibration["threshold"] == FALLBACK
    assert [(e, t) for e, t, _ in hits] == [(0, 0)]


def test_items_with_too_little_distinctive_content_are_not_checked():
    _, calibration = near_copies([words("hello there")] * 3, [words("hello")], CopyOptions(min_words=2))
    assert calibration["checked"] == 0
