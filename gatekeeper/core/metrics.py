"""Metric tables: what a gate type measures and which direction is better.

Every gate type declares its metrics (``@gate_type(metrics=(Metric(...), ...))``). The judge
takes a metric's direction from here, so a lower-is-better metric such as an unsafe-answer
rate can never pass a comparison by getting worse, and collection checks thresholds
against a metric's range (a rate threshold of 99.5 is caught before any model loads).

Kinds:
    rate   a share in [0, 1]; per-item samples are 0/1 (exact binomial intervals)
    score  a mean of per-item scores bounded in [lower, upper] (bootstrap / Hoeffding)
    value  anything else (latency, a ratio, a count); judged on the point value unless
           the gate type reports per-item samples
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, Mapping

MetricKind = Literal["rate", "score", "value"]
KINDS: tuple[str, ...] = ("rate", "score", "value")


@dataclass(frozen=True)
class Metric:
    """One metric of a gate type: its name, direction, kind, range and unit."""

    name: str
    higher_is_better: bool = True
    kind: MetricKind = "rate"
    lower: float | None = 0.0
    upper: float | None = 1.0
    unit: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "value" and (self.lower, self.upper) == (0.0, 1.0):
            # a value has no natural range unless the gate type states one
            object.__setattr__(self, "lower", None)
            object.__setattr__(self, "upper", None)

    @property
    def direction(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"

    def to_dict(self) -> dict:
        return {"name": self.name, "higher_is_better": self.higher_is_better, "kind": self.kind,
                "lower": self.lower, "upper": self.upper, "unit": self.unit,
                "description": self.description}


def metric_table(metrics: Iterable[Metric | str]) -> dict[str, Metric]:
    """name -> Metric; a bare name is a rate where higher is better (the common case)."""
    table: dict[str, Metric] = {}
    for m in metrics:
        metric = Metric(m) if isinstance(m, str) else m
        if not isinstance(metric, Metric):
            raise TypeError(f"a metric is a Metric or a name, not {type(m).__name__}")
        table[metric.name] = metric
    return table


def lookup(table: Mapping[str, Metric] | None, name: str) -> Metric | None:
    """The declared metric, or None when the gate type did not declare it."""
    return (table or {}).get(name)
