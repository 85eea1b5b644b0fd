"""Operating characteristics of every verdict rule, by simulation.

run: python benchmarks/verdicts.py            (about 3 minutes on 1 core)
     python benchmarks/verdicts.py --quick    (a tenth of the replicates, for a smoke test)

For each comparison the judge makes it simulates gates whose true value sits exactly at the
margin and counts how often the judge says ``pass`` (the false-pass rate, which must not
exceed alpha), then at a realistic good value (how often it passes, and how often it wrongly
fails). Beside each rule it prints the rule it replaced (issue 20): the point value for a
threshold without ``bound:``, the studentized bootstrap with its 30-item floor for bounded
scores. Rates and paired 0/1 outcomes are judged by the judge itself
(``judge_threshold`` / ``judge_comparison``) on every distinct simulated count; bounded
scores by the judge's betting functions, vectorised over replicates, with its no-signal
rule (identical pairs never pass). The last line is the worst false-pass rate of the rules
in use; the exit code is 1 when any exceeds alpha by more than three Monte Carlo standard
errors (the replaced rules are shown, not held to it).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import Comparison, Threshold
from gatekeeper.verdict import betting, stats
from gatekeeper.verdict.bounds import MIN_N_SCORES
from gatekeeper.verdict.judge import judge_threshold
from gatekeeper.verdict.paired import judge_comparison

ALPHA = 0.05
RATE = Metric("rate")


def judged_counts(keys: np.ndarray, decide) -> np.ndarray:
    """Outcome of each simulated count, deciding every distinct count once."""
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    outcomes = np.array([decide(*map(int, np.atleast_1d(u))) for u in uniq])
    return outcomes[inverse.reshape(-1)]


def _rate_measurement(k: int, n: int) -> Measurement:
    values = (1.0,) * k + (0.0,) * (n - k)
    return Measurement(metrics={"rate": k / n}, n=n, samples={"rate": Samples(values)})


def rate_threshold(n: int, threshold: Threshold, true: float, reps: int, rng):
    """The judge's outcome for a rate threshold on n items of true rate ``true``."""
    def decide(k):
        return judge_threshold(threshold, _rate_measurement(k, n), None, RATE).outcome
    return judged_counts(rng.binomial(n, true, size=reps), decide)


