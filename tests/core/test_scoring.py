"""Scorers and JSON-validity reasons: pure functions, every branch."""

from __future__ import annotations

import json

import jsonschema
import pytest

from gatekeeper.gate_types.json_validity import judge_output, reason_kind
from gatekeeper.core.scoring import (normalize, predicted_field, score_exact, score_fuzzy,
                                score_json_field, score_normalized)

SCHEMA = {"type": "object", "required": ["category", "priority"], "additionalProperties": False,
          "properties": {"category": {"enum": ["billing", "login"]},
                         "priority": {"enum": ["low", "high"]}}}
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_exact_is_whitespace_trimmed_but_case_sensitive():
    assert score_exact("  Paris\n", "Paris").passed
    assert not score_exact("paris", "Paris").passed


def test_normalized_ignores_case_punctuation_and_spacing():
    assert normalize("  The  Answer: PARIS! ") == "the answer paris"
    assert score_normalized("paris.", "Paris").passed
    assert not score_normalized("Lyon", "Paris").passed


def test_fuzzy_uses_the_minimum_ratio():
    close = score_fuzzy("The capital is Paris", "the capital is paris.", 90)
    assert close.passed and close.value == pytest.approx(1.0)
    far = score_fuzzy("Lyon", "Paris", 90)
    assert not far.passed and "similarity" in far.detail


@pytest.mark.parametrize("output, passed, detail", [
    ('{"category": "login", "priority": "high"}', True, None),
    ('```json\n{"category": "login"}\n```', True, None),
    ('{"category": "billing"}', False, "category='billing', expected 'login'"),
    ('{"priority": "high"}', False, "JSON has no 'category'"),
    ("I think it is login", False, "output is not a JSON object"),
])
def test_json_field(output, passed, detail):
    score = score_json_field(output, json.dumps({"category": "login", "priority": "low"}), "category")
    assert score.passed is passed and score.detail == detail


def test_json_field_accepts_a_plain_text_target():
    assert score_json_field('{"category": "login"}', "login", "category").passed


def test_predicted_field_labels_unparseable_outputs():
    assert predicted_field('{"category": "login"}', "category") == "login"
    assert predicted_field("nope", "category") == "(no JSON)"
    assert predicted_field('{"x": 1}', "category") == "(no category)"


@pytest.mark.parametrize("output, parses, valid, reason", [
    ('{"category": "login", "priority": "high"}', True, True, None),
    ('{"category": "login", "priority": "urgent"}', True, False, "schema enum at /priority"),
    ('{"category": "login"}', True, False, "schema required at /"),
    ('{"category": "login", "priority": "low", "x": 1}', True, False, "schema additionalProperties at /"),
    ('{"category": "login", "priority": "low"', False, False, "parse error"),
    ("Sure! Here is the JSON", False, False, "parse error"),
])
def test_json_validity_reasons_name_the_failure(output, parses, valid, reason):
    got_parses, got_valid, got_reason = judge_output(output, VALIDATOR)
    assert (got_parses, got_valid) == (parses, valid)
    if reason is None:
        assert got_reason is None
    else:
        assert got_reason.startswith(reason), got_reason


def test_reason_kinds_group_by_failure_type():
    _, _, reason = judge_output('{"category": "login", "priority": "urgent"}', VALIDATOR)
    assert reason_kind(reason) == "schema enum at /priority"
    assert reason_kind("parse error: Expecting value") == "parse error"


def test_without_a_schema_only_parsing_counts():
    assert judge_output("[1, 2]", None) == (True, True, None)


def test_a_long_enum_is_counted_not_listed():
    labels = [f"label_{i}" for i in range(20)]
    validator = jsonschema.Draft202012Validator({"type": "object", "properties": {"category": {"enum": labels}}})
    _, valid, reason = judge_output('{"category": "data_access"}', validator)
    assert not valid
    assert reason == "schema enum at /category: 'data_access' is not one of the 20 allowed values"
    # a short enum still names the allowed values
    _, _, reason = judge_output('{"category": "login", "priority": "urgent"}', VALIDATOR)
    assert "['low', 'high']" in reason
