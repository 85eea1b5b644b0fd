"""overfitting gate: fails on a recorded diverging run, passes on a healthy one or a restored best."""

from __future__ import annotations

import json
import shutil

import pytest

from testkit.bundles import lock_without_model, write_bundle
from gatekeeper.commands.check import CheckOptions, run_check

GATES = """\
gates:
  - id: train.overfitting
    type: overfitting
    threshold: {metric: overfit_rise, max: 0.10}
"""

TRAIN = [(s, round(2.0 * 0.93 ** s, 4)) for s in range(5, 45, 5)]   # keeps falling


def record(evals, adapter_is_best):
    curve = {s: {"step": s, "loss": v} for s, v in TRAIN}
    for s, v in evals:
        curve.setdefault(s, {"step": s})["eval_loss"] = v
    best = min(evals, key=lambda e: e[1])
    return {"loss_curve": [curve[s] for s in sorted(curve)],
            "best": {"step": best[0], "eval_loss": best[1], "adapter_is_best": adapter_is_best}}


DIVERGING = record([(10, 1.5), (20, 1.1), (30, 1.3), (40, 1.6)], adapter_is_best=False)
HEALTHY = record([(10, 1.5), (20, 1.1), (30, 0.9), (40, 0.85)], adapter_is_best=True)
RESTORED = record([(10, 1.5), (20, 1.1), (30, 1.3), (40, 1.6)], adapter_is_best=True)


def check(tmp_path, tiny_adapter_dir, rec, gates=GATES):
    adapter = tmp_path / "b" / "adapter"
    shutil.copytree(tiny_adapter_dir, adapter)
    if rec is not None:
        (adapter / "training.json").write_text(json.dumps(rec))
    root = write_bundle(tmp_path / "b", {"g.yaml": gates}, adapter="adapter")
    lock_without_model(root)
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run"))
    gate = result.report["gates"][0]
    return gate, (tmp_path / "run" / "report.html").read_text()


def test_diverging_run_fails_with_the_rise_at_the_saved_adapter(tmp_path, tiny_adapter_dir):
    gate, html = check(tmp_path, tiny_adapter_dir, DIVERGING)
    metrics = gate["measurement"]["metrics"]
    assert gate["outcome"] == "fail"
    assert metrics["overfit_rise"] == pytest.approx(0.5 / 1.1, abs=1e-6)
    assert metrics["train_loss_drop"] > 0
    details = gate["measurement"]["details"]
    assert details["best_step"] == 20 and not details["saved_is_best"]
    assert "training loss kept falling" in details["verdict_hint"]
    assert '<polyline class="series s-1"' in html and '<polyline class="series s-2"' in html
    assert "eval_loss (last 1.6)" in html


def test_healthy_run_passes(tmp_path, tiny_adapter_dir):
    gate, _ = check(tmp_path, tiny_adapter_dir, HEALTHY)
    assert gate["outcome"] == "pass"
    assert gate["measurement"]["metrics"]["overfit_rise"] == 0.0


def test_early_stopping_that_restored_the_best_checkpoint_passes(tmp_path, tiny_adapter_dir):
    gate, _ = check(tmp_path, tiny_adapter_dir, RESTORED)
    metrics = gate["measurement"]["metrics"]
    assert gate["outcome"] == "pass" and metrics["overfit_rise"] == 0.0
    assert metrics["val_loss_rise"] == pytest.approx(0.5 / 1.1, abs=1e-6)


def test_rising_training_loss_is_not_called_overfitting(tmp_path, tiny_adapter_dir):
    unstable = record([(10, 1.5), (20, 1.1), (30, 1.3), (40, 1.6)], adapter_is_best=False)
    for point in unstable["loss_curve"]:
        if point["step"] > 20 and "loss" in point:
            point["loss"] = 3.0
    gate, _ = check(tmp_path, tiny_adapter_dir, unstable)
    assert gate["measurement"]["metrics"]["overfit_rise"] == 0.0
    assert "not overfitting" in gate["measurement"]["details"]["verdict_hint"]


def test_adapter_without_a_record_is_an_error_not_a_fail(tmp_path, tiny_adapter_dir):
    gate, _ = check(tmp_path, tiny_adapter_dir, None)
    assert gate["outcome"] == "error"
    assert "gatekeeper train" in json.dumps(gate)


def test_a_record_with_one_validation_point_is_an_error(tmp_path, tiny_adapter_dir):
    gate, _ = check(tmp_path, tiny_adapter_dir, record([(10, 1.5)], adapter_is_best=True))
    assert gate["outcome"] == "error" and "eval_data" in json.dumps(gate)
