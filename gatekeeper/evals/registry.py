"""Task names -> lm-eval tasks: the bundle's task folder first, then lm-eval's own registry.

lm-eval's built-in registry is ~15,000 YAML entries; indexing it takes 10-15 s on a 2-core
machine, so it is read only when a gate names a task its bundle does not define, and kept
in the cache store (kind ``lm-eval-index``, keyed by the lm-eval version and install path)
and in the process's memory: a bundle without lm-eval gates, or whose names are all local,
pays nothing; a later validate or check reads the stored index. Each entry keeps what a
gate needs: its kind, its YAML, its dataset (hub path + config), its children (groups and
tags) and how a group aggregates. A run then indexes only the folders of the tasks it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from gatekeeper.core.errors import ConfigError

KIND = "lm-eval-index"
VERSION = 1
_memo: dict[str, dict[str, "TaskEntry"]] = {}


@dataclass(frozen=True)
class TaskEntry:
    """One name of an lm-eval registry: a task, a group or a tag."""

    name: str
    kind: str                                   # task | group | tag | python
    yaml_path: str | None = None
    dataset: tuple[str, str | None] | None = None  # (dataset_path, dataset_name)
    output_type: str | None = None
    children: tuple[str, ...] = ()
    weight_by_size: bool = True
    alias: str | None = None

    def to_list(self) -> list:
        return [self.name, self.kind, self.yaml_path, list(self.dataset) if self.dataset else None,
                self.output_type, list(self.children), self.weight_by_size, self.alias]

    @classmethod
    def from_list(cls, row: list) -> "TaskEntry":
        name, kind, path, dataset, output_type, children, weight, alias = row
        return cls(name, kind, path, tuple(dataset) if dataset else None, output_type,
                   tuple(children), bool(weight), alias)


def index_of(manager) -> dict[str, TaskEntry]:
    """Our entries of a ``TaskManager``'s index (tags resolved to their member tasks)."""
    raw = manager.task_index
    members: dict[str, list[str]] = {}
    for name, entry in raw.items():
        for tag in getattr(entry, "tags", None) or ():
            members.setdefault(tag, []).append(name)
    return {name: _entry(name, e, members) for name, e in raw.items()}


def _entry(name: str, e, members: Mapping[str, list[str]]) -> TaskEntry:
    kind = e.kind.name.lower().replace("py_task", "python")
    cfg = e.cfg if isinstance(getattr(e, "cfg", None), dict) else {}
    path = str(e.yaml_path) if e.yaml_path else None
    if kind == "tag":
        return TaskEntry(name, kind, path, children=tuple(members.get(name, ())))
    if kind == "group":
        children = tuple(c if isinstance(c, str) else str(c.get("task") or c.get("group"))
                         for c in cfg.get("task") or () if isinstance(c, (str, dict)))
        agg = cfg.get("aggregate_metric_list") or [{}]
        first = agg if isinstance(agg, dict) else (agg[0] if isinstance(agg, list) and agg else {})
        weight = bool(first.get("weight_by_size", True)) if isinstance(first, dict) else True
        return TaskEntry(name, kind, path, children=children, weight_by_size=weight)
    name_ = cfg.get("dataset_name")
    dataset = (str(cfg["dataset_path"]), None if name_ is None else str(name_)) \
        if isinstance(cfg.get("dataset_path"), str) else None
    return TaskEntry(name, kind, path, dataset=dataset, output_type=cfg.get("output_type"),
                     alias=cfg.get("task_alias") if isinstance(cfg.get("task_alias"), str) else None)


