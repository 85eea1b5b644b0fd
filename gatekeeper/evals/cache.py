"""A cache of lm-eval per-sample results, so a re-check runs (and imports) no lm-eval.

lm-eval's own request cache is not keyed by adapter state, and importing lm-eval alone
costs 15-20 s on CPU machines. Results are the ``lm-eval`` kind of the cache store
(core/store.py), one entry per (model, adapter state, task content, settings) key; with
``--no-cache`` they stay in the run's memory, so the second gate on the same tasks (e.g.
``calibration`` after ``lm_eval``) still costs nothing.
"""

from __future__ import annotations

from pathlib import Path

from gatekeeper.core.paths import cache_root
from gatekeeper.core.store import digest_key, library_version, shelf
from gatekeeper.evals.harness import SampleRecord

KIND = "lm-eval"
VERSION = 1


def results_key(model: dict, adapter: bool, task_digest: str, settings: dict) -> str:
    """sha256 over what changes a sample's result: weights, adapter, tasks, settings, versions."""
    return digest_key({"model": model, "adapter": adapter, "tasks": task_digest,
                       "settings": settings, "lm_eval": library_version("lm_eval")})


def load(key: str) -> dict[str, list[SampleRecord]] | None:
    """The stored results of ``key`` (None when absent or unreadable)."""
    data = shelf(KIND, VERSION).get(key)
    if not isinstance(data, dict):
        return None
    try:
        return {task: [SampleRecord.from_dict(s) for s in samples] for task, samples in data.items()}
    except (TypeError, KeyError, ValueError):  # an entry of another layout: recomputed
        return None


def store(key: str, results: dict[str, list[SampleRecord]]) -> None:
    data = {task: [s.to_dict() for s in samples] for task, samples in results.items()}
    shelf(KIND, VERSION).put(key, data)


def tasks_dir() -> Path:
    """Where generated task definitions live (content-addressed subfolders)."""
    return cache_root() / "lm_eval" / "tasks"
