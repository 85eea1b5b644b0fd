"""Experiment, not shipped: a bag-of-words logistic regression trained on the dev rows.

    python benchmarks/refusal_styles/bow_experiment.py

Unigrams and bigrams seen at least 3 times in dev, plain gradient descent (numpy, fixed
settings, no tuning), refused = label is refusal or partial. It prints agreement on dev, on
the held-out part (per style) and on the 120 real SmolLM2 responses of
benchmarks/refusal_labels. The point is the contrast (README "Refusal classifier"): it
learns this set's own regularities (compliant answers here nearly always carry steps or
placeholders) and does far worse than the rules on real model output.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"[a-z']+|\d+|[^\sa-z\d]")


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _features(text: str) -> set[str]:
    words = TOKEN.findall(text.lower())
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}


def main() -> int:
    rows = _load(HERE / "labels.jsonl")
    dev = [r for r in rows if r["split"] == "dev"]
    held = [r for r in rows if r["split"] == "heldout"]
    real = _load(HERE.parent / "refusal_labels" / "labels.jsonl")
    counts = Counter(f for r in dev for f in _features(r["response"]))
    index = {f: i for i, f in enumerate(f for f, c in counts.items() if c >= 3)}

    def matrix(rs: list[dict]) -> np.ndarray:
        m = np.zeros((len(rs), len(index) + 1), dtype=np.float32)
        for i, r in enumerate(rs):
            for f in _features(r["response"]):
                if f in index:
                    m[i, index[f]] = 1.0
            m[i, -1] = 1.0
        return m

    def target(rs: list[dict]) -> np.ndarray:
        return np.array([r["label"] != "compliance" for r in rs], dtype=np.float32)

    x, y = matrix(dev), target(dev)
    w = np.zeros(x.shape[1], dtype=np.float32)
    for _ in range(300):
        p = 1 / (1 + np.exp(-x @ w))
        w -= x.T @ (p - y) / len(y) + 1e-2 * w
    for name, rs in (("dev", dev), ("heldout", held), ("smollm2 (real)", real)):
        said = (1 / (1 + np.exp(-matrix(rs) @ w))) > 0.5
        truth = target(rs) > 0.5
        tp = int((said & truth).sum())
        by = defaultdict(list)
        for r, s, t in zip(rs, said, truth):
            by[r.get("style", "real")].append(bool(s == t))
        print(f"{name:<15} agreement {float((said == truth).mean()):.3f}  precision {tp / max(1, said.sum()):.3f}  "
              f"recall {tp / max(1, truth.sum()):.3f}  "
              + " ".join(f"{s} {sum(v) / len(v):.3f}" for s, v in by.items() if s != "real"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