def builtin_index() -> dict[str, TaskEntry]:
    """lm-eval's built-in tasks: the process memo, else the cache store, else indexed (slow)."""
    import lm_eval
    from gatekeeper.core.store import digest_key, library_version, shelf

    key = digest_key({"lm_eval": library_version("lm_eval"), "at": str(Path(lm_eval.__file__).parent)})
    if key in _memo:
        return _memo[key]
    stored = shelf(KIND, VERSION).get(key)
    if isinstance(stored, list):
        try:
            _memo[key] = {row[0]: TaskEntry.from_list(row) for row in stored}
            return _memo[key]
        except (TypeError, ValueError):
            pass  # an entry of another layout: indexed again
    from gatekeeper.evals.harness import quiet

    with quiet():
        from lm_eval.tasks import TaskManager

        index = index_of(TaskManager(include_defaults=True))
    shelf(KIND, VERSION).put(key, [e.to_list() for e in index.values()])
    _memo[key] = index
    return index


def local_index(task_dir: Path) -> dict[str, TaskEntry]:
    """The tasks of a bundle's own folder (cheap: only that folder is indexed); every YAML
    lm-eval would skip is an error naming its file."""
    from gatekeeper.evals.harness import check_registered, quiet

    with quiet():
        from lm_eval.tasks import TaskManager

        manager = TaskManager(include_path=str(task_dir), include_defaults=False)
        check_registered(manager, task_dir, ())
        return index_of(manager)


@dataclass(frozen=True)
class Resolved:
    """What a gate's task names stand for."""

    requested: tuple[str, ...]
    leaves: tuple[TaskEntry, ...]                # the tasks lm-eval evaluates, in order
    groups: dict                                 # group name -> {"tasks": [...], "weight_by_size": bool}
    include: tuple[Path, ...]                    # folders lm-eval indexes for the built-in ones
    builtin: tuple[str, ...]                     # requested names found in lm-eval's registry


def resolve(tasks: Sequence[str], task_dir: Path | None) -> Resolved:
    """Each name from ``task_dir`` if it defines it, else from lm-eval's registry; an unknown
    name is an error listing close matches."""
    local = local_index(task_dir) if task_dir else {}
    outside = [t for t in tasks if t not in local]
    builtin = builtin_index() if outside else {}
    unknown = [t for t in outside if t not in builtin]
    if unknown:
        raise ConfigError(_unknown_message(unknown, local, builtin),
                          hint="task names come from params.task_dir (if set), then lm-eval's "
                               "built-in registry (`python -m lm_eval ls tasks` lists it)")
    leaves: dict[str, TaskEntry] = {}
    groups: dict[str, dict] = {}
    folders: list[Path] = []
    for name in tasks:
        _expand(name, local, leaves, groups, folders, seen=())
    return Resolved(tuple(tasks), tuple(leaves.values()), groups, tuple(dict.fromkeys(folders)),
                    tuple(outside))


def _expand(name: str, local: Mapping, leaves: dict, groups: dict, folders: list,
            seen: tuple) -> list[str]:
    """Leaf task names under ``name`` (recording groups and the built-in folders used); a
    local group's built-in members index the registry only then."""
    is_local = name in local
    entry = local[name] if is_local else builtin_index().get(name)
    if entry is None or name in seen:
        raise ConfigError(f"lm-eval task '{name}' " + ("includes itself" if entry else "is not defined")
                          + (f" (named by group '{seen[-1]}')" if seen else ""))
    if not is_local and entry.yaml_path:
        folders.append(Path(entry.yaml_path).parent)
    if entry.kind not in ("group", "tag"):
        leaves.setdefault(name, entry)
        return [name]
    found: list[str] = []
    for child in entry.children:
        found += _expand(child, local, leaves, groups, folders, seen + (name,))
    if entry.kind == "group":
        groups[name] = {"tasks": list(dict.fromkeys(found)), "weight_by_size": entry.weight_by_size}
    return found


def _unknown_message(unknown: Sequence[str], local: Mapping, builtin: Mapping) -> str:
    from rapidfuzz import fuzz, process

    names = list(local) + [n for n in builtin if n not in local]
    parts = []
    for name in unknown:
        close = [m for m, _, _ in process.extract(name, names, scorer=fuzz.ratio, limit=3, score_cutoff=80)]
        parts.append(f"'{name}'" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
    return "unknown lm-eval task " + ", ".join(parts)
