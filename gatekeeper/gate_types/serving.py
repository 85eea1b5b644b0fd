"""serving: latency, throughput, memory and cost of serving the candidate, against the base.

Three models are measured in the same run, on the same prompts, interleaved request by
request (so load on the machine hits all of them alike): the base alone (freshly loaded),
the candidate unmerged (the shared model, adapter on) and the candidate merged (the
adapter merged into a freshly loaded copy). ``serve`` names which candidate the budgets
apply to. Each repeat measures every model once; headline values are the median over
repeats and the report shows the spread (min..max).

Metrics (of the served candidate; ``baseline_metrics`` hold the base's):
  ttft_p50_ms / ttft_p95_ms   time to first token at batch 1
  tpot_p50_ms / tpot_p95_ms   time per output token after the first, batch 1
  p50_latency_ms / p95_latency_ms   a whole request (``max_new_tokens`` tokens), batch 1
  throughput_tps              tokens/s with continuous batching at ``batch_size``
  peak_memory_mb              weights + the peak working memory of the batched run
  mean_answer_tokens          answer length with EOS honoured (longer answers cost money)
  cost_per_1k                 price_per_hour x machine time of 1,000 requests at batch_size
  slowdown                    request latency / the base's on the same request - 1, with one
                              sample per request and repeat: ``bound: upper95`` makes a
                              spread that straddles the budget inconclusive

Absolute numbers hold for the machine that ran them; ratios to the base are what carry
over. Gates run last (stage 2). Timings are never taken from the engine's result cache; a
whole measurement is reused from the cache store (kind ``serving-measurement``) for the
same candidate, base, engine (device, dtype, backend), serving config and machine (CPU
model, core count, library and gatekeeper versions), and the report states its age;
``check --remeasure`` or ``--no-cache`` times again.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone

from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.core.chat import display, prompt_of
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type

VARIANTS = ("base", "unmerged", "merged")
SERVED = ("merged", "unmerged")
DEFAULT_PROMPTS = (  # ten short requests: with 3 repeats, 30 paired samples for the judge
    "My order has not arrived yet, what can I do?",
    "I was charged twice this month.",
    "How do I reset my password?",
    "The app crashes when I open settings.",
    "Can I change the delivery address of my order?",
    "Please delete my account and my data.",
    "Where can I download last year's invoices?",
    "The website is very slow today.",
    "How do I add a second user to my team?",
    "My discount code is not accepted at checkout.",
)


def _ms(name: str, what: str) -> Metric:
    return Metric(name, higher_is_better=False, kind="value", lower=0, upper=None, unit="ms",
                  description=what)


METRICS = (
    _ms("ttft_p50_ms", "median time to first token at batch 1"),
    _ms("ttft_p95_ms", "95th percentile time to first token at batch 1"),
    _ms("tpot_p50_ms", "median time per output token at batch 1"),
    _ms("tpot_p95_ms", "95th percentile time per output token at batch 1"),
    _ms("p50_latency_ms", "median latency of a whole request at batch 1"),
    _ms("p95_latency_ms", "95th percentile latency of a whole request at batch 1"),
    Metric("throughput_tps", kind="value", lower=0, upper=None, unit="tokens/s",
           description="generated tokens per second with continuous batching at batch_size"),
    Metric("peak_memory_mb", higher_is_better=False, kind="value", lower=0, upper=None, unit="MiB",
           description="weights plus peak working memory of the batched run"),
    Metric("mean_answer_tokens", higher_is_better=False, kind="value", lower=0, upper=None,
           unit="tokens", description="mean answer length with EOS honoured"),
    Metric("cost_per_1k", higher_is_better=False, kind="value", lower=0, upper=None,
           description="price_per_hour x machine time of 1,000 requests at batch_size"),
    Metric("slowdown", higher_is_better=False, kind="value", lower=None, upper=None, sampled=True,
           description="request latency relative to the base on the same request, minus 1"),
)
STORE_KIND, STORE_VERSION = "serving-measurement", 1  # bump when the stored raw timings change
POSITIVE = ("requests", "repeats", "max_new_tokens", "batch_size")


def _check(params: dict, golden) -> None:
    for name in POSITIVE:
        value = params.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ConfigError(f"{name} must be a positive integer, found {value!r}")
    if params.get("serve", "merged") not in SERVED:
        raise ConfigError(f"serve must be one of {', '.join(SERVED)}, found {params.get('serve')!r}",
                          hint="merged: the adapter merged into the weights; unmerged: base + adapter")
    price = params.get("price_per_hour", 1.0)
    if isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0:
        raise ConfigError(f"price_per_hour must be a number >= 0, found {price!r}",
                          hint="the hourly price of the serving machine, in your currency")
    prompts = params.get("prompts")
    if prompts is not None and (not prompts or not all(isinstance(p, str) and p for p in prompts)):
        raise ConfigError("prompts must be a non-empty list of non-empty strings",
                          hint="or leave it out to use the golden set's prompts")
    if params.get("repeats", 3) < 2:
        raise ConfigError("repeats must be at least 2: the spread of repeated measurements is "
                          "part of the result", hint="use repeats: 3 or more")


@gate_type(metrics=METRICS, positive=("max_new_tokens",), check=_check, stage=2)
def serving(ctx, *, prompts: list | None = None, prompt_field: str = "prompt", requests: int = 10,
            repeats: int = 3, max_new_tokens: int = 16, batch_size: int = 8,
            price_per_hour: float = 1.0, serve: str = "merged") -> Measurement:
    """Latency (TTFT, per token, p50/p95), throughput, memory, answer length and cost vs the base."""
    if ctx.models.adapter_dir is None:
        raise MeasurementError("the bundle has no adapter: there is no candidate to serve",
                               hint="set `adapter:` in the manifest, or drop this gate")
    texts = _prompts(ctx, prompts, prompt_field)[:requests]
    # one measurement per run and parameters: several serving gates of one run (a latency
    # budget, a memory budget, a slowdown) share it instead of re-timing
    key = repr(("serving", texts, repeats, max_new_tokens, batch_size))
    raw, at, reused = ctx.models.run_memo(key, lambda: _reuse_or_time(ctx, texts, repeats, max_new_tokens,
                                                                       batch_size))
    return _measurement(raw, texts, price_per_hour, serve, measured=measured_when(at, reused))


def _reuse_or_time(ctx, texts: list, repeats: int, max_new_tokens: int, batch_size: int):
    """``(raw, measured_at, reused)``: a stored measurement of the same candidate, base,
    engine, serving config and machine, or a fresh one (module docstring)."""
    from gatekeeper.core.machine import machine_identity

    parts = {"engine": ctx.models.info(), "machine": machine_identity(),
             "serving": {"prompts": texts, "repeats": repeats, "max_new_tokens": max_new_tokens,
                         "batch_size": batch_size}}
    return ctx.stored(STORE_KIND, parts, lambda: _time(ctx, texts, repeats, max_new_tokens, batch_size),
                      version=STORE_VERSION)


def _time(ctx, texts: list, repeats: int, max_new_tokens: int, batch_size: int) -> dict:
    from gatekeeper.model.serving import measure

    return measure(ctx.models, texts, repeats=repeats, max_new_tokens=max_new_tokens,
                   batch_size=batch_size, log=ctx.log)


def measured_when(at: float, reused: bool, now: float | None = None) -> dict:
    """When the timings were taken: UTC time, age in seconds, and whether they were reused."""
    now = time.time() if now is None else now
    stamp = datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"at": stamp, "age_s": round(max(0.0, now - at), 1) if reused else 0.0, "reused": bool(reused)}


def age_text(seconds: float) -> str:
    """``42 s``, ``5 min``, ``3.2 h``, ``2.0 days``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _prompts(ctx, prompts: list | None, prompt_field: str) -> list:
    if prompts:
        return list(prompts)
    if ctx.golden is not None:
        return [prompt_of(row.data, prompt_field) for row in ctx.golden.rows]
    return list(DEFAULT_PROMPTS)


