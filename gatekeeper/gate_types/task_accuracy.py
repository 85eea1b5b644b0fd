"""task_accuracy: how often the candidate answers a golden set correctly, paired with the baseline."""

from __future__ import annotations

from collections import Counter, defaultdict

from gatekeeper.core.errors import ConfigError, suggest
from gatekeeper.bundle.golden import require_prompts
from gatekeeper.core.chat import display, prompt_of, target_text
from gatekeeper.bundle.golden import GoldenSet
from gatekeeper.bundle.subset import check_subset, contamination_split, select_rows, split_view
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type
from gatekeeper.evals.generated import generate_outputs
from gatekeeper.core.scoring import (SCORERS, Score, predicted_field, score_exact, score_fuzzy,
                                score_json_field, score_normalized)

MAX_CONFUSION_LABELS = 40


def _check(params: dict, golden: GoldenSet | None) -> None:
    scorer = params.get("scorer", "exact")
    if scorer not in SCORERS:
        close = suggest(scorer, SCORERS)
        raise ConfigError(f"unknown scorer '{scorer}'",
                          hint=(f"did you mean '{close}'? " if close else "") + "scorers: " + ", ".join(SCORERS))
    if scorer == "json_field" and not params.get("field"):
        raise ConfigError("scorer json_field needs params.field (the JSON key to compare)",
                          hint="e.g. params: {scorer: json_field, field: category}")
    if not 0 <= float(params.get("min_ratio", 90.0)) <= 100:
        raise ConfigError("min_ratio must be between 0 and 100 (a rapidfuzz ratio)")
    require_prompts(golden, params.get("prompt_field", "prompt"))
    check_subset(params, golden)
    if golden is None:
        return
    target = params.get("target_field", "target")
    golden.require(target, hint=f"every row needs its expected answer in '{target}'")
    if scorer == "choice":
        for row in golden.rows:
            choices = row.data.get("choices")
            if not isinstance(choices, list) or len(choices) < 2:
                raise ConfigError(f"golden set row '{row.id}' needs a 'choices' list (scorer choice)",
                                  where=golden.path, line=row.line)
            if _choice_index(row.data[target], choices) is None:
                raise ConfigError(f"golden set row '{row.id}': {target} {row.data[target]!r} is "
                                  f"neither an index into its {len(choices)} choices nor one of them",
                                  where=golden.path, line=row.line,
                                  hint="use a 0-based index or the exact text of the right choice")


@gate_type(needs_golden=True, positive=("max_new_tokens",), check=_check, metrics=(
    Metric("accuracy", description="share of golden items answered correctly"),))
def task_accuracy(ctx, *, scorer: str = "exact", field: str | None = None, min_ratio: float = 90.0,
                  max_new_tokens: int = 64, stop: list | None = None, prompt_field: str = "prompt",
                  target_field: str = "target", subset: str = "all", where: dict | None = None,
                  limit: int | None = None, spread: bool = False) -> Measurement:
    """Share of golden items answered correctly (exact, normalized, json_field, fuzzy or choice)."""
    chosen = select_rows(ctx, subset=subset, where=where, limit=limit, spread=spread)
    rows = [r.data for r in chosen.rows]
    prompts = [prompt_of(r, prompt_field) for r in rows]
    expected = [target_text(r[target_field]) for r in rows]
    # The baseline runs only when the gate compares with it (ctx.compares).
    base: list[Score | None] = [None] * len(rows)
    base_outputs: list[str | None] = [None] * len(rows)
    if scorer == "choice":
        cand = _choice(ctx.candidate, prompts, rows, target_field)
        outputs = [s.detail for s in cand]
        if ctx.compares:
            base = list(_choice(ctx.baseline, prompts, rows, target_field))
            base_outputs = [s.detail for s in base if s is not None]
        expected = [str(r["choices"][_choice_index(r[target_field], r["choices"])]) for r in rows]
    else:
        generated, base_outputs = generate_outputs(ctx, prompts, max_new_tokens=max_new_tokens, stop=stop)
        score = _scorer(scorer, field, min_ratio)
        cand = [score(o, e) for o, e in zip(generated, expected)]
        outputs = list[str | None](generated)
        if ctx.compares:
            base = [score(o, e) for o, e in zip(base_outputs, expected)]
    items = tuple(
        ItemResult(id=str(r.get("id", i)), input=display(p), expected=e, output=o, passed=c.passed,
                   score=c.value, detail=c.detail, baseline_output=bo,
                   baseline_passed=b.passed if b else None, baseline_score=b.value if b else None,
                   baseline_detail=b.detail if b else None)
        for i, (r, p, e, o, bo, c, b) in enumerate(zip(rows, prompts, expected, outputs,
                                                      base_outputs, cand, base)))
    details: dict = {"scorer": scorer}
    if chosen.asked:
        details["subset"] = chosen.describe()
    split = contamination_split([s.passed for s in cand], chosen.flags)
    if split is not None:
        details["contamination_split"] = split
    if scorer == "json_field":
        details["confusion"] = _confusion(expected, [o or "" for o in outputs], str(field))
    cand_ok = [float(s.passed) for s in cand]
    base_ok = [float(s.passed) for s in base if s is not None] if ctx.compares else None
    return Measurement(
        metrics={"accuracy": sum(cand_ok) / len(cand_ok)}, n=len(rows),
        baseline_metrics={"accuracy": sum(base_ok) / len(base_ok)} if base_ok is not None else {},
        samples={"accuracy": Samples(tuple(cand_ok), tuple(base_ok) if base_ok is not None else None,
                                       binary=True)},
        items=items, details=details)


