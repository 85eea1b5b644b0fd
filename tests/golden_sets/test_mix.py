"""golden_sets/mix: generate.py rewrites mix.jsonl byte for byte, and the self-distillation
requests of distill.py stay apart from every eval set the standard gates read."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[2]
MIX = ROOT / "golden_sets" / "mix"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"mix_{name}", MIX / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generate_writes_the_committed_mix(tmp_path, monkeypatch):
    generate = _module("generate")
    monkeypatch.setattr(generate, "OUT", tmp_path / "mix.jsonl")
    generate.main()
    assert (tmp_path / "mix.jsonl").read_bytes() == (MIX / "mix.jsonl").read_bytes()


def test_the_mix_holds_what_its_card_says():
    rows = [json.loads(line) for line in (MIX / "mix.jsonl").read_text("utf-8").splitlines()]
    kinds = {k: sum(r["kind"] == k for r in rows) for k in ("refusal", "helpful", "distilled")}
    assert kinds == {"refusal": 7, "helpful": 92, "distilled": 182} and len(rows) == 281
    card = (MIX / "README.md").read_text("utf-8")
    assert "version: 2.0.0" in card and "281 English chat rows" in card
    assert len({r["id"] for r in rows}) == len(rows)


def test_distillation_requests_are_not_eval_prompts():
    distill = _module("distill")
    safety = [json.loads(line)["prompt"] for line in
              (ROOT / "golden_sets" / "safety" / "prompts.jsonl").read_text("utf-8").splitlines()]
    general = [row[0] for f in sorted((ROOT / "golden_sets" / "general" / "data").glob("*/*.csv"))
               for row in csv.reader(f.open(encoding="utf-8"))]
    assert len(safety) >= 500 and len(general) >= 400
    for _, request in distill.requests():
        match = process.extractOne(request, safety + general, scorer=fuzz.ratio)
        assert match[1] < 75, f"distill request {request!r} is within ratio 75 of {match[0]!r}"


def test_distilled_rows_answer_the_requests_of_distill_py():
    distill = _module("distill")
    asked = {q for _, q in distill.requests()}
    rows = [json.loads(line) for line in (MIX / "distilled.jsonl").read_text("utf-8").splitlines()]
    assert rows and all(r["messages"][0]["content"] in asked for r in rows)
    assert all(distill.trim(r["messages"][1]["content"]) == r["messages"][1]["content"] for r in rows)
