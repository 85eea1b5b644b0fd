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


def test_safety_cards_of_the_checked_run_draw_with_per_item_verdicts(checked):
    """The fragment of a real `gatekeeper check` run draws (a drawing error would fall back
    to JSON with a 'could not be drawn' note) and names every prompt's verdict."""
    import copy

    from gatekeeper.report.fragments import render_fragment

    _, gates = checked
    for gid in ("safety.refusal", "safety.over_refusal"):
        gate = gates[gid]
        html, note = render_fragment(copy.deepcopy(gate))
        assert note is None and html is not None, note
        verdicts = gate["measurement"]["details"]["verdicts"]
        assert [v["id"] for v in verdicts] == ["h0", "h1", "h2", "b0", "b1"]
        assert all(f"<code>{v['id']}</code>" in html for v in verdicts)
        assert "By category" in html and "could not be drawn" not in html
