"""Every PASS backed by evidence (issue 20): default bounds, census metrics, two-sided
thresholds. Each test carries the numbers of the issue's audit."""

import numpy as np
import pytest

from gatekeeper.core.errors import Location, MeasurementError
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import GateSpec, Threshold
from gatekeeper.verdict import stats
from gatekeeper.verdict.judge import judge


def gate(threshold=None, vs_baseline=None) -> GateSpec:
    return GateSpec(id="g.test", type="task_accuracy", threshold=threshold, vs_baseline=vs_baseline,
                    source=Location("gates/test.yaml", 3))


def measured(metric, candidate, baseline=None, *, binary=True) -> Measurement:
    samples = Samples(tuple(candidate), tuple(baseline) if baseline is not None else None, binary)
    return Measurement(metrics={metric: float(np.mean(candidate))}, n=len(candidate),
                       baseline_metrics={metric: float(np.mean(baseline))} if baseline is not None else {},
                       samples={metric: samples})


def rate(passed, failed):
    return [1] * passed + [0] * failed


ACCURACY = {"accuracy": Metric("accuracy")}


# -- the default bound --------------------------------------------------------------------

def test_omitted_bound_on_a_sampled_metric_is_the_lower95_bound():
    """Defect: 86/100 passed `min: 0.85` on its point value (and 1/1 did too)."""
    unsure = judge(gate(Threshold("accuracy", min=0.85)), measured("accuracy", rate(86, 14)), ACCURACY)
    t = unsure.threshold
    assert unsure.outcome == "inconclusive" and t.evidence == "bound" and t.bound == "lower95"
    assert t.compared_value == pytest.approx(stats.clopper_pearson_lower(86, 100))
    assert "at lower95" in unsure.reason
    one = judge(gate(Threshold("accuracy", min=0.85)), measured("accuracy", rate(1, 0)), ACCURACY)
    assert one.outcome == "inconclusive"
    clear = judge(gate(Threshold("accuracy", min=0.85)), measured("accuracy", rate(97, 3)), ACCURACY)
    assert clear.outcome == "pass" and clear.threshold.compared_value >= 0.85


def test_default_bound_at_the_threshold_passes_at_most_alpha():
    """True accuracy exactly 0.85: the point rule passed 51-57% of the time; the bound <= 5%."""
    from gatekeeper.verdict import power

    for n in (100, 400, 1300):
        design = power.Design("rate", 0.85, "min", 0.05)
        assert power.pass_probability(design, n, 0.85) <= 0.05
        point = power.Design("rate", 0.85, "min", 0.5, point=True)
        assert power.pass_probability(point, n, 0.85) > 0.5


def test_omitted_bound_on_a_max_is_the_upper95_bound():
    limit = Threshold("unsafe_rate", max=0.05)
    result = judge(gate(limit), measured("unsafe_rate", rate(3, 97)))
    assert result.outcome == "inconclusive" and result.threshold.bound == "upper95"
    assert judge(gate(limit), measured("unsafe_rate", rate(0, 100))).outcome == "pass"


def test_undeclared_metric_without_samples_needs_a_bound_or_point():
    m = Measurement(metrics={"exact_match": 0.4}, n=50)
    with pytest.raises(MeasurementError, match="per-item samples") as info:
        judge(gate(Threshold("exact_match", min=0.3)), m)
    assert "bound: point" in info.value.hint


# -- census metrics -----------------------------------------------------------------------

