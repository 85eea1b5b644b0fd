"""Each gate type draws its own report fragment: a template next to its module.

A gate type written outside gatekeeper (here: a module in a temp directory, registered in
process) gets its fragment rendered without any change to gatekeeper/report.
"""

from __future__ import annotations

import sys
import textwrap

import pytest
from lxml import html as lxml_html

from testkit.reports import _envelope, _gate, json_gate
from gatekeeper.run.registry import register_gate_type, unregister_gate_type
from gatekeeper.report import fragments
from gatekeeper.report.html import render_html

MODULE = '''
from gatekeeper.core.measurement import Measurement
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type


@gate_type(needs_model=False, metrics=(Metric("widget_rate", higher_is_better=False),))
def widgets(ctx, *, limit: int = 3) -> Measurement:
    """Counts widgets."""
    return Measurement(metrics={"widget_rate": 0.0}, n=1, details={"widgets": ["a", "b"]})


def report_view(details, gate):
    return {"count": len(details["widgets"]), "gate_id": gate["id"]}
'''


@pytest.fixture
def widget_type(tmp_path, monkeypatch):
    (tmp_path / "widget_plugin.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import widget_plugin

    register_gate_type(widget_plugin.widgets)
    fragments._gate_type_modules.cache_clear()
    yield tmp_path
    unregister_gate_type("widgets")
    fragments._gate_type_modules.cache_clear()
    sys.modules.pop("widget_plugin", None)


def _widget_report() -> dict:
    gate = _gate("w.count", "widgets", "pass", "widget_rate 0 meets max 0.1",
                 measurement={"metrics": {"widget_rate": 0.0}, "n": 1, "baseline_metrics": {},
                              "samples": {}, "items": [], "details": {"widgets": ["<b>a</b>", "b"]}})
    return _envelope([gate])


def _gate_card(page: str, gate_id: str):
    doc = lxml_html.fromstring(page)
    return doc.xpath(f"//article[.//h3//a[text()='{gate_id}']]")[0]


def test_third_party_fragment_renders_with_its_view(widget_type):
    (widget_type / "widgets.html.j2").write_text(textwrap.dedent('''
        <p class="widgets">{{ view.count }} widgets in {{ view.gate_id }}: {{ details.widgets|join(", ") }}</p>
    '''))
    card = _gate_card(render_html(_widget_report()), "w.count")
    text = card.xpath("string(.//p[@class='widgets'])")
    assert text == "2 widgets in w.count: <b>a</b>, b"  # autoescaped: shown as text
    assert not card.xpath(".//p[@class='widgets']/b")


def test_broken_fragment_falls_back_to_json_and_says_why(widget_type):
    (widget_type / "widgets.html.j2").write_text("{{ view.missing.deeper }}")
    card = _gate_card(render_html(_widget_report()), "w.count")
    assert "could not be drawn" in card.text_content()
    assert "<b>a</b>" in card.xpath("string(.//details[@class='json'])")


def test_gate_type_without_fragment_shows_details_as_json(widget_type):
    card = _gate_card(render_html(_widget_report()), "w.count")
    assert card.xpath(".//details[@class='json'][@open]")
    assert "widgets" in card.text_content()


def test_builtin_json_validity_draws_its_failure_reasons():
    gate = json_gate(200, passing=False)
    gate["measurement"]["details"] = {"failure_reasons": {"parse error": 3, "schema enum at /category": 1}}
    page = render_html(_envelope([gate]))
    card = lxml_html.fromstring(page).xpath("//article[.//table[@class='bars']]")
    assert card, "json_validity's own fragment draws the failure reasons as bars"
