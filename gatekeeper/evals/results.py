"""Pair candidate and baseline samples by document and summarise them per subject.

Pairing is by ``(task, doc_hash)`` from lm-eval's sample log (not by position): the two
runs may order documents differently, and a paired test on misaligned items is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from gatekeeper.core.errors import MeasurementError
from gatekeeper.evals.harness import SampleRecord

MOST_REGRESSED = 5


@dataclass(frozen=True)
class PairedSample:
    candidate: SampleRecord
    baseline: SampleRecord

    @property
    def task(self) -> str:
        return self.candidate.task


def _keyed(results: Mapping[str, Sequence[SampleRecord]]) -> dict[tuple, SampleRecord]:
    keyed: dict[tuple, SampleRecord] = {}
    seen: dict[tuple, int] = defaultdict(int)
    for task, samples in results.items():
        for s in samples:
            occurrence = seen[(task, s.doc_hash)]
            seen[(task, s.doc_hash)] += 1
            keyed[(task, s.doc_hash, occurrence)] = s  # identical documents stay distinct
    return keyed


def pair_samples(candidate: Mapping[str, Sequence[SampleRecord]],
                 baseline: Mapping[str, Sequence[SampleRecord]]) -> list[PairedSample]:
    """Candidate/baseline pairs in the candidate's order; unmatched documents are an error."""
    cand, base = _keyed(candidate), _keyed(baseline)
    if cand.keys() != base.keys():
        only = len(cand.keys() - base.keys()) + len(base.keys() - cand.keys())
        raise MeasurementError(f"candidate and baseline evaluated different documents "
                               f"({only} unmatched): items cannot be paired",
                               hint="both runs must use the same tasks, limit and data")
    return [PairedSample(cand[k], base[k]) for k in cand]


def by_subject(pairs: Sequence[PairedSample], subject_of: Callable[[str], str]) -> list[dict]:
    """Per-subject n, candidate and baseline mean metric and their difference."""
    groups: dict[str, list[PairedSample]] = defaultdict(list)
    for p in pairs:
        groups[subject_of(p.task)].append(p)
    rows = []
    for subject, members in sorted(groups.items()):
        n = len(members)
        cand = sum(p.candidate.metric for p in members) / n
        base = sum(p.baseline.metric for p in members) / n
        rows.append({"subject": subject, "n": n, "candidate": cand, "baseline": base,
                     "delta": cand - base})
    return rows


def by_group(pairs: Sequence[PairedSample], groups: Mapping[str, dict]) -> list[dict]:
    """Each group's mean metric as lm-eval aggregates it: over all its documents
    (``weight_by_size``, MMLU's) or the unweighted mean of its tasks' means."""
    per_task: dict[str, list[PairedSample]] = defaultdict(list)
    for p in pairs:
        per_task[p.task].append(p)
    rows = []
    for name, group in groups.items():
        tasks = [t for t in group["tasks"] if per_task.get(t)]
        if not tasks:
            continue
        means = {who: [sum(getattr(p, who).metric for p in per_task[t]) / len(per_task[t]) for t in tasks]
                 for who in ("candidate", "baseline")}
        sizes = [len(per_task[t]) for t in tasks]
        weights = sizes if group.get("weight_by_size", True) else [1] * len(tasks)
        cand, base = (sum(w * m for w, m in zip(weights, means[who])) / sum(weights)
                      for who in ("candidate", "baseline"))
        rows.append({"group": name, "tasks": len(tasks), "n": sum(sizes), "candidate": cand,
                     "baseline": base, "delta": cand - base,
                     "weight_by_size": bool(group.get("weight_by_size", True))})
    return rows


def most_regressed(rows: Sequence[dict], k: int = MOST_REGRESSED) -> list[dict]:
    """The subjects whose accuracy fell most (only those that fell)."""
    fallen = [r for r in rows if r["delta"] < 0]
    return sorted(fallen, key=lambda r: (r["delta"], r["subject"]))[:k]


def paired_delta(pairs: Sequence[PairedSample], confidence: float = 0.95) -> dict:
    """Candidate minus baseline on binary items, with a paired (Tango) interval."""
    from gatekeeper.verdict.stats import tango_interval

    n = len(pairs)
    wins = sum(1 for p in pairs if p.candidate.metric >= 0.5 > p.baseline.metric)
    losses = sum(1 for p in pairs if p.baseline.metric >= 0.5 > p.candidate.metric)
    lo, hi = tango_interval(wins, losses, n, confidence) if n else (float("nan"),) * 2
    return {"n": n, "delta": (wins - losses) / n if n else float("nan"), "wins": wins,
            "losses": losses, "lo": lo, "hi": hi, "confidence": confidence}
