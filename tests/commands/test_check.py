"""`gatekeeper check` end to end on static gate types (no model): outcomes, exit codes, report."""

from __future__ import annotations

import json
import os
import stat

import jsonschema
import pytest

from testkit.bundles import lock_without_model, write_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.bundle.validation import load_schema

GATES = """\
gates:
  - id: s.ok
    type: static_rate
    params: {passes: 60, total: 60}
    threshold: {metric: rate, min: 0.9}
  - id: s.boom
    type: boom
    threshold: {metric: rate, min: 0.9}
  - id: s.low
    type: static_rate
    params: {passes: 5, total: 10}
    threshold: {metric: rate, min: 0.9}
    severity: warn
"""


pytestmark = pytest.mark.usefixtures("static_gate_types")


def check(root, tmp_path, **kw):
    options = CheckOptions(out_dir=tmp_path / "run", argv=("gatekeeper", "check", str(root)), **kw)
    return run_check(root, options)


def make(tmp_path, gates=GATES, name="g.yaml"):
    root = write_bundle(tmp_path / "b", {name: gates})
    lock_without_model(root)
    return root


def assert_valid_report(path):
    report = json.loads(path.read_text())
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    return report


def test_a_gate_that_raises_is_error_and_the_others_still_run(tmp_path):
    result = check(make(tmp_path), tmp_path)
    report = assert_valid_report(tmp_path / "run" / "report.json")
    outcomes = {g["id"]: g["outcome"] for g in report["gates"]}
    assert outcomes == {"s.ok": "pass", "s.boom": "error", "s.low": "fail"}
    boom = next(g for g in report["gates"] if g["id"] == "s.boom")
    assert boom["error"]["type"] == "RuntimeError" and "kaboom" in boom["error"]["traceback"]
    assert boom["reason"].startswith("could not measure")
    assert result.exit_code == 3 and report["verdict"] == "ERROR"
    assert report["summary"]["blocking"] == ["s.boom"], "a failing warn gate does not block"
    assert report["status"] == "complete"
    assert report["bundle"]["lock_digest"].startswith("sha256:")
    assert report["provenance"]["reproduce"].startswith("gatekeeper check")


def test_blocking_failure_wins_over_error_in_the_exit_code(tmp_path):
    gates = GATES.replace("severity: warn", "severity: block")
    assert check(make(tmp_path, gates), tmp_path).exit_code == 1


def test_all_pass_exit_zero(tmp_path):
    gates = "gates:\n" + GATES.split("  - id: s.boom")[0].split("gates:\n")[1]
    result = check(make(tmp_path, gates), tmp_path)
    assert result.exit_code == 0 and result.report["verdict"] == "PASS"


def test_keyword_selects_and_no_match_is_exit_5(tmp_path):
    root = make(tmp_path)
    result = check(root, tmp_path, keyword="s.ok")
    assert [g["id"] for g in result.report["gates"]] == ["s.ok"]
    assert result.exit_code == 0
    nothing = check(root, tmp_path, keyword="nothing_matches")
    assert nothing.exit_code == 5 and nothing.report["verdict"] == "NO_GATES"


def test_exitfirst_stops_and_reports_the_rest_as_not_run(tmp_path):
    gates = GATES.replace("severity: warn", "severity: block")
    result = check(make(tmp_path, gates), tmp_path, exitfirst=True)
    outcomes = {g["id"]: g["outcome"] for g in result.report["gates"]}
    assert outcomes["s.boom"] == "error" and outcomes["s.low"] == "skip"
    assert result.report["status"] == "interrupted" and result.exit_code == 2


def test_last_failed_reruns_only_what_did_not_pass(tmp_path):
    root = make(tmp_path)
    check(root, tmp_path)
    again = check(root, tmp_path, last_failed=True)
    assert {g["id"] for g in again.report["gates"]} == {"s.boom"}


def test_interrupt_still_writes_a_valid_report(tmp_path):
    gates = GATES + "  - id: s.stop\n    type: interrupt\n    threshold: {metric: rate, min: 0.5}\n"
    result = check(make(tmp_path, gates), tmp_path)
    report = assert_valid_report(tmp_path / "run" / "report.json")
    assert report["status"] == "interrupted" and result.exit_code == 2


