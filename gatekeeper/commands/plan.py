"""``gatekeeper plan BUNDLE``: size every gate before compute is spent. No model, no torch.

For each judged gate it reads n from the gate's golden set and states, with the same
rules the judge applies (``gatekeeper.verdict.power``): the minimum detectable value (the true
value at which the gate passes with 80% probability), the probability of passing at an
assumed true value (``--assume METRIC=VALUE``) and the n needed for 80% there. Comparisons
take ``METRIC.delta=`` (true delta, candidate better > 0) and ``METRIC.discordance=``
(share of items where the models disagree; default 0.2) or, for rates, ``METRIC.base=`` (the
baseline's true rate: the discordance of independent outcomes at it); scores take ``METRIC.sd=``
(default: half the metric's range, the largest possible). The bundle as a whole gets the
family-wise picture (``GATE_ID:KEY=`` assumes for one gate only): the chance that all
blocking gates with an assumed value pass, the expected number that do not, the chance
that all blocking gates pass if each sits at its own 80% point, the gates that cannot pass
at their n even at the best possible value (said without ``--assume``), and the evidence
behind a release PASS (``gatekeeper.verdict.family``). Thresholds are sized the way the
judge decides them: a sampled metric on its bound(s), a census not at all, ``point`` as
the point rule. n comes from the golden set, or from the gate type's own files (safety
prompts, MMLU-layout CSVs). An assumed value outside the metric's range is refused.
"""

from __future__ import annotations

import math
from pathlib import Path
from dataclasses import replace
from typing import Any, Mapping

from gatekeeper.verdict import power
from gatekeeper.core.errors import ConfigError
from gatekeeper.core.metrics import Metric
from gatekeeper.core.spec import Comparison, GateSpec, Threshold

DEFAULT_DISCORDANCE = 0.2
UNDERPOWERED = 0.8  # plan warns when all blocking gates pass with less than this
NEVER = 0.01        # below this pass probability at the best possible value: cannot pass


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

    assume = dict(assume or {})
    bundle = load_bundle(bundle_dir)
    collection = collect_gates(bundle, load_catalog())
    tables = {spec.id: collection.gate_type(spec).metric_table for spec in collection.gates}
    check_assumptions(assume, collection.gates, tables)
    gates = [plan_gate(spec, known_n(spec), tables[spec.id], assume) for spec in collection.gates]
    return {"bundle": {"name": bundle.name, "version": bundle.version}, "gates": gates,
            "family": family(gates), "assumed": assume}


def known_n(spec: GateSpec) -> int | dict[str, int] | None:
    """How many items the gate will judge, from its files alone: the golden set, else the
    gate type's own data (safety prompts: harmful for refusal, benign for over-refusal;
    MMLU-layout CSVs for lm_eval and calibration). None when only a run can tell."""
    from gatekeeper.bundle.golden import load_golden

    if spec.golden_set:
        from gatekeeper.bundle.subset import planned_rows

        return planned_rows(load_golden(spec.golden_set), spec.params)
    if spec.type == "safety" and spec.params.get("data"):
        from gatekeeper.safety.loaders import load_prompts
        from gatekeeper.safety.measure import subset

        prompts = subset(load_prompts(spec.params["data"]), spec.params.get("limit"))
        return {"refusal_rate": sum(p.harmful for p in prompts),
                "over_refusal_rate": sum(not p.harmful for p in prompts)}
    if spec.type in ("lm_eval", "calibration"):
        from gatekeeper.evals.source import planned_n

        return planned_n(dict(spec.params))
    return None


def check_assumptions(assume: Mapping[str, float], specs, tables: Mapping[str, Mapping]) -> None:
    """Refuse an assumed value the metric cannot take (accuracy=2 printed "pass nan")."""
    for key, value in assume.items():
        gate_id, _, name = key.rpartition(":")
        metric, _, what = name.partition(".")
        for spec in specs:
            if gate_id and spec.id != gate_id:
                continue
            m = tables[spec.id].get(metric)
            if m is None:
                continue
            lo, hi = m.lower, m.upper
            span = hi - lo if lo is not None and hi is not None else None
            ranges = {"": (lo, hi), "delta": (-span, span) if span else (None, None),
                      "discordance": (0.0, 1.0), "sd": (0.0, span / 2 if span else None),
                      "base": (lo, hi)}
            if what not in ranges:
                raise ConfigError(f"--assume {key}: unknown key {what!r}", where="--assume",
                                  hint="METRIC=V, METRIC.delta=V, METRIC.discordance=V, METRIC.base=V, "
                                       "METRIC.sd=V")
            low, high = ranges[what]
            if (low is not None and value < low) or (high is not None and value > high) \
                    or (what == "sd" and value <= 0):
                shown = f"{'(' if what == 'sd' else '['}{_g(low, '-inf')}, {_g(high, 'inf')}]"
                raise ConfigError(f"{key}={value:g} is outside what {name} can be {shown}",
                                  where="--assume", hint=f"{metric} is a {m.kind} in "
                                  f"[{_g(lo, '-inf')}, {_g(hi, 'inf')}]")


