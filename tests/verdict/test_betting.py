"""Betting bounds for bounded means (Waudby-Smith & Ramdas 2024): the properties the paper
proves, checked by simulation on the cases that broke the bootstrap (ties, piles at the
boundary, small n), and the bet formula checked against the paper's own code."""

import math

import numpy as np
import pytest

from gatekeeper.verdict import betting

ALPHA = 0.05


def _reference_log_capital(x, m, alpha=ALPHA, c=betting.TRUNCATION):
    """One order's capital, transcribed from confseq 0.0.11 (``lambda_predmix_eb`` with
    ``fixed_n``, prior mean 1/2, prior variance 1/4, one fake observation; the
    ``betting_mart`` positive process with ``trunc_scale`` c and ``m_trunc``)."""
    x = np.asarray(x, dtype=float)
    t = np.arange(1, len(x) + 1)
    mu_hat = np.minimum((0.5 + np.cumsum(x)) / (t + 1), 1)
    sigma2 = (0.25 + np.cumsum((x - mu_hat) ** 2)) / (t + 1)
    sigma2_prev = np.append(0.25, sigma2[:-1])
    lam = np.sqrt(2 * np.log(1 / alpha) / (len(x) * sigma2_prev))
    lam = np.minimum(lam, c / m)
    return float(np.sum(np.log(1 + lam * (x - m))))


def test_the_bets_are_the_papers_predictable_plug_in():
    rng = np.random.default_rng(0)
    x = rng.beta(4, 1, size=40)
    orders = betting._orders(len(x))
    expected = [_reference_log_capital(x[o], 0.7) for o in orders]
    mean = max(expected) + math.log(np.mean(np.exp(np.array(expected) - max(expected))))
    assert betting.log_capital(x, 0.7) == pytest.approx(mean)


def test_capital_falls_as_the_claimed_mean_rises_so_bound_and_test_agree():
    rng = np.random.default_rng(1)
    x = np.where(rng.random(60) < 0.8, 1.0, rng.random(60))
    ms = np.linspace(0.01, 0.99, 99)
    caps = [betting.log_capital(x, m) for m in ms]
    assert all(a >= b for a, b in zip(caps, caps[1:], strict=False))
    lower = betting.lower_bound(x, 0.95)
    for m in ms:
        assert (betting.p_value(x, m) <= ALPHA) == (m <= lower) or abs(m - lower) < 1e-9


def test_capital_is_an_e_value_under_the_null():
    """E[capital] <= 1 when the mean equals m: the whole guarantee (Markov's inequality)."""
    rng = np.random.default_rng(2)
    for draw, m in ((lambda s: (rng.random(s) < 0.5).astype(float), 0.5),
                    (lambda s: rng.beta(9, 1, size=s), 0.9)):
        caps = np.exp(betting.log_capital(draw((4000, 30)), m))
        assert caps.mean() <= 1 + 3 * caps.std() / math.sqrt(len(caps))


def _false_pass(x, m):
    return float(np.mean(betting.p_value(x, m) <= ALPHA))


@pytest.mark.parametrize("n", [10, 30, 100])
def test_false_pass_at_most_alpha_with_piles_at_the_top(n):
    """90% of items at 1.0, the rest uniform: the bootstrap passed falsely 13.6% at n = 30."""
    rng = np.random.default_rng(n)
    q = 0.8  # mean q + (1 - q) / 2 = 0.9
    x = np.where(rng.random((3000, n)) < q, 1.0, rng.random((3000, n)))
    assert _false_pass(x, 0.9) <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / 3000)


@pytest.mark.parametrize("identical", [0.5, 0.9, 0.99])
def test_false_pass_at_most_alpha_with_ties_heavy_paired_differences(identical):
    """Paired differences in [-1, 1] mapped to [0, 1], most of them exactly 0, true mean
    delta exactly at the boundary -0.02: the bootstrap passed 8-12% at n = 40-60."""
    rng = np.random.default_rng(int(identical * 100))
    n, reps, delta = 50, 3000, -0.02
    moved = rng.random((reps, n)) >= identical
    # differing pairs: -1 or +1, balanced so the mean difference is exactly delta
    share_down = 0.5 - delta / (2 * (1 - identical))
    diffs = np.where(moved, np.where(rng.random((reps, n)) < share_down, -1.0, 1.0), 0.0)
    y = (diffs + 1) / 2
    assert _false_pass(y, (delta + 1) / 2) <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / reps)


def test_constant_and_boundary_samples_give_finite_valid_bounds():
    for x in (np.ones(30), np.zeros(30), np.full(30, 0.5), np.r_[np.ones(29), 0.0]):
        lo, hi = betting.lower_bound(x), betting.upper_bound(x)
        assert 0.0 <= lo <= x.mean() <= hi <= 1.0
    assert betting.lower_bound(np.ones(30)) > 0.8       # 30 perfect items show a lot
    assert betting.upper_bound(np.ones(30)) == pytest.approx(1.0)


def test_bounds_tighten_with_n_and_widen_with_confidence():
    rng = np.random.default_rng(3)
    x = rng.beta(4, 2, size=400)
    widths = [betting.upper_bound(x[:n]) - betting.lower_bound(x[:n]) for n in (25, 100, 400)]
    assert widths[0] > widths[1] > widths[2]
    assert betting.lower_bound(x, 0.99) < betting.lower_bound(x, 0.9)
    lo, hi = betting.interval(x, 0.95)
    assert lo < x.mean() < hi


def test_rows_are_judged_independently():
    rng = np.random.default_rng(4)
    rows = rng.random((5, 20))
    together = betting.lower_bound(rows)
    assert together == pytest.approx([betting.lower_bound(r) for r in rows])


def test_values_outside_the_unit_interval_are_refused():
    with pytest.raises(ValueError, match="rescaled"):
        betting.lower_bound([0.5, 1.5])
    with pytest.raises(ValueError, match="finite"):
        betting.lower_bound([0.5, float("nan")])
