"""The sealed context: capabilities instead of the engine (memo, output_dir, run_memo)."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.core.options import EngineOptions
from gatekeeper.run.context import GateContext, ModelAccess
from testkit.integrity import make_context


def test_model_access_has_no_public_engine_or_engine_options(tmp_path, tiny_model_dir, tiny_adapter_dir):
    ctx, engine = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="t")
    assert isinstance(ctx.models, ModelAccess)
    for name in ("engine", "engine_options"):
        assert not hasattr(ctx.models, name) and not hasattr(ctx, name)
    assert ctx.models.base.fingerprint == engine.base.fingerprint  # provenance stays readable


def test_memo_keeps_a_result_across_runs_and_honours_no_cache(tmp_path, tiny_model_dir, tiny_adapter_dir):
    calls = []

    def compute():
        calls.append(1)
        return {"value": len(calls)}

    cached = EngineOptions(cache=True, cache_dir=tmp_path / "cache", progress=False)
    for _ in range(2):  # two runs on one cache directory
        ctx, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="t", options=cached)
        assert ctx.memo("probe", {"a": 1}, compute) == {"value": 1}
    assert len(calls) == 1 and (tmp_path / "cache").is_dir()
    assert ctx.memo("probe", {"a": 2}, compute) == {"value": 2}, "other parts, another result"
    off, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="t",
                          options=EngineOptions(cache=False, progress=False))
    assert off.memo("probe", {"a": 1}, compute) == {"value": 3}, "--no-cache computes afresh"


def test_output_dir_is_what_the_run_grants(tmp_path, tiny_model_dir, tiny_adapter_dir):
    granted, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="t",
                              outputs={"merged": tmp_path / "out"})
    assert granted.output_dir("merged") == tmp_path / "out" and granted.output_dir("report") is None
    assert GateContext(spec=granted.spec, bundle=granted.bundle, models=granted.models).output_dir("merged") is None


def test_run_memo_computes_once_per_loaded_model(tmp_path, tiny_model_dir, tiny_adapter_dir):
    ctx, engine = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir, gate_type="t")
    calls = []
    first = ctx.models.run_memo(("t", 1), lambda: calls.append(1) or len(calls))
    again = ModelAccess(ctx.bundle, lambda: engine).run_memo(("t", 1), lambda: calls.append(1) or len(calls))
    other, _ = make_context(Path(tmp_path) / "other", tiny_model_dir, tiny_adapter_dir, gate_type="t")
    fresh = other.models.run_memo(("t", 1), lambda: calls.append(1) or len(calls))
    assert (first, again, fresh) == (1, 1, 2), "shared on one engine, not across engines"
