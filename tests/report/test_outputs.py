"""write_outputs: atomic files, job summary and annotations under GitHub Actions."""

from __future__ import annotations

import os

from lxml import etree

from testkit.reports import failing_report, passing_report
from gatekeeper.report.outputs import write_atomic, write_outputs


def test_writes_three_files(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    paths = write_outputs(failing_report(), tmp_path / "run")
    assert set(paths) == {"html", "junit", "markdown"}
    assert paths["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    etree.parse(str(paths["junit"]))
    assert paths["markdown"].read_text(encoding="utf-8").startswith("### gatekeeper verdict: FAIL")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["junit.xml", "report.html", "summary.md"]
    assert capsys.readouterr().out == ""


def test_junit_path_override(tmp_path):
    paths = write_outputs(passing_report(), tmp_path, junit_path=tmp_path / "ci" / "gates.xml")
    assert paths["junit"] == tmp_path / "ci" / "gates.xml" and paths["junit"].exists()
    assert not (tmp_path / "junit.xml").exists()


def test_github_actions_summary_and_annotations(tmp_path, monkeypatch, capsys):
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/tickets")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    write_outputs(failing_report(), tmp_path / "out")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### gatekeeper verdict: FAIL")        # appended, not replaced
    assert "[report.html](https://github.com/acme/tickets/actions/runs/42)" in text
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("::error file=gates/tickets.yaml,line=3,title=gatekeeper tickets.accuracy::")
    assert len(out) == 5


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    inode_before = os.stat(target).st_ino
    write_atomic(target, "new \u2713\n")
    assert target.read_text(encoding="utf-8") == "new \u2713\n"
    assert os.stat(target).st_ino != inode_before          # a new file was moved into place
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_the_committed_example_report_is_current(tmp_path, monkeypatch):
    """reports/example must stay readable by this version and re-render from its JSON alone."""
    from pathlib import Path

    from gatekeeper.report.model import read_report

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    example = Path(__file__).resolve().parents[2] / "reports" / "example"
    report = read_report(example / "report.json")  # schema-validated
    assert report["bundle"]["name"] == "support-tickets" and report["gates"]
    paths = write_outputs(report, tmp_path)
    assert paths["html"].read_text("utf-8") == (example / "report.html").read_text("utf-8"), \
        "reports/example is stale: refresh it as reports/README.md says"
