"""Metric tables: what a gate type measures and which direction is better.

Every gate type declares its metrics (``@gate_type(metrics=(Metric(...), ...))``). The judge
takes a metric's direction from here, so a lower-is-better metric such as an unsafe-answer
rate can never pass a comparison by getting worse, and collection checks thresholds
against a metric's range (a rate threshold of 99.5 is caught before any model loads).

Kinds:
    rate   a share in [0, 1]; per-item samples are 0/1 (exact binomial intervals)
    score  a mean of per-item scores bounded in [lower, upper] (betting bounds, valid at any n)
    value  anything else (latency, a ratio, a count); a bootstrap when it has per-item
           samples and no declared range

Sampled or census (DESIGN.md §7): a *sampled* metric estimates a population value from
model outputs on a test set (accuracy, refusal rate, a mean score); a threshold on it is
judged on its one-sided 95% bound unless the gate says ``bound: point``. A *census* is
counted over everything there is (duplicates among the training rows, exact contamination
hits, template mismatches, schema errors, a deterministic check on fixed probes) and is
compared exactly. Rates and scores are sampled unless declared ``sampled=False``; values
are a census unless declared ``sampled=True`` (with per-item samples).
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
    sampled: bool | None = None   # None: rates and scores are sampled, values a census

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.sampled is None:
            object.__setattr__(self, "sampled", self.kind != "value")
        if self.kind == "value" and (self.lower, self.upper) == (0.0, 1.0):
            # a value has no natural range unless the gate type states one
            object.__setattr__(self, "lower", None)
            object.__setattr__(self, "upper", None)

    @property
    def direction(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"

    @property
    def sampling(self) -> str:
        """"sampled" (judged on its bound by default) or "census" (compared exactly)."""
        return "sampled" if self.sampled else "census"

    @property
    def bounded(self) -> bool:
        """Whether the metric declares a finite range (betting bounds need one)."""
        return self.lower is not None and self.upper is not None and self.upper > self.lower

    def to_dict(self) -> dict:
        return {"name": self.name, "higher_is_better": self.higher_is_better, "kind": self.kind,
                "lower": self.lower, "upper": self.upper, "unit": self.unit,
                "description": self.description, "sampled": self.sampled}


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
