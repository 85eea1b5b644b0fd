"""Paired lm-eval samples -> Measurements (accuracy per subject; calibration)."""

from __future__ import annotations

from typing import Sequence

from gatekeeper.core.errors import MeasurementError
from gatekeeper.evals import calibration
from gatekeeper.evals.harness import HarnessRun, SampleRecord
from gatekeeper.evals.results import PairedSample, by_group, by_subject, most_regressed, paired_delta
from gatekeeper.evals.source import TaskSource
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.verdict.bounds import NO_SIGNAL

PROMPT_CHARS = 600


def accuracy_measurement(pairs: Sequence[PairedSample], source: TaskSource, run: HarnessRun) -> Measurement:
    if not pairs:
        raise MeasurementError("lm-eval evaluated no documents", hint="check limit and subjects")
    cand = [p.candidate.metric for p in pairs]
    base = [p.baseline.metric for p in pairs]
    binary = all(v in (0.0, 1.0) for v in cand + base)
    rows = by_subject(pairs, source.subjects.__getitem__)
    details = {"source": source.description, "settings": _settings(run), "per_subject": rows,
               "most_regressed": most_regressed(rows), "metric": run.metric or "each task's first metric"}
    if source.groups:
        details["groups"] = by_group(pairs, source.groups)
    if binary:
        details["paired"] = paired_delta(pairs)
    silent = no_signal(pairs)
    if silent:
        details[NO_SIGNAL] = silent
    above = chance_view(pairs)
    if above:
        details["chance"] = above
    return Measurement(
        metrics={"accuracy": sum(cand) / len(cand)}, n=len(pairs),
        baseline_metrics={"accuracy": sum(base) / len(base)},
        samples={"accuracy": Samples(tuple(cand), tuple(base), binary=binary)},
        items=tuple(_item(p, source) for p in pairs), details=details)


def no_signal(pairs: Sequence[PairedSample]) -> dict:
    """What makes this multiple-choice measurement blind (``details["no_signal"]``): a model
    that picks the same choice on every item measures its letter bias, not its knowledge
    (both judgments of accuracy); a baseline whose accuracy is not above chance leaves a
    regression nothing to lose (the comparison only: key ``accuracy.comparison``)."""
    out: dict = {}
    picks = {who: {getattr(p, who).predicted for p in pairs} for who in ("candidate", "baseline")}
    constant = {who: next(iter(v)) for who, v in picks.items()
                if len(pairs) > 1 and len(v) == 1 and None not in v}
    if constant:
        letters = {who: chr(ord("A") + int(i)) for who, i in constant.items()}
        if len(letters) == 2 and len(set(letters.values())) == 1:
            text = f"both models chose {letters['candidate']} on every one of {len(pairs)} items"
        else:
            text = "; ".join(f"the {who} chose {letter} on every one of {len(pairs)} items"
                             for who, letter in letters.items())
        out["accuracy"] = text
    sizes = [len(p.baseline.choices) for p in pairs if p.baseline.choices]
    if len(sizes) == len(pairs) and min(sizes) > 1:
        from gatekeeper.verdict.stats import clopper_pearson_lower

        chance = sum(1 / k for k in sizes) / len(sizes)
        right = sum(1 for p in pairs if p.baseline.metric >= 0.5)
        lower = clopper_pearson_lower(right, len(pairs), 0.95)
        if lower <= chance:
            out["accuracy.comparison"] = (f"the baseline's accuracy {right / len(pairs):.3f} is not "
                                          f"above chance ({chance:.3f}): its lower 95% bound is "
                                          f"{lower:.3f}")
    return out


def chance_view(pairs: Sequence[PairedSample]) -> dict | None:
    """Chance accuracy (1 / choices) beside both models' accuracy with 95% Wilson intervals:
    a regression test says something only where the baseline is above chance."""
    from gatekeeper.verdict.stats import wilson_interval

    sizes = [len(p.baseline.choices) for p in pairs if p.baseline.choices]
    if not pairs or len(sizes) != len(pairs) or min(sizes) < 2:
        return None
    out: dict = {"chance": sum(1 / k for k in sizes) / len(sizes)}
    for who in ("candidate", "baseline"):
        right = sum(1 for p in pairs if getattr(p, who).metric >= 0.5)
        out[who] = {"accuracy": right / len(pairs), "interval": list(wilson_interval(right, len(pairs)))}
    return out


def calibration_measurement(pairs: Sequence[PairedSample], source: TaskSource, run: HarnessRun,
                            n_bins: int = calibration.N_BINS) -> Measurement:
    cand, base = _choice_scores([p.candidate for p in pairs]), _choice_scores([p.baseline for p in pairs])
    return scores_measurement(cand, base, {"source": source.description, "settings": _settings(run)}, n_bins)


def scores_measurement(cand: Sequence[calibration.ChoiceScore], base: Sequence[calibration.ChoiceScore],
                       about: dict, n_bins: int = calibration.N_BINS) -> Measurement:
    """ECE, Brier and their per-item samples for paired candidate/baseline choice scores."""
    if not cand:
        raise MeasurementError("no multiple-choice items to calibrate")
    c_sum, b_sum = calibration.summary(cand, n_bins), calibration.summary(base, n_bins)
    details = {**about, "candidate": c_sum, "baseline": b_sum, "bins": n_bins}
    return Measurement(
        metrics={"ece": c_sum["ece"], "brier": c_sum["brier"], "ece_increase": c_sum["ece"] - b_sum["ece"]},
        n=len(cand),
        baseline_metrics={"ece": b_sum["ece"], "brier": b_sum["brier"]},
        samples={"brier": Samples(tuple(s.brier for s in cand), tuple(s.brier for s in base),
                                  binary=False)},
        details=details)


def _choice_scores(samples: Sequence[SampleRecord]) -> list[calibration.ChoiceScore]:
    bad = next((s for s in samples if not s.logliks or s.target_index is None), None)
    if bad is not None:
        raise MeasurementError(f"calibration needs multiple-choice tasks with a known answer; "
                               f"task '{bad.task}' document {bad.doc_id} has none",
                               hint="use output_type: multiple_choice tasks (MMLU is one)")
    return calibration.choice_scores([s.logliks for s in samples], [int(s.target_index or 0) for s in samples])


def _settings(run: HarnessRun) -> dict:
    return {"tasks": len(run.tasks), "num_fewshot": run.num_fewshot, "limit_per_task": run.limit,
            "batch_size": run.batch_size, "chat_template": run.chat_template}


def _item(p: PairedSample, source: TaskSource) -> ItemResult:
    c, b = p.candidate, p.baseline
    return ItemResult(
        id=f"{source.subjects[c.task]}/{c.doc_id}", input=_question(c.prompt),
        expected=_choice(c, c.target_index) or c.target, output=_choice(c, c.predicted) or c.response,
        passed=c.metric >= 0.5, score=c.metric, baseline_output=_choice(b, b.predicted) or b.response,
        baseline_passed=b.metric >= 0.5, baseline_score=b.metric)


def _question(prompt: str) -> str:
    """The document's own question: what follows the description and any few-shot examples."""
    return prompt.rsplit("\n\n", 1)[-1][-PROMPT_CHARS:]


def _choice(s: SampleRecord, index: int | None) -> str | None:
    if index is None or not s.choices:
        return None
    return s.choices[index]