def _g(value: float | None, default: str) -> str:
    return default if value is None else f"{value:g}"


def plan_gate(spec: GateSpec, n: int | dict | None, table: Mapping[str, Metric],
              assume: Mapping[str, float]) -> dict:
    def n_of(metric: str) -> int | None:
        return n.get(metric) if isinstance(n, dict) else n

    entry: dict[str, Any] = {"id": spec.id, "type": spec.type, "severity": spec.severity,
                             "n": n, "threshold": None, "comparison": None}
    if spec.threshold is not None:
        entry["threshold"] = _plan_threshold(spec.id, spec.threshold, n_of(spec.threshold.metric),
                                             table, assume)
    if spec.vs_baseline is not None:
        default = spec.threshold.metric if spec.threshold else ""
        name = spec.vs_baseline.metric or default
        entry["comparison"] = _plan_comparison(spec.id, spec.vs_baseline, default, n_of(name),
                                               table, assume)
    parts = [p for p in (entry["threshold"], entry["comparison"]) if p]
    probs = [p.get("pass_probability") for p in parts]
    entry["pass_probability"] = math.prod(probs) if probs and None not in probs else None
    # sized: a statistical gate on a known number of items (census and checks are not)
    entry["sized"] = any(p.get("min_detectable") is not None or p.get("never_passes") for p in parts)
    entry["never_passes"] = any(p.get("never_passes") for p in parts)
    return entry


def _metric(table: Mapping[str, Metric], name: str) -> Metric:
    return table.get(name) or Metric(name)


def _span(metric: Metric) -> float | None:
    if metric.lower is None or metric.upper is None:
        return None
    return metric.upper - metric.lower


def _plan_threshold(gate_id: str, t: Threshold, n: int | None, table, assume) -> dict:
    from gatekeeper.verdict.bounds import CONFIDENCE, MIN_N_SCORES
    from gatekeeper.verdict.judge import bound_label, judged_on

    metric = _metric(table, t.metric)
    evidence = judged_on(t, metric)
    sides = [(side, float(v)) for side, v in (("min", t.min), ("max", t.max)) if v is not None]
    side = sides[0][0] if len(sides) == 1 else "both"
    limit = sides[0][1]
    out = {"metric": t.metric, "limit": limit, "side": side, "bound": bound_label(t, evidence),
           "evidence": evidence, "kind": metric.kind, "sampling": metric.sampling}
    if len(sides) == 2:
        out["upper_limit"] = sides[1][1]
    if evidence == "census":
        return {**out, "note": "a census, compared exactly: nothing to size"}
    point = evidence == "point"
    extra: dict[str, Any] = dict(upper_limit=sides[1][1]) if len(sides) == 2 else {}
    alpha = 0.5 if point else 1 - CONFIDENCE
    if metric.kind == "rate":
        design = power.Design("rate", limit, side, alpha, point=point, **extra)
    else:
        span = _span(metric)
        sd = assume.get(f"{t.metric}.sd", span / 2 if span else None)
        if sd is None:
            return {**out, "note": f"a value without a range: --assume {t.metric}.sd=NUMBER sizes it"}
        design = power.Design("mean", limit, side, alpha, sd=sd, lower=metric.lower,
                              upper=metric.upper, point=point,
                              method="betting" if metric.bounded else "normal",
                              min_n=0 if point or metric.bounded else MIN_N_SCORES, **extra)
    best = _best(design, metric)
    return {**out, **_power_at(design, n, _assumed(assume, gate_id, t.metric), best)}