def test_census_metric_is_compared_exactly():
    """Duplicates among all training rows are counted, not estimated: 5 of 600 (0.0083) is
    under max 0.01 whatever its 'interval' would say."""
    table = {"duplicate_rate": Metric("duplicate_rate", higher_is_better=False, sampled=False)}
    m = measured("duplicate_rate", rate(5, 595))
    result = judge(gate(Threshold("duplicate_rate", max=0.01)), m, table)
    assert result.outcome == "pass" and result.threshold.evidence == "census"
    assert result.threshold.test == "census" and result.threshold.compared_value == m.metrics["duplicate_rate"]
    assert result.pass_probability == 1.0 and "(census, exact)" in result.reason  # no sampling error
    over = judge(gate(Threshold("duplicate_rate", max=0.005)), m, table)
    assert over.outcome == "fail"
    # an explicit bound on a census is honoured (stricter, never looser)
    strict = judge(gate(Threshold("duplicate_rate", max=0.01, bound="upper95")), m, table)
    assert strict.threshold.evidence == "bound" and strict.outcome == "inconclusive"


def test_values_are_a_census_unless_declared_sampled():
    assert Metric("mismatches", kind="value").sampled is False
    assert Metric("accuracy").sampled is True and Metric("rouge", kind="score").sampled is True
    assert Metric("slowdown", kind="value", sampled=True).sampling == "sampled"
    m = Measurement(metrics={"mismatches": 0.0}, n=0)
    result = judge(gate(Threshold("mismatches", max=0)), m, {"mismatches": Metric("mismatches", kind="value")})
    assert result.outcome == "pass" and result.threshold.evidence == "census"


def test_built_in_census_metrics_are_declared():
    from gatekeeper.run.registry import load_gate_types

    types = load_gate_types()
    census = {(t.name, m.name) for t in types.values() for m in t.metrics if not m.sampled}
    for pair in [("contamination", "exact_hits"), ("contamination", "hit_rate"),
                 ("dataset_audit", "duplicate_rate"), ("dataset_audit", "schema_errors"),
                 ("chat_template", "mismatches")]:
        assert pair in census
    sampled = {(t.name, m.name) for t in types.values() for m in t.metrics if m.sampled}
    for pair in [("task_accuracy", "accuracy"), ("json_validity", "valid_rate"),
                 ("safety", "refusal_rate"), ("lm_eval", "accuracy"), ("serving", "slowdown")]:
        assert pair in sampled


# -- two-sided thresholds -----------------------------------------------------------------

def test_both_limits_of_a_two_sided_threshold_are_judged_on_their_bounds():
    """Defect: with min and max, the second limit was compared with the point value."""
    inside = measured("refusal_rate", rate(150, 850))   # 0.15, bounds about 0.13-0.17
    both = Threshold("refusal_rate", min=0.1, max=0.2)
    result = judge(gate(both), inside)
    t = result.threshold
    assert result.outcome == "pass" and t.bound == "lower95+upper95"
    lo, hi = t.bounds
    assert lo == pytest.approx(stats.clopper_pearson_lower(150, 1000))
    assert hi == pytest.approx(stats.clopper_pearson_upper(150, 1000))
    assert "lower95" in result.reason and "upper95" in result.reason
    # point inside the range, upper bound above max: not shown, so not a pass
    near_max = judge(gate(Threshold("refusal_rate", min=0.1, max=0.16)), inside)
    assert near_max.outcome == "inconclusive"
    assert near_max.threshold.compared_value == pytest.approx(hi)
    # an explicit lower95 with a max judges the max on its bound too
    explicit = judge(gate(Threshold("refusal_rate", min=0.1, max=0.16, bound="lower95")), inside)
    assert explicit.outcome == "inconclusive"
    # the lower bound above the max: the data show it is out of range
    above = judge(gate(Threshold("refusal_rate", min=0.01, max=0.1)), inside)
    assert above.outcome == "fail" and above.threshold.opposite_value > 0.1


def test_two_sided_pass_probability_needs_both_sides():
    from gatekeeper.verdict import power
    from scipy.stats import binom

    d = power.Design("rate", 0.1, "both", 0.05, upper_limit=0.2)
    lo_k = stats.min_passing_successes(1000, 0.1)
    hi_f = stats.min_passing_successes(1000, 0.8)  # failures needed: upper(k) <= 0.2
    exact = binom.cdf(1000 - hi_f, 1000, 0.15) - binom.cdf(lo_k - 1, 1000, 0.15)
    assert power.pass_probability(d, 1000, 0.15) == pytest.approx(exact)
    assert power.pass_probability(d, 1000, 0.25) == pytest.approx(0.0, abs=1e-6)
    assert power.required_n(d, 0.15) is not None and power.required_n(d, 0.25) is None


