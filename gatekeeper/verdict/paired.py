"""Paired candidate-vs-baseline comparisons: the ``vs_baseline`` half of the judge.

Both models answer the same items, so the test is paired. ``delta`` = mean(candidate) -
mean(baseline), sign-flipped for lower-is-better metrics (direction from the metric table),
so delta > 0 always means the candidate is better. The claim is delta > boundary, with
boundary = -max_drop (non-inferiority) or +min_gain (superiority); max_drop: 0 and
min_gain: 0 are the same claim and get the same answer.

  * 0/1 samples, boundary 0: exact McNemar on the discordant pairs (one-sided).
  * 0/1 samples, boundary != 0: Tango's score test of delta against the boundary (the
    McNemar test only asks "any difference"), numerator computed exactly on counts, so a
    tie with the margin is a tie. Interval: the inverted score test.
  * Scores with a declared range: betting bounds of the mean difference
    (``gatekeeper.verdict.betting``; differences in [-span, span]), valid at every n, with
    ties and piles at the boundary. Without a range (latency): a conservative studentized
    bootstrap of the differences, at least ``MIN_N_SCORES`` items; ``test`` says which.

No signal, no pass (``bounds.no_signal``): identical paired samples, or a metric the gate
type flags, make a would-be pass inconclusive, saying what was seen.

pass: the one-sided test of delta > boundary has p < alpha; fail: the opposite one-sided
test (delta < boundary) has p < alpha; otherwise inconclusive. ``p_value`` is the deciding
test's (the opposite test's for a fail). The interval is two-sided at 1 - 2*alpha.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from gatekeeper.verdict import betting, power, reasons, stats
from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.verdict.bounds import (MIN_N_SCORES, describe, no_signal, paired_scale,
                                       require_binary, require_finite, se_floor, where)
from gatekeeper.verdict.judgement import ComparisonResult
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.verdict.rules import alpha_problem
from gatekeeper.core.spec import Comparison, GateSpec


def judge_comparison(c: Comparison, m: Measurement, default_metric: str | None = None,
                     spec: GateSpec | None = None,
                     metrics: Mapping[str, Metric] | None = None) -> ComparisonResult:
    """Paired test of the candidate against the baseline: non-inferiority or superiority."""
    name, samples = _comparison_samples(c, m, default_metric, spec)
    metric = describe(metrics, name, m)
    higher = direction(c, metric, metrics, spec)
    kind = "non_inferiority" if c.max_drop is not None else "superiority"
    margin = float(c.max_drop if c.max_drop is not None else c.min_gain or 0.0)
    boundary = -margin if kind == "non_inferiority" else margin
    cand, base = np.asarray(samples.candidate, float), np.asarray(samples.baseline, float)
    require_finite(cand, base, metric=name)
    better, worse = (cand, base) if higher else (base, cand)
    test = _binary_test if samples.binary else _score_test
    found = test(better, worse, boundary, c.alpha, metric)
    design = found.pop("design")
    n, delta = len(cand), found["delta"]
    need = power.required_n(design, delta)
    silent = no_signal(m, name, samples, paired=True)
    if silent and found["outcome"] != "fail":  # no signal, no pass
        found.update(outcome="inconclusive", note=silent)
        need = None
    outcome = found["outcome"]
    note = found.pop("note", None) or power.power_note(design, delta, need, n)
    if samples.binary:
        found["discordant"] = {"candidate_only": int(np.sum((cand == 1) & (base == 0))),
                               "baseline_only": int(np.sum((cand == 0) & (base == 1)))}
    fields = dict(found, metric=name, kind=kind, margin=margin, alpha=c.alpha, n=n,
                  candidate=float(cand.mean()), baseline=float(base.mean()),
                  required_n=need if outcome == "inconclusive" else None, higher_is_better=higher,
                  pass_probability=0.0 if silent else float(power.pass_probability(design, n, delta)),
                  power_note=note, oc=power.oc_curve(design, n, delta))
    return ComparisonResult(**fields, reason=reasons.comparison_reason(fields))


def direction(c: Comparison, metric: Metric, metrics: Mapping[str, Metric] | None,
              spec: GateSpec | None) -> bool:
    """Higher-is-better from the metric table; the gate file may only restate it (or set it
    for a metric the gate type does not declare)."""
    declared = (metrics or {}).get(metric.name)
    if c.higher_is_better is None:
        return metric.higher_is_better
    if declared is not None and declared.higher_is_better != c.higher_is_better:
        raise ConfigError(f"vs_baseline.higher_is_better: {str(c.higher_is_better).lower()} "
                          f"contradicts metric {metric.name!r} ({declared.direction})",
                          hint="remove higher_is_better: the gate type declares the direction",
                          **where(spec))
    return c.higher_is_better


def _comparison_samples(c: Comparison, m: Measurement, default_metric: str | None,
                        spec: GateSpec | None) -> tuple[str, Samples]:
    """The metric to compare and its paired samples, or the error saying what is missing."""
    metric = c.metric or default_metric
    at = where(spec)
    if metric is None:
        raise ConfigError("vs_baseline needs a metric (or a threshold to take it from)", **at)
    if (c.max_drop is None) == (c.min_gain is None):
        raise ConfigError("vs_baseline needs exactly one of max_drop or min_gain", **at)
    problem = alpha_problem(c.alpha)
    if problem:
        raise ConfigError(f"vs_baseline {problem}", **at)
    samples = m.samples.get(metric)
    if samples is None or samples.baseline is None or not samples.candidate:
        raise MeasurementError(f"vs_baseline on {metric!r} needs paired per-item samples with "
                               f"a baseline; samples with a baseline: "
                               f"{sorted(k for k, v in m.samples.items() if v.baseline) or 'none'}",
                               hint="run the gate against the baseline too")
    return metric, samples


def _binary_test(better, worse, boundary: float, alpha: float, metric: Metric) -> dict:
    """Exact McNemar at boundary 0, Tango's score test otherwise; Tango's interval."""
    require_binary(better, worse, metric=metric.name)
    n = len(better)
    b = int(np.sum((better == 1) & (worse == 0)))
    c = int(np.sum((better == 0) & (worse == 1)))
    if boundary == 0:
        test, up, down = "mcnemar_exact", stats.mcnemar_exact(b, c, "greater"), stats.mcnemar_exact(b, c, "less")
    else:
        test = "tango_score"
        up, down = stats.tango_p(b, c, n, boundary, "greater"), stats.tango_p(b, c, n, boundary, "less")
    outcome = "pass" if up < alpha else "fail" if down < alpha else "inconclusive"
    design = power.Design("paired_rate", boundary, "min", alpha, discordance=(b + c) / n,
                          lower=-1.0, upper=1.0)
    return dict(test=test, delta=(b - c) / n, ci=stats.tango_interval(b, c, n, 1 - 2 * alpha),
                discordant=None, p_value=down if outcome == "fail" else up, outcome=outcome,
                design=design)


def _score_test(better, worse, boundary: float, alpha: float, metric: Metric) -> dict:
    """Betting bounds of the mean difference when the score has a declared range (the
    differences lie in [-span, span]; valid at every n, ties and all); else a conservative
    studentized bootstrap, inconclusive below MIN_N_SCORES."""
    diffs = better - worse
    n = len(diffs)
    sd = float(diffs.std(ddof=1)) if n > 1 else 0.0
    if metric.bounded:
        scale = paired_scale(metric)
        y, m0 = scale.unit(diffs), scale.unit(boundary)
        up = float(betting.p_value(y, m0, "greater", alpha))
        down = float(betting.p_value(y, m0, "less", alpha))
        design = power.Design("paired_mean", boundary, "min", alpha, sd=sd, lower=scale.lower,
                              upper=scale.upper, method="betting")
        ci = (scale.value(betting.lower_bound(y, 1 - alpha)),
              scale.value(betting.upper_bound(y, 1 - alpha)))
        outcome = "pass" if up <= alpha else "fail" if down <= alpha else "inconclusive"
        return dict(test="betting", delta=float(diffs.mean()), discordant=None, ci=ci,
                    design=design, outcome=outcome, p_value=down if outcome == "fail" else up)
    floor = 2 * se_floor(metric, n)  # a difference spans twice the score's range
    design = power.Design("paired_mean", boundary, "min", alpha, sd=max(sd, floor * np.sqrt(n)),
                          lower=None, upper=None, min_n=MIN_N_SCORES)
    boot = stats.student_bootstrap(diffs, se_floor=floor)
    up, down = boot.p_value(boundary, "greater"), boot.p_value(boundary, "less")
    found = dict(test="studentized_bootstrap", delta=float(diffs.mean()), discordant=None,
                 ci=(boot.lower(1 - alpha), boot.upper(1 - alpha)), design=design)
    if n < MIN_N_SCORES:
        return dict(found, outcome="inconclusive", p_value=up,
                    note=f"a bootstrap comparison of scores without a declared range needs at "
                         f"least {MIN_N_SCORES} items (this run has {n})")
    outcome = "pass" if up < alpha else "fail" if down < alpha else "inconclusive"
    return dict(found, p_value=down if outcome == "fail" else up, outcome=outcome)
