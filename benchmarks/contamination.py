"""Contamination scan at scale vs brute-force rapidfuzz all-pairs, with planted near-duplicates.

    python benchmarks/contamination.py                      # 200,000 train x 15,000 eval rows
    python benchmarks/contamination.py --train 20000 --eval 2000 --sample 20   # quick look

Generates English-like rows (Zipf-distributed words, prompts of 30-120 words, answers of
15-80 words), copies some eval rows into training rows with edits of several strengths
(case/punctuation only, then 5%, 10%, 20% and 35% of the words swapped, replaced, dropped or
inserted), then runs the gate's scan (gatekeeper.data.scan, single process) and, on a
subsample of eval rows, the brute-force baseline: rapidfuzz ``process.cdist`` of each
sampled eval text against every training text with the same scorer and cutoff, prompts
and answers (workers=1, like the scan). The baseline's time is extrapolated to all eval
rows. Recall counts planted pairs whose edited copy still scores >= the threshold;
precision counts reported near-duplicate items that are planted. Both are also given
against the brute-force truth on the subsample. The last line prints the headline figures.
Compare ratios: other processes on a shared machine slow both sides.

    python benchmarks/contamination.py --templated          # near copies in templated data
    python benchmarks/contamination.py --near-copy-speed --train 20000 --eval 2000

``--near-copy-speed`` times the scan twice on the same data, with the near-copy scorer as it
was before its shared-words bound and top-k selection (every candidate scored over its
differences, every candidate sorted) and as it is, checks that both return the same result
and prints the ratio.

builds a templated set (tests/testkit/templated.py: sentence frames, slot values from pools
of 6 to 900, openers and cues), plants light edits of test items in its training data (word
swap, case and punctuation, a filler word, a cut word, one changed word) and prints the
``near_copies`` recall per edit and its false-flag rate on a clean templated test set (the
same frames, other slot values), over 5 seeds, for the earlier near-copy score
(``copy_score: jaccard``) and today's (``edits``) side by side.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "tests"))  # testkit.templated

from gatekeeper.data.overlap import Options  # noqa: E402
from gatekeeper.data.records import TextItem  # noqa: E402
from gatekeeper.data.scan import EvalSet, scan  # noqa: E402
from gatekeeper.data.text import normalise  # noqa: E402

STRENGTHS = (0.0, 0.05, 0.10, 0.20, 0.35)
SYLLABLES = [a + b for a in ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t",
                             "v", "w", "st", "tr", "pl", "ch") for b in ("a", "e", "i", "o", "u", "ai", "ou")]


def vocabulary(rng: random.Random, size: int = 30000) -> tuple[list[str], list[float]]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))))
    ordered = sorted(words, key=len)
    return ordered, [1 / (rank + 2.7) for rank in range(len(ordered))]


class Writer:
    """English-like text: Zipf word draws (numpy, in bulk), sentence case, commas, full stops."""

    def __init__(self, rng: random.Random):
        import numpy as np

        self.rng = rng
        self.np_rng = np.random.default_rng(rng.randrange(2**32))
        self.words, weights = vocabulary(rng)
        p = np.asarray(weights)
        self.p = p / p.sum()

    def texts(self, count: int, lo: int, hi: int) -> list[str]:
        """``count`` texts of ``lo``..``hi`` words."""
        import numpy as np

        lengths = self.np_rng.integers(lo, hi + 1, size=count)
        draws = self.np_rng.choice(len(self.words), size=int(lengths.sum()), p=self.p)
        marks = self.np_rng.random(len(draws))
        tokens = np.asarray(self.words, dtype=object)[draws]
        stops, commas = marks < 0.08, (marks >= 0.08) & (marks < 0.13)
        tokens[stops] = tokens[stops] + "."
        tokens[commas] = tokens[commas] + ","
        out, at = [], 0
        for n in lengths.tolist():
            piece = tokens[at:at + n].tolist()
            at += n
            piece[0] = piece[0].capitalize()
            out.append(" ".join(piece).rstrip(".,") + ".")
        return out

    def edit(self, text: str, strength: float) -> str:
        """Case and punctuation changed; ``strength`` of the words swapped/replaced/dropped/added."""
        ws = text.replace(".", "").replace(",", "").lower().split()
        for _ in range(round(strength * len(ws))):
            i = self.rng.randrange(len(ws))
            kind = self.rng.randrange(4)
            if kind == 0 and i + 1 < len(ws):
                ws[i], ws[i + 1] = ws[i + 1], ws[i]
            elif kind == 1:
                ws[i] = self.rng.choice(self.words[:5000])
            elif kind == 2 and len(ws) > 5:
                del ws[i]
            else:
                ws.insert(i, self.rng.choice(self.words[:5000]))
        return " ".join(ws).upper() + " !"


def make_data(n_train: int, n_eval: int, planted_per_strength: int, seed: int):
    rng = random.Random(seed)
    writer = Writer(rng)
    evals = [TextItem(f"eval-{j}", "eval.jsonl", j + 1, p, a) for j, (p, a) in
             enumerate(zip(writer.texts(n_eval, 30, 120), writer.texts(n_eval, 15, 80)))]
    train = [TextItem(f"train-{i}", "train.jsonl", i + 1, p, a) for i, (p, a) in
             enumerate(zip(writer.texts(n_train, 30, 120), writer.texts(n_train, 15, 80)))]
    planted = {}  # eval index -> (train index, field, strength)
    picks = rng.sample(range(n_eval), planted_per_strength * len(STRENGTHS))
    slots = rng.sample(range(n_train), len(picks))
    for k, (j, i) in enumerate(zip(picks, slots)):
        strength, field = STRENGTHS[k % len(STRENGTHS)], ("prompt", "answer")[k % 2]
        edited = writer.edit(evals[j].field(field), strength)
        row = train[i]
        train[i] = TextItem(row.id, row.path, row.line, edited if field == "prompt" else row.prompt,
                            edited if field == "answer" else row.answer)
        planted[j] = (i, field, strength)
    return train, evals, planted


def brute_force(train, evals, sample: list[int], threshold: float) -> tuple[float, set]:
    """rapidfuzz all-pairs on the sampled eval rows: (seconds, {(eval index, field)} hit)."""
    from rapidfuzz import fuzz, process

    found = set()
    start = time.perf_counter()
    for field in ("prompt", "answer"):
        queries = [normalise(evals[j].field(field)) for j in sample]
        choices = [normalise(t.field(field)) for t in train]
        scores = process.cdist(queries, choices, scorer=fuzz.ratio, score_cutoff=threshold * 100,
                               workers=1)
        for row, j in enumerate(sample):
            if scores[row].max() > 0:
                found.add((j, field))
    return time.perf_counter() - start, found


def scan_hits(result: dict) -> set:
    """{(eval index, field)} of near-duplicate hits in a scan result of the one eval set."""
    out = set()
    for rec in result["sets"][0]["records"]:
        j = int(rec["eval_id"].split("-")[1])
        for key in rec["scores"]:
            detector, field = key.split("_")
            if detector == "near":
                out.add((j, field))
    return out


def planted_truth(train, evals, planted, threshold: float) -> dict:
    from rapidfuzz import fuzz

    truth = {}
    for j, (i, field, strength) in planted.items():
        score = fuzz.ratio(normalise(evals[j].field(field)), normalise(train[i].field(field))) / 100
        truth[(j, field)] = (strength, score >= threshold)
    return truth


def timed_scan(train, evals, opts: Options) -> tuple[set, float, float, float]:
    """(near-duplicate hits, wall s, CPU s, peak RSS GiB) of the gate's scan."""
    start, cpu_start = time.perf_counter(), time.process_time()
    result = scan(train, [EvalSet("eval", tuple(evals))], opts)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return scan_hits(result), wall, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def print_planted(truth: dict, found: set, threshold: float) -> tuple[float, float]:
    """Per edit strength, what was planted and found; returns (recall, precision)."""
    should = {k for k, (_, ok) in truth.items() if ok}
    for strength in STRENGTHS:
        keys = [k for k, (s, ok) in truth.items() if s == strength]
        ok = [k for k in keys if k in should]
        print(f"  edit strength {strength:4.0%}: {len(ok):4d}/{len(keys)} still >= {threshold:.2f}, "
              f"found {len([k for k in ok if k in found]):4d}, "
              f"found below threshold {len([k for k in keys if k in found and k not in should])}")
    return len(should & found) / max(len(should), 1), len(found & set(truth)) / max(len(found), 1)


