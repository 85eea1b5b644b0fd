"""summary.md: the PR comment / $GITHUB_STEP_SUMMARY version of the report.

GitHub renders markdown *and* inline HTML, and rejects comments over 65,536 characters.
So every piece of report text is escaped (HTML special characters become entities,
markdown punctuation is backslash-escaped, ``@`` cannot mention anyone), and the document
is built section by section until ``limit`` is reached, ending with a line that points
at the full report.
"""

from __future__ import annotations

import html
import re
from typing import Any, Mapping

from gatekeeper.report.fmt import (blocking_ids, partial_note, vs_prompting, NOT_PASS, OUTCOME_WORDS, dig, headline, interval, num,
                                   one_line, pval, seconds, signed, source_text)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~!<>])")
VERDICT_WORDS = {"PASS": "PASS: every blocking gate passed", "FAIL": "FAIL: do not ship",
                 "ERROR": "ERROR: no verdict could be reached", "NO_GATES": "NO GATES: nothing was checked"}


def md(text: Any, limit: int = 200) -> str:
    """Report text made inert for GitHub markdown: one line, escaped, no @mentions."""
    flat = html.escape(one_line(text, limit), quote=False)
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return flat.replace("@", "@\u2060")  # word joiner: shown as "@", never a mention


class _Budget:
    """Collects parts until adding one more would pass the character limit."""

    def __init__(self, limit: int):
        self.limit, self.used, self.full = limit, 0, False
        self.parts: list[str] = []

    def add(self, text: str) -> bool:
        if self.full or self.used + len(text) > self.limit:
            self.full = True
            return False
        self.parts.append(text)
        self.used += len(text)
        return True


def _header(report: Mapping) -> str:
    bundle = report.get("bundle") or {}
    gates = report.get("gates") or []
    ids = blocking_ids(report)
    blocking = [g for g in gates if g.get("id") in ids]
    verdict = report.get("verdict", "ERROR")
    line = (f"### gatekeeper verdict: {VERDICT_WORDS.get(verdict, md(verdict))}\n\n"
            f"**{md(bundle.get('name'))} {md(bundle.get('version'))}**: "
            f"{len(blocking)} blocking gate(s) not passing of {len(gates)} gate(s); run "
            f"{md(report.get('status'))}, exit code {md(report.get('exit_code'))}, "
            f"{seconds(report.get('duration_s'))}.\n")
    if partial_note(report):
        line += f"\n> **{md(partial_note(report))}**\n"
    if report.get("message"):
        line += f"\n> {md(report['message'], 500)}\n"
    prompting = vs_prompting(report)
    if prompting:
        line += "\n**Fine-tune vs best prompting**\n\n" + "".join(f"- {md(p, 400)}\n" for p in prompting)
    return line + "\n"


def _pair(value: str, iv: str) -> str:
    return f"{value} {iv}" if iv else value


def _table(report: Mapping) -> list[str]:
    rows = ["| gate | outcome | metric | candidate [95% interval] | threshold | baseline | "
            "delta [paired CI] | p |\n", "|---|---|---|---|---|---|---|---|\n"]
    for gate in report.get("gates") or []:
        h = headline(gate)
        sev = " (warn)" if gate.get("severity") == "warn" else ""
        flip = " (lower is better)" if h.flipped else ""
        rows.append(f"| {md(gate.get('id'), 80)}{sev} | **{OUTCOME_WORDS.get(gate.get('outcome'), '?')}** | "
                    f"{md(h.metric or '', 40)} | {_pair(num(h.candidate), interval(h.interval))} | {md(h.threshold)} | "
                    f"{num(h.baseline)} | {_pair(signed(h.delta), interval(h.delta_ci, signed))}{flip} | {pval(h.p_value)} |\n")
    return rows


def _reasons(report: Mapping, severity: str, title: str) -> str:
    gates = [g for g in report.get("gates") or []
             if g.get("severity", "block") == severity and g.get("outcome") in NOT_PASS]
    if not gates:
        return ""
    lines = [f"\n#### {title}\n\n"]
    for g in gates:
        where = f" (`{md(source_text(g), 120)}`)" if source_text(g) else ""
        lines.append(f"- **{md(g.get('id'), 80)}** {OUTCOME_WORDS.get(g.get('outcome'))}: "
                     f"{md(g.get('reason'), 400)}{where}\n")
    return "".join(lines)


def _item_rows(gate: Mapping, max_items: int) -> tuple[str, list[str], int]:
    """Heading and table rows for a gate's failing items, and how many failing items exist."""
    items = [i for i in dig(gate, "measurement", "items") or [] if isinstance(i, Mapping)]
    failing = [i for i in items if i.get("passed") is False]
    failing.sort(key=lambda i: i.get("baseline_passed") is not True)  # regressions first
    head = (f"\n<details><summary>{html.escape(one_line(gate.get('id'), 80))}: {len(failing):,} failing "
            f"of {len(items):,} items (showing {min(len(failing), max_items)})</summary>\n\n"
            "| item | expected | candidate output | baseline output |\n|---|---|---|---|\n")
    rows = [f"| {md(i.get('id'), 60)} | {md(i.get('expected'), 120)} | {md(i.get('output'), 200)} | "
            f"{md(i.get('baseline_output'), 160)} |\n" for i in failing[:max_items]]
    return head, rows, len(failing)


def render_markdown(report: Mapping, *, limit: int = 65_000, link: str | None = None,
                    max_items: int = 10) -> str:
    """Render report.json (as a dict) to GitHub markdown shorter than ``limit`` characters."""
    target = f"[report.html]({link})" if link else "see report.html"
    pointer = f"\n---\nFull report with every item, chart and provenance: {target}\n"
    cut = f"\n---\n**Summary truncated** to fit {limit:,} characters. Full report: {target}\n"
    more = "\nItems beyond the first few per gate are only in the full report.\n"
    ending = max(len(cut), len(more) + len(pointer))
    budget = _Budget(limit - ending - len("\n</details>\n") - 1)
    budget.add(_header(report))
    for row in _table(report):
        budget.add(row)
    budget.add(_reasons(report, "block", "Blocking the release"))
    budget.add(_reasons(report, "warn", "Warnings (do not block)"))
    omitted = False
    for gate in report.get("gates") or []:
        head, rows, failing = _item_rows(gate, max_items)
        if not failing or not budget.add(head):
            continue
        shown = sum(1 for row in rows if budget.add(row))
        budget.parts.append("\n</details>\n")  # reserved in the budget above
        budget.used += len("\n</details>\n")
        omitted = omitted or shown < failing
    text = "".join(budget.parts)
    if budget.full:
        return text + cut
    return text + (more if omitted else "") + pointer
