"""Judge: turn a gate's Measurement into an outcome. The project's statistics policy.

A gate type measures; this module decides, so that every gate is held to the same rules
(DESIGN.md §7, README "Outcomes and statistics"). Outcomes are evidence-based:

  * **pass** when the one-sided 95% bound clears the limit (the data show the claim);
  * **fail** when the opposite one-sided 95% bound is on the wrong side (the data show
    the claim is false);
  * **inconclusive** otherwise, with the n that would give 80% pass probability at the
    observed value, or "cannot pass: the estimate is on the wrong side".

Threshold (``threshold: {metric, min, max, bound}``) on ``m.metrics[metric]``. What is
compared (``evidence`` in the result):
  * ``bound``: a *sampled* metric with ``bound`` left out, or ``lower95`` / ``upper95``
    written: ``min`` is judged on the lower one-sided 95% bound and ``max`` on the upper
    one; a two-sided threshold passes when both clear (an intersection-union test, still
    at level 5%) and fails when either opposite bound is on the wrong side. 0/1 samples:
    exact Clopper-Pearson bounds (the exact binomial test against the limit). Scores: a
    conservative studentized bootstrap (``stats.student_bootstrap``), needing at least
    ``MIN_N_SCORES`` items. A bound without per-item samples: MeasurementError.
  * ``census``: a metric declared a census (counted over all there is) with ``bound`` left
    out is compared exactly: pass when min <= value <= max, else fail.
  * ``point``: ``bound: point`` is the explicit opt-out: the same plain comparison of the
    point estimate, and the report says no evidence was required.
Comparison (``vs_baseline``): ``gatekeeper.verdict.paired``.
Direction comes from the gate type's metric table (``gatekeeper.core.metrics.Metric``); an
undeclared metric defaults to higher-is-better, a rate for 0/1 samples, else a value.
Overall: the worse part (fail > inconclusive > pass), the deciding part's reason first.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Mapping

import numpy as np

from gatekeeper.verdict import betting, power, reasons, stats
from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.verdict.paired import judge_comparison
from gatekeeper.verdict.rules import spec_problems
from gatekeeper.verdict.judgement import ComparisonResult, Judgement, ThresholdResult
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import GateSpec, Threshold
from gatekeeper.verdict.bounds import (CONFIDENCE, MIN_N_SCORES, Scale, candidate_values,
                                       describe, metric_value, no_signal, se_floor, where)

__all__ = ["judge", "judge_threshold", "judged_on", "validate", "Judgement", "ThresholdResult",
           "ComparisonResult", "MIN_N_SCORES", "CONFIDENCE"]

_RANK = {"pass": 0, "inconclusive": 1, "fail": 2}


def judge(spec: GateSpec, m: Measurement, metrics: Mapping[str, Metric] | None = None) -> Judgement:
    """Apply the gate's threshold and baseline comparison to a measurement."""

    if spec.threshold is None and spec.vs_baseline is None:
        raise ValueError(f"gate {spec.id!r} has neither threshold nor vs_baseline to judge")
    validate(spec, metrics)
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


def validate(spec: GateSpec, metrics: Mapping[str, Metric] | None = None) -> None:
    """The collection rules (verdict/rules.py) on a spec from anywhere: YAML or code. A limit
    of +inf, a negative margin, a NaN or a bad alpha is a ConfigError, never a pass."""
    problems = spec_problems(spec.threshold, spec.vs_baseline, metrics)
    if problems:
        key, message, hint = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"gate {spec.id!r} {'.'.join(key)}: {message}{more}", hint=hint,
                          **where(spec))


def judged_on(t: Threshold, metric: Metric) -> str:
    """What a threshold compares: "bound", "census" (exact count) or "point" (opt-out)."""
    if t.bound == "point":
        return "point"
    if t.bound is None and not metric.sampled:
        return "census"
    return "bound"


def bound_label(t: Threshold, evidence: str) -> str:
    """The bound(s) a threshold is judged on: lower95, upper95, lower95+upper95, point, census."""
    if evidence != "bound":
        return evidence
    return "+".join(b for b, limit in (("lower95", t.min), ("upper95", t.max)) if limit is not None)


