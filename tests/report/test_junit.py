"""junit.xml: validates against the JUnit XSD CI systems use; outcomes map to the verdict."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from testkit.reports import empty_report, failing_report, passing_report
from gatekeeper.report.junit import render_junit

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "junit.xsd")))


def parse_valid(text: str) -> etree._Element:
    doc = etree.fromstring(text.encode("utf-8"))
    assert XSD.validate(doc), XSD.error_log
    return doc


@pytest.fixture(scope="module")
def failing_doc():
    return parse_valid(render_junit(failing_report()))


def _case(doc, name):
    return doc.xpath(f"//testcase[@name='{name}']")[0]


def test_suite_counts_match_the_verdict(failing_doc):
    suite = failing_doc.find("testsuite")
    assert suite.get("name") == "gatekeeper: support-tickets"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("8", "3", "1", "1")
    assert len(suite.findall("testcase")) == 8
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["verdict"] == "FAIL"


def test_fail_and_blocking_inconclusive_are_failures_with_one_line_message(failing_doc):
    fail = _case(failing_doc, "tickets.accuracy")
    assert fail.get("classname") == "gatekeeper.task_accuracy" and fail.get("time") == "182.400"
    failure = fail.find("failure")
    assert failure.get("type") == "fail" and failure.get("message") == "accuracy lower95 0.779 < min 0.85"
    assert "declared at gates/tickets.yaml:3" in failure.text and "tickets-00000" in failure.text
    inconclusive = _case(failing_doc, "tickets.json").find("failure")
    assert inconclusive.get("type") == "inconclusive" and "1,198" in inconclusive.text
    assert "\n" not in inconclusive.get("message")


def test_error_skip_and_warn_gates(failing_doc):
    error = _case(failing_doc, "knowledge.mmlu").find("error")
    assert error.get("type") == "MeasurementError" and "Traceback" in error.text
    assert _case(failing_doc, "release.rollback").find("skipped") is not None
    warn = _case(failing_doc, "safety.over_refusal")
    assert warn.find("failure") is None and warn.find("error") is None
    assert "does not block" in warn.findtext("system-out")
    assert list(_case(failing_doc, "bundle.lock")) == []


def test_passing_and_empty_reports_have_no_failures():
    suite = parse_valid(render_junit(passing_report())).find("testsuite")
    assert suite.get("failures") == "0" and suite.get("errors") == "0" and suite.get("tests") == "7"
    assert parse_valid(render_junit(empty_report())).find("testsuite").get("tests") == "0"


def test_crashed_run_is_an_error_testcase():
    report = copy.deepcopy(passing_report())
    report.update(status="crashed", verdict="ERROR", message="RuntimeError: CUDA out of memory")
    doc = parse_valid(render_junit(report))
    case = doc.xpath("//testcase[@name='run crashed']")[0]
    assert case.find("error").get("message") == "RuntimeError: CUDA out of memory"
    assert doc.find("testsuite").get("errors") == "1"


def test_markup_and_control_characters_in_reasons_stay_well_formed():
    report = copy.deepcopy(failing_report())
    gate = report["gates"][1]
    gate["reason"] = 'bad </failure><x a="1"> & \x00\x1b]0;title\x07 "quoted"\nsecond line'
    old = gate["id"]
    gate["id"] = 'weird "id" <&>'
    report["summary"]["blocking"] = [gate["id"] if g == old else g for g in report["summary"]["blocking"]]
    doc = parse_valid(render_junit(report))
    failure = doc.xpath("//testcase[@name='weird \"id\" <&>']/failure")[0]
    assert failure.get("message").startswith('bad </failure><x a="1"> & ')
    assert "\x00" not in failure.get("message") and "second line" in failure.get("message")
