"""The report shows each judged gate's operating characteristic and the run's family-wise picture."""

from __future__ import annotations

import copy

import pytest
from lxml import html as lxml_html

from testkit.reports import failing_report, validate
from gatekeeper.verdict.judge import judge
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.report.html import render_html
from gatekeeper.report.power import oc_chart, power_view
from gatekeeper.core.spec import GateSpec, Threshold


def judged_gate(gate_id: str, passes: int, total: int, *, severity: str = "block") -> dict:
    cand = tuple(1.0 if i < passes else 0.0 for i in range(total))
    meas = Measurement(metrics={"valid_rate": passes / total}, n=total,
                       samples={"valid_rate": Samples(cand)})
    spec = GateSpec(id=gate_id, type="json_validity",
                    threshold=Threshold("valid_rate", min=0.995, bound="lower95"))
    verdict = judge(spec, meas).to_dict()
    return {"id": gate_id, "type": "json_validity", "severity": severity, "source": None,
            "outcome": verdict["outcome"], "reason": verdict["reason"], "duration_s": 1.0,
            "measurement": meas.to_dict(), "threshold": verdict["threshold"],
            "comparison": verdict["comparison"], "error": None}


@pytest.fixture(scope="module")
def report():
    data = copy.deepcopy(failing_report())
    data["gates"] += [judged_gate("oc.a", 650, 650), judged_gate("oc.b", 1299, 1300),
                      judged_gate("oc.warn", 1000, 1000, severity="warn")]
    validate(data)
    return data


def test_each_judged_gate_shows_its_operating_characteristic(report):
    doc = lxml_html.fromstring(render_html(report).encode("utf-8"))
    gate = doc.xpath("//article[.//h3//a[text()='oc.a']]")[0]
    summary = gate.xpath(".//details[@class='oc']/summary")[0].text_content()
    assert "chance to pass if the true value is the observed one" in summary
    svg = gate.xpath(".//details[@class='oc']//svg")[0]
    assert "n=650" in svg.xpath("./title")[0].text
    assert len(svg.xpath(".//polyline")[0].get("points").split()) == 41
    texts = [t.text_content() for t in svg.xpath(".//text")]
    assert "limit 0.995" in texts and any(t.startswith("observed 1") for t in texts)
    legend = gate.xpath(".//details[@class='oc']/p[@class='legend']")[0].text_content()
    assert "exact binomial" in legend


def test_family_wise_section_multiplies_the_blocking_gates(report):
    doc = lxml_html.fromstring(render_html(report).encode("utf-8"))
    text = " ".join(doc.xpath("//section[@id='power']")[0].text_content().split())
    views = [power_view(g) for g in report["gates"] if g["id"] in ("oc.a", "oc.b")]
    expected = views[0]["pass_probability"] * views[1]["pass_probability"]
    # the fixture's own gates carry no power data: only the two blocking judged gates count
    assert "all 2 blocking gate(s) with a pass probability pass together" in text
    assert f"{100 * expected:.0f}%" in text


def test_trust_section_counts_every_blocking_gate_of_report_json(report):
    """Defect: the section said "all 5 blocking gates" where report.json had 14."""
    doc = lxml_html.fromstring(render_html(report).encode("utf-8"))
    text = " ".join(doc.xpath("//section[@id='power']")[0].text_content().split())
    blocking = [g for g in report["gates"] if g["severity"] == "block" and g["outcome"] != "skip"]
    assert f"{len(blocking)} blocking gate(s):" in text
    assert "intersection-union" in text and "at most 0.05" in text
    warn = sum(g["severity"] == "warn" for g in report["gates"] if g["outcome"] != "skip")
    assert f"the {warn} warn gate(s)" in text and "many releases over time" in text


def test_point_judged_gates_are_named_as_without_evidence():
    from gatekeeper.report.power import family_view

    gates = [judged_gate("b.a", 650, 650),
             {"id": "b.point", "type": "task_accuracy", "severity": "block", "outcome": "pass",
              "threshold": {"metric": "accuracy", "evidence": "point", "bound": "point",
                            "pass_probability": 0.5}},
             {"id": "b.py", "type": "python", "severity": "block", "outcome": "pass"}]
    view = family_view(gates)
    assert view["by_evidence"]["point"] == 1 and view["by_evidence"]["assertion"] == 1
    assert view["no_evidence"] == ["b.point", "b.py"] and not view["release_bound_holds"]
    assert any("except through the gate(s) judged without evidence (b.point, b.py)" in line
               for line in view["lines"])


def test_reports_without_power_data_draw_no_operating_characteristic():
    doc = lxml_html.fromstring(render_html(failing_report()).encode("utf-8"))
    assert doc.xpath("//section[@id='power']") and not doc.xpath("//details[@class='oc']")


def test_bare_assert_python_gate_reads_assertion_no_statistics():
    from gatekeeper.report.fmt import headline

    gate = {"id": "p.t", "type": "python", "severity": "block", "outcome": "pass",
            "reason": "assertions held", "measurement": {"metrics": {"rate": 0.9}}}
    assert headline(gate).threshold == "assertion (no statistics)"


def test_a_lower_is_better_delta_has_one_sign_in_both_tables():
    """Defect: over-refusal's delta read -0.586 in the gate table, +0.586 in All metrics."""
    from gatekeeper.report.fmt import headline
    from gatekeeper.report.gateview import gate_view

    gate = {"id": "s.over", "type": "safety", "severity": "warn", "outcome": "fail", "reason": "r",
            "measurement": {"metrics": {"over_refusal_rate": 0.586, "refusal_rate": 0.957},
                            "baseline_metrics": {"over_refusal_rate": 0.0, "refusal_rate": 0.1}},
            "comparison": {"metric": "over_refusal_rate", "delta": -0.586, "higher_is_better": False,
                           "candidate": 0.586, "baseline": 0.0, "ci": [-0.69, -0.47]}}
    rows = {r["name"]: r["delta"] for r in gate_view(gate, 0)["metrics"]}
    assert headline(gate).delta == pytest.approx(-0.586)
    assert rows["over_refusal_rate"].startswith("\u22120.586") or rows["over_refusal_rate"].startswith("-0.586")
    assert "baseline \u2212 candidate" in rows["over_refusal_rate"]
    assert rows["refusal_rate"].startswith("+0.857")


@pytest.mark.parametrize("block", [None, {}, {"oc": None}, {"oc": {"x": [0.5], "p": [0.1]}},
                                   {"oc": {"x": [0.1, "a"], "p": [0.1, 0.2]}},
                                   {"oc": {"x": [0.5, 0.5], "p": [0.1, 0.2]}}])
def test_malformed_oc_data_draws_nothing(block):
    assert oc_chart(block, "x") is None
