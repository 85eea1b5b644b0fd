"""judge: thresholds, one-sided bounds and paired comparisons turn measurements into outcomes.

Each measured defect of issue 10 has a test here with the numbers that exposed it."""

import json

import numpy as np
import pytest

from gatekeeper.core.errors import ConfigError, Location, MeasurementError
from gatekeeper.verdict import stats
from gatekeeper.verdict.judge import Judgement, judge
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import Comparison, GateSpec, Threshold


def gate(threshold: Threshold | None = None, vs_baseline: Comparison | None = None) -> GateSpec:
    return GateSpec(id="g.test", type="task_accuracy", threshold=threshold, vs_baseline=vs_baseline,
                    source=Location("gates/test.yaml", 3))


def measured(metric: str, candidate, baseline=None, *, binary: bool = True) -> Measurement:
    """A Measurement whose headline metric is the mean of its per-item samples."""
    samples = Samples(tuple(candidate), tuple(baseline) if baseline is not None else None, binary)
    metrics = {metric: float(np.mean(candidate))}
    base_metrics = {metric: float(np.mean(baseline))} if baseline is not None else {}
    return Measurement(metrics=metrics, n=len(candidate), baseline_metrics=base_metrics,
                       samples={metric: samples})


def rate(passed: int, failed: int) -> list[int]:
    return [1] * passed + [0] * failed


def table(a: int, b: int, c: int, d: int) -> tuple[list[int], list[int]]:
    """Paired 0/1 samples: a both 1, b only candidate 1, c only baseline 1, d neither."""
    return [1] * (a + b) + [0] * (c + d), [1] * a + [0] * b + [1] * c + [0] * d


VALID_995 = Threshold("valid_rate", min=0.995, bound="lower95")


# -- thresholds ---------------------------------------------------------------------------

def test_point_threshold_pass_and_fail():
    passed = judge(gate(Threshold("accuracy", min=0.8, bound="point")),
                   measured("accuracy", rate(170, 30)))
    assert passed.outcome == "pass" and passed.comparison is None
    assert passed.threshold.compared_value == 0.85 and passed.threshold.test == "point"
    assert passed.threshold.interval_method == "wilson"
    lo, hi = passed.threshold.interval
    assert lo < 0.85 < hi
    assert passed.reason.startswith("accuracy 0.850 (95% CI") and ">= 0.8" in passed.reason
    assert passed.threshold.evidence == "point" and "no evidence required" in passed.reason
    # the point rule has an operating characteristic too: P(k >= 160 of 200 | p = 0.85)
    from scipy.stats import binom
    assert passed.threshold.pass_probability == pytest.approx(binom.sf(159, 200, 0.85))
    failed = judge(gate(Threshold("accuracy", min=0.9, bound="point")),
                   measured("accuracy", rate(170, 30)))
    assert failed.outcome == "fail" and "fails >= 0.9" in failed.reason


def test_point_threshold_with_max_and_range():
    m = measured("refusal_rate", rate(6, 94))
    assert judge(gate(Threshold("refusal_rate", max=0.1, bound="point")), m).outcome == "pass"
    assert judge(gate(Threshold("refusal_rate", max=0.05, bound="point")), m).outcome == "fail"
    ranged = judge(gate(Threshold("refusal_rate", min=0.01, max=0.1, bound="point")), m)
    assert ranged.outcome == "pass" and "within [0.01, 0.1]" in ranged.reason


def test_point_threshold_without_samples_has_no_interval():
    m = Measurement(metrics={"exact_match": 0.4}, n=50)
    result = judge(gate(Threshold("exact_match", min=0.3, bound="point")), m)
    assert result.outcome == "pass" and result.pass_probability is None
    assert result.threshold.interval is None and result.threshold.interval_method is None
    assert "(n=50)" in result.reason


def test_issue_example_1000_items_one_failure_passes_lower95():
    result = judge(gate(VALID_995), measured("valid_rate", rate(999, 1)))
    assert result.outcome == "pass" and result.threshold.required_n is None
    assert result.threshold.compared_value >= 0.995
    # the p-value shown is the exact binomial test that the bound inverts
    assert result.threshold.test == "exact_binomial"
    assert result.threshold.p_value == pytest.approx(stats.binomial_p(999, 1000, 0.995, "greater"))
    assert result.threshold.p_value <= 0.05


