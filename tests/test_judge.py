"""judge: thresholds, one-sided bounds and paired comparisons turn measurements into outcomes."""

import json

import numpy as np
import pytest

from gatekeeper.errors import ConfigError, Location, MeasurementError
from gatekeeper.judge import Judgement, judge
from gatekeeper.measurement import Measurement, Samples
from gatekeeper.spec import Comparison, GateSpec, Threshold


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
    passed = judge(gate(Threshold("accuracy", min=0.8)), measured("accuracy", rate(170, 30)))
    assert passed.outcome == "pass" and passed.comparison is None
    assert passed.threshold.compared_value == 0.85
    assert passed.threshold.interval_method == "wilson"
    lo, hi = passed.threshold.interval
    assert lo < 0.85 < hi
    assert passed.reason.startswith("accuracy 0.850 (95% CI") and ">= 0.8" in passed.reason
    failed = judge(gate(Threshold("accuracy", min=0.9)), measured("accuracy", rate(170, 30)))
    assert failed.outcome == "fail" and "fails >= 0.9" in failed.reason


def test_point_threshold_with_max_and_range():
    m = measured("refusal_rate", rate(6, 94))
    assert judge(gate(Threshold("refusal_rate", max=0.1)), m).outcome == "pass"
    assert judge(gate(Threshold("refusal_rate", max=0.05)), m).outcome == "fail"
    ranged = judge(gate(Threshold("refusal_rate", min=0.01, max=0.1)), m)
    assert ranged.outcome == "pass" and "within [0.01, 0.1]" in ranged.reason


def test_point_threshold_without_samples_has_no_interval():
    m = Measurement(metrics={"exact_match": 0.4}, n=50)
    result = judge(gate(Threshold("exact_match", min=0.3)), m)
    assert result.outcome == "pass"
    assert result.threshold.interval is None and result.threshold.interval_method is None
    assert "(n=50)" in result.reason


def test_issue_example_1000_items_one_failure_passes_lower95():
    result = judge(gate(VALID_995), measured("valid_rate", rate(999, 1)))
    assert result.outcome == "pass"
    assert result.threshold.compared_value >= 0.995
    assert result.threshold.required_n is None


def test_issue_example_1000_items_two_failures_is_inconclusive():
    result = judge(gate(VALID_995), measured("valid_rate", rate(998, 2)))
    assert result.outcome == "inconclusive"
    assert result.threshold.compared_value < 0.995 < result.threshold.value
    assert result.threshold.required_n > 1000
    assert f"needs n >= {result.threshold.required_n}" in result.reason


def test_point_below_the_limit_fails_and_still_records_the_bound():
    """The demo's case: 643/650 valid. Fail, no n can help, and the compared value shown as
    the lower95 bound really is the Clopper-Pearson bound, not the point value."""
    from gatekeeper import stats

    result = judge(gate(VALID_995), measured("valid_rate", rate(643, 7)))
    assert result.outcome == "fail" and result.threshold.required_n is None
    assert result.threshold.compared_value == pytest.approx(stats.clopper_pearson_lower(643, 650))
    assert result.threshold.compared_value < result.threshold.value < 0.995


def test_issue_example_200_perfect_items_needs_598():
    result = judge(gate(VALID_995), measured("valid_rate", rate(200, 0)))
    assert result.outcome == "inconclusive"
    assert result.threshold.required_n == 598
    assert result.reason.startswith("valid_rate 1.000 (95% CI")
    assert "cannot support >= 0.995 at lower95" in result.reason
    assert result.reason.endswith("needs n >= 598")


def test_lower95_fails_when_the_point_estimate_is_below():
    result = judge(gate(VALID_995), measured("valid_rate", rate(990, 10)))
    assert result.outcome == "fail" and result.threshold.required_n is None


def test_lower95_at_exactly_the_limit_can_never_pass():
    result = judge(gate(Threshold("acc", min=0.5, bound="lower95")), measured("acc", rate(50, 50)))
    assert result.outcome == "inconclusive" and result.threshold.required_n is None
    assert "no sample size suffices" in result.reason


def test_upper95_threshold_on_a_rate():
    limit = Threshold("unsafe_rate", max=0.05, bound="upper95")
    assert judge(gate(limit), measured("unsafe_rate", rate(0, 100))).outcome == "pass"
    unsure = judge(gate(limit), measured("unsafe_rate", rate(3, 97)))
    assert unsure.outcome == "inconclusive" and unsure.threshold.required_n > 100
    assert unsure.threshold.compared_value > 0.05
    assert judge(gate(limit), measured("unsafe_rate", rate(10, 90))).outcome == "fail"


def test_continuous_threshold_uses_the_bootstrap():
    scores = np.random.default_rng(0).normal(0.7, 0.1, 200)
    point = judge(gate(Threshold("rouge", min=0.6)), measured("rouge", scores, binary=False))
    assert point.outcome == "pass" and point.threshold.interval_method == "bootstrap"
    clear = judge(gate(Threshold("rouge", min=0.65, bound="lower95")),
                  measured("rouge", scores, binary=False))
    assert clear.outcome == "pass"
    assert 0.65 < clear.threshold.compared_value < clear.threshold.value
    close = judge(gate(Threshold("rouge", min=0.695, bound="lower95")),
                  measured("rouge", scores, binary=False))
    assert close.outcome == "inconclusive" and close.threshold.required_n > 200


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

