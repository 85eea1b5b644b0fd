"""Judge a gate on part of its golden set: ``subset``, ``where`` and ``limit``, and the
clean-vs-overlap breakdown every item-scoring gate reports.

* ``subset: all | clean | overlap``: all rows, only the rows the run's contamination scan
  found clean, or only those it found in the training data (gatekeeper.data.runscan: the
  same scan, options and cache as the ``contamination`` gate with its defaults);
* ``where: {field: value}`` (or ``{field: [values]}``): rows whose field equals the value
  (one of the values); several fields must all match;
* ``limit: N``: the first N rows left after the two filters, or with ``spread: true`` N
  rows evenly spread over them (deterministic: every k-th row).

Filters apply in that order. ``check_subset`` runs at collection (bad params fail with the
gate's file:line); ``select_rows`` at measurement. The breakdown (``contamination_split``)
is a display, not a verdict: Wilson intervals per group and Newcombe's hybrid score
interval for the difference of the two independent rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from gatekeeper.bundle.golden import GoldenRow, GoldenSet
from gatekeeper.core.errors import ConfigError, MeasurementError, suggest
from gatekeeper.data.runscan import standard_flags
from gatekeeper.verdict.stats import wilson_interval

SUBSETS = ("all", "clean", "overlap")


@dataclass(frozen=True)
class Selection:
    """The rows a gate scores, their contamination flags (None: no scan), and what was asked."""

    rows: tuple[GoldenRow, ...]
    flags: tuple[bool, ...] | None
    total: int
    asked: dict

    def describe(self) -> dict:
        """The selection as measurement details (omitted by callers when nothing was asked)."""
        return {**self.asked, "items_total": self.total, "items_selected": len(self.rows)}


def check_subset(params: dict, golden: GoldenSet | None) -> None:
    """Collection-time checks of ``subset``, ``where``, ``limit`` and ``spread``."""
    subset = params.get("subset", "all")
    if subset not in SUBSETS:
        close = suggest(str(subset), SUBSETS)
        raise ConfigError(f"unknown subset '{subset}'",
                          hint=(f"did you mean '{close}'? " if close else "") + "subsets: " + ", ".join(SUBSETS))
    limit = params.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ConfigError(f"limit must be a whole number of items, at least 1, found {limit!r}",
                          hint="limit: 100 keeps the first 100 rows (spread: true spreads them)")
    if params.get("spread") and limit is None:
        raise ConfigError("spread: true needs a limit", hint="e.g. limit: 100, spread: true")
    where = params.get("where")
    if where is None:
        return
    if not isinstance(where, dict) or not where:
        raise ConfigError("where must map row fields to a value or a list of values",
                          hint="e.g. where: {category: billing_refund}")
    if golden is None:
        return
    fields = list(dict.fromkeys(k for row in golden.rows for k in row.data))
    for name, wanted in where.items():
        if name not in fields:
            close = suggest(str(name), fields)
            raise ConfigError(f"where names the field '{name}', which no row of the golden set has",
                              where=golden.path, hint=(f"did you mean '{close}'? " if close else "")
                              + "row fields: " + ", ".join(fields))
        if isinstance(wanted, (dict, list)) and not (isinstance(wanted, list) and wanted):
            raise ConfigError(f"where.{name} must be a value or a non-empty list of values",
                              hint=f"e.g. where: {{{name}: [a, b]}}")


def select_rows(ctx, *, subset: str = "all", where: dict | None = None, limit: int | None = None,
                spread: bool = False) -> Selection:
    """The golden rows the gate scores, in file order, with their contamination flags."""
    golden = ctx.golden
    asked = {k: v for k, v in (("subset", subset), ("where", where), ("limit", limit),
                               ("spread", spread)) if v not in (None, "all", False)}
    by_line = _flags(ctx, golden, required=subset != "all")
    rows = list(golden.rows)
    if subset != "all" and by_line is not None:
        rows = [r for r in rows if by_line.get(r.line, False) == (subset == "overlap")]
    for name, wanted in (where or {}).items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        rows = [r for r in rows if r.data.get(name) in allowed]
    if not rows:
        raise MeasurementError(f"no row of {golden.path.name} is left after {asked}",
                               hint="widen `where`, or use subset: all")
    if limit is not None and limit < len(rows):
        rows = [rows[(i * len(rows)) // limit] for i in range(limit)] if spread else rows[:limit]
    flags = tuple(by_line.get(r.line, False) for r in rows) if by_line is not None else None
    return Selection(tuple(rows), flags, len(golden.rows), asked)


def planned_rows(golden: GoldenSet, params: Mapping[str, Any]) -> int | None:
    """How many rows a gate with these params scores, from the golden set alone (``where``
    and ``limit`` applied); None with ``subset: clean/overlap``, which only a scan can tell."""
    if params.get("subset", "all") != "all":
        return None
    rows = list(golden.rows)
    for name, wanted in (params.get("where") or {}).items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        rows = [r for r in rows if r.data.get(name) in allowed]
    limit = params.get("limit")
    return min(len(rows), limit) if isinstance(limit, int) and limit >= 1 else len(rows)


def _flags(ctx, golden: GoldenSet, required: bool) -> dict[int, bool] | None:
    try:
        found = standard_flags(ctx, golden.path)
    except (ConfigError, MeasurementError, OSError, ValueError) as exc:
        if required:
            raise MeasurementError(f"subset needs the run's contamination scan, which failed: {exc}",
                                   hint="see the contamination gate's error") from exc
        return None
    if found is None and required:
        raise MeasurementError("subset: clean/overlap needs a contamination scan, but the bundle "
                               "names no training data to scan against",
                               hint="set train.data in the manifest, or use subset: all")
    return found


def contamination_split(passed: list[bool], flags: tuple[bool, ...] | None) -> dict | None:
    """The metric on the clean and on the overlapping items, their difference and its 95%
    interval (Newcombe hybrid score; None when there are no flags)."""
    if flags is None:
        return None
    groups: dict[str, Any] = {}
    for name, want in (("clean", False), ("overlap", True)):
        ok = [p for p, f in zip(passed, flags) if f == want]
        k, n = sum(ok), len(ok)
        low, high = wilson_interval(k, n) if n else (None, None)
        groups[name] = {"n": n, "passed": k, "rate": k / n if n else None, "ci95": [low, high]}
    clean, over = groups["clean"], groups["overlap"]
    if clean["n"] and over["n"]:
        d = clean["rate"] - over["rate"]
        (l1, u1), (l2, u2) = clean["ci95"], over["ci95"]
        low = d - math.sqrt((clean["rate"] - l1) ** 2 + (u2 - over["rate"]) ** 2)
        high = d + math.sqrt((u1 - clean["rate"]) ** 2 + (over["rate"] - l2) ** 2)
        groups["difference"] = {"clean_minus_overlap": d, "ci95": [low, high],
                                "method": "Newcombe hybrid score (independent groups)"}
    return groups


def split_view(split, subset=None) -> dict | None:
    """The clean-vs-overlap table as text, for the gate types' report fragments."""
    if not isinstance(split, dict) or not split:
        return None

    def rate(x) -> str:
        return f"{x:.3f}" if isinstance(x, (int, float)) else "-"

    def ci(iv) -> str:
        ok = isinstance(iv, (list, tuple)) and len(iv) == 2 and all(isinstance(v, (int, float)) for v in iv)
        return f"[{iv[0]:.3f}, {iv[1]:.3f}]" if ok else ""
    rows = []
    for key, label in (("clean", "clean: not found in training data"),
                       ("overlap", "overlap: found by the contamination scan")):
        g = split.get(key) or {}
        rows.append({"label": label, "n": str(g.get("n", 0)), "rate": rate(g.get("rate")),
                     "ci": ci(g.get("ci95"))})
    diff = split.get("difference") or {}
    d = diff.get("clean_minus_overlap")
    return {"rows": rows, "difference": f"{d:+.3f}" if isinstance(d, (int, float)) else None,
            "difference_ci": ci(diff.get("ci95")), "subset": subset if isinstance(subset, dict) else None}
