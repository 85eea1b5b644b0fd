"""Merge a LoRA adapter into a fresh copy of the base and compare it with the unmerged model.

What ships is often the merged model, not base + adapter; a merge that changes behaviour
(a wrong scaling, a lossy re-quantization, the bitsandbytes CPU repack below) is invisible
to every gate that evaluated the adapter. These functions build the merged artifact and
measure how far it is from the unmerged candidate, position by position.

The artifact, by quantization:
    none  base in its dtype + adapter, ``merge_and_unload()`` (W + scale * B @ A).
    nf4   "dequantized": the nf4 base is dequantized *before any forward pass* and the
          adapter merged into that 16/32-bit copy. Its weights equal the ones the QLoRA
          candidate computes with, so the merge itself adds no quantization error.
          "requantized" (peft's merge into the 4-bit layers) re-rounds every merged
          weight to nf4 and is measurably lossy; it is offered to measure, not advised.

Trap (bitsandbytes 0.50.2, CPU): on CPUs with AVX512-BF16 the first forward pass repacks
4-bit weights in place for that kernel; merging such a model writes the LoRA delta into the
repacked layout and corrupts it (top-1 agreement 0.0 on SmolLM2). ``is_repacked`` detects a
repack (AVX2-only CPUs have no such kernel and never repack) and ``assert_mergeable``
refuses a repacked model.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.core.errors import ModelError

# Per compute dtype: what "equivalent" means, and where the number comes from.
TOLERANCES: dict[str, dict[str, Any]] = {
    "float32": {"max_abs_logit_diff": 1e-3, "top1_agreement": 1.0,
                "source": "peft's merge tests compare fp32 logits with allclose at 1e-4 on tiny "
                          "models; on SmolLM2-135M (30 layers) + the demo adapter the fp32 merge "
                          "moved logits by at most 7.8e-5 (measured), so 1e-3 leaves headroom "
                          "and still catches a wrong scaling by orders of magnitude"},
    "bfloat16": {"max_abs_logit_diff": None, "top1_agreement": 0.98,
                 "source": "bf16 keeps 8 mantissa bits, so merged and unmerged round differently; "
                           "measured on SmolLM2-135M: top-1 agreement 0.984 (DESIGN §9)"},
    "float16": {"max_abs_logit_diff": None, "top1_agreement": 0.99,
                "source": "measured on SmolLM2-135M: fp16 top-1 agreement 0.996 (DESIGN §9)"},
    "nf4": {"max_abs_logit_diff": None, "top1_agreement": 0.98,
            "source": "the unmerged QLoRA candidate runs bitsandbytes' 4-bit CPU kernel, which "
                      "computes in bf16: compare like bf16 (the dequantized merge agreed on "
                      "top-1 1.0 on the tiny test model, max logit diff ~0.1)"},
}
ARTIFACTS = ("auto", "merged", "dequantized", "requantized")


def tolerance_for(dtype: str, quantization: str | None) -> dict:
    return dict(TOLERANCES["nf4" if quantization == "nf4" else dtype], dtype=dtype,
                quantization=quantization)


def is_repacked(model) -> bool:
    """Whether a bitsandbytes 4-bit weight was repacked for the CPU kernel (a forward ran)."""
    for module in model.modules():
        state = getattr(getattr(module, "weight", None), "quant_state", None)
        if state is not None and getattr(state, "packing_format_for_cpu", False):
            return True
    return False


def assert_mergeable(model) -> None:
    if is_repacked(model):
        raise ModelError("refusing to merge a 4-bit model that has already run a forward pass: "
                         "bitsandbytes repacked its weights in place for the CPU kernel, and a "
                         "merge now would corrupt them (top-1 agreement 0.0)",
                         hint="merge a freshly loaded model (ctx.models.load_fresh) before any forward")


def merge_peft(peft_model, *, guard: bool = True):
    """``merge_and_unload`` of a fresh PeftModel (4-bit layers are re-quantized by peft)."""
    if guard:
        assert_mergeable(peft_model)
    return peft_model.merge_and_unload().eval()


def dequantized_merge(base_4bit, adapter_dir: Path, *, guard: bool = True):
    """Dequantize a fresh nf4 base, apply the adapter, merge: a plain 16/32-bit model."""
    from peft import PeftModel

    if guard:
        assert_mergeable(base_4bit)
    plain = base_4bit.dequantize()
    return PeftModel.from_pretrained(plain, str(adapter_dir), is_trainable=False).merge_and_unload().eval()


def load_merged_dir(path: Path, dtype: str, device: str):
    """A merged model written by ``export_merged`` (or another tool): safetensors only."""
    import torch
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype),
                                                     local_files_only=True, use_safetensors=True)
    except Exception as exc:
        raise ModelError(f"cannot load the merged model in {path}: {exc}", where=path,
                         hint="the directory needs config.json and *.safetensors "
                              "(write one with `gatekeeper check --export-merged DIR`)") from None
    return model.to(device).eval()


def check_export_dir(path: Path) -> Path:
    """``--export-merged DIR`` must be new or empty (checked before anything runs)."""
    from gatekeeper.core.errors import UsageError

    path = Path(path).absolute()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(f"--export-merged {path} exists and is not an empty directory", where=path,
                         hint="choose a new directory: an export never overwrites files")
    return path


def export_merged(model, tokenizer, out: Path) -> Path:
    """Write the merged model (safetensors) and tokenizer; the folder appears complete or not at all."""
    out = Path(out).absolute()
    if out.exists() and any(out.iterdir()):
        raise ModelError("the export directory exists and is not empty", where=out,
                         hint="choose a new directory for --export-merged")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.writing-"))
    try:
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


@dataclass(frozen=True)
class Comparison:
    """Merged vs unmerged, per compared position (each predicts one greedy token)."""

    top1: tuple[float, ...]         # 1.0 where both pick the same next token
    abs_diff: tuple[float, ...]     # max |logit difference| over the vocabulary
    kl: tuple[float, ...]           # KL(unmerged || merged) of the next-token distributions
    greedy_match: tuple[float, ...]  # per probe: 1.0 when both greedy outputs are identical
    outputs: tuple[str, ...]        # per probe: the unmerged model's greedy text
    diverges_at: tuple[int | None, ...]  # per probe: first token where the merged greedy path differs


def left_pad(rows: list[list[int]], pad_id: int, device):
    """(input_ids, attention_mask, position_ids) for a left-padded batch."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, width - len(row):] = torch.tensor(row, dtype=torch.long)
        mask[i, width - len(row):] = 1
    positions = (mask.cumsum(-1) - 1).clamp_min(0)
    return ids.to(device), mask.to(device), positions.to(device)


