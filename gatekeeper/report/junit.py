"""junit.xml: one <testcase> per gate, so any CI system shows gates as tests.

The mapping follows the verdict, not the raw outcome: only what blocks the release is a
<failure> or <error>. A blocking fail or inconclusive is a <failure> (type says which),
a blocking error is an <error>, skip is <skipped>, and a warn-severity gate that did not
pass stays a passing test with the reason in <system-out>. The document validates
against the Jenkins/Ant ``junit-10.xsd`` layout (see tests/data/junit.xsd).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Mapping

from gatekeeper.report.fmt import (blocking_ids, partial_note, NOT_PASS, OUTCOME_WORDS, clean, dig, interval, is_num, num,
                                   one_line, pval, signed, source_text, threshold_text,
                                   judged_on_bound)


def _time(seconds: Any) -> str:
    return f"{seconds:.3f}" if is_num(seconds) and seconds >= 0 else "0.000"


def explain(gate: Mapping) -> str:
    """Plain-text account of a gate: where, what was measured, how it was judged."""
    lines = [f"gate {clean(gate.get('id'))} (type {clean(gate.get('type'))}, "
             f"severity {clean(gate.get('severity', 'block'))})"]
    if source_text(gate):
        lines.append(f"declared at {source_text(gate)}")
    lines.append(f"{OUTCOME_WORDS.get(gate.get('outcome'), gate.get('outcome'))}: {clean(gate.get('reason'))}")
    th = gate.get("threshold") or {}
    if th:
        bound = f", {th['bound']} bound {num(th.get('compared_value'))}" if judged_on_bound(th) else ""
        lines.append(f"threshold: {clean(th.get('metric'))} = {num(th.get('value'))} "
                     f"{interval(th.get('interval'))}{bound}; required {threshold_text(th) or 'none'}")
    cmp = gate.get("comparison") or {}
    if cmp:
        lines.append(f"vs baseline ({clean(cmp.get('kind'))}, {clean(cmp.get('test'))}, margin {num(cmp.get('margin'))}): "
                     f"{num(cmp.get('candidate'))} vs {num(cmp.get('baseline'))}, delta {signed(cmp.get('delta'))} "
                     f"{interval(cmp.get('ci'), signed)}, p = {pval(cmp.get('p_value'))}, n = {num(cmp.get('n'))}")
    need = [n for b in (th, cmp) if is_num(n := b.get("required_n"))]
    if need:
        lines.append(f"n needed for a conclusive answer: {num(max(need))}")
    items = dig(gate, "measurement", "items") or []
    failing = [clean(i.get("id")) for i in items if isinstance(i, Mapping) and i.get("passed") is False]
    if failing:
        lines.append(f"failing items: {len(failing):,} of {len(items):,} (first: {', '.join(failing[:10])})")
    return "\n".join(lines)


def _testcase(gate: Mapping, blocking_gates: set) -> tuple[ET.Element, str | None]:
    """The <testcase> of one gate and which counter it adds to (failures/errors/skipped)."""
    case = ET.Element("testcase", {"classname": f"gatekeeper.{clean(gate.get('type') or 'gate')}",
                                   "name": clean(gate.get("id")), "time": _time(gate.get("duration_s"))})
    outcome, blocking = gate.get("outcome"), gate.get("id") in blocking_gates
    reason = one_line(gate.get("reason"), 500)
    if outcome == "skip":
        ET.SubElement(case, "skipped", {"message": reason})
        return case, "skipped"
    if outcome not in NOT_PASS:
        return case, None
    if not blocking:
        ET.SubElement(case, "system-out").text = f"warning only (does not block the release)\n{explain(gate)}"
        return case, None
    if outcome == "error":
        err = gate.get("error") or {}
        node = ET.SubElement(case, "error", {"message": one_line(err.get("message") or reason, 500),
                                             "type": clean(err.get("type") or "error")})
        node.text = f"{explain(gate)}\n\n{clean(err.get('traceback') or err.get('message') or '')}".rstrip()
        return case, "errors"
    node = ET.SubElement(case, "failure", {"message": reason, "type": outcome})
    node.text = explain(gate)
    return case, "failures"


def _run_case(report: Mapping) -> ET.Element | None:
    """A synthetic test for a run that crashed or was interrupted, so CI cannot miss it."""
    status = report.get("status", "complete")
    if status == "complete":
        return None
    case = ET.Element("testcase", {"classname": "gatekeeper", "name": f"run {status}", "time": "0.000"})
    message = one_line(report.get("message") or f"the gatekeeper run {status}", 500)
    ET.SubElement(case, "error", {"message": message, "type": status}).text = clean(report.get("message") or "")
    return case


def render_junit(report: Mapping) -> str:
    """Render report.json (as a dict) to a JUnit XML document (text, with declaration)."""
    bundle = report.get("bundle") or {}
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    cases, blocking_gates = [], blocking_ids(report)
    for gate in report.get("gates") or []:
        case, counter = _testcase(gate, blocking_gates)
        cases.append(case)
        if counter:
            counts[counter] += 1
    run_case = _run_case(report)
    if run_case is not None:
        cases.append(run_case)
        counts["errors"] += 1
    total, time = str(len(cases)), _time(report.get("duration_s"))
    root = ET.Element("testsuites", {"name": "gatekeeper", "tests": total, "failures": str(counts["failures"]),
                                     "errors": str(counts["errors"]), "time": time})
    suite = ET.SubElement(root, "testsuite", {
        "name": f"gatekeeper: {clean(bundle.get('name') or 'bundle')}", "tests": total,
        "failures": str(counts["failures"]), "errors": str(counts["errors"]),
        "skipped": str(counts["skipped"]), "time": time, "timestamp": clean(report.get("started_at"))})
    props = ET.SubElement(suite, "properties")
    for name, value in (("verdict", report.get("verdict")), ("status", report.get("status")),
                        ("complete", str(report.get("complete", True)).lower()),
                        ("exit_code", report.get("exit_code")), ("bundle_version", bundle.get("version")),
                        ("lock_digest", bundle.get("lock_digest")),
                        ("gatekeeper_version", dig(report, "tool", "version"))):
        if value is not None:
            ET.SubElement(props, "property", {"name": name, "value": clean(value)})
    suite.extend(cases)
    ET.SubElement(suite, "system-out").text = (
        f"verdict {clean(report.get('verdict'))} ({clean(report.get('status'))}), exit code "
        f"{clean(report.get('exit_code'))}; blocking: {', '.join(map(clean, dig(report, 'summary', 'blocking') or [])) or 'none'}"
        + (f"; {partial_note(report)}" if partial_note(report) else ""))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
