"""merge_equivalence and gatekeeper.model.merge on the tiny model: planted merge faults are caught."""

from __future__ import annotations

import pytest
import torch

from gatekeeper.core.errors import ConfigError, MeasurementError, ModelError
from gatekeeper.gate_types.merge_equivalence import merge_equivalence
from gatekeeper.model.merge import assert_mergeable, export_merged, is_repacked, merge_peft
from gatekeeper.core.options import EngineOptions
from testkit.integrity import fragment, judged, make_context

check_params = merge_equivalence.__gate_type__.check  # the collection-time parameter check the registry runs

IDS = [[5, 6, 7, 8, 9, 10, 11, 12]]


@pytest.fixture
def ctx(tmp_path, tiny_model_dir, tiny_adapter_dir):
    return make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="merge_equivalence")


def test_a_fresh_fp32_merge_is_equivalent_and_the_shared_model_is_untouched(ctx):
    context, engine = ctx
    before = context.candidate.generate(["hello there"], max_new_tokens=8)
    m = merge_equivalence(context, max_new_tokens=8)
    assert m.metrics["top1_agreement"] == 1.0 and m.metrics["greedy_match_rate"] == 1.0
    assert m.metrics["max_abs_logit_diff"] < 1e-4 and m.metrics["tolerance_ratio"] < 0.1
    assert m.details["artifact"] == "merged" and m.details["tolerance"]["dtype"] == "float32"
    assert judged(merge_equivalence, m, "tolerance_ratio", max=1.0) == "pass"
    from peft import PeftModel
    assert isinstance(engine.model, PeftModel)  # the shared model was not merged
    from gatekeeper.model.cache import NullCache
    engine.cache = NullCache()  # generate again from the model, not from the cache
    assert context.candidate.generate(["hello there"], max_new_tokens=8) == before


def _merge_with_scale(context, factor: float):
    """A merge tool that got the LoRA scaling wrong (e.g. alpha/sqrt(r) for alpha/r)."""
    from peft.tuners.lora import LoraLayer

    fresh = context.models.load_fresh(adapter=True)
    for module in fresh.modules():
        if isinstance(module, LoraLayer):
            module.scaling["default"] *= factor
    return merge_peft(fresh)


def test_a_merge_with_the_wrong_scaling_fails(ctx, tmp_path):
    context, _ = ctx
    tokenizer = context.models.tokenizer
    export_merged(_merge_with_scale(context, 2.0), tokenizer, tmp_path / "wrong")
    export_merged(_merge_with_scale(context, 1.0), tokenizer, tmp_path / "right")
    bad = merge_equivalence(context, max_new_tokens=8, merged=str(tmp_path / "wrong"))
    good = merge_equivalence(context, max_new_tokens=8, merged=str(tmp_path / "right"))
    assert bad.metrics["tolerance_ratio"] > 100 and bad.details["artifact"] == "exported"
    assert judged(merge_equivalence, bad, "tolerance_ratio", max=1.0) == "fail"
    html = fragment("merge_equivalence", bad)
    assert "exported" in html and "max |logit diff| ≤ 0.001" in html and "peft" in html
    assert judged(merge_equivalence, good, "tolerance_ratio", max=1.0) == "pass"
    assert sorted(p.name for p in (tmp_path / "right").iterdir() if p.suffix == ".safetensors")


def _no_repacking(model) -> None:
    """What bitsandbytes does on a CPU without AVX512-BF16 (AVX2-only machines): no repacking
    kernel, so a forward pass leaves the 4-bit weights in their stored layout."""
    for module in model.modules():
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False


def _requantized(models, merged):
    """The merge_equivalence measurement of ``merged`` against the shared QLoRA candidate."""
    from gatekeeper.gate_types.merge_equivalence import _measurement
    from gatekeeper.model.merge import compare, tolerance_for
    from gatekeeper.model.prompts import encode_prompt, render
    from gatekeeper.releases.fingerprint import PROBES

    tok = models.tokenizer
    ids = [encode_prompt(tok, render(tok, p, True), True) for p in PROBES]
    with models.hf_model(adapter=True) as reference:
        result = compare(reference, merged, tok, ids, max_new_tokens=8)
    return _measurement(PROBES, result, tolerance_for("float32", "nf4"), "requantized")


