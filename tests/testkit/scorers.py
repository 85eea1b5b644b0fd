"""Golden rows built from what the tiny candidate actually answers: half match, half do not,
in the form each task_accuracy scorer should accept."""

from __future__ import annotations


PROMPTS = ["My order has not arrived", "refund please", "How do I reset my password?",
           "The app crashes on my phone", "Please cancel my account", "invoice is wrong",
           "thank you very much", "tracking page shows no update"]

MAX_NEW = 8

def choices_for(cand: list[str]) -> list[list[str]]:
    return [[c, "zq zq zq zq"] for c in cand]

def rows_of(targets: list, **extra) -> list[dict]:
    return [{"id": f"r{i}", "prompt": p, "target": t, **{k: v[i] for k, v in extra.items()}}
            for i, (p, t) in enumerate(zip(PROMPTS, targets, strict=True))]

def per_item_assertions(cand: list[str]) -> list[list[dict]]:
    """Even rows: the output equals the candidate's own; odd rows: it contains a string it never has."""
    return [[{"equals": c.strip()}] if i % 2 == 0 else [{"contains": "zq never said zq"}]
            for i, c in enumerate(cand)]

def half(good: list, bad: str = "no such answer at all") -> list:
    return [g if i % 2 == 0 else bad for i, g in enumerate(good)]

def shout(text: str) -> str:
    return f"  {text.upper()} !!"

def typo(text: str) -> str:
    return text[:-1] + ("x" if text[-1:] != "x" else "y")

# the scorer gates count a handful of items: judged on the point value (bound: point), since
# they test the counting, not the statistics
SCORER_GATES = """\
gates:
  - {id: acc.exact, type: task_accuracy, golden_set: ../data/exact.jsonl,
     params: {scorer: exact, max_new_tokens: 8}, threshold: {metric: accuracy, min: 0.4, bound: point}}
  - {id: acc.exact_vs_base, type: task_accuracy, golden_set: ../data/exact.jsonl,
     params: {scorer: exact, max_new_tokens: 8}, vs_baseline: {max_drop: 0.5}}
  - {id: acc.normalized, type: task_accuracy, golden_set: ../data/normalized.jsonl,
     params: {scorer: normalized, max_new_tokens: 8}, threshold: {metric: accuracy, min: 0.4, bound: point}}
  - {id: acc.fuzzy, type: task_accuracy, golden_set: ../data/fuzzy.jsonl,
     params: {scorer: fuzzy, min_ratio: 80, max_new_tokens: 8}, threshold: {metric: accuracy, min: 0.4, bound: point}}
  - {id: acc.json_field, type: task_accuracy, golden_set: ../data/exact.jsonl,
     params: {scorer: json_field, field: category, max_new_tokens: 8}, threshold: {metric: accuracy, min: 0.4}}
  - {id: acc.choice, type: task_accuracy, golden_set: ../data/choice.jsonl,
     params: {scorer: choice}, threshold: {metric: accuracy, min: 0.9},
     vs_baseline: {max_drop: 0.5}}
  - {id: json.valid, type: json_validity, golden_set: ../data/exact.jsonl,
     params: {schema: ../data/schema.json, max_new_tokens: 8},
     threshold: {metric: valid_rate, min: 0.995, bound: lower95}}
  - {id: assert.items, type: assertions, golden_set: ../data/assertions.jsonl,
     params: {assertions: [{not_contains: "As an AI"}, {max_length: 400}, {min_length: 0}], max_new_tokens: 8},
     threshold: {metric: pass_rate, min: 0.4, bound: point}, vs_baseline: {max_drop: 0.6}}
"""
