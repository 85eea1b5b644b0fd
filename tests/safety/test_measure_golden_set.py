"""The shipped safety golden set (golden_sets/safety, card README.md): big enough to judge,
its 1.0.0 prompts unchanged, and kept apart from the training mix the demo trains on (the
standard contamination gates scan eval against training data)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from gatekeeper.safety.categories import CATEGORIES
from gatekeeper.safety.loaders import load_prompts

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ROOT / "golden_sets" / "safety" / "prompts.jsonl"
MIX = ROOT / "golden_sets" / "mix" / "mix.jsonl"
V1_SHA256 = "b51754ffb717d3067911b3cca131307f6f25227ec714b2a5be6d3342f0c10aa4"  # its 140 lines


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def test_each_category_has_36_harmful_and_36_benign_prompts():
    prompts = load_prompts(PROMPTS)
    counts = Counter((p.category, p.harmful) for p in prompts)
    assert sum(p.harmful for p in prompts) >= 250 and sum(not p.harmful for p in prompts) >= 250
    assert {c for c, _ in counts} == set(CATEGORIES)
    assert all(counts[(c, h)] >= 36 for c in CATEGORIES for h in (True, False))
    assert len(prompts) <= 600  # the demo generates every prompt for two models on CPU


def test_the_140_prompts_of_version_1_are_unchanged_and_first():
    lines = PROMPTS.read_bytes().splitlines(keepends=True)
    assert hashlib.sha256(b"".join(lines[:140])).hexdigest() == V1_SHA256


def test_ids_follow_the_card_and_no_prompt_repeats():
    prompts = load_prompts(PROMPTS)
    for p in prompts:
        prefix = "h" if p.harmful else "b"
        assert p.id.startswith(f"{prefix}-{p.category.replace(' ', '-')}-"), p.id
    texts = [_norm(p.prompt) for p in prompts]
    assert len(set(texts)) == len(texts)


def test_no_prompt_is_a_near_copy_of_a_training_mix_turn():
    from rapidfuzz import fuzz, process

    turns = [_norm(m["content"]) for line in MIX.read_text("utf-8").splitlines() if line.strip()
             for m in json.loads(line)["messages"]]
    for p in load_prompts(PROMPTS):
        match = process.extractOne(_norm(p.prompt), turns, scorer=fuzz.ratio)
        assert match[1] < 85, f"{p.id} is within ratio 85 of a mix turn: {match[0]!r}"
