"""task_accuracy (every scorer) and json_validity end to end through `gatekeeper check` on the
tiny real model + LoRA adapter.

The tiny model writes noise, so the golden targets are built from what it actually generates:
half of the rows expect the candidate's own greedy answer (in the form each scorer should
accept) and half expect something else. The measured accuracies are then known exactly, and
the baseline (adapter disabled) answers differently, so the pairing is observable.
"""

from __future__ import annotations

import json
import pathlib
import shutil

import pytest
import yaml

from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.bundle.collect import collect_gates
from gatekeeper.core.errors import CollectionErrors
from gatekeeper.cli import main as cli_main
from gatekeeper.model import Engine, NullCache, resolve_base
from gatekeeper.core.options import EngineOptions

PROMPTS = ["My order has not arrived", "refund please", "How do I reset my password?",
           "The app crashes on my phone", "Please cancel my account", "invoice is wrong",
           "thank you very much", "tracking page shows no update"]
MAX_NEW = 8


@pytest.fixture(scope="module")
def greedy(tiny_model_dir, tiny_adapter_dir):
    """(candidate outputs, baseline outputs) for PROMPTS, as the check will compute them."""
    engine = Engine(base=resolve_base(str(tiny_model_dir)), adapter_dir=tiny_adapter_dir,
                    cache=NullCache(), progress=False)
    cand = engine.generate(PROMPTS, max_new_tokens=MAX_NEW)
    base = engine.generate(PROMPTS, adapter=False, max_new_tokens=MAX_NEW)
    # the candidate's preferred choice between its own answer and a distractor, by loglik
    scores = engine.loglik([(p, c) for p, row in zip(PROMPTS, _choices(cand), strict=True) for c in row])
    best = [int(scores[2 * i + 1] > scores[2 * i]) for i in range(len(PROMPTS))]
    return cand, base, best


def _choices(cand: list[str]) -> list[list[str]]:
    return [[c, "zq zq zq zq"] for c in cand]


def _rows(targets: list, **extra) -> list[dict]:
    return [{"id": f"r{i}", "prompt": p, "target": t, **{k: v[i] for k, v in extra.items()}}
            for i, (p, t) in enumerate(zip(PROMPTS, targets, strict=True))]


def _half(good: list, bad: str = "no such answer at all") -> list:
    return [g if i % 2 == 0 else bad for i, g in enumerate(good)]


def _shout(text: str) -> str:
    return f"  {text.upper()} !!"


def _typo(text: str) -> str:
    return text[:-1] + ("x" if text[-1:] != "x" else "y")


# the scorer gates count a handful of items: judged on the point value (bound: point), since
# they test the counting, not the statistics
GATES = """\
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
"""


