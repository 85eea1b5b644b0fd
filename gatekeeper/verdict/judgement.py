"""What the judge decides, as frozen data that round-trips through report.json.

Kept apart from the decision rules (``gatekeeper.verdict.judge``, ``gatekeeper.verdict.paired``) so the
report package can read a judgement without importing numpy/scipy-heavy code paths.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping


@dataclass(frozen=True)
class ThresholdResult:
    """The threshold part of a verdict.

    ``evidence`` says what was compared: "bound" (the one-sided 95% bound(s): ``bound`` is
    lower95, upper95 or lower95+upper95 for a two-sided threshold, ``bounds`` holds both),
    "census" (a count over all there is, compared exactly) or "point" (the explicit
    ``bound: point`` opt-out: no evidence required). ``compared_value`` is the deciding
    limit's bound (the value itself for census and point); ``opposite_value`` that limit's
    other one-sided bound, which decides ``fail``.
    ``test`` and ``p_value`` are those of the test that decided the outcome. Power
    (README "Outcomes and statistics"): ``pass_probability`` is the probability of passing
    at this n if the true value equals the observed one, ``required_n`` the n that gives
    80% (None when no n can), ``power_note`` says it in words and ``oc`` holds the
    operating characteristic: {x: true values, p: pass probabilities, n, limit, side,
    observed, method}.
    """

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
    opposite_value: float | None = None
    test: str | None = None
    p_value: float | None = None
    pass_probability: float | None = None
    power_note: str | None = None
    oc: dict | None = None
    evidence: str | None = None
    bounds: tuple[float, float] | None = None

    def to_dict(self) -> dict:
        return plain(asdict(self))


@dataclass(frozen=True)
class ComparisonResult:
    """The candidate-vs-baseline part; ``delta`` > 0 means the candidate is better.

    ``margin`` is the gate's max_drop (non-inferiority, boundary -margin) or min_gain
    (superiority, boundary +margin). ``discordant`` counts raw items where only the
    candidate scored 1 and where only the baseline did (binary metrics only). ``ci`` is
    two-sided at 1 - 2*alpha. ``p_value`` is that of ``test``, the test that decided the
    outcome (against the boundary). Power fields as in ThresholdResult, in terms of delta.
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
    pass_probability: float | None = None
    power_note: str | None = None
    oc: dict | None = None

    def to_dict(self) -> dict:
        return plain(asdict(self))


@dataclass(frozen=True)
class Judgement:
    """A gate's outcome with a one-line reason for a reviewer and the evidence behind it.

    ``pass_probability``: the chance this gate passes at its n if the true values equal the
    observed ones (threshold and comparison multiplied, an approximation that treats them
    as independent); the report multiplies these over blocking gates for the family-wise
    picture.
    """

    outcome: str
    reason: str
    threshold: ThresholdResult | None = None
    comparison: ComparisonResult | None = None
    pass_probability: float | None = None

    def to_dict(self) -> dict:
        return plain(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Judgement":
        t, c = data.get("threshold"), data.get("comparison")
        return cls(data["outcome"], data["reason"],
                   ThresholdResult(**_known(ThresholdResult, t, "interval", "bounds")) if t else None,
                   ComparisonResult(**_known(ComparisonResult, c, "ci")) if c else None,
                   data.get("pass_probability"))


def plain(value: Any) -> Any:
    """JSON-safe copy: tuples become lists, numpy scalars Python ones, NaN/inf None."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _known(cls, data: Mapping[str, Any], *pairs: str) -> dict:
    """Fields this version knows (older reports lack the power fields: they default)."""
    names = {f.name for f in fields(cls)}
    out = {k: v for k, v in data.items() if k in names}
    for key in pairs:
        if out.get(key) is not None:
            out[key] = tuple(out[key])
    return out
