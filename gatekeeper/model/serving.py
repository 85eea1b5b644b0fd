"""Time the base, the unmerged and the merged candidate side by side (imports torch).

The measuring half of the ``serving`` gate type (gatekeeper/gate_types/serving.py), on a
model access (``ctx.models``). Requests are interleaved: for every prompt of every repeat
the three models answer one after another, in an order that rotates, so a burst of load
on the machine, or a warm cache left by the previous model, favours none of them.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

VARIANTS = ("base", "unmerged", "merged")
CPU_MEMORY_NOTE = ("peak memory on CPU: weights plus the growth of the process's peak resident "
                   "set during the batched run (the interpreter and libraries are not counted)")


def rotation(step: int) -> tuple[str, ...]:
    """The three models in an order that moves on by one each step."""
    k = step % len(VARIANTS)
    return VARIANTS[k:] + VARIANTS[:k]


def measure(models, texts: list, *, repeats: int, max_new_tokens: int, batch_size: int,
            log: Callable[[str], None] = lambda message: None) -> dict:
    """Raw timings per model: per request (ttft_s, tpot_s, latency_s), per repeat (batch)."""
    from gatekeeper.model.prompts import encode_prompt, render
    from gatekeeper.model.timing import time_request

    tokenizer = models.tokenizer
    ids = [encode_prompt(tokenizer, render(tokenizer, text, True), True) for text in texts]
    raw: dict = {v: {"ttft_s": [], "tpot_s": [], "latency_s": [], "batch_seconds": [],
                     "batch_tokens": [], "peak_bytes": []} for v in VARIANTS}
    with _three_models(models, log) as (variants, weights):
        for variant in VARIANTS:  # first calls allocate and initialise: keep them out
            time_request(variants[variant], ids[0], 2)
        for r in range(repeats):
            log(f"timing repeat {r + 1}/{repeats}: {len(ids)} requests at batch 1, then batch {batch_size}")
            for i, row in enumerate(ids):
                for variant in rotation(r * len(ids) + i):
                    timing = time_request(variants[variant], row, max_new_tokens)
                    raw[variant]["ttft_s"].append(timing.ttft_s)
                    raw[variant]["tpot_s"].append(timing.tpot_s)
                    raw[variant]["latency_s"].append(timing.total_s)
            _time_batches(raw, variants, weights, tokenizer, ids, r, batch_size, max_new_tokens)
        device, dtype = str(next(iter(variants.values())).device), models.dtype
    notes = ["base: a freshly loaded copy of the base model, served alone",
             "merged: the adapter merged into a freshly loaded copy of the base"]
    if not device.startswith("cuda"):
        notes.append(CPU_MEMORY_NOTE)
    return {**raw, "requests": len(ids), "repeats": repeats, "max_new_tokens": max_new_tokens,
            "batch_size": batch_size, "device": device, "dtype": dtype, "notes": notes}


def _time_batches(raw: dict, variants: dict, weights: dict, tokenizer, ids, r: int,
                  batch_size: int, max_new_tokens: int) -> None:
    from gatekeeper.model.timing import time_batch

    for variant in rotation(r):
        timing = time_batch(variants[variant], tokenizer, ids, batch_size=batch_size,
                            max_new_tokens=max_new_tokens)
        raw[variant]["batch_seconds"].append(timing.seconds)
        raw[variant]["batch_tokens"] = list(timing.tokens)
        raw[variant]["peak_bytes"].append(weights[variant] + (timing.peak_bytes or 0))


@contextlib.contextmanager
def _three_models(models, log: Callable[[str], None]) -> Iterator[tuple[dict, dict]]:
    """{variant: model} and {variant: weight bytes}; the fresh copies are freed afterwards."""
    from gatekeeper.model.merge import dequantized_merge, merge_peft
    from gatekeeper.model.timing import weight_bytes

    log("loading a fresh base and building the merged model")
    base = models.load_fresh(adapter=False)
    if models.quantization == "nf4":
        merged = dequantized_merge(models.load_fresh(adapter=False), models.adapter_dir)
    else:
        merged = merge_peft(models.load_fresh(adapter=True))
    try:
        with models.hf_model(adapter=True) as unmerged:
            variants = {"base": base, "unmerged": unmerged, "merged": merged}
            yield variants, {name: weight_bytes(model) for name, model in variants.items()}
    finally:
        del base, merged
