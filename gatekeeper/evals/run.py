"""Evaluate a task source on the candidate and the baseline, cached, and pair the samples.

Shared by the ``lm_eval`` and ``calibration`` gate types: both read the same per-sample
results, so the second gate of a run costs nothing.
"""

from __future__ import annotations

from dataclasses import asdict

from gatekeeper.evals import cache
from gatekeeper.evals.harness import HarnessRun, run_harness
from gatekeeper.evals.results import PairedSample, pair_samples
from gatekeeper.evals.source import TaskSource, build_source, uses_csv


def evaluate_pairs(ctx, source: TaskSource, run: HarnessRun) -> list[PairedSample]:
    """Candidate and baseline samples of every task, paired by document."""
    results = {adapter: _evaluate(ctx, source, run, adapter) for adapter in (True, False)}
    return pair_samples(results[True], results[False])


def _evaluate(ctx, source: TaskSource, run: HarnessRun, adapter: bool) -> dict:
    """The stored results (the run's memory with ``--no-cache``), else lm-eval's, stored."""
    settings = {k: v for k, v in asdict(run).items()
                if k not in ("task_dir", "include") and not (k == "filter" and v is None)}
    key = cache.results_key(_model_key(ctx, adapter, run.chat_template), adapter, source.digest,
                            settings)
    found = cache.load(key)
    if found is None:
        who = "candidate" if adapter else "baseline"
        ctx.log(f"lm-eval on the {who}: {len(run.tasks)} task(s), limit {run.limit}")
        with ctx.models.hf_model(adapter=adapter) as model:
            found = run_harness(model, ctx.models.tokenizer, run)
        cache.store(key, found)
    return found


def _model_key(ctx, adapter: bool, chat_template: bool) -> dict:
    info = ctx.models.info()
    key = {k: info.get(k) for k in ("base_fingerprint", "tokenizer_fingerprint", "dtype",
                                     "quantization", "device")}
    key["adapter"] = info.get("adapter_fingerprint") if adapter else "base"
    if chat_template:
        key["chat_template"] = getattr(ctx.models.tokenizer, "chat_template", None)
    return key


def prepare(ctx, params: dict, *, metric: str | None = "acc") -> tuple[TaskSource, HarnessRun]:
    """The task source and the harness settings of a gate's parameters."""
    source = build_source(task_dir=params.get("task_dir"), tasks=params.get("tasks"),
                          mmlu_dir=params.get("mmlu_dir"), fallback_dir=params.get("fallback_dir"),
                          subjects=params.get("subjects"), limit=params.get("limit"),
                          max_items=params.get("max_items"), out_root=cache.tasks_dir(),
                          style=params.get("style") or "letters")
    run = HarnessRun(task_dir=source.task_dir, tasks=source.tasks,
                     num_fewshot=_fewshot(params), limit=source.limit,
                     batch_size=params.get("batch_size", 16),
                     chat_template=bool(params.get("chat_template", False)), metric=metric,
                     seed=ctx.seed, include=source.include, filter=params.get("filter"))
    return source, run


def _fewshot(params: dict) -> int | None:
    """The gate's num_fewshot; unset, 0 for the MMLU CSVs and the task's own default for named tasks."""
    value = params.get("num_fewshot")
    return 0 if value is None and uses_csv(params) else value
