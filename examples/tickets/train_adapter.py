"""Reproduce the demo bundle's LoRA adapter: SmolLM2-135M-Instruct fine-tuned on the
support-ticket golden set (golden_sets/tickets/train.jsonl) with TRL SFT + PEFT, on CPU.

    python examples/tickets/train_adapter.py            # ~30 min on 2 CPU cores (3 epochs)
    gatekeeper lock examples/tickets                    # re-pin the new adapter

Until `gatekeeper train` lands this script is the recipe; it reads the same hyper-parameters
from the bundle manifest's `train:` block so the manifest stays the single source.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def load_rows(path: Path, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def to_prompt_completion(rows: list[dict]) -> list[dict]:
    """Conversational prompt/completion pairs: TRL then computes loss on the answer only."""
    return [{"prompt": [{"role": "user", "content": r["prompt"]}],
             "completion": [{"role": "assistant", "content": r["target"]}]} for r in rows]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=HERE)
    parser.add_argument("--limit", type=int, help="train on the first N rows only (smoke runs)")
    parser.add_argument("--out", type=Path, help="adapter directory (default: the bundle's)")
    args = parser.parse_args(argv)

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from gatekeeper.model.builtin import builtin_dir

    manifest = yaml.safe_load((args.bundle / "gatekeeper.yaml").read_text("utf-8"))
    recipe, lora, sft = manifest["train"], manifest["train"]["lora"], manifest["train"]["sft"]
    torch.manual_seed(manifest.get("seed", 0))
    model_dir = builtin_dir(manifest["base"]["model"].split(":", 1)[1])
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    train = Dataset.from_list(to_prompt_completion(load_rows(args.bundle / recipe["data"], args.limit)))
    config = SFTConfig(
        output_dir=str(Path("/tmp") / "gatekeeper-train"), num_train_epochs=sft["epochs"],
        learning_rate=sft["learning_rate"], per_device_train_batch_size=sft["batch_size"],
        max_length=sft["max_length"], logging_steps=5, save_strategy="no", report_to=[],
        seed=manifest.get("seed", 0), use_cpu=True, bf16=False, lr_scheduler_type="cosine",
        warmup_steps=5, dataloader_num_workers=0,
        gradient_checkpointing=False)  # recomputation costs a third more; RAM is plentiful
    peft_config = LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
                             target_modules=lora["target_modules"], task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=model, args=config, train_dataset=train, peft_config=peft_config,
                         processing_class=tokenizer)
    start = time.time()
    trainer.train()
    out = args.out or (args.bundle / manifest["adapter"])
    trainer.model.save_pretrained(out, safe_serialization=True)
    losses = [{"step": e["step"], "loss": e["loss"]} for e in trainer.state.log_history if "loss" in e]
    # Beside the weights, so the lock covers it and the report can show the loss curve.
    (out / "training_log.json").write_text(json.dumps(
        {"loss_curve": losses, "train_seconds": round(time.time() - start, 1),
         "rows": len(train), "recipe": recipe}, indent=2) + "\n", "utf-8")
    print(f"adapter written to {out} in {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
