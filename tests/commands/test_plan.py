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
    assert family_["blocking"] == 16 and family_["sized"] >= 2 and family_["assumed"] == 1
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


def test_paired_power_agrees_with_the_corrected_score_test_at_zero_discordance():
    """Measured on the demo: 0 vs 0 over-refusals at n=70 is inconclusive (Tango p 0.085),
    while the power note claimed 80% from n=52. With the score test's continuity correction
    in the power model, the n it names is the first at which the test passes."""
    from gatekeeper.verdict import power, stats

    d = power.Design("paired_rate", -0.05, "min", 0.05, discordance=0.0, lower=-1.0, upper=1.0)
    n = power.required_n(d, 0.0)
    assert stats.tango_p(0, 0, 70, -0.05) > 0.05
    assert stats.tango_p(0, 0, n, -0.05) < 0.05 <= stats.tango_p(0, 0, n - 1, -0.05)


def test_plan_sizes_safety_lm_eval_and_calibration_from_their_files(capsys):
    """Defect: 'n unknown' for safety and lm_eval gates whose size is known from their files."""
    gates = {g["id"]: g for g in plan_json(capsys, DEMO)["gates"]}
    assert gates["standard.refusal"]["n"] == {"refusal_rate": 70, "over_refusal_rate": 70}
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
    assert "16 blocking gate(s): 6 judged on evidence" in out
    assert "intersection-union" in out and "at most 0.05" in out
    assert "Not covered: the 14 warn gate(s)" in out  # 12 + the two rubric gates


@pytest.mark.parametrize("bad,says", [("accuracy=2", "accuracy=2 is outside what accuracy can be [0, 1]"),
                                      ("accuracy.delta=1.5", "outside what accuracy.delta can be [-1, 1]"),
                                      ("accuracy.discordance=-0.1", "can be [0, 1]"),
                                      ("brier.sd=0", "can be (0, 1]"),
                                      ("accuracy.spread=0.1", "unknown key 'spread'")])
def test_assumed_values_outside_the_metric_are_refused(capsys, bad, says):
    """Defect: `--assume accuracy=2` printed "pass nan" with exit 0."""
    assert main(["plan", str(DEMO), "--assume", bad]) == 4
    err = capsys.readouterr().err
    assert "--assume" in err and says in err and "Traceback" not in err
