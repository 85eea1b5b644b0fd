"""The key of lm-eval per-sample results, so a re-check runs (and imports) no lm-eval.

lm-eval's own request cache is not keyed by adapter state, and importing lm-eval alone
costs 15-20 s on CPU machines. Results are kept by the run's memo (``ctx.memo``, which
honours ``--no-cache`` and ``--cache-dir``) under one key per (model, adapter state, task
content, settings); generated task definitions live under ``cache_root()/lm_eval/tasks``.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from gatekeeper.evals.harness import SampleRecord
from gatekeeper.core.paths import cache_root

CACHE_VERSION = 1


def results_key(model: dict, adapter: bool, task_digest: str, settings: dict) -> str:
    """sha256 over what changes a sample's result: weights, adapter, tasks, settings, versions."""
    try:
        lm_eval_version = metadata.version("lm_eval")
    except metadata.PackageNotFoundError:
        lm_eval_version = None
    payload = {"v": CACHE_VERSION, "model": model, "adapter": adapter, "tasks": task_digest,
               "settings": settings, "lm_eval": lm_eval_version}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def to_json(results: dict[str, list[SampleRecord]]) -> dict:
    """Per-sample results as JSON-safe data (what the run's memo stores)."""
    return {task: [s.to_dict() for s in samples] for task, samples in results.items()}


def from_json(data: dict) -> dict[str, list[SampleRecord]]:
    return {task: [SampleRecord.from_dict(s) for s in samples] for task, samples in data.items()}


def tasks_dir() -> Path:
    """Where generated task definitions live (content-addressed subfolders)."""
    return cache_root() / "lm_eval" / "tasks"