def paired_rate(n: int, boundary: float, delta: float, disc: float, reps: int, rng):
    disc = max(disc, abs(delta))
    p10, p01 = (disc + delta) / 2, (disc - delta) / 2
    counts = rng.multinomial(n, [p10, p01, 1 - disc], size=reps)[:, :2]
    c = Comparison(metric="rate", **({"max_drop": -boundary} if boundary < 0 else {"min_gain": boundary}))

    def decide(b, c_):
        better = (1.0,) * b + (0.0,) * c_ + (1.0,) * ((n - b - c_) // 2) + (0.0,) * (n - b - c_ - (n - b - c_) // 2)
        worse = (0.0,) * b + (1.0,) * c_ + better[b + c_:]
        m = Measurement(metrics={"rate": sum(better) / n}, n=n,
                        samples={"rate": Samples(better, worse)})
        return judge_comparison(c, m, None, None, {"rate": RATE}).outcome
    return judged_counts(counts, decide)


def beta_scores(mean: float, conc: float = 5.0):
    return lambda rng, shape: rng.beta(mean * conc, (1 - mean) * conc, size=shape)


def mostly_perfect(mean: float):
    """Share q of items score 1, the rest uniform on [0, 1]: mean q + (1 - q) / 2."""
    q = 2 * mean - 1
    return lambda rng, shape: np.where(rng.random(shape) < q, 1.0, rng.random(shape))


def _outcomes(up, down) -> np.ndarray:
    return np.where(up, "pass", np.where(down, "fail", "inconclusive"))


def score_threshold(limit: float, values: np.ndarray, old: bool = False, upper: float | None = None):
    """New: the judge's betting bounds (scores in [0, 1]); old: the bootstrap, >= 30 items."""
    n = values.shape[1]
    if old:
        if n < MIN_N_SCORES:
            return np.full(len(values), "inconclusive")
        boot = stats.student_bootstrap(values, se_floor=1.0 / n ** 1.5, n_resamples=1000, seed=1)
        lo, hi = boot.lower(0.95), boot.upper(0.95)
        if upper is None:
            return _outcomes(lo >= limit, hi < limit)
        return _outcomes((lo >= limit) & (hi <= upper), (hi < limit) | (lo > upper))
    up = betting.p_value(values, limit, "greater") <= ALPHA
    down = betting.p_value(values, limit, "less") <= ALPHA
    if upper is None:
        return _outcomes(up, down)
    up2 = betting.p_value(values, upper, "less") <= ALPHA
    down2 = betting.p_value(values, upper, "greater") <= ALPHA
    return _outcomes(up & up2, down | down2)


def paired_diffs(delta: float, identical: float):
    """Per-item differences in [-1, 1]: a share ``identical`` exactly 0, the others
    delta / (1 - identical) + uniform noise of half-width h: the mean is exactly delta."""
    moved_mean = delta / (1 - identical)
    half = min(0.3, 1 - abs(moved_mean))

    def draw(rng, shape):
        moved = rng.random(shape) >= identical
        return np.where(moved, moved_mean + half * rng.uniform(-1, 1, size=shape), 0.0)
    return draw


def paired_score(boundary: float, diffs: np.ndarray, old: bool = False):
    """New: betting on (d + 1) / 2 with the no-signal rule; old: the bootstrap, >= 30 items."""
    n = diffs.shape[1]
    if old:
        if n < MIN_N_SCORES:
            return np.full(len(diffs), "inconclusive")
        boot = stats.student_bootstrap(diffs, se_floor=2.0 / n ** 1.5, n_resamples=1000, seed=1)
        up, down = boot.p_value(boundary, "greater"), boot.p_value(boundary, "less")
        return _outcomes(up < ALPHA, down < ALPHA)
    y, m0 = (diffs + 1) / 2, (boundary + 1) / 2
    up = betting.p_value(y, m0, "greater") <= ALPHA
    down = betting.p_value(y, m0, "less") <= ALPHA
    silent = np.all(diffs == 0, axis=1)  # identical on every item: no signal, never a pass
    return _outcomes(up & ~silent, down)


def scenarios(reps: int, score_reps: int, rng):
    """(kind, setting, n, reps, simulate(reps, true_is_margin, old) -> outcomes | None, good label)."""
    out = []

    def rate_row(kind, setting, n, threshold, margin, good, label):
        old_t = Threshold(threshold.metric, threshold.min, threshold.max, "point")

        def sim(r, at_margin, old):
            t = old_t if old else threshold
            return rate_threshold(n, t, margin if at_margin else good, r, rng)
        out.append((kind, setting, n, reps, sim, label))

    for n in (100, 400, 1300):
        rate_row("default bound", "min 0.85 (no bound:)", n, Threshold("rate", min=0.85), 0.85, 0.9,
                 "p=0.9")
    for n, good in ((650, 0.999), (1300, 0.999)):
        rate_row("rate >= threshold", "min 0.995", n, Threshold("rate", min=0.995), 0.995, good,
                 f"p={good}")
    rate_row("rate <= threshold", "max 0.05", 300, Threshold("rate", max=0.05), 0.05, 0.01, "p=0.01")
    rate_row("rate, small n", "min 0.8", 20, Threshold("rate", min=0.8), 0.8, 0.98, "p=0.98")
    for margin in (0.1, 0.2):
        rate_row("two-sided rate", f"within [0.1, 0.2], true {margin:g}", 300,
                 Threshold("rate", min=0.1, max=0.2), margin, 0.15, "p=0.15")

    def score_row(kind, setting, n, make, limit, good, label, upper=None, margin=None):
        def sim(r, at_margin, old):
            values = make(limit if margin is None and at_margin else margin if at_margin else good)(rng, (r, n))
            return score_threshold(limit, values, old, upper)
        out.append((kind, setting, n, score_reps, sim, label))

    for n in (10, 30, 50, 100, 300):
        score_row("scores >= threshold", "min 0.8, beta scores", n, beta_scores, 0.8, 0.88, "mean=0.88")
    for n in (10, 30, 50, 100, 300):
        score_row("scores bunched at 1.0", "min 0.95, 90% of items at 1.0", n, mostly_perfect,
                  0.95, 0.975, "mean=0.975")
    score_row("two-sided scores", "within [0.3, 0.6], true 0.6", 200, beta_scores, 0.3, 0.45,
              "mean=0.45", upper=0.6, margin=0.6)

    for gain, disc, n in ((0.0, 0.1, 300), (0.05, 0.1, 300), (0.05, 0.3, 300), (0.05, 0.3, 60)):
        def sim(r, at_margin, old, g=gain, d=disc, n=n):
            return None if old else paired_rate(n, g, g if at_margin else g + 0.08, d, r, rng)
        out.append(("paired superiority", f"min_gain {gain:g}, discordance {disc:g}", n, reps, sim,
                    f"delta={gain + 0.08:g}"))
    for disc in (0.06, 0.2, 0.4):
        for n in (200, 650):
            def sim(r, at_margin, old, d=disc, n=n):
                return None if old else paired_rate(n, -0.05, -0.05 if at_margin else 0.0, d, r, rng)
            out.append(("paired non-inferiority", f"max_drop 0.05, discordance {disc:g}", n, reps,
                        sim, "delta=0"))

    for identical in (0.0, 0.5, 0.9, 0.99):
        margin = min(0.02, 0.5 * (1 - identical))
        for n in (10, 30, 50, 100, 300):
            def sim(r, at_margin, old, q=identical, m=margin, n=n):
                draw = paired_diffs(-m if at_margin else 0.0, q)
                return paired_score(-m, draw(rng, (r, n)), old)
            out.append(("paired scores", f"max_drop {margin:g}, {identical:.0%} identical", n,
                        score_reps, sim, "delta=0"))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the replicates")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    rng = np.random.default_rng(args.seed)
    started = time.time()
    header = (f"{'kind':<23} {'setting':<34} {'n':>5} {'reps':>6}  {'false-pass':>10} {'(3 SE)':>7}"
              f"  {'good value':<10} {'pass':>6} {'fail':>6}  {'replaced rule: false-pass':>26} {'pass':>6}")
    print(header)
    print("-" * len(header))
    worst, bad = (0.0, ""), []
    for kind, setting, n, reps, simulate, good in scenarios(10000 // scale, 2000 // scale, rng):
        fp = float(np.mean(simulate(reps, True, False) == "pass"))
        se3 = 3 * math.sqrt(ALPHA * (1 - ALPHA) / reps)
        good_reps = max(reps // 2, 200)
        good_out = simulate(good_reps, False, False)
        old_margin = simulate(reps, True, True)
        old = "" if old_margin is None else (
            f"{np.mean(old_margin == 'pass'):>26.4f} "
            f"{np.mean(simulate(good_reps, False, True) == 'pass'):>6.3f}")
        flag = " !" if fp > ALPHA + se3 else ""
        print(f"{kind:<23} {setting:<34} {n:>5} {reps:>6}  {fp:>10.4f} {se3:>7.4f}  {good:<10} "
              f"{np.mean(good_out == 'pass'):>6.3f} {np.mean(good_out == 'fail'):>6.3f}  {old}{flag}",
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
