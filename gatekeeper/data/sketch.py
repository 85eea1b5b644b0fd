"""Word sequences as numpy arrays: n-gram hashes and MinHash signatures, vectorised.

A ``Corpus`` is many word lists flattened into one array of word hashes plus row offsets,
so hashing every n-gram of 200,000 rows is a handful of array operations instead of
millions of Python calls. MinHash signatures use datasketch's "affine32" permutation
scheme with datasketch's own permutation parameters, so every signature is exactly what
``datasketch.MinHash(num_perm, seed).update_batch(...)`` would compute for the same
32-bit shingle hashes (tests check this), at a fraction of the per-row cost.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_CHUNK = 1 << 16  # shingles per block when applying the permutations (fits in L2)


def fmix64(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 64-bit finalizer: spreads word ids over all 64 bits."""
    h = values.astype(np.uint64, copy=True)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


class Vocab:
    """Word -> integer id, shared by every corpus that is compared with another.

    Ids are unique and deterministic (they follow the order of first appearance) but not
    dense: ``encode`` runs entirely in C (``map`` of ``dict.setdefault`` over a counter).
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.next = 0

    def encode(self, tokens: list[str]) -> np.ndarray:
        start = self.next
        self.next += len(tokens)
        return np.fromiter(map(self.ids.setdefault, tokens, itertools.count(start)),
                           dtype=np.int64, count=len(tokens))


@dataclass(frozen=True)
class Corpus:
    """Rows of words as one flat array of 64-bit word hashes and row boundaries."""

    ids: np.ndarray      # int64 vocabulary ids, every word of every row
    hashes: np.ndarray   # uint64 hashes of those ids
    offsets: np.ndarray  # int64, len(rows) + 1

    @classmethod
    def build(cls, rows: list[list[str]], vocab: Vocab) -> "Corpus":
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = vocab.encode(list(itertools.chain.from_iterable(rows)))
        return cls(flat, fmix64(flat.astype(np.uint64) + np.uint64(1)), offsets)

    def without(self, drop: np.ndarray) -> "Corpus":
        """The same rows without the words flagged in the boolean array ``drop`` (by id).

        A row that would lose every word keeps all of them: it must still be comparable.
        """
        keep = ~drop[self.ids]
        row_of = np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)
        emptied = np.bincount(row_of[keep], minlength=len(self)) == 0
        keep |= emptied[row_of]
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of[keep], minlength=len(self)), out=offsets[1:])
        return Corpus(self.ids[keep], self.hashes[keep], offsets)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def ngrams(self, n: int, rows: np.ndarray | None = None, sep: int | None = None,
               positions: bool = False) -> tuple[np.ndarray, ...]:
        """(hashes, row index[, start position]) of every n-gram inside a row (windows never
        cross rows, nor a ``sep`` token: the id of a line break)."""
        total = len(self.hashes)
        starts = np.arange(max(total - n + 1, 0), dtype=np.int64)
        row_of = np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)[:len(starts)]
        keep = starts + n <= self.offsets[row_of + 1]
        if sep is not None:
            seps = np.concatenate([[0], np.cumsum(self.ids == sep)])
            keep &= seps[starts + n] == seps[starts]
        if rows is not None:
            keep &= np.isin(row_of, rows)
        starts, row_of = starts[keep], row_of[keep]
        h = np.zeros(len(starts), dtype=np.uint64)
        for k in range(n):
            h = h * _GOLDEN + self.hashes[starts + k]
        return (h, row_of, starts) if positions else (h, row_of)


def shingles(corpus: Corpus, k: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit word k-gram hashes per row; a row shorter than k is one shingle of itself."""
    h, row_of = corpus.ngrams(k)
    short = np.flatnonzero((corpus.lengths < k) & (corpus.lengths > 0))
    if len(short):
        whole = [_row_hash(corpus, int(r)) for r in short]
        h = np.concatenate([h, np.array(whole, dtype=np.uint64)])
        row_of = np.concatenate([row_of, short])
        order = np.argsort(row_of, kind="stable")
        h, row_of = h[order], row_of[order]
    return (h >> np.uint64(32)).astype(np.uint32), row_of


def _row_hash(corpus: Corpus, row: int) -> int:
    h = np.uint64(0)
    with np.errstate(over="ignore"):
        for v in corpus.hashes[corpus.offsets[row]:corpus.offsets[row + 1]]:
            h = h * _GOLDEN + v
    return int(h)


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own affine32 permutation parameters (a, b) for ``num_perm`` and ``seed``."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def fmix32(h: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer datasketch applies before its affine permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(values: np.ndarray, row_of: np.ndarray, n_rows: int, num_perm: int,
               seed: int) -> np.ndarray:
    """MinHash signatures (n_rows x num_perm, uint32) of the shingle sets ``values``/``row_of``.

    ``row_of`` must be sorted. Rows without shingles keep the empty sentinel (all 2^32-1).
    Blocks of rows small enough to stay in the CPU cache are permuted one permutation at a
    time, so each min-reduction runs over contiguous memory.
    """
    a, b = permutations(num_perm, seed)
    out = np.full((num_perm, n_rows), np.iinfo(np.uint32).max, dtype=np.uint32)
    if not len(values):
        return np.ascontiguousarray(out.T)
    mixed = fmix32(values)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(row_of)) + 1])
    rows = row_of[starts]
    cuts = np.unique(np.concatenate([np.searchsorted(starts, np.arange(0, len(values), _CHUNK)),
                                     [len(starts)]]))
    buf = np.empty(min(len(values), 4 * _CHUNK), dtype=np.uint32)
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        first, last = starts[lo], starts[hi] if hi < len(starts) else len(values)
        block, at, tmp = mixed[first:last], starts[lo:hi] - first, None
        tmp = buf[:last - first] if last - first <= len(buf) else np.empty(last - first, np.uint32)
        for p in range(num_perm):
            np.multiply(block, a[p], out=tmp)
            tmp += b[p]
            out[p, rows[lo:hi]] = np.minimum.reduceat(tmp, at)
    return np.ascontiguousarray(out.T)
