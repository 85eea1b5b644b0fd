"""Judge: turn a gate's Measurement into an outcome. The project's statistics policy.

A gate type measures; this module decides, so that every gate is held to the same rules
(DESIGN.md §7, README "Outcomes and statistics"). Outcomes are evidence-based:

  * **pass** when the one-sided 95% bound clears the limit (the data show the claim);
  * **fail** when the opposite one-sided 95% bound is on the wrong side (the data show
    the claim is false);
  * **inconclusive** otherwise, with the n that would give 80% pass probability at the
    observed value, or "cannot pass: the estimate is on the wrong side".

Threshold (``threshold: {metric, min, max, bound}``) on ``m.metrics[metric]``:
  * ``bound: point`` is the explicit opt-out: pass when min <= value <= max, else fail.
  * ``lower95`` judges ``min``, ``upper95`` judges ``max``; the other limit, if set, is
    checked on the point value. 0/1 samples: exact Clopper-Pearson bounds (the exact
    binomial test against the limit). Scores: a conservative studentized bootstrap
    (``stats.student_bootstrap``), needing at least ``MIN_N_SCORES`` items; below that the
    gate is inconclusive and says why. A bound without per-item samples: MeasurementError.
Comparison (``vs_baseline``): ``gatekeeper.verdict.paired``.
Direction comes from the gate type's metric table (``gatekeeper.core.metrics.Metric``); an
undeclared metric defaults to higher-is-better, a rate for 0/1 samples, else a value.
Overall: the worse part (fail > inconclusive > pass), the deciding part's reason first.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from gatekeeper.verdict import power, reasons, stats
from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.verdict.paired import judge_comparison
from gatekeeper.verdict.judgement import ComparisonResult, Judgement, ThresholdResult
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import GateSpec, Threshold
from gatekeeper.verdict.bounds import (CONFIDENCE, MIN_N_SCORES, candidate_values, describe,
                                       metric_value, se_floor, where)

__all__ = ["judge", "judge_threshold", "Judgement", "ThresholdResult", "ComparisonResult",
           "MIN_N_SCORES", "CONFIDENCE"]

_RANK = {"pass": 0, "inconclusive": 1, "fail": 2}


def judge(spec: GateSpec, m: Measurement, metrics: Mapping[str, Metric] | None = None) -> Judgement:
    """Apply the gate's threshold and baseline comparison to a measurement."""

    if spec.threshold is None and spec.vs_baseline is None:
        raise ValueError(f"gate {spec.id!r} has neither threshold nor vs_baseline to judge")
    threshold = None
    if spec.threshold:
        threshold = judge_threshold(spec.threshold, m, spec, describe(metrics, spec.threshold.metric, m))
    comparison = None
    if spec.vs_baseline is not None:
        default = spec.threshold.metric if spec.threshold else None
        comparison = judge_comparison(spec.vs_baseline, m, default, spec, metrics)
    parts = sorted((p for p in (threshold, comparison) if p is not None),
                   key=lambda p: -_RANK[p.outcome])
    probs = [p.pass_probability for p in parts]
    joint = math.prod(p for p in probs if p is not None) if None not in probs else None
    return Judgement(parts[0].outcome, "; ".join(p.reason for p in parts), threshold, comparison,
                     joint)



def judge_threshold(t: Threshold, m: Measurement, spec: GateSpec | None = None,
                    metric: Metric | None = None) -> ThresholdResult:
    """Judge an absolute threshold (point or one-sided 95% bound) on one metric."""
    metric = metric or describe(None, t.metric, m)
    value = metric_value(m, t.metric)
    samples = m.samples.get(t.metric)
    values = candidate_values(samples, t.metric)
    n = len(values) if values is not None else (m.n or None)
    interval, method = _display_interval(samples, values, metric)
    head = f"{t.metric} {reasons.fmt(value)}{reasons.describe_interval(interval, n)}"
    base = dict(metric=t.metric, value=value, bound=t.bound, min=t.min, max=t.max,
                interval=interval, interval_method=method, n=n)
    if t.bound != "point" and values is None:
        if _within(value, t.min, t.max):
            raise MeasurementError(f"bound {t.bound} on {t.metric!r} needs per-item samples, "
                                   "but the gate type reported none",
                                   hint="report Samples for this metric, or use bound: point")
    if t.bound == "point" or values is None:
        return _point(t, value, values, samples, metric, head, base)
    lower = t.bound == "lower95"
    limit = t.min if lower else t.max
    if limit is None:
        raise ConfigError(f"bound {t.bound} needs {'min' if lower else 'max'} on {t.metric!r}",
                          hint="set the limit, or use bound: point", **where(spec))
    if not (_within(value, None, t.max) if lower else _within(value, t.min, None)):
        return _point(t, value, values, samples, metric, head, base)
    assert samples is not None  # values came from them
    found = (_binary_bounds if samples.binary else _score_bounds)(values, limit, lower, metric)
    design = found.pop("design")
    need = power.required_n(design, value)
    prob = float(power.pass_probability(design, len(values), value))
    outcome = found.pop("outcome")
    note = found.pop("note", None) or power.power_note(design, value, need, len(values))
    oc = power.oc_curve(design, len(values), value)
    fields = dict(base, **found, outcome=outcome, pass_probability=prob, oc=oc, power_note=note,
                  required_n=need if outcome == "inconclusive" else None)
    return ThresholdResult(**fields, reason=reasons.threshold_reason(t, head, fields))


