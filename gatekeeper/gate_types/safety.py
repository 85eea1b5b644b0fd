"""safety: refusal of harmful prompts and over-refusal of benign look-alikes, vs the baseline.

Prompts come from XSTest / AdvBench / HarmBench CSVs or plain JSONL (``data``). Each
response is classified as a refusal by the transparent pattern classifier
(gatekeeper/safety/refusal.py) or, with ``judge``, by a local model given by path.
"""

from __future__ import annotations

from pathlib import Path

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.measurement import Measurement
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type
from gatekeeper.safety.loaders import load_prompts
from gatekeeper.safety.measure import safety_measurement, subset
from gatekeeper.safety.refusal import classify


def _check(params: dict, golden) -> None:
    if not params.get("data"):
        raise ConfigError("the safety gate needs params.data: a prompt file",
                          hint="XSTest/AdvBench/HarmBench CSV or JSONL, e.g. "
                               "../golden_sets/safety/prompts.jsonl")
    for name in ("limit", "max_new_tokens"):
        value = params.get(name)
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ConfigError(f"{name} must be a positive integer, found {value!r}")
    load_prompts(params["data"])
    if params.get("judge"):
        from gatekeeper.safety.judge import judge_kind

        judge_kind(params["judge"])


@gate_type(
    metrics=(Metric("refusal_rate", higher_is_better=True, kind="rate",
                    description="share of harmful prompts refused"),
             Metric("over_refusal_rate", higher_is_better=False, kind="rate",
                    description="share of benign prompts refused")),
    path_params={"data": "eval", "judge": "model"}, positive=("max_new_tokens",), check=_check)
def safety(ctx, *, data: str, max_new_tokens: int = 48, limit: int | None = None,
           judge: str | None = None) -> Measurement:
    """Refusal rate on harmful prompts and over-refusal rate on benign look-alikes."""
    prompts = subset(load_prompts(data), limit)
    texts = [p.prompt for p in prompts]
    cand_out = ctx.candidate.generate(texts, max_new_tokens=max_new_tokens, desc=f"{ctx.spec.id} candidate")
    base_out = ctx.baseline.generate(texts, max_new_tokens=max_new_tokens, desc=f"{ctx.spec.id} baseline")
    if judge:
        from gatekeeper.safety.judge import LocalJudge

        local = LocalJudge(Path(judge))
        cand, base = local.classify(texts, cand_out), local.classify(texts, base_out)
        classifier = f"judge: {Path(judge).name}"
    else:
        # the prompt lets the detector weigh whether the answer delivers what was asked
        cand = [classify(o, t) for o, t in zip(cand_out, texts, strict=True)]
        base = [classify(o, t) for o, t in zip(base_out, texts, strict=True)]
        classifier = "patterns"
    return safety_measurement(prompts, cand_out, base_out, cand, base, classifier, Path(data).name)


WHO = ("baseline", "candidate")


def report_view(details: dict, gate: dict) -> dict:
    """Everything the fragment draws, with every key present whatever the measurement held:
    a rule that fired for one model only (or none, or all), a category one model never
    refused, a report.json of details version 1 (no per-item verdicts: the items' detail
    strings stand in). The template looks nothing up that this did not put there."""
    from gatekeeper.report.fmt import clean

    conf = _mapping(details.get("confusion"))
    counts = []
    for who in WHO:
        t = _mapping(conf.get(who))
        counts.append({"who": who, **{k.replace("/", "_"): _int(t.get(k)) for k in
                                      ("harmful/refused", "harmful/answered", "benign/refused",
                                       "benign/answered")}})
    return {"prompts": f"{_int(details.get('harmful'))} harmful, {_int(details.get('benign'))} "
                       f"benign look-alikes, from {clean(details.get('source')) or 'unknown'}",
            "classifier": clean(details.get("classifier")) or "unknown",
            "patterns": details.get("classifier") == "patterns",
            "counts": counts, "categories": _categories(details.get("per_category")),
            "rules": _rule_rows(_mapping(details.get("rules"))),
            "per_item": _items(details, gate)}


def _mapping(x) -> dict:
    return dict(x) if isinstance(x, dict) else {}


def _int(x) -> int:
    return int(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0


def _rate(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.0%})" if n else "–"


def _categories(rows) -> list[dict]:
    out = []
    for r in rows if isinstance(rows, list) else []:
        r = _mapping(r)
        h, s = _int(r.get("harmful")), _int(r.get("benign"))
        ref = {w: _int(r.get("refused" if w == "candidate" else "baseline_refused")) for w in WHO}
        over = {w: _int(r.get("over_refused" if w == "candidate" else "baseline_over_refused")) for w in WHO}
        out.append({"category": str(r.get("category") or "other"), "harmful": h, "benign": s,
                    "refused": {w: _rate(ref[w], h) for w in WHO},
                    "over_refused": {w: _rate(over[w], s) for w in WHO},
                    "worse": ref["candidate"] < ref["baseline"] or over["candidate"] > over["baseline"]})
    return out


def _rule_rows(rules: dict) -> list[dict]:
    per = {w: _mapping(rules.get(w)) for w in WHO}
    names = list(dict.fromkeys([*per["baseline"], *per["candidate"]]))
    rows = [{"rule": str(name), **{w: _int(per[w].get(name)) for w in WHO}} for name in names]
    return sorted(rows, key=lambda r: -(r["baseline"] + r["candidate"]))


def _said(v) -> str:
    """'refused: rule "evidence" (reason)' or 'answered', from a verdict record."""
    v = _mapping(v)
    head = "refused" if v.get("refused") else "answered"
    rule = f" by {v['rule']}" if v.get("refused") and v.get("rule") else ""
    evidence = f" “{v['evidence']}”" if v.get("refused") and v.get("evidence") else ""
    reason = f" — {v['reason']}" if v.get("reason") else ""
    return f"{head}{rule}{evidence}{reason}"


def _items(details: dict, gate: dict) -> list[dict]:
    """One row per prompt: its label and category and what each model did, and why."""
    from gatekeeper.report.fmt import clean

    inputs = {str(i.get("id")): i for i in (gate.get("measurement") or {}).get("items") or []
              if isinstance(i, dict)}
    verdicts = details.get("verdicts")
    rows = []
    if isinstance(verdicts, list):
        for v in verdicts:
            v = _mapping(v)
            item = _mapping(inputs.get(str(v.get("id"))))
            harmful = v.get("label") == "harmful"
            said = {w: _mapping(v.get(w)) for w in WHO}
            rows.append({"id": clean(v.get("id")), "category": clean(v.get("category")),
                         "label": "harmful" if harmful else "benign", "prompt": clean(item.get("input")),
                         **{w: clean(_said(said[w])) for w in WHO},
                         "wrong": bool(said["candidate"].get("refused")) != harmful})
        return rows
    for item in inputs.values():  # details version 1: the items' own detail strings
        detail = clean(item.get("detail"))
        rows.append({"id": clean(item.get("id")), "category": detail.split(";", 1)[0],
                     "label": "harmful" if item.get("expected") == "refuse" else "benign",
                     "prompt": clean(item.get("input")), "candidate": detail.split("; ", 1)[-1],
                     "baseline": clean(item.get("baseline_detail")), "wrong": not item.get("passed")})
    return rows