def judge_threshold(t: Threshold, m: Measurement, spec: GateSpec | None = None,
                    metric: Metric | None = None) -> ThresholdResult:
    """Judge an absolute threshold on one metric: its bound(s), exactly, or the point value."""
    metric = metric or describe(None, t.metric, m)
    value = metric_value(m, t.metric)
    samples = m.samples.get(t.metric)
    values = candidate_values(samples, t.metric)
    n = len(values) if values is not None else (m.n or None)
    interval, method = _display_interval(samples, values, metric)
    head = f"{t.metric} {reasons.fmt(value)}{reasons.describe_interval(interval, n)}"
    evidence = judged_on(t, metric)
    _check_bound(t, spec)
    label = bound_label(t, evidence)
    base = dict(metric=t.metric, value=value, bound=label, evidence=evidence, min=t.min,
                max=t.max, interval=interval, interval_method=method, n=n)
    if evidence == "bound" and values is None:
        if _within(value, t.min, t.max):
            raise MeasurementError(f"a bound on {t.metric!r} needs per-item samples, "
                                   "but the gate type reported none",
                                   hint="report Samples for this metric, or use bound: point")
        return _point(t, value, values, samples, metric, head, base)
    if evidence != "bound":
        result = _point(t, value, values, samples, metric, head, base)
        silent = no_signal(m, t.metric, samples, paired=False)
        if silent and result.outcome == "pass":
            return replace(result, outcome="inconclusive", power_note=silent, pass_probability=0.0,
                           reason=f"{head} cannot support {reasons.requirement(t, base['bound'])}: "
                                  f"{silent}")
        return result
    assert samples is not None and values is not None  # values came from them
    sides = _sides(t)
    bounds = (_binary_bounds if samples.binary else _score_bounds)(values, metric)
    checks = [_side(bounds, side, limit) for side, limit in sides]
    outcome, decider = _decide(checks)
    design = _design(bounds, sides, metric, samples.binary)
    need = power.required_n(design, value)
    prob = float(power.pass_probability(design, len(values), value))
    note = bounds.get("note") or power.power_note(design, value, need, len(values))
    fields = dict(base, compared_value=decider["named"], opposite_value=decider["other"],
                  bounds=(bounds["lower"], bounds["upper"]), outcome=outcome,
                  p_value=decider["p_fail"] if outcome == "fail" else max(c["p"] for c in checks),
                  test=bounds["test"], pass_probability=prob, oc=power.oc_curve(design, len(values), value),
                  power_note=note, required_n=need if outcome == "inconclusive" else None)
    if bounds.get("note"):  # too few items for this method: never a pass or a fail
        fields.update(outcome="inconclusive", required_n=need)
    silent = no_signal(m, t.metric, samples, paired=False)
    if silent and fields["outcome"] != "fail":  # no signal, no pass
        fields.update(outcome="inconclusive", required_n=None, power_note=silent,
                      pass_probability=0.0)
    return ThresholdResult(**fields, reason=reasons.threshold_reason(t, head, fields, decider["side"]))


def _check_bound(t: Threshold, spec: GateSpec | None) -> None:
    for bound, key in (("lower95", "min"), ("upper95", "max")):
        if t.bound == bound and getattr(t, key) is None:
            raise ConfigError(f"bound {bound} needs {key} on {t.metric!r}",
                              hint=f"set {key}:, leave bound out, or use bound: point", **where(spec))


def _sides(t: Threshold) -> list[tuple[str, float]]:
    return [(side, float(limit)) for side, limit in (("min", t.min), ("max", t.max))
            if limit is not None]


def _side(bounds: dict, side: str, limit: float) -> dict:
    """One limit judged on its bound: ok (the claim is shown), bad (its opposite is shown)."""
    lo, hi = bounds["lower"], bounds["upper"]
    lower = side == "min"
    named, other = (lo, hi) if lower else (hi, lo)
    ok = named >= limit if lower else named <= limit
    bad = other < limit if lower else other > limit
    claim, against = ("greater", "less") if lower else ("less", "greater")
    return dict(side=side, limit=limit, named=named, other=other, ok=ok, bad=bad,
                p=bounds["p"](limit, claim), p_fail=bounds["p"](limit, against))


def _decide(checks: list[dict]) -> tuple[str, dict]:
    """fail if any limit's opposite bound is on the wrong side; pass if every bound clears;
    the deciding limit is the failing one, else the one furthest from clearing."""
    failed = [c for c in checks if c["bad"]]
    if failed:
        return "fail", failed[0]
    outcome = "pass" if all(c["ok"] for c in checks) else "inconclusive"
    return outcome, max(checks, key=lambda c: c["p"])


