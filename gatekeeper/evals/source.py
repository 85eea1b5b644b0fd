"""Where an lm-eval gate's tasks come from, checked at collection and built at run time.

Two sources: MMLU-layout CSVs (``mmlu_dir``, which may be ``${GATEKEEPER_MMLU_DIR}``, else
``fallback_dir``; one generated task per subject) or lm-eval task names (``tasks``), each
from the bundle's ``task_dir`` if it defines it, else from lm-eval's built-in registry
(evals/registry.py), with hub datasets read offline from the datasets cache
(evals/hfcache.py). Either way the result is include directories, the tasks lm-eval
evaluates (groups expanded), a content digest (the cache key) and the subject each task
reports under.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.errors import ConfigError
from gatekeeper.evals import hfcache, mmlu, registry


@dataclass(frozen=True)
class TaskSource:
    task_dir: Path | None
    tasks: tuple[str, ...]
    digest: str
    subjects: dict           # task name -> subject shown in the report
    limit: int | None        # documents per task (lm-eval's limit)
    description: dict        # what the report says about the data
    include: tuple[Path, ...] = ()   # lm-eval's own folders of the built-in tasks used
    groups: dict | None = None       # group -> {"tasks": [...], "weight_by_size": bool}


def uses_csv(params: dict) -> bool:
    """MMLU-layout CSVs (mmlu_dir / fallback_dir, or no tasks named), else task names."""
    if params.get("task_dir"):
        return False
    return bool(params.get("mmlu_dir") or params.get("fallback_dir")) or not params.get("tasks")


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
    if params.get("filter") is not None and not isinstance(params["filter"], str):
        raise ConfigError(f"filter must be a filter name (e.g. strict-match), found {params['filter']!r}")
    if params.get("task_dir"):
        if params.get("mmlu_dir") or params.get("subjects"):
            raise ConfigError("task_dir (your own lm-eval tasks) cannot be combined with "
                              "mmlu_dir/subjects", hint="use one source per gate")
        if not params.get("tasks"):
            raise ConfigError("task_dir needs `tasks`: the task names to run from it",
                              hint="e.g. params: {task_dir: tasks/, tasks: [my_task]}")
    if not uses_csv(params):
        extra = [k for k in ("subjects", "max_items") if params.get(k)] + \
            (["style"] if params.get("style") not in (None, "letters") else [])
        if extra:
            raise ConfigError(f"{', '.join(extra)} appl{'y' if len(extra) > 1 else 'ies'} to the MMLU "
                              "CSVs (mmlu_dir/fallback_dir) only, not to lm-eval tasks by name",
                              hint="use limit for documents per task, or name the subtasks in tasks")
        check_names(params)
        return
    if params.get("tasks") not in (None, ["mmlu"], "mmlu"):
        raise ConfigError("with mmlu_dir/fallback_dir (MMLU-layout CSVs) the only task is 'mmlu'",
                          hint="drop mmlu_dir/fallback_dir to run lm-eval's own tasks by name "
                               "(datasets from the Hugging Face cache, offline), or use a second gate")
    root, _ = mmlu.resolve_mmlu_dir(params.get("mmlu_dir"), params.get("fallback_dir"))
    for subject in mmlu.pick_subjects(root, params.get("subjects")):
        for split in ("test", "dev"):
            mmlu.read_items(mmlu._csv(root, subject, split))


def planned_n(params: dict) -> int | None:
    """How many documents an MMLU source evaluates (``gatekeeper plan``; no model, no files
    written): each chosen subject's test items, capped by limit / max_items as
    ``build_source`` does. None for named tasks (lm-eval decides their size)."""
    if not uses_csv(params):
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
    if not uses_csv({"task_dir": task_dir, "tasks": tasks, "mmlu_dir": mmlu_dir,
                     "fallback_dir": fallback_dir}):
        return named_source(list(tasks if isinstance(tasks, list) else [tasks]),
                            Path(task_dir) if task_dir else None, limit)
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


def check_names(params: dict) -> None:
    """Every name resolves (close matches listed otherwise) and every hub dataset is cached."""
    tasks = params["tasks"] if isinstance(params["tasks"], list) else [params["tasks"]]
    if not all(isinstance(t, str) and t for t in tasks):
        raise ConfigError(f"tasks must be a list of lm-eval task names, found {params['tasks']!r}")
    _datasets(registry.resolve(tasks, Path(params["task_dir"]) if params.get("task_dir") else None))


def named_source(tasks: list, task_dir: Path | None, limit: int | None) -> TaskSource:
    resolved = registry.resolve(tasks, task_dir)
    copies = _datasets(resolved)
    h = hashlib.sha256(b"gatekeeper-named-v1")
    h.update(_dir_digest(task_dir).encode() if task_dir else b"")
    h.update(repr((resolved.requested, [str(c) for c in copies])).encode())
    leaves = tuple(e.name for e in resolved.leaves)
    return TaskSource(task_dir, leaves, h.hexdigest(), {t: t for t in leaves}, limit,
                      {"kind": "lm_eval tasks", "path": str(task_dir) if task_dir else None,
                       "tasks": list(tasks), "builtin": list(resolved.builtin),
                       "datasets": sorted({f"{e.dataset[0]}" + (f" ({e.dataset[1]})" if e.dataset[1] else "")
                                           for e in resolved.leaves if e.dataset})},
                      include=resolved.include, groups=resolved.groups)


def _datasets(resolved: "registry.Resolved") -> list[Path]:
    """The cached copies of the hub datasets the tasks read; missing ones are one error."""
    copies, missing = [], []
    for entry in resolved.leaves:
        if entry.dataset and hfcache.is_hub_dataset(entry.dataset[0]):
            copy = hfcache.cached_copy(*entry.dataset)
            if copy is None:
                missing.append(entry)
            else:
                copies.append(copy)
    if missing:
        raise ConfigError(_missing_message(missing), hint=hfcache.prefetch_hint(
            list(dict.fromkeys(e.dataset for e in missing if e.dataset))))
    return copies


def _missing_message(missing: list) -> str:
    """One phrase per dataset path: its missing configs and the tasks that read them."""
    by_path: dict[str, list] = {}
    for e in missing:
        by_path.setdefault(e.dataset[0], []).append(e)
    parts = []
    for path, entries in by_path.items():
        configs = list(dict.fromkeys(e.dataset[1] or "default" for e in entries))
        tasks = [e.name + (f", {e.yaml_path}" if e.yaml_path and not _builtin_path(e.yaml_path) else "")
                 for e in entries]
        parts.append(f"{path} config{'s' if len(configs) > 1 else ''} {_few(configs)} "
                     f"(task{'s' if len(tasks) > 1 else ''} {_few(tasks)})")
    return (f"dataset not in the Hugging Face datasets cache ({hfcache.datasets_cache_dir()}), and "
            f"lm-eval runs offline: {'; '.join(parts)}")


def _few(names: list, k: int = 3) -> str:
    return ", ".join(names[:k]) + (f" and {len(names) - k} more" if len(names) > k else "")


def _builtin_path(path: str) -> bool:
    import lm_eval

    return Path(path).is_relative_to(Path(lm_eval.__file__).parent)


def _dir_digest(root: Path) -> str:
    """sha256 over every file under the task folder (YAML and any data kept beside it)."""
    h = hashlib.sha256(b"gatekeeper-taskdir-v1")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