# -- bounded scores at any n --------------------------------------------------------------

SCORE = {"score": Metric("score", kind="score")}


def test_scores_piled_at_the_top_are_judged_by_betting_not_the_bootstrap():
    """90% of items at 1.0: the bootstrap passed falsely 13.6% at n = 30 (the README's known
    limit). Betting bounds: at the limit itself never a pass; clearly above it, a pass."""
    piled = [1.0] * 27 + [0.0] * 3                       # mean 0.9
    at_limit = judge(gate(Threshold("score", min=0.9)), measured("score", piled, binary=False), SCORE)
    assert at_limit.outcome == "inconclusive" and at_limit.threshold.test == "betting"
    assert at_limit.threshold.interval_method == "betting"
    clear = judge(gate(Threshold("score", min=0.6)), measured("score", piled, binary=False), SCORE)
    assert clear.outcome == "pass" and clear.threshold.compared_value >= 0.6


def test_ties_heavy_paired_scores_use_betting_and_do_not_pass_at_the_margin():
    """90% of pairs identical, true delta exactly -max_drop: the bootstrap passed 8-12%."""
    from gatekeeper.core.spec import Comparison

    base = [0.5] * 50
    cand = [0.5] * 45 + [0.0] * 3 + [1.0] * 2            # delta (-1.5 + 1.0) / 50 = -0.01
    result = judge(gate(vs_baseline=Comparison(metric="score", max_drop=0.01)),
                   measured("score", cand, base, binary=False), SCORE)
    c = result.comparison
    assert c.test == "betting" and c.delta == pytest.approx(-0.01)
    assert result.outcome != "pass" and c.ci[0] < -0.01 < c.ci[1]
    # a candidate that is the same on 290 of 300 items and better on 10: non-inferior
    cand = [0.5] * 290 + [1.0] * 10
    better = judge(gate(vs_baseline=Comparison(metric="score", max_drop=0.02)),
                   measured("score", cand, [0.5] * 300, binary=False), SCORE)
    assert better.outcome == "pass" and better.comparison.p_value <= 0.05


# -- the judge validates what it is given -------------------------------------------------

@pytest.mark.parametrize("threshold,comparison,message", [
    (Threshold("accuracy", max=float("inf"), bound="point"), None, "max must be a finite number, got inf"),
    (Threshold("accuracy", min=float("nan")), None, "min must be a finite number, got nan"),
    (Threshold("accuracy", min=1.5), None, "outside the range of 'accuracy'"),
    (Threshold("accuracy", min="0.8"), None, "min must be a number, got '0.8'"),
    (Threshold("accuracy", min=True), None, "min must be a number, got True"),
    (Threshold("accuracy"), None, "needs min and/or max"),
    (Threshold("accuracy", min=0.5, bound="lower99"), None, "bound must be point, lower95 or upper95"),
    (None, "min_gain=-0.05", "min_gain must be >= 0, got -0.05"),
    (None, "max_drop=nan", "max_drop must be a finite number, got nan"),
    (None, "max_drop=0.02,alpha=0.7", "alpha must be a number in (0, 0.5), got 0.7"),
    (None, "max_drop=0.02,alpha=None", "alpha must be a number in (0, 0.5), got None"),
    (None, "max_drop=0.02,min_gain=0.01", "exactly one of max_drop or min_gain"),
])
def test_code_built_specs_with_bad_limits_are_config_errors(threshold, comparison, message):
    """Defect: built in code, `max: +inf, point` passed, `min_gain: -0.05` passed and
    `max_drop: nan` raised a Fraction error."""
    from gatekeeper.core.errors import ConfigError
    from gatekeeper.core.spec import Comparison

    kwargs = {}
    for part in (comparison or "").split(",") if comparison else ():
        key, value = part.split("=")
        kwargs[key] = None if value == "None" else float(value)
    spec = gate(threshold, Comparison(metric="accuracy", **kwargs) if comparison else None)
    cand, base = rate(90, 10), rate(85, 15)
    with pytest.raises(ConfigError) as info:
        judge(spec, measured("accuracy", cand, base), ACCURACY)
    assert message in str(info.value) and info.value.location == "gates/test.yaml:3"


