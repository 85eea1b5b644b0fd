"""Serving measurements on a loaded model: latency at batch 1, throughput, memory (imports torch).

Used by the ``serving`` gate type. Nothing here is cached: these numbers measure time.

* ``time_request``: one request at batch 1, the way a server answers a single user:
  prefill, then one token per forward pass. It always generates exactly ``new_tokens``
  tokens (EOS ignored, as serving benchmarks do), so every model does the same work
  and latencies compare speed, not answer length.
* ``time_batch``: the engine's continuous batching on all prompts at a batch size, with
  EOS honoured: seconds, tokens generated per prompt (answer length costs money).
* ``MemoryProbe``: peak memory while a block runs: max allocated on CUDA; on CPU the
  peak resident set (Linux ``VmHWM``, reset through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class RequestTiming:
    """One batch-1 request: time to first token, total time, tokens generated."""

    ttft_s: float
    total_s: float
    tokens: int

    @property
    def tpot_s(self) -> float:
        """Mean time per output token after the first (0 for a one-token request)."""
        return (self.total_s - self.ttft_s) / (self.tokens - 1) if self.tokens > 1 else 0.0


def _sync(device) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def time_request(model, ids: Sequence[int], new_tokens: int) -> RequestTiming:
    """Greedy decoding of exactly ``new_tokens`` tokens at batch 1, timed."""
    device = model.device
    prompt = torch.tensor([list(ids)], device=device)
    with torch.inference_mode():
        _sync(device)
        start = time.perf_counter()
        out = model(input_ids=prompt, use_cache=True, logits_to_keep=1)
        token = out.logits[:, -1].argmax(-1, keepdim=True)
        _sync(device)
        ttft = time.perf_counter() - start
        cache = out.cache
        for _ in range(new_tokens - 1):
            out = model(input_ids=token, cache=cache, use_cache=True)
            token = out.logits[:, -1].argmax(-1, keepdim=True)
        token.item()  # waits for the last step on any device
        total = time.perf_counter() - start
    return RequestTiming(ttft, total, new_tokens)


@dataclass(frozen=True)
class BatchTiming:
    """All prompts through continuous batching: wall seconds and tokens per prompt."""

    seconds: float
    tokens: tuple[int, ...]
    peak_bytes: int | None


def time_batch(model, tokenizer, prompts: Sequence[Sequence[int]], *, batch_size: int,
               max_new_tokens: int) -> BatchTiming:
    """The engine's continuous batching over ``prompts`` (EOS honoured), timed, peak memory."""
    from gatekeeper.model.scheduler import ContinuousBatch

    with torch.inference_mode(), MemoryProbe(model.device) as memory:
        _sync(model.device)
        start = time.perf_counter()
        run = ContinuousBatch(model, tokenizer, prompts, max_new_tokens=max_new_tokens, stops=(),
                              batch_size=batch_size, advance=lambda n: None)
        run.run()
        _sync(model.device)
        seconds = time.perf_counter() - start
    return BatchTiming(seconds, tuple(run.generated), memory.peak_bytes)


class MemoryProbe:
    """``peak_bytes``: memory the block added at its peak (None where it cannot be read)."""

    def __init__(self, device) -> None:
        self.device = torch.device(device)
        self.before: int | None = None
        self.peak_bytes: int | None = None

    def __enter__(self) -> "MemoryProbe":
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
            self.before = torch.cuda.memory_allocated(self.device)
        elif _reset_peak_rss():
            self.before = _status_bytes("VmRSS")
        return self

    def __exit__(self, *exc) -> None:
        if self.before is None:
            return
        if self.device.type == "cuda":
            peak: int | None = torch.cuda.max_memory_allocated(self.device)
        else:
            peak = _status_bytes("VmHWM")
        self.peak_bytes = max(0, peak - self.before) if peak is not None else None


def _reset_peak_rss() -> bool:
    """Reset the process's peak resident set (Linux); False where that is not possible."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return _status_bytes("VmHWM") is not None


def _status_bytes(field: str) -> int | None:
    """A memory field of /proc/self/status (reported in kB) in bytes."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def weight_bytes(model) -> int:
    """Bytes of the model's parameters and buffers: its active LoRA adapter counts, other
    adapters loaded into the same PeftModel (a previous release, say) do not."""
    active = getattr(model, "active_adapter", None)
    tensors = list(model.named_parameters()) + list(model.named_buffers())
    seen, total = set(), 0
    for name, tensor in tensors:
        if "lora_" in name and isinstance(active, str) and f".{active}." not in name:
            continue
        key = tensor.data_ptr()
        if key not in seen:  # tied weights (embeddings / lm_head) count once
            seen.add(key)
            total += tensor.numel() * tensor.element_size()
    return total
