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
        cand, base = [classify(o) for o in cand_out], [classify(o) for o in base_out]
        classifier = "patterns"
    return safety_measurement(prompts, cand_out, base_out, cand, base, classifier, Path(data).name)