def test_issue_example_1000_items_two_failures_is_inconclusive():
    result = judge(gate(VALID_995), measured("valid_rate", rate(998, 2)))
    assert result.outcome == "inconclusive"
    assert result.threshold.compared_value < 0.995 < result.threshold.value
    assert result.threshold.required_n > 1000
    assert f"needs n >= {result.threshold.required_n:,}" in result.reason


def test_wrong_side_point_estimate_is_not_a_fail_without_evidence():
    """Defect: a candidate whose true validity is 0.997 failed the 99.5% gate 13% of the time
    at n = 650, because a point estimate below 0.995 was a fail. Now 646/650 (0.9938) is
    inconclusive, and the chance of a fail at 0.997 is below 1%."""
    from scipy.stats import binom

    assert binom.cdf(646, 650, 0.997) == pytest.approx(0.134, abs=0.001)  # the old rule's fail rate
    unsure = judge(gate(VALID_995), measured("valid_rate", rate(646, 4)))
    assert unsure.outcome == "inconclusive"
    assert "cannot pass" in unsure.reason and unsure.threshold.required_n is None
    fails = [k for k in range(630, 651)
             if judge(gate(VALID_995), measured("valid_rate", rate(k, 650 - k))).outcome == "fail"]
    assert binom.cdf(max(fails), 650, 0.997) < 0.01


def test_fail_needs_the_opposite_bound_on_the_wrong_side():
    """The demo's old case: 643/650 valid. The upper95 bound 0.9949 < 0.995: the data show
    the claim is false, so fail, with the p-value of that test."""
    result = judge(gate(VALID_995), measured("valid_rate", rate(643, 7)))
    t = result.threshold
    assert result.outcome == "fail" and t.required_n is None
    assert t.compared_value == pytest.approx(stats.clopper_pearson_lower(643, 650))
    assert t.opposite_value == pytest.approx(stats.clopper_pearson_upper(643, 650))
    assert t.opposite_value < 0.995
    assert t.p_value == pytest.approx(stats.binomial_p(643, 650, 0.995, "less"))
    assert t.p_value < 0.05
    assert "upper95 0.9949" in result.reason


def test_issue_example_200_perfect_items_needs_598():
    result = judge(gate(VALID_995), measured("valid_rate", rate(200, 0)))
    assert result.outcome == "inconclusive"
    assert result.threshold.required_n == 598
    assert result.reason.startswith("valid_rate 1.000 (95% CI")
    assert "cannot support >= 0.995 at lower95" in result.reason
    assert result.reason.endswith("needs n >= 598 for 80% pass probability at the observed value")


def test_issue_plan_example_650_items_pass_half_the_time_at_0999():
    """A 99.5% lower-bound gate on 650 items passes only with 650/650: a candidate whose true
    validity is 0.999 passes about half the time; 1,258 items give 80%."""
    from gatekeeper.verdict import power

    design = power.Design("rate", 0.995, "min")
    assert power.pass_probability(design, 650, 0.999) == pytest.approx(0.522, abs=0.001)
    assert power.required_n(design, 0.999) == 1258
    assert power.pass_probability(design, 1300, 0.999) >= 0.8
    result = judge(gate(VALID_995), measured("valid_rate", rate(650, 0)))
    oc = result.threshold.oc
    assert oc["method"] == "exact binomial" and oc["n"] == 650 and oc["limit"] == 0.995
    assert len(oc["x"]) == len(oc["p"]) >= 30 and oc["p"] == sorted(oc["p"])
    assert oc["x"][0] < 0.995 and oc["x"][-1] == pytest.approx(1.0)


def test_lower95_at_exactly_the_limit_can_never_pass():
    result = judge(gate(Threshold("acc", min=0.5, bound="lower95")), measured("acc", rate(50, 50)))
    assert result.outcome == "inconclusive" and result.threshold.required_n is None
    assert "cannot pass: the estimate is on the wrong side" in result.reason


def test_upper95_threshold_on_a_rate():
    limit = Threshold("unsafe_rate", max=0.05, bound="upper95")
    assert judge(gate(limit), measured("unsafe_rate", rate(0, 100))).outcome == "pass"
    unsure = judge(gate(limit), measured("unsafe_rate", rate(3, 97)))
    assert unsure.outcome == "inconclusive" and unsure.threshold.required_n > 100
    assert unsure.threshold.compared_value > 0.05
    assert judge(gate(limit), measured("unsafe_rate", rate(15, 85))).outcome == "fail"


