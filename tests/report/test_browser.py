"""report.html in headless Chromium: it loads without script errors, and hostile model
output stays text both in the rows rendered by the server and in rows the page's script
builds from the JSON block."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from testkit.reports import HOSTILE, failing_report, passing_report
from gatekeeper.report.html import render_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]

# Run after the page's own script: page forward, then search the whole JSON block.
DRIVER = """
(function () {
  var log = [];
  document.querySelectorAll("[data-evidence]").forEach(function (section) {
    var next = section.querySelector("[data-next]");
    if (!next.disabled) { next.click(); }
    log.push(section.querySelector(".idx") ? section.querySelector(".idx").textContent : "none");
  });
  var acc = document.querySelector("[data-src*='tickets.accuracy']");
  acc.querySelector("[data-search]").value = "pwned";
  acc.querySelector("[data-filter]").dispatchEvent(new Event("change"));
  document.body.setAttribute("data-first-idx", log.join(","));
  document.body.setAttribute("data-pwned", typeof window.__pwned);
})();
"""


def chromium(url: str, tmp_path: Path, *extra: str) -> tuple[str, str]:
    """Run headless Chromium on ``url``; return (stdout, stderr)."""
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def console_lines(stderr: str) -> list[str]:
    """Console messages (errors, CSP violations, uncaught exceptions) from Chromium's log."""
    return [line_ for line_ in stderr.splitlines() if ":CONSOLE" in line_ or "Uncaught" in line_]


def with_driver(page: str) -> str:
    """The page with DRIVER appended and allowed by the page's CSP (by its hash)."""
    digest = base64.b64encode(hashlib.sha256(DRIVER.encode()).digest()).decode()
    page = page.replace("script-src ", f"script-src 'sha256-{digest}' ", 1)
    return page.replace("</body>", f"<script>{DRIVER}</script></body>")


def assert_hostile_inert(dom: str) -> lxml_html.HtmlElement:
    doc = lxml_html.fromstring(dom.encode("utf-8"))
    assert "PWNED" not in doc.findtext(".//title")
    assert not doc.xpath("//img"), "an <img> was injected"
    assert not [s for s in doc.xpath("//script[not(@type)]") if "__pwned=1" in (s.text or "")]
    assert doc.get("data-js-error") is None, doc.get("data-js-error")
    return doc


@pytest.fixture(scope="module")
def failing_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(failing_report()), encoding="utf-8")
    return path


def test_failing_report_loads_clean_and_shows_verdict(failing_page, tmp_path):
    dom, stderr = chromium(failing_page.as_uri(), tmp_path, "--dump-dom")
    assert console_lines(stderr) == []
    doc = assert_hostile_inert(dom)
    assert doc.xpath("string(//div[@class='verdict-word'])") == "FAIL"
    assert "js" in doc.get("class", "")                     # the page's scripts ran
    rows = doc.xpath("//section[contains(@data-src,'tickets.accuracy')]//tbody/tr")
    hostile = [r.text_content() for r in rows if HOSTILE[0] in r.text_content()]
    assert hostile and HOSTILE[1] in hostile[0] and "{{ 7*7 }}" in hostile[0] and "49" not in hostile[0]


def test_rows_built_from_json_block_stay_text(failing_page, tmp_path):
    driven = tmp_path / "driven.html"
    driven.write_text(with_driver(failing_page.read_text(encoding="utf-8")), encoding="utf-8")
    dom, stderr = chromium(driven.as_uri(), tmp_path, "--dump-dom", "--virtual-time-budget=3000")
    assert console_lines(stderr) == []
    doc = assert_hostile_inert(dom)
    body = doc.find("body")
    assert body.get("data-pwned") == "undefined"
    assert "51" in body.get("data-first-idx").split(",")    # Next rendered items 51.. from JSON
    rows = doc.xpath("//section[contains(@data-src,'tickets.accuracy')]//tbody/tr")
    texts = [r.text_content() for r in rows]
    assert len(texts) == 2                                  # the search found both hostile items
    assert all(h in t for h in HOSTILE for t in texts) and not any("49" in t for t in texts)
    assert "of 400" in doc.xpath("string(//section[contains(@data-src,'tickets.accuracy')]//*[@data-status])")


def test_csp_blocks_a_script_that_escaping_would_have_let_through(failing_page, tmp_path):
    page = failing_page.read_text(encoding="utf-8")
    evil = tmp_path / "evil.html"
    evil.write_text(page.replace("</body>", "<script>document.title='INJECTED'</script></body>"), encoding="utf-8")
    dom, stderr = chromium(evil.as_uri(), tmp_path, "--dump-dom")
    assert "INJECTED" not in lxml_html.fromstring(dom.encode()).findtext(".//title")
    assert any("Content Security Policy" in line_ for line_ in console_lines(stderr))


def test_screenshots_render(tmp_path):
    for name, report in (("pass", passing_report()), ("fail", failing_report())):
        page = tmp_path / f"{name}.html"
        page.write_text(render_html(report), encoding="utf-8")
        shot = tmp_path / f"{name}.png"
        _, stderr = chromium(page.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1280,2400",
                             "--hide-scrollbars")
        assert console_lines(stderr) == []
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (1280, 2400)


def test_console_detector_sees_real_errors(tmp_path):
    """The check above is only meaningful if a broken page is reported."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><title>t</title><script>undefinedFn();</script>", encoding="utf-8")
    _, stderr = chromium(broken.as_uri(), tmp_path, "--dump-dom")
    assert any(re.search(r"Uncaught ReferenceError", line_) for line_ in console_lines(stderr))
