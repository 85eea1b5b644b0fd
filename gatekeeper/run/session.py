"""One check run's state: the bundle, its gates, the lazily loaded model, and the results.

The pytest plugin reads and fills a RunSession; the runner builds report.json from it.
Gate types never see the session: ``run_gate`` hands each one a frozen GateContext.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from gatekeeper.bundle.manifest import Bundle
from gatekeeper.bundle.collect import Collection
from gatekeeper.run.context import EvalSource, GateContext, ModelAccess, RunData
from gatekeeper.core.errors import GateSkipped, GatekeeperError, MeasurementError, display_path
from gatekeeper.bundle.golden import load_golden
from gatekeeper.core.measurement import Measurement
from gatekeeper.core.options import EngineOptions
from gatekeeper.core.results import GateResult
from gatekeeper.core.spec import GateSpec


@dataclass
class RunSession:
    bundle: Bundle
    collection: Collection
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    lock: dict | None = None
    lock_digest: str | None = None
    results: dict[str, GateResult] = field(default_factory=dict)
    selected: list[str] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    code_files: list[dict] = field(default_factory=list)
    interrupt: BaseException | None = None
    collect_errors: list[tuple[str, str]] = field(default_factory=list)
    outputs: Mapping[str, Path] = field(default_factory=dict)  # run outputs granted: name -> directory
    _engine: Any = None
    _models: ModelAccess | None = None
    _scratch: Path | None = None

    def engine(self):
        """The run's one model engine, created on first use (static gates never load it)."""
        if self._engine is None:
            from gatekeeper.run.runtime import build_engine
            self._engine = build_engine(self.bundle, self.engine_options, self.lock)
        return self._engine

    @property
    def models(self) -> ModelAccess:
        if self._models is None:
            self._models = ModelAccess(self.bundle, self.engine)
        return self._models

    def engine_info(self) -> dict | None:
        """Provenance of the model; ``loaded`` is False when every answer came from the cache."""
        if self._engine is None:
            return None
        return {**self._engine.info(), "loaded": bool(self._engine.loaded)}

    def parallel_layout(self) -> dict | None:
        """How the run was spread over processes (``--workers``, torchrun, accelerate); None
        for one process, so a single-process report is unchanged."""
        options = self.engine_options
        group = options.launched
        if group is not None:
            return group.launch.layout(options.backend, group.backend)
        if options.workers > 1:
            pool = getattr(self._engine, "pool", None)
            return {"mode": "workers", "world_size": options.workers, "nodes": 1,
                    "ranks_per_node": options.workers, "backend": options.backend,
                    "communication": getattr(pool, "communication", None)}
        return None

    def record(self, result: GateResult) -> None:
        self.results[result.id] = result

    def run_data(self) -> RunData:
        """Training files of the recipe and every evaluation source of this run's gates."""
        return run_data(self.bundle, self.collection)

    def scratch_dir(self, spec: GateSpec) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="gatekeeper-scratch-"))
        path = self._scratch / "".join(c if c.isalnum() or c in "._-" else "_" for c in spec.id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def close(self) -> None:
        """Stop the engine's worker processes (their process group would outlive an in-process
        run and refuse the next one) and remove the run's scratch directories."""
        pool = getattr(self._engine, "pool", None)
        if pool is not None:
            pool.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def context(self, spec: GateSpec) -> GateContext:
        golden = load_golden(spec.golden_set) if spec.golden_set else None
        return GateContext(spec=spec, bundle=self.bundle, models=self.models, data=self.run_data(),
                           golden=golden, seed=self.bundle.seed, scratch=self.scratch_dir(spec),
                           logger=_log if self.engine_options.progress else None,
                           _cache=self.engine_options, _outputs=dict(self.outputs))

    def run_gate(self, spec: GateSpec) -> GateResult:
        """Measure and judge one gate. Never raises for a gate's own failure: error is an outcome."""
        from gatekeeper.verdict.judge import judge

        gtype = self.collection.gate_type(spec)
        start = time.perf_counter()
        base: dict[str, Any] = dict(id=spec.id, type=spec.type, severity=spec.severity, spec=spec,
                    source=source_of(spec))
        try:
            measurement = gtype.fn(self.context(spec), **spec.params)
            if not isinstance(measurement, Measurement):
                raise MeasurementError(f"gate type '{spec.type}' returned "
                                       f"{type(measurement).__name__}, expected a Measurement")
            judgement = judge(spec, measurement, gtype.metric_table)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a gate that raises is recorded, the run goes on
            if isinstance(exc, GateSkipped) or type(exc).__name__ == "Skipped":  # or pytest.skip
                return GateResult(**base, outcome="skip", reason=str(getattr(exc, "msg", exc)),
                                  duration_s=time.perf_counter() - start)
            return GateResult(**base, outcome="error", reason=error_reason(exc),
                              duration_s=time.perf_counter() - start, error=error_dict(exc))
        return GateResult(**base, outcome=judgement.outcome, reason=judgement.reason,
                          duration_s=time.perf_counter() - start, measurement=measurement,
                          judgement=judgement)


def run_data(bundle: Bundle, collection: Collection) -> RunData:
    """What the recipe trains on and everything the run's gates evaluate on: golden sets and
    the path parameters their gate types declare with role ``eval``."""
    recipe = getattr(bundle, "recipe", None)
    train = bundle.train or {}
    train_data = getattr(recipe, "data", None) or _in_bundle(bundle, train.get("data"))
    eval_data = getattr(recipe, "eval_data", None) or _in_bundle(bundle, train.get("eval_data"))
    sources: list[EvalSource] = []
    schemas: list[EvalSource] = []
    for spec in collection.gates:
        if spec.golden_set:
            sources.append(EvalSource(spec.id, Path(spec.golden_set), "golden_set"))
        gtype = collection.gate_types.get(spec.type)
        if gtype is not None:
            sources += [EvalSource(spec.id, Path(value), name) for name, value in gtype.paths(spec.params, "eval")]
            schemas += [EvalSource(spec.id, Path(v), name) for name, v in gtype.paths(spec.params, "output_schema")]
    mix = getattr(getattr(recipe, "mix", None), "data", None)
    return RunData(train_data=Path(train_data) if train_data else None,
                   eval_data=Path(eval_data) if eval_data else None, eval_sets=tuple(sources),
                   mix_data=Path(mix) if mix else None, output_schemas=tuple(schemas))


def _in_bundle(bundle: Bundle, value: str | None) -> Path | None:
    return (bundle.root / value).resolve() if value else None


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def source_of(spec: GateSpec | None) -> dict | None:
    """file:line of a gate, relative to the working directory (GitHub annotations need that)."""
    if spec is None or spec.source is None:
        return None
    return {"file": display_path(spec.source.file), "line": spec.source.line}


def error_reason(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, GatekeeperError) else f"{type(exc).__name__}: {exc}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"could not measure: {first}"


def error_dict(exc: BaseException) -> dict:
    user_error = isinstance(exc, GatekeeperError)
    return {"type": type(exc).__name__, "message": str(exc),
            "traceback": None if user_error else "".join(traceback.format_exception(exc))}