def _scorer(name: str, field: str | None, min_ratio: float):
    if name == "exact":
        return score_exact
    if name == "normalized":
        return score_normalized
    if name == "fuzzy":
        return lambda o, e: score_fuzzy(o, e, min_ratio)
    return lambda o, e: score_json_field(o, e, str(field))  # field is required for json_field


def _choice_index(target, choices: list) -> int | None:
    """The right choice's index: ``target`` is a 0-based index or the choice's text."""
    if isinstance(target, int) and not isinstance(target, bool):
        return target if 0 <= target < len(choices) else None
    return choices.index(target) if target in choices else None


def _choice(model, prompts, rows, target_field) -> list[Score]:
    """Multiple choice by log-likelihood: the choice the model finds most likely wins.

    Each choice is scored as the assistant's whole answer (the prompt is chat-rendered up
    to the assistant turn), so no separating space is prepended.
    """
    requests = [(p, str(c)) for p, r in zip(prompts, rows) for c in r["choices"]]
    scores = model.loglik(requests)
    out, pos = [], 0
    for row in rows:
        k = len(row["choices"])
        best = max(range(k), key=lambda j: scores[pos + j])
        pos += k
        ok = best == _choice_index(row[target_field], row["choices"])
        out.append(Score(ok, float(ok), str(row["choices"][best])))
    return out


def _confusion(expected: list[str], outputs: list[str], field: str) -> dict:
    """expected label -> predicted label -> count (omitted when there are too many labels)."""
    from gatekeeper.core.scoring import expected_field

    table: dict = defaultdict(Counter)
    for e, o in zip(expected, outputs):
        table[expected_field(e, field)][predicted_field(o, field)] += 1
    if len(table) > MAX_CONFUSION_LABELS:
        return {}
    return {k: dict(v) for k, v in sorted(table.items())}


def report_view(details: dict, gate: dict, limit: int = 25) -> dict | None:
    """The confusion matrix (json_field scorer), most frequent labels first, and the
    accuracy on clean vs overlapping items (``split``)."""
    confusion = _confusion_view(details, limit)
    split = split_view(details.get("contamination_split"), details.get("subset"))
    if confusion is None and split is None:
        return None
    return {**(confusion or {"columns": [], "rows": [], "clipped": False}), "split": split}


def _confusion_view(details: dict, limit: int) -> dict | None:
    from gatekeeper.report.fmt import clean, is_num, num

    matrix = details.get("confusion")
    if not isinstance(matrix, dict) or not matrix:
        return None
    totals: dict[str, float] = {}
    for row in matrix.values():
        for pred, count in (row or {}).items():
            totals[pred] = totals.get(pred, 0) + (count if is_num(count) else 0)
    labels = list(dict.fromkeys([*matrix.keys(), *sorted(totals, key=lambda k: -totals[k])]))
    columns = labels[:limit]
    rows = []
    for exp in list(matrix)[:limit]:
        row = matrix.get(exp) or {}
        cells = [{"text": num(row.get(c)) if row.get(c) else "", "diag": c == exp,
                  "off": c != exp and bool(row.get(c))} for c in columns]
        rows.append({"label": clean(exp), "cells": cells})
    return {"columns": [clean(c) for c in columns], "rows": rows,
            "clipped": len(labels) > limit or len(matrix) > limit}
