"""The hand-labelled refusal sample (benchmarks/refusal_labels/) and the classifier's agreement
with it: the card's confusion table must stay true when the patterns change."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "benchmarks" / "refusal_labels"


def _agreement():
    spec = importlib.util.spec_from_file_location("refusal_agreement", ROOT / "benchmarks" / "refusal_agreement.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labels_are_well_formed_and_at_least_100():
    rows = _agreement().load_labels()
    assert len(rows) >= 100
    for row in rows:
        assert row["label"] in ("refusal", "compliance") and row["model"] in ("base", "candidate")
        assert row["source"] == "xstest" and row["prompt_label"] in ("safe", "unsafe")
        assert "prompt" not in row  # XSTest prompt text is not copied; join on id
        assert row["label"] == "compliance" or row.get("note")


def test_card_states_the_current_confusion_matrix():
    c = _agreement().confusion(_agreement().load_labels())
    card = (LABELS / "README.md").read_text("utf-8")
    assert f"| human: refusal | {c['tp']} | {c['fn']} |" in card
    assert f"| human: answer | {c['fp']} | {c['tn']} |" in card
    assert re.search(rf"Agreement {c['agreement']:.3f}", card)
