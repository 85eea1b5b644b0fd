"""contamination: training data against every eval set of the run, before any model loads.

Three detectors (gatekeeper.data.overlap): exact match after normalisation, long n-gram
overlap, MinHash LSH near-duplicates verified by rapidfuzz; and near copies
(gatekeeper.data.nearcopy): distinctive content, template frame removed, closer to a training
row than the training rows come to each other (``near_copies``, calibration in the details).
An exact copy, a near copy or a ``content`` n-gram hit (the item's rare n-grams found in
training rows) is a finding (``findings``, ``finding_rate``); the other hits are template
overlap, counted in ``hits`` and ``hit_rate``. Prompts are compared with
prompts and answers with answers (an eval answer inside a training completion counts).
The training side is the recipe's ``data`` and ``eval_data`` (or the ``train`` parameter);
the eval side is every golden set and eval path parameter of the run, plus ``extra``.

Per-set limits: every metric is pooled over the selected sets and reported per set in the
details; to give one set its own threshold, add a gate with ``sets: [<name or glob>]``.
Evidence is ranked (gatekeeper.data.scan.severity): exact hits first, then near-copy score,
then rapidfuzz similarity of the pair, then n-gram overlap. The report keeps the top
``max_records`` per set; the full sorted list goes to a JSONL file next to report.json
(``contamination-<gate id>.jsonl``, one record a line with its set), linked from the report.
Results are cached by the sha256 of every file and the options (gatekeeper.data.cache).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from gatekeeper.data.overlap import DETECTORS, Options
from gatekeeper.data.records import Skipped
from gatekeeper.data.runscan import eval_sources, run_scan, set_name, training_inputs
from gatekeeper.data.scan import severity
from gatekeeper.core.atomic import write_atomic
from gatekeeper.core.errors import ConfigError
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type


def _count(name: str, what: str) -> Metric:
    return Metric(name, higher_is_better=False, kind="value", lower=0, upper=None, description=what)


def _check(params: dict, golden) -> None:
    """Parameter ranges, checked at collection (file:line of the gate's params)."""
    near = params.get("near_threshold", 0.8)
    if not 0.5 <= near <= 1.0:
        raise ConfigError(f"near_threshold must be in [0.5, 1], found {near}",
                          hint="a rapidfuzz similarity share; 0.8 is the default")
    share = params.get("boilerplate_share", 0.05)
    if not 0.0 < share <= 1.0:
        raise ConfigError(f"boilerplate_share must be in (0, 1], found {share}",
                          hint="the share of a set's items a line must appear in to be template text")
    n, n_min = params.get("ngram", 13), params.get("ngram_min", 8)
    if not 3 <= n_min <= n <= 50:
        raise ConfigError(f"need 3 <= ngram_min <= ngram <= 50, found ngram_min={n_min}, ngram={n}",
                          hint="the defaults are ngram: 13, ngram_min: 8")
    quantile = params.get("copy_quantile", 0.999)
    if not 0.5 <= quantile <= 1.0:
        raise ConfigError(f"copy_quantile must be in [0.5, 1], found {quantile}",
                          hint="the quantile of the training rows' own similarity that a near copy "
                               "must exceed; 0.999 is the default")
    frame = params.get("copy_frame_share", 0.1)
    if not 0.0 < frame <= 1.0:
        raise ConfigError(f"copy_frame_share must be in (0, 1], found {frame}",
                          hint="the share of training rows a word must appear in to be template "
                               "frame; 0.1 is the default")
    if params.get("copy_score", "edits") not in ("edits", "jaccard"):
        raise ConfigError(f"copy_score must be edits or jaccard, found {params['copy_score']!r}",
                          hint="edits (the default) charges a training row's extra words lightly "
                               "and a template slot's other value in full; jaccard charges every "
                               "differing word")
    if params.get("max_records", 50) < 0:
        raise ConfigError("max_records must be >= 0", hint="hits listed per set in the report")
    sets = params.get("sets")
    if sets is not None and (not sets or not all(isinstance(s, str) and s for s in sets)):
        raise ConfigError("sets must be a non-empty list of eval set names, paths or globs",
                          hint="e.g. sets: [golden_sets/tickets/test.jsonl] or sets: ['*mmlu*']")


METRICS = (
    _count("hits", "eval items found in the training data by any detector"),
    Metric("hit_rate", higher_is_better=False, sampled=False, description="share of eval items found in training data"),
    _count("exact_hits", "eval items equal to a training row after normalisation"),
    _count("ngram_hits", "eval items sharing a long n-gram with a training row"),
    _count("near_hits", "eval items with a verified near-duplicate training row"),
    _count("near_copies", "eval items whose distinctive content (template frame removed) is "
                          "closer to a training row than training rows come to each other"),
    _count("content_hits", "eval items sharing with a training row an n-gram found in fewer than 3 "
                           "other rows of the data (the item's own text, not a shared sentence frame)"),
    _count("findings", "eval items with an exact copy, a near copy or a content n-gram overlap"),
    Metric("finding_rate", higher_is_better=False, sampled=False,
           description="share of eval items with a finding (template overlap aside)"),
)


@gate_type(needs_model=False, path_params={"train": "train", "extra": "eval"}, metrics=METRICS,
           check=_check)
def contamination(ctx, *, train: str | None = None, extra: str | None = None,
                  sets: list | None = None, near_threshold: float = 0.8, ngram: int = 13,
                  ngram_min: int = 8, boilerplate_share: float = 0.05,
                  max_records: int = 50, copy_quantile: float = 0.999,
                  copy_frame_share: float = 0.1, copy_score: str = "edits") -> Measurement:
    """Eval items found in the training data (exact, 13-gram, MinHash near-duplicate, near copy)."""
    opts = Options(ngram=ngram, ngram_min=ngram_min, near_threshold=near_threshold,
                   boilerplate_share=boilerplate_share, copy_quantile=copy_quantile,
                   copy_frame_share=copy_frame_share, copy_score=copy_score)
    train_files = training_inputs(ctx, train)
    if not train_files:
        raise Skipped("no training data to check (the manifest has no train.data; params.train "
                      "names one)")
    sources = eval_sources(ctx, train_files, extra, sets)
    if not sources:
        raise Skipped("no eval set to check: no gate of this run reads a golden set or eval "
                      "file (params.extra names one)")
    start = time.perf_counter()
    result, hit = run_scan(train_files, sources, opts, ctx.bundle.root)
    ctx.log(f"{'cached' if hit else 'scanned'} {len(sources)} eval set(s) in "
            f"{time.perf_counter() - start:.1f} s")
    sidecar = write_sidecar(ctx.output_dir("report"), ctx.spec.id, result)
    return _measurement(result, hit, max_records, [set_name(p, ctx.bundle.root) for p in train_files],
                        sidecar)


def write_sidecar(out_dir: Path | None, gate_id: str, result: dict) -> dict | None:
    """Every record of every set, most severe first, as JSONL next to report.json.

    Returns ``{"file": name relative to report.json, "records": count}``, or None when the
    run grants no report directory (a gate called outside ``gatekeeper check``).
    """
    if out_dir is None:
        return None
    records = sorted(({"set": s["name"]} | r for s in result["sets"] for r in s["records"]),
                     key=severity)
    name = f"contamination-{re.sub(r'[^A-Za-z0-9._-]+', '_', gate_id)}.jsonl"
    write_atomic(Path(out_dir) / name, "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                               for r in records))
    return {"file": name, "records": len(records)}


def _measurement(result: dict, cache_hit: bool, max_records: int, train_files: list[str],
                 sidecar: dict | None = None) -> Measurement:
    sets = result["sets"]
    flags = [float(f) for s in sets for f in s["hit_flags"]]
    found = [float(f) for s in sets for f in s["finding_flags"]]
    n = len(flags)
    hits = int(sum(flags))
    per_detector = {d: sum(s["by_detector"][d] for s in sets) for d in DETECTORS}
    metrics = {"hits": hits, "hit_rate": hits / n if n else 0.0,
               **{f"{d}_hits": per_detector[d] for d in DETECTORS},
               "near_copies": sum(s["near_copies"] for s in sets),
               "content_hits": sum(s["content_hits"] for s in sets), "findings": int(sum(found)),
               "finding_rate": sum(found) / n if n else 0.0}
    table = [{k: v for k, v in s.items() if k not in ("hit_flags", "finding_flags", "records", "lines")}
             | {"hit_rate": s["hits"] / s["items"] if s["items"] else 0.0,
                "finding_rate": s["findings"] / s["items"] if s["items"] else 0.0,
                "records": s["records"][:max_records], "records_left_out":
                max(0, len(s["records"]) - max_records)} for s in sets]
    details = {"sets": table, "train_files": train_files, "train_rows": result["train_rows"],
               "train_unreadable": result["train_unreadable"], "cache_hit": cache_hit,
               "sidecar": sidecar, "near_copy": result["near_copy"], "content": result.get("content"),
               "boilerplate": {k: v[:10] for k, v in result["boilerplate"].items()}}
    return Measurement(metrics=metrics, n=n, samples={"hit_rate": Samples(tuple(flags)),
                                                      "finding_rate": Samples(tuple(found))} if n else {},
                       details=details)
