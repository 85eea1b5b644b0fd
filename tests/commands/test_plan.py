"""`gatekeeper plan`: sizing gates from the gate files and golden sets, without a model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.bundles import write_bundle
from gatekeeper.cli import main
from gatekeeper.commands.plan import family, parse_assumptions

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "tickets"


pytestmark = pytest.mark.usefixtures("static_gate_types")


def plan_json(capsys, *args) -> dict:
    assert main(["plan", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_json_gate_is_sized_for_80_percent_at_0999(capsys):
    """The issue's example: at 650 items a 0.999-valid candidate passed about half the time;
    the ticket golden set now has 1,300 test items, which gives at least 80%."""
    plan = plan_json(capsys, DEMO, "--assume", "valid_rate=0.999")
    gates = {g["id"]: g for g in plan["gates"]}
    json_gate = gates["tickets.json"]
    assert json_gate["n"] == 1300
    t = json_gate["threshold"]
    assert t["bound"] == "lower95" and t["limit"] == 0.995 and t["assumed"] == 0.999
    assert t["pass_probability"] >= 0.8 and t["required_n"] == 1258
    assert 0.995 < t["min_detectable"] < 0.999
    # gates without a golden set (n unknown) and counts judged as they are are not sized
    family_ = plan["family"]
    assert family_["blocking"] == 19 and family_["sized"] >= 2 and family_["assumed"] == 1
    assert family_["at_80_percent_points"] == pytest.approx(0.8 ** family_["sized"])
    unsized = [g for g in plan["gates"] if g["severity"] == "block" and not g["sized"]]
    assert all(g["n"] is None or g["pass_probability"] is None for g in unsized)


def test_plan_does_not_import_torch():
    code = ("import sys; from gatekeeper.cli import main; "
            f"rc = main(['plan', {str(DEMO)!r}, '--json']); "
            "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["bundle"]["name"] == "support-tickets"


def test_plan_of_a_small_bundle_warns_when_under_powered(tmp_path, capsys):
    gates = ("gates:\n"
             "  - {id: s.a, type: static_rate, golden_set: ../data/eval.jsonl,"
             " threshold: {metric: rate, min: 0.5, bound: lower95}}\n")
    root = write_bundle(tmp_path / "b", {"g.yaml": gates})
    plan = plan_json(capsys, root, "--assume", "rate=0.6")
    gate = plan["gates"][0]
    assert gate["n"] == 5  # the golden set's rows
    assert gate["threshold"]["pass_probability"] < 0.1
    assert plan["family"]["underpowered"] is True
    assert main(["plan", str(root), "--assume", "rate=0.6"]) == 0
    out = capsys.readouterr().out
    assert "s.a (block, n=5)" in out and "warning: the bundle is under-powered" in out


def test_assumptions_for_one_gate_win_over_the_metric_wide_ones():
    assert parse_assumptions(["rate=0.9", "s.a:rate=0.7", "acc.delta=-0.01"]) == \
        {"rate": 0.9, "s.a:rate": 0.7, "acc.delta": -0.01}


@pytest.mark.parametrize("bad", ["rate", "rate=", "=0.9", "rate=high", "rate=nan"])
def test_malformed_assumption_is_a_usage_error(tmp_path, capsys, bad):
    assert main(["plan", str(DEMO), "--assume", bad]) == 4
    err = capsys.readouterr().err
    assert "--assume" in err and "METRIC=NUMBER" in err and "Traceback" not in err


def test_family_picture_multiplies_the_blocking_gates():
    gates = [{"severity": "block", "pass_probability": 0.9, "sized": True},
             {"severity": "block", "pass_probability": 0.8, "sized": True},
             {"severity": "warn", "pass_probability": 0.1, "sized": True}]
    f = family(gates + [{"severity": "block", "pass_probability": None, "sized": False}])
    assert f["blocking"] == 3 and f["sized"] == 2 and f["at_80_percent_points"] == pytest.approx(0.64)
    assert f["all_pass_probability"] == pytest.approx(0.72)
    assert f["expected_not_pass"] == pytest.approx(0.3) and f["underpowered"]


def test_paired_power_agrees_with_the_judge_at_zero_discordance():
    """Measured on the demo: 0 vs 0 over-refusals at n=70 is inconclusive (Tango p 0.085),
    while the power note claimed 80% from n=52. With the continuity correction the score
    test passes 0 vs 0 from n=87, but the judge calls 0 discordant pairs "no signal" and
    never a pass; the power model says the same: no n passes at zero discordance."""
    from gatekeeper.verdict import power, stats

    d = power.Design("paired_rate", -0.05, "min", 0.05, discordance=0.0, lower=-1.0, upper=1.0)
    assert stats.tango_p(0, 0, 70, -0.05) > 0.05 and stats.tango_p(0, 0, 87, -0.05) < 0.05
    assert power.required_n(d, 0.0) is None
    assert float(power.pass_probability(d, 87, 0.0)) == 0.0


def test_plan_sizes_safety_lm_eval_and_calibration_from_their_files(capsys):
    """Defect: 'n unknown' for safety and lm_eval gates whose size is known from their files."""
    gates = {g["id"]: g for g in plan_json(capsys, DEMO)["gates"]}
    assert gates["standard.refusal"]["n"] == {"refusal_rate": 252, "over_refusal_rate": 252}
    assert gates["standard.general"]["n"] == 381 and gates["standard.calibration"]["n"] == 381
    assert gates["standard.general"]["comparison"]["min_detectable"] is not None
    assert gates["tickets.category"]["threshold"]["bound"] == "lower95"  # the default bound
    assert gates["standard.contamination"]["threshold"]["evidence"] == "census"


def test_plan_flags_a_gate_that_cannot_pass_at_its_n_without_assume(tmp_path, capsys):
    """Defect: 10 items at `min: 0.95, lower95` was silent, and the closing line left it out."""
    rows = "".join(f'{{"id": "r{i}", "prompt": "p{i}", "target": "t"}}\n' for i in range(10))
    gates = ("gates:\n  - {id: s.tight, type: static_rate, golden_set: ../data/ten.jsonl,"
             " threshold: {metric: rate, min: 0.95}}\n")
    root = write_bundle(tmp_path / "b", {"g.yaml": gates})
    (root / "data" / "ten.jsonl").write_text(rows)
    plan = plan_json(capsys, root)
    t = plan["gates"][0]["threshold"]
    assert t["never_passes"] and t["best"]["value"] == 1.0 and t["best"]["required_n"] == 59
    assert plan["family"]["never_passes"] == ["s.tight"] and plan["family"]["underpowered"]
    assert main(["plan", str(root)]) == 0
    out = capsys.readouterr().out
    assert "cannot pass at n=10 even at the best possible true value (1)" in out
    assert "needs n >= 59" in out and "no release can pass" in out


def test_plan_states_the_release_level_error_rate(capsys):
    assert main(["plan", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "19 blocking gate(s): 8 judged on evidence" in out
    assert "intersection-union" in out and "at most 0.05" in out
    assert "Not covered: the 14 warn gate(s)" in out  # 12 + the two rubric gates


@pytest.mark.parametrize("bad,says", [("accuracy=2", "accuracy=2 is outside what accuracy can be [0, 1]"),
                                      ("accuracy.delta=1.5", "outside what accuracy.delta can be [-1, 1]"),
                                      ("accuracy.discordance=-0.1", "can be [0, 1]"),
                                      ("brier.sd=0", "can be (0, 1]"),
                                      ("accuracy.spread=0.1", "unknown key 'spread'"),
                                      ("over_refusal_rate.base=1.2", "can be [0, 1]")])
def test_assumed_values_outside_the_metric_are_refused(capsys, bad, says):
    """Defect: `--assume accuracy=2` printed "pass nan" with exit 0."""
    assert main(["plan", str(DEMO), "--assume", bad]) == 4
    err = capsys.readouterr().err
    assert "--assume" in err and says in err and "Traceback" not in err


def test_standard_over_refusal_gate_is_blocking_and_passes_equal_models_on_the_shipped_set(capsys):
    """Issue 23: at 70 benign prompts the over-refusal gate could not pass even at 0 vs 0, so
    it was a warning. On the 252 of the shipped set, a candidate that truly equals the base
    (delta 0) at the base's rate passes with >= 80%, refusals independent given the rate: at
    1/252 (measured on the demo: the base refused one benign prompt, pattern classifier,
    32 new tokens; 13% of such runs have no discordant pair at all, which the judge calls
    no signal), at 2% (4% discordant pairs) and up to about 4%."""
    for base, at_least in ((1 / 252, 0.8), (0.02, 0.9), (0.039, 0.8)):
        plan = plan_json(capsys, DEMO, "--assume", "standard.over_refusal:over_refusal_rate.delta=0",
                         "--assume", f"standard.over_refusal:over_refusal_rate.base={base}")
        gate = {g["id"]: g for g in plan["gates"]}["standard.over_refusal"]
        c = gate["comparison"]
        assert gate["severity"] == "block" and gate["n"]["over_refusal_rate"] == 252
        assert c["kind"] == "non_inferiority" and c["boundary"] == -0.05
        assert c["discordance"] == pytest.approx(2 * base * (1 - base))
        assert c["discordance_from"].startswith("base rate ")
        assert c["pass_probability"] >= at_least and not gate["never_passes"]
    # the old size could not: at 2% discordant pairs 70 items pass under 0.3
    from gatekeeper.verdict import power

    d = power.Design("paired_rate", -0.05, "min", 0.05, discordance=0.0, lower=-1.0, upper=1.0)
    assert float(power.pass_probability(d, 70, 0.0)) == 0.0
    tiny = power.Design("paired_rate", -0.05, "min", 0.05, discordance=0.02, lower=-1.0, upper=1.0)
    assert float(power.pass_probability(tiny, 70, 0.0)) < 0.3 < 0.8 < float(power.pass_probability(tiny, 252, 0.0))


def test_base_rate_gives_the_discordance_of_independent_outcomes_in_the_metrics_direction(capsys):
    """over_refusal_rate is lower-is-better: delta +0.01 (candidate better) is a candidate
    rate of base - 0.01."""
    plan = plan_json(capsys, DEMO, "--assume", "over_refusal_rate.delta=0.01",
                     "--assume", "over_refusal_rate.base=0.05")
    c = {g["id"]: g for g in plan["gates"]}["standard.over_refusal"]["comparison"]
    assert c["discordance"] == pytest.approx(0.05 * 0.96 + 0.04 * 0.95)
    # an explicit discordance wins over the base rate
    plan = plan_json(capsys, DEMO, "--assume", "over_refusal_rate.base=0.05",
                     "--assume", "over_refusal_rate.discordance=0.3")
    c = {g["id"]: g for g in plan["gates"]}["standard.over_refusal"]["comparison"]
    assert c["discordance"] == 0.3 and c["discordance_from"] == "assumed"


def test_base_rate_that_puts_the_candidate_outside_0_1_is_refused(capsys):
    assert main(["plan", str(DEMO), "--assume", "over_refusal_rate.base=0.01",
                 "--assume", "over_refusal_rate.delta=0.2"]) == 4
    err = capsys.readouterr().err
    assert "outside [0, 1]" in err and "--assume" in err and "Traceback" not in err
