"""A KV cache of independent rows that can be dropped and added while decoding (imports torch).

transformers' DynamicCache appends with ``torch.cat``, which copies the whole cache on
every decoding step (~350 MB per step at 64 rows of the 135M model), and its rows cannot
be joined with rows prefilled later. ``RowCache`` keeps each layer's keys and values in a
buffer with room for the tokens still to come, so a step writes one column in place;
``select`` drops finished rows and ``join`` adds freshly prefilled ones (left-aligned to a
common width), each at the cost of one copy.

Layout: ``[rows, kv heads, columns, head dim]``; a row's tokens are right-aligned, and
``mask`` marks which columns of a row hold real tokens (a shared prompt prefix followed by
padding and the rest of the prompt leaves holes; attention skips them).
"""

from __future__ import annotations

import torch
from transformers.cache_utils import Cache, DynamicLayer


class BufferLayer(DynamicLayer):
    """One layer's keys/values: ``length`` used columns of a buffer with spare room."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, length: int):
        super().__init__()
        self.buffers = (keys, values)
        self.device = keys.device
        self.is_initialized = True
        self._set_length(length)

    def _set_length(self, length: int) -> None:
        self.length = length
        self.keys = self.buffers[0][:, :, :length]
        self.values = self.buffers[1][:, :, :length]

    def update(self, key_states, value_states, *args, **kwargs):
        end = self.length + key_states.shape[-2]
        if end > self.buffers[0].shape[-2]:
            self.buffers = tuple(_widen(b, end + 16) for b in self.buffers)
        self.buffers[0][:, :, self.length:end] = key_states
        self.buffers[1][:, :, self.length:end] = value_states
        self._set_length(end)
        return self.keys, self.values

    def get_seq_length(self) -> int:
        return self.length


def _widen(buffer: torch.Tensor, columns: int) -> torch.Tensor:
    wider = buffer.new_zeros(buffer.shape[:2] + (columns,) + buffer.shape[3:])
    wider[:, :, :buffer.shape[2]] = buffer
    return wider


class RowCache(Cache):
    """Per-layer buffers plus the ``[rows, columns]`` mask of real tokens."""

    def __init__(self, layers: list[BufferLayer], mask: torch.Tensor):
        super().__init__(layers=layers)
        self.mask = mask

    @classmethod
    def from_prefix(cls, prefix: Cache | None, rows: int, room: int, like: torch.Tensor,
                    shape: tuple[int, int, int]) -> "RowCache":
        """``rows`` copies of a one-row prefix cache (or empty rows), with ``room`` spare columns.

        ``shape`` is (layers, kv heads, head dim), used when there is no prefix.
        """
        if prefix is None or prefix.get_seq_length() == 0:
            layers, heads, dim = shape
            sources: list = [None] * layers
            width = 0
        else:
            sources = [(layer.keys, layer.values) for layer in prefix.layers]
            heads, dim = sources[0][0].shape[1], sources[0][0].shape[3]
            width = sources[0][0].shape[2]
        built = []
        for source in sources:
            buffers = [like.new_zeros((rows, heads, width + room, dim)) for _ in range(2)]
            if source is not None:
                for buffer, tensor in zip(buffers, source):
                    buffer[:, :, :width] = tensor
            built.append(BufferLayer(buffers[0], buffers[1], width))
        mask = torch.ones((rows, width), dtype=torch.long, device=like.device)
        return cls(built, mask)

    @property
    def rows(self) -> int:
        return self.mask.shape[0]

    @property
    def width(self) -> int:
        return self.mask.shape[1]

    def extend_mask(self, mask: torch.Tensor) -> torch.Tensor:
        """Append ``mask`` (rows x new columns) and return the full mask for the next forward."""
        self.mask = torch.cat([self.mask, mask], dim=1)
        return self.mask

    def select_and_join(self, keep: torch.Tensor, other: "RowCache | None", room: int) -> "RowCache":
        """A new cache: rows ``keep`` of this one, then all rows of ``other``, right-aligned.

        Leading columns that are padding in every kept row are dropped; ``room`` spare
        columns are left for the tokens still to be generated.
        """
        mask = self.mask[keep]
        start = _first_used_column(mask)
        parts = [(self, keep, start)] + ([(other, None, _first_used_column(other.mask))] if other else [])
        width = max(cache.width - first for cache, _, first in parts)
        rows = sum(int(index.numel()) if index is not None else cache.rows for cache, index, _ in parts)
        new_mask = mask.new_zeros((rows, width))
        layers = []
        for number, layer in enumerate(self.layers):
            like = layer.buffers[0]
            buffers = [like.new_zeros((rows, like.shape[1], width + room, like.shape[3])) for _ in range(2)]
            _fill(buffers, new_mask if number == 0 else None, parts, number, width)
            layers.append(BufferLayer(buffers[0], buffers[1], width))
        return RowCache(layers, new_mask)


def _fill(buffers, mask, parts, layer_number: int, width: int) -> None:
    """Copy each part's rows (and, once, their masks) into ``buffers``, right-aligned at ``width``."""
    row = 0
    for cache, index, first in parts:
        layer = cache.layers[layer_number]
        used = cache.width - first
        n = int(index.numel()) if index is not None else cache.rows
        for buffer, source in zip(buffers, (layer.keys, layer.values)):
            source = source[:, :, first:]
            buffer[row:row + n, :, width - used:width] = source[index] if index is not None else source
        if mask is not None:
            source = cache.mask[:, first:]
            mask[row:row + n, width - used:] = source[index] if index is not None else source
        row += n


def _first_used_column(mask: torch.Tensor) -> int:
    """The first column any row uses (0 for an empty mask)."""
    if mask.numel() == 0:
        return mask.shape[1]
    used = mask.any(dim=0).nonzero()
    return int(used[0]) if used.numel() else mask.shape[1]
