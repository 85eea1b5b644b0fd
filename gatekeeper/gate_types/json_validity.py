"""json_validity: the share of outputs that parse as JSON and satisfy a JSON Schema."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from gatekeeper.bundle.golden import require_prompts
from gatekeeper.core.chat import display, prompt_of
from gatekeeper.bundle.golden import GoldenSet
from gatekeeper.bundle.subset import check_subset, contamination_split, select_rows, split_view
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type
from gatekeeper.bundle.validation import schema_validator
from gatekeeper.evals.generated import generate_outputs


def _validator(schema_path: str):
    """The schema's validator; $refs resolve to local files only (never the network)."""
    return schema_validator(schema_path)


def _check(params: dict, golden: GoldenSet | None) -> None:
    if params.get("schema"):
        _validator(params["schema"])
    require_prompts(golden, params.get("prompt_field", "prompt"))
    check_subset(params, golden)


def judge_output(text: str, validator) -> tuple[bool, bool, str | None]:
    """(parses, valid, reason): the reason names the parse error or the failing schema path."""
    try:
        value = json.loads(text.strip())
    except json.JSONDecodeError as exc:
        return False, False, f"parse error: {exc.msg}"
    except RecursionError:
        return False, False, "parse error: nested too deeply"
    if validator is None:
        return True, True, None
    error = next(iter(sorted(validator.iter_errors(value), key=lambda e: e.path)), None)
    if error is None:
        return True, True, None
    where = "/" + "/".join(map(str, error.absolute_path))
    return True, False, f"schema {error.validator} at {where}: {_message(error)}"


def _message(error) -> str:
    """jsonschema's message, except that a long enum is counted rather than listed."""
    allowed = error.validator_value
    if error.validator == "enum" and isinstance(allowed, list) and len(allowed) > 5:
        return f"{error.instance!r} is not one of the {len(allowed)} allowed values"
    return error.message


def reason_kind(reason: str) -> str:
    """Group reasons for the report's histogram: parse error / schema <keyword> at <path>."""
    return reason.split(":")[0] if reason.startswith(("parse", "schema")) else reason


@gate_type(needs_golden=True, path_params={"schema": "output_schema"}, positive=("max_new_tokens",),
           check=_check, metrics=(
    Metric("valid_rate", description="share of outputs that parse as JSON and satisfy the schema"),
    Metric("parse_rate", description="share of outputs that parse as JSON")))
def json_validity(ctx, *, schema: str | None = None, max_new_tokens: int = 64,
                  stop: list | None = None, prompt_field: str = "prompt", subset: str = "all",
                  where: dict | None = None, limit: int | None = None,
                  spread: bool = False) -> Measurement:
    """Share of outputs that are valid JSON (and valid against `schema` when given)."""
    validator = _validator(schema) if schema else None
    chosen = select_rows(ctx, subset=subset, where=where, limit=limit, spread=spread)
    rows = [r.data for r in chosen.rows]
    prompts = [prompt_of(r, prompt_field) for r in rows]
    outputs, base_outputs = generate_outputs(ctx, prompts, max_new_tokens=max_new_tokens, stop=stop)
    cand = [judge_output(o, validator) for o in outputs]
    n = len(rows)
    base: list[tuple | None] = [judge_output(o or "", validator) if ctx.compares else None
                                for o in base_outputs]
    items = tuple(
        ItemResult(id=str(r.get("id", i)), input=display(p), expected=None, output=o,
                   passed=c[1], detail=c[2], baseline_output=bo,
                   baseline_passed=b[1] if b else None, baseline_detail=b[2] if b else None)
        for i, (r, p, o, bo, c, b) in enumerate(zip(rows, prompts, outputs, base_outputs, cand, base)))
    valid = tuple(float(c[1]) for c in cand)
    parsed = tuple(float(c[0]) for c in cand)
    details = {"failure_reasons": dict(Counter(reason_kind(c[2]) for c in cand if c[2]).most_common()),
               "schema": Path(schema).name if schema else None}
    if chosen.asked:
        details["subset"] = chosen.describe()
    split = contamination_split([c[1] for c in cand], chosen.flags)
    if split is not None:
        details["contamination_split"] = split
    if not ctx.compares:
        return Measurement(
            metrics={"valid_rate": sum(valid) / n, "parse_rate": sum(parsed) / n}, n=n,
            samples={"valid_rate": Samples(valid, binary=True), "parse_rate": Samples(parsed, binary=True)},
            items=items, details=details)
    judged = [b for b in base if b is not None]
    base_valid = tuple(float(b[1]) for b in judged)
    base_parsed = tuple(float(b[0]) for b in judged)
    details["baseline_failure_reasons"] = dict(Counter(reason_kind(b[2]) for b in judged if b[2]).most_common())
    return Measurement(
        metrics={"valid_rate": sum(valid) / n, "parse_rate": sum(parsed) / n}, n=n,
        baseline_metrics={"valid_rate": sum(base_valid) / n, "parse_rate": sum(base_parsed) / n},
        samples={"valid_rate": Samples(valid, base_valid, binary=True),
                 "parse_rate": Samples(parsed, base_parsed, binary=True)},
        items=items, details=details)


def report_view(details: dict, gate: dict) -> dict:
    """(title, bars) for the candidate's and the baseline's failure reasons; the valid rate
    on clean vs overlapping items (``split``)."""
    from gatekeeper.report.fmt import reason_bars

    return {"bars": reason_bars(details, (("failure_reasons", "Why items failed (candidate)"),
                                          ("baseline_failure_reasons", "Why items failed (baseline)"))),
            "split": split_view(details.get("contamination_split"), details.get("subset"))}