def greedy_batch(model, prompt_ids: list[list[int]], max_new_tokens: int, pad_id: int,
                 eos_ids: set[int], *, logits: bool = False):
    """Greedy continuations (cut after the first EOS), as one left-padded batch.

    With ``logits=True`` also the per-step logits of each row (same cut).
    """
    import torch

    ids, mask, _ = left_pad(prompt_ids, pad_id, next(model.parameters()).device)
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=mask, do_sample=False,
                             max_new_tokens=max_new_tokens, pad_token_id=pad_id,
                             output_logits=logits, return_dict_in_generate=True)
    rows, steps = [], []
    for r in range(len(prompt_ids)):
        tokens = out.sequences[r, ids.shape[1]:].tolist()
        end = next((i + 1 for i, tok in enumerate(tokens) if tok in eos_ids), len(tokens))
        rows.append(tokens[:end])
        if logits:
            steps.append([out.logits[s][r] for s in range(end)])
    return (rows, steps) if logits else rows


def eos_set(model, tokenizer) -> set[int]:
    ids = {tokenizer.eos_token_id}
    config = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids |= set(config if isinstance(config, list) else [config])
    return {i for i in ids if i is not None}


def row_logits(model, seqs: list[list[int]], pad_id: int) -> list:
    """Logits of each sequence (padding removed), from one left-padded forward pass."""
    import torch

    ids, mask, positions = left_pad(seqs, pad_id, next(model.parameters()).device)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions).logits.float().cpu()
    width = ids.shape[1]
    return [logits[i, width - len(s):] for i, s in enumerate(seqs)]


def compare(reference, merged, tokenizer, prompt_ids: list[list[int]], *,
            max_new_tokens: int = 16) -> Comparison:
    """Teacher-forced on the reference's greedy continuation; one batched pass per model.

    Greedy equality needs no second generation: the merged model's greedy output equals
    the reference's exactly when its argmax agrees at every position of that continuation.
    """
    import torch

    pad = tokenizer.pad_token_id
    conts = greedy_batch(reference, prompt_ids, max_new_tokens, pad, eos_set(reference, tokenizer))
    seqs = [ids + cont[:-1] if cont else ids for ids, cont in zip(prompt_ids, conts)]
    ref_rows, merged_rows = row_logits(reference, seqs, pad), row_logits(merged, seqs, pad)
    top1, diff, kl, match, diverges = [], [], [], [], []
    for ids, _cont, a, b in zip(prompt_ids, conts, ref_rows, merged_rows):
        a, b = a[len(ids) - 1:], b[len(ids) - 1:]
        log_a, log_b = torch.log_softmax(a, -1), torch.log_softmax(b, -1)
        same = (a.argmax(-1) == b.argmax(-1)).float().tolist()
        top1 += same
        diff += (a - b).abs().amax(-1).tolist()
        kl += (log_a.exp() * (log_a - log_b)).sum(-1).clamp_min(0).tolist()
        first = next((i for i, s in enumerate(same) if not s), None)
        match.append(float(first is None))
        diverges.append(first)
    texts = tuple(tokenizer.decode(c, skip_special_tokens=True) for c in conts)
    return Comparison(tuple(top1), tuple(diff), tuple(kl), tuple(match), texts, tuple(diverges))
