"""task_accuracy (every scorer) and json_validity end to end through `gatekeeper check` on the
tiny real model + LoRA adapter.

The tiny model writes noise, so the golden targets are built from what it actually generates:
half of the rows expect the candidate's own greedy answer (in the form each scorer should
accept) and half expect something else. The measured accuracies are then known exactly, and
the baseline (adapter disabled) answers differently, so the pairing is observable.
"""

from __future__ import annotations

from testkit.scorers import PROMPTS, choices_for, rows_of, shout

import json
import shutil

import pytest

from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.bundle.collect import collect_gates
from gatekeeper.run.registry import load_catalog
from gatekeeper.core.errors import CollectionErrors
from gatekeeper.core.options import EngineOptions


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
    assert not any(score_exact(c, shout(c)).passed for c in cand if c.strip())


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
    chosen = [row[b] for row, b in zip(choices_for(cand), best, strict=True)]
    assert [i["output"] for i in items] == chosen          # the chosen choice, as text
    assert [i["passed"] for i in items] == [i % 2 == 0 for i in range(len(PROMPTS))]
    assert [i["expected"] for i in items][::2] == chosen[::2]  # index targets shown as text
    assert g["comparison"]["test"] == "tango_score" and g["comparison"]["n"] == len(PROMPTS)  # max_drop 0.5


def test_a_choice_target_that_is_not_a_choice_is_a_collection_error(run, tmp_path):
    gates, cand, _, _ = run
    bundle = gates.root
    shutil.copytree(bundle, tmp_path / "b")
    rows = rows_of(["not offered"] * len(PROMPTS), choices=choices_for(cand))
    (tmp_path / "b" / "data" / "choice.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(CollectionErrors) as caught:
        collect_gates(load_bundle(tmp_path / "b"), load_catalog())
    message = str(caught.value.errors[0])
    assert "choice.jsonl:1" in message and "neither an index" in message



def test_no_cache_persists_nothing_but_computes_shared_prompts_once(run, tmp_path, monkeypatch):
    from gatekeeper.model import decoding

    gates, _, _, _ = run
    bundle = gates.root
    calls = []
    real = decoding.generate_ids
    monkeypatch.setattr(decoding, "generate_ids", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "cache"))
    again = run_check(bundle, CheckOptions(out_dir=tmp_path / "run",
                                           engine=EngineOptions(cache=False, progress=False)))
    # five generation gates on the same prompts and settings: candidate once, baseline once
    assert len(calls) == 2
    assert not (tmp_path / "cache" / "cache.sqlite").exists()
    assert {g["id"]: g["outcome"] for g in again.report["gates"]} == \
        {g["id"]: g["outcome"] for g in gates.values()}
