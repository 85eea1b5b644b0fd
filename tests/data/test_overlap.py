"""The contamination detectors on planted cases: what each finds and what it must not."""

from __future__ import annotations

import random

import numpy as np
import pytest

from gatekeeper.data.overlap import Options
from gatekeeper.data.records import TextItem
from gatekeeper.data.scan import EvalSet, scan
from gatekeeper.data.sketch import Corpus, Vocab, shingles, signatures
from gatekeeper.data.text import marked_diff, normalise, words
from testkit.texts import WORDS, sentence, swap_edit


def items(prefix: str, rows: list[tuple[str, str]]) -> list[TextItem]:
    return [TextItem(f"{prefix}-{i}", f"{prefix}.jsonl", i + 1, p, a) for i, (p, a) in enumerate(rows)]


@pytest.fixture(scope="module")
def corpus():
    rng = random.Random(5)
    evals = [(sentence(rng, 30), sentence(rng, 20)) for _ in range(40)]
    train = [(sentence(rng, 30), sentence(rng, 20)) for _ in range(400)]
    return train, evals


def detect(train_rows, eval_rows, **opts):
    result = scan(items("train", train_rows), [EvalSet("eval", tuple(items("eval", eval_rows)))],
                  Options(**opts))
    return {r["eval_id"]: r for r in result["sets"][0]["records"]}, result["sets"][0]



def test_a_clean_set_gives_zero_hits(corpus):
    train, evals = corpus
    found, result = detect(train, evals)
    assert found == {} and result["hits"] == 0 and result["items"] == 40


def test_a_disguised_copy_is_a_near_duplicate_and_not_an_exact_match(corpus):
    train, evals = corpus
    train = train + [(swap_edit(evals[7][0]), "Something else entirely, never in the eval set.")]
    found, result = detect(train, evals)
    record = found["eval-7"]
    assert "near" in record["detectors"] and "exact" not in record["detectors"]
    assert record["train_id"] == "train-400" and record["field"] == "prompt"
    assert 0.8 <= record["scores"]["near_prompt"] < 1.0
    assert result["hits"] == 1


def test_an_eval_answer_pasted_into_a_train_target_is_found(corpus):
    train, evals = corpus
    leaked = "Here is the full solution. " + evals[3][1] + " Hope this helps."
    train = train + [(sentence(random.Random(9), 30), leaked)]
    found, _ = detect(train, evals)
    record = found["eval-3"]
    assert record["field"] == "answer" and "ngram" in record["detectors"]
    assert record["train_where"] == "train.jsonl:401"


def test_an_exact_copy_is_found_by_every_detector(corpus):
    train, evals = corpus
    train = train + [(evals[11][0].upper(), "unrelated answer text that nobody asked for at all today")]
    found, _ = detect(train, evals)
    assert found["eval-11"]["detectors"] == ["exact", "ngram", "near", "copy", "content"]
    assert found["eval-11"]["same_normalised"] is True


def test_a_shared_instruction_line_is_boilerplate_not_a_hit(corpus):
    train, evals = corpus
    head = "Read the passage below and answer in one word."
    evals = [(f"{head}\n{p}", a) for p, a in evals]
    train = [(f"{head}\n{p}", a) for p, a in train]
    found, _ = detect(train, evals)
    assert found == {}


def test_answers_shared_by_many_eval_items_are_labels_not_leaks(corpus):
    train, evals = corpus
    label = "the category is billing and the priority is high for this ticket"
    evals = [(p, label) for p, _ in evals]
    train = [(p, label) for p, _ in train]
    found, _ = detect(train, evals)
    assert found == {}


def test_items_too_short_for_an_ngram_are_checked_only_for_exact_copies():
    train = [("What is the capital of France?", ""), ("the capital of spain is what", "")]
    evals = [("what is the capital of france", ""), ("What is the capital of Spain?", "")]
    found, _ = detect(train, evals)
    assert set(found) == {"eval-0", "eval-1"} and found["eval-0"]["detectors"] == ["exact", "copy"]
    # the reordered copy: too short for the n-gram and near detectors, not for near copies
    assert found["eval-1"]["detectors"] == ["copy"]


def test_ngram_length_scales_down_for_short_sets_and_is_configurable():
    rng = random.Random(3)
    evals = [(sentence(rng, n), "") for n in (8, 9, 10, 11, 12)]
    inner = evals[2][0].rstrip(".").split()
    train = [(" ".join(["prefix", "words"] + inner[:9] + ["tail", "words", "here"]), "")]
    found, _ = detect(train, evals)   # 5th-percentile length 8: n = 8; 9 of 10 words shared
    assert "ngram" in found["eval-2"]["detectors"]
    found, _ = detect(train, evals, ngram_min=10, ngram=13)   # the whole item must appear
    assert "ngram" not in found.get("eval-2", {}).get("detectors", [])


