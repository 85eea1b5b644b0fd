"""``gatekeeper plan BUNDLE``: size every gate before compute is spent. No model, no torch.

For each judged gate it reads n from the gate's golden set and states, with the same
rules the judge applies (``gatekeeper.verdict.power``): the minimum detectable value (the true
value at which the gate passes with 80% probability), the probability of passing at an
assumed true value (``--assume METRIC=VALUE``) and the n needed for 80% there. Comparisons
take ``METRIC.delta=`` (true delta, candidate better > 0) and ``METRIC.discordance=``
(share of items where the models disagree; default 0.2); scores take ``METRIC.sd=``
(default: half the metric's range, the largest possible). The bundle as a whole gets the
family-wise picture (``GATE_ID:KEY=`` assumes for one gate only): the chance that all
blocking gates with an assumed value pass, the expected number that do not, and the chance
that all blocking gates pass if each sits at its own 80% point.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

from gatekeeper.verdict import power
from gatekeeper.core.errors import ConfigError
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import Comparison, GateSpec, Threshold

DEFAULT_DISCORDANCE = 0.2
UNDERPOWERED = 0.8  # plan warns when all blocking gates pass with less than this


def parse_assumptions(items: list[str] | None) -> dict[str, float]:
    """``["valid_rate=0.999", "accuracy.delta=0.1"]`` -> {name: value}; ConfigError if malformed."""
    out: dict[str, float] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not name.strip() or not math.isfinite(number):
            raise ConfigError(f"--assume {item!r} is not METRIC=NUMBER", where="--assume",
                              hint="e.g. --assume valid_rate=0.999 --assume accuracy.delta=0.05")
        out[name.strip()] = number
    return out


def plan_bundle(bundle_dir: str | Path, assume: Mapping[str, float] | None = None) -> dict:
    """The plan of every gate of a bundle, as JSON-ready data."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.golden import load_golden

    assume = dict(assume or {})
    bundle = load_bundle(bundle_dir)
    collection = collect_gates(bundle, load_catalog())
    gates = []
    for spec in collection.gates:
        table = collection.gate_type(spec).metric_table
        n = len(load_golden(spec.golden_set)) if spec.golden_set else None
        gates.append(plan_gate(spec, n, table, assume))
    return {"bundle": {"name": bundle.name, "version": bundle.version}, "gates": gates,
            "family": family(gates), "assumed": assume}


def plan_gate(spec: GateSpec, n: int | None, table: Mapping[str, Metric],
              assume: Mapping[str, float]) -> dict:
    entry: dict[str, Any] = {"id": spec.id, "severity": spec.severity, "n": n,
                             "threshold": None, "comparison": None}
    if spec.threshold is not None:
        entry["threshold"] = _plan_threshold(spec.id, spec.threshold, n, table, assume)
    if spec.vs_baseline is not None:
        default = spec.threshold.metric if spec.threshold else ""
        entry["comparison"] = _plan_comparison(spec.id, spec.vs_baseline, default, n, table, assume)
    parts = [p for p in (entry["threshold"], entry["comparison"]) if p]
    probs = [p.get("pass_probability") for p in parts]
    entry["pass_probability"] = math.prod(probs) if probs and None not in probs else None
    # sized: a statistical gate on a known number of items (counts and checks are not)
    entry["sized"] = n is not None and any(p.get("min_detectable") is not None for p in parts)
    return entry


def _metric(table: Mapping[str, Metric], name: str) -> Metric:
    return table.get(name) or Metric(name)


def _span(metric: Metric) -> float | None:
    if metric.lower is None or metric.upper is None:
        return None
    return metric.upper - metric.lower


def _plan_threshold(gate_id: str, t: Threshold, n: int | None, table, assume) -> dict:
    from gatekeeper.verdict.bounds import CONFIDENCE, MIN_N_SCORES

    metric = _metric(table, t.metric)
    side = "max" if t.bound == "upper95" or (t.min is None) else "min"
    limit = float(t.min if side == "min" and t.min is not None else t.max or 0.0)
    point = t.bound == "point"
    out = {"metric": t.metric, "limit": limit, "side": side, "bound": t.bound, "kind": metric.kind}
    if metric.kind == "rate":
        design = power.Design("rate", limit, side, 0.5 if point else 1 - CONFIDENCE, point=point)
    else:
        span = _span(metric)
        sd = assume.get(f"{t.metric}.sd", span / 2 if span else None)
        if sd is None:
            return {**out, "note": f"a count or check, judged as it is: not sized; "
                                   f"--assume {t.metric}.sd=NUMBER sizes it"}
        design = power.Design("mean", limit, side, 0.5 if point else 1 - CONFIDENCE, sd=sd,
                              lower=metric.lower, upper=metric.upper,
                              min_n=0 if point else MIN_N_SCORES)
    return {**out, **_power_at(design, n, _assumed(assume, gate_id, t.metric))}


