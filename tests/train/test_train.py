"""`gatekeeper train` on the tiny model: adapter + training.json + lock, resume, QLoRA, staleness."""

from __future__ import annotations

import json
import signal
import shutil
from pathlib import Path

import pytest
import yaml

from gatekeeper.train.record import RECORD, read_record
from gatekeeper.train.run import TrainOptions, stale_reason, train_bundle
from testkit.tiny import build_tiny_model
from testkit.training import CATEGORIES, make_bundle


def options(tmp_path: Path, **kw) -> TrainOptions:
    return TrainOptions(device="cpu", work_dir=tmp_path / "work", relock=False, log=lambda m: None, **kw)


def adapter_tensors(adapter_dir: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(adapter_dir / "adapter_model.safetensors"))


@pytest.fixture(scope="module")
def trained(tiny_model_dir, tmp_path_factory):
    """One uninterrupted 4-step run, shared by the tests that only read its outputs."""
    tmp = tmp_path_factory.mktemp("trained")
    root = make_bundle(tmp / "bundle", tiny_model_dir)
    result = train_bundle(root, options(tmp))
    return root, result


def test_train_writes_adapter_and_a_complete_record(trained):
    root, result = trained
    assert result.status == "complete" and result.exit_code == 0
    assert (root / "adapter" / "adapter_model.safetensors").is_file()
    rec = read_record(root / "adapter")
    assert rec == result.record
    assert rec["steps"]["done"] == 4 and rec["recipe"]["lora"]["alpha"] == 8
    assert rec["recipe"]["data"] == "data/train.jsonl"
    assert rec["data"]["train"]["rows"] == 16 and rec["data"]["train"]["sha256"].startswith("sha256:")
    assert rec["mask_proof"]["passed"] and rec["mask_proof"]["answer_tokens_trained"] > 0
    assert set(rec["truncation"]["by_task"]) == set(CATEGORIES)
    curve = rec["loss_curve"]
    assert [p["step"] for p in curve if "eval_loss" in p] == [2, 4]
    assert all("loss" in p for p in curve)
    assert rec["best"]["adapter_is_best"] is True and rec["best"]["step"] in (2, 4)
    assert rec["libraries"]["trl"] and rec["base"]["fingerprint"]
    assert rec["parameters"]["trainable"] > 0 and rec["peak_memory_mb"] > 0
    assert rec["tokens"]["trained"] > 0
    assert rec["template_profile"]["eos"] == "<|im_end|>" and rec["chat_template"] == "tokenizer"