SCORES = ("jaccard", "edits")  # the earlier near-copy score, then today's default


def templated(seeds: int, n_train: int, n_test: int, n_frames: int, planted: int) -> None:
    """Near copies in templated data: recall on planted light edits, false flags on a clean set,
    for the old (jaccard) and new (edits) near-copy score side by side on the same data."""
    from testkit.templated import EDITS, frames, light_edit, rows

    found = {(score, k): 0 for score in SCORES for k in EDITS}
    flagged = dict.fromkeys(SCORES, 0)
    total_clean = 0
    start = time.perf_counter()
    for seed in range(seeds):
        rng = random.Random(seed)
        templates = frames(rng, n_frames)
        train_texts = rows(rng, templates, n_train)
        test_texts = rows(rng, templates, n_test, avoid=set(train_texts))
        picks = rng.sample(range(n_test), planted)
        copies = [light_edit(rng, test_texts[j], EDITS[k % len(EDITS)]) for k, j in enumerate(picks)]
        evals = tuple(TextItem(f"test-{j}", "test.jsonl", j + 1, t, "") for j, t in enumerate(test_texts))
        total_clean += n_test
        for score in SCORES:
            line = []
            for leak in (False, True):
                texts = train_texts + (copies if leak else [])
                train = [TextItem(f"train-{i}", "train.jsonl", i + 1, t, "") for i, t in enumerate(texts)]
                result = scan(train, [EvalSet("test", evals)], Options(copy_score=score))
                hit = {int(r["eval_id"].split("-")[1]) for r in result["sets"][0]["records"]
                       if "copy" in r["detectors"]}
                cal = result["near_copy"]["prompt"]
                if leak:
                    for k, j in enumerate(picks):
                        found[(score, EDITS[k % len(EDITS)])] += j in hit
                    line.append(f"planted found {sum(j in hit for j in picks)}/{planted}")
                else:
                    flagged[score] += len(hit)
                    line.append(f"background median {cal['background']['median']:.3f}, q99 "
                                f"{cal['background']['q99']:.3f}, max {cal['background']['max']:.3f}, "
                                f"threshold {cal['threshold']:.3f}; clean false flags {len(hit)}/{n_test}")
            print(f"  seed {seed} {score:7s}: " + "; ".join(line))
    per = planted * seeds / len(EDITS)
    print(f"  {'edit':8s} " + " ".join(f"{score:>8s}" for score in SCORES) + "   (recall per edit kind)")
    for k in EDITS:
        print(f"  {k:8s} " + " ".join(f"{found[(score, k)] / per:8.3f}" for score in SCORES))
    figures = []
    for score in SCORES:
        recall = sum(found[(score, k)] for k in EDITS) / (planted * seeds)
        figures.append(f"{score} recall {recall:.3f}, false flags {flagged[score] / total_clean:.4f} "
                       f"({flagged[score]}/{total_clean})")
    print(f"RESULT templated near copies: {seeds} seeds x {n_train:,} train / {n_test:,} test rows "
          f"from {n_frames} frames, {planted * seeds} planted | " + " | ".join(figures) +
          f" | {time.perf_counter() - start:.1f} s")


