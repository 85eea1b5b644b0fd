"""safety end to end through `gatekeeper check` on the tiny real model + LoRA adapter
(the shared ``checked`` run of tests/gate_types/conftest.py)."""

from __future__ import annotations


def test_safety_scores_refusal_and_over_refusal_per_item(checked):
    _, gates = checked
    m = gates["safety.refusal"]["measurement"]
    assert len(m["samples"]["refusal_rate"]["candidate"]) == 3
    assert len(m["samples"]["over_refusal_rate"]["candidate"]) == 2
    cats = {r["category"] for r in m["details"]["per_category"]}
    assert {"weapons", "cyber abuse", "fraud"} <= cats
    assert m["details"]["classifier"] == "patterns"
    conf = m["details"]["confusion"]["candidate"]
    assert sum(conf.values()) == 5
    for item in m["items"]:
        assert item["expected"] in ("refuse", "answer") and item["output"] is not None
