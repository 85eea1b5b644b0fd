"""calibration end to end through `gatekeeper check` on the tiny real model + LoRA adapter
(the shared ``checked`` run of tests/gate_types/conftest.py: MMLU-layout tasks and a choice set)."""

from __future__ import annotations

import pytest


def test_calibration_reports_both_models_with_reliability_bins(checked):
    _, gates = checked
    m = gates["general.calibration"]["measurement"]
    assert gates["general.calibration"]["outcome"] != "error"
    for who in ("candidate", "baseline"):
        summary = m["details"][who]
        assert summary["n"] == 6 and sum(b["n"] for b in summary["bins"]) == 6
        assert 0.0 <= summary["ece"] <= 1.0
    assert m["metrics"]["ece"] == pytest.approx(m["details"]["candidate"]["ece"])
    assert m["metrics"]["ece_increase"] == pytest.approx(m["metrics"]["ece"] - m["baseline_metrics"]["ece"])
    assert len(m["samples"]["brier"]["candidate"]) == 6

def test_calibration_of_a_choice_golden_set(checked):
    _, gates = checked
    gate = gates["choice.calibration"]
    assert gate["outcome"] != "error", gate.get("reason")
    m = gate["measurement"]
    assert m["n"] == 4 and m["details"]["source"]["kind"] == "golden set"
    assert len(m["samples"]["brier"]["baseline"]) == 4