# -- no signal, no pass -------------------------------------------------------------------

def test_identical_paired_answers_are_no_signal_not_non_inferiority():
    """Defect: standard.general compared a base and a candidate answering 'A' on all 237
    items (0 discordant pairs) and passed non-inferiority at 0.308 vs 0.308."""
    from gatekeeper.core.spec import Comparison

    same = rate(73, 164)
    result = judge(gate(vs_baseline=Comparison(metric="accuracy", max_drop=0.03)),
                   measured("accuracy", same, same), ACCURACY)
    c = result.comparison
    assert result.outcome == "inconclusive" and c.pass_probability == 0.0 and c.required_n is None
    assert "no signal: 0 discordant pairs over 237 items" in result.reason
    scores = [0.2, 0.9, 0.5] * 20
    paired = judge(gate(vs_baseline=Comparison(metric="score", max_drop=0.05)),
                   measured("score", scores, scores, binary=False), SCORE)
    assert paired.outcome == "inconclusive"
    assert "scored the same on all 60 items" in paired.reason


def test_a_gate_type_flag_makes_a_would_be_pass_no_signal():
    from gatekeeper.core.spec import Comparison

    flag = {"no_signal": {"accuracy": "both models chose A on every one of 200 items",
                          "accuracy.comparison": "the baseline's accuracy is not above chance"}}
    cand, base = rate(150, 50), rate(120, 30) + rate(10, 40)
    m = measured("accuracy", cand, base)
    m = Measurement(metrics=m.metrics, n=m.n, baseline_metrics=m.baseline_metrics,
                    samples=m.samples, details=flag)
    threshold = judge(gate(Threshold("accuracy", min=0.6)), m, ACCURACY)
    assert threshold.outcome == "inconclusive" and "chose A on every one" in threshold.reason
    assert "not above chance" not in threshold.reason      # that one is about the comparison
    both = judge(gate(vs_baseline=Comparison(metric="accuracy", max_drop=0.1)), m, ACCURACY)
    assert both.outcome == "inconclusive" and "not above chance" in both.reason
    # a fail stays a fail: the data still show the claim false
    failed = judge(gate(Threshold("accuracy", min=0.9)), m, ACCURACY)
    assert failed.outcome == "fail"


def test_lm_eval_flags_a_constant_answer_and_a_baseline_at_chance():
    from gatekeeper.evals.harness import SampleRecord
    from gatekeeper.evals.measure import no_signal
    from gatekeeper.evals.results import PairedSample

    def record(i, pick, right):
        logliks = tuple(0.0 if j == pick else -1.0 for j in range(4))
        return SampleRecord("mmlu_x", i, f"h{i}", "B", float(right), logliks, ("w", "x", "y", "z"),
                            pick if right else (pick + 1) % 4)

    constant = [PairedSample(record(i, 0, i % 4 == 0), record(i, 0, i % 4 == 0)) for i in range(40)]
    seen = no_signal(constant)
    assert seen["accuracy"] == "both models chose A on every one of 40 items"
    assert "not above chance (0.250)" in seen["accuracy.comparison"]
    varied = [PairedSample(record(i, i % 4, i % 3 != 0), record(i, (i + 1) % 4, i % 3 != 0))
              for i in range(60)]
    assert no_signal(varied) == {}
