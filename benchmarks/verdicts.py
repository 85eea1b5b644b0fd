"""Operating characteristics of every verdict rule, by simulation.

run: python benchmarks/verdicts.py            (about 2-3 minutes on 2 cores)
     python benchmarks/verdicts.py --quick    (a tenth of the replicates, for a smoke test)

For each comparison kind the judge makes (rate vs threshold, score vs threshold, paired
superiority, paired non-inferiority at several discordance levels, small n) it simulates
gates whose true value sits exactly at the margin and counts how often the judge says
``pass`` (the false-pass rate, which must not exceed alpha), then at a realistic good value
(how often it passes, and how often it wrongly fails). Rates and paired 0/1 outcomes are
judged by the judge's own functions on every distinct simulated count; scores by the same
conservative studentized bootstrap, vectorised over replicates (2,000 resamples here, 4,000
in the judge). The last line is the worst false-pass rate; the exit code is 1 when any
false-pass rate exceeds alpha by more than three Monte Carlo standard errors.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from gatekeeper.verdict import stats
from gatekeeper.verdict.paired import _binary_test
from gatekeeper.verdict.bounds import MIN_N_SCORES
from gatekeeper.verdict.judge import _binary_bounds
from gatekeeper.core.metrics import Metric

ALPHA = 0.05
RATE = Metric("rate")
SCORE = Metric("score", kind="score")


def judged_counts(keys: np.ndarray, decide) -> np.ndarray:
    """Outcome of each simulated count, deciding every distinct count once."""
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    outcomes = np.array([decide(*map(int, np.atleast_1d(u))) for u in uniq])
    return outcomes[inverse.reshape(-1)]


def rate_threshold(n: int, limit: float, true: float, reps: int, rng, side: str = "min"):
    def decide(k):
        values = np.r_[np.ones(k), np.zeros(n - k)]
        return _binary_bounds(values, limit, side == "min", RATE)["outcome"]
    return judged_counts(rng.binomial(n, true, size=reps), decide)


def paired_rate(n: int, boundary: float, delta: float, disc: float, reps: int, rng):
    disc = max(disc, abs(delta))
    p10, p01 = (disc + delta) / 2, (disc - delta) / 2
    counts = rng.multinomial(n, [p10, p01, 1 - disc], size=reps)[:, :2]

    def decide(b, c):
        better = np.r_[np.ones(b), np.zeros(c), np.zeros(n - b - c)]
        worse = np.r_[np.zeros(b), np.ones(c), np.zeros(n - b - c)]
        return _binary_test(better, worse, boundary, ALPHA, RATE)["outcome"]
    return judged_counts(counts, decide)


def beta_scores(mean: float, conc: float = 5.0):
    return lambda rng, shape: rng.beta(mean * conc, (1 - mean) * conc, size=shape)


def mostly_perfect(mean: float):
    """Share q of items score 1, the rest uniform on [0, 1]: mean q + (1 - q) / 2."""
    q = 2 * mean - 1
    return lambda rng, shape: np.where(rng.random(shape) < q, 1.0, rng.random(shape))


def score_threshold(n: int, limit: float, draw, reps: int, rng):
    values = draw(rng, (reps, n))
    if n < MIN_N_SCORES:
        return np.full(reps, "inconclusive")
    boot = stats.student_bootstrap(values, se_floor=1.0 / n ** 1.5, n_resamples=2000, seed=1)
    lo, hi = boot.lower(0.95), boot.upper(0.95)
    return np.where(lo >= limit, "pass", np.where(hi < limit, "fail", "inconclusive"))


def paired_diffs(shift: float):
    """Baseline Beta(8, 2) per item, candidate = baseline + shift + noise, clipped to [0, 1]."""
    def draw(rng, shape):
        base = rng.beta(8, 2, size=shape)
        cand = np.clip(base + shift + rng.normal(0, 0.1, size=shape), 0, 1)
        return cand - base
    return draw


def paired_score(n: int, boundary: float, draw, reps: int, rng):
    diffs = draw(rng, (reps, n))
    if n < MIN_N_SCORES:
        return np.full(reps, "inconclusive")
    boot = stats.student_bootstrap(diffs, se_floor=2.0 / n ** 1.5, n_resamples=2000, seed=1)
    up, down = boot.p_value(boundary, "greater"), boot.p_value(boundary, "less")
    return np.where(up < ALPHA, "pass", np.where(down < ALPHA, "fail", "inconclusive"))


def true_mean(draw, rng) -> float:
    return float(draw(rng, 2_000_000).mean())


def scenarios(reps: int, score_reps: int, rng):
    """(kind, setting, n, reps, at-margin simulator, at-good simulator, good label)."""
    out = []
    for n, good in ((650, 0.999), (1300, 0.999), (650, 0.997)):
        out.append(("rate >= threshold", "min 0.995 lower95", n, reps,
                    lambda r, n=n: rate_threshold(n, 0.995, 0.995, r, rng),
                    lambda r, n=n, g=good: rate_threshold(n, 0.995, g, r, rng), f"p={good}"))
    out.append(("rate >= threshold", "min 0.85 lower95", 100, reps,
                lambda r: rate_threshold(100, 0.85, 0.85, r, rng),
                lambda r: rate_threshold(100, 0.85, 0.93, r, rng), "p=0.93"))
    out.append(("rate <= threshold", "max 0.05 upper95", 300, reps,
                lambda r: rate_threshold(300, 0.05, 0.05, r, rng, "max"),
                lambda r: rate_threshold(300, 0.05, 0.01, r, rng, "max"), "p=0.01"))
    out.append(("rate, small n", "min 0.8 lower95", 20, reps,
                lambda r: rate_threshold(20, 0.8, 0.8, r, rng),
                lambda r: rate_threshold(20, 0.8, 0.98, r, rng), "p=0.98"))
    for n, label, make in ((20, "beta", beta_scores), (30, "beta", beta_scores),
                           (50, "beta", beta_scores), (200, "beta", beta_scores),
                           (30, "mostly 1.0", mostly_perfect), (50, "mostly 1.0", mostly_perfect)):
        kind = "score, small n" if n < MIN_N_SCORES else "score >= threshold"
        out.append((kind, f"min 0.8, {label} scores", n, score_reps,
                    lambda r, n=n, mk=make: score_threshold(n, 0.8, mk(0.8), r, rng),
                    lambda r, n=n, mk=make: score_threshold(n, 0.8, mk(0.88), r, rng), "mean=0.88"))
    for gain, disc, n in ((0.0, 0.1, 300), (0.0, 0.3, 300), (0.05, 0.1, 300), (0.05, 0.3, 300),
                          (0.05, 0.3, 60)):
        out.append(("paired superiority", f"min_gain {gain:g}, discordance {disc:g}", n, reps,
                    lambda r, g=gain, d=disc, n=n: paired_rate(n, g, g, d, r, rng),
                    lambda r, g=gain, d=disc, n=n: paired_rate(n, g, g + 0.08, d, r, rng),
                    f"delta={gain + 0.08:g}"))
    for disc in (0.06, 0.1, 0.2, 0.4):
        for n in (200, 650):
            out.append(("paired non-inferiority", f"max_drop 0.05, discordance {disc:g}", n, reps,
                        lambda r, d=disc, n=n: paired_rate(n, -0.05, -0.05, d, r, rng),
                        lambda r, d=disc, n=n: paired_rate(n, -0.05, 0.0, d, r, rng), "delta=0"))
    margin_draw, good_draw = paired_diffs(-0.03), paired_diffs(0.0)
    boundary = true_mean(margin_draw, rng)
    for n in (10, 30, 100):
        kind = "paired scores, small n" if n < MIN_N_SCORES else "paired scores non-inf."
        out.append((kind, f"max_drop {-boundary:.3f}", n, score_reps,
                    lambda r, n=n: paired_score(n, boundary, margin_draw, r, rng),
                    lambda r, n=n: paired_score(n, boundary, good_draw, r, rng), "delta~0"))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the replicates")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    rng = np.random.default_rng(args.seed)
    started = time.time()
    header = (f"{'kind':<24} {'setting':<34} {'n':>5} {'reps':>6}  {'false-pass':>10} {'(3 SE)':>7}"
              f"  {'good value':<12} {'pass':>6} {'fail':>6}")
    print(header)
    print("-" * len(header))
    worst, bad = (0.0, ""), []
    for kind, setting, n, reps, at_margin, at_good, good in scenarios(20000 // scale,
                                                                      2000 // scale, rng):
        fp = float(np.mean(at_margin(reps) == "pass"))
        se3 = 3 * math.sqrt(ALPHA * (1 - ALPHA) / reps)
        good_out = at_good(max(reps // 2, 200))
        flag = " !" if fp > ALPHA + se3 else ""
        print(f"{kind:<24} {setting:<34} {n:>5} {reps:>6}  {fp:>10.4f} {se3:>7.4f}  {good:<12} "
              f"{np.mean(good_out == 'pass'):>6.3f} {np.mean(good_out == 'fail'):>6.3f}{flag}",
              flush=True)
        if fp > worst[0]:
            worst = (fp, f"{kind}, {setting}, n={n}")
        if flag:
            bad.append(setting)
    print(f"alpha {ALPHA}; {time.time() - started:.0f} s")
    print(f"worst false-pass rate: {worst[0]:.4f} ({worst[1]})"
          + (f"; ABOVE alpha + 3 SE in {len(bad)} setting(s)" if bad else "; within alpha + 3 SE"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
