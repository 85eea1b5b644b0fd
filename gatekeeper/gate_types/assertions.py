"""assertions: the share of outputs that pass every per-output assertion (contains,
not_contains, regex, equals, json_path, max_length, min_length; gatekeeper/core/assertions.py).

Gate-wide assertions (``params.assertions``) apply to every item; a golden row may add its
own in the field ``params.item_field`` (default ``assertions``). An item passes when all of
its assertions hold; each failing one is named, with why, in the item's detail.
"""

from __future__ import annotations

from collections import Counter

from gatekeeper.bundle.golden import GoldenSet, require_prompts
from gatekeeper.bundle.subset import check_subset, contamination_split, select_rows, split_view
from gatekeeper.core.assertions import Assertion, check_all, parse_assertions
from gatekeeper.core.chat import display, prompt_of
from gatekeeper.core.errors import ConfigError
from gatekeeper.core.gatetype import gate_type
from gatekeeper.core.measurement import ItemResult, Measurement
from gatekeeper.core.metrics import Metric
from gatekeeper.evals.generated import generate_outputs, rate

MAX_FAILED_SHOWN = 30


def _per_item(params: dict, golden: GoldenSet) -> list[tuple[Assertion, ...]]:
    """Each row's assertions: the gate's, then the row's own (ConfigError names the row)."""
    common = parse_assertions(params.get("assertions"), "params.assertions")
    field = params.get("item_field", "assertions")
    out = []
    for row in golden.rows:
        try:
            own = parse_assertions(row.data.get(field), f"'{field}'")
        except ConfigError as exc:
            raise ConfigError(f"golden set row '{row.id}': {exc.message}", where=golden.path,
                              line=row.line, hint=exc.hint) from None
        if not common and not own:
            raise ConfigError(f"golden set row '{row.id}' has no assertions (nor has the gate)",
                              where=golden.path, line=row.line,
                              hint=f"add params.assertions to the gate, or an '{field}' list to every row")
        out.append(common + own)
    return out


def _check(params: dict, golden: GoldenSet | None) -> None:
    parse_assertions(params.get("assertions"), "params.assertions")
    if not isinstance(params.get("item_field", "assertions"), str):
        raise ConfigError("params.item_field must be the name of a golden-set field")
    require_prompts(golden, params.get("prompt_field", "prompt"))
    check_subset(params, golden)
    if golden is not None:
        _per_item(params, golden)


@gate_type(needs_golden=True, positive=("max_new_tokens",), check=_check, metrics=(
    Metric("pass_rate", description="share of outputs that pass all their assertions"),))
def assertions(ctx, *, assertions: list | None = None, item_field: str = "assertions",
               max_new_tokens: int = 64, stop: list | None = None,
               prompt_field: str = "prompt", subset: str = "all", where: dict | None = None,
               limit: int | None = None, spread: bool = False) -> Measurement:
    """Share of outputs passing every assertion of the gate and of their own row."""
    params = {"assertions": assertions, "item_field": item_field}
    by_line = dict(zip((r.line for r in ctx.golden.rows), _per_item(params, ctx.golden)))
    chosen = select_rows(ctx, subset=subset, where=where, limit=limit, spread=spread)
    checks = [by_line[r.line] for r in chosen.rows]
    rows = [r.data for r in chosen.rows]
    prompts = [prompt_of(r, prompt_field) for r in rows]
    outputs, base_outputs = generate_outputs(ctx, prompts, max_new_tokens=max_new_tokens, stop=stop)
    cand = [check_all(a, o) for a, o in zip(checks, outputs, strict=True)]
    base = [check_all(a, o or "") if ctx.compares else None
            for a, o in zip(checks, base_outputs, strict=True)]
    items = tuple(
        ItemResult(id=str(r.get("id", i)), input=display(p), expected=None, output=o,
                   passed=not c, detail="; ".join(c) or None, baseline_output=bo,
                   baseline_passed=(not b) if b is not None else None,
                   baseline_detail=("; ".join(b) or None) if b is not None else None)
        for i, (r, p, o, bo, c, b) in enumerate(zip(rows, prompts, outputs, base_outputs, cand, base,
                                                    strict=True)))
    value, base_value, samples = rate([not c for c in cand], [not b for b in base] if ctx.compares else None)
    details = {"assertions": len(checks[0]) if checks else 0,
               "failure_reasons": _histogram(cand),
               "failed": [{"id": it.id, "reasons": it.detail} for it in items if not it.passed][:MAX_FAILED_SHOWN]}
    if ctx.compares:
        details["baseline_failure_reasons"] = _histogram([b or [] for b in base])
    if chosen.asked:
        details["subset"] = chosen.describe()
    split = contamination_split([not c for c in cand], chosen.flags)
    if split is not None:
        details["contamination_split"] = split
    return Measurement(metrics={"pass_rate": value}, n=len(rows),
                       baseline_metrics={"pass_rate": base_value} if base_value is not None else {},
                       samples={"pass_rate": samples}, items=items, details=details)


def _histogram(reasons: list[list[str]]) -> dict:
    """assertion label -> how many items it failed."""
    return dict(Counter(r.split(": ", 1)[0] for rs in reasons for r in rs).most_common())


def report_view(details: dict, gate: dict) -> dict:
    """Bars of which assertions failed (candidate, baseline) and the failing items' reasons."""
    from gatekeeper.report.fmt import clean, reason_bars

    failed = [{"id": clean(f.get("id")), "reasons": clean(f.get("reasons"))}
              for f in details.get("failed") or [] if isinstance(f, dict)]
    return {"bars": reason_bars(details, (("failure_reasons", "Which assertions failed (candidate)"),
                                          ("baseline_failure_reasons", "Which assertions failed (baseline)"))),
            "failed": failed,
            "split": split_view(details.get("contamination_split"), details.get("subset"))}
