"""Judge: turn a gate's Measurement into an outcome. The project's statistics policy.

A gate type measures; this module decides, so that every gate is held to the same rules
(DESIGN.md §7). The functions used live in ``gatekeeper.stats``.

Threshold (``threshold: {metric, min, max, bound}``) on ``m.metrics[metric]``:
  * The display interval is two-sided 95%: Wilson for 0/1 samples, percentile bootstrap
    (seed 0, 10 000 resamples) for scores, none without per-item samples.
  * ``bound: point``: pass when min <= value <= max (each where set), else fail.
  * ``bound: lower95`` checks ``min`` against the one-sided 95% lower bound (exact
    Clopper-Pearson for 0/1 samples, bootstrap for scores); ``upper95`` checks ``max``
    against the upper bound. The other limit, if set, is checked on the point value.
    A point estimate on the wrong side of the limit fails. A point estimate on the right
    side whose bound does not clear the limit is **inconclusive**, never pass, and
    reports ``required_n``: the smallest n above the measured one at which the same
    observed rate would clear it (none when the rate equals the limit).
    A bound without per-item samples cannot be computed: MeasurementError.
Comparison (``vs_baseline``) on paired per-item samples of ``metric`` (default: the
threshold's), candidate and baseline on the same items:
  * delta = mean(candidate) - mean(baseline), sign-flipped when ``higher_is_better`` is
    false, so delta > 0 always means the candidate is better.
  * 0/1 samples: exact McNemar on the discordant pairs (one-sided, candidate better)
    and Newcombe's paired score interval. Scores: paired bootstrap (seed 0), p-value at
    the margin. The interval is two-sided at 1 - 2*alpha, so its lower end is a
    one-sided (1 - alpha) bound: a one-sided test at level alpha.
  * non-inferiority (``max_drop: d``): pass if ci_lo > -d; fail if delta <= -d.
  * superiority (``min_gain: g``): pass if ci_lo > g (with g == 0, also McNemar /
    bootstrap p < alpha); fail if delta <= g.
  * Anything else is inconclusive, with ``required_n`` from a normal-approximation power
    calculation (80% power), at least one more item than measured.
Overall: the worse of threshold and comparison (fail > inconclusive > pass). The reason
is one line naming metric, value, interval, requirement and, when inconclusive, the n;
with both parts set, the deciding part comes first.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np

from gatekeeper import stats
from gatekeeper.errors import ConfigError, MeasurementError
from gatekeeper.measurement import Measurement, Samples
from gatekeeper import reasons
from gatekeeper.spec import Comparison, GateSpec, Threshold

_RANK = {"pass": 0, "inconclusive": 1, "fail": 2}
_POWER = 0.8


@dataclass(frozen=True)
class ThresholdResult:
    """The threshold part of a verdict. ``compared_value`` is the point value, or the
    one-sided 95% bound when ``bound`` asks for one (also when the point value already
    fails, so the report never labels a point value as a bound)."""

    metric: str
    value: float
    bound: str
    compared_value: float
    min: float | None
    max: float | None
    interval: tuple[float, float] | None
    interval_method: str | None
    outcome: str
    required_n: int | None
    reason: str
    n: int | None = None

    def to_dict(self) -> dict:
        return _plain(asdict(self))


@dataclass(frozen=True)
class ComparisonResult:
    """The candidate-vs-baseline part; ``delta`` > 0 means the candidate is better.

    ``margin`` is the gate's max_drop (non-inferiority, boundary -margin) or min_gain
    (superiority, boundary +margin). ``discordant`` counts raw items where only the
    candidate scored 1 and where only the baseline did (binary metrics only).
    """

    metric: str
    kind: str
    margin: float
    alpha: float
    test: str
    n: int
    candidate: float
    baseline: float
    delta: float
    ci: tuple[float, float]
    p_value: float
    discordant: dict | None
    required_n: int | None
    outcome: str
    reason: str
    higher_is_better: bool = True

    def to_dict(self) -> dict:
        return _plain(asdict(self))


@dataclass(frozen=True)
class Judgement:
    """A gate's outcome with a one-line reason for a reviewer and the evidence behind it."""

    outcome: str
    reason: str
    threshold: ThresholdResult | None = None
    comparison: ComparisonResult | None = None

    def to_dict(self) -> dict:
        return _plain(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Judgement":
        t, c = data.get("threshold"), data.get("comparison")
        return cls(data["outcome"], data["reason"],
                   ThresholdResult(**_tuples(t, "interval")) if t else None,
                   ComparisonResult(**_tuples(c, "ci")) if c else None)


def judge(spec: GateSpec, m: Measurement) -> Judgement:
    """Apply the gate's threshold and baseline comparison to a measurement."""
    if spec.threshold is None and spec.vs_baseline is None:
        raise ValueError(f"gate {spec.id!r} has neither threshold nor vs_baseline to judge")
    threshold = judge_threshold(spec.threshold, m, spec) if spec.threshold else None
    comparison = None
    if spec.vs_baseline is not None:
        default = spec.threshold.metric if spec.threshold else None
        comparison = judge_comparison(spec.vs_baseline, m, default, spec)
    parts = sorted((p for p in (threshold, comparison) if p is not None),
                   key=lambda p: -_RANK[p.outcome])
    return Judgement(parts[0].outcome, "; ".join(p.reason for p in parts), threshold, comparison)


def judge_threshold(t: Threshold, m: Measurement, spec: GateSpec | None = None) -> ThresholdResult:
    """Judge an absolute threshold (point or one-sided 95% bound) on one metric."""
    value = _metric_value(m, t.metric)
    samples = m.samples.get(t.metric)
    values = _candidate_values(samples, t.metric)
    interval, method = _display_interval(samples, values)
    n = len(values) if values is not None else (m.n or None)
    head = f"{t.metric} {reasons.fmt(value)}{reasons.describe_interval(interval, n)}"
    base = dict(metric=t.metric, value=value, bound=t.bound, min=t.min, max=t.max,
                interval=interval, interval_method=method, n=n)
    point_ok = _within(value, t.min, t.max)
    if t.bound == "point" or (not point_ok and values is None):
        reason = f"{head} {'meets' if point_ok else 'fails'} {reasons.requirement(t)}"
        return ThresholdResult(**base, compared_value=value, required_n=None, reason=reason,
                               outcome="pass" if point_ok else "fail")
    limit, bound, need = _one_sided_bound(t, values, samples, spec)
    shown = reasons.fmt_apart(bound, limit)
    if not point_ok:  # the point estimate is already on the wrong side: no n can help
        return ThresholdResult(**base, compared_value=bound, outcome="fail", required_n=None,
                               reason=f"{head} fails {reasons.requirement(t)}")
    lower = t.bound == "lower95"
    if (bound >= limit) if lower else (bound <= limit):
        return ThresholdResult(**base, compared_value=bound, outcome="pass", required_n=None,
                               reason=f"{head} meets {reasons.requirement(t)} ({t.bound} {shown})")
    needs = f"needs n >= {need}" if need else "no sample size suffices at this rate"
    reason = f"{head} cannot support {reasons.requirement(t)} ({t.bound} {shown}): {needs}"
    return ThresholdResult(**base, compared_value=bound, outcome="inconclusive",
                           required_n=need, reason=reason)


def _one_sided_bound(t: Threshold, values, samples: Samples | None,
                     spec: GateSpec | None) -> tuple[float, float, int | None]:
    """(limit, one-sided 95% bound, n at which the observed rate would clear the limit)."""
    lower = t.bound == "lower95"
    limit = t.min if lower else t.max
    if limit is None:
        raise ConfigError(f"bound {t.bound} needs {'min' if lower else 'max'} on {t.metric!r}",
                          hint="set the limit, or use bound: point", **_where(spec))
    if values is None:
        raise MeasurementError(f"bound {t.bound} on {t.metric!r} needs per-item samples, "
                               "but the gate type reported none",
                               hint="report Samples for this metric, or use bound: point")
    n = len(values)
    if samples.binary:
        k = int(values.sum())
        bound = (stats.clopper_pearson_lower if lower else stats.clopper_pearson_upper)(k, n)
        finder = stats.required_n_for_lower_bound if lower else stats.required_n_for_upper_bound
        return limit, bound, finder(k / n, limit, min_n=n + 1)
    side = "lower" if lower else "upper"
    bound = stats.bootstrap_mean_bound(values, side=side)
    variance = float(values.var(ddof=1)) if n > 1 else 0.0
    need = stats.required_n_for_mean_bound(float(values.mean()), variance, limit, side=side)
    return limit, bound, max(need, n + 1) if need is not None else None


def judge_comparison(c: Comparison, m: Measurement, default_metric: str | None = None,
                     spec: GateSpec | None = None) -> ComparisonResult:
    """Paired candidate-vs-baseline test: non-inferiority or superiority with a margin."""
    metric, samples = _comparison_samples(c, m, default_metric, spec)
    kind = "non_inferiority" if c.max_drop is not None else "superiority"
    margin = float(c.max_drop if c.max_drop is not None else c.min_gain)
    boundary = -margin if kind == "non_inferiority" else margin
    cand, base = np.asarray(samples.candidate), np.asarray(samples.baseline)
    better, worse = (cand, base) if c.higher_is_better else (base, cand)
    test = _binary_test if samples.binary else _bootstrap_test
    found = test(better, worse, boundary, c.alpha)
    need = found.pop("required_n")
    outcome = _decide(kind, found["delta"], found["ci"][0], boundary, found["p_value"], c.alpha)
    if samples.binary:
        found["discordant"] = {"candidate_only": int(np.sum((cand == 1) & (base == 0))),
                               "baseline_only": int(np.sum((cand == 0) & (base == 1)))}
    n = len(cand)
    if outcome != "inconclusive" or need is None:
        need = None
    else:
        # the measured n did not suffice, so never report one at or below it
        need = max(need, n + 1)
    fields = dict(found, metric=metric, kind=kind, margin=margin, alpha=c.alpha, n=n,
                  candidate=float(cand.mean()), baseline=float(base.mean()), outcome=outcome,
                  required_n=need, higher_is_better=c.higher_is_better)
    return ComparisonResult(**fields, reason=reasons.comparison_reason(fields))


def _comparison_samples(c: Comparison, m: Measurement, default_metric: str | None,
                        spec: GateSpec | None) -> tuple[str, Samples]:
    """The metric to compare and its paired samples, or the error saying what is missing."""
    metric = c.metric or default_metric
    where = _where(spec)
    if metric is None:
        raise ConfigError("vs_baseline needs a metric (or a threshold to take it from)", **where)
    if (c.max_drop is None) == (c.min_gain is None):
        raise ConfigError("vs_baseline needs exactly one of max_drop or min_gain", **where)
    if not 0.0 < c.alpha < 0.5:
        raise ConfigError(f"vs_baseline alpha must be in (0, 0.5), got {c.alpha}", **where)
    samples = m.samples.get(metric)
    if samples is None or samples.baseline is None or not samples.candidate:
        raise MeasurementError(f"vs_baseline on {metric!r} needs paired per-item samples with "
                               f"a baseline; samples with a baseline: "
                               f"{sorted(k for k, v in m.samples.items() if v.baseline) or 'none'}",
                               hint="run the gate against the baseline too")
    return metric, samples


def _binary_test(better, worse, boundary: float, alpha: float) -> dict:
    """Exact McNemar (candidate better) and Newcombe's interval at 1 - 2*alpha."""
    _require_binary(better, worse)
    b = int(np.sum((better == 1) & (worse == 0)))
    c = int(np.sum((better == 0) & (worse == 1)))
    delta, lo, hi = stats.paired_binary_interval(better, worse, 1 - 2 * alpha)
    n = len(better)
    need = stats.required_n_paired((b + c) / n, delta, boundary, alpha, _POWER)
    return dict(test="mcnemar_exact", delta=delta, ci=(lo, hi), discordant=None,
                p_value=stats.mcnemar_exact(b, c, "greater"), required_n=need)


def _bootstrap_test(better, worse, boundary: float, alpha: float) -> dict:
    """Paired bootstrap at 1 - 2*alpha; p-value of delta > boundary."""
    boot = stats.paired_bootstrap(better, worse, confidence=1 - 2 * alpha)
    diffs = better - worse
    variance = float(diffs.var(ddof=1)) if len(diffs) > 1 else 0.0
    need = stats.required_n_paired_continuous(variance, boot.delta, boundary, alpha, _POWER)
    return dict(test="paired_bootstrap", delta=boot.delta, ci=(boot.low, boot.high),
                discordant=None, p_value=boot.p_value(boundary, "greater"), required_n=need)


def _decide(kind: str, delta: float, lo: float, boundary: float, p: float, alpha: float) -> str:
    if delta <= boundary:
        return "fail"
    # A zero-margin superiority claim is a plain significance test: the exact p must agree.
    needs_p = kind == "superiority" and boundary == 0
    return "pass" if lo > boundary and (not needs_p or p < alpha) else "inconclusive"


def _where(spec: GateSpec | None) -> dict:
    if spec is None or spec.source is None:
        return {}
    return {"where": spec.source.file, "line": spec.source.line}


def _metric_value(m: Measurement, metric: str) -> float:
    if metric not in m.metrics:
        raise MeasurementError(f"metric {metric!r} was not measured; available: "
                               f"{', '.join(sorted(m.metrics)) or 'none'}",
                               hint="fix the threshold's metric name")
    value = float(m.metrics[metric])
    if math.isnan(value):
        raise MeasurementError(f"metric {metric!r} is NaN: nothing was measured")
    return value


def _candidate_values(samples: Samples | None, metric: str) -> np.ndarray | None:
    if samples is None or not samples.candidate:
        return None
    values = np.asarray(samples.candidate, dtype=float)
    if samples.binary:
        _require_binary(values, metric=metric)
    return values


def _require_binary(*arrays: np.ndarray, metric: str = "") -> None:
    if not all(np.all(np.isin(a, (0.0, 1.0))) for a in arrays):
        raise MeasurementError(f"samples of {metric or 'the metric'} are marked binary but "
                               "hold values other than 0/1", hint="set binary=False for scores")


def _display_interval(samples: Samples | None, values) -> tuple[tuple | None, str | None]:
    if values is None:
        return None, None
    if samples.binary:
        return stats.wilson_interval(int(values.sum()), len(values)), "wilson"
    _, lo, hi = stats.bootstrap_mean_interval(values)
    return (lo, hi), "bootstrap"


def _within(value: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _plain(value: Any) -> Any:
    """JSON-safe copy: tuples become lists, numpy scalars Python ones, NaN/inf None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _tuples(data: Mapping[str, Any], key: str) -> dict:
    out = dict(data)
    if out.get(key) is not None:
        out[key] = tuple(out[key])
    return out
