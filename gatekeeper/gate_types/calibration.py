"""calibration: expected calibration error and Brier score of multiple-choice answers.

The choice probabilities are the softmax of lm-eval's per-choice log-likelihoods on the
same tasks the ``lm_eval`` gate runs (same parameters, shared cached results), for the
candidate and the baseline. A fine-tune that grew over-confident shows as a higher ECE.
"""

from __future__ import annotations

from gatekeeper.errors import ConfigError
from gatekeeper.evals.calibration import N_BINS
from gatekeeper.evals.measure import calibration_measurement
from gatekeeper.evals.run import evaluate_pairs, prepare
from gatekeeper.evals.source import check_source
from gatekeeper.measurement import Measurement
from gatekeeper.metrics import Metric
from gatekeeper.registry import gate_type


def _check(params: dict, golden) -> None:
    if not 2 <= int(params.get("bins", N_BINS)) <= 50:
        raise ConfigError("bins must be between 2 and 50")
    check_source(params)


@gate_type(
    metrics=(Metric("ece", higher_is_better=False, kind="value", lower=0.0, upper=1.0,
                    description="expected calibration error of the chosen answer's probability"),
             Metric("brier", higher_is_better=False, kind="score", lower=0.0, upper=2.0,
                    description="multi-class Brier score of the choice probabilities")),
    path_params=("task_dir", "mmlu_dir", "fallback_dir"), check=_check)
def calibration(ctx, *, tasks: list | None = None, task_dir: str | None = None,
                mmlu_dir: str | None = None, fallback_dir: str | None = None,
                subjects: list | None = None, limit: int | None = None,
                max_items: int | None = None, num_fewshot: int = 0, batch_size: int = 16,
                chat_template: bool = False, bins: int = N_BINS) -> Measurement:
    """ECE and Brier score of multiple-choice probabilities (MMLU by default), candidate vs baseline."""
    params = dict(tasks=tasks, task_dir=task_dir, mmlu_dir=mmlu_dir, fallback_dir=fallback_dir,
                  subjects=subjects, limit=limit, max_items=max_items, num_fewshot=num_fewshot,
                  batch_size=batch_size, chat_template=chat_template)
    source, run = prepare(ctx, params)
    return calibration_measurement(evaluate_pairs(ctx, source, run), source, run, n_bins=bins)