def _binary_bounds(values: np.ndarray, limit: float, lower: bool, metric: Metric) -> dict:
    """Exact Clopper-Pearson bounds; the p-value is the exact binomial test's."""
    k, n = int(values.sum()), len(values)
    lo, hi = stats.clopper_pearson_lower(k, n, CONFIDENCE), stats.clopper_pearson_upper(k, n, CONFIDENCE)
    named, other = (lo, hi) if lower else (hi, lo)
    ok = named >= limit if lower else named <= limit
    bad = other < limit if lower else other > limit
    outcome = "pass" if ok else "fail" if bad else "inconclusive"
    claim, against = ("greater", "less") if lower else ("less", "greater")
    p = stats.binomial_p(k, n, limit, against if outcome == "fail" else claim)
    design = power.Design("rate", limit, "min" if lower else "max", 1 - CONFIDENCE)
    return dict(compared_value=named, opposite_value=other, outcome=outcome, p_value=p,
                test="exact_binomial", design=design)


def _score_bounds(values: np.ndarray, limit: float, lower: bool, metric: Metric) -> dict:
    """Conservative studentized bootstrap bounds of the mean; inconclusive below MIN_N_SCORES."""
    n = len(values)
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    floor = se_floor(metric, n)
    design = power.Design("mean", limit, "min" if lower else "max", 1 - CONFIDENCE,
                          sd=max(sd, floor * math.sqrt(n)), lower=metric.lower, upper=metric.upper,
                          min_n=MIN_N_SCORES)
    boot = stats.student_bootstrap(values, se_floor=floor)
    lo, hi = boot.lower(CONFIDENCE), boot.upper(CONFIDENCE)
    named, other = (lo, hi) if lower else (hi, lo)
    found = dict(compared_value=named, opposite_value=other, test="studentized_bootstrap",
                 design=design)
    if n < MIN_N_SCORES:
        return dict(found, outcome="inconclusive", p_value=None,
                    note=f"a bound on a mean of scores needs at least {MIN_N_SCORES} items "
                         f"(this run has {n})")
    ok = named >= limit if lower else named <= limit
    bad = other < limit if lower else other > limit
    outcome = "pass" if ok else "fail" if bad else "inconclusive"
    claim, against = ("greater", "less") if lower else ("less", "greater")
    return dict(found, outcome=outcome, p_value=boot.p_value(limit, against if outcome == "fail" else claim))


def _point(t: Threshold, value: float, values, samples, metric: Metric, head: str, base: dict):
    """Plain comparison of the point value; power of that rule when samples exist."""
    ok = _within(value, t.min, t.max)
    prob = need = oc = note = None
    if values is not None and samples is not None and (t.min is not None or t.max is not None):
        side = "min" if t.min is not None else "max"
        limit = float(t.min if t.min is not None else t.max)  # type: ignore[arg-type]
        n = len(values)
        sd = float(values.std(ddof=1)) if n > 1 else 0.0
        design = power.Design("rate" if samples.binary else "mean", limit, side, 0.5,
                              sd=max(sd, se_floor(metric, n) * math.sqrt(n)), point=True,
                              lower=metric.lower, upper=metric.upper)
        prob = float(power.pass_probability(design, n, value))
        oc = power.oc_curve(design, n, value)
        note = None if ok else power.power_note(design, value, None, n)
    reason = f"{head} {'meets' if ok else 'fails'} {reasons.requirement(t)}"
    return ThresholdResult(**base, compared_value=value, required_n=need, reason=reason,
                           outcome="pass" if ok else "fail", test="point", pass_probability=prob,
                           oc=oc, power_note=note)



def _display_interval(samples: Samples | None, values, metric: Metric):
    if values is None or samples is None:
        return None, None
    if samples.binary:
        return stats.wilson_interval(int(values.sum()), len(values)), "wilson"
    boot = stats.student_bootstrap(values, se_floor=se_floor(metric, len(values)))
    return (boot.lower(0.975), boot.upper(0.975)), "studentized bootstrap"


def _within(value: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)
