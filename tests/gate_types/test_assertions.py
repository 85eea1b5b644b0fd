"""assertions end to end through `gatekeeper check` on the tiny real model + LoRA adapter
(the shared ``run`` of tests/gate_types/conftest.py): even rows assert the candidate's own
output, odd rows a string it never says, so exactly half pass, each failure says why."""

from __future__ import annotations

from gatekeeper.report.fragments import render_fragment
from testkit.scorers import PROMPTS


def test_assertions_pass_rate_counts_items_whose_assertions_all_hold(run):
    gates, cand, base, _ = run
    g = gates["assert.items"]
    m = g["measurement"]
    assert m["n"] == len(PROMPTS) == len(m["items"])
    assert m["metrics"]["pass_rate"] == 0.5 and g["outcome"] == "pass"
    for i, item in enumerate(m["items"]):
        assert item["passed"] == (i % 2 == 0)
        if i % 2:
            assert item["detail"] == "contains 'zq never said zq': 'zq never said zq' not in the output"
    # paired with the base model, which is judged by the same per-item assertions
    expected_base = sum(b.strip() == c.strip() for b, c in zip(base[::2], cand[::2], strict=True)) / len(PROMPTS)
    assert m["baseline_metrics"]["pass_rate"] == expected_base
    assert m["details"]["failure_reasons"] == {"contains 'zq never said zq'": len(PROMPTS) // 2}


def test_its_fragment_lists_the_failing_items_and_why(run):
    gates, _, _, _ = run
    html, note = render_fragment(gates["assert.items"])
    assert note is None and "Failing items" in html and "never said" in html
