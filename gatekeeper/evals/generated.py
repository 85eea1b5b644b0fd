"""Outputs of a golden set's prompts, shared by the gate types that judge generated text
(task_accuracy, json_validity, assertions): the candidate always, the baseline only when the
gate compares with it (``ctx.compares``)."""

from __future__ import annotations

from gatekeeper.core.measurement import Samples


def generate_outputs(ctx, prompts: list, *, max_new_tokens: int,
                     stop: list | None) -> tuple[list[str], list[str | None]]:
    """(candidate outputs, baseline outputs or Nones), one per prompt, greedy."""
    gen = dict(max_new_tokens=max_new_tokens, stop=tuple(stop or ()))
    outputs = list(ctx.candidate.generate(prompts, desc=f"{ctx.spec.id} candidate", **gen))
    if not ctx.compares:
        return outputs, [None] * len(prompts)
    return outputs, list(ctx.baseline.generate(prompts, desc=f"{ctx.spec.id} baseline", **gen))


def rate(cand: list[bool], base: list[bool] | None) -> tuple[float, float | None, Samples]:
    """(candidate rate, baseline rate or None, paired binary samples) of per-item passes."""
    c = tuple(float(x) for x in cand)
    b = tuple(float(x) for x in base) if base is not None else None
    return sum(c) / len(c), (sum(b) / len(b) if b is not None else None), Samples(c, b, binary=True)
