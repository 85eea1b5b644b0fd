"""adapter_applied on the tiny model: a zeroed lora_B, a missing target and a wrong scaling are caught."""

from __future__ import annotations

import json
import shutil

import pytest

from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.gate_types.adapter_applied import adapter_applied, scaling_problems, target_problems
from testkit.integrity import fragment, judged, make_context

check_params = adapter_applied.__gate_type__.check  # the collection-time parameter check the registry runs


def _zero_lora_b(adapter_dir, out, only=None):
    from safetensors.torch import load_file, save_file

    shutil.copytree(adapter_dir, out)
    path = out / "adapter_model.safetensors"
    tensors = load_file(path)
    for key in tensors:
        if "lora_B" in key and (only is None or only in key):
            tensors[key] = tensors[key] * 0
    save_file(tensors, path)
    return out


def test_a_real_adapter_passes(tmp_path, tiny_model_dir, tiny_adapter_dir):
    ctx, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="adapter_applied")
    m = adapter_applied(ctx)
    assert m.metrics["problems"] == 0 and m.metrics["probes_moved_rate"] == 1.0
    assert m.metrics["min_logit_delta"] > 0.1 and m.details["lora_layers"] == 4  # q,v x 2 layers
    assert judged(adapter_applied, m, "problems", max=0) == "pass"


def test_a_zeroed_lora_b_fails(tmp_path, tiny_model_dir, tiny_adapter_dir):
    zeroed = _zero_lora_b(tiny_adapter_dir, tmp_path / "zeroed")
    ctx, _ = make_context(tmp_path, tiny_model_dir, zeroed, gate_type="adapter_applied")
    m = adapter_applied(ctx)
    assert m.metrics["zero_lora_b"] == 4 and m.metrics["min_logit_delta"] == 0.0
    assert m.metrics["probes_moved_rate"] == 0.0 and m.metrics["problems"] == 4 + 4
    assert any(i.id.startswith("zero lora_B:") and "q_proj" in i.input for i in m.items)
    assert judged(adapter_applied, m, "problems", max=0) == "fail"
    assert "layers.0.self_attn.q_proj.lora_B" in fragment("adapter_applied", m)


def test_one_zeroed_module_is_named(tmp_path, tiny_model_dir, tiny_adapter_dir):
    zeroed = _zero_lora_b(tiny_adapter_dir, tmp_path / "one", only="layers.1.self_attn.v_proj")
    ctx, _ = make_context(tmp_path, tiny_model_dir, zeroed, gate_type="adapter_applied")
    m = adapter_applied(ctx)
    assert m.metrics["zero_lora_b"] == 1 and m.metrics["probes_moved_rate"] == 1.0
    assert [p["where"] for p in m.details["problems"]] == [
        "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"]


def test_wrong_scaling_and_missing_targets_are_named(tmp_path, tiny_model_dir, tiny_adapter_dir):
    from peft.tuners.lora import LoraLayer

    ctx, engine = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="adapter_applied")
    config = json.loads((tiny_adapter_dir / "adapter_config.json").read_text())
    model = ctx.models.load_fresh(adapter=True)  # our own copy: safe to tamper with
    layer = next(m for m in model.modules() if isinstance(m, LoraLayer))
    layer.scaling["default"] *= 2
    problems = scaling_problems(model, config)
    assert len(problems) == 1 and "scaling 4; config says rank 4, scaling 2" in problems[0][1]
    missing = target_problems(model, {**config, "target_modules": ["q_proj", "v_proj", "wq"]})
    assert missing == [("wq", "declared in target_modules but no module of this base has that name")]
    unwrapped = target_problems(model, {**config, "target_modules": ["q_proj", "k_proj"]})
    assert {n.split(".")[-1] for n, _ in unwrapped} == {"k_proj"} and len(unwrapped) == 2


@pytest.mark.parametrize("params, message", [({"min_logit_delta": 0}, "must be > 0"),
                                             ({"prompts": [""]}, "non-empty list")])
def test_bad_parameters_are_config_errors(params, message):
    with pytest.raises(ConfigError, match=message):
        check_params(params, None)


def test_no_adapter_is_a_measurement_error(tmp_path, tiny_model_dir):
    ctx, _ = make_context(tmp_path, tiny_model_dir, None, gate_type="adapter_applied")
    with pytest.raises(MeasurementError, match="no adapter"):
        adapter_applied(ctx)
