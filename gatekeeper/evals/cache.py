"""A cache of lm-eval per-sample results, so a re-check runs (and imports) no lm-eval.

lm-eval's own request cache is not keyed by adapter state, and importing lm-eval alone
costs 15-20 s on CPU machines. Results are stored as one JSON file per (model, adapter
state, task content, settings) key under ``cache_root()/lm_eval/results``.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from gatekeeper.core.atomic import write_atomic
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


def _path(key: str, root: Path | None) -> Path:
    return (root or cache_root()) / "lm_eval" / "results" / f"{key}.json"


def load(key: str, root: Path | None = None) -> dict[str, list[SampleRecord]] | None:
    """The stored results of ``key`` (None when absent or unreadable); ``root`` overrides cache_root()."""
    try:
        data = json.loads(_path(key, root).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return {task: [SampleRecord.from_dict(s) for s in samples] for task, samples in data.items()}


def store(key: str, results: dict[str, list[SampleRecord]], root: Path | None = None) -> None:
    data = {task: [s.to_dict() for s in samples] for task, samples in results.items()}
    write_atomic(_path(key, root), json.dumps(data))


def tasks_dir() -> Path:
    """Where generated task definitions live (content-addressed subfolders)."""
    return cache_root() / "lm_eval" / "tasks"
