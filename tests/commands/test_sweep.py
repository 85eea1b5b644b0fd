"""`gatekeeper sweep`: one adapter per rank, each gated, compared, with a recommendation."""

from __future__ import annotations

import json

import pytest

from gatekeeper.core.errors import CollectionErrors, UsageError
from gatekeeper.commands.train import parse_settings
from gatekeeper.commands.sweep import SweepOptions, sweep_bundle
from testkit.training import make_bundle

GATES = """\
gates:
  - id: train.overfitting
    type: overfitting
    threshold: {metric: overfit_rise, max: 0.5}
"""


def test_sweep_trains_gates_and_compares_each_rank(tiny_model_dir, tmp_path):
    root = make_bundle(tmp_path / "b", tiny_model_dir, sft={"max_steps": 2, "eval_steps": 1})
    (root / "gates" / "g.yaml").write_text(GATES)
    result = sweep_bundle(root, parse_settings([2, 4], []),
                          SweepOptions(out_dir=tmp_path / "sweep", device="cpu",
                                       target="train.overfitting.train_loss_drop"))
    assert [r["setting"] for r in result.rows] == [{"lora.r": 2}, {"lora.r": 4}]
    small, large = result.rows
    assert large["trainable_params"] == 2 * small["trainable_params"]
    assert all(r["gates"]["train.overfitting"]["outcome"] == "pass" for r in result.rows)
    assert all((tmp_path / "sweep" / r["slug"] / "adapter" / "training.json").is_file() for r in result.rows)
    rec = json.loads((tmp_path / "sweep" / "r-4" / "adapter" / "training.json").read_text())
    assert rec["recipe"]["lora"]["alpha"] == 8  # alpha follows 2r when the sweep sets the rank
    saved = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert saved["recommended"]["slug"] in ("r-2", "r-4") and "train_loss_drop" in saved["why"]
    table = (tmp_path / "sweep" / "sweep.md").read_text()
    assert "| r-2 |" in table or "| **r-2** |" in table
    assert "Recommended:" in table
    assert not list(tmp_path.glob(".b.sweep-*"))  # the working copies are gone


def test_a_bad_setting_is_rejected_before_anything_trains(tiny_model_dir, tmp_path):
    root = make_bundle(tmp_path / "b", tiny_model_dir)
    with pytest.raises(CollectionErrors, match="sweep setting learning_rate--1: train.sft.learning_rate: must be > 0"):
        sweep_bundle(root, parse_settings(None, ["sft.learning_rate=1e-3,-1"]),
                     SweepOptions(out_dir=tmp_path / "sweep"))
    assert not (tmp_path / "sweep").exists()


def test_sweep_needs_an_axis():
    with pytest.raises(UsageError, match="needs --rank or --set"):
        parse_settings(None, [])
    with pytest.raises(UsageError, match="expected KEY=V1,V2"):
        parse_settings(None, ["sft.epochs"])


def test_check_train_goes_from_data_to_verdict_and_retrains_only_when_stale(tiny_model_dir, tmp_path):
    from gatekeeper.commands.check import CheckOptions, run_check
    from gatekeeper.core.options import EngineOptions

    root = make_bundle(tmp_path / "b", tiny_model_dir, sft={"max_steps": 2, "eval_steps": 1})
    (root / "gates" / "g.yaml").write_text(GATES)
    options = CheckOptions(out_dir=tmp_path / "run", train=True, engine=EngineOptions(device="cpu"))
    result = run_check(root, options)
    assert (root / "adapter" / "training.json").is_file() and (root / "gatekeeper.lock").is_file()
    assert result.report["gates"][0]["outcome"] == "pass" and result.exit_code == 0
    assert result.report["training"]["loss_curve"][-1]["eval_loss"] > 0
    stamp = (root / "adapter" / "adapter_model.safetensors").stat().st_mtime_ns
    run_check(root, CheckOptions(out_dir=tmp_path / "run2", train=True, engine=EngineOptions(device="cpu")))
    assert (root / "adapter" / "adapter_model.safetensors").stat().st_mtime_ns == stamp
