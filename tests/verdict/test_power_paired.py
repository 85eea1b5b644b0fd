"""The paired-rate power model against the judge's own test, counted over every outcome.

Defect (issue 23): the plan's paired binary power was a normal approximation, off by up to
0.25 at the low discordance a safety gate sees (a base model that over-refuses 0-4% of
benign prompts), and so it could not say whether the over-refusal gate was sized.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gatekeeper.verdict import exact_paired, power, stats


def brute_force(n: int, d0: float, alpha: float, delta: float, disc: float) -> float:
    """P(pass): every (b, c) of the trinomial, each judged by stats (the judge's functions)."""
    p10, p01 = (disc + delta) / 2, (disc - delta) / 2
    total = 0.0
    for b in range(n + 1):
        for c in range(n + 1 - b):
            if b + c == 0:
                continue  # no discordant pair: no signal, never a pass (bounds.no_signal)
            p = (stats.mcnemar_exact(b, c, "greater") if d0 == 0
                 else stats.tango_p(b, c, n, d0, "greater"))
            if p < alpha:
                log = (math.lgamma(n + 1) - math.lgamma(b + 1) - math.lgamma(c + 1)
                       - math.lgamma(n - b - c + 1) + b * math.log(p10 or 1e-300)
                       + c * math.log(p01 or 1e-300) + (n - b - c) * math.log(1 - disc))
                total += math.exp(log) if (b == 0 or p10) and (c == 0 or p01) else 0.0
    return total


@pytest.mark.parametrize("n,d0,delta,disc", [(40, -0.05, 0.0, 0.03), (60, -0.05, 0.0, 0.1),
                                             (90, -0.05, 0.02, 0.05), (50, 0.05, 0.15, 0.2),
                                             (40, 0.0, 0.1, 0.2), (87, -0.05, 0.0, 0.0)])
def test_exact_paired_power_equals_the_judges_test_summed_over_all_outcomes(n, d0, delta, disc):
    d = power.Design("paired_rate", d0, "min", 0.05, discordance=disc, lower=-1.0, upper=1.0)
    assert float(power.pass_probability(d, n, delta)) == pytest.approx(
        brute_force(n, d0, 0.05, delta, disc), abs=1e-9)


def test_first_passing_split_is_where_the_judges_test_starts_passing():
    n, d0 = 120, -0.05
    first = exact_paired.first_passing_b(n, d0, 0.05)
    for total in range(0, n + 1, 7):
        passing = [b for b in range(total + 1) if stats.tango_p(b, total - b, n, d0) < 0.05]
        assert (passing[0] if passing else total + 1) == first[total]
        assert passing == list(range(first[total], total + 1))  # one run: monotone in b


def test_equal_models_with_few_discordant_pairs_pass_the_over_refusal_margin_at_252():
    """What the standard over-refusal gate sees on the shipped set: equal models, a base rate
    of 2% and independent refusals (4% discordant pairs) pass with 0.8 or more."""
    d = power.Design("paired_rate", -0.05, "min", 0.05, discordance=2 * 0.02 * 0.98,
                     lower=-1.0, upper=1.0)
    assert float(power.pass_probability(d, 252, 0.0)) >= 0.9
    assert float(power.pass_probability(d, 70, 0.0)) < 0.3  # the old set could not decide


def test_large_n_falls_back_to_the_normal_model_continuously():
    d = power.Design("paired_rate", -0.05, "min", 0.05, discordance=0.2, lower=-1.0, upper=1.0)
    edge = power.EXACT_PAIRED_N
    exact, normal = power.pass_probability(d, np.array([edge, edge + 1]), 0.0)
    assert exact == pytest.approx(normal, abs=0.02)


def test_no_discordant_pair_is_never_a_pass_in_the_judge_nor_in_the_power_model():
    """The judge's "no signal, no pass" rule: 0 vs 0 over 252 benign prompts passes Tango's
    test but is inconclusive. Power counts it: at discordance 0 nothing passes, and at a
    base rate of 1/252 (independent) the chance of no discordant pair at all, 13%, is lost."""
    from gatekeeper.core.measurement import Measurement, Samples
    from gatekeeper.core.spec import Comparison
    from gatekeeper.verdict.paired import judge_comparison

    zeros = tuple([0.0] * 252)
    m = Measurement(metrics={"r": 0.0}, n=252, baseline_metrics={"r": 0.0},
                    samples={"r": Samples(zeros, zeros, binary=True)})
    assert stats.tango_p(0, 0, 252, -0.05) < 0.05
    assert judge_comparison(Comparison(metric="r", max_drop=0.05), m, "r").outcome == "inconclusive"
    d = power.Design("paired_rate", -0.05, "min", 0.05, discordance=0.0, lower=-1.0, upper=1.0)
    assert float(power.pass_probability(d, 252, 0.0)) == 0.0 and power.required_n(d, 0.0) is None
    disc = 2 * (1 / 252) * (251 / 252)
    low = power.Design("paired_rate", -0.05, "min", 0.05, discordance=disc, lower=-1.0, upper=1.0)
    p = float(power.pass_probability(low, 252, 0.0))
    assert 1 - (1 - disc) ** 252 - 0.01 < p < 1 - (1 - disc) ** 252 + 1e-9
