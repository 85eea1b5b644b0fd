"""What a threshold or a baseline comparison may say: the one rule collection and judge share.

``threshold_problems`` runs at collection time (before any model loads) on the gate file's
raw ``threshold:`` / ``vs_baseline:`` mappings, so each problem carries the key it is
about and collect.py can point at the file:line. ``spec_problems`` is what the judge runs
on every spec it is given, from YAML or built in code (a python gate, a third-party
caller): the types the schema would have checked, then the same ``threshold_problems``.
gatefile.schema.json states the same ranges (a test keeps alpha's equal).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any, Mapping, TypeGuard

from gatekeeper.core.metrics import Metric
from gatekeeper.core.numbers import is_number, limit

ALPHA_MIN, ALPHA_MAX = 0.0, 0.5   # both exclusive: a one-sided test at level alpha
BOUNDS = (None, "point", "lower95", "upper95")

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


def spec_problems(threshold: Any, comparison: Any,
                  metrics: Mapping[str, Metric] | None = None) -> list[Problem]:
    """Every problem with a Threshold / Comparison built anywhere (the judge's check)."""
    t = _fields(threshold)
    c = _fields(comparison)
    problems: list[Problem] = []
    if threshold is not None:
        if not isinstance(t.get("metric"), str) or not t.get("metric"):
            problems.append((("threshold", "metric"), f"threshold metric must be a name, got "
                             f"{t.get('metric')!r}", "e.g. metric: accuracy"))
        if "min" not in t and "max" not in t:
            problems.append((("threshold",), "a threshold needs min and/or max",
                             "e.g. threshold: {metric: accuracy, min: 0.85}"))
        for key in ("min", "max"):
            if key in t and not _number(t[key]):
                problems.append((("threshold", key), f"threshold {key} must be a number, got "
                                 f"{t[key]!r}", f"e.g. {key}: 0.9"))
        if t.get("bound") not in BOUNDS:
            problems.append((("threshold", "bound"), f"bound must be point, lower95 or upper95, "
                             f"got {t.get('bound')!r}", "leave it out to judge on the bound"))
    if comparison is not None:
        if ("max_drop" in c) == ("min_gain" in c):
            problems.append((("vs_baseline",), "vs_baseline needs exactly one of max_drop or "
                             "min_gain", "max_drop: non-inferiority; min_gain: superiority"))
        for key in ("max_drop", "min_gain"):
            if key in c and not _number(c[key]):
                problems.append((("vs_baseline", key), f"{key} must be a number, got {c[key]!r}",
                                 f"e.g. {key}: 0.02"))
        if c.get("higher_is_better") is not None and not isinstance(c["higher_is_better"], bool):
            problems.append((("vs_baseline", "higher_is_better"), "higher_is_better must be "
                             f"true or false, got {c['higher_is_better']!r}", None))
    if problems:
        return problems
    return threshold_problems(t or None, {**c, "alpha": c.get("alpha")} if comparison is not None
                              else None, metrics)


def _fields(spec: Any) -> dict:
    """A dataclass spec as the mapping a gate file would have held (None values left out)."""
    if spec is None:
        return {}
    data = asdict(spec) if hasattr(spec, "__dataclass_fields__") else dict(spec)
    return {k: v for k, v in data.items() if v is not None}


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

