"""The per-gate part of the HTML view model: plain dicts the templates render as they are.

Templates run with ``StrictUndefined``, so every key a template reads is set here, with
``None`` for what the report does not have; missing or null fields in report.json
(an error gate has no measurement) never reach the template as undefined.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from gatekeeper.report.charts import comparison_chart, threshold_chart
from gatekeeper.report.evidence import evidence, text
from gatekeeper.report.fragments import render_fragment
from gatekeeper.report.fmt import (OUTCOME_WORDS, clean, dig, interval, is_num, num, pval,
                                   judged_on_bound, seconds, signed, source_text, threshold_text)
from gatekeeper.report.power import power_view

TESTS: dict[Any, str] = {"mcnemar_exact": "exact McNemar test (paired, binary outcomes)",
         "paired_bootstrap": "paired bootstrap (continuous scores)",
         "tango_score": "Tango score test against the margin (paired, binary outcomes)",
         "studentized_bootstrap": "studentized bootstrap of the paired differences (scores)"}
KINDS: dict[Any, str] = {"non_inferiority": "non-inferiority: not worse than baseline by more than the margin",
         "superiority": "superiority: better than baseline by more than the margin"}
JSON_LIMIT = 100_000


def anchor(gate_id: Any, index: int) -> str:
    """An HTML id for a gate: readable, unique (index), safe in a URL fragment."""
    return f"gate-{index}-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", str(gate_id)).strip("-")[:80]


def pretty_json(data: Any) -> str:
    raw = json.dumps(data, indent=2, ensure_ascii=False, default=str, sort_keys=False)
    return text(raw, JSON_LIMIT) or ""


def _required_n(block: Mapping, have: Any) -> tuple[str, str] | None:
    need = block.get("required_n")
    if not is_num(need):
        return None
    suffix = f" (this run has {num(have)})" if is_num(have) else ""
    return "n for a conclusive answer", f"{num(need)}{suffix}"


def threshold_view(th: Mapping | None, baseline: Any, n: Any) -> dict | None:
    if not th:
        return None
    facts = []
    iv = interval(th.get("interval"))
    method = f" ({th['interval_method']} 95%)" if iv and th.get("interval_method") else ""
    facts.append((f"measured {th.get('metric') or 'value'}", f"{num(th.get('value'))} {iv}{method}".strip()))
    if judged_on_bound(th):
        facts.append((f"compared ({th['bound']} bound)", _compared(th)))
    facts.append(("threshold", threshold_text(th) or "none"))
    if is_num(baseline):
        facts.append(("baseline", num(baseline)))
    need = _required_n(th, n)
    if need:
        facts.append(need)
    if th.get("reason"):
        facts.append(("judged", clean(th["reason"])))
    return {"facts": facts, "chart": threshold_chart(th, baseline),
            "outcome": th.get("outcome"), "has_baseline": is_num(baseline)}


def _compared(th: Mapping) -> str:
    """The deciding bound, or both one-sided bounds of a two-sided threshold."""
    bounds = th.get("bounds")
    if is_num(th.get("min")) and is_num(th.get("max")) and isinstance(bounds, list) and len(bounds) == 2:
        return f"{num(bounds[0])} / {num(bounds[1])}"
    return num(th.get("compared_value"))


def _ci_level(cmp: Mapping) -> str:
    """judge's paired interval is two-sided at 1 - 2*alpha: its lower end is the one-sided test."""
    alpha = cmp.get("alpha")
    if is_num(alpha) and 0 < alpha < 0.5:
        return f"({100 * (1 - 2 * alpha):g}% CI, one-sided test at alpha {num(alpha)})"
    return "CI"


def _delta_label(cmp: Mapping) -> str:
    """judge flips the sign for lower-is-better metrics so that delta > 0 means better."""
    if cmp.get("higher_is_better") is False:
        return "delta (baseline \u2212 candidate, lower is better)"
    return "delta (candidate \u2212 baseline)"


