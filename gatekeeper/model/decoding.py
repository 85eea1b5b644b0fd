"""Batched greedy generation and log-likelihood on a loaded HF model (imports torch).

Imported only once a model is needed. Requests are sorted by token length so each batch
carries little padding; batches are left-padded (generation appends on the right and
every row's last prompt token then sits in the same column); results come back in input
order.
"""

from __future__ import annotations

import sys
from typing import Sequence

import torch

from gatekeeper.model.scheduler import ContinuousBatch
from gatekeeper.model.tokens import batches, left_pad



def generate_ids(model, tokenizer, prompts: Sequence[Sequence[int]], *, max_new_tokens: int,
                 stops: Sequence[str], batch_size: int, progress: bool, desc: str | None) -> list[str]:
    """Greedy continuations of tokenised prompts, in input order (see gatekeeper.model.scheduler)."""
    from tqdm import tqdm

    with tqdm(total=len(prompts), desc=desc or "generate", file=sys.stderr,
              disable=not progress, unit="prompt") as bar, torch.inference_mode():
        run = ContinuousBatch(model, tokenizer, prompts, max_new_tokens=max_new_tokens,
                              stops=stops, batch_size=batch_size, advance=bar.update)
        return run.run()


def loglik_ids(model, pairs: Sequence[tuple[Sequence[int], Sequence[int]]], *, pad_id: int,
               batch_size: int, progress: bool, desc: str | None) -> list[float]:
    """Summed log P(continuation | context) per (context ids, continuation ids) pair.

    Left padding puts every continuation at the right edge, so only the last
    ``max continuation + 1`` positions need logits (``logits_to_keep``): the vocabulary
    projection over the whole context is skipped.
    """
    from tqdm import tqdm

    results: list[float | None] = [None] * len(pairs)
    device = model.device
    with tqdm(total=len(pairs), desc=desc or "loglik", file=sys.stderr,
              disable=not progress, unit="request") as bar, torch.inference_mode():
        for batch in batches([len(c) + len(x) for c, x in pairs], batch_size):
            rows = [list(pairs[i][0]) + list(pairs[i][1]) for i in batch]
            ids, mask = left_pad(rows, pad_id, device)
            keep = max(len(pairs[i][1]) for i in batch) + 1
            position_ids = (mask.cumsum(-1) - 1).clamp(min=0)
            logits = model(input_ids=ids, attention_mask=mask, position_ids=position_ids,
                           logits_to_keep=keep, use_cache=False).logits
            logprobs = torch.log_softmax(logits.float(), dim=-1)
            for row, index in enumerate(batch):
                results[index] = _continuation_logprob(logprobs[row], ids[row], len(pairs[index][1]))
            bar.update(len(batch))
    return results  # type: ignore[return-value]


def _continuation_logprob(logprobs: torch.Tensor, ids: torch.Tensor, n: int) -> float:
    """Sum of log-probs of the last ``n`` tokens of ``ids``; ``logprobs`` covers the last k+1 positions."""
    if n == 0:
        return 0.0
    # logprobs[j] predicts the token after position (width - k + j); the continuation's
    # tokens are ids[-n:], predicted by the positions just before them.
    predictors = logprobs[-n - 1:-1]
    targets = ids[-n:]
    return float(predictors.gather(-1, targets.unsqueeze(-1)).sum())
