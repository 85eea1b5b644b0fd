"""json_validity end to end through `gatekeeper check` on the tiny real model + LoRA adapter
(the shared ``run`` of tests/gate_types/conftest.py, whose outputs are noise: no output parses)."""

from __future__ import annotations

from testkit.scorers import PROMPTS


def test_json_validity_says_why_each_output_is_invalid(run):
    gates, _, _, _ = run
    g = gates["json.valid"]
    assert g["outcome"] == "fail" and g["measurement"]["metrics"]["valid_rate"] == 0.0
    assert g["measurement"]["n"] == len(PROMPTS) == len(g["measurement"]["items"])
    details = {i["detail"] for i in g["measurement"]["items"]}
    assert details and all(d for d in details)