def _design(bounds: dict, sides: list, metric: Metric, binary: bool) -> power.Design:
    side = sides[0][0] if len(sides) == 1 else "both"
    extra = dict(upper_limit=sides[1][1]) if len(sides) == 2 else {}
    if binary:
        return power.Design("rate", sides[0][1], side, 1 - CONFIDENCE, **extra)
    return power.Design("mean", sides[0][1], side, 1 - CONFIDENCE, sd=bounds["sd"],
                        lower=metric.lower, upper=metric.upper, min_n=bounds.get("min_n", 0),
                        method=bounds.get("method", "normal"), **extra)


def _binary_bounds(values: np.ndarray, metric: Metric) -> dict:
    """Exact Clopper-Pearson bounds; the p-value is the exact binomial test's."""
    k, n = int(values.sum()), len(values)
    return dict(lower=stats.clopper_pearson_lower(k, n, CONFIDENCE),
                upper=stats.clopper_pearson_upper(k, n, CONFIDENCE), test="exact_binomial",
                p=lambda limit, alternative: stats.binomial_p(k, n, limit, alternative))


def _score_bounds(values: np.ndarray, metric: Metric) -> dict:
    """Betting bounds of the mean for a metric with a declared range (valid at every n);
    without a range, a conservative studentized bootstrap, inconclusive below MIN_N_SCORES
    or on constant samples (no spread to estimate an error from)."""
    n = len(values)
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    if metric.bounded:
        scale = Scale(metric.lower, metric.upper, metric.name)  # type: ignore[arg-type]
        x = scale.unit(values)
        return dict(lower=scale.value(betting.lower_bound(x, CONFIDENCE)),
                    upper=scale.value(betting.upper_bound(x, CONFIDENCE)), test="betting",
                    p=lambda limit, alt: betting.p_value(x, scale.unit(limit), alt, 1 - CONFIDENCE),
                    sd=sd, method="betting")
    boot = stats.student_bootstrap(values, se_floor=se_floor(metric, n))
    found = dict(lower=boot.lower(CONFIDENCE), upper=boot.upper(CONFIDENCE),
                 test="studentized_bootstrap", p=boot.p_value, sd=sd, min_n=MIN_N_SCORES)
    if n < MIN_N_SCORES:
        found["note"] = (f"a bootstrap bound on a mean of scores without a declared range needs "
                         f"at least {MIN_N_SCORES} items (this run has {n})")
    elif np.ptp(values) == 0.0:
        found["note"] = (f"no signal: all {n} samples equal {reasons.fmt(float(values[0]))}, so "
                         "there is no spread to bound the mean with (declare the metric's range "
                         "for a betting bound)")
    return found


def _point(t: Threshold, value: float, values, samples, metric: Metric, head: str, base: dict):
    """Plain comparison of the value (census or point); the point rule's power from samples."""
    ok = _within(value, t.min, t.max)
    prob = need = oc = note = None
    sides = _sides(t)
    if base["evidence"] == "point" and values is not None and samples is not None and sides:
        n = len(values)
        sd = float(values.std(ddof=1)) if n > 1 else 0.0
        design = power.Design("rate" if samples.binary else "mean", sides[0][1],
                              sides[0][0] if len(sides) == 1 else "both", 0.5,
                              sd=max(sd, se_floor(metric, n) * math.sqrt(n)), point=True,
                              lower=metric.lower, upper=metric.upper,
                              upper_limit=sides[1][1] if len(sides) == 2 else None)
        prob = float(power.pass_probability(design, n, value))
        oc = power.oc_curve(design, n, value)
        note = None if ok else power.power_note(design, value, None, n)
    if base["evidence"] == "census":
        prob = 1.0 if ok else 0.0  # a count over all there is: no sampling error
    reason = f"{head} {'meets' if ok else 'fails'} {reasons.requirement(t, base['bound'])}"
    return ThresholdResult(**base, compared_value=value, required_n=need, reason=reason,
                           outcome="pass" if ok else "fail", test=base["evidence"],
                           pass_probability=prob, oc=oc, power_note=note)


def _display_interval(samples: Samples | None, values, metric: Metric):
    if values is None or samples is None:
        return None, None
    if samples.binary:
        return stats.wilson_interval(int(values.sum()), len(values)), "wilson"
    if metric.bounded:
        scale = Scale(metric.lower, metric.upper, metric.name)  # type: ignore[arg-type]
        lo, hi = betting.interval(scale.unit(values), 0.95)
        return (scale.value(lo), scale.value(hi)), "betting"
    boot = stats.student_bootstrap(values, se_floor=se_floor(metric, len(values)))
    return (boot.lower(0.975), boot.upper(0.975)), "studentized bootstrap"


def _within(value: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)