def _plan_comparison(gate_id: str, c: Comparison, default: str, n: int | None, table,
                     assume) -> dict:
    name = c.metric or default
    metric = _metric(table, name)
    boundary = -c.max_drop if c.max_drop is not None else float(c.min_gain or 0.0)
    out = {"metric": name, "kind": "non_inferiority" if c.max_drop is not None else "superiority",
           "boundary": boundary, "alpha": c.alpha}
    span = _span(metric)
    if metric.kind == "rate":
        disc, why = _discordance(gate_id, name, metric, assume)
        design = power.Design("paired_rate", boundary, "min", c.alpha, discordance=disc,
                              lower=-1.0, upper=1.0)
        out["discordance"], out["discordance_from"] = disc, why
    else:
        sd = assume.get(f"{name}.sd", span / 2 if span else None)
        if sd is None:
            return {**out, "note": f"a value without a range: --assume {name}.sd=NUMBER sizes it"}
        design = power.Design("paired_mean", boundary, "min", c.alpha, sd=sd,
                              lower=-span if span else None, upper=span,
                              method="betting" if span else "normal")
    best = (1.0, replace(design, discordance=1.0)) if metric.kind == "rate" else \
        (span, replace(design, sd=1e-9)) if span else None
    return {**out, **_power_at(design, n, _assumed(assume, gate_id, f"{name}.delta"), best)}


def _discordance(gate_id: str, name: str, metric: Metric, assume) -> tuple[float, str]:
    """The share of items where the two models disagree, and where it came from.

    ``METRIC.discordance=`` as given; else from ``METRIC.base=`` (the baseline's true rate p)
    and the assumed delta (0 when none): the candidate's rate q is p + delta (p - delta when
    lower is better) and, the two models' outcomes independent given their rates, the
    discordance is p(1 - q) + q(1 - p). Equal models at a base rate of 2% disagree on 4% of
    the items, not the 20% default: near 0 or 1 the default under-states the power."""
    given = _assumed(assume, gate_id, f"{name}.discordance")
    if given is not None:
        return given, "assumed"
    base = _assumed(assume, gate_id, f"{name}.base")
    if base is None:
        return DEFAULT_DISCORDANCE, "default"
    delta = _assumed(assume, gate_id, f"{name}.delta") or 0.0
    q = base + delta if metric.higher_is_better else base - delta
    if not -1e-12 <= q <= 1 + 1e-12:
        raise ConfigError(f"{name}.base={base:g} with {name}.delta={delta:g} puts the candidate's "
                          f"rate at {q:g}, outside [0, 1]", where="--assume",
                          hint=f"the candidate's rate is base {'+' if metric.higher_is_better else '-'}"
                               f" delta ({metric.direction}); pick values that keep it in [0, 1]")
    q = min(max(q, 0.0), 1.0)
    return base * (1 - q) + q * (1 - base), f"base rate {base:g}, independent outcomes"


def _best(design: power.Design, metric: Metric):
    """The best value the metric can take for this threshold, and the design there (a
    bounded mean at its best has no spread); None when the metric has no range."""
    if metric.lower is None or metric.upper is None:
        return None
    if design.side == "both":  # the middle of the two limits
        best = (design.limit + float(design.upper_limit)) / 2  # type: ignore[arg-type]
    else:
        best = float(metric.upper if design.side == "min" else metric.lower)
    return best, (design if design.kind == "rate" or design.side == "both"
                  else replace(design, sd=1e-9))


def _assumed(assume: Mapping[str, float], gate_id: str, key: str) -> float | None:
    """``GATE_ID:KEY`` for one gate wins over ``KEY`` for every gate with that metric."""
    return assume.get(f"{gate_id}:{key}", assume.get(key))


