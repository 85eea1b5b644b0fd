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
         "betting": "betting e-value",
         "mcnemar_exact": "exact McNemar", "tango_score": "Tango score test"}


def threshold_reason(t: Threshold, head: str, r: dict, side: str) -> str:
    """Reason for a bound-judged threshold: the deciding limit's bound, the test's p and the
    power. ``side`` is the deciding limit ("min" or "max")."""
    limit_value = t.min if side == "min" else t.max
    named, other = ("lower95", "upper95") if side == "min" else ("upper95", "lower95")
    shown = fmt_apart(r["compared_value"], limit_value)
    test = TESTS.get(r["test"], r["test"])
    p = f", {test} {pvalue(r['p_value'])}" if r.get("p_value") is not None else ""
    need = requirement(t, r["bound"])
    if r["outcome"] == "pass":
        both = r.get("bounds") if t.min is not None and t.max is not None else None
        if both:
            shown = (f"lower95 {fmt_apart(both[0], t.min)}, upper95 {fmt_apart(both[1], t.max)}")
            return f"{head} meets {need} ({shown}{p})"
        return f"{head} meets {need} ({named} {shown}{p})"
    if r["outcome"] == "fail":
        opposite = fmt_apart(r["opposite_value"], limit_value)
        return f"{head} fails {need}: the data show it is not met ({other} {opposite}{p})"
    return f"{head} cannot support {need} ({named} {shown}{p}): {r['power_note']}"


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


def requirement(t: Threshold, judged: str) -> str:
    """">= 0.85 at lower95", "within [0.1, 0.2] at lower95+upper95", "<= 0 (census)"."""
    if t.min is not None and t.max is not None:
        text = f"within [{limit(t.min)}, {limit(t.max)}]"
    else:
        text = f">= {limit(t.min)}" if t.min is not None else f"<= {limit(t.max)}"
    if judged == "point":
        return f"{text} (point, no evidence required)"
    if judged == "census":
        return f"{text} (census, exact)"
    return f"{text} at {judged}"


def describe_interval(interval: tuple | None, n: int | None) -> str:
    size = f"n={n}" if n else "n unknown"
    if interval is None:
        return f" ({size})"
    return f" (95% CI {fmt(interval[0])}-{fmt(interval[1])}, {size})"


