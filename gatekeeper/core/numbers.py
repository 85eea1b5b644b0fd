"""How gatekeeper writes numbers, in one place, so that a reason in report.json, the console
summary, the HTML and the JUnit message agree digit for digit.

- ``fixed``: a measured value, 3 decimals (``0.850``, ``+0.012``).
- ``limit``: a configured limit as the user wrote it (``0.995``, ``0.05``), never rounded.
- ``apart``: a value with enough decimals not to print equal to a different limit.
- ``pvalue``: a p-value (``<0.0001``, ``0.0012``, ``0.034``).
- ``significant``: a metric for display, 4 significant digits, thousands separators.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard


def is_number(x: Any) -> TypeGuard[float]:
    """A finite int or float (not a bool)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def fixed(x: float, signed: bool = False) -> str:
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def limit(x: float | None, unbounded: str = "none") -> str:
    return unbounded if x is None else f"{x:g}"


def apart(x: float, ref: float | None) -> str:
    """``x`` with enough decimals that it does not print equal to a different ``ref``."""
    if ref is None:
        return fixed(x)
    for digits in range(3, 8):
        if f"{x:.{digits}f}" != f"{ref:.{digits}f}":
            return f"{x:.{digits}f}"
    return f"{x:.8f}"


def pvalue(p: float) -> str:
    if p < 0.0001:
        return "<0.0001"
    return f"{p:.4f}" if p < 0.01 else f"{p:.3f}"


def significant(x: float) -> str:
    if isinstance(x, int):
        return f"{x:,}"
    if x == 0:
        return "0"  # also for -0.0, which rounding of axis ticks produces
    if abs(x) >= 1000:
        return f"{x:,.1f}"
    return f"{x:.4g}"