def _power_at(design: power.Design, n: int | None, true: float | None, best=None) -> dict:
    out: dict[str, Any] = {"min_detectable": None, "assumed": true, "pass_probability": None,
                           "required_n": None, "note": None, "best": None, "never_passes": False}
    if n and best is not None and not design.point:
        value, at_best = best
        p_best = float(power.pass_probability(at_best, n, value))
        need = power.required_n(at_best, value)
        out["best"] = {"value": value, "pass_probability": round(p_best, 4), "required_n": need}
        out["never_passes"] = p_best < NEVER
    if n and not out["never_passes"]:
        mdv = power.min_detectable(design, n)
        if mdv is not None and float(power.pass_probability(design, n, mdv)) >= power.POWER - 0.01:
            out["min_detectable"] = mdv  # (a two-sided gate: its lower 80% point)
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
    """The blocking gates at once: evidence behind each (verdict/family.py: per-gate alpha,
    the release-level intersection-union bound and what it leaves out), P(every sized one
    passes) at the assumed values and the expected number that do not, 0.8^k at their 80%
    points, and the gates that cannot pass at their n whatever the candidate does."""
    from gatekeeper.verdict import family as fw

    entries = [{"id": g.get("id"), "type": g.get("type"), "severity": g["severity"],
                "threshold": g.get("threshold") and {"evidence": g["threshold"].get("evidence")},
                "comparison": g.get("comparison") and {"alpha": g["comparison"].get("alpha")},
                "pass_probability": g["pass_probability"]} for g in gates]
    picture = fw.picture(entries)
    blocking = [g for g in gates if g["severity"] == "block"]
    sized = [g for g in blocking if g.get("sized")]
    probs = [g["pass_probability"] for g in sized if g["pass_probability"] is not None]
    all_pass = math.prod(probs) if probs else None
    never = [g["id"] for g in blocking if g.get("never_passes")]
    return {"blocking": len(blocking), "sized": len(sized), "assumed": len(probs),
            "all_pass_probability": all_pass, "expected_not_pass": sum(1 - p for p in probs),
            "at_80_percent_points": power.POWER ** len(sized) if sized and not never else
            (0.0 if never else None),
            "never_passes": never, "underpowered": bool(never) or (all_pass is not None
                                                                  and all_pass < UNDERPOWERED),
            "release_alpha": picture["release_alpha"], "no_evidence": picture["no_evidence"],
            "by_evidence": picture["by_evidence"], "lines": fw.lines({**picture,
                                                                       "all_pass_probability": None})}


def render_plan(plan: Mapping) -> str:
    """The plan as a few lines per gate, then the family-wise picture."""
    lines = [f"plan for {plan['bundle']['name']} {plan['bundle']['version']}"]
    for g in plan["gates"]:
        unsized = g["n"] is None and all(p is None or p.get("evidence") in ("census", "point")
                                         for p in (g["threshold"], g["comparison"]))
        lines.append(f"{g['id']} ({g['severity']})" if unsized else
                     f"{g['id']} ({g['severity']}, {_size(g['n'])})")
        for label, part in (("threshold", g["threshold"]), ("vs_baseline", g["comparison"])):
            if part:
                lines.append(f"  {label}: {_part_line(part)}")
                if part.get("never_passes"):
                    lines.append(f"  warning: {_never_line(part, g['n'])}")
    f = plan["family"]
    if f["all_pass_probability"] is not None:
        lines.append(f"{f['assumed']} blocking gate(s) with assumed values all pass with probability "
                     f"{f['all_pass_probability']:.2f}; expected not-pass: {f['expected_not_pass']:.2f}")
    if f["never_passes"]:
        lines.append(f"{len(f['never_passes'])} blocking gate(s) cannot pass at their n whatever "
                     f"the candidate does ({', '.join(f['never_passes'])}): no release can pass; "
                     "add items or relax the limit")
    elif f["at_80_percent_points"] is not None:
        lines.append(f"at their 80% points, all {f['sized']} sized blocking gate(s) pass with "
                     f"probability {f['at_80_percent_points']:.2f}")
    lines += f["lines"]
    if f["underpowered"] and not f["never_passes"]:
        lines.append("warning: the bundle is under-powered: truly fine candidates fail it "
                     "more than 20% of the time; add items or relax the gates")
    return "\n".join(lines)


def _size(n) -> str:
    if isinstance(n, dict):
        return ", ".join(f"n={v} for {k}" for k, v in n.items())
    return f"n={n}" if n is not None else "n unknown: it reads its own data"


def _never_line(p: Mapping, n) -> str:
    best = p["best"]
    need = best.get("required_n")
    what = f"delta {best['value']:g}" if "boundary" in p else f"{best['value']:g}"
    size = n.get(p["metric"]) if isinstance(n, dict) else n
    return (f"cannot pass at n={size} even at the best possible true value ({what}): pass "
            f"probability {best['pass_probability']:.2f}"
            + (f"; needs n >= {need:,}" if need else ""))


def _part_line(p: Mapping) -> str:
    what = p.get("limit", p.get("boundary"))
    if "upper_limit" in p:
        text = f"{p['metric']} {p.get('bound')} [{what:g}, {p['upper_limit']:g}]"
    else:
        text = f"{p['metric']} {p.get('bound') or p.get('kind')} {what:g}"
    if p.get("evidence") == "point":
        text += " (point, no evidence required)"
    if p.get("discordance") is not None:
        text += f" (models disagree on {p['discordance']:.3g} of items: {p.get('discordance_from')})"
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
