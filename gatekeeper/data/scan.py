"""Contamination scan: training items against eval sets, prompts vs prompts, answers vs answers.

Besides the three detectors of gatekeeper.data.overlap, the near-copy detector
(gatekeeper.data.nearcopy, hits of detector ``copy``) compares distinctive content,
calibrated on the training rows; its calibration is returned per field.

Two item sets per eval set: ``hit_flags``, items any detector links to a training row
(template overlap included: what ``subset: clean`` leaves out), and ``finding_flags``, items
with an exact copy, a near copy or a ``content`` n-gram overlap (an n-gram rare in the data:
the item's own text, not a shared sentence frame): what a reviewer can act on.

Answers that are labels are not compared: an answer shorter than ``ngram_min`` words, or one
shared by two or more items of its eval set (a class such as ``{"category": "billing"}``
or an MMLU letter), says nothing about leakage when it reappears in training data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from gatekeeper.data.boilerplate import BREAK, common_lines, content_words, train_lines
from gatekeeper.data.nearcopy import CopyOptions, near_copies
from gatekeeper.data.overlap import DETECTORS, Hit, Options, Side, detect
from gatekeeper.data.records import TextItem
from gatekeeper.data.sketch import Vocab
from gatekeeper.data.text import marked_diff, normalise

FIELDS = ("prompt", "answer")
SEVERITY = ("exact", "near_copy", "similarity", "ngram_overlap")  # the sort key, most severe first
KINDS = DETECTORS + ("copy", "content")
FINDINGS = ("exact", "copy", "content")  # what a reviewer acts on (template overlap aside)
_SHOWN_FIRST = ("exact", "copy", "content", "near", "ngram")  # the record shows the most telling hit


@dataclass(frozen=True)
class EvalSet:
    """One eval file or directory, its items and the gates that read it."""

    name: str
    items: tuple[TextItem, ...]
    gates: tuple[str, ...] = ()


def scan(train: list[TextItem], sets: list[EvalSet], opts: Options) -> dict:
    """Per set: items, checked items, hit counts per detector and field, and the hit records."""
    flat = [(s, item) for s, es in enumerate(sets) for item in es.items]
    found: dict[tuple[int, str], list[Hit]] = {}
    boiler: dict[str, list[str]] = {}
    calibration: dict[str, dict | None] = {}
    content: dict[str, dict] = {}
    copy = CopyOptions(frame_share=opts.copy_frame_share, quantile=opts.copy_quantile,
                       min_words=opts.copy_min_words, seed=opts.seed, score=opts.copy_score)
    for field in FIELDS:
        lines = frozenset().union(*(common_lines([i.field(field) for i in es.items],
                                                 opts.boilerplate_share) for es in sets))
        texts = [i.field(field) for i in train]
        t_lines = lines | train_lines(texts, opts.boilerplate_share, [i.field(field) for _, i in flat])
        boiler[field] = sorted(t_lines)
        eval_words = _eval_words(flat, field, lines, opts)
        vocab = Vocab()
        t_side = Side.build([content_words(t, t_lines, breaks=True) for t in texts], [0] * len(train),
                            vocab)
        e_side = Side.build(eval_words, [s for s, _ in flat], vocab)
        content[field] = {}
        hits = detect(t_side, e_side, opts, content[field])
        pairs, calibration[field] = near_copies(t_side.words, e_side.words, copy) \
            if any(e_side.words) else ([], None)
        hits += [Hit("copy", e, t, score) for e, t, score in pairs]
        for hit in hits:
            found.setdefault((hit.eval_index, field), []).append(hit)
    return {"sets": [_set_result(s, es, flat, found, train) for s, es in enumerate(sets)],
            "boilerplate": boiler, "near_copy": calibration,
            "content": {f: [{"n": n} | c for n, c in sorted(v.items())] for f, v in content.items()}}


def _eval_words(flat, field: str, lines: frozenset, opts: Options) -> list[list[str]]:
    words = [content_words(item.field(field), lines, breaks=True) for _, item in flat]
    if field == "answer":
        counts = Counter((s, " ".join(w)) for (s, _), w in zip(flat, words))
        words = [w if len(w) - w.count(BREAK) >= opts.ngram_min and counts[(s, " ".join(w))] == 1
                 else [] for (s, _), w in zip(flat, words)]
    return words


def _set_result(s: int, es: EvalSet, flat, found, train) -> dict:
    index = [j for j, (k, _) in enumerate(flat) if k == s]
    counts = {f"{d}_{f}": 0 for d in KINDS for f in FIELDS}
    hit_items, finding_items, records = [], [], []
    for j in index:
        item_hits = [(f, h) for f in FIELDS for h in found.get((j, f), [])]
        for f, h in item_hits:
            counts[f"{h.detector}_{f}"] += 1
        hit_items.append(bool(item_hits))
        finding_items.append(any(h.detector in FINDINGS for _, h in item_hits))
        if item_hits:
            records.append(_record(flat[j][1], item_hits, train))
    records.sort(key=severity)
    per_detector = {d: sum(1 for j in index if any(h.detector == d for f in FIELDS
                                                   for h in found.get((j, f), [])))
                    for d in KINDS}
    copies, content = per_detector.pop("copy"), per_detector.pop("content")
    return {"name": es.name, "gates": list(es.gates), "items": len(index), "near_copies": copies,
            "content_hits": content, "findings": sum(finding_items), "finding_flags": finding_items,
            "hits": sum(hit_items), "hit_flags": hit_items, "by_detector": per_detector,
            "by_detector_field": counts, "records": records}


def _record(item: TextItem, item_hits: list, train: list[TextItem]) -> dict:
    """One eval item's hits: the strongest per field, both texts with the differing words marked."""
    detectors = sorted({h.detector for _, h in item_hits}, key=KINDS.index)
    field, top = max(item_hits, key=lambda fh: (-_SHOWN_FIRST.index(fh[1].detector), fh[1].score))
    other = train[top.train_index]
    eval_marked, train_marked = marked_diff(item.field(field), other.field(field))
    same = normalise(item.field(field)) == normalise(other.field(field))
    ngram = max((h.score for _, h in item_hits if h.detector == "ngram"), default=0.0)
    copy = max((h.score for _, h in item_hits if h.detector == "copy"), default=0.0)
    return {"eval_id": item.id, "eval_where": item.where, "train_id": other.id,
            "train_where": other.where, "field": field, "detectors": detectors,
            "detector": top.detector, "score": round(top.score, 4),
            "scores": {f"{h.detector}_{f}": round(h.score, 4) for f, h in item_hits},
            "eval_marked": eval_marked, "train_marked": train_marked,
            "same_normalised": same, "exact": "exact" in detectors, "near_copy": round(copy, 4),
            "finding": any(d in FINDINGS for d in detectors),
            "similarity": round(fuzz.ratio(normalise(item.field(field)),
                                           normalise(other.field(field))) / 100, 4),
            "ngram_overlap": round(ngram, 4)}


def severity(record: dict) -> tuple:
    """Sort key, most severe first: exact hits, then near-copy score, then the rapidfuzz
    similarity of the pair shown, then the share of the item's n-grams found in training data
    (ties keep file order: the sort is stable)."""
    return tuple(-float(record.get(k) or 0) for k in SEVERITY)
