"""A tiny training bundle: 16 training rows, 8 validation rows, a few steps of training."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


CATEGORIES = ["billing", "shipping", "account", "technical"]


def rows(n: int, offset: int) -> str:
    out = []
    for i in range(offset, offset + n):
        cat = CATEGORIES[i % 4]
        out.append(json.dumps({"messages": [
            {"role": "user", "content": f"ticket {i}: my {cat} problem number {i}"},
            {"role": "assistant", "content": json.dumps({"category": cat})}], "category": cat}))
    return "\n".join(out) + "\n"


def make_bundle(root: Path, model_dir: Path, **recipe) -> Path:
    """A tiny bundle: 16 training rows, 8 validation rows, a few steps of training."""
    (root / "data").mkdir(parents=True)
    (root / "gates").mkdir()
    (root / "data" / "train.jsonl").write_text(rows(16, 0))
    (root / "data" / "val.jsonl").write_text(rows(8, 100))
    (root / "gates" / "g.yaml").write_text("gates: []\n")
    train = {"data": "data/train.jsonl", "eval_data": "data/val.jsonl", "task_field": "category",
             "lora": {"r": 4, "target_modules": ["q_proj", "v_proj"]},
             "sft": {"max_steps": 4, "batch_size": 4, "learning_rate": 1e-2, "max_length": 64,
                     "eval_steps": 2, "logging_steps": 1}}
    for key, value in recipe.items():
        train[key] = {**train.get(key, {}), **value} if isinstance(value, dict) else value
    manifest = {"name": "tiny", "version": "1.0.0", "base": {"model": str(model_dir)},
                "adapter": "adapter/", "train": train, "gates": ["gates/"], "seed": 0}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return root
