"""Group aggregates as lm-eval computes them: over documents (weight_by_size) or the mean of
the tasks' means."""

from __future__ import annotations

import pytest

from gatekeeper.evals.harness import SampleRecord
from gatekeeper.evals.results import PairedSample, by_group


def _pairs(task: str, cand: list[int], base: list[int]) -> list[PairedSample]:
    return [PairedSample(SampleRecord(task, k, f"{task}{k}", "", float(c)),
                         SampleRecord(task, k, f"{task}{k}", "", float(b)))
            for k, (c, b) in enumerate(zip(cand, base, strict=True))]


def test_groups_aggregate_by_size_or_by_task_mean():
    pairs = _pairs("a", [1, 1, 1, 0], [0, 0, 0, 0]) + _pairs("b", [0], [1])
    tasks = ["a", "b", "missing"]
    sized, plain = by_group(pairs, {"g": {"tasks": tasks, "weight_by_size": True},
                                    "h": {"tasks": tasks, "weight_by_size": False}})
    assert sized["tasks"] == plain["tasks"] == 2 and sized["n"] == 5
    assert sized["candidate"] == pytest.approx(3 / 5) and sized["baseline"] == pytest.approx(1 / 5)
    assert plain["candidate"] == pytest.approx((3 / 4 + 0) / 2) and plain["baseline"] == pytest.approx(0.5)
    assert plain["delta"] == pytest.approx(plain["candidate"] - plain["baseline"])
    assert by_group(pairs, {"empty": {"tasks": ["missing"]}}) == []
