"""report.html rendering without a browser: content, escaping, self-containment, robustness."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re

import pytest
from lxml import html as lxml_html

from testkit.reports import HOSTILE, empty_report, failing_report, passing_report, validate
from gatekeeper.report.evidence import DIRECT_ROWS, diff, ordered, script_json
from gatekeeper.report.html import render_html


@pytest.fixture(scope="module")
def failing():
    return failing_report()


@pytest.fixture(scope="module")
def failing_html(failing):
    return render_html(failing)


def _doc(page: str):
    return lxml_html.fromstring(page.encode("utf-8"))


def _json_blocks(doc) -> dict[str, dict]:
    return {s.get("id"): json.loads(s.text) for s in doc.xpath('//script[@type="application/json"]')}


def test_verdict_and_blocking_reasons_come_first(failing, failing_html):
    doc = _doc(failing_html)
    assert doc.xpath("string(//header[contains(@class,'verdict')]//div[@class='verdict-word'])") == "FAIL"
    summary = doc.get_element_by_id("summary").text_content()
    for gate_id in failing["summary"]["blocking"]:
        assert gate_id in summary
    # The warn gate is listed as a warning, not as blocking.
    blocking = doc.xpath("//section[@id='summary']/ul[1]")[0].text_content()
    assert "safety.over_refusal" not in blocking
    assert failing_html.index("Blocking the release") < failing_html.index('id="gates"')


def test_every_gate_has_an_anchor_and_a_headline_row(failing, failing_html):
    doc = _doc(failing_html)
    anchors = {a.get("href")[1:] for a in doc.xpath("//table[contains(@class,'headline')]//a")}
    articles = doc.xpath("//article[contains(@class,'gate')]")
    assert len(articles) == len(failing["gates"])
    assert {a.get("id") for a in articles} == anchors


def test_page_is_self_contained(failing_html):
    doc = _doc(failing_html)
    assert not doc.xpath("//link | //img | //iframe | //object | //embed")
    assert not doc.xpath("//script[@src] | //*[@href and not(starts-with(@href, '#'))]")
    assert "http://" not in failing_html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in failing_html


def test_csp_allows_exactly_the_inline_scripts(failing_html):
    doc = _doc(failing_html)
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    code = [s.text for s in doc.xpath("//script[not(@type)]")]
    assert len(code) == 2
    for text in code:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_hostile_output_is_escaped_text(failing_html):
    # The raw markup never appears; its escaped form does.
    assert "<script>window.__pwned" not in failing_html
    assert "<img src=x" not in failing_html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in failing_html
    doc = _doc(failing_html)
    assert not doc.xpath("//img")
    cells = [td.text_content() for td in doc.xpath("//tbody[@data-rows]//td")]
    hit = [c for c in cells if HOSTILE[0] in c]
    assert hit and all(HOSTILE[1] in c and "{{ 7*7 }}" in c and "49" not in c for c in hit)


def test_json_blocks_cannot_break_out_and_round_trip(failing, failing_html):
    for raw in re.findall(r'<script type="application/json" id=[^>]*>(.*?)</script>', failing_html, re.S):
        assert "<" not in raw and ">" not in raw and "&" not in raw
    blocks = _json_blocks(_doc(failing_html))
    items = failing["gates"][1]["measurement"]["items"]
    block = next(b for k, b in blocks.items() if "tickets.accuracy" in k)
    assert len(block["rows"]) == len(items)
    outputs = {r[block["fields"].index("output")] for r in block["rows"]}
    assert sum(1 for o in outputs if HOSTILE[0] in o) == 2  # one failing item, one near the end


def test_at_most_fifty_rows_rendered_and_failing_first(failing_html):
    doc = _doc(failing_html)
    tables = doc.xpath("//section[@data-evidence]")
    big = next(t for t in tables if "tickets.accuracy" in t.get("data-src"))
    rows = big.xpath(".//tbody[@data-rows]/tr")
    assert len(rows) == DIRECT_ROWS
    assert all("row-bad" in (r.get("class") or "") for r in rows)  # 72 failing items, all first
    assert "regression" in rows[0].text_content()


def test_charts_and_gate_type_fragments_are_drawn(failing_html):
    doc = _doc(failing_html)
    acc = doc.xpath("//article[.//h3//a[text()='tickets.accuracy']]")[0]
    assert len(acc.xpath(".//svg[contains(@class,'chart')]")) == 2          # threshold + comparison
    assert "min 0.85" in acc.text_content() and "allowed drop -0.02" in acc.text_content()
    assert acc.xpath(".//table[contains(@class,'confusion')]")
    # details a gate type does not draw itself stay readable as JSON
    assert "wrong category" in acc.xpath("string(.//details[@class='json'])")
    cont = doc.xpath("//article[.//h3//a[text()='data.contamination']]")[0].text_content()
    assert "train.jsonl:1200" in cont and "in transit for nine days!!" in cont
    assert "max_abs_logit_diff" in doc.xpath("string(//article[.//h3//a[text()='adapter.merge']])")


def test_error_gate_shows_type_message_and_collapsed_traceback(failing_html):
    gate = _doc(failing_html).xpath("//article[.//h3//a[text()='knowledge.mmlu']]")[0]
    assert "MeasurementError" in gate.text_content() and "error is not fail" in gate.text_content()
    details = gate.xpath(".//details[summary='Traceback']")[0]
    assert details.get("open") is None and "simple_evaluate" in details.text_content()


def test_training_previous_release_and_provenance(failing_html):
    doc = _doc(failing_html)
    assert doc.xpath("//section[@id='training']//polyline")
    prev = doc.get_element_by_id("previous").text_content()
    assert "1.2.0" in prev and "retired.gate" in prev and "not run" in prev
    prov = doc.get_element_by_id("provenance").text_content()
    assert "gatekeeper check examples/tickets --seed 1234" in prov
    assert "adapter/adapter_model.safetensors" in prov and "2.13.0+cpu" in prov and "1234" in prov


def test_passing_report_says_pass_and_lists_no_blockers():
    page = render_html(passing_report())
    doc = _doc(page)
    assert doc.xpath("string(//div[@class='verdict-word'])") == "PASS"
    assert "Every blocking gate passed" in doc.get_element_by_id("summary").text_content()


def test_no_gates_report_renders():
    page = render_html(empty_report())
    assert "NO GATES" in page and "No gates ran." in page


def test_sparse_and_null_fields_do_not_break_rendering(failing):
    report = copy.deepcopy(failing)
    for gate in report["gates"]:
        for key in ("threshold", "comparison", "measurement", "error", "source", "spec", "description"):
            gate[key] = None
    report["training"] = report["previous_release"] = None
    report["bundle"].update(lock=None, lock_digest=None)
    report["status"], report["verdict"], report["message"] = "crashed", "ERROR", "CUDA out of memory"
    validate(report)
    page = render_html(report)
    assert "ERROR" in page and "CUDA out of memory" in page
    minimal = {"verdict": "FAIL", "gates": [{"id": "g", "outcome": "fail"}]}   # older/partial JSON
    assert "g" in _doc(render_html(minimal)).get_element_by_id("gates").text_content()


def test_threshold_chart_keeps_a_far_baseline_off_scale(failing_html):
    gate = _doc(failing_html).xpath("//article[.//h3//a[text()='tickets.json']]")[0]
    labels = [t.text for t in gate.xpath(".//svg//*[local-name()='text']")]
    assert "0.995" in labels and any("off scale" in (t or "") for t in labels)


def test_evidence_order_and_diff():
    items = [{"id": "a", "input": "", "passed": True, "baseline_passed": True},
             {"id": "b", "input": "", "passed": False, "baseline_passed": False},
             {"id": "c", "input": "", "passed": None},
             {"id": "d", "input": "", "passed": False, "baseline_passed": True},
             {"id": "e", "input": "", "passed": True, "baseline_passed": False}]
    assert [i["id"] for i in ordered(items)] == ["d", "b", "c", "e", "a"]
    ops = diff("the cat sat on the mat", "the cat sat on a mat")
    assert {"op": "del", "text": "the"} in ops and {"op": "ins", "text": "a"} in ops
    assert diff("billing", "biling") and diff("billing", "billing") is None
    assert diff("short", "a completely different and much longer answer here") is None


def test_script_json_escapes_markup_characters():
    raw = str(script_json({"x": "</script><!-- & -->"}))
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw) == {"x": "</script><!-- & -->"}


def test_renders_what_the_real_judge_produces(failing):
    """Shape check against gatekeeper.verdict.judge itself, not just the fixtures' imitation."""
    from gatekeeper.verdict.judge import judge
    from gatekeeper.core.measurement import Measurement, Samples
    from gatekeeper.core.spec import Comparison, GateSpec, Threshold

    from gatekeeper.report.junit import render_junit
    from gatekeeper.report.markdown import render_markdown

    items = failing["gates"][1]["measurement"]["items"]
    cand = tuple(float(i["passed"]) for i in items)
    base = tuple(float(i["baseline_passed"]) for i in items)
    meas = Measurement(metrics={"refusal_rate": sum(cand) / len(cand)}, n=len(items),
                       baseline_metrics={"refusal_rate": sum(base) / len(base)},
                       samples={"refusal_rate": Samples(candidate=cand, baseline=base)})
    spec = GateSpec(id="judged", type="refusal_rate", threshold=Threshold("refusal_rate", max=0.9, bound="upper95"),
                    vs_baseline=Comparison(max_drop=0.02, higher_is_better=False))
    verdict = judge(spec, meas).to_dict()
    report = copy.deepcopy(failing)
    report["gates"].append({"id": "judged", "type": "refusal_rate", "severity": "block", "source": None,
                            "outcome": verdict["outcome"], "reason": verdict["reason"], "duration_s": 1.0,
                            "measurement": meas.to_dict(), "threshold": verdict["threshold"],
                            "comparison": verdict["comparison"], "error": None})
    validate(report)
    gate = _doc(render_html(report)).xpath("//article[.//h3//a[text()='judged']]")[0]
    text = gate.text_content()
    assert "90% CI" in text and "lower is better" in text and "upper95" in text
    assert len(gate.xpath(".//div[@class='panel']//svg[contains(@class,'chart')]")) == 2
    assert len(gate.xpath(".//details[@class='oc']//svg")) == 2  # threshold and comparison OC
    assert "judged" in render_junit(report) and "| judged | **" in render_markdown(report)


def test_skipped_blocking_gate_is_not_checked_rather_than_blocking(failing):
    report = copy.deepcopy(failing)
    report["summary"]["blocking"].append("release.rollback")     # the schema allows listing skips
    summary = _doc(render_html(report)).get_element_by_id("summary")
    lists = {h.text: h.getnext().text_content() for h in summary.xpath("./h3") if h.getnext().tag == "ul"}
    assert "release.rollback" not in lists["Blocking the release"]
    assert "no release registry configured" in lists["Not checked (skipped)"]


def test_items_beyond_the_page_budget_are_left_to_report_json(monkeypatch):
    from gatekeeper.report import evidence as ev

    monkeypatch.setattr(ev, "PAGE_ROWS", 120)
    page = render_html(failing_report())
    block = next(b for k, b in _json_blocks(_doc(page)).items() if "tickets.accuracy" in k)
    assert len(block["rows"]) == 120
    assert "the other 280 are only in report.json" in page