def test_marked_diff_marks_only_changed_words_ignoring_case_and_punctuation():
    left, right = marked_diff("The quick brown fox, jumps.", "the QUICK red fox jumps")
    assert left == [["The quick", False], ["brown", True], ["fox, jumps.", False]]
    assert right == [["the QUICK", False], ["red", True], ["fox jumps", False]]


def test_normalisation_folds_unicode_case_and_punctuation():
    assert normalise("Ｆｕｌｌ-width ÉCOLE… «test»_x") == "full width école test x"
    assert words("Don't  stop!") == ["don", "t", "stop"]


def test_signatures_are_exactly_datasketch_minhash():
    from datasketch import MinHash

    rng = random.Random(1)
    rows = [[rng.choice(WORDS) for _ in range(rng.randrange(0, 25))] for _ in range(60)]
    values, row_of = shingles(Corpus.build(rows, Vocab()), 2)
    sig = signatures(values, row_of, len(rows), 64, 7)
    for i in range(len(rows)):
        m = MinHash(num_perm=64, seed=7, hashfunc=lambda v: v)
        if np.any(row_of == i):
            m.update_batch(list(values[row_of == i]))
        assert np.array_equal(m.hashvalues, sig[i])


def test_a_system_prompt_on_every_training_row_does_not_hide_a_copy(corpus):
    train, evals = corpus
    system = "You are a careful assistant of the example company. Answer in full sentences only."
    train = [(f"{system}\n{p}", a) for p, a in train] + [(f"{system}\n{swap_edit(evals[5][0])}", "x")]
    found, _ = detect(train, evals)
    assert set(found) == {"eval-5"} and "near" in found["eval-5"]["detectors"]


def test_eval_text_repeated_over_many_training_rows_is_not_boilerplate(corpus):
    train, evals = corpus
    train = [(f"{p}\n{evals[9][0]}", a) for p, a in train]
    found, _ = detect(train, evals)
    assert set(found) == {"eval-9"} and "ngram" in found["eval-9"]["detectors"]


def test_an_ngram_never_spans_two_lines():
    rng = random.Random(8)
    stem = sentence(rng, 6).rstrip(".")
    choices = "A. True, True\nB. False, False\nC. True, False\nD. False, True"
    evals = [(sentence(rng, 16), "") for _ in range(40)]
    evals[0] = (f"{sentence(rng, 10)} {stem}\n{choices}", "")
    evals[1] = (f"{sentence(rng, 10)} {stem}\n{choices}", "")
    train = [(f"{sentence(rng, 10)} {stem}\n{choices}", "")]
    found, _ = detect(train, evals)     # 6 shared words, then the choice lines: no 13-gram in a line
    assert all("ngram" not in r["detectors"] for r in found.values())


def test_an_ngram_straddling_a_template_is_not_evidence():
    rng = random.Random(9)
    template = "For which of these two scenarios does the main character do something clearly wrong?"
    evals = [(f"{template} {sentence(rng, 20)}", "") for _ in range(40)]
    evals[4] = (f"{template} Scenario 1 | I am going to {sentence(rng, 20)}", "")
    train = [(f"{template} Scenario 1 | I am going to {sentence(rng, 20)}", "")]
    found, _ = detect(train, evals)   # shares the template plus "scenario 1 i am going to" only
    assert all("ngram" not in r["detectors"] for r in found.values())
    leaked = evals[4][0].split("going to ", 1)[1]
    found, _ = detect(train + [(leaked, "")], evals)
    assert "ngram" in found["eval-4"]["detectors"]


@pytest.fixture(scope="module")
def templated_split():
    from testkit.templated import frames, rows

    rng = random.Random(2)
    templates = frames(rng, 30)
    train = rows(rng, templates, 600)
    return train, rows(rng, templates, 150, avoid=set(train))


def test_shared_templates_are_overlap_but_not_findings(templated_split):
    train, test = templated_split
    _, result = detect([(t, "") for t in train], [(t, "") for t in test])
    assert result["hits"] > 30   # sentence frames shared by siblings of both splits
    assert result["content_hits"] == 0
    # one sibling shares its number (1 in 900), plan and 14 frame words with a training row:
    # a near copy by chance, within the detector's false-flag rate (<= 1%)
    assert result["findings"] == result["near_copies"] <= 1
    assert sum(result["finding_flags"]) == result["findings"]


def test_a_test_item_pasted_into_a_longer_training_row_is_a_finding(templated_split):
    train, test = templated_split
    pasted = f"Forwarded from the customer portal, see below. {test[11]} Reply to all please."
    _, before = detect([(t, "") for t in train], [(t, "") for t in test])
    found, result = detect([(t, "") for t in train] + [(pasted, "")], [(t, "") for t in test])
    record = found["eval-11"]
    assert record["finding"] and "content" in record["detectors"] and record["train_id"] == "train-600"
    assert record["scores"]["content_prompt"] == 1.0
    assert result["findings"] == before["findings"] + 1 and result["finding_flags"][11]
