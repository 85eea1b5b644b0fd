"""What a gate type returns. A Measurement never decides pass or fail: judge does.

Plain frozen dataclasses that round-trip through JSON (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Samples:
    """Per-item values of one metric, in item order, for intervals and paired tests.

    ``binary`` samples are 0/1 (pass/fail per item): intervals use Wilson /
    Clopper-Pearson and comparisons exact McNemar. Otherwise they are scores and use
    the paired bootstrap. ``baseline`` is aligned item by item with ``candidate``.
    """

    candidate: tuple[float, ...]
    baseline: tuple[float, ...] | None = None
    binary: bool = True

    def __post_init__(self):
        object.__setattr__(self, "candidate", tuple(float(v) for v in self.candidate))
        if self.baseline is not None:
            object.__setattr__(self, "baseline", tuple(float(v) for v in self.baseline))
            if len(self.baseline) != len(self.candidate):
                raise ValueError("candidate and baseline samples must be paired (same length)")


@dataclass(frozen=True)
class ItemResult:
    """One evaluated item: what went in, what was expected, what both models said."""

    id: str
    input: str
    expected: str | None = None
    output: str | None = None
    passed: bool | None = None
    score: float | None = None
    detail: str | None = None
    baseline_output: str | None = None
    baseline_passed: bool | None = None
    baseline_score: float | None = None
    baseline_detail: str | None = None


@dataclass(frozen=True)
class Measurement:
    """Metrics of the candidate (and baseline), per-item evidence, type-specific details.

    ``metrics`` holds headline numbers (e.g. ``{"accuracy": 0.91}``); ``samples`` holds,
    for the metrics that are means over items, the per-item values the judge needs for
    intervals and paired tests. ``details`` is free-form but JSON-serialisable; known keys
    are rendered specially by the report (see gatekeeper/report).
    """

    metrics: Mapping[str, float]
    n: int = 0
    baseline_metrics: Mapping[str, float] = field(default_factory=dict)
    samples: Mapping[str, Samples] = field(default_factory=dict)
    items: tuple[ItemResult, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # n left unset by a gate type that did report per-item results: count those
        if not self.n and self.items:
            object.__setattr__(self, "n", len(self.items))

    def to_dict(self) -> dict:
        return {
            "metrics": dict(self.metrics),
            "n": self.n,
            "baseline_metrics": dict(self.baseline_metrics),
            "samples": {k: asdict(v) | {"candidate": list(v.candidate),
                                        "baseline": list(v.baseline) if v.baseline is not None else None}
                        for k, v in self.samples.items()},
            "items": [asdict(i) for i in self.items],
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Measurement":
        return cls(
            metrics=dict(data["metrics"]),
            n=int(data.get("n", 0)),
            baseline_metrics=dict(data.get("baseline_metrics") or {}),
            samples={k: Samples(candidate=tuple(v["candidate"]),
                                baseline=tuple(v["baseline"]) if v.get("baseline") is not None else None,
                                binary=bool(v.get("binary", True)))
                     for k, v in (data.get("samples") or {}).items()},
            items=tuple(ItemResult(**i) for i in data.get("items") or ()),
            details=dict(data.get("details") or {}),
        )
