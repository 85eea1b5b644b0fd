"""One check run's state: the bundle, its gates, the lazily loaded model, and the results.

The pytest plugin reads and fills a RunSession; the runner builds report.json from it.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatekeeper.bundle import Bundle
from gatekeeper.collect import Collection
from gatekeeper.errors import GatekeeperError, MeasurementError, display_path
from gatekeeper.golden import GoldenSet, load_golden
from gatekeeper.measurement import Measurement
from gatekeeper.spec import GateSpec


@dataclass(frozen=True)
class EngineOptions:
    cache: bool = True
    cache_dir: Path | None = None
    batch_size: int | None = None
    device: str = "auto"
    progress: bool = True


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate, ready for report.json."""

    id: str
    type: str
    severity: str
    outcome: str
    reason: str
    duration_s: float
    spec: GateSpec | None = None
    measurement: Measurement | None = None
    judgement: Any = None
    error: dict | None = None
    source: dict | None = None

    @property
    def blocking(self) -> bool:
        """A blocking gate that ran and did not pass (a skip is listed, not counted)."""
        return self.severity == "block" and self.outcome not in ("pass", "skip")


class ModelView:
    """The candidate (adapter on) or the baseline (adapter off) of the one loaded engine."""

    def __init__(self, session: "RunSession", adapter: bool):
        self._session, self.adapter = session, adapter

    def generate(self, prompts, **kwargs) -> list[str]:
        return self._session.engine().generate(prompts, adapter=self.adapter, **kwargs)

    def loglik(self, requests, **kwargs) -> list[float]:
        return self._session.engine().loglik(requests, adapter=self.adapter, **kwargs)


@dataclass
class GateContext:
    """What a gate type receives: its spec, the bundle, and access to the models."""

    spec: GateSpec
    bundle: Bundle
    session: "RunSession"

    @property
    def golden(self) -> GoldenSet:
        if not self.spec.golden_set:
            raise MeasurementError(f"gate '{self.spec.id}' has no golden_set")
        return load_golden(self.spec.golden_set)

    @property
    def candidate(self) -> ModelView:
        return ModelView(self.session, adapter=True)

    @property
    def baseline(self) -> ModelView:
        return ModelView(self.session, adapter=False)

    @property
    def seed(self) -> int:
        return self.bundle.seed


@dataclass
class RunSession:
    bundle: Bundle
    collection: Collection
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    lock: dict | None = None
    lock_digest: str | None = None
    results: dict[str, GateResult] = field(default_factory=dict)
    selected: list[str] = field(default_factory=list)
    _engine: Any = None

    def engine(self):
        """The run's one model engine, created on first use (static gates never load it)."""
        if self._engine is None:
            from gatekeeper.runtime import build_engine
            self._engine = build_engine(self.bundle, self.engine_options, self.lock)
        return self._engine

    def engine_info(self) -> dict | None:
        """Provenance of the model; ``loaded`` is False when every answer came from the cache."""
        if self._engine is None:
            return None
        return {**self._engine.info(), "loaded": bool(self._engine.loaded)}

    def record(self, result: GateResult) -> None:
        self.results[result.id] = result

    def run_gate(self, spec: GateSpec) -> GateResult:
        """Measure and judge one gate. Never raises for a gate's own failure: error is an outcome."""
        from gatekeeper.judge import judge

        gtype = self.collection.gate_type(spec)
        start = time.perf_counter()
        base = dict(id=spec.id, type=spec.type, severity=spec.severity, spec=spec,
                    source=source_of(spec))
        try:
            measurement = gtype.fn(GateContext(spec, self.bundle, self), **spec.params)
            if not isinstance(measurement, Measurement):
                raise MeasurementError(f"gate type '{spec.type}' returned "
                                       f"{type(measurement).__name__}, expected a Measurement")
            judgement = judge(spec, measurement)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a gate that raises is recorded, the run goes on
            if type(exc).__name__ == "Skipped":  # pytest.skip inside a gate type
                return GateResult(**base, outcome="skip", reason=str(getattr(exc, "msg", exc)),
                                  duration_s=time.perf_counter() - start)
            return GateResult(**base, outcome="error", reason=error_reason(exc),
                              duration_s=time.perf_counter() - start, error=error_dict(exc))
        return GateResult(**base, outcome=judgement.outcome, reason=judgement.reason,
                          duration_s=time.perf_counter() - start, measurement=measurement,
                          judgement=judgement)


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
