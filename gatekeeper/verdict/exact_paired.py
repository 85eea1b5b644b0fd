"""Exact pass probability of a paired binary comparison: the judge's own rule counted over
every outcome (``gatekeeper.verdict.power`` uses it up to ``power.EXACT_PAIRED_N`` items).

n paired items split into D discordant pairs, D ~ Bin(n, discordance), of which the
candidate-only ones are b ~ Bin(D, p10 / discordance). For each D the judge's test (Tango's
corrected score test at a margin, exact McNemar at margin 0; ``verdict/paired._binary_test``)
passes from some b on; P(pass) sums those tails. D = 0 never passes: the judge calls a
comparison without a discordant pair "no signal" (``verdict/bounds.no_signal``). ``d`` is a
``power.Design`` (``limit``, ``alpha``, ``discordance``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from gatekeeper.verdict import stats


def pass_probability(d, n: int, delta) -> np.ndarray:
    """P(pass) summed over D ~ Bin(n, discordance) discordant pairs, of which the candidate's
    b ~ Bin(D, p10 / discordance); the test passes from b = first[D] on, and never at D = 0
    (no signal)."""
    from scipy.stats import binom

    delta = np.asarray(delta, dtype=float)
    disc = np.clip(np.maximum(d.discordance, np.abs(delta)), 0.0, 1.0)
    first = first_passing_b(n, float(d.limit), float(d.alpha))
    total = np.arange(n + 1)
    out = np.empty(delta.shape)
    for i, (dl, ds) in enumerate(zip(delta.ravel(), disc.ravel())):
        if ds <= 0.0:
            out.flat[i] = 0.0  # identical outcomes on every item: no signal, no pass
            continue
        up = binom.sf(first - 1, total, min(max((ds + dl) / (2 * ds), 0.0), 1.0))
        up[0] = 0.0
        out.flat[i] = float(np.dot(binom.pmf(total, n, ds), up))
    return out


@functools.lru_cache(maxsize=64)
def first_passing_b(n: int, d0: float, alpha: float) -> np.ndarray:
    """For each number of discordant pairs D = 0..n: the fewest candidate-only pairs b at
    which the judge's test passes (D + 1 when none does). The test's p-value falls as b
    grows with D fixed, so a bisection per D (all D at once) finds it."""
    total = np.arange(n + 1)
    lo, hi = np.zeros(n + 1, dtype=np.int64), total + 1
    for _ in range(int(math.log2(n + 1)) + 2):
        mid = (lo + hi) // 2
        ok = (mid <= total) & passes(np.minimum(mid, total), total, n, d0, alpha)
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid + 1)
    hi.setflags(write=False)  # cached: shared by every caller
    return hi


def passes(b, total, n: int, d0: float, alpha: float):
    """The judge's paired binary rule (paired._binary_test), vectorised over (b, D)."""
    from scipy.stats import binom, norm

    c = total - b
    if d0 == 0:  # exact McNemar, one-sided
        return np.where(total > 0, binom.sf(b - 1, total, 0.5), 1.0) < alpha
    num = b - c - n * d0 - stats.TANGO_CORRECTION
    a2 = 2.0 * n
    bb = -b - c + (2.0 * n - b + c) * d0
    cc = -c * d0 * (1.0 - d0)
    p01 = np.maximum((-bb + np.sqrt(np.maximum(bb * bb - 4.0 * a2 * cc, 0.0))) / (2.0 * a2), 0.0)
    var = n * (2.0 * p01 + d0 * (1.0 - d0))
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(var > 0, num / np.sqrt(np.maximum(var, 1e-300)), np.sign(num) * np.inf)
    score = np.where(np.abs(num) < 1e-9, 0.0, score)
    return norm.sf(score) < alpha
