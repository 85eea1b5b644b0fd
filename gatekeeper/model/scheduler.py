"""Continuous batching for greedy generation (imports torch).

Why not ``model.generate`` on fixed batches: a batch then runs until its longest answer
ends, finished rows keep computing, a short last batch runs at batch-1 speed, and every
row re-reads the prompt prefix all chat prompts share (system prompt, instruction). Here:

- the prefix every prompt shares is prefilled once and copied into each row's cache;
- rows leave the batch soon after they finish, and waiting prompts take their places
  (prefilled as a group, then joined to the running rows), so the batch stays full;
- the KV cache appends in place (gatekeeper.model.kvcache), not by ``torch.cat``.

Decoding stays plain greedy argmax on each row's own tokens and positions, so every
answer is the one the prompt gets alone (tests check it against one-at-a-time runs).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch

from gatekeeper.model.tokens import eos_token_ids, finish, left_pad
from gatekeeper.model.kvcache import RowCache


@dataclass
class Row:
    """One prompt being decoded: where its answer goes, its next position, its tokens so far."""

    index: int
    position: int
    tokens: list[int] = field(default_factory=list)
    done: bool = False


def shared_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """Tokens every prompt starts with, leaving each prompt at least one token of its own."""
    if not prompts:
        return 0
    first, shortest = prompts[0], min(len(p) for p in prompts)
    length = 0
    while length < shortest - 1 and all(p[length] == first[length] for p in prompts):
        length += 1
    return length


class ContinuousBatch:
    """Decode ``prompts`` greedily with at most ``batch_size`` rows in flight."""

    def __init__(self, model, tokenizer, prompts: Sequence[Sequence[int]], *, max_new_tokens: int,
                 stops: Sequence[str], batch_size: int, advance: Callable[[int], object]):
        self.model, self.tokenizer, self.prompts = model, tokenizer, [list(p) for p in prompts]
        self.max_new_tokens, self.stops, self.batch_size = max_new_tokens, tuple(stops), batch_size
        self.advance = advance
        self.eos = set(eos_token_ids(model, tokenizer))
        self.outputs: list[str | None] = [None] * len(prompts)
        self.generated = [0] * len(prompts)  # tokens generated per prompt (an EOS included)
        self.queue = deque(sorted(range(len(prompts)), key=lambda i: -len(self.prompts[i])))
        self.prefix_length = shared_prefix_length(self.prompts)
        self.prefix = self._prefill_prefix()
        self.rows: list[Row] = []
        self.cache: RowCache | None = None
        # Joining copies the whole cache: admit waiting prompts a group at a time.
        self.refill_at = max(1, batch_size // 4)

    def run(self) -> list[str]:
        """Every prompt's answer, in input order."""
        while self.queue or self.rows:
            self._reshape()
            if self.rows:
                self._step()
        return self.outputs  # type: ignore[return-value]

    # -- scheduling ----------------------------------------------------------------------

    def _reshape(self) -> None:
        """Drop finished rows and admit waiting prompts, when either is worth a copy."""
        live = [number for number, row in enumerate(self.rows) if not row.done]
        finished = len(self.rows) - len(live)
        free = self.batch_size - len(live)
        admit = bool(self.queue) and (not live or free >= min(self.refill_at, len(self.queue)))
        if not admit and finished < max(1, len(self.rows) // 8) and live:
            return
        newcomers = [self.queue.popleft() for _ in range(min(free, len(self.queue)))] if admit else []
        fresh, first = self._prefill(newcomers) if newcomers else (None, [])
        keep = torch.tensor(live, dtype=torch.long, device=self.model.device)
        if self.cache is None or not live:
            self.cache = fresh
        else:
            self.cache = self.cache.select_and_join(keep, fresh, room=self.max_new_tokens)
        self.rows = [self.rows[number] for number in live] + [Row(i, len(self.prompts[i])) for i in newcomers]
        self._record(self.rows[len(live):], first)
        if not any(not row.done for row in self.rows):
            self.rows, self.cache = [], None

    def _record(self, rows: Sequence[Row], tokens: Sequence[int]) -> None:
        """Append each live row's new token; finish rows at EOS, the token limit or a stop string."""
        for row, token in zip(rows, tokens):
            if row.done:
                continue
            row.tokens.append(int(token))
            if token in self.eos or len(row.tokens) >= self.max_new_tokens or self._stopped(row):
                row.done = True
                self.generated[row.index] = len(row.tokens)
                self.outputs[row.index] = finish(self.tokenizer, row.tokens, self.eos, self.stops)
                self.advance(1)

    def _stopped(self, row: Row) -> bool:
        if not self.stops:
            return False
        text = self.tokenizer.decode(row.tokens, skip_special_tokens=True)
        return any(stop in text for stop in self.stops)

    # -- model calls ---------------------------------------------------------------------

    def _prefill_prefix(self):
        """The shared prefix's KV cache (one row), or None when the prompts share nothing."""
        if self.prefix_length == 0:
            return None
        ids = torch.tensor([self.prompts[0][:self.prefix_length]], device=self.model.device)
        return self.model(input_ids=ids, use_cache=True, logits_to_keep=1).cache

    def _prefill(self, indices: list[int]) -> tuple[RowCache, list[int]]:
        """Prefill the prompts' own tokens after the shared prefix: their cache and first tokens."""
        suffixes = [self.prompts[i][self.prefix_length:] for i in indices]
        ids, mask = left_pad(suffixes, self.tokenizer.pad_token_id, self.model.device)
        cache = RowCache.from_prefix(self.prefix, len(indices), room=ids.shape[1] + self.max_new_tokens,
                                     like=self._like(), shape=self._kv_shape())
        full_mask = cache.extend_mask(mask)
        positions = self.prefix_length + (mask.cumsum(-1) - 1).clamp(min=0)
        logits = self.model(input_ids=ids, attention_mask=full_mask, position_ids=positions,
                            cache=cache, use_cache=True, logits_to_keep=1).logits
        return cache, logits[:, -1].argmax(-1).tolist()

    def _step(self) -> None:
        """One greedy token for every row in the batch."""
        device = self.model.device
        ids = torch.tensor([[row.tokens[-1]] for row in self.rows], device=device)
        positions = torch.tensor([[row.position + len(row.tokens) - 1] for row in self.rows], device=device)
        assert self.cache is not None, "a step needs the rows' cache"
        mask = self.cache.extend_mask(torch.ones_like(ids))
        logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                            cache=self.cache, use_cache=True).logits
        self._record(self.rows, logits[:, -1].argmax(-1).tolist())

    def _like(self) -> torch.Tensor:
        """A tensor of the cache's dtype and device (the model's compute dtype)."""
        dtype = self.model.get_input_embeddings().weight.dtype
        return torch.empty(0, dtype=dtype, device=self.model.device)

    def _kv_shape(self) -> tuple[int, int, int]:
        config = self.model.config.get_text_config(decoder=True)
        heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
        dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        return config.num_hidden_layers, heads, dim

