"""Power in the report: each gate's operating characteristic (``templates/_oc.j2``); the
run's family-wise picture (``templates/_power.j2``, ``family_view``): what backs each
blocking gate's pass, the release-level error rate (``gatekeeper.verdict.family``) and the
blocking gates' pass probabilities multiplied.

Reads only report.json (the ``oc``, ``pass_probability`` and ``power_note`` fields the judge
writes, see gatekeeper/verdict/judgement.py). Geometry only; the SVG is written by
``templates/_oc.j2`` so every label goes through autoescaping.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from gatekeeper.report.charts import nice_ticks
from gatekeeper.report.fmt import clean, is_num, num
from gatekeeper.verdict import family

W, H, LEFT, RIGHT, TOP, BOTTOM = 560, 170, 44, 14, 10, 30


def oc_chart(block: Mapping | None, label: str) -> dict | None:
    """Pass probability against the true value at this n, threshold and observed marked."""
    oc_block: Mapping = block if isinstance(block, Mapping) else {}
    oc = oc_block.get("oc")
    if not isinstance(oc, Mapping):
        return None
    xs, ps = oc.get("x"), oc.get("p")
    if not (isinstance(xs, list) and isinstance(ps, list) and len(xs) == len(ps) >= 2
            and all(is_num(v) for v in xs + ps)):
        return None
    lo, hi = min(xs), max(xs)
    if hi <= lo:
        return None

    def px(v: float) -> float:
        return round(LEFT + (min(max(v, lo), hi) - lo) / (hi - lo) * (W - LEFT - RIGHT), 1)

    def py(p: float) -> float:
        return round(TOP + (1 - min(max(p, 0.0), 1.0)) * (H - TOP - BOTTOM), 1)

    observed = oc.get("observed")
    limit = oc.get("limit")
    return {
        "width": W, "height": H, "left": LEFT, "right": W - RIGHT, "top": TOP, "bottom": H - BOTTOM,
        "points": " ".join(f"{px(x)},{py(p)}" for x, p in zip(xs, ps)),
        "yticks": [{"y": py(p), "label": f"{p:.0%}"} for p in (0.0, 0.5, 0.8, 1.0)],
        "xticks": [{"x": px(t), "label": num(t)} for t in nice_ticks(lo, hi) if lo <= t <= hi],
        "limit": {"x": px(limit), "label": f"limit {num(limit)}"} if is_num(limit) else None,
        "observed": ({"x": px(observed), "y": py(_interp(xs, ps, observed)),
                      "label": f"observed {num(observed)}"}
                     if is_num(observed) and lo <= observed <= hi else None),
        "label": label, "n": oc.get("n"), "method": clean(oc.get("method") or "n/a"),
        "pass_probability": _pct(oc_block.get("pass_probability")),
        "note": clean(oc_block.get("power_note")) or None,
    }


def _interp(xs: list, ps: list, x: float) -> float:
    for (x0, p0), (x1, p1) in zip(zip(xs, ps), zip(xs[1:], ps[1:])):
        if x0 <= x <= x1:
            return p0 if x1 == x0 else p0 + (p1 - p0) * (x - x0) / (x1 - x0)
    return ps[-1]


def _pct(p: Any) -> str | None:
    return f"{100 * p:.0f}%" if is_num(p) and math.isfinite(p) else None


def power_view(gate: Mapping) -> dict | None:
    """The gate's operating-characteristic charts (threshold, comparison), or None."""
    th, cmp = gate.get("threshold"), gate.get("comparison")
    metric = (th or {}).get("metric") if isinstance(th, Mapping) else None
    charts = [c for c in (oc_chart(th, f"true {metric or 'value'}"),
                          oc_chart(cmp, "true delta (candidate better > 0)")) if c]
    if not charts:
        return None
    probs = [b.get("pass_probability") for b in (th, cmp) if isinstance(b, Mapping) and b.get("oc")]
    nums = [float(p) for p in probs if is_num(p)]  # type: ignore[arg-type]
    joint = math.prod(nums, start=1.0) if probs and len(nums) == len(probs) else None
    return {"charts": charts, "pass_probability": joint, "pass_text": _pct(joint),
            "blocking": gate.get("severity", "block") == "block"}


def gate_pass_probability(gate: Mapping) -> float | None:
    """The gate's parts' pass probabilities multiplied (None unless every part has one)."""
    parts = [b for b in (gate.get("threshold"), gate.get("comparison")) if isinstance(b, Mapping)]
    probs = [b.get("pass_probability") for b in parts]
    if not parts or not all(is_num(p) for p in probs):
        return None
    out = 1.0
    for p in probs:
        out *= float(p)  # type: ignore[arg-type]
    return out


def family_view(gates: list[Mapping]) -> dict | None:
    """The trust section: counts by evidence over every blocking gate of report.json, the
    release-level bound and what it leaves out, the chance all of them pass."""
    entries = [{"id": g.get("id"), "type": g.get("type"), "severity": g.get("severity", "block"),
                "outcome": g.get("outcome"), "threshold": g.get("threshold"),
                "comparison": g.get("comparison"), "pass_probability": gate_pass_probability(g)}
               for g in gates if g.get("outcome") != "skip"]
    if not entries:
        return None
    picture = family.picture(entries)
    return {"lines": [clean(line) for line in family.lines(picture)], **picture}
