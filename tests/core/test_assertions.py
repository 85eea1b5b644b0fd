"""Per-output assertions: each kind, in combination, and the reason a failing one gives."""

from __future__ import annotations

import pytest

from gatekeeper.core.assertions import check_all, parse_assertions
from gatekeeper.core.errors import ConfigError


def reasons(entries, output):
    return check_all(parse_assertions(entries, "params.assertions"), output)


@pytest.mark.parametrize("entries, output", [
    ([{"contains": "refund"}], "a refund, please"),
    ([{"contains": ["a", "b"]}], "ab"),
    ([{"not_contains": "As an AI"}], "Sure."),
    ([{"regex": r"^\{.*\}$"}], '{"x": 1}'),
    ([{"equals": "yes"}], "  yes\n"),
    ([{"json_path": {"path": "t.tags.1", "equals": "b"}}], '{"t": {"tags": ["a", "b"]}}'),
    ([{"json_path": {"path": "category", "one_of": ["billing", "shipping"]}}], '{"category": "billing"}'),
    ([{"max_length": 3}, {"min_length": 3}], "abc"),
])
def test_a_holding_assertion_gives_no_reason(entries, output):
    assert reasons(entries, output) == []


@pytest.mark.parametrize("entries, output, why", [
    ([{"contains": ["a", "z"]}], "abc", 'contains ["a", "z"]: \'z\' not in the output'),
    ([{"not_contains": "As an AI"}], "As an AI, no", "not_contains 'As an AI': 'As an AI' found at character 0"),
    ([{"regex": "^x"}], "yx", "regex '^x': no match"),
    ([{"equals": "yes"}], "no", "equals 'yes': output is \"no\""),
    ([{"json_path": {"path": "a.b", "equals": 1}}], '{"a": {}}', "json_path 'a.b': no 'b' in the output"),
    ([{"json_path": {"path": "a", "equals": 1}}], "not json", "json_path 'a': output is not JSON"),
    ([{"json_path": {"path": "a", "one_of": [1, 2]}}], '{"a": 3}', "json_path 'a': 3 is not one of the 2 allowed values"),
    ([{"max_length": 2}], "abc", "max_length 2: output is 3 characters"),
    ([{"min_length": 4}], "abc", "min_length 4: output is 3 characters"),
])
def test_a_failing_assertion_says_which_and_why(entries, output, why):
    assert reasons(entries, output) == [why]


def test_every_failing_assertion_of_a_combination_is_named():
    got = reasons([{"contains": "x"}, {"max_length": 1}, {"not_contains": "b"}], "abc")
    assert [r.split(":")[0] for r in got] == ["contains 'x'", "max_length 1", "not_contains 'b'"]


@pytest.mark.parametrize("entries, says", [
    ({"contains": "x"}, "must be a list"),
    ([{"contain": "x"}], "did you mean 'contains'"),
    ([{"contains": "x", "regex": "y"}], "exactly one key"),
    ([{"regex": "(unclosed"}], "bad regular expression"),
    ([{"max_length": "200"}], "whole number"),
    ([{"min_length": -1}], "whole number"),
    ([{"equals": 3}], "must be a string"),
    ([{"contains": []}], "non-empty string"),
    ([{"json_path": {"path": "a..b", "equals": 1}}], "not a dotted path"),
    ([{"json_path": {"path": "a"}}], "exactly one of"),
    ([{"json_path": {"path": "a", "one_of": []}}], "non-empty list"),
    ([{"json_path": "a.b"}], "must be a mapping"),
])
def test_bad_assertions_are_config_errors(entries, says):
    with pytest.raises(ConfigError, match=None) as exc:
        parse_assertions(entries, "params.assertions")
    assert says in str(exc.value)