def _measurement(raw: dict, texts: list, price_per_hour: float, serve: str,
                 measured: dict | None = None) -> Measurement:
    """Headline metrics of the served candidate and the base, spreads and ratios in details."""
    summary = {v: summarise(raw[v], raw["requests"], price_per_hour) for v in VARIANTS}
    slowdowns = [c / b - 1.0 for c, b in zip(raw[serve]["latency_s"], raw["base"]["latency_s"])]
    metrics = {name: spread["median"] for name, spread in summary[serve].items()}
    metrics["slowdown"] = statistics.fmean(slowdowns)
    baseline = {name: spread["median"] for name, spread in summary["base"].items()}
    baseline["slowdown"] = 0.0
    n = len(texts)
    items = tuple(ItemResult(id=f"request{i}", input=display(text),
                             score=statistics.fmean(slowdowns[i::n]),
                             detail=f"latency vs base, mean over {raw['repeats']} repeats")
                  for i, text in enumerate(texts))
    details = {"serve": serve, "price_per_hour": price_per_hour, "requests": n,
               "repeats": raw["repeats"], "max_new_tokens": raw["max_new_tokens"],
               "batch_size": raw["batch_size"], "device": raw["device"], "dtype": raw["dtype"],
               "variants": summary, "ratios": _ratios(summary), "notes": raw.get("notes", [])}
    if measured is not None:
        details["measured"] = measured
    return Measurement(metrics=metrics, baseline_metrics=baseline, n=len(slowdowns), items=items,
                       samples={"slowdown": Samples(tuple(slowdowns), None, binary=False)},
                       details=details)


