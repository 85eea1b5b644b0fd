"""Calibration of multiple-choice answers: ECE, Brier score and reliability bins.

Choice probabilities are the softmax of the per-choice log-likelihoods (the model's
distribution restricted to the offered choices). The prediction is the most likely
choice; its probability is the confidence. Pure Python: no numpy needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

N_BINS = 10


@dataclass(frozen=True)
class ChoiceScore:
    """One item: choice probabilities, the right index, and what follows from them."""

    probs: tuple[float, ...]
    target: int

    @property
    def predicted(self) -> int:
        return max(range(len(self.probs)), key=self.probs.__getitem__)

    @property
    def confidence(self) -> float:
        return self.probs[self.predicted]

    @property
    def correct(self) -> bool:
        return self.predicted == self.target

    @property
    def brier(self) -> float:
        """Multi-class Brier score: sum over choices of (p - y)^2, in [0, 2]."""
        return sum((p - (1.0 if k == self.target else 0.0)) ** 2 for k, p in enumerate(self.probs))


def softmax(logliks: Sequence[float]) -> tuple[float, ...]:
    top = max(logliks)
    exps = [math.exp(x - top) for x in logliks]
    total = sum(exps)
    return tuple(e / total for e in exps)


def choice_scores(logliks: Sequence[Sequence[float]], targets: Sequence[int]) -> list[ChoiceScore]:
    return [ChoiceScore(softmax(ll), int(t)) for ll, t in zip(logliks, targets)]


def reliability_bins(scores: Sequence[ChoiceScore], n_bins: int = N_BINS) -> list[dict]:
    """Equal-width confidence bins: count, mean confidence and accuracy in each."""
    bins: list[list[ChoiceScore]] = [[] for _ in range(n_bins)]
    for s in scores:
        bins[min(int(s.confidence * n_bins), n_bins - 1)].append(s)
    out = []
    for k, members in enumerate(bins):
        n = len(members)
        out.append({"lo": k / n_bins, "hi": (k + 1) / n_bins, "n": n,
                    "confidence": sum(s.confidence for s in members) / n if n else None,
                    "accuracy": sum(s.correct for s in members) / n if n else None})
    return out


def expected_calibration_error(scores: Sequence[ChoiceScore], n_bins: int = N_BINS) -> float:
    """ECE: the count-weighted mean gap between confidence and accuracy over the bins."""
    if not scores:
        return float("nan")
    total = len(scores)
    return sum(b["n"] / total * abs(b["accuracy"] - b["confidence"])
               for b in reliability_bins(scores, n_bins) if b["n"])


def summary(scores: Sequence[ChoiceScore], n_bins: int = N_BINS) -> dict:
    """The numbers a report shows for one model."""
    n = len(scores)
    return {"n": n, "ece": expected_calibration_error(scores, n_bins),
            "brier": sum(s.brier for s in scores) / n if n else float("nan"),
            "accuracy": sum(s.correct for s in scores) / n if n else float("nan"),
            "mean_confidence": sum(s.confidence for s in scores) / n if n else float("nan"),
            "bins": reliability_bins(scores, n_bins)}
