"""The one-line reasons a reviewer reads: what was measured, what was required, what it means.

Kept apart from judge.py so that the decision rules and their wording can be read separately.
"""

from __future__ import annotations

from gatekeeper.spec import Threshold


def comparison_reason(r: dict) -> str:
    level = round(100 * (1 - 2 * r["alpha"]))
    lo, hi = r["ci"]
    direction = "" if r["higher_is_better"] else ", lower is better"
    if r["kind"] == "non_inferiority":
        claim, boundary = f"non-inferiority (max_drop {limit(r['margin'])})", -r["margin"]
    else:
        claim, boundary = f"superiority (min_gain {limit(r['margin'])})", r["margin"]
    p = ""
    # McNemar's p tests delta > 0 only: shown where it tests the gate's own boundary
    if r["test"] == "paired_bootstrap" or boundary == 0:
        p = ", p<0.0001" if r["p_value"] < 1e-4 else f", p={r['p_value']:.3g}"
    head = (f"{r['metric']} vs baseline: delta {fmt(r['delta'], signed=True)} (candidate "
            f"{fmt(r['candidate'])}, baseline {fmt(r['baseline'])}{direction}, {level}% CI "
            f"{fmt(lo, signed=True)} to {fmt(hi, signed=True)}{p}, n={r['n']})")
    if r["outcome"] == "pass":
        return f"{head} shows {claim}"
    if r["outcome"] == "fail":
        return f"{head} fails {claim}: delta <= {limit(boundary)}"
    needs = f"needs n >= {r['required_n']}" if r["required_n"] else "no sample size suffices"
    return f"{head} cannot show {claim}: {needs}"


def requirement(t: Threshold) -> str:
    if t.min is not None and t.max is not None:
        text = f"within [{limit(t.min)}, {limit(t.max)}]"
    else:
        text = f">= {limit(t.min)}" if t.min is not None else f"<= {limit(t.max)}"
    return text if t.bound == "point" else f"{text} at {t.bound}"


def describe_interval(interval: tuple | None, n: int | None) -> str:
    size = f"n={n}" if n else "n unknown"
    if interval is None:
        return f" ({size})"
    return f" (95% CI {fmt(interval[0])}-{fmt(interval[1])}, {size})"


def fmt(x: float, signed: bool = False) -> str:
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def limit(x: float) -> str:
    """A configured limit as written (0.995, 0.05), not rounded to 3 decimals."""
    return f"{x:g}"


def fmt_apart(x: float, ref: float) -> str:
    """x with enough decimals that it does not print equal to a different ``ref``."""
    for digits in range(3, 8):
        if f"{x:.{digits}f}" != f"{ref:.{digits}f}":
            return f"{x:.{digits}f}"
    return f"{x:.8f}"
