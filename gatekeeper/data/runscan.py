"""The contamination scan of a run: training inputs against every eval set its gates read.

One owner for what the ``contamination`` gate scans and how the result is cached, so that a
gate judged on the items the scan found clean (``subset: clean``, gatekeeper.data.subset)
gets exactly the flags the contamination gate reports: same inputs, same options, same
cache key (a scan that the contamination gate already ran costs nothing here).

``ctx`` is the gate's context (only ``ctx.data``, ``ctx.bundle.root`` and ``ctx.spec.id``
are read), so this floor needs nothing from the run floor.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from gatekeeper.core.errors import MeasurementError, display_path
from gatekeeper.data.cache import cached, data_key
from gatekeeper.data.overlap import Options
from gatekeeper.data.records import SUFFIXES, read_items
from gatekeeper.data.scan import EvalSet, scan


def training_inputs(ctx, train: str | None = None) -> list[Path]:
    """Everything the adapter was trained or selected on: task rows, the general mix, validation
    (or the one file ``train`` names)."""
    if train:
        return [Path(train)]
    trained = (ctx.data.train_data, ctx.data.mix_data, ctx.data.eval_data)
    return [Path(p) for p in trained if p]


def eval_sources(ctx, train_files: list[Path], extra: str | None = None,
                 sets: list | None = None) -> list[tuple[Path, str, tuple[str, ...]]]:
    """[(path, name, gate ids)]: eval files of the run, one entry per file, ``sets`` applied."""
    root = ctx.bundle.root
    skip = {Path(p).resolve() for p in train_files}
    found: dict[Path, list[str]] = {}
    # eval_sets hold the path parameters of role "eval" only (a `train` names training data)
    candidates = [(s.path, s.gate_id) for s in ctx.data.eval_sets]
    candidates += [(Path(extra), ctx.spec.id)] if extra else []
    for path, gate_id in candidates:
        path = Path(path).resolve()
        if path in skip or not (path.is_dir() or path.suffix in SUFFIXES):
            continue
        found.setdefault(path, [])
        if gate_id not in found[path]:
            found[path].append(gate_id)
    named = [(p, set_name(p, root), tuple(g)) for p, g in found.items()]
    if sets is None:
        return named
    chosen = [s for s in named if any(_matches(s, pattern) for pattern in sets)]
    unmatched = [p for p in sets if not any(_matches(s, p) for s in named)]
    if unmatched:
        raise MeasurementError(f"sets: {', '.join(map(repr, unmatched))} match no eval set of "
                               f"this run (eval sets: {', '.join(n for _, n, _ in named) or 'none'})",
                               hint="name a set by its path, file name, glob or the id of a gate "
                                    "that reads it")
    return chosen


def set_name(path: Path, root: Path) -> str:
    """A set's name: its path relative to the bundle, else to the working directory."""
    rel = os.path.relpath(path, root)
    return rel if not rel.startswith("..") else display_path(path)


def _matches(source, pattern: str) -> bool:
    path, name, gates = source
    return any(fnmatch.fnmatch(text, pattern) for text in (name, path.name, str(path), *gates))


def run_scan(train_files: list[Path], sources, opts: Options, root: Path) -> tuple[dict, bool]:
    """(result of gatekeeper.data.scan.scan plus train row counts, cache hit)."""
    key = data_key("contamination", train_files + [p for p, _, _ in sources],
                   {"opts": opts.__dict__, "names": [n for _, n, _ in sources]})
    return cached(key, lambda: _scan(train_files, sources, opts, root))


def _scan(train_files: list[Path], sources, opts: Options, root: Path) -> dict:
    train, problems = [], 0
    for f in train_files:
        items, bad = read_items(f, root)
        train += items
        problems += len(bad)
    eval_sets = []
    for path, name, gates in sources:
        items, _ = read_items(path, root)
        eval_sets.append(EvalSet(name, tuple(items), gates))
    result = scan(train, eval_sets, opts)
    # the line of every scanned eval item, so a gate can map its rows onto hit_flags
    for es, out in zip(eval_sets, result["sets"]):
        out["lines"] = [[i.path, i.line] for i in es.items]
    result.update(train_rows=len(train), train_unreadable=problems)
    return result


def standard_flags(ctx, path: Path) -> dict[int, bool] | None:
    """line -> found in training data, for the eval file ``path`` in the run's standard scan
    (every training input, every eval set of the run, the contamination gate's defaults);
    None when the run has no training data to scan against."""
    train_files = training_inputs(ctx)
    if not train_files:
        return None
    target = Path(path).resolve()
    sources = eval_sources(ctx, train_files)
    if not any(p == target for p, _, _ in sources):
        sources.append((target, set_name(target, ctx.bundle.root), (ctx.spec.id,)))
    result, _ = run_scan(train_files, sources, Options(), ctx.bundle.root)
    index = [p for p, _, _ in sources].index(target)
    found = result["sets"][index]
    return {int(line): bool(flag) for (_, line), flag in zip(found["lines"], found["hit_flags"])}