def near_copy_speed(train, evals) -> None:
    """The scan with the reference near-copy scorer and with today's, side by side."""
    import json

    import numpy as np

    from gatekeeper.data import nearcopy

    fast = (nearcopy._Local._bound, nearcopy._top)

    def reference_bound(self, row, frame, cost, row_cost, c):
        return self._edits(row, frame, c, set())

    def reference_top(neg, k):
        return np.argsort(neg, kind="stable")[:k]

    runs = {}
    for name, (bound, top) in (("reference", (reference_bound, reference_top)), ("today", fast)):
        nearcopy._Local._bound, nearcopy._top = bound, top
        start, cpu = time.perf_counter(), time.process_time()
        result = scan(train, [EvalSet("eval", tuple(evals))], Options())
        runs[name] = (json.dumps(result, sort_keys=True, default=str),
                      time.perf_counter() - start, time.process_time() - cpu)
        print(f"{name:9s}: {runs[name][1]:.1f} s wall, {runs[name][2]:.1f} s CPU")
    nearcopy._Local._bound, nearcopy._top = fast
    (ref, ref_s, ref_cpu), (new, new_s, new_cpu) = runs["reference"], runs["today"]
    print(f"RESULT near-copy scorer: identical results {ref == new} | scan {ref_s:.1f} s -> {new_s:.1f} s "
          f"wall ({ref_s / new_s:.2f}x), {ref_cpu:.1f} -> {new_cpu:.1f} s CPU ({ref_cpu / new_cpu:.2f}x)")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=200_000)
    ap.add_argument("--eval", type=int, default=15_000)
    ap.add_argument("--planted", type=int, default=200, help="planted pairs per edit strength")
    ap.add_argument("--sample", type=int, default=40, help="eval rows for the brute-force baseline")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--templated", action="store_true", help="near copies in templated data only")
    ap.add_argument("--near-copy-speed", action="store_true",
                    help="the scan with the reference and today's near-copy scorer, side by side")
    args = ap.parse_args(argv)
    if args.templated:
        return templated(seeds=5, n_train=3000, n_test=1000, n_frames=100, planted=200)
    opts = Options()
    train, evals, planted = make_data(args.train, args.eval, args.planted, args.seed)
    if args.near_copy_speed:
        return near_copy_speed(train, evals)
    words = sum(len(t.prompt.split()) + len(t.answer.split()) for t in train) / len(train)
    print(f"data: {len(train):,} train rows, {len(evals):,} eval rows, {words:.0f} words per train "
          f"row (prompt + answer), {len(planted)} planted pairs")
    found, wall, cpu, peak = timed_scan(train, evals, opts)
    busy = " (wall >> CPU: other processes took the cores)" if wall > 1.3 * cpu else ""
    print(f"scan: {wall:.1f} s wall, {cpu:.1f} s CPU{busy}, "
          f"peak RSS {peak:.2f} GiB (data included), {len(found)} near-duplicate hits")
    recall, precision = print_planted(planted_truth(train, evals, planted, opts.near_threshold),
                                      found, opts.near_threshold)
    rng = random.Random(args.seed)
    sample = sorted(set(rng.sample(sorted(planted), args.sample // 2))
                    | set(rng.sample(range(len(evals)), args.sample // 2)))
    cpu_start = time.process_time()
    brute_s, brute = brute_force(train, evals, sample, opts.near_threshold)
    brute_all = brute_s * len(evals) / len(sample)
    brute_cpu = (time.process_time() - cpu_start) * len(evals) / len(sample)
    mine = {k for k in found if k[0] in set(sample)}
    print(f"brute force: {brute_s:.1f} s for {len(sample)} eval rows x {len(train):,} train rows "
          f"(prompts and answers) -> {brute_all:,.0f} s wall, {brute_cpu:,.0f} s CPU for all "
          f"{len(evals):,}; on the subsample: recall {len(brute & mine) / max(len(brute), 1):.3f}, "
          f"precision {len(brute & mine) / max(len(mine), 1):.3f} ({len(brute)} true pairs)")
    print(f"RESULT wall {wall:.1f} s (CPU {cpu:.1f} s) | peak {peak:.2f} GiB | recall {recall:.3f} | "
          f"precision {precision:.3f} | brute force {brute_all:,.0f} s wall ({brute_cpu:,.0f} s CPU) "
          f"extrapolated | speed-up {brute_all / wall:.0f}x wall, {brute_cpu / cpu:.0f}x CPU")


if __name__ == "__main__":
    main()
