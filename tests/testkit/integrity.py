"""A real GateContext on the tiny model, for the integrity gate types (merge, adapter, rollback)."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.bundle.manifest import BaseModel, Bundle
from gatekeeper.run.context import GateContext, ModelAccess
from gatekeeper.core.options import EngineOptions
from gatekeeper.core.spec import GateSpec, Threshold


def make_context(root: Path, model_dir: Path, adapter_dir: Path | None, *, gate_type: str,
                 quantization: str | None = None, options: EngineOptions | None = None,
                 releases: Path | None = None, name: str = "demo", version: str = "1.1.0",
                 spec: GateSpec | None = None):
    """(ctx, engine): an Engine on the tiny model behind the real ModelAccess seam."""
    from gatekeeper.core.paths import use_cache_of
    from gatekeeper.core.store import cache_store
    from gatekeeper.model.cache import engine_cache
    from gatekeeper.model.engine import Engine
    from gatekeeper.model.resolve import resolve_base

    options = options or EngineOptions(cache=False, progress=False)
    with use_cache_of(options):  # the options' store: their cache dir, or a fresh memory
        cache = engine_cache(cache_store())
    engine = Engine(base=resolve_base(str(model_dir)), adapter_dir=adapter_dir, dtype="float32",
                    device="cpu", quantization=quantization, cache=cache, progress=False)
    bundle = Bundle(root=Path(root), name=name, version=version,
                    base=BaseModel(str(model_dir), quantization=quantization), adapter=adapter_dir,
                    chat_template=None, gate_sources=(), releases=releases)
    access = ModelAccess(bundle, lambda: engine, options)
    spec = spec or GateSpec(id=f"t.{gate_type}", type=gate_type)
    return GateContext(spec=spec, bundle=bundle, models=access, scratch=Path(root) / "scratch"), engine


def judged(gate_fn, measurement, metric: str, *, min: float | None = None, max: float | None = None):
    """The judge's outcome for one threshold on ``measurement`` (direction from the metric table)."""
    from gatekeeper.verdict.judge import judge

    spec = GateSpec(id="t", type=gate_fn.__gate_type__.name,
                    threshold=Threshold(metric=metric, min=min, max=max))
    return judge(spec, measurement, gate_fn.__gate_type__.metric_table).outcome


def fragment(type_name: str, measurement) -> str:
    """The gate type's report fragment rendered from the measurement's JSON (as the report does)."""
    import json

    from gatekeeper.report.fragments import render_fragment

    gate = {"type": type_name, "measurement": json.loads(json.dumps(measurement.to_dict()))}
    html, note = render_fragment(gate)
    assert note is None and html is not None, note
    return str(html)
