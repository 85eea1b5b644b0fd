"""summary.md: fits a PR comment, escapes model text, points at the full report."""

from __future__ import annotations

import pytest

from testkit.reports import HOSTILE_TEXT, failing_report, large_report, passing_report
from gatekeeper.report.markdown import md, render_markdown


@pytest.fixture(scope="module")
def large():
    return large_report(20_000)


def test_verdict_table_and_reasons():
    text = render_markdown(failing_report())
    assert text.startswith("### gatekeeper verdict: FAIL")
    assert "| tickets.accuracy | **FAIL** | accuracy | 0.82 [0.7794, 0.8545] |" in text
    assert "-0.0425 [-0.093, +0.00801] | 0.122 |" in text
    blocking = text.split("#### Blocking the release")[1].split("####")[0]
    assert "tickets.json** INCONCLUSIVE" in blocking and "safety" not in blocking
    assert "#### Warnings (do not block)" in text
    assert text.rstrip().endswith("see report.html")


def test_status_words_not_emoji():
    text = render_markdown(passing_report())
    assert "verdict: PASS" in text
    assert all(ord(c) < 0x2600 or c in "\u2060" for c in text)


def test_large_report_fits_and_points_at_full_report(large):
    text = render_markdown(large)
    assert len(text) < 65_000
    assert "failing of 20,000 items (showing 10)" in text
    assert "only in the full report" in text and "see report.html" in text


def test_truncates_below_limit_with_pointer_and_link(large):
    text = render_markdown(large, limit=3_000, link="https://ci.example/run/42")
    assert len(text) < 3_000
    assert "**Summary truncated**" in text and "[report.html](https://ci.example/run/42)" in text
    assert text.count("<details>") == text.count("</details>")
    wide = render_markdown(large, limit=65_000, max_items=10_000)
    assert 60_000 < len(wide) < 65_000 and "**Summary truncated**" in wide


def test_model_text_is_inert():
    text = render_markdown(failing_report())
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt;" in text
    cell = md("a | b\n`code` @octocat [x](http://e) **bold**")
    assert "\\|" in cell and "\\`code\\`" in cell and "\n" not in cell
    assert "@octocat" not in cell and "\\[x\\]" in cell and "\\*\\*bold\\*\\*" in cell
    assert HOSTILE_TEXT not in text
