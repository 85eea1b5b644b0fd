"""The one-line reasons a reviewer reads: what was measured, what was required, what it means.

Kept apart from judge.py so that the decision rules and their wording can be read separately.
"""

from __future__ import annotations

from gatekeeper.core import numbers
from gatekeeper.core.numbers import apart as fmt_apart
from gatekeeper.core.numbers import fixed as fmt
from gatekeeper.core.numbers import limit
from gatekeeper.core.spec import Threshold

TESTS = {"exact_binomial": "exact binomial", "studentized_bootstrap": "studentized bootstrap",
         "mcnemar_exact": "exact McNemar", "tango_score": "Tango score test"}


def threshold_reason(t: Threshold, head: str, r: dict) -> str:
    """Reason for a bound-judged threshold: the deciding bound, the test's p and the power."""
    limit_value = t.min if t.bound == "lower95" else t.max
    shown = fmt_apart(r["compared_value"], limit_value)
    test = TESTS.get(r["test"], r["test"])
    p = f", {test} {pvalue(r['p_value'])}" if r.get("p_value") is not None else ""
    if r["outcome"] == "pass":
        return f"{head} meets {requirement(t)} ({t.bound} {shown}{p})"
    if r["outcome"] == "fail":
        other = "upper95" if t.bound == "lower95" else "lower95"
        opposite = fmt_apart(r["opposite_value"], limit_value)
        return f"{head} fails {requirement(t)}: the data show it is not met ({other} {opposite}{p})"
    return f"{head} cannot support {requirement(t)} ({t.bound} {shown}{p}): {r['power_note']}"


def comparison_reason(r: dict) -> str:
    level = round(100 * (1 - 2 * r["alpha"]))
    lo, hi = r["ci"]
    direction = "" if r["higher_is_better"] else ", lower is better"
    if r["kind"] == "non_inferiority":
        claim, boundary = f"non-inferiority (max_drop {limit(r['margin'])})", -r["margin"]
    else:
        claim, boundary = f"superiority (min_gain {limit(r['margin'])})", r["margin"]
    test = TESTS.get(r["test"], r["test"])
    head = (f"{r['metric']} vs baseline: delta {fmt(r['delta'], signed=True)} (candidate "
            f"{fmt(r['candidate'])}, baseline {fmt(r['baseline'])}{direction}, {level}% CI "
            f"{fmt(lo, signed=True)} to {fmt(hi, signed=True)}, {test} {pvalue(r['p_value'])}, "
            f"n={r['n']})")
    if r["outcome"] == "pass":
        return f"{head} shows {claim}"
    if r["outcome"] == "fail":
        return f"{head} fails {claim}: the data show delta < {limit(boundary)}"
    return f"{head} cannot show {claim}: {r['power_note']}"


def pvalue(p: float | None) -> str:
    if p is None:
        return "p n/a"
    text = numbers.pvalue(p)
    return f"p{text}" if text.startswith("<") else f"p={text}"


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