def comparison_view(cmp: Mapping | None) -> dict | None:
    if not cmp:
        return None
    test = TESTS.get(cmp.get("test"), cmp.get("test") or "paired test")
    facts = [("metric", clean(cmp.get("metric") or "n/a")),
             ("question", KINDS.get(cmp.get("kind"), cmp.get("kind") or "n/a")),
             ("test", f"{test}, margin {num(cmp.get('margin'))}, alpha {num(cmp.get('alpha'))}"),
             ("candidate vs baseline", f"{num(cmp.get('candidate'))} vs {num(cmp.get('baseline'))}"
                                       f" on {num(cmp.get('n'))} paired items"),
             (_delta_label(cmp), f"{signed(cmp.get('delta'))} {interval(cmp.get('ci'), signed)} {_ci_level(cmp)}".strip()),
             ("p-value", pval(cmp.get("p_value")))]
    disc = cmp.get("discordant")
    if isinstance(disc, Mapping):
        facts.append(("discordant pairs", f"{num(disc.get('candidate_only'))} items scored 1 only on candidate, "
                                          f"{num(disc.get('baseline_only'))} only on baseline"))
    need = _required_n(cmp, cmp.get("n"))
    if need:
        facts.append(need)
    if cmp.get("reason"):
        facts.append(("judged", clean(cmp["reason"])))
    return {"facts": facts, "chart": comparison_chart(cmp), "outcome": cmp.get("outcome"),
            "delta_label": _delta_label(cmp)}


def details_view(gate: Mapping) -> dict | None:
    """The gate type's own fragment (see report/fragments.py), and all details as JSON."""
    details = (gate.get("measurement") or {}).get("details")
    if not isinstance(details, Mapping) or not details:
        return None
    fragment, note = render_fragment(gate)
    return {"fragment": fragment, "note": note, "other": pretty_json(details),
            "other_keys": ", ".join(map(str, details))}


def _metrics(meas: Mapping, cmp: Mapping | None = None) -> list[dict]:
    """Every metric, candidate and baseline; the delta in the comparison's orientation for
    its metric (baseline - candidate when lower is better), so its sign agrees with the
    gate table's."""
    cand, base = meas.get("metrics") or {}, meas.get("baseline_metrics") or {}
    flipped = (cmp or {}).get("metric") if (cmp or {}).get("higher_is_better") is False else None
    rows = []
    for name in dict.fromkeys([*cand, *base]):
        c, b = cand.get(name), base.get(name)
        delta = (b - c if name == flipped else c - b) if is_num(c) and is_num(b) else None
        rows.append({"name": clean(name), "candidate": num(c), "baseline": num(b) if name in base else "",
                     "delta": (signed(delta) + (" (baseline \u2212 candidate)" if name == flipped else ""))
                     if delta is not None else ""})
    return rows


def gate_view(gate: Mapping, index: int) -> dict:
    """Everything the ``_gate.j2`` template reads for one gate."""
    meas = gate.get("measurement") or {}
    cmp = gate.get("comparison") or None
    baseline = cmp.get("baseline") if cmp and is_num(cmp.get("baseline")) else None
    th = gate.get("threshold") or None
    if baseline is None and th:
        baseline = dig(meas, "baseline_metrics", th.get("metric"))
    err = gate.get("error") or None
    outcome = gate.get("outcome", "error")
    return {
        "id": clean(gate.get("id")), "anchor": anchor(gate.get("id"), index),
        "type": clean(gate.get("type")), "severity": gate.get("severity", "block"),
        "outcome": outcome, "outcome_word": OUTCOME_WORDS.get(outcome, str(outcome).upper()),
        "reason": clean(gate.get("reason")), "description": clean(gate.get("description")) or None,
        "source": source_text(gate) or None, "duration": seconds(gate.get("duration_s")),
        "error": {"type": clean(err.get("type")), "message": clean(err.get("message")),
                  "traceback": clean(err.get("traceback")) or None} if err else None,
        "threshold": threshold_view(th, baseline, th.get("n") if th and is_num(th.get("n")) else meas.get("n")),
        "comparison": comparison_view(cmp),
        "power": power_view(gate),  # operating characteristic (gatekeeper/report/power.py)
        "metrics": _metrics(meas, cmp), "details": details_view(gate),
        "evidence": evidence(meas.get("items")),
        "spec": pretty_json(gate["spec"]) if gate.get("spec") else None,
    }
