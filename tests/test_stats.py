"""gatekeeper.stats against published values, exact identities and brute force."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from gatekeeper import stats


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
    lambda: stats.required_n_for_lower_bound(1.2, 0.9),
    lambda: stats.required_n_paired(0.1, 0.2, 0.0),
    lambda: stats.paired_bootstrap([1, 2], [1]),
    lambda: stats.bootstrap_mean_interval([]),
    lambda: stats.paired_binary_interval([1, 2], [0, 1]),
])
def test_invalid_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_required_n_for_a_perfect_rate_is_the_closed_form():
    assert stats.required_n_for_lower_bound(1.0, 0.995) == 598
    assert math.ceil(math.log(0.05) / math.log(0.995)) == 598
    assert stats.required_n_for_upper_bound(0.0, 0.005) == 598


def test_required_n_is_none_when_no_n_can_suffice():
    assert stats.required_n_for_lower_bound(0.995, 0.995) is None
    assert stats.required_n_for_lower_bound(0.99, 0.995) is None
    assert stats.required_n_for_upper_bound(0.01, 0.01) is None
    assert stats.required_n_for_lower_bound(0.9, 0.8999, max_n=100_000) is None


def brute_force_lower(rate: float, target: float, limit: int) -> int | None:
    for n in range(1, limit + 1):
        failures = math.floor(n * (1 - rate) + 0.5)
        if stats.clopper_pearson_lower(n - failures, n) >= target:
            return n
    return None


@pytest.mark.parametrize("rate,target", [
    (0.999, 0.995), (0.998, 0.995), (0.99, 0.97), (0.95, 0.9), (0.9, 0.8), (0.97, 0.95),
    (0.8, 0.7), (0.9995, 0.99),
])
def test_required_n_agrees_with_a_brute_force_scan(rate, target):
    found = stats.required_n_for_lower_bound(rate, target)
    assert found == brute_force_lower(rate, target, limit=found + 10)
    failures = math.floor(found * (1 - rate) + 0.5)
    assert stats.clopper_pearson_lower(found - failures, found) >= target


def test_required_n_respects_min_n_and_max_n():
    assert stats.required_n_for_lower_bound(1.0, 0.995, min_n=700) == 700
    assert stats.required_n_for_lower_bound(1.0, 0.995, max_n=500) is None
    # n=1000 with 2 failures is not enough; the same rate needs more items
    assert stats.required_n_for_lower_bound(0.998, 0.995, min_n=1001) > 1000


def test_required_n_for_upper_bound_mirrors_lower():
    assert stats.required_n_for_upper_bound(0.02, 0.05) == \
        stats.required_n_for_lower_bound(0.98, 0.95)
    n = stats.required_n_for_upper_bound(0.02, 0.05)
    assert stats.clopper_pearson_upper(math.floor(n * 0.02 + 0.5), n) <= 0.05


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


def test_paired_interval_matches_cavo_2012_example():
    # Fagerland, Lydersen & Laake (2017), ch. 8: Newcombe square-and-add for the paired
    # table [[59, 6], [16, 80]]: -0.0621 (95% CI -0.1186 to -0.0046).
    delta, lo, hi = stats.paired_binary_interval(*table(59, 6, 16, 80))
    assert (delta, lo, hi) == pytest.approx((-0.0621, -0.1186, -0.0046), abs=5e-5)


def test_paired_interval_is_antisymmetric_and_bounded():
    cand, base = table(3, 10, 1, 6)
    delta, lo, hi = stats.paired_binary_interval(cand, base)
    rdelta, rlo, rhi = stats.paired_binary_interval(base, cand)
    assert (rdelta, rlo, rhi) == pytest.approx((-delta, -hi, -lo))
    assert -1.0 <= lo < delta < hi <= 1.0
    delta, lo, hi = stats.paired_binary_interval(*table(0, 20, 0, 0))
    assert delta == 1.0 and hi == 1.0 and 0.0 < lo < 1.0


def test_paired_interval_is_close_to_wald_for_large_n():
    cand, base = table(5000, 1500, 1000, 2500)
    delta, lo, hi = stats.paired_binary_interval(cand, base)
    n, b, c = 10_000, 1500, 1000
    se = math.sqrt((b + c) / n - ((b - c) / n) ** 2) / math.sqrt(n)
    assert delta == pytest.approx(0.05)
    assert lo == pytest.approx(delta - 1.959964 * se, abs=1e-3)
    assert hi == pytest.approx(delta + 1.959964 * se, abs=1e-3)


def test_paired_interval_covers_about_95_percent():
    rng = np.random.default_rng(1)
    probs = [0.55, 0.15, 0.05, 0.25]  # both, candidate only, baseline only, neither
    truth = probs[1] - probs[2]
    covered = 0
    for counts in rng.multinomial(80, probs, size=1000):
        _, lo, hi = stats.paired_binary_interval(*table(*counts))
        covered += lo <= truth <= hi
    assert 0.93 <= covered / 1000 <= 0.975


def test_paired_bootstrap_is_seeded_and_consistent():
    rng = np.random.default_rng(7)
    base = rng.normal(0.6, 0.1, 400)
    cand = base + rng.normal(0.02, 0.05, 400)
    first = stats.paired_bootstrap(cand, base, seed=3)
    again = stats.paired_bootstrap(cand, base, seed=3)
    other = stats.paired_bootstrap(cand, base, seed=4)
    assert first == again and np.array_equal(first.resamples, again.resamples)
    assert not np.array_equal(first.resamples, other.resamples)
    assert first.delta == pytest.approx(float(np.mean(cand - base)))
    assert first.resamples.shape == (10_000,) and "resamples" not in repr(first)
    se = np.std(cand - base, ddof=1) / np.sqrt(400)
    assert first.low == pytest.approx(first.delta - 1.96 * se, abs=0.15 * se)
    assert first.high == pytest.approx(first.delta + 1.96 * se, abs=0.15 * se)
    # the p-value inverts the percentile interval: at its lower end, about alpha/2 below
    assert first.p_value(first.low) == pytest.approx(0.025, abs=0.002)
    assert first.p_value(0.0) == 0.0 and first.p_value(1.0) == 1.0
    assert first.p_value(1.0, "less") == 0.0
    assert first.p_value(first.delta, "two-sided") == pytest.approx(1.0, abs=0.05)


def test_paired_bootstrap_of_identical_models_never_shows_a_gain():
    values = np.linspace(0, 1, 50)
    result = stats.paired_bootstrap(values, values)
    assert (result.delta, result.low, result.high) == (0.0, 0.0, 0.0)
    assert result.p_value(0.0) == 1.0


def test_bootstrap_of_a_mean_matches_normal_theory():
    values = np.random.default_rng(11).normal(3.0, 1.0, 900)
    mean, lo, hi = stats.bootstrap_mean_interval(values)
    se = values.std(ddof=1) / 30
    assert mean == pytest.approx(values.mean())
    assert (lo, hi) == pytest.approx((mean - 1.96 * se, mean + 1.96 * se), abs=0.15 * se)
    lower = stats.bootstrap_mean_bound(values, side="lower")
    upper = stats.bootstrap_mean_bound(values, side="upper")
    assert lower == pytest.approx(mean - 1.645 * se, abs=0.15 * se)
    assert lo < lower < mean < upper < hi
    assert stats.bootstrap_mean_interval(values, seed=5) == \
        stats.bootstrap_mean_interval(values, seed=5)


def test_required_n_paired_formula_and_power():
    # (z_0.95 + z_0.8)^2 * (0.2 - 0.1^2) / 0.1^2 = 117.5
    assert stats.required_n_paired(0.2, 0.1, 0.0) == 118
    assert stats.required_n_paired(0.2, 0.1, 0.1) is None
    assert stats.required_n_paired(0.2, 0.05, 0.08) is None
    assert stats.required_n_paired(0.2, 0.0, -0.05) > stats.required_n_paired(0.2, 0.0, -0.1)
    assert stats.required_n_paired_continuous(0.04, 0.05, 0.0) == math.ceil(
        (1.6448536 + 0.8416212) ** 2 * 0.04 / 0.05 ** 2)
    # at that n a superiority test really has about 80% power
    n = stats.required_n_paired(0.2, 0.1, 0.0)
    rng = np.random.default_rng(2)
    counts = rng.multinomial(n, [0.5, 0.15, 0.05, 0.3], size=400)
    rejected = sum(stats.paired_binary_interval(*table(*row), 0.9)[1] > 0 for row in counts)
    assert 0.7 <= rejected / 400 <= 0.9


def test_required_n_for_mean_bound():
    assert stats.required_n_for_mean_bound(0.8, 0.04, 0.75) == math.ceil(
        1.6448536 ** 2 * 0.04 / 0.05 ** 2)
    assert stats.required_n_for_mean_bound(0.7, 0.04, 0.75) is None
    assert stats.required_n_for_mean_bound(0.1, 0.01, 0.2, side="upper") == math.ceil(
        1.6448536 ** 2 * 0.01 / 0.1 ** 2)
    assert stats.required_n_for_mean_bound(0.3, 0.01, 0.2, side="upper") is None
