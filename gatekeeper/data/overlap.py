"""The three contamination detectors, run on one text field (prompts or answers).

- exact: equal after normalisation (gatekeeper.data.text) and boilerplate removal.
- ngram: the eval item shares a long word n-gram with a training row. n is 13 by default
  (GPT-3, lm-eval's decontamination); as in the GPT-3 paper it is scaled down per eval set
  to the set's 5th-percentile item length, never below ``ngram_min`` (8), and an item
  shorter than n uses its own length (the whole item must appear in a training row).
  Boilerplate n-grams (gatekeeper.data.boilerplate) are ignored. Score: the share of the
  item's n-grams found in training data. Its ``content`` hits look only at the item's rare
  n-grams (in fewer than MIN_COUNT other rows of the data, training rows and other eval
  items together): its own text. In templated data a sentence frame repeats over the
  siblings of both splits; that overlap is an ``ngram`` hit, not a ``content`` one. Score:
  the share of the item's rare n-grams found in training rows; a hit needs more than the
  training rows share of theirs with each other (the ``copy_quantile`` of that background),
  or all of them.
- near: MinHash LSH (datasketch) over word ``shingle``-grams proposes candidate pairs,
  rapidfuzz verifies each one: a hit needs ``fuzz.ratio`` of the normalised texts
  >= ``near_threshold``. Score: that ratio in [0, 1]. Large comparisons (LARGE_PAIRS)
  sketch only words that are not common, small ones every word (see below).

Items with fewer than ``ngram_min`` words are checked only for exact matches: short texts
resemble each other by chance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from gatekeeper.data.boilerplate import BREAK, MIN_COUNT, min_count
from gatekeeper.data.sketch import Corpus, Vocab, shingles, signatures

DETECTORS = ("exact", "ngram", "near")


@dataclass(frozen=True)
class Options:
    ngram: int = 13
    ngram_min: int = 8
    near_threshold: float = 0.8
    boilerplate_share: float = 0.05
    num_perm: int = 128
    shingle: int = 1
    lsh_threshold: float = 0.4
    seed: int = 1
    copy_frame_share: float = 0.1   # gatekeeper.data.nearcopy
    copy_quantile: float = 0.999
    copy_min_words: int = 1
    copy_score: str = "edits"       # or "jaccard"


@dataclass(frozen=True)
class Hit:
    detector: str
    eval_index: int
    train_index: int
    score: float


@dataclass
class Side:
    """One side of a comparison: word lists, the set of each row, its corpus.

    ``grams`` is the corpus n-grams are taken from: with line breaks (BREAK, id ``sep``)
    when some row has several lines, so that an n-gram stays inside one line.
    """

    words: list[list[str]]
    sets: np.ndarray
    corpus: Corpus
    grams: Corpus
    sep: int | None = None

    @classmethod
    def build(cls, rows: list[list[str]], sets: list[int], vocab: Vocab) -> "Side":
        """``rows``: words per row, possibly with BREAK between lines (content_words)."""
        words = [[w for w in r if w != BREAK] for r in rows]
        corpus = Corpus.build(words, vocab)
        broken = any(len(w) != len(r) for w, r in zip(words, rows))
        grams = Corpus.build(rows, vocab) if broken else corpus
        return cls(words, np.asarray(sets, dtype=np.int64), corpus, grams,
                   vocab.ids.get(BREAK) if broken else None)


def detect(train: Side, evals: Side, opts: Options, calibration: dict | None = None) -> list[Hit]:
    """Every hit of every detector (at most one per eval item and detector).

    ``calibration``, when given, receives the ``content`` threshold per n-gram length."""
    return exact_hits(train, evals) + ngram_hits(train, evals, opts, calibration) + \
        near_hits(train, evals, opts)


def exact_hits(train: Side, evals: Side) -> list[Hit]:
    first: dict[str, int] = {}
    for i, w in enumerate(train.words):
        if w:
            first.setdefault(" ".join(w), i)
    return [Hit("exact", j, first[key], 1.0) for j, w in enumerate(evals.words)
            if w and (key := " ".join(w)) in first]


def item_n(evals: Side, opts: Options) -> np.ndarray:
    """The n-gram length per eval item (0 = too short for the n-gram and near detectors)."""
    lengths = evals.corpus.lengths
    n = np.zeros(len(lengths), dtype=np.int64)
    for s in np.unique(evals.sets):
        rows = np.flatnonzero((evals.sets == s) & (lengths >= opts.ngram_min))
        if len(rows):
            p5 = int(np.percentile(lengths[rows], 5))
            n[rows] = np.minimum(lengths[rows], min(opts.ngram, max(opts.ngram_min, p5)))
    return n


def ngram_hits(train: Side, evals: Side, opts: Options, calibration: dict | None = None) -> list[Hit]:
    per_item = item_n(evals, opts)
    hits = []
    for n in sorted(set(per_item[per_item > 0].tolist())):
        hits += _ngram_hits_for(train, evals, int(n), np.flatnonzero(per_item == n), opts,
                                calibration if calibration is not None else {})
    return sorted(hits, key=lambda h: h.eval_index)


def _ngram_hits_for(train: Side, evals: Side, n: int, rows: np.ndarray, opts: Options,
                    calibration: dict) -> list[Hit]:
    e_hash, e_row, e_start = evals.grams.ngrams(n, rows, evals.sep, positions=True)
    if not len(e_hash):
        return []
    t_all, t_all_row = train.grams.ngrams(n, sep=train.sep)
    bar = calibration[n] = _content_background(train, t_all, t_all_row, e_hash, e_row, opts)
    t_hash, t_row = _among(t_all, t_all_row, np.unique(e_hash))
    pairs = np.unique(np.stack([t_hash, t_row.astype(np.uint64)]), axis=1) if len(t_hash) else \
        np.zeros((2, 0), dtype=np.uint64)
    # n-grams common in the eval set are template; common in training data they are not
    # discounted: eval text repeated over many training rows is the worst case, not a template
    ignore = _eval_boilerplate(evals, e_hash, e_row, opts.boilerplate_share)
    content = _mostly_content(evals.grams, e_hash, e_start, n, ignore)
    row_of_hash = dict(zip(pairs[0].tolist(), pairs[1].tolist()))  # one training row per n-gram
    others = _Others(pairs[0], e_hash, e_row)
    grams: dict[int, list[int]] = {}
    for h, r in zip(e_hash[content].tolist(), e_row[content].tolist()):
        grams.setdefault(r, []).append(h)
    hits = []
    for r, hs in grams.items():
        matched = [h for h in hs if h in row_of_hash]
        if not matched:
            continue
        hits.append(Hit("ngram", r, Counter(row_of_hash[h] for h in matched).most_common(1)[0][0],
                        len(matched) / len(hs)))
        in_train, rare = others.of(hs)
        own = [h for h, t, k in zip(hs, in_train, rare) if t and k]
        share = len(own) / max(1, int(rare.sum()))
        if own and (share > bar["threshold"] or share == 1.0):
            hits.append(Hit("content", r, Counter(row_of_hash[h] for h in own).most_common(1)[0][0], share))
    return hits


class _Others:
    """How many rows of the data besides the eval item hold an n-gram (training rows and other
    eval items): fewer than MIN_COUNT makes it *rare*, the item's own content rather than a
    sentence frame its template siblings on both sides repeat."""

    def __init__(self, t_hash: np.ndarray, e_hash: np.ndarray, e_row: np.ndarray):
        self.t_unique, self.t_count = np.unique(t_hash, return_counts=True)
        self.e_unique, self.e_count = _row_counts(e_hash, e_row)

    def of(self, hashes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(in some training row, rare) per n-gram of one eval item."""
        h = np.asarray(hashes, dtype=np.uint64)
        e = self.e_count[np.searchsorted(self.e_unique, h)]
        if not len(self.t_unique):
            return np.zeros(len(h), dtype=bool), e - 1 < MIN_COUNT
        at = np.minimum(np.searchsorted(self.t_unique, h), len(self.t_unique) - 1)
        t = np.where(self.t_unique[at] == h, self.t_count[at], 0)
        return t > 0, t + e - 1 < MIN_COUNT


