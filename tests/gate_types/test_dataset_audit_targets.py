"""dataset_audit audits every training input (the general mix too) and checks training
answers against the output schema the bundle's json_validity gate demands: a recipe whose
JSON answers were cut in half for 3% of its rows fails, each finding at file:line."""

from __future__ import annotations

import json
import random

import pytest

from testkit.bundles import STATIC_TYPES, write_bundle
from gatekeeper.cli import main as cli_main
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.run.registry import register_gate_type, unregister_gate_type
from testkit.texts import sentence

GATES = """\
gates:
  - id: t.json
    type: json_validity
    golden_set: ../data/eval.jsonl
    params: {schema: ../data/schema.json}
    threshold: {metric: valid_rate, min: 0.9}
  - id: data.targets
    type: dataset_audit
    params: {tokens: false}
    threshold: {metric: target_errors, max: 0}
  - id: data.schema
    type: dataset_audit
    params: {tokens: false}
    threshold: {metric: schema_errors, max: 0}
"""
SCHEMA = {"type": "object", "required": ["category", "priority"], "additionalProperties": False,
          "properties": {"category": {"enum": ["refund", "login"]},
                         "priority": {"enum": ["low", "high"]}}}
CUT = (7, 40, 81)            # 3 of 100 task answers cut in half (0-based rows)


@pytest.fixture(autouse=True, scope="module")
def static_types():
    for fn in STATIC_TYPES:
        register_gate_type(fn)
    yield
    for fn in STATIC_TYPES:
        unregister_gate_type(fn.__gate_type__.name)


def chat(prompt: str, answer: str) -> dict:
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


def make(tmp_path, model, *, cut=CUT, gates=GATES):
    rng = random.Random(3)
    train = []
    for i in range(100):
        answer = json.dumps({"category": ["refund", "login"][i % 2], "priority": ["low", "high"][i % 3 % 2]})
        train.append(chat(sentence(rng, 10), answer[: len(answer) // 2] if i in cut else answer))
    mix = [chat(sentence(rng, 8), sentence(rng, 9)) for _ in range(20)]           # prose: never a finding
    mix.append(chat("Give me the ticket as JSON.", '{"category": "refund"'))     # mix line 21: JSON, cut
    root = write_bundle(tmp_path / "b", {"g.yaml": gates}, rows=[{"id": "e0", "prompt": "p", "target": "t"}],
                        manifest={"base": {"model": str(model)}, "train": {"data": "data/train.jsonl",
                                            "mix": {"data": "data/mix.jsonl", "fraction": 0.2}}})
    for name, rows in (("train", train), ("mix", mix)):
        (root / "data" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "data" / "schema.json").write_text(json.dumps(SCHEMA))
    assert cli_main(["lock", str(root)]) == 0   # the json_validity gate pins the (tiny) base model
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run", keyword="data"))
    return {g["id"]: g for g in result.report["gates"]}, result


def test_cut_json_answers_fail_the_audit_at_file_line(tmp_path, tiny_model_dir):
    gates, result = make(tmp_path, tiny_model_dir)
    gate = gates["data.targets"]
    assert gate["outcome"] == "fail" and result.exit_code == 1
    targets = gate["measurement"]["details"]["targets"]
    assert gate["measurement"]["metrics"]["target_errors"] == 4
    assert [f["where"] for f in targets["findings"]] == [
        *(f"data/train.jsonl:{i + 1}" for i in CUT), "data/mix.jsonl:21"]
    assert all("not valid JSON" in f["message"] for f in targets["findings"])
    assert targets["schemas"] == ["data/schema.json"]
    assert targets["checked"] == 101                 # every task answer + the one JSON-looking mix answer
    assert gates["data.schema"]["outcome"] == "pass"  # the rows are well-formed chat rows


def test_every_training_input_is_audited_mix_included(tmp_path, tiny_model_dir):
    gates, _ = make(tmp_path, tiny_model_dir, cut=())
    details = gates["data.targets"]["measurement"]["details"]
    assert gates["data.targets"]["measurement"]["metrics"]["target_errors"] == 1   # the mix row
    assert [(i["file"], i["role"], i["rows"]) for i in details["inputs"]] == [
        ("data/train.jsonl", "task", 100), ("data/mix.jsonl", "mix", 21)]
    assert details["rows"] == 121
    assert set(details["cards"]) == {"data/train.jsonl", "data/mix.jsonl"}


def test_a_schema_violation_is_named(tmp_path):
    from gatekeeper.data.targets import answer_problem
    from gatekeeper.bundle.validation import schema_validator

    (tmp_path / "s.json").write_text(json.dumps(SCHEMA))
    validators = [("s.json", schema_validator(tmp_path / "s.json"))]
    assert answer_problem('{"category": "refund", "priority": "low"}', validators) is None
    problem = answer_problem('{"category": "shipping", "priority": "low"}', validators)
    assert problem.startswith("answer violates s.json at /category") and "shipping" in problem


def test_without_a_json_validity_gate_nothing_is_checked(tmp_path, tiny_model_dir):
    only_audit = "gates:\n" + GATES.split("  - id: data.targets\n")[1].split("  - id: data.schema")[0]
    gates, _ = make(tmp_path, tiny_model_dir, gates="gates:\n  - id: data.targets\n" + only_audit[len("gates:\n"):])
    gate = gates["data.targets"]
    assert gate["outcome"] == "pass"
    assert gate["measurement"]["details"]["targets"] == {"schemas": [], "checked": 0, "errors": 0,
                                                         "findings": []}