def summarise(raw: dict, requests: int, price_per_hour: float) -> dict[str, dict[str, float]]:
    """Per metric: median, min and max over repeats (each repeat summarised on its own)."""
    per_repeat: dict[str, list[float]] = {}
    for r in range(len(raw["batch_seconds"])):
        values = _repeat_values(raw, r, requests, price_per_hour)
        for name, value in values.items():
            per_repeat.setdefault(name, []).append(value)
    return {name: {"median": statistics.median(v), "min": min(v), "max": max(v)}
            for name, v in per_repeat.items()}


def _repeat_values(raw: dict, r: int, n: int, price_per_hour: float) -> dict[str, float]:
    ttft = raw["ttft_s"][r * n:(r + 1) * n]
    tpot = raw["tpot_s"][r * n:(r + 1) * n]
    latency = raw["latency_s"][r * n:(r + 1) * n]
    seconds, tokens = raw["batch_seconds"][r], raw["batch_tokens"]
    per_request = seconds / len(tokens)
    return {"ttft_p50_ms": 1e3 * percentile(ttft, 50), "ttft_p95_ms": 1e3 * percentile(ttft, 95),
            "tpot_p50_ms": 1e3 * percentile(tpot, 50), "tpot_p95_ms": 1e3 * percentile(tpot, 95),
            "p50_latency_ms": 1e3 * percentile(latency, 50),
            "p95_latency_ms": 1e3 * percentile(latency, 95),
            "throughput_tps": sum(tokens) / seconds if seconds > 0 else 0.0,
            "peak_memory_mb": raw["peak_bytes"][r] / 2 ** 20,
            "mean_answer_tokens": statistics.fmean(tokens),
            "cost_per_1k": price_per_hour * per_request * 1000 / 3600}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, linear between order statistics (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratios(summary: dict) -> dict[str, dict[str, float | None]]:
    """Candidate / base of each metric's median, for both candidates."""
    ratios = {}
    for variant in ("unmerged", "merged"):
        ratios[variant] = {name: (spread["median"] / summary["base"][name]["median"]
                                  if summary["base"][name]["median"] else None)
                           for name, spread in summary[variant].items()}
    return ratios


def report_view(details: dict, gate: dict) -> dict:
    """Rows of the variants table: label, unit and per-variant median [min..max]."""
    rows = []
    for metric in METRICS[:-1]:
        cells = [details.get("variants", {}).get(v, {}).get(metric.name) for v in VARIANTS]
        ratios = [details.get("ratios", {}).get(v, {}).get(metric.name) for v in ("unmerged", "merged")]
        rows.append({"name": metric.name, "unit": metric.unit, "cells": cells, "ratios": ratios})
    measured = details.get("measured") or {}
    age = None
    if measured.get("reused") and isinstance(measured.get("age_s"), (int, float)):
        age = f"reused from {measured.get('at')} ({age_text(measured['age_s'])} old; --remeasure times again)"
    elif measured:
        age = f"measured in this run ({measured.get('at')})"
    return {"rows": rows, "variants": VARIANTS, "age": age}
