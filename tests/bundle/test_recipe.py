"""The typed train recipe: defaults, every effective value, and bad recipes rejected at file:line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.core.errors import CollectionErrors
from gatekeeper.bundle.recipe import LoraSpec, Recipe, SftSpec, parse_recipe, set_key

ROW = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}


def write(root: Path, train_yaml: str, *, base: str = "builtin:smollm2-135m-instruct") -> Path:
    """A bundle whose manifest ends with ``train_yaml`` (indented block text)."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "gates").mkdir(exist_ok=True)
    (root / "gates" / "g.yaml").write_text("gates: []\n")
    for name in ("train.jsonl", "val.jsonl", "general.jsonl"):
        (root / "data" / name).write_text(json.dumps(ROW) + "\n")
    (root / "gatekeeper.yaml").write_text(
        f"name: t\nversion: 1.0.0\nbase: {{model: '{base}'}}\nadapter: adapter/\n"
        f"gates: [gates/]\ntrain:\n{train_yaml}")
    return root


def errors_of(root: Path) -> list[str]:
    with pytest.raises(CollectionErrors) as info:
        load_bundle(root, allow_missing_adapter=True)
    return [str(e) for e in info.value.errors]


def test_defaults_are_the_seeds_practice(tmp_path):
    bundle = load_bundle(write(tmp_path, "  data: data/train.jsonl\n"), allow_missing_adapter=True)
    recipe = bundle.recipe
    assert recipe.lora == LoraSpec() and recipe.sft == SftSpec()
    assert recipe.lora.effective_alpha == 2 * recipe.lora.r == 16
    assert recipe.sft.lr_scheduler == "cosine" and recipe.sft.learning_rate == 2e-4
    assert recipe.data == (tmp_path / "data" / "train.jsonl").resolve()
    settings = recipe.to_dict()
    assert settings["lora"]["alpha"] == 16 and settings["sft"]["epochs"] == 2.0


def test_full_recipe_is_typed(tmp_path):
    root = write(tmp_path, "  data: data/train.jsonl\n  eval_data: data/val.jsonl\n  task_field: kind\n"
                           "  mix: {data: data/general.jsonl, fraction: 0.2}\n  quantization: nf4\n"
                           "  lora: {r: 4, alpha: 4, dropout: 0, target_modules: [q_proj], top_layers: 2}\n"
                           "  sft: {epochs: 1, learning_rate: 1, batch_size: 2, packing: true}\n")
    recipe = load_bundle(root, allow_missing_adapter=True).recipe
    assert recipe.lora == LoraSpec(r=4, alpha=4, dropout=0.0, target_modules=("q_proj",), top_layers=2)
    assert recipe.sft.epochs == 1.0 and isinstance(recipe.sft.learning_rate, float)
    assert recipe.mix.fraction == 0.2 and recipe.mix.data.name == "general.jsonl"
    assert recipe.quantization == "nf4" and recipe.task_field == "kind" and recipe.sft.packing is True


def test_fingerprint_changes_with_settings_not_with_paths(tmp_path):
    a = Recipe(data=Path("/x/a.jsonl"))
    assert a.fingerprint() == Recipe(data=Path("/y/b.jsonl")).fingerprint()
    assert a.fingerprint() != Recipe(data=Path("/x/a.jsonl"), lora=LoraSpec(r=16)).fingerprint()


@pytest.mark.parametrize("block, expected, line", [
    ("  data: data/train.jsonl\n  sft: {epoch: 2}\n", "train.sft.epoch: unknown key", 8),
    ("  data: data/train.jsonl\n  lora:\n    r: 0\n", "train.lora.r: must be > 0", 9),
    ("  data: data/train.jsonl\n  sft:\n    learning_rate: fast\n", "train.sft.learning_rate: must be int/float", 9),
    ("  data: data/train.jsonl\n  sft:\n    batch_size: true\n", "train.sft.batch_size: must be a number", 9),
    ("  data: data/train.jsonl\n  sft:\n    lr_scheduler: cosin\n", "must be one of cosine", 9),
    ("  data: data/missing.jsonl\n", "train.data: file 'data/missing.jsonl' not found", 7),
    ("  data: ../outside.jsonl\n", "leaves the bundle", 7),
    ("  data: data/train.jsonl\n  lora: {target_modules: []}\n", "non-empty list of module names", 8),
    ("  data: data/train.jsonl\n  mix: {fraction: 0.2}\n", "train.mix: needs `data:`", 8),
    ("  data: data/train.jsonl\n  mix: {data: data/general.jsonl, fraction: 1.5}\n", "must be in (0, 1)", 8),
    ("  eval_data: data/val.jsonl\n", "train: needs `data:`", 6),
    ("  data: data/train.jsonl\n  sft: {early_stopping_patience: 2}\n", "needs `eval_data`", 8),
])
def test_bad_recipe_is_a_config_error_at_its_line(tmp_path, block, expected, line):
    (tmp_path.parent / "outside.jsonl").write_text(json.dumps(ROW) + "\n")
    messages = errors_of(write(tmp_path, block))
    assert any(expected in m and f"gatekeeper.yaml:{line}:" in m for m in messages), messages


def test_unknown_key_suggests_the_spelling(tmp_path):
    messages = errors_of(write(tmp_path, "  data: data/train.jsonl\n  sft: {learnig_rate: 1.0e-4}\n"))
    assert any("did you mean 'learning_rate'" in m for m in messages), messages


def test_every_problem_is_reported_together(tmp_path):
    messages = errors_of(write(tmp_path, "  data: data/train.jsonl\n  lora: {r: -1, dropout: 2}\n"
                                         "  sft: {epochs: 0, bogus: 1}\n"))
    assert len(messages) == 4


def test_plain_dict_parses_without_lines(tmp_path):
    write(tmp_path, "  data: data/train.jsonl\n")
    block = set_key({"data": "data/train.jsonl", "lora": {"r": 8}}, "lora.r", 16)
    recipe, errors = parse_recipe(block, root=tmp_path)
    assert errors == [] and recipe.lora.r == 16
    recipe, errors = parse_recipe(set_key(block, "sft.epochs", "x"), root=tmp_path)
    assert recipe is None and "train.sft.epochs" in str(errors[0])


def test_cli_rejects_a_bad_recipe_before_any_model_loads(tmp_path):
    """A base model that does not exist would fail on load: the recipe error must come first."""
    root = write(tmp_path, "  data: data/train.jsonl\n  sft: {epochs: -1}\n", base=str(tmp_path / "no-model"))
    proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli", "train", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 4, proc.stderr
    assert "gatekeeper.yaml:8: train.sft.epochs: must be > 0" in proc.stderr
    assert "Traceback" not in proc.stderr and "no-model" not in proc.stderr


def test_cli_rejects_bad_training_rows_at_their_line(tmp_path):
    root = write(tmp_path, "  data: data/train.jsonl\n", base=str(tmp_path / "no-model"))
    (root / "data" / "train.jsonl").write_text(json.dumps(ROW) + "\n" + json.dumps({"text": "x"}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "gatekeeper.cli", "train", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 4, proc.stderr
    assert "train.jsonl:2:" in proc.stderr and "neither 'messages' nor 'prompt' + 'completion'" in proc.stderr
    assert "Traceback" not in proc.stderr
