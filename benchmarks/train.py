"""Training throughput: LoRA vs QLoRA (nf4), and gatekeeper's overhead vs a plain TRL script.

    python benchmarks/train.py                       # the real model: 96 ticket rows, 12 steps
    python benchmarks/train.py --tiny --steps 20     # the in-process tiny Llama (plumbing check)

Every configuration trains the same rows with the same recipe (LoRA r=16 all-linear, batch 8,
max_length 128, lr 2e-3, seed 0, eval every steps/2) in its own subprocess, so peak memory
(max RSS on CPU, max allocated on CUDA) is that configuration's own:

  gatekeeper-lora    `gatekeeper train` on a bundle (tokenise + mask + proof + TRL + record + lock)
  gatekeeper-qlora   the same with quantization: nf4
  trl-lora           a plain TRL script: conversational prompt/completion rows, SFTTrainer with
                     completion-only loss, the same SFTConfig values, save_pretrained

Tokens/s counts the same trained tokens for all (rows x length up to max_length x epochs)
over the time of `trainer.train()`; "end to end" is the whole subprocess. Each configuration
runs --repeat times, interleaved, and the fastest run is kept. Compare ratios: other
processes on a shared machine slow every side.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

MODES = ("gatekeeper-lora", "gatekeeper-qlora", "trl-lora")
DATA = ROOT / "golden_sets" / "tickets" / "train.jsonl"
VAL = ROOT / "golden_sets" / "tickets" / "val.jsonl"


def recipe(steps: int, quantization: str | None, max_length: int) -> dict:
    return {"data": "data/train.jsonl", "eval_data": "data/val.jsonl", "quantization": quantization,
            "lora": {"r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"},
            "sft": {"max_steps": steps, "learning_rate": 2e-3, "batch_size": 8, "max_length": max_length,
                    "eval_steps": max(1, steps // 2), "logging_steps": max(1, steps // 4)}}


def make_bundle(root: Path, model: str, rows: int, steps: int, quantization: str | None,
                max_length: int) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "gates").mkdir(exist_ok=True)
    (root / "gates" / "g.yaml").write_text("gates: []\n")
    for src, name, n in ((DATA, "train.jsonl", rows), (VAL, "val.jsonl", max(8, rows // 6))):
        lines = src.read_text("utf-8").splitlines()[:n]
        (root / "data" / name).write_text("\n".join(lines) + "\n", "utf-8")
    manifest = {"name": "bench", "version": "1.0.0", "base": {"model": model}, "adapter": "adapter/",
                "train": recipe(steps, quantization, max_length), "gates": ["gates/"], "seed": 0}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return root


def worker(mode: str, bundle: Path, out: Path) -> None:
    """One configuration, measured inside its own process."""
    import resource

    t0 = time.monotonic()
    if mode.startswith("gatekeeper"):
        from gatekeeper.train.run import TrainOptions, train_bundle

        result = train_bundle(bundle, TrainOptions(device="cpu", work_dir=bundle / ".work",
                                                   relock=False, log=lambda m: None))
        rec = result.record
        train_s, tokens = rec["train_seconds"], rec["tokens"]["trained"]
    else:
        train_s, tokens = plain_trl(bundle)
    facts = {"mode": mode, "train_s": train_s, "end_to_end_s": time.monotonic() - t0, "tokens": tokens,
             "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    out.write_text(json.dumps(facts))


def plain_trl(bundle: Path) -> tuple[float, int]:
    """What a user would write with TRL alone, with the recipe's values."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, set_seed
    from trl import SFTConfig, SFTTrainer

    from gatekeeper.model.resolve import resolve_base

    manifest = yaml.safe_load((bundle / "gatekeeper.yaml").read_text())
    r, base = manifest["train"], resolve_base(manifest["base"]["model"]).path
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    set_seed(0)

    def rows(path):
        out = []
        for line in (bundle / path).read_text().splitlines():
            row = json.loads(line)
            out.append({"prompt": [{"role": "user", "content": row["prompt"]}],
                        "completion": [{"role": "assistant", "content": row["target"]}]})
        return Dataset.from_list(out)

    sft, lora = r["sft"], r["lora"]
    config = SFTConfig(output_dir=str(bundle / ".work-trl"), max_steps=sft["max_steps"],
                       learning_rate=sft["learning_rate"], lr_scheduler_type="cosine", warmup_steps=0.05,
                       per_device_train_batch_size=sft["batch_size"], per_device_eval_batch_size=sft["batch_size"],
                       max_length=sft["max_length"], logging_steps=sft["logging_steps"],
                       eval_strategy="steps", eval_steps=sft["eval_steps"], save_strategy="steps",
                       save_steps=sft["eval_steps"], save_total_limit=2, load_best_model_at_end=True,
                       metric_for_best_model="eval_loss", greater_is_better=False, seed=0, data_seed=0,
                       use_cpu=True, report_to=[], disable_tqdm=True, dataloader_num_workers=0)
    peft_config = LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
                             target_modules=lora["target_modules"], task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=model, args=config, train_dataset=rows("data/train.jsonl"),
                         eval_dataset=rows("data/val.jsonl"), processing_class=tokenizer,
                         peft_config=peft_config)
    t0 = time.monotonic()
    trainer.train()
    train_s = time.monotonic() - t0
    trainer.model.save_pretrained(str(bundle / "adapter-trl"))
    per_epoch = sum(min(len(x), sft["max_length"]) for x in trainer.train_dataset["input_ids"])
    return train_s, round(per_epoch * trainer.state.epoch)


