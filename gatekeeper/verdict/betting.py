"""Betting confidence bounds for the mean of a bounded variable (Waudby-Smith & Ramdas 2024).

A score in [0, 1] (any declared range is rescaled to it) is tested by betting against the
claim "the mean is at most m": capital starts at 1 and each item multiplies it by
``1 + lambda_i * (x_i - m)``. If the mean really is at most m this is a nonnegative
supermartingale, so by Markov's (Ville's) inequality the capital reaches 1/alpha with
probability at most alpha, at every n and for every distribution on [0, 1]: no normal
approximation, no bootstrap, no minimum n. Ties, zero variance and piles at 0 or 1 are just
data; the bound is valid for them as for anything else.

The bets are the paper's predictable plug-in for a fixed n (``lambda_predmix_eb`` with
``fixed_n`` in their ``confseq`` package): ``lambda_i = sqrt(2 log(1/alpha) / (n s2_i))``
with ``s2_i`` the regularised variance of the items before i, truncated at ``c / m``
(c = 3/4, the "hedged capital" truncation). Each factor is then at least 1 - c > 0 and
non-increasing in m, so the capital is non-increasing in m and the lower bound (the
smallest m it does not reject) is found by bisection, and agrees with the test at the
limit exactly. Because the bets depend on item order, the capital is averaged over
``PERMUTATIONS`` seeded random orders of the items, drawn independently of the data: each
order's capital has expectation <= 1 under the claim, so their mean does too (an e-value),
and a golden set sorted by category is judged as if shuffled.

The upper bound is the lower bound of 1 - x. The p-value shown is 1 / capital (capped at 1),
the e-value's own p-value. Everything is vectorised over rows (one sample per row) so
``benchmarks/verdicts.py`` judges thousands of simulated gates at once with these very
functions.
"""

from __future__ import annotations

import math

import numpy as np

TRUNCATION = 0.75       # c: a bet never risks more than 3/4 of the capital on one item
PERMUTATIONS = 16
_SEED = 0
_BISECT = 50


def _rows(x) -> tuple[np.ndarray, bool]:
    arr = np.asarray(x, dtype=float)
    single = arr.ndim == 1
    rows = arr[None, :] if single else arr
    if rows.ndim != 2 or rows.shape[1] == 0 or not np.all(np.isfinite(rows)):
        raise ValueError("values must be a non-empty 1-D (or 2-D) array of finite numbers")
    if np.any(rows < 0.0) or np.any(rows > 1.0):
        raise ValueError("betting bounds need values rescaled to [0, 1]")
    return rows, single


def _orders(n: int, count: int = PERMUTATIONS) -> np.ndarray:
    """Seeded permutations, drawn independently of the data: a golden set sorted by
    category is in a random order again in each of them."""
    rng = np.random.default_rng(_SEED)
    return np.stack([rng.permutation(n) for _ in range(count)])


def _bets(rows: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Items in each order and their untruncated bets: arrays (rows, orders, n)."""
    n = rows.shape[1]
    x = rows[:, _orders(n)]
    t = np.arange(1, n + 1)
    mean = (0.5 + np.cumsum(x, axis=-1)) / (t + 1)
    var = (0.25 + np.cumsum((x - mean) ** 2, axis=-1)) / (t + 1)
    before = np.concatenate([np.full(var.shape[:-1] + (1,), 0.25), var[..., :-1]], axis=-1)
    return x, np.sqrt(2 * math.log(1 / alpha) / (n * before))


def _log_capital(x: np.ndarray, bets: np.ndarray, m: np.ndarray) -> np.ndarray:
    """log of the capital against "mean <= m", averaged over the orders: shape (rows,)."""
    m = np.asarray(m, dtype=float).reshape(-1, 1, 1)
    with np.errstate(divide="ignore"):
        lam = np.minimum(bets, TRUNCATION / m)
    logs = np.log1p(lam * (x - m)).sum(axis=-1)           # (rows, orders)
    top = logs.max(axis=-1)
    return top + np.log(np.mean(np.exp(logs - top[:, None]), axis=-1))


def _out(values: np.ndarray, single: bool):
    return float(values[0]) if single else values


def log_capital(x, m, alpha: float = 0.05):
    """log e-value against "the mean of x is at most m" (x in [0, 1]); vectorised over rows."""
    rows, single = _rows(x)
    data, bets = _bets(rows, alpha)
    return _out(_log_capital(data, bets, np.broadcast_to(m, len(rows))), single)


def p_value(x, m, alternative: str = "greater", alpha: float = 0.05):
    """min(1, 1 / capital): "greater" tests H1 mean > m, "less" H1 mean < m."""
    if alternative == "less":
        return p_value(1.0 - np.asarray(x, dtype=float), 1.0 - np.asarray(m, dtype=float),
                       "greater", alpha)
    if alternative != "greater":
        raise ValueError(f"alternative must be 'greater' or 'less', got {alternative!r}")
    p = np.minimum(1.0, np.exp(-np.asarray(log_capital(x, m, alpha))))
    return float(p) if p.ndim == 0 else p


def lower_bound(x, confidence: float = 0.95):
    """One-sided lower bound: the mean is >= this with probability ``confidence``."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    rows, single = _rows(x)
    alpha = 1 - confidence
    data, bets = _bets(rows, alpha)
    need = math.log(1 / alpha)
    lo, hi = np.zeros(len(rows)), np.ones(len(rows))   # capital(lo) >= need > capital(hi)
    for _ in range(_BISECT):
        mid = (lo + hi) / 2
        rejected = _log_capital(data, bets, mid) >= need
        lo, hi = np.where(rejected, mid, lo), np.where(rejected, hi, mid)
    return _out(lo, single)


def upper_bound(x, confidence: float = 0.95):
    """One-sided upper bound: the mean is <= this with probability ``confidence``."""
    return _out(1.0 - np.atleast_1d(lower_bound(1.0 - np.asarray(x, dtype=float), confidence)),
                np.asarray(x).ndim == 1)


def interval(x, confidence: float = 0.95):
    """Two-sided interval: each end a one-sided bound at (1 + confidence) / 2."""
    one_sided = 1 - (1 - confidence) / 2
    return lower_bound(x, one_sided), upper_bound(x, one_sided)