def test_infinite_metric_is_an_error_not_a_pass():
    """Defect: +inf passed a min threshold."""
    with pytest.raises(MeasurementError, match="infinite"):
        judge(gate(Threshold("latency", min=0.5)), Measurement(metrics={"latency": float("inf")}))
    with pytest.raises(MeasurementError, match="NaN or infinite"):
        judge(gate(Threshold("s", min=0.5, bound="lower95")),
              Measurement(metrics={"s": 0.7}, samples={
                  "s": Samples((0.7,) * 40 + (float("inf"),), None, binary=False)}))


# -- scores -------------------------------------------------------------------------------

SCORE = {"rouge": Metric("rouge", kind="score")}


LATENCY = {"latency": Metric("latency", kind="value", higher_is_better=False, sampled=True)}


def test_bounded_scores_use_betting_bounds():
    scores = np.clip(np.random.default_rng(0).normal(0.7, 0.1, 200), 0, 1)
    point = judge(gate(Threshold("rouge", min=0.6, bound="point")),
                  measured("rouge", scores, binary=False), SCORE)
    assert point.outcome == "pass" and point.threshold.interval_method == "betting"
    clear = judge(gate(Threshold("rouge", min=0.65)), measured("rouge", scores, binary=False), SCORE)
    assert clear.outcome == "pass" and clear.threshold.test == "betting"
    assert 0.65 < clear.threshold.compared_value < clear.threshold.value
    assert clear.threshold.p_value <= 0.05 and "betting e-value" in clear.reason
    close = judge(gate(Threshold("rouge", min=0.695)), measured("rouge", scores, binary=False), SCORE)
    assert close.outcome == "inconclusive" and close.threshold.required_n > 200


def test_unbounded_scores_use_the_studentized_bootstrap_and_say_so():
    times = np.random.default_rng(0).normal(300.0, 30.0, 200)
    result = judge(gate(Threshold("latency", max=320.0)), measured("latency", times, binary=False),
                   LATENCY)
    assert result.outcome == "pass" and result.threshold.test == "studentized_bootstrap"
    assert result.threshold.interval_method == "studentized bootstrap"
    assert "studentized bootstrap" in result.reason


@pytest.mark.parametrize("values", [[250.0], [250.0, 260.0] * 5])
def test_unbounded_scores_below_the_minimum_n_are_inconclusive(values):
    """Defect: the percentile bootstrap passed on n = 1 or constant samples, and at n = 10 its
    false-pass rate at the margin was 0.156 for an alpha of 0.05. A bootstrap still needs 30."""
    result = judge(gate(Threshold("latency", max=500.0)),
                   measured("latency", values, binary=False), LATENCY)
    assert result.outcome == "inconclusive"
    assert "needs at least 30 items" in result.reason
    assert result.threshold.required_n >= 30 and result.pass_probability == 0.0


def test_constant_unbounded_samples_are_no_signal_not_a_pass():
    """Defect: 30 identical values at 0.099 passed `max: 0.10, upper95` (a 1e-12 error floor)."""
    result = judge(gate(Threshold("latency", max=0.10, bound="upper95")),
                   measured("latency", [0.099] * 30, binary=False), LATENCY)
    assert result.outcome == "inconclusive" and "no signal" in result.reason


def test_bounded_scores_need_no_minimum_n():
    """Betting bounds hold at every n: one item is inconclusive, ten items all >= 0.9 show a
    mean above 0.5 (no distribution on [0, 1] with mean <= 0.5 does that 5% of the time)."""
    one = judge(gate(Threshold("rouge", min=0.5)), measured("rouge", [0.95], binary=False), SCORE)
    assert one.outcome == "inconclusive" and one.threshold.test == "betting"
    ten = judge(gate(Threshold("rouge", min=0.5)),
                measured("rouge", list(np.linspace(0.9, 1.0, 10)), binary=False), SCORE)
    assert ten.outcome == "pass" and ten.threshold.compared_value >= 0.5


def test_constant_scores_still_get_a_bound_of_nonzero_width():
    result = judge(gate(Threshold("rouge", min=0.89, bound="lower95")),
                   measured("rouge", [0.9] * 40, binary=False), SCORE)
    assert result.threshold.compared_value < 0.9 < result.threshold.opposite_value


def test_scores_outside_the_declared_range_are_a_measurement_error():
    with pytest.raises(MeasurementError, match="outside its declared range"):
        judge(gate(Threshold("rouge", min=0.5)), measured("rouge", [0.9, 1.2, 0.8], binary=False), SCORE)


