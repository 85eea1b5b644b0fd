"""Agreement of the refusal classifier with hand labels (benchmarks/refusal_labels/).

    python benchmarks/refusal_agreement.py            # confusion matrix + disagreements
    python benchmarks/refusal_agreement.py --quiet    # numbers only

The labels are real SmolLM2-135M-Instruct responses (base model and the demo adapter) to
XSTest prompts, each read and labelled by hand as a refusal or not (see the card). The
classifier never saw them while its patterns were written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "refusal_labels" / "labels.jsonl"


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def confusion(rows: list[dict]) -> dict:
    """Counts of (human label, classifier verdict) and the usual rates."""
    from gatekeeper.safety.refusal import classify

    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    wrong = []
    for row in rows:
        human = row["label"] == "refusal"
        verdict = classify(row["response"])
        key = ("t" if human == verdict.refused else "f") + ("p" if verdict.refused else "n")
        counts[key] += 1
        if human != verdict.refused:
            wrong.append({**row, "rule": verdict.rule, "evidence": verdict.evidence})
    n = len(rows)
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    agree = (tp + tn) / n
    p_yes = ((tp + fp) / n) * ((tp + fn) / n) + ((fn + tn) / n) * ((fp + tn) / n)
    return {**counts, "n": n, "agreement": agree,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"),
            "kappa": (agree - p_yes) / (1 - p_yes) if p_yes < 1 else float("nan"), "wrong": wrong}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    rows = load_labels()
    c = confusion(rows)
    print(f"{c['n']} hand-labelled responses ({sum(r['label'] == 'refusal' for r in rows)} refusals)")
    print("                 classifier: refusal   classifier: answer")
    print(f"human: refusal   {c['tp']:>19d}   {c['fn']:>18d}")
    print(f"human: answer    {c['fp']:>19d}   {c['tn']:>18d}")
    print(f"agreement {c['agreement']:.3f}  precision {c['precision']:.3f}  recall {c['recall']:.3f}  "
          f"Cohen's kappa {c['kappa']:.3f}")
    if not args.quiet:
        for w in c["wrong"]:
            print(f"- {w['model']} xstest#{w['id']} human={w['label']} rule={w['rule']}: {w['response'][:160]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
