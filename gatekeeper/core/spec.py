"""Gate specifications: what a gate file says, as frozen dataclasses.

Loading and validating gate files lives in ``gatekeeper.bundle.collect``; this module only
holds the data so that judge, runner and report can share it without importing YAML.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Mapping

from gatekeeper.core.errors import Location

Severity = Literal["block", "warn"]
Bound = Literal["point", "lower95", "upper95"]
Outcome = Literal["pass", "fail", "inconclusive", "error", "skip"]


@dataclass(frozen=True)
class Threshold:
    """An absolute bound on one metric of the candidate.

    ``bound`` picks what is compared. Left out (None), the metric's declaration decides
    (DESIGN.md §7): a *sampled* metric is judged on its one-sided 95% bounds, the lower
    one against ``min`` and the upper one against ``max`` (both, for a two-sided
    threshold); a *census* is compared exactly. ``lower95`` / ``upper95`` ask for the
    bounds explicitly (each needs its limit; a second limit is judged on its own bound
    too); ``point`` is the explicit opt-out: the point estimate, no evidence required.
    """

    metric: str
    min: float | None = None
    max: float | None = None
    bound: Bound | None = None


@dataclass(frozen=True)
class Comparison:
    """A paired comparison of candidate against baseline on the same items.

    Exactly one of ``max_drop`` (non-inferiority: candidate is not worse than baseline
    by more than max_drop) or ``min_gain`` (superiority with a margin: candidate beats
    baseline by more than min_gain) is set. ``metric`` defaults to the threshold's.
    The direction comes from the gate type's metric table; ``higher_is_better`` may restate
    it (a contradiction is a ConfigError) or set it for a metric the gate type does not
    declare. None: take it from the table (higher is better when undeclared).
    """

    metric: str | None = None
    max_drop: float | None = None
    min_gain: float | None = None
    alpha: float = 0.05
    higher_is_better: bool | None = None
    against: str = "base"  # the named model view compared with: base, previous_release, ...


@dataclass(frozen=True)
class GateSpec:
    """One gate of a gate file, validated and with its paths resolved."""

    id: str
    type: str
    params: Mapping[str, Any] = field(default_factory=dict)
    golden_set: str | None = None
    threshold: Threshold | None = None
    vs_baseline: Comparison | None = None
    severity: Severity = "block"
    description: str | None = None
    markers: tuple[str, ...] = ()
    source: Location | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """sha256 of the gate as written (its raw entry): report.json records it per gate
        and ``gatekeeper release`` requires it to equal the bundle's own gate."""
        return spec_digest(self.raw)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["source"] = {"file": self.source.file, "line": self.source.line} if self.source else None
        data["markers"] = list(self.markers)
        return data


def spec_digest(raw: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of a gate entry in canonical JSON (sorted keys, non-JSON values as text)."""
    text = json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
