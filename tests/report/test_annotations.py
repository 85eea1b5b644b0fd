"""GitHub workflow-command annotations for gates that did not pass."""

from __future__ import annotations

import copy

from testkit.reports import failing_report, passing_report
from gatekeeper.report.annotations import escape_data, escape_property, github_annotations


def test_levels_follow_severity_and_source_location():
    lines = github_annotations(failing_report())
    assert lines[0] == ("::error file=gates/tickets.yaml,line=3,title=gatekeeper tickets.accuracy::"
                        "FAIL: accuracy lower95 0.779 < min 0.85")
    assert [line_.split(" ", 1)[0] for line_ in lines] == ["::error", "::error", "::warning", "::error", "::error"]
    assert any("title=gatekeeper safety.over_refusal::FAIL" in line_ for line_ in lines)
    assert not any("release.rollback" in line_ or "bundle.lock" in line_ for line_ in lines)   # skip and pass
    assert github_annotations(passing_report()) == []


def test_escaping_of_message_and_properties():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    report = copy.deepcopy(failing_report())
    gate = report["gates"][1]
    old = gate["id"]
    gate["id"], gate["reason"] = "odd:id,1", "drop 5%\nsee: items, first"
    report["summary"]["blocking"] = [gate["id"] if g == old else g for g in report["summary"]["blocking"]]
    gate["source"] = {"file": "gates/we,ird:name.yaml", "line": 7}
    line = github_annotations(report)[0]
    assert line == ("::error file=gates/we%2Cird%3Aname.yaml,line=7,title=gatekeeper odd%3Aid%2C1::"
                    "FAIL: drop 5%25%0Asee: items, first")
    assert "\n" not in line


def test_gate_without_source_and_crashed_run():
    report = copy.deepcopy(failing_report())
    report["gates"][1]["source"] = None
    report.update(status="interrupted", message="KeyboardInterrupt")
    lines = github_annotations(report)
    assert lines[0].startswith("::error title=gatekeeper tickets.accuracy::")
    assert lines[-1] == "::error title=gatekeeper run interrupted::KeyboardInterrupt"
