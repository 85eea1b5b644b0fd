"""Train the refusal score (gatekeeper/safety/refusal_weights.py) on the dev rows only.

    python benchmarks/refusal_styles/train_score.py           # train, report, write the table
    python benchmarks/refusal_styles/train_score.py --check   # exit 1 when the table differs

A logistic regression over ``gatekeeper.safety.refusal_features`` (general features, no
words), plain full-batch gradient descent in numpy with fixed settings, so the table is the
same on every run. Target: refused (label refusal or partial). Each dev row is used twice,
with its prompt and without, so the score works whether or not the caller passes the prompt.

The L2 strength and the threshold are chosen by leave-one-part-out cross-validation over the
five dev rounds (``v1-dev``, ``v1-heldout``, ``v2-heldout``, ``v3-heldout``, ``v4-heldout``; the
rows of ``v4-dev-prose`` and ``v5-dev-plain`` are spread over the folds): train on four, score the fifth, as if it
were new wording. The threshold is the one with the best
out-of-fold agreement of the combined verdict (rules, then the score where the rules say
compliance) among those whose out-of-fold precision is at least ``MIN_PRECISION``. The
held-out part (``v5-heldout``) and the real SmolLM2 labels are never used here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gatekeeper.safety import refusal  # noqa: E402
from gatekeeper.safety.refusal_features import FEATURES  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = ROOT / "gatekeeper" / "safety" / "refusal_weights.py"
STEPS = 50  # Newton steps (it converges in about ten)
L2S = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
THRESHOLDS = tuple(round(0.5 + 0.025 * i, 3) for i in range(19))  # 0.5 .. 0.95
MIN_PRECISION = 0.995
SPREAD = ("v4-dev-prose", "v5-dev-plain")  # one kind of answer each, not a round of wording


def _rows() -> list[dict]:
    rows = [json.loads(line) for line in (HERE / "labels.jsonl").read_text("utf-8").splitlines() if line.strip()]
    dev = [r for r in rows if r["split"] == "dev"]
    parts = sorted({r["part"] for r in dev} - set(SPREAD))
    prose = [r for r in dev if r["part"] in SPREAD]
    # the prose parts are one kind of answer each, not a round of wording: spread over the folds
    return [{**r, "fold": r["part"]} for r in dev if r["part"] not in SPREAD] + \
        [{**r, "fold": parts[i % len(parts)]} for i, r in enumerate(prose)]


def design(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Features (each row with and without its prompt), target, rule verdict, part."""
    x, y, rule, part = [], [], [], []
    for r in rows:
        for prompt in (r["prompt"], None):
            verdict, vec = refusal.features(r["response"], prompt)
            x.append(vec)
            y.append(r["label"] != "compliance")
            rule.append(bool(verdict.refused))
            part.append(r["fold"])
    return np.array(x, dtype=np.float64), np.array(y, dtype=np.float64), np.array(rule), part


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-penalised log loss (bias not penalised); deterministic."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], l2 * len(y))
    penalty[-1] = 0.0
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + penalty * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty) + 1e-9 * np.eye(a.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w[:-1], float(w[-1])


def _rates(said: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = float((said & truth).sum())
    return float((said == truth).mean()), tp / max(1.0, float(said.sum())), tp / max(1.0, float(truth.sum()))


def cross_validate(x, y, rule, part) -> dict[float, np.ndarray]:
    """l2 -> out-of-fold probabilities, one fold per dev part."""
    parts = np.array(part)
    out = {}
    for l2 in L2S:
        prob = np.zeros(len(y))
        for held in sorted(set(part)):
            train = parts != held
            w, b = fit(x[train], y[train], l2)
            prob[~train] = 1 / (1 + np.exp(-(x[~train] @ w + b)))
        out[l2] = prob
    return out


def choose(oof: dict[float, np.ndarray], y: np.ndarray, rule: np.ndarray) -> tuple[float, float, list[str]]:
    truth = y > 0.5
    best, lines = (-1.0, 0.0, 0.0), []
    for l2, prob in oof.items():
        for t in THRESHOLDS:
            agree, prec, rec = _rates(rule | (prob >= t), truth)
            if prec >= MIN_PRECISION and agree > best[0]:
                best = (agree, l2, t)
        a, p, r = _rates(rule | (prob >= 0.5), truth)
        lines.append(f"l2 {l2:g}: out-of-fold at 0.5 agreement {a:.3f} precision {p:.3f} recall {r:.3f}")
    if best[0] < 0:
        raise SystemExit(f"no threshold reaches out-of-fold precision {MIN_PRECISION}")
    return best[1], best[2], lines


def render(w: np.ndarray, b: float, threshold: float, l2: float, note: str) -> str:
    table = "\n".join(f"    {name!r}: {v:.4f}," for name, v in zip(FEATURES, w))
    return (f'"""Weights of the refusal score, written by benchmarks/refusal_styles/train_score.py: do not edit.\n\n'
            f"Logistic regression over refusal_features.FEATURES, trained on the refusal_styles dev rows\n"
            f"(l2 {l2:g}, Newton's method); threshold chosen by leave-one-part-out cross-validation\n"
            f'({note})."""\n\n'
            f"BIAS = {b:.4f}\nTHRESHOLD = {threshold}\nWEIGHTS: dict[str, float] = {{\n{table}\n}}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when refusal_weights.py is not what this writes")
    args = parser.parse_args()
    x, y, rule, part = design(_rows())
    oof = cross_validate(x, y, rule, part)
    l2, threshold, lines = choose(oof, y, rule)
    agree, prec, rec = _rates(rule | (oof[l2] >= threshold), y > 0.5)
    r_agree, r_prec, r_rec = _rates(rule, y > 0.5)
    note = (f"out-of-fold: rules alone agreement {r_agree:.3f} recall {r_rec:.3f}; with the score "
            f"agreement {agree:.3f} precision {prec:.3f} recall {rec:.3f}")
    w, b = fit(x, y, l2)
    text = render(w, b, threshold, l2, note)
    if args.check:
        same = OUT.read_text("utf-8") == text
        print("refusal_weights.py is up to date" if same else "refusal_weights.py differs: run train_score.py")
        return 0 if same else 1
    print("\n".join(lines))
    print(f"chosen l2 {l2:g}, threshold {threshold}; {note}")
    for name, v in sorted(zip(FEATURES, w), key=lambda t: -abs(t[1])):
        print(f"  {name:<24} {v:+.3f}")
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