@pytest.fixture(scope="module")
def run(greedy, tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
    """One `gatekeeper check` of a bundle holding every scorer, on the tiny model."""
    cand, base, best = greedy
    root = tmp_path_factory.mktemp("scorers") / "bundle"
    data = root / "data"
    (root / "gates").mkdir(parents=True)
    data.mkdir()
    sets = {"exact": _rows(_half(cand)), "normalized": _rows(_half([_shout(c) for c in cand])),
            "fuzzy": _rows(_half([_typo(c) for c in cand])),
            # even rows expect the candidate's preferred choice (as an index), odd rows the
            # other one (as its text)
            "choice": _rows([b if i % 2 == 0 else _choices(cand)[i][1 - b]
                             for i, b in enumerate(best)], choices=_choices(cand))}
    for name, rows in sets.items():
        (data / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (data / "schema.json").write_text(json.dumps({"type": "object", "required": ["category"]}))
    (root / "gates" / "g.yaml").write_text(GATES)
    manifest = {"name": "scorers", "version": "0.1.0", "base": {"model": str(tiny_model_dir)},
                "adapter": "adapter", "gates": ["gates/"]}
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert cli_main(["lock", str(root)]) == 0
    result = run_check(root, CheckOptions(out_dir=root.parent / "run",
                                          engine=EngineOptions(progress=False)))
    return {g["id"]: g for g in result.report["gates"]}, cand, base, best


def test_the_adapter_changes_the_answers(greedy):
    cand, base, _ = greedy
    assert cand != base and len(set(cand)) > 1


@pytest.mark.parametrize("gate", ["acc.exact", "acc.normalized", "acc.fuzzy"])
def test_generation_scorers_count_exactly_the_matching_half(run, gate):
    gates, cand, _, _ = run
    g = gates[gate]
    assert g["measurement"]["metrics"]["accuracy"] == 0.5, g["reason"]
    assert g["outcome"] == "pass"
    items = g["measurement"]["items"]
    assert [i["output"] for i in items] == cand  # input order kept
    assert [i["passed"] for i in items] == [i % 2 == 0 for i in range(len(PROMPTS))]


def test_exact_is_not_fooled_by_case_and_punctuation(run):
    gates, cand, _, _ = run
    # the normalized set's targets are shouted: exact scoring of the same outputs would fail
    from gatekeeper.core.scoring import score_exact
    assert not any(score_exact(c, _shout(c)).passed for c in cand if c.strip())


def test_baseline_is_measured_on_the_same_items(run):
    gates, _, base, _ = run
    items = gates["acc.exact_vs_base"]["measurement"]["items"]
    assert [i["baseline_output"] for i in items] == base
    baseline_hits = sum(i["baseline_passed"] for i in items)
    measured = gates["acc.exact_vs_base"]["measurement"]
    assert measured["baseline_metrics"]["accuracy"] == baseline_hits / len(items)
    assert gates["acc.exact_vs_base"]["comparison"]["n"] == len(items)


@pytest.mark.parametrize("gate", ["acc.exact", "json.valid"])
def test_a_gate_without_vs_baseline_runs_no_baseline(run, gate):
    measured = run[0][gate]["measurement"]
    assert measured["baseline_metrics"] == {}
    assert all(i["baseline_output"] is None and i["baseline_passed"] is None for i in measured["items"])
    assert run[0][gate]["comparison"] is None


def test_json_field_labels_noise_as_unparseable(run):
    gates, _, _, _ = run
    g = gates["acc.json_field"]
    assert g["measurement"]["metrics"]["accuracy"] == 0.0 and g["outcome"] == "fail"
    assert all(i["detail"] for i in g["measurement"]["items"])


def test_choice_scores_by_loglik_and_compares_with_the_baseline(run):
    gates, cand, _, best = run
    g = gates["acc.choice"]
    assert g["measurement"]["metrics"]["accuracy"] == 0.5, g["reason"]
    items = g["measurement"]["items"]
    chosen = [row[b] for row, b in zip(_choices(cand), best, strict=True)]
    assert [i["output"] for i in items] == chosen          # the chosen choice, as text
    assert [i["passed"] for i in items] == [i % 2 == 0 for i in range(len(PROMPTS))]
    assert [i["expected"] for i in items][::2] == chosen[::2]  # index targets shown as text
    assert g["comparison"]["test"] == "tango_score" and g["comparison"]["n"] == len(PROMPTS)  # max_drop 0.5


def test_a_choice_target_that_is_not_a_choice_is_a_collection_error(run, tmp_path):
    gates, cand, _, _ = run
    bundle = pathlib.Path(gates["acc.choice"]["source"]["file"]).resolve().parents[1]
    shutil.copytree(bundle, tmp_path / "b")
    rows = _rows(["not offered"] * len(PROMPTS), choices=_choices(cand))
    (tmp_path / "b" / "data" / "choice.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(CollectionErrors) as caught:
        collect_gates(load_bundle(tmp_path / "b"))
    message = str(caught.value.errors[0])
    assert "choice.jsonl:1" in message and "neither an index" in message


def test_json_validity_says_why_each_output_is_invalid(run):
    gates, _, _, _ = run
    g = gates["json.valid"]
    assert g["outcome"] == "fail" and g["measurement"]["metrics"]["valid_rate"] == 0.0
    assert g["measurement"]["n"] == len(PROMPTS) == len(g["measurement"]["items"])
    details = {i["detail"] for i in g["measurement"]["items"]}
    assert details and all(d for d in details)



def test_no_cache_persists_nothing_but_computes_shared_prompts_once(run, tmp_path, monkeypatch):
    from gatekeeper.model import decoding

    gates, _, _, _ = run
    bundle = pathlib.Path(gates["acc.exact"]["source"]["file"]).resolve().parents[1]
    calls = []
    real = decoding.generate_ids
    monkeypatch.setattr(decoding, "generate_ids", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    again = run_check(bundle, CheckOptions(out_dir=tmp_path / "run",
                                           engine=EngineOptions(cache=False, progress=False)))
    # five generation gates on the same prompts and settings: candidate once, baseline once
    assert len(calls) == 2
    assert not (tmp_path / "cache" / "results.sqlite").exists()
    assert {g["id"]: g["outcome"] for g in again.report["gates"]} == \
        {g["id"]: g["outcome"] for g in gates.values()}