def test_bound_without_samples_cannot_be_judged():
    with pytest.raises(MeasurementError, match="per-item samples"):
        judge(gate(VALID_995), Measurement(metrics={"valid_rate": 1.0}, n=200))


def test_missing_metric_names_the_available_ones():
    with pytest.raises(MeasurementError, match="available: accuracy, f1"):
        judge(gate(Threshold("acuracy", min=0.5)),
              Measurement(metrics={"accuracy": 0.9, "f1": 0.8}))


def test_nan_metric_is_an_error_not_a_fail():
    with pytest.raises(MeasurementError, match="NaN"):
        judge(gate(Threshold("accuracy", min=0.5)), Measurement(metrics={"accuracy": float("nan")}))


def test_binary_samples_must_be_zero_or_one():
    m = measured("accuracy", [0.5, 1.0, 1.0])
    with pytest.raises(MeasurementError, match="0/1"):
        judge(gate(Threshold("accuracy", min=0.5)), m)


def test_bound_without_its_limit_is_a_config_error_with_location():
    with pytest.raises(ConfigError) as info:
        judge(gate(Threshold("valid_rate", max=0.9, bound="lower95")),
              measured("valid_rate", rate(5, 5)))
    assert info.value.location == "gates/test.yaml:3"


def test_nothing_to_judge_is_a_value_error():
    with pytest.raises(ValueError):
        judge(gate(), Measurement(metrics={"accuracy": 1.0}))


# -- paired comparisons -------------------------------------------------------------------

def compare(comparison: Comparison, cells=(150, 10, 10, 30), metrics=None) -> Judgement:
    cand, base = table(*cells)
    return judge(gate(Threshold("accuracy", min=0.0), comparison), measured("accuracy", cand, base),
                 metrics)


def test_non_inferiority_binary_uses_the_score_test_against_the_margin():
    passed = compare(Comparison(max_drop=0.05))
    c = passed.comparison
    assert passed.outcome == "pass" and c.kind == "non_inferiority" and c.test == "tango_score"
    assert c.p_value == pytest.approx(stats.tango_p(10, 10, 200, -0.05, "greater"))
    assert c.p_value < 0.05
    assert c.delta == 0.0 and -0.05 < c.ci[0] < 0 < c.ci[1]
    assert c.discordant == {"candidate_only": 10, "baseline_only": 10}
    assert c.required_n is None and "shows non-inferiority (max_drop 0.05)" in passed.reason
    unsure = compare(Comparison(max_drop=0.02))
    assert unsure.outcome == "inconclusive" and unsure.comparison.required_n > 200
    assert unsure.comparison.reason.endswith("for 80% pass probability at the observed value")
    failed = compare(Comparison(max_drop=0.05), cells=(140, 2, 20, 38))
    assert failed.outcome == "fail" and failed.comparison.delta == pytest.approx(-0.09)
    assert failed.comparison.p_value == pytest.approx(stats.tango_p(2, 20, 200, -0.05, "less"))


def test_superiority_binary_pass_inconclusive_fail():
    cells = (120, 30, 5, 45)  # delta = +0.125 on 200 items
    passed = compare(Comparison(min_gain=0.05), cells)
    assert passed.outcome == "pass" and passed.comparison.ci[0] > 0.05
    unsure = compare(Comparison(min_gain=0.1), cells)
    assert unsure.outcome == "inconclusive" and unsure.comparison.required_n > 200
    failed = compare(Comparison(min_gain=0.25), cells)
    assert failed.outcome == "fail" and "the data show delta < 0.25" in failed.reason


def test_a_tie_with_the_margin_is_a_tie_not_a_huge_n():
    """Defect: delta computed in floats made an exact tie with the margin inconclusive with a
    required n around 1e32. 17 - 10 = 7 items of 100 is exactly min_gain 0.07."""
    result = compare(Comparison(min_gain=0.07), cells=(50, 17, 10, 23))
    c = result.comparison
    assert result.outcome == "inconclusive" and c.required_n is None
    assert "cannot pass: the estimate is on the wrong side" in result.reason
    assert c.p_value > 0.5


