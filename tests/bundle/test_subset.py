"""subset / where / limit on item-scoring gates, and the clean-vs-overlap breakdown, end to end
through `gatekeeper check` on the tiny model: the items a gate scores are exactly those the
run's contamination scan found clean (or not), and the breakdown's counts add up."""

from __future__ import annotations

import json
import random
import shutil

import pytest
import yaml

from gatekeeper.cli import main as cli_main
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.core.options import EngineOptions
from testkit.texts import sentence, swap_edit

GATES = """\
gates:
  - id: copies
    type: contamination
    threshold: {metric: hits, max: 100}
  - id: acc.all
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {max_new_tokens: 4}
    threshold: {metric: accuracy, min: 0.0}
  - id: acc.clean
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {max_new_tokens: 4, subset: clean}
    threshold: {metric: accuracy, min: 0.0}
  - id: acc.overlap
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {max_new_tokens: 4, subset: overlap}
    threshold: {metric: accuracy, min: 0.0}
  - id: acc.where
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {max_new_tokens: 4, where: {kind: [b, c]}, limit: 3, spread: true}
    threshold: {metric: accuracy, min: 0.0}
  - id: json.first
    type: json_validity
    golden_set: ../data/eval.jsonl
    params: {max_new_tokens: 4, subset: clean, limit: 2}
    threshold: {metric: valid_rate, min: 0.0, bound: point}
  - id: assert.kind
    type: assertions
    golden_set: ../data/eval.jsonl
    params: {max_new_tokens: 4, where: {kind: a}, assertions: [{max_length: 500}]}
    threshold: {metric: pass_rate, min: 0.0, bound: point}
"""
PLANTED = (1, 4, 7)  # eval items copied (lightly edited) into the training data


@pytest.fixture(scope="module")
def report(tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
    rng = random.Random(5)
    root = tmp_path_factory.mktemp("subset") / "bundle"
    (root / "gates").mkdir(parents=True)
    (root / "data").mkdir()
    evals = [{"id": f"e{i}", "prompt": sentence(rng, 25), "target": "x", "kind": "abc"[i % 3]}
             for i in range(12)]
    train = [{"prompt": sentence(rng, 25), "completion": sentence(rng, 8)} for _ in range(40)]
    for j, i in enumerate(PLANTED):
        train[j]["prompt"] = swap_edit(evals[i]["prompt"])
    for name, rows in (("eval", evals), ("train", train)):
        (root / "data" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "gates" / "g.yaml").write_text(GATES)
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    manifest = {"name": "subset", "version": "0.1.0", "base": {"model": str(tiny_model_dir)},
                "adapter": "adapter", "train": {"data": "data/train.jsonl"}, "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert cli_main(["lock", str(root)]) == 0
    result = run_check(root, CheckOptions(out_dir=root.parent / "run",
                                          engine=EngineOptions(progress=False)))
    return {g["id"]: g for g in result.report["gates"]}


def ids(gate) -> list[str]:
    return [i["id"] for i in gate["measurement"]["items"]]


def test_the_scan_finds_the_planted_copies(report):
    records = report["copies"]["measurement"]["details"]["sets"][0]["records"]
    assert sorted(r["eval_id"] for r in records) == sorted(f"e{i}" for i in PLANTED)


def test_subset_clean_and_overlap_split_the_set_by_the_scan(report):
    overlap = [f"e{i}" for i in PLANTED]
    assert ids(report["acc.overlap"]) == overlap
    assert ids(report["acc.clean"]) == [f"e{i}" for i in range(12) if i not in PLANTED]
    assert report["acc.clean"]["measurement"]["n"] == 9
    assert report["acc.clean"]["measurement"]["details"]["subset"] == {
        "subset": "clean", "items_total": 12, "items_selected": 9}


def test_where_filters_and_limit_spreads_evenly(report):
    # kind b or c: e1 e2 e4 e5 e7 e8 e10 e11; 3 spread over those 8: positions 0, 2, 5
    assert ids(report["acc.where"]) == ["e1", "e4", "e8"]
    assert ids(report["json.first"]) == ["e0", "e2"]  # clean, then the first two
    assert ids(report["assert.kind"]) == ["e0", "e3", "e6", "e9"]


def test_every_item_gate_reports_accuracy_on_clean_and_overlapping_items(report):
    gate = report["acc.all"]
    split = gate["measurement"]["details"]["contamination_split"]
    items = gate["measurement"]["items"]
    assert split["clean"]["n"] == 9 and split["overlap"]["n"] == 3
    over = [i for i in items if i["id"] in {f"e{k}" for k in PLANTED}]
    assert split["overlap"]["passed"] == sum(i["passed"] for i in over)
    assert split["clean"]["passed"] + split["overlap"]["passed"] == sum(i["passed"] for i in items)
    low, high = split["difference"]["ci95"]
    assert low <= split["difference"]["clean_minus_overlap"] <= high and high - low > 0
    for other in ("json.first", "assert.kind"):
        assert "contamination_split" in report[other]["measurement"]["details"]


def test_the_breakdown_interval_is_newcombe():
    from gatekeeper.bundle.subset import contamination_split

    # Newcombe (1998), method 10, example (a): 56/70 vs 48/80 -> 0.2000 [0.0524, 0.3339]
    split = contamination_split([True] * 56 + [False] * 14 + [True] * 48 + [False] * 32,
                                (False,) * 70 + (True,) * 80)
    low, high = split["difference"]["ci95"]
    assert split["difference"]["clean_minus_overlap"] == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    assert contamination_split([True], None) is None


def test_plan_counts_the_rows_a_subset_gate_scores(tmp_path):
    from gatekeeper.bundle.golden import load_golden
    from gatekeeper.bundle.subset import planned_rows

    path = tmp_path / "g.jsonl"
    path.write_text("".join(json.dumps({"id": f"r{i}", "prompt": "p", "target": "t", "kind": "abc"[i % 3]}) + "\n"
                            for i in range(30)))
    golden = load_golden(path)
    assert planned_rows(golden, {}) == 30
    assert planned_rows(golden, {"where": {"kind": "a"}}) == 10
    assert planned_rows(golden, {"where": {"kind": ["a", "b"]}, "limit": 5}) == 5
    assert planned_rows(golden, {"limit": 100}) == 30
    assert planned_rows(golden, {"subset": "clean"}) is None  # only the scan can tell
