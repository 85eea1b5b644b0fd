"""What the threshold test (judge.py) and the paired test (paired.py) share: the metric a
gate declares, the values it is judged on, their sanity checks, and the confidence level.

Kept apart so that neither test imports the other: judge.py decides a gate by calling both.

No signal, no pass: ``no_signal`` says when a measurement cannot distinguish what it claims
to: a comparison in which candidate and baseline score the same on every item (nothing
differs, so nothing about the adapter's effect was seen), or a metric the gate type flags
in ``details["no_signal"]`` (``{metric: what was seen}``, e.g. a constant answer on every
item of a multiple-choice test; ``{"metric.comparison": ...}`` for the comparison only,
e.g. a baseline at chance). Such a gate is never a pass: inconclusive, with what was
seen; a fail stays a fail (the data still show the claim false).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from gatekeeper.core.errors import MeasurementError
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import GateSpec

CONFIDENCE = 0.95
MIN_N_SCORES = 30  # the bootstrap (metrics without a declared range) is not trusted below this


def describe(metrics: Mapping[str, Metric] | None, name: str | None, m: Measurement) -> Metric:
    """The declared metric, or the defaults: higher is better, kind from the samples, and
    sampled (an undeclared metric is judged on its bound unless the gate says point)."""
    declared = (metrics or {}).get(name) if name else None
    if declared is not None:
        return declared
    samples = m.samples.get(name) if name else None
    return Metric(name or "value", kind="rate" if samples is None or samples.binary else "value",
                  sampled=True)

@dataclass(frozen=True)
class Scale:
    """A declared range [lower, upper] mapped onto [0, 1] for the betting bounds; samples
    outside the range are the gate type's error, never clipped."""

    lower: float
    upper: float
    name: str = ""

    @property
    def span(self) -> float:
        return self.upper - self.lower

    def unit(self, values):
        arr = np.asarray(values, dtype=float)
        if arr.ndim and (np.any(arr < self.lower) or np.any(arr > self.upper)):
            bad = arr[(arr < self.lower) | (arr > self.upper)][0]
            raise MeasurementError(f"samples of {self.name or 'the metric'} hold {bad:g}, outside "
                                   f"its declared range [{self.lower:g}, {self.upper:g}]",
                                   hint="fix the gate type's samples or the metric's lower/upper")
        out = np.clip((arr - self.lower) / self.span, 0.0, 1.0)
        return out if out.ndim else float(out)

    def value(self, unit: float) -> float:
        return float(self.lower + self.span * unit)


def paired_scale(metric: Metric) -> Scale:
    """Differences of a score in [lower, upper] lie in [-span, span]."""
    span = float(metric.upper - metric.lower)  # type: ignore[operator]
    return Scale(-span, span, f"{metric.name} differences")


NO_SIGNAL = "no_signal"   # Measurement.details key: {metric: what the gate type saw}


def no_signal(m: Measurement, metric: str, samples: Samples | None, paired: bool) -> str | None:
    """Why this measurement of ``metric`` carries no signal, or None."""
    seen = []
    if paired and samples is not None and samples.baseline is not None and samples.candidate:
        cand, base = np.asarray(samples.candidate), np.asarray(samples.baseline)
        if np.array_equal(cand, base):
            n = len(cand)
            seen.append(f"0 discordant pairs over {n} items" if samples.binary
                        else f"candidate and baseline scored the same on all {n} items")
    flagged = (m.details or {}).get(NO_SIGNAL)
    if isinstance(flagged, Mapping):
        keys = (metric, f"{metric}.comparison") if paired else (metric,)
        seen += [str(flagged[k]) for k in keys if flagged.get(k)]
    return "no signal: " + "; ".join(seen) if seen else None


def se_floor(metric: Metric, n: int) -> float:
    """The least standard error a mean of n bounded scores gets: range / n^1.5, so constant
    samples still have a bound of width about range / n^1.5 (small beside any real spread)."""
    if metric.lower is None or metric.upper is None or n == 0:
        return 0.0
    return (metric.upper - metric.lower) / n ** 1.5

def where(spec: GateSpec | None) -> dict:
    if spec is None or spec.source is None:
        return {}
    return {"where": spec.source.file, "line": spec.source.line}

def metric_value(m: Measurement, metric: str) -> float:
    if metric not in m.metrics:
        raise MeasurementError(f"metric {metric!r} was not measured; available: "
                               f"{', '.join(sorted(m.metrics)) or 'none'}",
                               hint="fix the threshold's metric name")
    value = float(m.metrics[metric])
    if math.isnan(value):
        raise MeasurementError(f"metric {metric!r} is NaN: nothing was measured")
    if math.isinf(value):
        raise MeasurementError(f"metric {metric!r} is {value}: the gate type reported an "
                               "infinite value, which no limit can judge")
    return value

def candidate_values(samples: Samples | None, metric: str) -> np.ndarray | None:
    if samples is None or not samples.candidate:
        return None
    values = np.asarray(samples.candidate, dtype=float)
    require_finite(values, metric=metric)
    if samples.binary:
        require_binary(values, metric=metric)
    return values

def require_finite(*arrays: np.ndarray, metric: str = "") -> None:
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise MeasurementError(f"samples of {metric or 'the metric'} hold NaN or infinite values")

def require_binary(*arrays: np.ndarray, metric: str = "") -> None:
    if not all(np.all(np.isin(a, (0.0, 1.0))) for a in arrays):
        raise MeasurementError(f"samples of {metric or 'the metric'} are marked binary but "
                               "hold values other than 0/1", hint="set binary=False for scores")