def run(args) -> None:
    import tempfile

    model = args.model
    if args.tiny:
        from tiny import build_tiny_model

        model = str(build_tiny_model(Path(tempfile.mkdtemp(prefix="bench-tiny-")) / "model"))
    best: dict[str, dict] = {}
    for rep in range(args.repeat):
        for mode in MODES:
            tmp = Path(tempfile.mkdtemp(prefix=f"bench-{mode}-"))
            bundle = make_bundle(tmp / "b", model, args.rows, args.steps,
                                 "nf4" if mode.endswith("qlora") else None,
                                 512 if args.tiny else 128)  # the tiny tokenizer splits finely
            out = tmp / "facts.json"
            subprocess.run([sys.executable, __file__, "--worker", mode, "--bundle", str(bundle),
                            "--out", str(out)], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            facts = json.loads(out.read_text())
            print(f"run {rep + 1} {mode}: train {facts['train_s']:.1f}s, end to end "
                  f"{facts['end_to_end_s']:.1f}s, peak {facts['peak_rss_mb']:.0f} MB", flush=True)
            if mode not in best or facts["train_s"] < best[mode]["train_s"]:
                best[mode] = facts
    report(best, model, args)


def report(best: dict, model: str, args) -> None:
    print(f"\nmodel {model}, {args.rows} rows, {args.steps} steps, best of {args.repeat}")
    print(f"{'configuration':18} {'tokens/s':>9} {'train s':>8} {'end to end s':>13} {'peak MB':>8}")
    for mode in MODES:
        f = best[mode]
        print(f"{mode:18} {f['tokens'] / f['train_s']:9.1f} {f['train_s']:8.1f} "
              f"{f['end_to_end_s']:13.1f} {f['peak_rss_mb']:8.0f}")
    g, q, t = best["gatekeeper-lora"], best["gatekeeper-qlora"], best["trl-lora"]
    print(f"\nQLoRA vs LoRA: tokens/s x{(q['tokens'] / q['train_s']) / (g['tokens'] / g['train_s']):.2f}, "
          f"peak memory x{q['peak_rss_mb'] / g['peak_rss_mb']:.2f}")
    print(f"gatekeeper vs plain TRL: training loop x{g['train_s'] / t['train_s']:.3f} "
          f"({100 * (g['train_s'] / t['train_s'] - 1):+.1f}%), end to end "
          f"x{g['end_to_end_s'] / t['end_to_end_s']:.3f} "
          f"({100 * (g['end_to_end_s'] / t['end_to_end_s'] - 1):+.1f}%); target: within 5%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="builtin:smollm2-135m-instruct")
    parser.add_argument("--tiny", action="store_true", help="the in-process tiny Llama instead")
    parser.add_argument("--rows", type=int, default=96)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--bundle", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.bundle, args.out)
    else:
        run(args)


if __name__ == "__main__":
    main()