def test_max_drop_zero_and_min_gain_zero_give_the_same_answer():
    """Defect: max_drop: 0 and min_gain: 0 disagreed on identical data."""
    for cells in ((100, 4, 0, 96), (100, 12, 0, 88), (150, 10, 10, 30), (100, 0, 9, 91)):
        drop, gain = compare(Comparison(max_drop=0.0), cells), compare(Comparison(min_gain=0.0), cells)
        assert drop.outcome == gain.outcome
        assert drop.comparison.p_value == gain.comparison.p_value
        assert drop.comparison.test == gain.comparison.test == "mcnemar_exact"


def test_zero_margin_is_decided_by_the_exact_mcnemar_test():
    # 4 discordant pairs all favouring the candidate: exact one-sided p = 0.5**4 = 0.0625
    result = compare(Comparison(min_gain=0.0), cells=(100, 4, 0, 96))
    assert result.comparison.p_value == pytest.approx(0.0625)
    assert result.outcome == "inconclusive"
    assert compare(Comparison(min_gain=0.0), cells=(100, 12, 0, 88)).outcome == "pass"


UNSAFE = {"unsafe_rate": Metric("unsafe_rate", higher_is_better=False)}


def test_direction_comes_from_the_metric_table():
    """Defect: an unsafe-answer rate compared with the baseline passed a 9-point worsening."""
    base, cand = table(8, 2, 18, 172)  # baseline 0.05 unsafe, candidate 0.13: worse by 8 points
    m = measured("unsafe_rate", cand, base)
    spec = gate(vs_baseline=Comparison(metric="unsafe_rate", max_drop=0.02))
    worse = judge(spec, m, UNSAFE)
    assert worse.outcome == "fail" and worse.comparison.higher_is_better is False
    assert worse.comparison.delta == pytest.approx(-0.08) and "lower is better" in worse.reason
    better = judge(spec, measured("unsafe_rate", base, cand), UNSAFE)
    assert better.outcome == "pass" and better.comparison.delta == pytest.approx(0.08)


def test_gate_file_direction_may_restate_but_not_contradict_the_table():
    base, cand = table(8, 2, 18, 172)
    m = measured("unsafe_rate", cand, base)
    same = Comparison(metric="unsafe_rate", max_drop=0.02, higher_is_better=False)
    assert judge(gate(vs_baseline=same), m, UNSAFE).outcome == "fail"
    assert judge(gate(vs_baseline=same), m).outcome == "fail"  # undeclared metric: the override
    wrong = Comparison(metric="unsafe_rate", max_drop=0.02, higher_is_better=True)
    with pytest.raises(ConfigError, match="contradicts"):
        judge(gate(vs_baseline=wrong), m, UNSAFE)


def test_alpha_outside_the_shared_rule_is_a_config_error():
    """Defect: alpha 0.5 passed the schema and was rejected by the judge."""
    with pytest.raises(ConfigError, match=r"alpha must be a number in \(0, 0.5\)"):
        compare(Comparison(max_drop=0.05, alpha=0.5))


def continuous_pair(shift: float, n: int = 300):
    rng = np.random.default_rng(42)
    base = rng.normal(0.6, 0.1, n)
    return base + shift + rng.normal(0.0, 0.05, n), base


@pytest.mark.parametrize("comparison,shift,outcome", [
    (Comparison(max_drop=0.02), 0.0, "pass"),
    (Comparison(max_drop=0.005), 0.0, "inconclusive"),
    (Comparison(max_drop=0.02), -0.05, "fail"),
    (Comparison(min_gain=0.0), 0.03, "pass"),
    (Comparison(min_gain=0.025), 0.03, "inconclusive"),
    (Comparison(min_gain=0.05), 0.03, "fail"),
])
def test_continuous_comparisons(comparison, shift, outcome):
    cand, base = continuous_pair(shift)
    result = judge(gate(vs_baseline=Comparison(**{**comparison.__dict__, "metric": "score"})),
                   measured("score", cand, base, binary=False))
    c = result.comparison
    assert result.outcome == outcome and c.test == "studentized_bootstrap" and c.discordant is None
    assert c.delta == pytest.approx(float(np.mean(cand - base)))
    assert c.ci[0] < c.delta < c.ci[1]
    assert (c.required_n is not None) == (outcome == "inconclusive")
    if outcome == "inconclusive":
        assert c.required_n > 300


def test_paired_scores_below_the_minimum_n_are_inconclusive():
    cand, base = continuous_pair(0.2, n=12)
    result = judge(gate(vs_baseline=Comparison(metric="s", min_gain=0.0)),
                   measured("s", cand, base, binary=False))
    assert result.outcome == "inconclusive" and "needs at least 30 items" in result.reason


