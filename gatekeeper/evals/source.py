"""Where an lm-eval gate's tasks come from, checked at collection and built at run time.

Two sources: MMLU-layout CSVs (``mmlu_dir``, which may be ``${GATEKEEPER_MMLU_DIR}``, else
``fallback_dir``; one generated task per subject) or the user's own lm-eval task YAMLs
(``task_dir`` + ``tasks``). Either way the result is an include directory, task names,
a content digest (the cache key) and the subject each task reports under.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.errors import ConfigError
from gatekeeper.evals import mmlu


@dataclass(frozen=True)
class TaskSource:
    task_dir: Path
    tasks: tuple[str, ...]
    digest: str
    subjects: dict           # task name -> subject shown in the report
    limit: int | None        # documents per task (lm-eval's limit)
    description: dict        # what the report says about the data


def check_source(params: dict) -> None:
    """Collection-time checks: parameter combinations, the data directory, every CSV row."""
    for name in ("limit", "max_items", "batch_size"):
        value = params.get(name)
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ConfigError(f"{name} must be a positive integer, found {value!r}")
    if int(params.get("num_fewshot", 0) or 0) < 0:
        raise ConfigError("num_fewshot must be >= 0")
    if params.get("style", "letters") not in mmlu.STYLES:
        raise ConfigError(f"style must be one of {', '.join(mmlu.STYLES)}, found {params['style']!r}",
                          hint="cloze scores each answer's text (small models); letters is "
                               "lm-eval's MMLU prompt")
    if params.get("task_dir"):
        if params.get("mmlu_dir") or params.get("subjects"):
            raise ConfigError("task_dir (your own lm-eval tasks) cannot be combined with "
                              "mmlu_dir/subjects", hint="use one source per gate")
        if not params.get("tasks"):
            raise ConfigError("task_dir needs `tasks`: the task names to run from it",
                              hint="e.g. params: {task_dir: tasks/, tasks: [my_task]}")
        return
    if params.get("tasks") not in (None, ["mmlu"], "mmlu"):
        raise ConfigError("without task_dir the only task is 'mmlu' (from MMLU-layout CSVs)",
                          hint="to run other lm-eval tasks, write their YAML into a folder and "
                               "set params.task_dir (tasks are loaded offline, never downloaded)")
    root, _ = mmlu.resolve_mmlu_dir(params.get("mmlu_dir"), params.get("fallback_dir"))
    for subject in mmlu.pick_subjects(root, params.get("subjects")):
        for split in ("test", "dev"):
            mmlu.read_items(mmlu._csv(root, subject, split))


def planned_n(params: dict) -> int | None:
    """How many documents an MMLU source evaluates (``gatekeeper plan``; no model, no files
    written): each chosen subject's test items, capped by limit / max_items as
    ``build_source`` does. None for task_dir tasks (lm-eval decides their size)."""
    if params.get("task_dir"):
        return None
    root, _ = mmlu.resolve_mmlu_dir(params.get("mmlu_dir"), params.get("fallback_dir"))
    chosen = mmlu.pick_subjects(root, params.get("subjects"))
    limit, max_items = params.get("limit"), params.get("max_items")
    per_task = limit
    if max_items:
        spread = max(1, math.floor(max_items / len(chosen)))
        per_task = min(spread, limit) if limit else spread
    sizes = [len(mmlu.read_items(mmlu._csv(root, s, "test"))) for s in chosen]
    return sum(min(k, per_task) if per_task else k for k in sizes)


def build_source(*, task_dir, tasks, mmlu_dir, fallback_dir, subjects, limit, max_items,
                 out_root: Path, style: str = "letters") -> TaskSource:
    if task_dir:
        root = Path(task_dir)
        return TaskSource(root, tuple(tasks), _dir_digest(root), {t: t for t in tasks},
                          limit, {"kind": "lm_eval tasks", "path": str(root)})
    root, chosen_by = mmlu.resolve_mmlu_dir(mmlu_dir, fallback_dir)
    taskset = mmlu.build_tasks(root, subjects, out_root, style=style)
    per_task = limit
    if max_items:
        spread = max(1, math.floor(max_items / len(taskset.tasks)))
        per_task = min(spread, limit) if limit else spread
    return TaskSource(taskset.directory, tuple(t.name for t in taskset.tasks), taskset.digest,
                      {t.name: t.subject for t in taskset.tasks}, per_task,
                      {"kind": "mmlu", "path": str(root), "chosen_by": chosen_by,
                       "subjects": len(taskset.tasks), "style": style,
                       "available": sum(t.n_test for t in taskset.tasks)})


def _dir_digest(root: Path) -> str:
    """sha256 over every file under the task folder (YAML and any data kept beside it)."""
    h = hashlib.sha256(b"gatekeeper-taskdir-v1")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
