"""The summary `gatekeeper check` prints: one line per gate, the reason under each non-pass."""

from __future__ import annotations

from testkit.reports import failing_report
from gatekeeper.report.console import render_console


def test_console_summary_lists_every_gate_and_explains_the_failures():
    report = failing_report()
    text = render_console(report, {"html": "run/report.html"})
    lines = text.splitlines()
    for gate in report["gates"]:
        line = next(line_ for line_ in lines if f" {gate['id']} " in line_ or line_.rstrip().endswith(gate["id"]))
        assert line.startswith(gate["outcome"].upper())
        if gate["outcome"] != "pass":
            assert lines[lines.index(line) + 1].strip() == f"-> {gate['reason']}"
    assert f"verdict: {report['verdict']}" in text and lines[-1] == "html: run/report.html"
    assert all(line == line.rstrip() for line in lines)


def test_tiny_p_values_are_not_printed_as_zero():
    report = failing_report()
    gate = next(g for g in report["gates"] if g.get("comparison"))
    gate["comparison"]["p_value"] = 1.7e-192
    assert "p<0.0001" in render_console(report)
    assert "p=0.000" not in render_console(report)
