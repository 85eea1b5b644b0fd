"""The summary printed at the end of ``gatekeeper check``, rendered from report.json."""

from __future__ import annotations

from gatekeeper.core.numbers import fixed
from gatekeeper.report.fmt import evidence_text, partial_note, pval, vs_prompting


def _fmt(value) -> str:
    if value is None:
        return "-"
    return fixed(value) if isinstance(value, float) else str(value)


def gate_line(gate: dict) -> str:
    """One line per gate: outcome, id, measured value vs requirement, paired delta."""
    parts = [f"{gate['outcome'].upper():<12} {gate['id']}"]
    t = gate.get("threshold")
    if t:
        interval = t.get("interval")
        ci = f" [{fixed(interval[0])}, {fixed(interval[1])}]" if interval else ""
        need = " ".join(f"{op} {t[k]}" for op, k in ((">=", "min"), ("<=", "max")) if t.get(k) is not None)
        parts.append(f"{t['metric']} {_fmt(t.get('value'))}{ci} (need {need}, {evidence_text(t)})")
    c = gate.get("comparison")
    if c:
        p = pval(c.get("p_value"))
        parts.append(f"vs baseline {_fmt(c.get('baseline'))}: delta {fixed(c.get('delta', 0), signed=True)}, "
                     f"p{p if p.startswith('<') else '=' + p}")
    line = "  ".join(parts)
    if gate["outcome"] != "pass":
        line += f"\n             -> {gate['reason']}"
    return line


def render_console(report: dict, paths: dict | None = None) -> str:
    lines = ["", f"gatekeeper: {report['bundle']['name']} {report['bundle']['version']}"]
    lines += [gate_line(g) for g in report["gates"]]
    s = report["summary"]
    counts = ", ".join(f"{s[k]} {k}" for k in ("pass", "fail", "inconclusive", "error", "skip") if s[k])
    lines.append(f"\nverdict: {report['verdict']} ({counts or 'no gates'}) in {report['duration_s']:.1f}s")
    partial = partial_note(report)
    if partial:
        lines[-1] += f" [{partial}]"
    for line in vs_prompting(report):
        lines.append(f"fine-tune vs best prompting: {line}")
    if report.get("message"):
        lines.append(f"note: {report['message']}")
    for kind, path in (paths or {}).items():
        lines.append(f"{kind}: {path}")
    return "\n".join(lines)
