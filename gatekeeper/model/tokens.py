"""Token-level pieces the decoders share: encoding, length-sorted batches, left padding,
end-of-sequence ids and the text of a finished answer (stop strings cut)."""

from __future__ import annotations

from typing import Sequence

import torch


def encode(tokenizer, texts: Sequence[str], *, special: bool) -> list[list[int]]:
    """Token ids per text; ``special`` adds the tokenizer's BOS etc. (raw, non-chat text)."""
    return [tokenizer(text, add_special_tokens=special)["input_ids"] for text in texts]

def batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (longest first: OOM shows early)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[start:start + size] for start in range(0, len(order), size)]

def left_pad(rows: Sequence[Sequence[int]], pad_id: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """(input_ids, attention_mask), left-padded to the longest row."""
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for r, row in enumerate(rows):
        if row:
            ids[r, width - len(row):] = torch.tensor(row, dtype=torch.long)
            mask[r, width - len(row):] = 1
    return ids.to(device), mask.to(device)

def finish(tokenizer, ids: Sequence[int], eos_ids: set[int], stops: Sequence[str]) -> str:
    """Decoded output: cut at the first EOS and the first stop string, trailing space stripped."""
    ids = list(ids)
    for position, token in enumerate(ids):
        if token in eos_ids:
            ids = ids[:position]
            break
    text = tokenizer.decode(ids, skip_special_tokens=True)
    cuts = [text.find(stop) for stop in stops if stop and stop in text]
    if cuts:
        text = text[:min(cuts)]
    return text.rstrip()

def eos_token_ids(model, tokenizer) -> list[int]:
    """EOS ids from the tokenizer and the model's generation config (which may list several)."""
    ids = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if configured is not None:
        ids.update(int(i) for i in (configured if isinstance(configured, (list, tuple)) else [configured]))
    return sorted(ids)
