"""calibration: expected calibration error and Brier score of multiple-choice answers.

The choice probabilities are the softmax of lm-eval's per-choice log-likelihoods on the
same tasks the ``lm_eval`` gate runs (same parameters, shared cached results), or of a
``golden_set`` in the ``choice`` scorer's layout (prompt, ``choices``, target), for the
candidate and the baseline. A fine-tune that grew over-confident shows as a higher ECE:
gate the increase with ``threshold: {metric: ece_increase, max: 0.05, bound: point}`` (ECE
is not a mean over items, so it is judged on its point value), and the Brier score, a
per-item mean, with a paired ``vs_baseline: {metric: brier, max_drop: ...}``.
"""

from __future__ import annotations

from gatekeeper.core.errors import ConfigError
from gatekeeper.evals.calibration import N_BINS
from gatekeeper.evals.golden_choice import check_golden, golden_scores
from gatekeeper.evals.measure import calibration_measurement, scores_measurement
from gatekeeper.evals.run import evaluate_pairs, prepare
from gatekeeper.evals.source import check_source
from gatekeeper.core.measurement import Measurement
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type


def _check(params: dict, golden) -> None:
    if not 2 <= int(params.get("bins", N_BINS)) <= 50:
        raise ConfigError("bins must be between 2 and 50")
    if golden is not None:
        check_golden(golden, params.get("prompt_field", "prompt"), params.get("target_field", "target"))
        return
    check_source(params)


@gate_type(
    metrics=(Metric("ece", higher_is_better=False, kind="value", lower=0.0, upper=1.0,
                    description="expected calibration error of the chosen answer's probability"),
             Metric("brier", higher_is_better=False, kind="score", lower=0.0, upper=2.0,
                    description="multi-class Brier score of the choice probabilities"),
             Metric("ece_increase", higher_is_better=False, kind="value", lower=-1.0, upper=1.0,
                    description="candidate ECE minus baseline ECE (gate it with threshold max)")),
    path_params={"task_dir": "eval", "mmlu_dir": "eval", "fallback_dir": "eval"}, check=_check)
def calibration(ctx, *, tasks: list | None = None, task_dir: str | None = None,
                mmlu_dir: str | None = None, fallback_dir: str | None = None,
                subjects: list | None = None, limit: int | None = None,
                max_items: int | None = None, num_fewshot: int = 0, batch_size: int = 16,
                chat_template: bool = False, style: str = "letters", bins: int = N_BINS,
                prompt_field: str = "prompt",
                target_field: str = "target") -> Measurement:
    """ECE and Brier score of multiple-choice probabilities (MMLU by default), candidate vs baseline."""
    if ctx.golden is not None:  # a choice-scorer golden set instead of lm-eval tasks
        cand = golden_scores(ctx.candidate, ctx.golden, prompt_field, target_field)
        base = golden_scores(ctx.baseline, ctx.golden, prompt_field, target_field)
        return scores_measurement(cand, base, {"source": {"kind": "golden set", "path": str(ctx.golden.path)}},
                                  n_bins=bins)
    params = dict(tasks=tasks, task_dir=task_dir, mmlu_dir=mmlu_dir, fallback_dir=fallback_dir,
                  subjects=subjects, limit=limit, max_items=max_items, num_fewshot=num_fewshot,
                  batch_size=batch_size, chat_template=chat_template, style=style)
    source, run = prepare(ctx, params)
    return calibration_measurement(evaluate_pairs(ctx, source, run), source, run, n_bins=bins)


PLOT = {"size": 300, "left": 44, "top": 10}


def report_view(details: dict, gate: dict) -> dict | None:
    """Coordinates of the reliability diagram: accuracy against confidence, per bin."""
    size, left, top = PLOT["size"], PLOT["left"], PLOT["top"]

    def x(v: float) -> float:
        return round(left + v * size, 1)

    def y(v: float) -> float:
        return round(top + (1 - v) * size, 1)

    series = []
    for who in ("candidate", "baseline"):
        bins = [b for b in (details.get(who) or {}).get("bins") or [] if b.get("n")]
        pts = [{"x": x(b["confidence"]), "y": y(b["accuracy"]), "n": b["n"],
                "label": f"{who}: confidence {b['confidence']:.2f}, accuracy {b['accuracy']:.2f}, n={b['n']}"}
               for b in bins]
        series.append({"name": who, "points": pts, "line": " ".join(f"{p['x']},{p['y']}" for p in pts)})
    ticks = [{"v": f"{t / 5:.1f}", "x": x(t / 5), "y": y(t / 5)} for t in range(6)]
    return {"width": left + size + 20, "height": top + size + 36, "x0": x(0), "x1": x(1), "y0": y(0),
            "y1": y(1), "ticks": ticks, "series": series}