def test_fresh_adapter_is_current_and_a_recipe_change_makes_it_stale(trained, tmp_path):
    from gatekeeper.bundle.manifest import load_bundle

    root, _ = trained
    assert stale_reason(load_bundle(root)) is None
    copy = shutil.copytree(root, tmp_path / "copy")
    manifest = yaml.safe_load((copy / "gatekeeper.yaml").read_text())
    manifest["train"]["lora"]["r"] = 8
    (copy / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert "recipe" in stale_reason(load_bundle(copy))
    (copy / "adapter" / RECORD).unlink()
    assert "not trained by gatekeeper" in stale_reason(load_bundle(copy))


def test_retraining_moves_the_previous_adapter_aside_by_its_hash(tiny_model_dir, tmp_path):
    root = make_bundle(tmp_path / "b", tiny_model_dir, sft={"max_steps": 2, "eval_steps": 1})
    train_bundle(root, options(tmp_path))
    first = adapter_tensors(root / "adapter")
    manifest = yaml.safe_load((root / "gatekeeper.yaml").read_text())
    manifest["seed"] = 1
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    result = train_bundle(root, options(tmp_path))
    assert result.previous.parent == root / "previous_adapters"
    assert result.previous.name.startswith("adapter-")
    kept = adapter_tensors(result.previous)
    assert all((kept[k] == first[k]).all() for k in first)


class InterruptAt:
    """Behaves like a user pressing Ctrl-C during step ``step``."""

    def __new__(cls, step: int):
        from transformers import TrainerCallback

        class Interrupt(TrainerCallback):
            def on_step_begin(self, args, state, control, **kwargs):
                if state.global_step == step - 1:
                    signal.raise_signal(signal.SIGINT)

        return Interrupt()


def test_resume_after_ctrl_c_gives_the_uninterrupted_adapter(trained, tiny_model_dir, tmp_path):
    reference = adapter_tensors(trained[0] / "adapter")
    root = make_bundle(tmp_path / "b", tiny_model_dir)
    stopped = train_bundle(root, options(tmp_path, callbacks=(InterruptAt(3),)))
    assert stopped.status == "interrupted" and stopped.exit_code == 2
    assert stopped.checkpoint is not None and stopped.checkpoint.name == "checkpoint-3"
    assert not (root / "adapter").exists()
    resumed = train_bundle(root, options(tmp_path, resume=True))
    assert resumed.status == "complete" and resumed.record["steps"]["done"] == 4
    got = adapter_tensors(root / "adapter")
    assert got.keys() == reference.keys()
    for key in reference:
        assert (got[key] == reference[key]).all(), key


def test_resume_refuses_other_inputs(trained, tiny_model_dir, tmp_path):
    from gatekeeper.core.errors import UsageError

    root = make_bundle(tmp_path / "b", tiny_model_dir)
    with pytest.raises(UsageError, match="no checkpoint to resume from"):
        train_bundle(root, options(tmp_path, resume=True))


def test_qlora_trains_saves_reloads_and_generates(tiny_model_dir, tmp_path):
    """nf4 base + LoRA on CPU through the same code path as CUDA."""
    from gatekeeper.model.loading import load_model
    from gatekeeper.model.resolve import resolve_base

    root = make_bundle(tmp_path / "b", tiny_model_dir, quantization="nf4",
                       sft={"max_steps": 2, "eval_steps": 1})
    result = train_bundle(root, options(tmp_path))
    assert result.record["quantization"] == "nf4" and result.record["mask_proof"]["passed"]
    base = resolve_base(str(tiny_model_dir))
    model = load_model(base, adapter_dir=root / "adapter", dtype="float32", device="cpu",
                       quantization="nf4", trust_remote_code=False)
    assert getattr(model.base_model.model, "is_loaded_in_4bit", False)
    from testkit.tiny import build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer()
    ids = tokenizer("ticket 1: my billing problem", return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=4, do_sample=False)
    assert out.shape[1] == ids["input_ids"].shape[1] + 4


def _fit_base_to(model_dir: Path, texts: list[str], steps: int = 40) -> None:
    """Fine-tune the whole tiny base on ``texts`` (plain torch), so it already predicts them."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    batch = tok(texts, return_tensors="pt", padding=True)
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    torch.manual_seed(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(steps):
        model(**batch, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.save_pretrained(model_dir, safe_serialization=True)


def test_early_stopping_restores_the_best_checkpoint(tmp_path):
    """Validation loss rises by construction, on any CPU: the base already fits the validation
    answers, and training teaches contradicting answers to the same prompts."""
    from transformers import AutoTokenizer

    def ticket_rows(shift: int) -> list[dict]:
        return [{"messages": [{"role": "user", "content": f"ticket {i}: my problem number {i}"},
                              {"role": "assistant", "content": json.dumps({"category": CATEGORIES[(i + shift) % 4]})}],
                 "category": CATEGORIES[(i + shift) % 4]} for i in range(8)]

    model_dir = build_tiny_model(tmp_path / "model")
    validation, contradicting = ticket_rows(1), ticket_rows(0)
    tok = AutoTokenizer.from_pretrained(model_dir)
    _fit_base_to(model_dir, [tok.apply_chat_template(r["messages"], tokenize=False) for r in validation])
    root = make_bundle(tmp_path / "b", model_dir,
                       sft={"max_steps": 8, "eval_steps": 1, "learning_rate": 0.1,
                            "early_stopping_patience": 2})
    (root / "data" / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in contradicting * 2))
    (root / "data" / "val.jsonl").write_text("".join(json.dumps(r) + "\n" for r in validation))
    rec = train_bundle(root, options(tmp_path)).record
    evals = [p["eval_loss"] for p in rec["loss_curve"] if "eval_loss" in p]
    assert evals == sorted(evals) and evals[0] < evals[-1]  # it rose, as constructed
    assert rec["early_stopped"] and rec["steps"]["done"] == 3 and rec["best"]["step"] == 1
    assert rec["best"]["adapter_is_best"] and rec["best"]["checkpoint"] == "checkpoint-1"


def test_packing_trains_with_the_mask_proven_per_example(tiny_model_dir, tmp_path):
    root = make_bundle(tmp_path / "b", tiny_model_dir,
                       sft={"max_steps": 2, "eval_steps": 1, "packing": True, "max_length": 128})
    rec = train_bundle(root, options(tmp_path)).record
    assert rec["recipe"]["sft"]["packing"] is True and rec["steps"]["done"] == 2
    assert rec["mask_proof"]["passed"] and rec["mask_proof"]["examples"] == 8


def test_scoring_only_answer_positions_changes_the_cost_not_the_loss(tiny_model_dir, tmp_path, monkeypatch):
    """TRL's fused LM head on CPU scores every position unless told otherwise; gatekeeper
    drops the unlabelled ones (loop.answer_positions_only). Same losses either way."""
    from contextlib import nullcontext

    import torch
    from trl.trainer import utils as trl_utils

    from gatekeeper.train import loop

    original = trl_utils._use_triton
    with loop.answer_positions_only("cpu"):
        assert trl_utils._use_triton(torch.device("cpu")) is True
    assert trl_utils._use_triton is original and original(torch.device("cpu")) is False

    sft = {"max_steps": 3, "eval_steps": 3, "logging_steps": 1}
    compact = train_bundle(make_bundle(tmp_path / "a", tiny_model_dir, sft=sft), options(tmp_path / "a"))
    monkeypatch.setattr(loop, "answer_positions_only", lambda device: nullcontext())
    full = train_bundle(make_bundle(tmp_path / "b", tiny_model_dir, sft=sft), options(tmp_path / "b"))
    a, b = compact.record["loss_curve"], full.record["loss_curve"]
    assert [p["step"] for p in a] == [p["step"] for p in b] and len(a) == 3
    for x, y in zip(a, b, strict=True):
        assert x["loss"] == pytest.approx(y["loss"], rel=1e-4, abs=1e-6)
    assert a[-1]["eval_loss"] == pytest.approx(b[-1]["eval_loss"], rel=1e-4, abs=1e-6)
