"""``gatekeeper sweep BUNDLE --rank 4,8,16``: one adapter per setting, each gated, one comparison.

Every setting is validated before anything trains. Each one is trained in a sibling copy of
the bundle (same depth, so relative data and gate paths still resolve), checked like
``gatekeeper check``, and its adapter kept under the sweep directory. The comparison lists
the target metric, every gate's outcome and metric, trainable parameters, adapter size,
train time and peak memory, and recommends a setting with the reason (ML-GAP-039: the
rank is chosen by evidence).
"""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from gatekeeper.core.atomic import write_atomic
from gatekeeper.bundle.manifest import MANIFEST, Bundle, load_bundle
from gatekeeper.core.errors import CollectionErrors, ConfigError
from gatekeeper.bundle.recipe import parse_recipe, set_key

SKIP = ("previous_adapters", "gatekeeper.lock")


@dataclass(frozen=True)
class SweepOptions:
    target: str | None = None       # GATE_ID.METRIC to maximise
    keyword: str | None = None
    out_dir: Path | None = None
    device: str = "auto"


@dataclass(frozen=True)
class SweepResult:
    rows: list
    recommended: dict | None
    why: str
    out_dir: Path
    summary: str
    exit_code: int


def sweep_bundle(bundle_dir, axes: list[tuple[str, list]], options: SweepOptions = SweepOptions()) -> SweepResult:
    """Train, check and compare one adapter per combination of the axes' values."""
    bundle = load_bundle(bundle_dir, allow_missing_adapter=True)
    settings = [dict(zip([k for k, _ in axes], values)) for values in itertools.product(*[v for _, v in axes])]
    blocks = [_block(bundle, s) for s in settings]
    out = options.out_dir or Path("reports") / f"{bundle.name}-sweep-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    rows = [_run_one(bundle, setting, block, out, options) for setting, block in zip(settings, blocks)]
    target = options.target or _default_target(rows)
    recommended, why = recommend(rows, target)
    table = render_markdown(rows, target, recommended, why)
    write_atomic(out / "sweep.json", json.dumps({"target": target, "rows": rows, "recommended": recommended,
                                                 "why": why}, indent=2) + "\n")
    write_atomic(out / "sweep.md", table)
    return SweepResult(rows, recommended, why, out, table + f"\nwritten to {out}/sweep.md", 0)


def _block(bundle: Bundle, setting: dict) -> dict:
    """The train block with the setting applied, validated (errors name the --set key)."""
    block = dict(bundle.train or {})
    for key, value in setting.items():
        block = set_key(block, key, value)
        if key == "lora.r" and "lora.alpha" not in setting:
            block = set_key(block, "lora.alpha", 2 * int(value)) if isinstance(value, int) else block
    _, errors = parse_recipe(block, root=bundle.root, allowed_roots=bundle.data_roots)
    if errors:
        raise CollectionErrors([ConfigError(f"sweep setting {_slug(setting)}: {e.message}",
                                            hint=e.hint) for e in errors])
    return block


def _run_one(bundle: Bundle, setting: dict, block: dict, out: Path, options: SweepOptions) -> dict:
    from gatekeeper.commands.check import CheckOptions, run_check
    from gatekeeper.core.options import EngineOptions
    from gatekeeper.train.run import TrainOptions, train_bundle

    slug = _slug(setting)
    copy = bundle.root.parent / f".{bundle.root.name}.sweep-{slug}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(bundle.root, copy, ignore=shutil.ignore_patterns(
        *SKIP, bundle.adapter.name if bundle.adapter else "adapter"))
    manifest = dict(bundle.manifest, train=block)
    (copy / MANIFEST).write_text(yaml.safe_dump(manifest, sort_keys=False), "utf-8")
    try:
        trained = train_bundle(copy, TrainOptions(device=options.device))
        if trained.status != "complete":
            raise KeyboardInterrupt("sweep interrupted while training " + slug)
        check = run_check(copy, CheckOptions(out_dir=out / slug, keyword=options.keyword,
                                             engine=EngineOptions(device=options.device)))
        adapter = out / slug / "adapter"
        shutil.rmtree(adapter, ignore_errors=True)
        shutil.copytree(copy / (bundle.adapter.name if bundle.adapter else "adapter"), adapter)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    rec = trained.record
    assert rec is not None, "a complete training run has a record"
    weights = adapter / "adapter_model.safetensors"
    return {"setting": setting, "slug": slug, "verdict": check.report["verdict"],
            "exit_code": check.exit_code, "gates": _gates(check.report),
            "trainable_params": rec["parameters"]["trainable"],
            "adapter_bytes": weights.stat().st_size if weights.is_file() else None,
            "train_seconds": rec["train_seconds"], "peak_memory_mb": rec["peak_memory_mb"],
            "best_eval_loss": rec["best"]["eval_loss"], "report": str(out / slug / "report.json")}


def _gates(report: dict) -> dict:
    out = {}
    for gate in report["gates"]:
        metrics = (gate.get("measurement") or {}).get("metrics") or {}
        metric = ((gate.get("threshold") or {}).get("metric")
                  or (gate.get("comparison") or {}).get("metric") or next(iter(metrics), None))
        out[gate["id"]] = {"outcome": gate["outcome"], "severity": gate["severity"], "metric": metric,
                           "value": metrics.get(metric), "metrics": metrics}
    return out


def _default_target(rows: list) -> str | None:
    for gate_id, gate in (rows[0]["gates"] if rows else {}).items():
        if gate["severity"] == "block" and gate["metric"]:
            return f"{gate_id}.{gate['metric']}"
    return None


def _value(row: dict, target: str | None):
    if not target:
        return None
    gate_id, _, metric = target.rpartition(".")
    return ((row["gates"].get(gate_id) or {}).get("metrics") or {}).get(metric)


def recommend(rows: list, target: str | None) -> tuple[dict | None, str]:
    """The passing setting with the best target; ties go to fewer trainable parameters."""
    passing = [r for r in rows if r["exit_code"] == 0]
    pool = passing or rows
    scored = [r for r in pool if _value(r, target) is not None]
    if not scored:
        return None, f"no setting measured the target {target!r}"
    best = max(scored, key=lambda r: (_value(r, target), -r["trainable_params"]))
    ties = [r for r in scored if _value(r, target) == _value(best, target)]
    why = (f"{best['slug']}: highest {target} ({_value(best, target):.4g})"
           + (" among the settings that pass every blocking gate" if passing else
              "; no setting passes every blocking gate")
           + (f"; {len(ties)} settings tie, the one with the fewest trainable parameters is chosen"
              if len(ties) > 1 else ""))
    return best, why


def render_markdown(rows: list[dict], target: str | None, recommended: dict | None, why: str) -> str:
    gates = list(rows[0]["gates"]) if rows else []
    head = ["setting", f"target {target}", "verdict", *gates, "trainable params", "adapter MB",
            "train s", "peak MB", "best eval loss"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [f"**{r['slug']}**" if recommended is r else r["slug"], _fmt(_value(r, target)), r["verdict"]]
        cells += [f"{r['gates'][g]['outcome']} {_fmt(r['gates'][g]['value'])}" for g in gates]
        cells += [f"{r['trainable_params']:,}", _fmt((r["adapter_bytes"] or 0) / 2**20),
                  _fmt(r["train_seconds"]), _fmt(r["peak_memory_mb"]), _fmt(r["best_eval_loss"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(["# Sweep", "", *lines, "", f"Recommended: {why}", ""])


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


def _slug(setting: dict) -> str:
    return "_".join(f"{k.rsplit('.', 1)[-1]}-{v}" for k, v in setting.items()).replace("/", "-")
