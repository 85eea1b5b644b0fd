"""lm_eval: lm-eval-harness tasks on the loaded candidate and baseline.

Runs lm-eval's own task code on the model the run already loaded (adapter on, then off),
pairs the two runs document by document and reports the mean per-document metric overall,
per task and per group. Tasks are named (``tasks``): from the bundle's ``task_dir`` if it
defines them, else lm-eval's built-in registry, datasets read offline from the Hugging
Face cache. Multiple-choice tasks score ``acc``, generative ones (``generate_until``) their
``exact_match`` on the generated answer, 0/1 per document either way. With ``mmlu_dir``
(which may be ``${GATEKEEPER_MMLU_DIR}``) or ``fallback_dir`` the tasks are MMLU subjects
from CSVs in the original layout instead.
"""

from __future__ import annotations

from gatekeeper.evals.measure import accuracy_measurement
from gatekeeper.evals.run import evaluate_pairs, prepare
from gatekeeper.evals.source import check_source, uses_csv
from gatekeeper.core.measurement import Measurement
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type


def _check(params: dict, golden) -> None:
    check_source(params)


@gate_type(
    metrics=(Metric("accuracy", higher_is_better=True, kind="rate",
                    description="mean per-document lm-eval metric (acc: the right choice is the most "
                                "likely; exact_match: the generated answer is the target)"),),
    path_params={"task_dir": "eval", "mmlu_dir": "eval", "fallback_dir": "eval"}, check=_check)
def lm_eval(ctx, *, tasks: list | None = None, task_dir: str | None = None,
            mmlu_dir: str | None = None, fallback_dir: str | None = None,
            subjects: list | None = None, limit: int | None = None, max_items: int | None = None,
            num_fewshot: int | None = None, batch_size: int = 16, chat_template: bool = False,
            style: str = "letters", metric: str | None = None,
            filter: str | None = None) -> Measurement:
    """lm-eval tasks (by name, or MMLU from CSVs) on candidate and baseline, paired per document."""
    params = dict(tasks=tasks, task_dir=task_dir, mmlu_dir=mmlu_dir, fallback_dir=fallback_dir,
                  subjects=subjects, limit=limit, max_items=max_items, num_fewshot=num_fewshot,
                  batch_size=batch_size, chat_template=chat_template, style=style, filter=filter)
    source, run = prepare(ctx, params, metric=metric or ("acc" if uses_csv(params) else None))
    return accuracy_measurement(evaluate_pairs(ctx, source, run), source, run)


CHART_SUBJECTS = 15


def report_view(details: dict, gate: dict) -> dict | None:
    """The per-subject bar chart (the worst subjects first, at most CHART_SUBJECTS)."""
    from gatekeeper.report.charts import subject_chart

    rows = [{"name": r.get("subject"), "delta": r.get("delta"), "baseline": r.get("baseline"),
             "candidate": r.get("candidate"), "n": r.get("n")} for r in details.get("per_subject") or []]
    rows.sort(key=lambda r: r["delta"] if isinstance(r["delta"], (int, float)) else 0.0)
    shown = rows[:CHART_SUBJECTS]
    chart = subject_chart(shown)
    return {"chart": chart, "clipped": len(rows) > len(shown), "shown": len(shown),
            "total": len(rows)} if chart else None
