"""report.html: one self-contained page a release reviewer decides from.

``render_html(report)`` is pure: a report.json dict in, HTML text out. The page has inline
CSS and a small inline script, no network access at all (a Content-Security-Policy with
``default-src 'none'`` and hashes of the two inline scripts enforces it, and also stops any
script that escaping bugs could ever let in), and opens from a CI artifact via file://.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
from typing import Any, Mapping

from markupsafe import Markup

from gatekeeper.report.charts import line_chart
from gatekeeper.report.fmt import (blocking_ids, partial_note, vs_prompting, MISSING, NOT_PASS, clean, headline, interval, is_num, num,
                                   one_line, pval, seconds, signed)
from gatekeeper.report.env import environment
from gatekeeper.report.gateview import gate_view, pretty_json
from gatekeeper.report.power import family_view
from gatekeeper.report.provenance import provenance_view

VERDICT_LINES = {
    "PASS": "Every blocking gate passed: this adapter may ship.",
    "FAIL": "At least one blocking gate did not pass: do not ship this adapter.",
    "ERROR": "No verdict: a blocking gate could not be measured or the run did not finish. Do not ship.",
    "NO_GATES": "No gates were selected, so nothing was checked.",
}


@functools.lru_cache(maxsize=4)
def _static(name: str) -> str:
    return (importlib.resources.files("gatekeeper") / "report" / "static" / name).read_text("utf-8")


def _script_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def _csp(*scripts: str) -> str:
    """Nothing from the network; only our own inline scripts (by hash) may run."""
    hashes = " ".join(_script_hash(s) for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def _short(gate: Mapping, view: Mapping) -> dict:
    return {"id": view["id"], "anchor": view["anchor"], "outcome": view["outcome"],
            "severity": view["severity"], "reason": one_line(gate.get("reason"), 400)}


def _headline_row(gate: Mapping, view: Mapping) -> dict:
    h = headline(gate)
    return {"id": view["id"], "anchor": view["anchor"], "outcome": view["outcome"],
            "severity": view["severity"], "metric": clean(h.metric or MISSING),
            "candidate": num(h.candidate), "interval": interval(h.interval),
            "baseline": num(h.baseline), "delta": signed(h.delta),
            "delta_ci": interval(h.delta_ci, signed), "p_value": pval(h.p_value), "flipped": h.flipped,
            "threshold": h.threshold, "n": num(h.n)}


def _previous_view(prev: Any, gates: list[Mapping], views: list[dict]) -> dict | None:
    """Metric-by-metric table of this run against the last release's report."""
    if not isinstance(prev, Mapping):
        return None
    then = prev.get("gates") or {}
    now = {g.get("id"): (g, v) for g, v in zip(gates, views)}
    rows = []
    for gid in dict.fromkeys([*now, *then]):
        gate, view = now.get(gid, ({}, None))
        old = then.get(gid) or {}
        cur = dict((gate.get("measurement") or {}).get("metrics") or {})
        before, after = old.get("outcome"), gate.get("outcome")
        worse = after in NOT_PASS and before not in NOT_PASS
        for i, metric in enumerate(dict.fromkeys([*(old.get("metrics") or {}), *cur]) or [""]):
            a, b = (old.get("metrics") or {}).get(metric), cur.get(metric)
            rows.append({"id": clean(gid), "anchor": view["anchor"] if view else None, "first": i == 0,
                         "before": before, "now": after, "metric": clean(metric),
                         "then": num(a) if metric else "", "value": num(b) if metric else "",
                         "change": signed(b - a) if is_num(a) and is_num(b) else "", "worse": worse,
                         "changed": before != after})
    # Gates whose outcome changed first; metric rows of one gate stay together (stable sort).
    changed = {r["id"] for r in rows if r["changed"]}
    rows.sort(key=lambda r: r["id"] not in changed)
    return {"name": clean(prev.get("name")), "version": clean(prev.get("version")),
            "path": clean(prev.get("path")) or None, "rows": rows}


def _training_view(training: Any) -> dict | None:
    if not isinstance(training, Mapping):
        return None
    curve = training.get("loss_curve") or []
    facts = ""
    if curve and isinstance(curve[-1], Mapping):
        last = curve[-1]
        facts = f"{len(curve)} logged steps; final step {num(last.get('step'))}, loss {num(last.get('loss'))}"
        if is_num(last.get("eval_loss")):
            facts += f", eval loss {num(last['eval_loss'])}"
    return {"chart": line_chart(curve) if isinstance(curve, list) else None, "facts": facts,
            "recipe": pretty_json(training["recipe"]) if training.get("recipe") else None}


def _counts(summary: Mapping) -> list[tuple[str, int]]:
    return [(k, summary.get(k, 0)) for k in ("pass", "fail", "inconclusive", "error", "skip")
            if summary.get(k)]


def build_view(report: Mapping) -> dict:
    """The whole page as plain data (see the templates for how each key is shown)."""
    gates = [g for g in report.get("gates") or [] if isinstance(g, Mapping)]
    views = [gate_view(g, i) for i, g in enumerate(gates)]
    blocking = blocking_ids(report)
    verdict = report.get("verdict", "ERROR")
    bundle = report.get("bundle") or {}
    summary = {"total": len(gates), **(report.get("summary") or {})}
    return {
        "verdict": verdict, "verdict_word": verdict.replace("_", " "),
        "verdict_line": VERDICT_LINES.get(verdict, "") + (
            f" ({partial_note(report)}.)" if partial_note(report) else ""),
        "status": clean(report.get("status", "complete")), "message": clean(report.get("message")) or None,
        "exit_code": report.get("exit_code", "n/a"),
        "started_at": clean(report.get("started_at")), "finished_at": clean(report.get("finished_at")),
        "duration": seconds(report.get("duration_s")),
        "tool": {"name": clean((report.get("tool") or {}).get("name") or "gatekeeper"),
                 "version": clean((report.get("tool") or {}).get("version") or "?")},
        "bundle": {"name": clean(bundle.get("name") or "?"), "version": clean(bundle.get("version") or "?")},
        "schema_version": report.get("schema_version", "?"), "summary": summary,
        "counts": _counts(summary),
        "blocking": [_short(g, v) for g, v in zip(gates, views) if g.get("id") in blocking],
        "warnings": [_short(g, v) for g, v in zip(gates, views)
                     if g.get("severity") == "warn" and g.get("outcome") in NOT_PASS],
        "skipped": [_short(g, v) for g, v in zip(gates, views) if g.get("outcome") == "skip"],
        "headline": [_headline_row(g, v) for g, v in zip(gates, views)],
        "vs_prompting": [clean(line) for line in vs_prompting(report)],
        "gates": views, "previous": _previous_view(report.get("previous_release"), gates, views),
        "training": _training_view(report.get("training")),
        "prov": provenance_view(report, views),
        "family": family_view(gates),
    }


def render_html(report: Mapping) -> str:
    """Render report.json (as a dict) to one self-contained HTML page."""
    guard, main = _static("guard.js"), _static("report.js")
    view = build_view(report)
    return environment().get_template("report.html.j2").render(
        **view, csp=_csp(guard, main), css=Markup(_static("report.css")),
        guard_js=Markup(guard), main_js=Markup(main))


__all__ = ["render_html", "build_view"]