def test_markers_select_gates(tmp_path):
    gates = GATES.replace("    severity: warn\n", "    severity: warn\n    markers: [nightly]\n")
    result = check(make(tmp_path, gates), tmp_path, markexpr="not nightly")
    assert "s.low" not in {g["id"] for g in result.report["gates"]}


def test_underpowered_rate_is_inconclusive_with_needed_n(tmp_path):
    gates = """\
gates:
  - id: s.json
    type: static_rate
    params: {passes: 200, total: 200}
    threshold: {metric: rate, min: 0.995, bound: lower95}
"""
    result = check(make(tmp_path, gates), tmp_path)
    gate = result.report["gates"][0]
    assert gate["outcome"] == "inconclusive" and gate["threshold"]["required_n"] == 598
    assert result.exit_code == 1


PY_GATES = '''
import pytest

def test_recorded_rate(record):
    record(rate=0.97)
    assert 0.97 > 0.9

@pytest.mark.gatekeeper(severity="warn")
def test_too_low(record):
    record(rate=0.5)
    assert 0.5 > 0.9, "rate 0.5 below 0.9"
'''


def test_python_gates_use_fixtures_and_are_reported(tmp_path):
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES.split("  - id: s.boom")[0], "test_custom.py": PY_GATES})
    lock_without_model(root)
    result = check(root, tmp_path)
    gates = {g["id"]: g for g in result.report["gates"]}
    assert gates["test_custom.test_recorded_rate"]["outcome"] == "pass"
    assert gates["test_custom.test_recorded_rate"]["measurement"]["metrics"] == {"rate": 0.97}
    low = gates["test_custom.test_too_low"]
    assert low["outcome"] == "fail" and low["severity"] == "warn" and "rate 0.5" in low["reason"]
    assert result.exit_code == 0


def test_outputs_are_written_beside_report_json(tmp_path):
    check(make(tmp_path), tmp_path, junitxml=tmp_path / "junit-extra.xml")
    run = tmp_path / "run"
    umask = os.umask(0)
    os.umask(umask)
    for name in ("report.json", "report.html", "junit.xml", "summary.md"):
        assert (run / name).is_file(), name
        # readable like any file the user writes (not the 0600 of a temp file)
        assert stat.S_IMODE((run / name).stat().st_mode) == 0o666 & ~umask, name
    assert not [p for p in run.iterdir() if p.name.startswith(".")], "temp files left behind"
    assert (tmp_path / "junit-extra.xml").read_text() == (run / "junit.xml").read_text()
    assert "s.boom" in (run / "report.html").read_text()


def test_training_log_beside_the_adapter_reaches_the_report(tmp_path, tiny_adapter_dir):
    import shutil

    adapter = shutil.copytree(tiny_adapter_dir, tmp_path / "b" / "adapter")
    curve = [{"step": 5, "loss": 1.9}, {"step": 10, "loss": 0.4}]
    (adapter / "training_log.json").write_text(json.dumps(
        {"loss_curve": curve, "recipe": {"lora": {"r": 8}}}))
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES}, manifest={"adapter": "adapter"})
    lock_without_model(root)
    check(root, tmp_path)
    report = assert_valid_report(tmp_path / "run" / "report.json")
    assert report["training"]["loss_curve"] == curve
    assert "<polyline" in (tmp_path / "run" / "report.html").read_text()
    # the log is locked with the adapter: editing it is caught like any other artifact
    lock = json.loads((root / "gatekeeper.lock").read_text())
    assert any(k.endswith("training_log.json") for k in lock["artifacts"])


def test_no_adapter_no_training_section(tmp_path):
    check(make(tmp_path), tmp_path)
    assert assert_valid_report(tmp_path / "run" / "report.json")["training"] is None


