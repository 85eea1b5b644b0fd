"""What a training run leaves behind: training.json, the adapter swap, the fingerprint.

``training.json`` sits inside ``adapter/`` so the lock covers it and it travels (and is moved
aside) with the weights it describes. Its ``inputs_fingerprint`` covers everything that
decides the weights: recipe, data, base model, chat template, seed. ``gatekeeper check
--train`` retrains when it differs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from gatekeeper.core.atomic import write_atomic
from gatekeeper.bundle.manifest import Bundle
from gatekeeper.bundle.lock import file_digest
from gatekeeper.bundle.training import RECORD, find_record

RECORD_VERSION = 1
PREVIOUS_DIR = "previous_adapters"


def data_identity(path: Path | None, bundle: Bundle, rows: int | None = None) -> dict | None:
    if path is None:
        return None
    out: dict[str, str | int] = {"path": _rel(path, bundle.root), "sha256": file_digest(path)}
    if rows is not None:
        out["rows"] = rows
    return out


def _rel(path: Path, root: Path) -> str:
    import os

    return os.path.relpath(path, root)


def inputs_fingerprint(bundle: Bundle, base_fingerprint: str, tokenizer_fingerprint: str) -> str:
    """One sha256 over recipe, data, base model, chat template and seed."""
    recipe = bundle.recipe
    assert recipe is not None, "only bundles with a train: block are trained"
    parts = [recipe.fingerprint(), base_fingerprint, tokenizer_fingerprint, f"seed={bundle.seed}"]
    for path in (recipe.data, recipe.eval_data, recipe.mix.data if recipe.mix else None,
                 bundle.chat_template):
        parts.append(file_digest(path) if path else "-")
    return "sha256:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_record(adapter_dir: Path | None) -> dict | None:
    """The training record beside an adapter, or None when there is none (or it is unreadable)."""
    return find_record(adapter_dir, legacy=False)


def merged_curve(log_history: list[dict]) -> list[dict]:
    """Train and eval losses by step in one list (the report charts both from it)."""
    by_step: dict[int, dict] = {}
    for entry in log_history:
        step = entry.get("step")
        for key in ("loss", "eval_loss"):
            if step is not None and isinstance(entry.get(key), (int, float)):
                by_step.setdefault(step, {"step": step})[key] = round(float(entry[key]), 6)
    return [by_step[s] for s in sorted(by_step)]


def best_checkpoint(state, has_eval: bool) -> dict:
    """Which evaluation was best and whether the saved adapter is that checkpoint."""
    evals = [e for e in state.log_history if "eval_loss" in e]
    if not has_eval or not evals:
        return {"step": None, "eval_loss": None, "adapter_is_best": None}
    best = min(evals, key=lambda e: e["eval_loss"])
    restored = bool(state.best_model_checkpoint)
    return {"step": best["step"], "eval_loss": round(best["eval_loss"], 6),
            "adapter_is_best": restored or evals[-1]["step"] == best["step"],
            "checkpoint": Path(state.best_model_checkpoint).name if restored else None}


def install_adapter(bundle: Bundle, new_dir: Path, record: dict) -> Path | None:
    """Write the record into ``new_dir``, move the old adapter aside by its hash, move in the new.

    Returns where the previous adapter went (None when there was none).
    """
    write_atomic(new_dir / RECORD, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    (new_dir / "README.md").unlink(missing_ok=True)  # peft's model-card boilerplate, not evidence
    target = bundle.adapter
    assert target is not None, "a trained bundle names its adapter directory"
    moved = None
    if target.exists():
        weights = sorted(target.glob("*.safetensors")) or sorted(p for p in target.rglob("*") if p.is_file())
        digest = file_digest(weights[0]).split(":")[1][:12] if weights else "empty"
        moved = bundle.root / PREVIOUS_DIR / f"{target.name}-{digest}"
        if moved.exists():
            shutil.rmtree(moved)  # the same weights were kept before
        moved.parent.mkdir(exist_ok=True)
        target.rename(moved)
    new_dir.rename(target)
    return moved


def relock(bundle_root: Path) -> Path:
    """Re-pin the bundle after its adapter changed (the recipe and data are pinned with it)."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.lock import write_lock
    from gatekeeper.bundle.lock import base_identity

    bundle = load_bundle(bundle_root)
    return write_lock(bundle, collect_gates(bundle, load_catalog()), base_identity(bundle))


def training_record(prep, trainer, facts: dict) -> dict:
    """training.json: effective config, data hashes, base identity, versions, curves, proofs."""
    from gatekeeper.bundle.lock import library_versions

    bundle, recipe, state = prep.bundle, prep.bundle.recipe, trainer.state
    has_eval = prep.eval_tokens is not None
    per_epoch = max(1, facts["plan"]["planned_steps"] / max(recipe.sft.epochs, 1e-9)) \
        if not recipe.sft.max_steps else None
    epochs_done = state.epoch or 0.0
    tokens = round(facts["plan"]["tokens_per_epoch"] * epochs_done)
    settings = recipe.to_dict()
    for key in ("data", "eval_data"):
        settings[key] = _rel(Path(settings[key]), bundle.root) if settings[key] else None
    if settings.get("mix"):
        settings["mix"]["data"] = _rel(Path(settings["mix"]["data"]), bundle.root)
    best = best_checkpoint(state, has_eval)
    return {
        "record_version": RECORD_VERSION,
        "bundle": {"name": bundle.name, "version": bundle.version},
        "started": facts["started"], "train_seconds": round(facts["train_seconds"], 1),
        "total_seconds": round(facts["total_seconds"], 1),
        "inputs_fingerprint": prep.fingerprint, "seed": bundle.seed, "recipe": settings,
        "data": {"train": data_identity(recipe.data, bundle, sum(e.task != "mix" for e in prep.examples)),
                 "eval": data_identity(recipe.eval_data, bundle, len(prep.eval_tokens or [])),
                 "mix": data_identity(recipe.mix.data, bundle, sum(e.task == "mix" for e in prep.examples))
                 if recipe.mix else None},
        "base": {"model": bundle.base.model, "identity": prep.base.identity,
                 "fingerprint": prep.base.fingerprint,
                 "tokenizer_fingerprint": prep.base.tokenizer_fingerprint},
        "chat_template": _rel(bundle.chat_template, bundle.root) if bundle.chat_template else "tokenizer",
        "template_profile": _template_profile(prep.tokenizer),
        "device": facts["device"], "dtype": facts["dtype"], "quantization": recipe.quantization,
        "libraries": library_versions(),
        "steps": {"planned": facts["plan"]["planned_steps"], "done": state.global_step,
                  "epochs_done": round(epochs_done, 3), "eval_interval": facts["plan"]["eval_interval"],
                  "per_epoch": round(per_epoch, 2) if per_epoch else None},
        "early_stopped": state.global_step < facts["plan"]["planned_steps"],
        "parameters": facts["counts"],
        "tokens": {"trained": tokens, "per_second": round(tokens / max(facts["train_seconds"], 1e-9), 1)},
        "peak_memory_mb": peak_memory_mb(facts["device"]),
        "loss_curve": merged_curve(state.log_history), "best": best,
        "mask_proof": facts["proof"], "truncation": prep.truncation,
    }


def _template_profile(tokenizer) -> dict:
    """The chat template as trained (what the chat_template gate compares with serving)."""
    from gatekeeper.model.template import profile

    return profile(tokenizer)


def peak_memory_mb(device: str) -> float:
    """Peak memory of this process: CUDA allocations on GPU, resident set size on CPU."""
    if device == "cuda":
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
