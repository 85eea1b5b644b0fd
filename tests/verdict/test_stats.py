"""gatekeeper.verdict.stats against published values, exact identities and brute force."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from gatekeeper.verdict import stats


def table(a: int, b: int, c: int, d: int) -> tuple[list[int], list[int]]:
    """Paired 0/1 samples from a 2x2 table: a both 1, b only candidate, c only baseline."""
    return [1] * (a + b) + [0] * (c + d), [1] * a + [0] * b + [1] * c + [0] * d


# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I:
# method 3 (Wilson score) and method 5 (Clopper-Pearson exact), 95%.
NEWCOMBE_SINGLE = [
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize("k,n,wilson,exact", NEWCOMBE_SINGLE)
def test_single_rate_intervals_match_published_values(k, n, wilson, exact):
    assert stats.wilson_interval(k, n) == pytest.approx(wilson, abs=5e-5)
    assert stats.clopper_pearson_interval(k, n) == pytest.approx(exact, abs=5e-5)


def test_wilson_edges():
    assert stats.wilson_interval(0, 0) == (0.0, 1.0)
    lo, hi = stats.wilson_interval(10, 10)
    assert hi == 1.0 and 0.69 < lo < 0.73
    assert stats.wilson_interval(5, 10, 0.99)[0] < stats.wilson_interval(5, 10, 0.9)[0]


def test_issue_examples_for_the_one_sided_lower_bound():
    assert stats.clopper_pearson_lower(999, 1000) >= 0.995
    assert stats.clopper_pearson_lower(998, 1000) < 0.995
    assert stats.clopper_pearson_lower(200, 200) < 0.995
    assert stats.clopper_pearson_lower(600, 600) >= 0.995


def test_clopper_pearson_one_sided_identities():
    # with no failures the exact bound has a closed form: alpha ** (1 / n)
    assert stats.clopper_pearson_lower(200, 200) == pytest.approx(0.05 ** (1 / 200))
    assert stats.clopper_pearson_lower(0, 50) == 0.0
    assert stats.clopper_pearson_upper(50, 50) == 1.0
    assert stats.clopper_pearson_upper(3, 40) == pytest.approx(
        1 - stats.clopper_pearson_lower(37, 40))
    assert stats.clopper_pearson_interval(7, 30)[0] == pytest.approx(
        stats.clopper_pearson_lower(7, 30, 0.975))
    # the exact bound is the one a binomial test would just reject at
    lo = stats.clopper_pearson_lower(45, 50)
    assert binomtest(45, 50, lo, alternative="greater").pvalue == pytest.approx(0.05, rel=1e-6)


@pytest.mark.parametrize("call", [
    lambda: stats.wilson_interval(3, 2),
    lambda: stats.wilson_interval(-1, 5),
    lambda: stats.clopper_pearson_lower(1, -1),
    lambda: stats.clopper_pearson_upper(1.5, 3),
    lambda: stats.clopper_pearson_interval(1, 3, confidence=1.0),
    lambda: stats.wilson_interval(1, 3, confidence=0.0),
    lambda: stats.mcnemar_exact(-1, 3),
    lambda: stats.mcnemar_exact(1, 3, "bigger"),
    lambda: stats.binomial_p(3, 10, 0.5, "bigger"),
    lambda: stats.student_bootstrap([]),
    lambda: stats.student_bootstrap([1.0, float("nan")]),
    lambda: stats.tango_interval(1, 1, 10, confidence=1.5),
])
def test_invalid_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_binomial_p_is_the_test_clopper_pearson_inverts():
    # lower(k, n) >= p0 exactly when P(K >= k | p0) <= 0.05
    for k, n, p0 in [(650, 650, 0.995), (649, 650, 0.995), (999, 1000, 0.995), (45, 50, 0.8)]:
        assert (stats.clopper_pearson_lower(k, n) >= p0) == (stats.binomial_p(k, n, p0, "greater") <= 0.05)
    assert stats.binomial_p(45, 50, 0.8, "greater") == pytest.approx(
        binomtest(45, 50, 0.8, alternative="greater").pvalue)
    assert stats.binomial_p(3, 50, 0.2, "less") == pytest.approx(
        binomtest(3, 50, 0.2, alternative="less").pvalue)


def test_min_passing_successes_matches_a_scan_of_clopper_pearson():
    for n in (20, 200, 597, 598, 650, 947, 1258, 1300):
        k = stats.min_passing_successes(n, 0.995)
        # k passes and k - 1 does not (the lower bound increases with k)
        assert k == n + 1 or stats.clopper_pearson_lower(k, n) >= 0.995, n
        assert stats.clopper_pearson_lower(k - 1, n) < 0.995, n
    # the issue's numbers: 650 items need 650/650; one failure needs 947, two need 1258
    assert list(stats.min_passing_successes(np.array([650, 946, 947, 1257, 1258]), 0.995)) == \
        [650, 946, 946, 1256, 1256]


def test_mcnemar_textbook_value_and_binomial_equivalence():
    assert stats.mcnemar_exact(1, 9) == pytest.approx(0.0215, abs=5e-5)
    assert stats.mcnemar_exact(1, 9) == pytest.approx(2 * 11 / 1024)
    assert stats.mcnemar_exact(9, 1, "greater") == pytest.approx(11 / 1024)
    assert stats.mcnemar_exact(9, 1, "less") == pytest.approx(
        binomtest(9, 10, 0.5, alternative="less").pvalue)
    assert stats.mcnemar_exact(12, 30) == pytest.approx(binomtest(12, 42).pvalue)
    assert stats.mcnemar_exact(4, 0, "greater") == pytest.approx(0.0625)
    assert stats.mcnemar_exact(0, 0) == 1.0
    assert stats.mcnemar_exact(5, 7) == stats.mcnemar_exact(7, 5)


def brute_restricted_p01(b, c, n, d0):
    from scipy.optimize import brentq
    def score(p):
        return b / (p + d0) + c / p - 2 * (n - b - c) / (1 - 2 * p - d0)
    return brentq(score, max(0.0, -d0) + 1e-12, (1 - d0) / 2 - 1e-12)


@pytest.mark.parametrize("b,c,n,d0", [(10, 5, 100, -0.05), (3, 0, 200, -0.1), (20, 30, 300, 0.05),
                                      (40, 2, 100, 0.1), (1, 1, 50, -0.02)])
def test_tango_restricted_mle_maximises_the_likelihood(b, c, n, d0):
    assert stats.tango_restricted_p01(b, c, n, d0) == pytest.approx(brute_restricted_p01(b, c, n, d0),
                                                                    rel=1e-9)


def test_tango_statistic_at_zero_margin_is_mcnemars_score():
    assert stats.tango_z(30, 10, 200, 0.0) == pytest.approx((30 - 10) / math.sqrt(40))


def test_tango_tie_with_the_margin_is_exactly_zero():
    # 0.07 * 100 = 7.000000000000001 in floats; on counts the tie is exact
    assert 0.07 * 100 != 7
    assert stats.tango_z(17, 10, 100, 0.07) == 0.0
    assert stats.tango_p(17, 10, 100, 0.07, correction=0.0) == 0.5
    assert stats.tango_p(17, 10, 100, 0.07) > 0.5  # the continuity correction leans to H0
    assert stats.tango_z(17, 10, 100, 0.07 + 1e-9) < 0


def exact_size(n: int, d0: float, disc: float, alpha: float = 0.05, **kw) -> float:
    """P(the one-sided score test rejects delta <= d0) when delta == d0, over all outcomes."""
    from scipy.stats import multinomial
    p10, p01 = (disc + d0) / 2, (disc - d0) / 2
    total = 0.0
    for b in range(n + 1):
        for c in range(n + 1 - b):
            if stats.tango_p(b, c, n, d0, "greater", **kw) < alpha:
                total += multinomial.pmf([b, c, n - b - c], n, [p10, p01, 1 - disc])
    return total


def test_tango_with_continuity_correction_holds_alpha_where_the_plain_test_does_not():
    # superiority by 0.05 with 6% discordant pairs on 60 items: the measured defect
    assert exact_size(60, 0.05, 0.06, correction=0.0) > 0.08
    assert exact_size(60, 0.05, 0.06) <= 0.05
    assert exact_size(100, -0.05, 0.2) <= 0.05


def test_tango_interval_inverts_the_test():
    lo, hi = stats.tango_interval(30, 12, 300, 0.9)
    assert lo < 18 / 300 < hi
    assert stats.tango_p(30, 12, 300, lo, "greater") == pytest.approx(0.05, abs=1e-6)
    assert stats.tango_p(30, 12, 300, hi, "less") == pytest.approx(0.05, abs=1e-6)
    # no discordant pairs: the interval still has width and contains 0
    lo, hi = stats.tango_interval(0, 0, 100, 0.9)
    assert lo < 0 < hi and hi - lo > 0.01


def test_student_bootstrap_is_seeded_and_close_to_t_for_symmetric_data():
    rng = np.random.default_rng(0)
    values = rng.normal(0.5, 0.1, size=400)
    a, b = stats.student_bootstrap(values), stats.student_bootstrap(values)
    assert a.lower() == b.lower()
    se = values.std(ddof=1) / math.sqrt(400)
    assert a.lower() == pytest.approx(values.mean() - 1.649 * se, abs=0.3 * se)
    assert a.upper() == pytest.approx(values.mean() + 1.649 * se, abs=0.3 * se)
    assert a.p_value(a.lower(), "greater") == pytest.approx(0.05, abs=0.01)


def test_student_bootstrap_never_collapses_on_constant_or_tiny_samples():
    # the percentile bootstrap gave a zero-width bound here, so n = 1 or constant samples passed
    one = stats.student_bootstrap([0.9], se_floor=1.0)
    assert one.lower() < 0
    constant = stats.student_bootstrap([0.9] * 30, se_floor=1 / 30)
    assert constant.lower() < 0.9 - 0.05 and constant.upper() > 0.9 + 0.05


def test_student_bootstrap_rows_match_single_samples():
    rng = np.random.default_rng(3)
    rows = rng.beta(4, 1, size=(3, 40))
    batch = stats.student_bootstrap(rows, seed=5)
    assert batch.lower().shape == (3,)
    single = stats.student_bootstrap(rows[0], seed=5)
    assert batch.lower()[0] == pytest.approx(single.lower())