def _distinct(hashes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (hash, row) pairs, sorted by hash (``rows`` ascending, as Corpus.ngrams
    emits them: a stable sort keeps them so; faster than np.unique over both axes)."""
    order = np.argsort(hashes, kind="stable")
    h, r = hashes[order], rows[order]
    keep = np.concatenate([[True], (h[1:] != h[:-1]) | (r[1:] != r[:-1])])
    return h[keep], r[keep].astype(np.int64)


def _row_counts(hashes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct hashes, how many rows hold each)."""
    h, _ = _distinct(hashes, rows)
    return np.unique(h, return_counts=True)


def _content_background(train: Side, t_hash: np.ndarray, t_row: np.ndarray, e_hash: np.ndarray,
                        e_row: np.ndarray, opts: Options) -> dict:
    """How much of its own content a training row shares with other training rows (of its rare
    n-grams, as in ``_Others``, the share found in another training row): the background a
    ``content`` hit must exceed, at ``copy_quantile``. Rows repeated exactly are left out
    (their share is 1 by construction)."""
    if not len(t_hash):
        return {"threshold": 0.0, "rows": 0, "median": None}
    hashes, row = _distinct(t_hash, t_row)
    first = np.flatnonzero(np.concatenate([[True], hashes[1:] != hashes[:-1]]))
    unique, count = hashes[first], np.diff(np.append(first, len(hashes)))
    inverse = np.repeat(np.arange(len(first)), count)
    e_unique, e_count = _row_counts(e_hash, e_row)
    at = np.minimum(np.searchsorted(e_unique, unique), len(e_unique) - 1)
    in_eval = np.where(e_unique[at] == unique, e_count[at], 0)
    rare = (count - 1 + in_eval < MIN_COUNT)[inverse]
    shared = rare & (count >= 2)[inverse]
    size = len(train.words)
    total = np.bincount(row[rare], minlength=size)
    share = np.bincount(row[shared], minlength=size) / np.maximum(total, 1)
    repeated = Counter(" ".join(w) for w in train.words)
    keep = (total > 0) & np.asarray([repeated[" ".join(w)] == 1 for w in train.words])
    threshold = float(np.quantile(share[keep], opts.copy_quantile)) if keep.any() else 0.0
    return {"threshold": round(threshold, 4), "rows": int(keep.sum()),
            "median": round(float(np.median(share[keep])), 4) if keep.any() else None}


def _mostly_content(corpus: Corpus, hashes: np.ndarray, starts: np.ndarray, n: int,
                    ignore: set) -> np.ndarray:
    """n-grams of which at most half the words lie inside boilerplate n-grams.

    An n-gram that straddles a template ("... clearly morally wrong? Scenario 1 | I'm going
    to") is template, not evidence; one that is mostly the item's own words is evidence.
    """
    boiler = np.isin(hashes, np.fromiter(ignore, dtype=np.uint64, count=len(ignore)))
    marks = np.zeros(len(corpus.ids) + 1, dtype=np.int64)
    np.add.at(marks, starts[boiler], 1)
    np.add.at(marks, starts[boiler] + n, -1)
    covered = np.concatenate([[0], np.cumsum(np.cumsum(marks)[:-1] > 0)])
    return (covered[starts + n] - covered[starts]) * 2 <= n


def _among(hashes: np.ndarray, rows: np.ndarray, wanted: np.ndarray):
    """The (hash, row) pairs whose hash is in the sorted array ``wanted``.

    A 2^24-bit table of the wanted hashes' low bits rejects most hashes with one lookup;
    only the few that pass are binary-searched.
    """
    table = np.zeros(1 << 24, dtype=bool)
    table[(wanted & np.uint64(0xFFFFFF)).astype(np.int64)] = True
    maybe = np.flatnonzero(table[(hashes & np.uint64(0xFFFFFF)).astype(np.int64)])
    hashes, rows = hashes[maybe], rows[maybe]
    pos = np.minimum(np.searchsorted(wanted, hashes), len(wanted) - 1)
    found = wanted[pos] == hashes
    return hashes[found], rows[found]


def _eval_boilerplate(evals: Side, e_hash: np.ndarray, e_row: np.ndarray, share: float) -> set:
    """n-grams present in at least ``share`` of their eval set's items."""
    out: set = set()
    set_sizes = Counter(evals.sets.tolist())
    for s, size in set_sizes.items():
        in_set = evals.sets[e_row] == s
        pairs = np.unique(np.stack([e_hash[in_set], e_row[in_set].astype(np.uint64)]), axis=1)
        hashes, counts = np.unique(pairs[0], return_counts=True)
        out |= set(hashes[counts >= min_count(share, size)].tolist())
    return out


def near_hits(train: Side, evals: Side, opts: Options) -> list[Hit]:
    from datasketch import LeanMinHash, MinHashLSH
    from rapidfuzz import fuzz

    eligible = np.flatnonzero(item_n(evals, opts) > 0)
    if not len(eligible) or not len(train.words):
        return []
    large = len(train.words) * len(eligible) > LARGE_PAIRS
    common = common_words(train.corpus, evals.corpus, share=opts.boilerplate_share) if large else None
    e_sig = _signatures(evals.corpus, opts, common)[eligible]
    t_sig = _signatures(train.corpus, opts, common)
    lsh = MinHashLSH(threshold=opts.lsh_threshold if large else SMALL_LSH_THRESHOLD,
                     num_perm=opts.num_perm)
    for j, sig in zip(eligible.tolist(), e_sig):
        lsh.insert(j, LeanMinHash(seed=opts.seed, hashvalues=sig, scheme="affine32"),
                   check_duplication=False)
    e_text = {j: " ".join(evals.words[j]) for j in eligible.tolist()}
    cutoff = opts.near_threshold * 100
    best: dict[int, Hit] = {}
    for i in _may_collide(lsh.hashranges, t_sig, e_sig, train.corpus.lengths > 0).tolist():
        found = lsh.query(LeanMinHash(seed=opts.seed, hashvalues=t_sig[i], scheme="affine32"))
        t_text = " ".join(train.words[i]) if found else ""
        for j in found:
            score = fuzz.ratio(t_text, e_text[j], score_cutoff=cutoff)
            if score and (j not in best or score / 100 > best[j].score):
                best[j] = Hit("near", j, i, score / 100)
    return [best[j] for j in sorted(best)]


def _may_collide(bands, t_sig: np.ndarray, e_sig: np.ndarray, nonempty: np.ndarray) -> np.ndarray:
    """Training rows that share at least one LSH band with some eval item.

    A vectorised pre-filter with the index's own band ranges: only these rows can get a
    non-empty answer from ``MinHashLSH.query``, so only these are queried (same result as
    querying every row, without 200,000 Python calls).
    """
    hit = np.zeros(len(t_sig), dtype=bool)
    for start, end in bands:
        hit |= np.isin(_band_hash(t_sig[:, start:end]), _band_hash(e_sig[:, start:end]))
    return np.flatnonzero(hit & nonempty)


def _band_hash(band: np.ndarray) -> np.ndarray:
    h = np.zeros(len(band), dtype=np.uint64)
    for k in range(band.shape[1]):
        h = (h ^ band[:, k].astype(np.uint64)) * np.uint64(0x100000001B3)
    return h


COMMON_MIN = 50  # a word must occur this often before it can count as common
# Comparisons with more candidate pairs than this drop common words and use the Options'
# LSH threshold, so that the candidates stay few; smaller ones keep every word and use a
# lower threshold (more candidates, all cheap to verify), which favours recall on short,
# templated texts whose shared words are exactly the common ones.
LARGE_PAIRS = 10**8
SMALL_LSH_THRESHOLD = 0.3


def common_words(*corpora: Corpus, share: float) -> np.ndarray:
    """Words too frequent to tell texts apart (like "the"), flagged by vocabulary id.

    A word counts as common when it occurs more than ``share / 10`` times per row on
    average over all rows, and at least COMMON_MIN times. Dropping common words from the
    MinHash sets keeps unrelated texts from colliding in the LSH index (rows made only of
    common words keep them all); rapidfuzz still verifies the full texts.
    """
    size = int(max(c.ids.max(initial=-1) for c in corpora)) + 1
    counts = np.zeros(size, dtype=np.int64)
    for c in corpora:
        counts += np.bincount(c.ids, minlength=size)
    return counts >= max(COMMON_MIN, share / 10 * sum(len(c) for c in corpora))


def _signatures(corpus: Corpus, opts: Options, common: np.ndarray | None = None) -> np.ndarray:
    values, row_of = shingles(corpus.without(common) if common is not None else corpus, opts.shingle)
    return signatures(values, row_of, len(corpus), opts.num_perm, opts.seed)


def self_pairs(side: Side, opts: Options) -> list[tuple[int, int, float]]:
    """Near-duplicate pairs inside one set: (earlier row, later row, rapidfuzz ratio share).

    Rows with fewer than ``ngram_min`` words are skipped (see the module docstring).
    """
    from datasketch import LeanMinHash, MinHashLSH
    from rapidfuzz import fuzz

    rows = np.flatnonzero(side.corpus.lengths >= opts.ngram_min)
    if len(rows) < 2:
        return []
    large = len(rows) ** 2 > LARGE_PAIRS
    common = common_words(side.corpus, share=opts.boilerplate_share) if large else None
    sig = _signatures(side.corpus, opts, common)
    lsh = MinHashLSH(threshold=opts.lsh_threshold if large else SMALL_LSH_THRESHOLD,
                     num_perm=opts.num_perm)
    texts = {i: " ".join(side.words[i]) for i in rows.tolist()}
    pairs = []
    for i in rows.tolist():
        sketch = LeanMinHash(seed=opts.seed, hashvalues=sig[i], scheme="affine32")
        for j in sorted(lsh.query(sketch)):
            score = fuzz.ratio(texts[i], texts[j], score_cutoff=opts.near_threshold * 100)
            if score:
                pairs.append((j, i, score / 100))
        lsh.insert(i, sketch, check_duplication=False)
    return pairs
