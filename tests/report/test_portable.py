"""Portable reports: no absolute path of the machine that ran the check in any output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.bundles import lock_without_model, write_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.report.portable import portable_report

GATES = """\
gates:
  - id: s.ok
    type: static_rate
    params: {passes: 60, total: 60}
    threshold: {metric: rate, min: 0.9}
  - id: fit.ok
    type: overfitting
    params: {record: ../training.json}
    threshold: {metric: overfit_rise, max: 0.5}
"""

CURVE = [{"step": 1, "loss": 2.0, "eval_loss": 2.1}, {"step": 2, "loss": 1.0, "eval_loss": 1.5},
         {"step": 3, "loss": 0.5, "eval_loss": 1.4}]

pytestmark = pytest.mark.usefixtures("static_gate_types")


def _bundle(tmp_path: Path) -> Path:
    root = write_bundle(tmp_path / "work" / "b", {"g.yaml": GATES}, manifest={"releases": "../releases"})
    (root / "training.json").write_text(json.dumps({"loss_curve": CURVE}))
    lock_without_model(root)
    return root


def _outputs(out: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(out.iterdir()) if p.is_file()}


def _no_machine_paths(texts: dict[str, str], *paths: Path) -> None:
    for name, content in texts.items():
        for path in paths:
            for form in {str(path), str(path.resolve())}:
                assert form not in content, f"{name} holds {form}"


def test_no_output_holds_an_absolute_path_of_the_machine(tmp_path, monkeypatch):
    root = _bundle(tmp_path)
    monkeypatch.chdir(tmp_path / "work")
    first = run_check("b", CheckOptions(out_dir=Path("run"), argv=("gatekeeper", "check", "b", "--out", "run")))
    registry = tmp_path / "work" / "releases" / "demo" / "0.9.0"  # a previous release to compare with
    registry.mkdir(parents=True)
    (registry / "report.json").write_text(json.dumps(dict(first.report, bundle={**first.report["bundle"],
                                                                                "version": "0.9.0"})))
    # an absolute argument is as typed from the working directory: relative to it
    result = run_check(root, CheckOptions(out_dir=tmp_path / "work" / "run2",
                                          argv=("gatekeeper", "check", str(root), f"--out={tmp_path}/work/run2")))
    report = result.report
    assert report["previous_release"]["version"] == "0.9.0"
    gates = {g["id"]: g for g in report["gates"]}
    assert gates["fit.ok"]["measurement"]["details"]["record"] == "training.json"
    assert report["bundle"]["path"] == "b" and report["provenance"]["cwd"] == ".."
    assert report["provenance"]["command"] == ["gatekeeper", "check", "b", "--out=run2"]
    texts = _outputs(tmp_path / "work" / "run2")
    assert {"report.json", "report.html", "junit.xml", "summary.md"} <= set(texts)
    _no_machine_paths(texts, tmp_path, Path.home(), Path.cwd())
    assert "(from the bundle)" in texts["report.html"]


def test_report_re_renders_from_a_portable_report(tmp_path, monkeypatch):
    from gatekeeper.cli import main

    _bundle(tmp_path)
    monkeypatch.chdir(tmp_path / "work")
    run_check("b", CheckOptions(out_dir=Path("run"), argv=("gatekeeper", "check", "b")))
    assert main(["report", "run/report.json", "--out", "again"]) == 0
    _no_machine_paths(_outputs(tmp_path / "work" / "again"), tmp_path, Path.home())


def test_paths_are_rewritten_only_where_they_are_whole_paths(tmp_path):
    bundle, cwd = tmp_path / "w" / "b", tmp_path / "w"
    report = {"bundle": {"path": str(bundle)}, "provenance": {"command": ["gatekeeper"], "cwd": str(cwd)},
              "notes": [f"read {bundle}/data/x.jsonl:3", f"{bundle}x/other", f"{cwd}/g/set", str(bundle),
                        f"{Path.home()}/models/m"]}
    out = portable_report(report, bundle, cwd)
    assert out["notes"][0] == "read data/x.jsonl:3"
    assert out["notes"][1].startswith("../bx")  # a sibling folder, not the bundle
    assert out["notes"][2:] == ["../g/set", ".", out["notes"][4]]
    assert str(Path.home()) not in out["notes"][4]
    assert out["provenance"]["cwd"] == ".." and out["bundle"]["path"] == "b"


def test_the_report_holds_no_absolute_path_at_all(tmp_path, monkeypatch):
    _bundle(tmp_path)
    monkeypatch.chdir(tmp_path / "work")
    result = run_check("b", CheckOptions(out_dir=Path("run"), argv=("gatekeeper", "check", "b")))

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    found = [s for s in strings(result.report) if s.startswith("/") or " /" in s]
    assert not found
