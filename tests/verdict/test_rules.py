"""Thresholds and comparisons are checked at collection, with the rule the judge applies."""

from __future__ import annotations

import pytest

from testkit.bundles import write_bundle
from gatekeeper.cli import main
from gatekeeper.core.metrics import Metric
from gatekeeper.verdict.rules import ALPHA_MAX, ALPHA_MIN, alpha_problem, threshold_problems
from gatekeeper.bundle.validation import load_schema


pytestmark = pytest.mark.usefixtures("static_gate_types")


def gate_file(criteria: str) -> str:
    return f"gates:\n  - id: s.a\n    type: static_rate\n{criteria}"


@pytest.mark.parametrize("criteria,line,message", [
    ("    threshold: {metric: rate, min: 99.5, bound: lower95}\n", 4,
     "outside the range of 'rate' [0, 1] (hint: rate is a share in [0, 1]: did you mean 0.995?)"),
    ("    threshold: {metric: rate, min: .nan}\n", 4, "threshold min must be a finite number, got nan"),
    ("    threshold: {metric: rate, max: .inf}\n", 4, "threshold max must be a finite number, got inf"),
    ("    threshold: {metric: rate, min: -.inf}\n", 4, "threshold min must be a finite number, got -inf"),
    ("    threshold: {metric: rate, min: -0.1}\n", 4, "outside the range of 'rate'"),
    ("    threshold: {metric: rate, min: 0.9, max: 0.8}\n", 4, "threshold min 0.9 is above max 0.8"),
    ("    threshold: {metric: rate, min: 0.5}\n    vs_baseline: {max_drop: .inf}\n", 5,
     "max_drop must be a finite number, got inf"),
    ("    threshold: {metric: rate, min: 0.5}\n    vs_baseline: {min_gain: 5}\n", 5,
     "min_gain 5 is not smaller than the range of 'rate' (1) (hint: rate spans 1: did you mean 0.05?)"),
    ("    threshold: {metric: rate, min: 0.5}\n    vs_baseline: {max_drop: 0.02, alpha: 0.5}\n", 5,
     "alpha must be in (0, 0.5)"),
    ("    threshold: {metric: rate, min: 0.5}\n    vs_baseline: {max_drop: 0.02, alpha: 0}\n", 5,
     "alpha must be in (0, 0.5)"),
    ("    threshold: {metric: rate, min: 0.5}\n"
     "    vs_baseline: {max_drop: 0.02, higher_is_better: false}\n", 5,
     "higher_is_better: false contradicts metric 'rate' (higher is better)"),
])
def test_bad_criteria_are_config_errors_with_file_and_line(tmp_path, capsys, criteria, line, message):
    root = write_bundle(tmp_path / "b", {"g.yaml": gate_file(criteria)})
    assert main(["validate", str(root)]) == 4
    err = capsys.readouterr().err
    assert f"g.yaml:{line}:" in err and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2  # the error, the count


def test_every_problem_of_a_file_is_reported_at_once(tmp_path, capsys):
    text = ("gates:\n"
            "  - {id: s.a, type: static_rate, threshold: {metric: rate, min: .nan}}\n"
            "  - {id: s.b, type: static_rate, threshold: {metric: rate, min: 0.9, max: 0.1}}\n")
    root = write_bundle(tmp_path / "b", {"g.yaml": text})
    assert main(["validate", str(root)]) == 4
    err = capsys.readouterr().err
    assert "g.yaml:2:" in err and "g.yaml:3:" in err and "2 error(s)" in err


def test_good_criteria_validate(tmp_path, capsys):
    text = gate_file("    threshold: {metric: rate, min: 0.995, bound: lower95}\n"
                     "    vs_baseline: {max_drop: 0, alpha: 0.05, higher_is_better: true}\n")
    root = write_bundle(tmp_path / "b", {"g.yaml": text})
    assert main(["validate", str(root)]) == 0


def test_schema_and_judge_share_the_alpha_range():
    alpha = load_schema("gatefile.schema.json")["$defs"]["comparison"]["properties"]["alpha"]
    assert (alpha["exclusiveMinimum"], alpha["exclusiveMaximum"]) == (ALPHA_MIN, ALPHA_MAX)
    for value in (0.0, 0.5, 0.7, -0.1, float("nan"), True):
        assert alpha_problem(value) is not None, value
    for value in (0.001, 0.05, 0.49):
        assert alpha_problem(value) is None


def test_ranges_come_from_the_metric_table():
    table = {"latency": Metric("latency", higher_is_better=False, kind="value", unit="ms"),
             "score": Metric("score", kind="score", lower=0.0, upper=5.0)}
    assert threshold_problems({"metric": "latency", "max": 250.0}, None, table) == []
    assert threshold_problems({"metric": "score", "min": 4.5}, None, table) == []
    [(key, message, _)] = threshold_problems({"metric": "score", "min": 6}, None, table)
    assert key == ("threshold", "min") and "[0, 5]" in message
    # an undeclared metric has no range to check, but limits must still be finite
    assert threshold_problems({"metric": "other", "min": 7}, None, table) == []
    assert threshold_problems({"metric": "other", "min": float("inf")}, None, table)
