"""Near copies in templated data: light edits found, template siblings not, calibration shown."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gatekeeper.data.boilerplate import BREAK, common_lines, content_words
from gatekeeper.data.nearcopy import FALLBACK, CopyOptions, near_copies
from gatekeeper.data.records import read_items
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


GOLDEN = Path(__file__).resolve().parents[2] / "golden_sets"


@pytest.fixture(scope="module")
def demo():
    """The demo's training inputs and test tickets as the scan sees them (boilerplate removed)."""
    train = [i for f in ("tickets/train.jsonl", "tickets/val.jsonl", "mix/mix.jsonl")
             for i in read_items(GOLDEN / f)[0]]
    test = read_items(GOLDEN / "tickets/test.jsonl")[0]
    lines = common_lines([i.prompt for i in test], 0.05)
    as_words = lambda t: [w for w in content_words(t, lines) if w != BREAK]  # noqa: E731
    return train, test, [as_words(i.prompt) for i in train], [as_words(i.prompt) for i in test]


def test_the_demo_template_siblings_are_not_near_copies(demo):
    train, test, t_words, e_words = demo
    hits, calibration = near_copies(t_words, e_words)
    assert hits == [] and calibration["checked"] == len(test) and calibration["score"] == "edits"
    loose, _ = near_copies(t_words, e_words, CopyOptions(quantile=0.5))  # every item above the median
    scores = {test[e].id: (train[t].id, score) for e, t, score in loose}
    # test:123 ~ train:539 (another account type, an opener and a closing cue) and
    # test:402 ~ train:550 (another date, an "Urgent:" opener): siblings, not copies
    assert scores["tickets-test-0123"][0] == "tickets-train-0539"
    assert scores["tickets-test-0402"][0] == "tickets-train-0550"
    assert max(score for _, score in scores.values()) < calibration["threshold"]


def test_without_the_mix_the_demo_siblings_are_still_not_near_copies():
    # the mix's paraphrase pairs raise the background; the tickets alone calibrate lower
    # (0.800), and test:474 ("... more than 100 clients. Whenever you have time is fine.") ~
    # train:122 ("... more than 100 time entries.") share "time" by coincidence inside the slot
    train = [i for f in ("tickets/train.jsonl", "tickets/val.jsonl") for i in read_items(GOLDEN / f)[0]]
    test = read_items(GOLDEN / "tickets/test.jsonl")[0]
    lines = common_lines([i.prompt for i in test], 0.05)
    as_words = lambda t: [w for w in content_words(t, lines) if w != BREAK]  # noqa: E731
    hits, calibration = near_copies([as_words(i.prompt) for i in train], [as_words(i.prompt) for i in test])
    assert calibration["calibrated"] and calibration["threshold"] < 0.85
    assert [(test[e].id, train[t].id) for e, t, _ in hits] == []


@pytest.mark.parametrize("kind", ["swap", "case", "filler"])
def test_light_edits_of_those_demo_tickets_are_near_copies(demo, kind):
    _, test, t_words, e_words = demo
    rng = random.Random(3)
    picked = [k for k, i in enumerate(test) if i.id in ("tickets-test-0123", "tickets-test-0402")]
    copies = [words(light_edit(rng, test[j].prompt.splitlines()[-1], kind)) for j in picked]
    hits, _ = near_copies(t_words + copies, e_words)
    assert sorted((e, t) for e, t, _ in hits) == [(j, len(t_words) + k) for k, j in enumerate(picked)]


def test_a_difference_where_siblings_differ_is_a_slot_and_one_where_they_agree_is_an_edit():
    from gatekeeper.data.slots import slot_words

    item = words("Order 1234 from Berlin is late")
    siblings = [words("Order 5555 from Paris is late"), words("Hello, order 42 from Rome is late")]
    assert slot_words(item, words("Order 9999 from Berlin is late"), siblings) == {"1234", "9999"}
    assert slot_words(item, words("Order 1234 from Berlin is really late"), siblings) == set()
    assert slot_words(item, words("Order 1234 from Berlin is slow"), siblings) == set()  # one changed word
    assert slot_words(item, words("Order 9999 from Berlin is late"), []) == set()
    # a lone word the two slot values share does not split the slot into a cut and an edit
    item = words("Uploads lag once we have 100 clients whenever you have time")
    siblings = [words("Uploads lag once we have 100 projects"), words("Uploads lag once we have 100 users")]
    assert {"clients", "entries"} <= slot_words(item, words("Uploads lag once we have 100 time entries"), siblings)


def test_the_earlier_jaccard_score_stays_an_option(templated):
    rng, train, test = templated
    planted = random.Random(7).sample(range(len(test)), 10)
    copies = [light_edit(random.Random(j), test[j], "swap") for j in planted]
    hits, calibration = near_copies([words(t) for t in train + copies], [words(t) for t in test],
                                    CopyOptions(score="jaccard"))
    assert calibration["score"] == "jaccard" and {e for e, _, _ in hits} >= set(planted)