@pytest.mark.filterwarnings("ignore:Merge lora module to 4-bit")  # the point of the test
@pytest.mark.parametrize("kernel", ["this_cpu", "no_repacking_kernel"])
def test_a_4bit_merge_after_a_forward_pass_is_refused_or_measured_correctly(
        kernel, tmp_path, tiny_model_dir, tiny_adapter_dir):
    """Whether a forward pass repacks 4-bit weights depends on the CPU (AVX512-BF16 kernels
    repack in place, AVX2-only ones do not). The product detects a repack instead of assuming
    one: a repacked model is refused (an unguarded merge of it is corrupt and caught), an
    unrepacked one merges exactly as a fresh copy does."""
    context, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="merge_equivalence",
                              quantization="nf4")
    models = context.models
    dirty = models.load_fresh(adapter=True)
    if kernel == "no_repacking_kernel":
        _no_repacking(dirty)
    assert not is_repacked(dirty)
    with torch.no_grad():
        dirty(torch.tensor(IDS))
    if is_repacked(dirty):
        with pytest.raises(ModelError, match="already run a forward pass"):
            assert_mergeable(dirty)
        corrupted = _requantized(models, merge_peft(dirty, guard=False))  # what an unguarded merge ships
        assert corrupted.metrics["top1_agreement"] < 0.5
        assert judged(merge_equivalence, corrupted, "tolerance_ratio", max=1.0) == "fail"
    else:
        assert_mergeable(dirty)  # nothing was repacked: nothing to refuse
        after_forward = _requantized(models, merge_peft(dirty))
        fresh = _requantized(models, merge_peft(models.load_fresh(adapter=True)))
        # the same merge, up to the compute dtype the forward pass settled (kl within 1%)
        assert after_forward.metrics == pytest.approx(fresh.metrics, rel=0.02)
        assert judged(merge_equivalence, after_forward, "tolerance_ratio", max=1.0) == \
            judged(merge_equivalence, fresh, "tolerance_ratio", max=1.0)
    # the gate itself merges a fresh copy: the dequantized artifact agrees with the QLoRA candidate
    good = merge_equivalence(context, max_new_tokens=8)
    assert good.details["artifact"] == "dequantized" and good.metrics["top1_agreement"] >= 0.98
    assert judged(merge_equivalence, good, "tolerance_ratio", max=1.0) == "pass"


def test_measurements_are_memoised_so_a_warm_run_loads_nothing(tmp_path, tiny_model_dir, tiny_adapter_dir):
    options = EngineOptions(cache=True, cache_dir=tmp_path / "cache", progress=False)
    (tmp_path / "cache").mkdir()
    first, engine = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir,
                                 gate_type="merge_equivalence", options=options)
    a = merge_equivalence(first, max_new_tokens=4)
    second, fresh_engine = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir,
                                        gate_type="merge_equivalence", options=options)
    b = merge_equivalence(second, max_new_tokens=4)
    assert a == b and engine.loaded and not fresh_engine.loaded


@pytest.mark.parametrize("params, message", [
    ({"artifact": "fp8"}, "artifact must be one of"),
    ({"prompts": []}, "non-empty list"),
    ({"prompts": ["ok", 3]}, "non-empty list"),
])
def test_bad_parameters_are_config_errors(params, message):
    with pytest.raises(ConfigError, match=message):
        check_params(params, None)


def test_bad_artifacts_are_clear_errors(ctx, tmp_path):
    context, _ = ctx
    with pytest.raises(MeasurementError, match="applies to an nf4"):
        merge_equivalence(context, artifact="dequantized")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="cannot load the merged model"):
        merge_equivalence(context, merged=str(tmp_path / "empty"))


def test_export_merged_writes_safetensors_and_the_gate_checks_those_files(tmp_path, tiny_model_dir,
                                                                         tiny_adapter_dir):
    target = tmp_path / "export"
    context, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="merge_equivalence",
                              outputs={"merged": target})  # what check --export-merged grants
    assert context.output_dir("merged") == target and context.output_dir("other") is None
    m = merge_equivalence(context, max_new_tokens=4)
    assert m.details["artifact"] == "exported" and m.metrics["tolerance_ratio"] < 1.0
    names = {p.name for p in target.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= names
    assert not any(n.endswith((".bin", ".pt")) for n in names)
    again = merge_equivalence(context, max_new_tokens=4)  # a second merge gate reuses the export
    assert again.metrics == m.metrics


def test_export_merged_into_a_non_empty_directory_is_refused_before_anything_runs(tmp_path, capsys):
    from gatekeeper.cli import main

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["check", str(tmp_path / "nobundle"), "--export-merged", str(tmp_path / "full")]) == 4
    err = capsys.readouterr().err
    assert "--export-merged" in err and "not an empty directory" in err and "Traceback" not in err