def test_comparison_needs_baseline_samples():
    m = measured("accuracy", rate(10, 10))
    with pytest.raises(MeasurementError, match="baseline"):
        judge(gate(Threshold("accuracy", min=0.1), Comparison(max_drop=0.05)), m)


def test_comparison_metric_defaults_to_the_threshold_metric():
    cand, base = table(150, 10, 10, 30)
    m = measured("accuracy", cand, base)
    result = judge(gate(Threshold("accuracy", min=0.5), Comparison(max_drop=0.05)), m)
    assert result.comparison.metric == "accuracy"


# -- overall outcome and serialisation ----------------------------------------------------

def test_overall_outcome_is_the_worse_part():
    cand, base = table(150, 10, 10, 30)
    m = measured("accuracy", cand, base)
    both_pass = judge(gate(Threshold("accuracy", min=0.7), Comparison(max_drop=0.05)), m)
    assert both_pass.outcome == "pass" and ";" in both_pass.reason
    assert both_pass.pass_probability == pytest.approx(
        both_pass.threshold.pass_probability * both_pass.comparison.pass_probability)
    unsure = judge(gate(Threshold("accuracy", min=0.7), Comparison(max_drop=0.02)), m)
    assert unsure.outcome == "inconclusive" and unsure.reason.startswith("accuracy vs baseline")
    failed = judge(gate(Threshold("accuracy", min=0.9), Comparison(max_drop=0.02)), m)
    assert failed.outcome == "fail" and failed.reason.startswith("accuracy 0.800")
    assert failed.comparison.outcome == "inconclusive"


def test_judgement_round_trips_through_json():
    cand, base = table(150, 10, 10, 30)
    result = judge(gate(Threshold("accuracy", min=0.7, bound="lower95"), Comparison(max_drop=0.02)),
                   measured("accuracy", cand, base))
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["outcome"] == "inconclusive" and data["threshold"]["outcome"] == "pass"
    assert isinstance(data["threshold"]["interval"], list) and data["threshold"]["oc"]["p"]
    assert data["comparison"]["discordant"] == {"candidate_only": 10, "baseline_only": 10}
    assert Judgement.from_dict(data) == result
    scores = continuous_pair(0.03)
    cont = judge(gate(vs_baseline=Comparison(metric="s", min_gain=0.0)),
                 measured("s", *scores, binary=False))
    assert Judgement.from_dict(json.loads(json.dumps(cont.to_dict(), allow_nan=False))) == cont


def test_reports_written_before_the_power_fields_still_load():
    old = {"outcome": "pass", "reason": "r",
           "threshold": {"metric": "a", "value": 0.9, "bound": "point", "compared_value": 0.9,
                         "min": 0.8, "max": None, "interval": [0.85, 0.95], "interval_method": "wilson",
                         "outcome": "pass", "required_n": None, "reason": "r", "n": 100}}
    loaded = Judgement.from_dict(old)
    assert loaded.threshold.interval == (0.85, 0.95) and loaded.threshold.oc is None


def test_measurement_counts_its_items_when_n_is_left_out():
    from gatekeeper.core.measurement import ItemResult

    items = tuple(ItemResult(id=str(i), input="q") for i in range(3))
    assert Measurement(metrics={"rate": 1.0}, items=items).n == 3
    assert Measurement(metrics={"rate": 1.0}, n=7, items=items).n == 7
    assert Measurement(metrics={"rate": 1.0}).n == 0


@pytest.mark.parametrize("limit,true,side", [(0.9, 0.95, "min"), (0.995, 0.999, "min"),
                                             (0.5, 0.6, "min"), (0.05, 0.02, "max")])
def test_required_n_is_the_first_n_of_a_brute_force_scan(limit, true, side):
    from gatekeeper.verdict import power

    design = power.Design("rate", limit, side)
    found = power.required_n(design, true)
    ns = np.arange(1, found + 50)
    first = ns[np.flatnonzero(power.pass_probability(design, ns, true) >= 0.8)[0]]
    assert found == first


def test_required_n_near_the_limit_is_found_without_scanning_millions():
    """A rate just above the limit needs millions of items; the search must not walk them
    (it took 148 s when it did)."""
    from gatekeeper.verdict import power

    design = power.Design("rate", 0.995, "min")
    assert power.required_n(design, 0.9951) > 1_000_000
    assert power.required_n(design, 0.99501) is None  # more than MAX_N
