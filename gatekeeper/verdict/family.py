"""What many gates mean together: the family-wise picture ``plan`` and the report state.

A release PASS needs every blocking gate to pass. That is an intersection-union test: if
any one blocking gate's claim is false, the release passes only if that gate passes
falsely, so the release-level false-pass rate is at most the largest per-gate level, α,
without any multiplicity correction (Berger 1982). It holds only for gates whose pass is
backed by evidence (a bound or a paired test); a census is exact (no sampling error). It
does not cover gates judged on the point value (up to about half pass falsely at the
limit), assertions without statistics, warn gates (never block), or many releases over
time (each release is a fresh chance of α for a bad candidate). The other side is power:
the chance that every blocking gate of a truly good candidate passes is the product of
their pass probabilities (0.8^k at their 80% points), so several modest gates fail a good
candidate often.

Pure functions over plain dicts (report.json gates, plan entries): no numpy, so the report
can use them.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

EVIDENCE = ("statistical", "census", "point", "assertion", "unjudged")


def evidence_of(gate: Mapping) -> str:
    """How a gate's pass is backed: statistical (bounds, paired tests), census (exact
    counts), point (no evidence required), assertion (a python gate's asserts), unjudged."""
    th, cmp = gate.get("threshold") or {}, gate.get("comparison") or {}
    if not th and not cmp:
        return "assertion" if gate.get("type") == "python" and gate.get("outcome") in ("pass", "fail") \
            else "unjudged"
    kinds = set()
    if th:
        evidence = th.get("evidence") or ("point" if th.get("bound") in (None, "point") else "bound")
        kinds.add({"bound": "statistical"}.get(evidence, evidence))
    if cmp:
        kinds.add("statistical")
    for worst in ("point", "statistical", "census"):
        if worst in kinds:
            return worst
    return "unjudged"


def alpha_of(gate: Mapping) -> float | None:
    """The gate's false-pass level: the largest of its parts' (0.05 for a bound)."""
    levels = []
    if (gate.get("threshold") or {}).get("evidence", "bound") == "bound" and gate.get("threshold"):
        levels.append(0.05)
    cmp = gate.get("comparison") or {}
    if cmp.get("alpha") is not None:
        levels.append(float(cmp["alpha"]))
    return max(levels) if levels else None


def picture(gates: Iterable[Mapping]) -> dict:
    """Counts by evidence, the release-level bound and what it leaves out, the chance all
    blocking gates pass at their pass probabilities."""
    gates = list(gates)
    blocking = [g for g in gates if g.get("severity", "block") == "block"]
    by = {k: [g.get("id") for g in blocking if evidence_of(g) == k] for k in EVIDENCE}
    alphas = [a for g in blocking if evidence_of(g) == "statistical" and (a := alpha_of(g)) is not None]
    probs = [g.get("pass_probability") for g in blocking if evidence_of(g) in ("statistical", "census")]
    known = [float(p) for p in probs if isinstance(p, (int, float)) and math.isfinite(p)]
    uncovered = by["point"] + by["assertion"]
    return {"blocking": len(blocking), "warn": len(gates) - len(blocking),
            "by_evidence": {k: len(v) for k, v in by.items()},
            "no_evidence": uncovered, "unjudged": by["unjudged"],
            "release_alpha": max(alphas) if alphas else None,
            "release_bound_holds": not uncovered,
            "all_pass_probability": math.prod(known) if known else None,
            "with_pass_probability": len(known), "without_pass_probability": len(probs) - len(known)}


def lines(p: Mapping) -> list[str]:
    """The picture in sentences (plan's closing lines, the report's trust section)."""
    by = p["by_evidence"]
    parts = [f"{by['statistical']} judged on evidence (bounds, paired tests)",
             f"{by['census']} exact counts (census)"]
    if by["point"]:
        parts.append(f"{by['point']} on the point value (no evidence required)")
    if by["assertion"]:
        parts.append(f"{by['assertion']} python assertion(s) (no statistics)")
    if by["unjudged"]:
        parts.append(f"{by['unjudged']} not judged (error or skip)")
    out = [f"{p['blocking']} blocking gate(s): " + ", ".join(parts) + "."]
    if p["release_alpha"] is not None:
        text = (f"A release PASS needs every blocking gate to pass (an intersection-union test): "
                f"if any one blocking claim is false, the release passes falsely with probability "
                f"at most {p['release_alpha']:g}, the largest per-gate level")
        if not p["release_bound_holds"]:
            text += (f", except through the gate(s) judged without evidence "
                     f"({', '.join(map(str, p['no_evidence']))}), whose false-pass rate at the "
                     f"limit is not controlled")
        out.append(text + ".")
    warn = f"the {p['warn']} warn gate(s) (reported, never blocking), and " if p["warn"] else ""
    out.append(f"Not covered: {warn}many releases over time (each release is a fresh chance of "
               "that rate for a bad candidate).")
    if p["all_pass_probability"] is not None:
        missing = p.get("without_pass_probability") or 0
        out.append(f"If each blocking gate's true value equals the one used here (a census "
                   f"passes or fails for certain), all {p['with_pass_probability']} blocking "
                   f"gate(s) with a pass probability pass together with probability "
                   f"{p['all_pass_probability']:.0%}: a truly good candidate fails them "
                   f"{1 - p['all_pass_probability']:.0%} of the time"
                   + (f" ({missing} judged gate(s) carry no pass probability)." if missing else "."))
    return out
