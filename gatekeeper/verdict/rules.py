"""What a threshold or a baseline comparison may say: the one rule collection and judge share.

``threshold_problems`` runs at collection time (before any model loads) on the gate file's
raw ``threshold:`` / ``vs_baseline:`` mappings, so each problem carries the key it is
about and collect.py can point at the file:line. The judge re-checks alpha with
``alpha_problem``; gatefile.schema.json states the same range (a test keeps them equal).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, TypeGuard

from gatekeeper.core.metrics import Metric
from gatekeeper.core.numbers import is_number, limit

ALPHA_MIN, ALPHA_MAX = 0.0, 0.5   # both exclusive: a one-sided test at level alpha

Problem = tuple[tuple[str, ...], str, str | None]  # (key path, message, hint)


def alpha_problem(alpha: Any) -> str | None:
    """Why ``alpha`` is not a usable one-sided test level, or None."""
    if not _number(alpha) or not ALPHA_MIN < alpha < ALPHA_MAX:
        return f"alpha must be a number in ({ALPHA_MIN:g}, {ALPHA_MAX:g}), got {alpha!r}"
    return None


def threshold_problems(threshold: Mapping | None, comparison: Mapping | None,
                       metrics: Mapping[str, Metric] | None = None) -> list[Problem]:
    """Every problem with a gate's threshold and vs_baseline, judged against the metric table."""
    problems: list[Problem] = []
    table = metrics or {}
    if threshold:
        metric = table.get(str(threshold.get("metric")))
        for key in ("min", "max"):
            if key in threshold:
                problems += _limit(("threshold", key), threshold[key], metric)
        lo, hi = threshold.get("min"), threshold.get("max")
        if _finite(lo) and _finite(hi) and lo > hi:
            problems.append((("threshold", "min"), f"threshold min {lo:g} is above max {hi:g}",
                             "swap them, or drop one"))
    if comparison:
        metric = table.get(str(comparison.get("metric") or (threshold or {}).get("metric")))
        for key in ("max_drop", "min_gain"):
            if key in comparison:
                problems += _margin(("vs_baseline", key), comparison[key], metric)
        alpha = alpha_problem(comparison["alpha"]) if "alpha" in comparison else None
        if alpha:
            problems.append((("vs_baseline", "alpha"), alpha, "0.05 is the usual one-sided level"))
        declared = comparison.get("higher_is_better")
        if metric is not None and isinstance(declared, bool) and declared != metric.higher_is_better:
            problems.append((("vs_baseline", "higher_is_better"),
                             f"higher_is_better: {str(declared).lower()} contradicts metric "
                             f"'{metric.name}' ({metric.direction})",
                             "remove higher_is_better: the gate type declares the direction"))
    return problems


def _limit(key: tuple[str, ...], value: Any, metric: Metric | None) -> list[Problem]:
    if not _number(value):
        return []  # the schema reports the type
    if not math.isfinite(value):
        return [(key, f"threshold {key[-1]} must be a finite number, got {value}",
                 f"write the limit as a number, e.g. {key[-1]}: 0.9")]
    if metric is None or metric.kind == "value":
        return []
    lo, hi = metric.lower, metric.upper
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        hint = f"{metric.name} is a {metric.kind} in [{limit(lo, '-inf')}, {limit(hi, 'inf')}]"
        if hi == 1.0 and 1.0 < value <= 100.0:
            hint = f"{metric.name} is a share in [0, 1]: did you mean {value / 100:g}?"
        return [(key, f"threshold {key[-1]} {value:g} is outside the range of "
                      f"'{metric.name}' [{limit(lo, '-inf')}, {limit(hi, 'inf')}]", hint)]
    return []


def _margin(key: tuple[str, ...], value: Any, metric: Metric | None) -> list[Problem]:
    if not _number(value):
        return []
    if not math.isfinite(value):
        return [(key, f"{key[-1]} must be a finite number, got {value}",
                 f"a {key[-1]} of {'.inf' if value > 0 else value} compares nothing; "
                 "write the largest change you accept, e.g. 0.02")]
    if value < 0:
        return [(key, f"{key[-1]} must be >= 0, got {value:g}", "margins are sizes, not signed")]
    if metric is not None and metric.kind != "value" and metric.lower is not None \
            and metric.upper is not None:
        span = metric.upper - metric.lower
        if value >= span:
            hint = f"{metric.name} spans {span:g}"
            if span == 1.0 and value <= 100.0:
                hint += f": did you mean {value / 100:g}?"
            return [(key, f"{key[-1]} {value:g} is not smaller than the range of "
                          f"'{metric.name}' ({span:g})", hint)]
    return []


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: Any) -> TypeGuard[float]:
    return is_number(value)

