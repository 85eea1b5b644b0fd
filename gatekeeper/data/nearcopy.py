"""Near copies: eval items whose *distinctive* content is nearly that of a training row.

Templated data (the same sentence frame with other slot values) makes every eval item look
like some training row by surface similarity, so a fixed rapidfuzz ratio either flags every
template sibling or misses lightly edited copies. This detector compares what is left of
each text once the text it shares with the rest of the data is gone:

1. Frame: a word in more than ``frame_share`` of the training rows (and at least
   ``MIN_COUNT`` of them) is template frame or boilerplate and is dropped. The other words
   are weighted by their rarity in the training rows (idf, ``log((n + 1) / (df + 1)) + 1``,
   capped at the weight of a word in ``MIN_COUNT`` rows). An item's words shared with
   ``frame_min`` of its ``neighbours`` nearest training rows are its local frame (its
   template siblings share them) and are not distinctive either.
2. Similarity (``score: edits``, the default): the idf weight of the distinctive words both
   share over itself plus what the differences cost. Word sets ignore order, case and
   punctuation, so swapped words and re-cased or re-punctuated copies score 1. A word of the
   eval item the training row lacks costs its weight (half of it for a word of the item's
   local frame: a cut or changed frame word). A word the training row adds costs only
   ``extra_cost`` of its weight (a filler, or a copy pasted inside a longer row), unless it
   differs at a *slot* of the template (gatekeeper.data.slots: a place where the item's other
   siblings show other words too): a sibling's other slot value costs its full weight, and
   so does the item's own value there. ``score: jaccard`` is the symmetric score of earlier
   versions (every differing word costs its weight), kept as an option. The slot alignment
   runs only for candidates that could score ``MIN_THRESHOLD`` or more (a score without slot
   evidence bounds it from above), so a score below that is its bound.
3. Calibration: the same similarity between training rows themselves (each sampled row's
   nearest other row, rows with identical content left out) is the background: how close
   two *different* rows of this data come by chance, template siblings included. An eval
   item is a near copy when its nearest training row is more similar than the background's
   ``quantile`` (and at least ``MIN_THRESHOLD``). The calibration is reported. With fewer
   than ``MIN_BACKGROUND`` training rows there is no background to speak of: the threshold
   is then ``FALLBACK`` (``calibrated: false`` in the report).

Items with fewer than ``min_words`` distinctive words are not checked (nothing to tell
them apart by). Pairs are found with sparse matrix products (scipy), chunked.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from gatekeeper.data.boilerplate import MIN_COUNT
from gatekeeper.data.slots import slot_words

MIN_THRESHOLD = 0.5
MIN_BACKGROUND = 30      # fewer training rows to calibrate on: FALLBACK is the threshold
FALLBACK = 0.8
CHUNK = 2000  # eval rows per sparse product


@dataclass(frozen=True)
class CopyOptions:
    frame_share: float = 0.1
    quantile: float = 0.999
    min_words: int = 1
    neighbours: int = 20
    frame_min: int = 8
    background_rows: int = 5000
    seed: int = 1
    score: str = "edits"     # or "jaccard" (the symmetric score of gatekeeper 1.x)
    extra_cost: float = 0.25
    frame_cost: float = 0.5


def near_copies(train: list[list[str]], evals: list[list[str]],
                opts: CopyOptions = CopyOptions()) -> tuple[list[tuple[int, int, float]], dict]:
    """([(eval index, train index, similarity)] of near copies, calibration details)."""
    n = len(train)
    t_sets = [set(r) for r in train]
    df = Counter(w for s in t_sets for w in s)
    limit = max(MIN_COUNT, opts.frame_share * n)
    frame = {w for w, c in df.items() if c > limit}
    e_sets = [set(r) - frame for r in evals]
    t_sets = [s - frame for s in t_sets]
    columns: dict[str, int] = {}
    t_bin, t_w = _matrix(t_sets, columns, df, n)
    e_bin, e_w = _matrix(e_sets, columns, df, n)
    width = max(1, len(columns))  # eval-only words widen the training matrices (no entries)
    t_w.resize(len(t_sets), width)
    t_bin.resize(len(t_sets), width)
    t_total = np.asarray(t_w.sum(axis=1)).ravel()
    e_total = np.asarray(e_w.sum(axis=1)).ravel()
    cap = _idf(MIN_COUNT, n)  # a word rarer than that weighs like one in MIN_COUNT rows
    idf = {w: min(cap, _idf(df.get(w, 0), n)) for w in columns}
    local = _Local(t_sets, train, idf, opts)
    t_w_T = t_w.T.tocsc()
    cal = _calibrate(_background(t_bin, t_total, t_w_T, t_sets, local, opts), opts)
    best, where, checked = _nearest(e_bin, e_total, t_w_T, t_total, e_sets, evals, local)
    hits = [(int(i), int(where[i]), float(best[i]))
            for i in np.flatnonzero(checked & (best > cal["threshold"]))]
    calibration = {"frame_words": len(frame), "frame_share": opts.frame_share, **cal,
                   "threshold": round(cal["threshold"], 4), "quantile": opts.quantile,
                   "checked": int(checked.sum()), "score": opts.score, "neighbours": opts.neighbours,
                   "frame_min": opts.frame_min, "near_copies": len(hits)}
    return hits, calibration


def _calibrate(background: np.ndarray, opts: CopyOptions) -> dict:
    """The threshold and a summary of the background (FALLBACK when it is too small to tell)."""
    calibrated = len(background) >= MIN_BACKGROUND
    threshold = max(MIN_THRESHOLD, float(np.quantile(background, opts.quantile))) if calibrated \
        else FALLBACK
    return {"background_rows": int(len(background)), "calibrated": calibrated,
            "threshold": threshold,
            "background": {k: round(float(np.quantile(background, p)), 4) if len(background) else None
                           for k, p in (("median", 0.5), ("q90", 0.9), ("q99", 0.99), ("max", 1.0))}}


def _idf(df: int, n: int) -> float:
    """Smoothed idf (as scikit-learn's): positive for every document frequency."""
    return math.log((n + 1) / (df + 1)) + 1.0


def _matrix(rows: list[set[str]], columns: dict[str, int], df: Counter, n: int):
    """(0/1 matrix, idf-weighted matrix) of word sets; new words get new columns."""
    indptr, indices, weights = [0], [], []
    for row in rows:
        for w in row:
            indices.append(columns.setdefault(w, len(columns)))
            weights.append(_idf(df.get(w, 0), n))
        indptr.append(len(indices))
    shape = (len(rows), max(1, len(columns)))
    w = sp.csr_matrix((np.asarray(weights, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                       np.asarray(indptr, dtype=np.int64)), shape=shape)
    b = w.copy()
    b.data[:] = 1.0
    return b, w


@dataclass
class _Local:
    """The local frame of a row: its words found in ``frame_min`` of its ``neighbours``
    nearest training rows (its template siblings share them); what is left is distinctive."""

    t_sets: list[set[str]]
    t_rows: list[list[str]]
    idf: dict[str, float]
    opts: CopyOptions
    t_weight: dict[int, float] = field(default_factory=dict)  # a training row's idf total, as needed

    def best(self, row: set[str], seq: list[str], candidates: np.ndarray,
             skip: int = -1) -> tuple[float, int, bool]:
        """(distinctive similarity, training row, checked) of the best candidate."""
        near = [int(c) for c in candidates if c != skip and self.t_sets[c] != row] if skip >= 0 \
            else [int(c) for c in candidates]
        counts = Counter(w for c in near for w in self.t_sets[c] & row)
        frame = {w for w, k in counts.items() if k >= self.opts.frame_min}
        if len(row - frame) < self.opts.min_words:
            return 0.0, -1, False
        if self.opts.score == "jaccard":
            return (*self._jaccard(row, frame, near), True)
        frame_cost, idf = self.opts.frame_cost, self.idf
        cost = {w: idf[w] * (frame_cost if w in frame else 1.0) for w in row}
        row_cost = sum(cost.values())
        bounds = sorted(((self._bound(row, frame, cost, row_cost, c), c) for c in near), reverse=True)
        top, at = 0.0, -1
        for bound, c in bounds:  # the score without slot evidence bounds it from above
            if bound <= top:
                break
            score = bound if bound < MIN_THRESHOLD else self._edits(
                row, frame, c, slot_words(seq, self.t_rows[c], [self.t_rows[k] for k in near if k != c]))
            if score > top:
                top, at = score, c
        return top, at, True

    def _jaccard(self, row: set[str], frame: set[str], near: list[int]) -> tuple[float, int]:
        top, at = 0.0, -1
        for c in near:
            other = self.t_sets[c]
            shared = sum(self.idf[w] for w in (row & other) - frame)
            differ = sum(self.idf[w] for w in row ^ other)  # a difference is never frame
            if shared > 0 and shared / (shared + differ) > top:
                top, at = shared / (shared + differ), c
        return top, at

    def _bound(self, row: set[str], frame: set[str], cost: dict[str, float], row_cost: float,
               c: int) -> float:
        """``_edits`` without slot evidence, from sums over the shared words only.

        ``cost``: each word of the row weighted as a missing word; ``row_cost`` their sum. What
        the training row lacks costs ``row_cost`` less the shared words' cost, what it adds its
        own total weight less the shared weight: no pass over the differences.
        """
        idf = self.idf
        shared = common = common_cost = 0.0
        for w in row & self.t_sets[c]:
            x = idf[w]
            common += x
            common_cost += cost[w]
            if w not in frame:
                shared += x
        if shared <= 0:
            return 0.0
        total = self.t_weight.get(c)
        if total is None:
            total = self.t_weight[c] = sum(idf[w] for w in self.t_sets[c])
        missing = max(0.0, row_cost - common_cost)
        extra = self.opts.extra_cost * max(0.0, total - common)
        return shared / (shared + missing + extra)

    def _edits(self, row: set[str], frame: set[str], c: int, slots: set[str]) -> float:
        """Shared distinctive weight over itself plus what the differences cost (module doc)."""
        other, idf, opts = self.t_sets[c], self.idf, self.opts
        shared = sum(idf[w] for w in (row & other) - frame)
        if shared <= 0:
            return 0.0
        missing = sum(idf[w] * (opts.frame_cost if w in frame and w not in slots else 1.0)
                      for w in row - other)
        extra = sum(idf[w] * (1.0 if w in slots else opts.extra_cost) for w in other - row)
        return shared / (shared + missing + extra)


def _background(t_bin, t_total, t_w_T, t_sets, local: _Local, opts: CopyOptions) -> np.ndarray:
    """Each sampled training row's distinctive similarity to its nearest other row."""
    n = t_bin.shape[0]
    if n < 2:
        return np.zeros(0)
    sample = sorted(random.Random(opts.seed).sample(range(n), min(n, opts.background_rows)))
    best, _, checked = _nearest(t_bin[sample], t_total[sample], t_w_T, t_total,
                                [t_sets[i] for i in sample], [local.t_rows[i] for i in sample],
                                local, exclude=sample)
    return best[checked]


def _nearest(e_bin, e_total, t_w_T, t_total, e_sets, e_rows, local: _Local, exclude=None):
    """Per eval row: the best distinctive similarity among its surface-nearest training rows."""
    m = e_bin.shape[0]
    best, where = np.zeros(m), np.full(m, -1, dtype=np.int64)
    checked = np.zeros(m, dtype=bool)
    k_near = local.opts.neighbours + (1 if exclude is not None else 0)
    for start in range(0, m, CHUNK):
        product = (e_bin[start:start + CHUNK] @ t_w_T).tocsr()
        for k in range(product.shape[0]):
            lo, hi = product.indptr[k], product.indptr[k + 1]
            row = start + k
            if lo == hi:
                checked[row] = len(e_sets[row]) >= local.opts.min_words
                continue
            cols, inter = product.indices[lo:hi], product.data[lo:hi]
            surface = inter / np.maximum(e_total[row] + t_total[cols] - inter, 1e-12)
            order = _top(-surface, k_near)
            skip = exclude[row] if exclude is not None else -1
            best[row], where[row], checked[row] = local.best(e_sets[row], e_rows[row], cols[order], skip)
    return best, where, checked


def _top(neg: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(neg, kind="stable")[:k]`` without sorting every candidate."""
    if len(neg) <= k:
        return np.argsort(neg, kind="stable")
    kth = np.partition(neg, k - 1)[k - 1]
    at_most = np.flatnonzero(neg <= kth)  # the k smallest and their ties, in index order
    return at_most[np.argsort(neg[at_most], kind="stable")][:k]