def _plan_comparison(gate_id: str, c: Comparison, default: str, n: int | None, table,
                     assume) -> dict:
    name = c.metric or default
    metric = _metric(table, name)
    boundary = -c.max_drop if c.max_drop is not None else float(c.min_gain or 0.0)
    out = {"metric": name, "kind": "non_inferiority" if c.max_drop is not None else "superiority",
           "boundary": boundary, "alpha": c.alpha}
    if metric.kind == "rate":
        disc = assume.get(f"{name}.discordance", DEFAULT_DISCORDANCE)
        design = power.Design("paired_rate", boundary, "min", c.alpha, discordance=disc)
        out["discordance"] = disc
    else:
        span = _span(metric)
        sd = assume.get(f"{name}.sd", span / 2 if span else None)
        if sd is None:
            return {**out, "note": f"a value judged as it is, not sized; --assume {name}.sd=NUMBER"}
        design = power.Design("paired_mean", boundary, "min", c.alpha, sd=sd, lower=None, upper=None)
    return {**out, **_power_at(design, n, _assumed(assume, gate_id, f"{name}.delta"))}


def _assumed(assume: Mapping[str, float], gate_id: str, key: str) -> float | None:
    """``GATE_ID:KEY`` for one gate wins over ``KEY`` for every gate with that metric."""
    return assume.get(f"{gate_id}:{key}", assume.get(key))


def _power_at(design: power.Design, n: int | None, true: float | None) -> dict:
    out: dict[str, Any] = {"min_detectable": None, "assumed": true, "pass_probability": None, "required_n": None,
           "note": None}
    if n:
        out["min_detectable"] = power.min_detectable(design, n)
    if true is None:
        out["note"] = "no assumed true value (--assume); min_detectable is the 80% point"
        return out
    if n:
        out["pass_probability"] = round(float(power.pass_probability(design, n, true)), 4)
    out["required_n"] = None if design.point else power.required_n(design, true)
    if not power.can_pass(design, true):
        out["note"] = "cannot pass at the assumed value: it is on the wrong side of the limit"
    return out


def family(gates: list[dict]) -> dict:
    """The sized blocking gates at once, at the assumed values: P(every one passes) and the
    expected number that do not; at their 80% points, k gates all pass with 0.8^k. Gates
    whose n is unknown and counts or checks judged as they are do not count."""
    blocking = [g for g in gates if g["severity"] == "block" and g.get("sized", True)]
    probs = [g["pass_probability"] for g in blocking if g["pass_probability"] is not None]
    all_pass = math.prod(probs) if probs else None
    return {"blocking": len(blocking), "assumed": len(probs),
            "all_pass_probability": all_pass, "expected_not_pass": sum(1 - p for p in probs),
            "at_80_percent_points": power.POWER ** len(blocking) if blocking else None,
            "underpowered": all_pass is not None and all_pass < UNDERPOWERED}


def render_plan(plan: Mapping) -> str:
    """The plan as a few lines per gate."""
    lines = [f"plan for {plan['bundle']['name']} {plan['bundle']['version']}"]
    for g in plan["gates"]:
        size = f"n={g['n']}" if g["n"] is not None else "n unknown: no golden_set, it reads its own data"
        lines.append(f"{g['id']} ({g['severity']}, {size})")
        for label, part in (("threshold", g["threshold"]), ("vs_baseline", g["comparison"])):
            if part:
                lines.append(f"  {label}: {_part_line(part)}")
    f = plan["family"]
    if f["all_pass_probability"] is not None:
        lines.append(f"{f['assumed']} blocking gate(s) with assumed values all pass with probability "
                     f"{f['all_pass_probability']:.2f}; expected not-pass: {f['expected_not_pass']:.2f}")
    if f["at_80_percent_points"] is not None:
        lines.append(f"at their 80% points, all {f['blocking']} sized blocking gate(s) pass with "
                     f"probability {f['at_80_percent_points']:.2f}")
    if f["underpowered"]:
            lines.append("warning: the bundle is under-powered: truly fine candidates fail it "
                         "more than 20% of the time; add items or relax the gates")
    return "\n".join(lines)


def _part_line(p: Mapping) -> str:
    what = p.get("limit", p.get("boundary"))
    text = f"{p['metric']} {p.get('bound') or p.get('kind')} {what:g}"
    mdv = p.get("min_detectable")
    if mdv is not None:
        text += f"; 80% pass at true {'delta ' if 'boundary' in p else ''}{mdv:.4g}"
    if p.get("pass_probability") is not None:
        text += f"; at {p['assumed']:g}: pass {p['pass_probability']:.2f}"
    if p.get("required_n"):
        text += f", n for 80%: {p['required_n']:,}"
    if p.get("note") and (p.get("assumed") is not None or "min_detectable" not in p):
        text += f" ({p['note']})"
    return text