def test_previous_release_from_the_registry_is_compared(tmp_path):
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES}, manifest={"releases": "../releases"})
    lock_without_model(root)
    first = check(root, tmp_path)
    registry = tmp_path / "releases" / "demo"
    for version in ("0.9.0", "0.10.0", "1.2.0"):  # 0.10.0 is newest below 1.0.0; 1.2.0 is newer
        (registry / version).mkdir(parents=True)
        report = dict(first.report, bundle={**first.report["bundle"], "version": version})
        (registry / version / "report.json").write_text(json.dumps(report))
    (registry / "0.11.0").mkdir()  # a release without a report is not a comparison point
    again = run_check(root, CheckOptions(out_dir=tmp_path / "run2"))
    previous = again.report["previous_release"]
    assert previous["version"] == "0.10.0" and previous["verdict"] == first.report["verdict"]
    assert previous["gates"]["s.ok"] == {"outcome": "pass", "metrics": {"rate": 1.0}}
    html = (tmp_path / "run2" / "report.html").read_text()
    assert "Since the previous release" in html and "0.10.0" in html


def test_a_selection_that_ran_every_gate_is_complete(tmp_path):
    """-m static on an all-static bundle ran everything: a release verdict, not a partial one."""
    result = check(make(tmp_path), tmp_path, markexpr="static")
    assert result.report["complete"] is True and result.report["selection"]["not_run"] == []
    partial = check(make(tmp_path / "p"), tmp_path / "p", keyword="s.ok")
    assert partial.report["complete"] is False and sorted(partial.report["selection"]["not_run"]) == ["s.boom", "s.low"]


def test_a_static_preflight_on_a_bundle_without_static_gates_is_not_an_error(tmp_path):
    gates = ("gates:\n  - id: t.json\n    type: json_validity\n    golden_set: ../data/eval.jsonl\n"
             "    threshold: {metric: valid_rate, min: 0.5}\n")
    root = make(tmp_path, gates)
    result = check(root, tmp_path, markexpr="static")
    assert result.exit_code == 0 and result.report["verdict"] == "NO_GATES"
    assert "no gate of the bundle matches -m 'static'" in result.report["message"]
    assert check(root, tmp_path, markexpr="statik").exit_code == 5  # a name no gate can carry


def test_collect_only_lists_the_selection_and_runs_nothing(tmp_path, capsys):
    from gatekeeper.cli import main

    root = make(tmp_path)
    assert main(["check", str(root), "--collect-only", "-k", "s.ok or s.low"]) == 0
    out = capsys.readouterr().out
    assert "s.ok  static_rate (static, block)" in out and "s.low  static_rate (static, warn)" in out
    assert "s.boom" not in out and "2 of 3 gate(s) selected; nothing was run" in out
    assert main(["check", str(root), "--collect-only", "-k", "nothing_matches"]) == 5
    assert not (tmp_path / "run").exists() and not list(tmp_path.glob("reports"))


def test_a_non_ascii_path_under_the_c_locale_is_not_an_internal_error(tmp_path):
    import subprocess
    import sys

    audit = ("gates:\n  - id: s.audit\n    type: dataset_audit\n    golden_set: ../data/eval.jsonl\n"
             "    threshold: {metric: duplicate_rate, max: 0}\n")  # built in: the child has no test types
    root = write_bundle(tmp_path / "bündel", {"g.yaml": audit})
    lock_without_model(root)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "gatekeeper", "check", str(root), "--out",
                           str(tmp_path / "rün"), "--no-progress", "-m", "static"],
                          env=env, capture_output=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert json.loads((tmp_path / "rün" / "report.json").read_text("utf-8"))["verdict"] == "PASS"


NOISY_GATE = '''
import sys

def test_noisy(record):
    record(rate=0.5)
    print("my own debugging line")
    print("Loading weights: 100%|##########| 272/272", file=sys.stderr)
    assert 0.5 > 0.9, "rate 0.5 below 0.9"
'''


def test_a_failing_gate_shows_its_prints_but_not_the_loaders_progress_bars(tmp_path, capfd):
    """Defect: a blocking failure's section repeated every progress bar from stderr."""
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES.split("  - id: s.boom")[0], "test_noisy.py": NOISY_GATE})
    lock_without_model(root)
    assert check(root, tmp_path).exit_code == 1
    out = capfd.readouterr().out
    assert "Captured stdout" in out and "my own debugging line" in out
    assert "Captured stderr" not in out