def compare(comparison: Comparison, cells=(150, 10, 10, 30)) -> Judgement:
    cand, base = table(*cells)
    return judge(gate(Threshold("accuracy", min=0.0), comparison), measured("accuracy", cand, base))


def test_non_inferiority_binary_pass_inconclusive_fail():
    passed = compare(Comparison(max_drop=0.05))
    c = passed.comparison
    assert passed.outcome == "pass" and c.kind == "non_inferiority" and c.test == "mcnemar_exact"
    assert c.delta == 0.0 and -0.05 < c.ci[0] < 0 < c.ci[1]
    assert c.discordant == {"candidate_only": 10, "baseline_only": 10}
    assert c.required_n is None and "shows non-inferiority (max_drop 0.05)" in passed.reason
    unsure = compare(Comparison(max_drop=0.02))
    assert unsure.outcome == "inconclusive" and unsure.comparison.required_n > 200
    assert unsure.comparison.reason.endswith(f"needs n >= {unsure.comparison.required_n}")
    assert unsure.reason.startswith(unsure.comparison.reason)
    failed = compare(Comparison(max_drop=0.05), cells=(140, 2, 20, 38))
    assert failed.outcome == "fail" and failed.comparison.delta == pytest.approx(-0.09)


def test_superiority_binary_pass_inconclusive_fail():
    cells = (120, 30, 5, 45)  # delta = +0.125 on 200 items
    passed = compare(Comparison(min_gain=0.05), cells)
    assert passed.outcome == "pass" and passed.comparison.ci[0] > 0.05
    assert passed.comparison.p_value < 1e-4
    unsure = compare(Comparison(min_gain=0.1), cells)
    assert unsure.outcome == "inconclusive" and unsure.comparison.required_n > 200
    failed = compare(Comparison(min_gain=0.15), cells)
    assert failed.outcome == "fail" and "delta <= 0.15" in failed.reason


def test_zero_margin_superiority_also_needs_the_exact_test():
    # 4 discordant pairs all favouring the candidate: Newcombe's 90% interval excludes 0,
    # but the exact one-sided McNemar p is 0.5**4 = 0.0625 >= 0.05.
    result = compare(Comparison(min_gain=0.0), cells=(100, 4, 0, 96))
    assert result.comparison.ci[0] > 0
    assert result.comparison.p_value == pytest.approx(0.0625)
    assert result.outcome == "inconclusive"
    assert compare(Comparison(min_gain=0.0), cells=(100, 12, 0, 88)).outcome == "pass"


def test_lower_is_better_flips_the_direction():
    # candidate refuses harmless prompts less often than the baseline: a gain
    cand, base = table(5, 3, 25, 167)
    m = measured("refusal_rate", cand, base)
    result = judge(gate(vs_baseline=Comparison(metric="refusal_rate", min_gain=0.0,
                                               higher_is_better=False)), m)
    c = result.comparison
    assert result.outcome == "pass" and c.delta == pytest.approx(0.11)
    assert c.candidate == pytest.approx(0.04) and c.baseline == pytest.approx(0.15)
    assert c.discordant == {"candidate_only": 3, "baseline_only": 25}
    assert "lower is better" in result.reason
    worse = judge(gate(vs_baseline=Comparison(metric="refusal_rate", max_drop=0.02,
                                              higher_is_better=False)),
                  measured("refusal_rate", base, cand))
    assert worse.outcome == "fail" and worse.comparison.delta == pytest.approx(-0.11)


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
    assert result.outcome == outcome and c.test == "paired_bootstrap" and c.discordant is None
    assert c.delta == pytest.approx(float(np.mean(cand - base)))
    assert c.ci[0] < c.delta < c.ci[1]
    assert (c.required_n is not None) == (outcome == "inconclusive")
    if outcome == "inconclusive":
        assert c.required_n > 300


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
    assert data["outcome"] == "inconclusive"
    assert isinstance(data["threshold"]["interval"], list)
    assert data["comparison"]["discordant"] == {"candidate_only": 10, "baseline_only": 10}
    assert Judgement.from_dict(data) == result
    scores = continuous_pair(0.03)
    cont = judge(gate(vs_baseline=Comparison(metric="s", min_gain=0.0)),
                 measured("s", *scores, binary=False))
    assert Judgement.from_dict(json.loads(json.dumps(cont.to_dict(), allow_nan=False))) == cont


def test_measurement_counts_its_items_when_n_is_left_out():
    from gatekeeper.measurement import ItemResult

    items = tuple(ItemResult(id=str(i), input="q") for i in range(3))
    assert Measurement(metrics={"rate": 1.0}, items=items).n == 3
    assert Measurement(metrics={"rate": 1.0}, n=7, items=items).n == 7
    assert Measurement(metrics={"rate": 1.0}).n == 0
