"""Intervals, exact tests and sample sizes behind every verdict (DESIGN.md §7).

Pure functions over counts and per-item values: no I/O and no gatekeeper types, so each
one can be checked against textbook numbers. Which one a gate uses is decided in
``gatekeeper.judge``, whose docstring states the statistics policy.

    one rate        wilson_interval (display), clopper_pearson_interval,
                    clopper_pearson_lower / clopper_pearson_upper (one-sided, for bounds)
    paired rates    mcnemar_exact, paired_binary_interval (Newcombe's hybrid score)
    scores          paired_bootstrap, bootstrap_mean_interval, bootstrap_mean_bound
    sample size     required_n_for_lower_bound / _upper_bound, required_n_for_mean_bound,
                    required_n_paired, required_n_paired_continuous

scipy.stats is imported inside the functions that need it: it costs ~0.6 s, and
``gatekeeper validate`` must stay fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Callable, Sequence

import numpy as np

_ALTERNATIVES = ("two-sided", "greater", "less")
_CHUNK = 1 << 22  # bootstrap index draws per chunk: bounds memory at ~32 MB for any n
_SCAN = 1 << 16   # candidate sample sizes tested per vectorised step


def _check_confidence(confidence: float, name: str = "confidence") -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {confidence!r}")


def _check_counts(k: int, n: int) -> None:
    if int(n) != n or int(k) != k:
        raise ValueError(f"counts must be integers, got k={k!r}, n={n!r}")
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"need n >= 0 and 0 <= k <= n, got k={k}, n={n}")


def _check_unit(value: float, name: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be within [0, 1], got {value!r}")


def _z(p: float) -> float:
    return NormalDist().inv_cdf(p)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided Wilson score interval for k successes in n: the display interval.

    Unlike the Wald interval it stays inside [0, 1] and is sensible at k = 0 or k = n.
    n = 0 carries no information and returns (0, 1).
    """
    _check_counts(k, n)
    _check_confidence(confidence)
    if n == 0:
        return 0.0, 1.0
    z = _z(1 - (1 - confidence) / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson_lower(k: int, n: int, confidence: float = 0.95) -> float:
    """One-sided exact lower bound: the rate is >= this with probability ``confidence``."""
    from scipy.stats import beta

    _check_counts(k, n)
    _check_confidence(confidence)
    return 0.0 if k == 0 else float(beta.ppf(1 - confidence, k, n - k + 1))


def clopper_pearson_upper(k: int, n: int, confidence: float = 0.95) -> float:
    """One-sided exact upper bound: the rate is <= this with probability ``confidence``."""
    from scipy.stats import beta

    _check_counts(k, n)
    _check_confidence(confidence)
    return 1.0 if k == n else float(beta.ppf(confidence, k + 1, n - k))


def clopper_pearson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided exact (Clopper-Pearson) interval: each tail holds (1 - confidence) / 2."""
    _check_confidence(confidence)
    one_sided = 1 - (1 - confidence) / 2
    return clopper_pearson_lower(k, n, one_sided), clopper_pearson_upper(k, n, one_sided)


def _first_true(pred: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Smallest n in [lo, hi] with pred(n), for a pred that is False then True."""
    if lo > hi or not pred(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def required_n_for_lower_bound(rate: float, target: float, confidence: float = 0.95,
                               max_n: int = 10_000_000, *, min_n: int = 1) -> int | None:
    """Smallest n >= min_n whose one-sided Clopper-Pearson lower bound reaches ``target``
    if the observed rate stays ``rate`` (failures = n * (1 - rate), rounded half up).

    None when rate <= target (no n suffices) or when more than ``max_n`` would be needed.
    Rounding makes the bound a saw-tooth in n, so the search brackets the answer between
    two smooth bounds (failures -/+ 0.5) found by bisection, then scans only that bracket.
    """
    from scipy.stats import beta

    _check_unit(rate, "rate")
    _check_unit(target, "target")
    _check_confidence(confidence)
    if rate <= target:
        return None
    q, alpha = 1.0 - rate, 1.0 - confidence

    def supports(n, failures):
        # lower bound >= target  <=>  P(Beta(k, n-k+1) <= target) <= alpha; the cdf is cheap
        k = n - failures
        return (k > 0) & (beta.cdf(target, np.maximum(k, 1e-12), failures + 1) <= alpha)

    lo = _first_true(lambda n: bool(supports(n, max(n * q - 0.5, 0.0))), max(min_n, 1), max_n)
    if lo is None:
        return None
    hi = _first_true(lambda n: bool(supports(n, n * q + 0.5)), lo, max_n) or max_n
    for start in range(lo, hi + 1, _SCAN):
        ns = np.arange(start, min(start + _SCAN, hi + 1))
        hits = np.flatnonzero(supports(ns, np.floor(ns * q + 0.5)))
        if hits.size:
            return int(ns[hits[0]])
    return None


def required_n_for_upper_bound(rate: float, target: float, confidence: float = 0.95,
                               max_n: int = 10_000_000, *, min_n: int = 1) -> int | None:
    """Smallest n whose one-sided upper bound stays <= ``target`` at the observed ``rate``.

    The mirror image of :func:`required_n_for_lower_bound` (upper(k, n) = 1 - lower(n-k, n));
    None when rate >= target.
    """
    _check_unit(rate, "rate")
    _check_unit(target, "target")
    if rate >= target:
        return None
    return required_n_for_lower_bound(1.0 - rate, 1.0 - target, confidence, max_n, min_n=min_n)


def mcnemar_exact(b: int, c: int, alternative: str = "two-sided") -> float:
    """Exact McNemar p-value: a binomial test of b against b + c discordant pairs at 1/2.

    b counts pairs where the candidate is right and the baseline wrong, c the reverse;
    "greater" tests that the candidate is better. No discordant pairs: p = 1.
    """
    from scipy.stats import binomtest

    _check_counts(b, b + c)
    _check_counts(c, b + c)
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    if b + c == 0:
        return 1.0
    return float(binomtest(int(b), int(b + c), 0.5, alternative=alternative).pvalue)


def _as_values(values: Sequence[float], name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _as_pair(candidate: Sequence[float],
             baseline: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    cand, base = _as_values(candidate, "candidate"), _as_values(baseline, "baseline")
    if cand.shape != base.shape:
        raise ValueError(f"paired samples differ in length: {cand.size} vs {base.size}")
    return cand, base


def _newcombe_phi(a: int, b: int, c: int, d: int) -> float:
    """Newcombe's corrected phi: ad - bc shrunk by n/2 when positive, 0 for a zero margin."""
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    if margins == 0:
        return 0.0
    cross = a * d - b * c
    n = a + b + c + d
    corrected = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
    return corrected / math.sqrt(margins)


def paired_binary_interval(candidate: Sequence[float], baseline: Sequence[float],
                           confidence: float = 0.95) -> tuple[float, float, float]:
    """(delta, lo, hi) for mean(candidate) - mean(baseline) of paired 0/1 outcomes.

    Newcombe (1998) method 10: Wilson intervals of both marginal rates combined by
    square-and-add, with the (corrected) phi coefficient accounting for the pairing.
    It stays within [-1, 1] and behaves at zero counts, where Wald intervals collapse.
    """
    _check_confidence(confidence)
    cand, base = _as_pair(candidate, baseline)
    if not np.all(np.isin(cand, (0.0, 1.0))) or not np.all(np.isin(base, (0.0, 1.0))):
        raise ValueError("paired_binary_interval needs 0/1 samples")
    n = cand.size
    a = int(np.sum((cand == 1) & (base == 1)))
    b = int(np.sum((cand == 1) & (base == 0)))
    c = int(np.sum((cand == 0) & (base == 1)))
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, confidence)
    l2, u2 = wilson_interval(a + c, n, confidence)
    phi = _newcombe_phi(a, b, c, n - a - b - c)
    delta = p1 - p2
    down = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    up = (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    lo = max(-1.0, delta - math.sqrt(max(down, 0.0)))
    return delta, lo, min(1.0, delta + math.sqrt(max(up, 0.0)))


def _resample_means(values: np.ndarray, n_resamples: int, seed: int) -> np.ndarray:
    """Means of ``n_resamples`` bootstrap resamples, drawn in chunks to bound memory."""
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    rng = np.random.default_rng(seed)
    n = values.size
    out = np.empty(n_resamples)
    rows = max(1, _CHUNK // n)
    for start in range(0, n_resamples, rows):
        stop = min(start + rows, n_resamples)
        out[start:stop] = values[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return out


@dataclass(frozen=True)
class BootstrapResult:
    """Paired bootstrap of mean(candidate - baseline): estimate, percentile interval,
    and the resampled deltas (kept for p-values; left out of repr and equality)."""

    delta: float
    low: float
    high: float
    confidence: float
    resamples: np.ndarray = field(repr=False, compare=False)

    def p_value(self, margin: float = 0.0, alternative: str = "greater") -> float:
        """Bootstrap p-value against ``margin``: for "greater" (H1: delta > margin) the
        share of resampled deltas <= margin, consistent with the percentile interval."""
        at_or_below = float(np.mean(self.resamples <= margin))
        at_or_above = float(np.mean(self.resamples >= margin))
        if alternative == "greater":
            return at_or_below
        if alternative == "less":
            return at_or_above
        if alternative == "two-sided":
            return min(1.0, 2 * min(at_or_below, at_or_above))
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")


def paired_bootstrap(candidate: Sequence[float], baseline: Sequence[float], *,
                     confidence: float = 0.95, n_resamples: int = 10_000,
                     seed: int = 0) -> BootstrapResult:
    """Percentile bootstrap of the mean paired difference, resampling items (pairs).

    Resampling whole pairs keeps each item's candidate and baseline together, which is
    what makes the comparison paired. Seeded: the same input gives the same result.
    """
    _check_confidence(confidence)
    cand, base = _as_pair(candidate, baseline)
    diffs = cand - base
    resamples = _resample_means(diffs, n_resamples, seed)
    alpha = 1 - confidence
    low, high = np.quantile(resamples, [alpha / 2, 1 - alpha / 2])
    return BootstrapResult(float(diffs.mean()), float(low), float(high), confidence, resamples)


def bootstrap_mean_interval(values: Sequence[float], confidence: float = 0.95,
                            n_resamples: int = 10_000, seed: int = 0) -> tuple[float, float, float]:
    """(mean, lo, hi): two-sided percentile bootstrap interval of a mean, for display."""
    _check_confidence(confidence)
    arr = _as_values(values, "values")
    alpha = 1 - confidence
    low, high = np.quantile(_resample_means(arr, n_resamples, seed), [alpha / 2, 1 - alpha / 2])
    return float(arr.mean()), float(low), float(high)


def bootstrap_mean_bound(values: Sequence[float], confidence: float = 0.95, *,
                         side: str = "lower", n_resamples: int = 10_000, seed: int = 0) -> float:
    """One-sided percentile bootstrap bound of a mean, for thresholds on continuous scores:
    side "lower" is the (1 - confidence) quantile, "upper" the ``confidence`` quantile."""
    _check_confidence(confidence)
    if side not in ("lower", "upper"):
        raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    resamples = _resample_means(_as_values(values, "values"), n_resamples, seed)
    return float(np.quantile(resamples, 1 - confidence if side == "lower" else confidence))


def required_n_for_mean_bound(mean: float, variance: float, target: float,
                              confidence: float = 0.95, *, side: str = "lower") -> int | None:
    """Normal-approximation n for a one-sided bound of a mean to clear ``target``.

    side "lower": the lower bound must reach target (None when mean <= target);
    "upper": the upper bound must stay under it (None when mean >= target).
    """
    _check_confidence(confidence)
    if variance < 0:
        raise ValueError(f"variance must be >= 0, got {variance!r}")
    if side not in ("lower", "upper"):
        raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    gap = mean - target if side == "lower" else target - mean
    if gap <= 0:
        return None
    return max(1, math.ceil(_z(confidence) ** 2 * variance / gap ** 2))


def required_n_paired_continuous(variance: float, delta: float, margin: float,
                                 alpha: float = 0.05, power: float = 0.8) -> int | None:
    """Normal-approximation n for a one-sided paired test of delta > margin at level
    ``alpha`` with the given ``power``; ``variance`` is that of the per-item differences.
    None when delta <= margin (no n makes the claim likely)."""
    _check_confidence(alpha, "alpha")
    _check_confidence(power, "power")
    if variance < 0:
        raise ValueError(f"variance must be >= 0, got {variance!r}")
    if delta <= margin:
        return None
    z = _z(1 - alpha) + _z(power)
    return max(1, math.ceil(z * z * variance / (delta - margin) ** 2))


def required_n_paired(p_discordant: float, delta: float, margin: float,
                      alpha: float = 0.05, power: float = 0.8) -> int | None:
    """Sample size for a paired binary comparison (McNemar design), normal approximation.

    A paired 0/1 difference is +1, -1 or 0, so its per-item variance is
    p_discordant - delta**2, with p_discordant the share of discordant pairs.
    """
    _check_unit(p_discordant, "p_discordant")
    if abs(delta) > p_discordant + 1e-12:
        raise ValueError(f"|delta| ({delta!r}) cannot exceed p_discordant ({p_discordant!r})")
    variance = max(p_discordant - delta ** 2, 0.0)
    return required_n_paired_continuous(variance, delta, margin, alpha, power)
