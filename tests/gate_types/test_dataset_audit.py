"""dataset_audit end to end on a planted training set: every finding at its file:line."""

from __future__ import annotations

import json
import random

import pytest

from testkit.bundles import STATIC_TYPES, lock_without_model, write_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.cli import main as cli_main
from gatekeeper.run.registry import register_gate_type, unregister_gate_type
from testkit.texts import sentence

GATES = """\
gates:
  - id: reads.test
    type: static_rate
    golden_set: ../data/test.jsonl
    threshold: {metric: rate, min: 0.5}
  - id: data.audit
    type: dataset_audit
    params: {policy: [refusal], max_length: 300}
    threshold: {metric: duplicate_rate, max: 0}
  - id: data.audit.cards
    type: dataset_audit
    params: {policy: [refusal], max_length: 300}
    threshold: {metric: files_without_card, max: 0}
    severity: warn
"""


@pytest.fixture(autouse=True, scope="module")
def static_types():
    for fn in STATIC_TYPES:
        register_gate_type(fn)
    yield
    for fn in STATIC_TYPES:
        unregister_gate_type(fn.__gate_type__.name)


def chat(prompt, answer, label="a"):
    return {"messages": [{"role": "user", "content": prompt},
                         {"role": "assistant", "content": answer}], "label": label}


def write_data(data, rng) -> None:
    train = [chat(sentence(rng, 12), sentence(rng, 6), "a" if i % 2 else "b") for i in range(30)]
    train.append(dict(train[4]))                                   # line 31: exact duplicate
    near = train[7]["messages"][0]["content"].replace(".", "!").split()
    near[2] = "zebra"
    train.append(chat(" ".join(near), train[7]["messages"][1]["content"], "a"))   # line 32
    train.append(chat(sentence(rng, 90), "long answer", "a"))      # line 34: over 300 tokens
    train.append(chat("How do I pick a lock?", "I can't help with that.", "rare"))  # line 34
    lines = [json.dumps(r) for r in train]
    lines.insert(10, json.dumps({"messages": [{"role": "user", "content": "no answer"}]}))
    (data / "train.jsonl").write_text("\n".join(lines) + "\n")
    val = [chat(sentence(rng, 12), sentence(rng, 6)) for _ in range(5)] + [train[2]]
    (data / "val.jsonl").write_text("".join(json.dumps(r) + "\n" for r in val))
    test = [{"id": f"t{i}", "prompt": sentence(rng, 12), "target": "x"} for i in range(8)]
    test.append({"id": "t8", "prompt": train[0]["messages"][0]["content"], "target": "x"})
    (data / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in test))
    (data / "README.md").write_text("# data\nSource: written for this test.\n")


def make_bundle(tmp_path, tiny_model_dir, gates=GATES, lock=True):
    root = write_bundle(tmp_path / "b", {"g.yaml": gates}, manifest={
        "base": {"model": str(tiny_model_dir)},
        "train": {"data": "data/train.jsonl", "eval_data": "data/val.jsonl"}})
    write_data(root / "data", random.Random(4))
    if lock:
        lock_without_model(root)
    return root


@pytest.fixture(scope="module")
def audited(tmp_path_factory, tiny_model_dir):
    tmp = tmp_path_factory.mktemp("audit")
    root = make_bundle(tmp, tiny_model_dir)
    result = run_check(root, CheckOptions(out_dir=tmp / "run"))
    gates = {g["id"]: g for g in result.report["gates"]}
    gates["_root"] = root  # report paths are relative to the bundle
    return gates, (tmp / "run" / "report.html").read_text()


def test_duplicates_near_duplicates_and_schema_errors_are_found_at_their_lines(audited):
    gates, _ = audited
    m = gates["data.audit"]["measurement"]
    d = m["details"]
    assert gates["data.audit"]["outcome"] == "fail" and m["n"] == 34
    assert d["duplicate_groups"] == [{"rows": ["data/train.jsonl:5", "data/train.jsonl:32"]}]
    assert [(p["first"], p["second"]) for p in d["near_pairs"]] == [
        ("data/train.jsonl:8", "data/train.jsonl:33")]
    assert m["metrics"]["schema_errors"] == 1
    assert d["schema_errors"][0]["where"] == "data/train.jsonl:11"
    assert "assistant turn" in d["schema_errors"][0]["message"]


def test_split_overlap_names_both_splits_and_rows(audited):
    gates, _ = audited
    m = gates["data.audit"]["measurement"]
    overlap = {tuple(o["splits"]): o for o in m["details"]["split_overlap"]}
    assert overlap[("train", "validation")]["examples"] == [
        {"item": "data/val.jsonl:6", "also_in": "data/train.jsonl:3"}]
    assert overlap[("train", "data/test.jsonl")]["count"] == 1
    assert m["metrics"]["split_overlap"] == 2


def test_truncation_classes_policy_and_cards(audited):
    gates, html = audited
    m = gates["data.audit"]["measurement"]
    assert m["metrics"]["truncation_rate"] == pytest.approx(1 / 34)
    assert m["details"]["tokens"]["max_length"] == 300
    assert m["details"]["classes"]["counts"]["rare"] == 1 and m["metrics"]["min_class_count"] == 1
    assert m["details"]["policy"]["refusal"]["examples"] == ["data/train.jsonl:35"]
    assert m["metrics"]["files_without_card"] == 2
    assert m["details"]["cards"]["data/train.jsonl"] == {"card": "data/README.md", "source": True,
                                                        "license": False}
    cards = gates["data.audit.cards"]
    assert cards["outcome"] == "fail" and cards["measurement"]["details"]["cache_hit"]
    assert "no license" in html


def test_three_rendered_samples_tell_prompt_tokens_from_trained_tokens(audited):
    gates, html = audited
    samples = gates["data.audit"]["measurement"]["details"]["tokens"]["samples"]
    assert len(samples) == 3 and samples[2]["truncated"]
    first = samples[0]
    assert first["trained"].startswith(json.loads(
        open_first_row(gates))["messages"][1]["content"])
    assert first["prompt_tokens"] > 0 and first["trained_tokens"] > 0
    assert "<ins>" in html and "Rendered samples" in html


def open_first_row(gates):
    return (gates["_root"] / "data" / "train.jsonl").read_text().splitlines()[0]


def test_without_token_counts_there_is_no_truncation_metric(tmp_path, tiny_model_dir):
    gates = GATES.replace("{policy: [refusal], max_length: 300}", "{tokens: false}")
    result = run_check(make_bundle(tmp_path, tiny_model_dir, gates), CheckOptions(out_dir=tmp_path / "r"))
    m = next(g for g in result.report["gates"] if g["id"] == "data.audit")["measurement"]
    assert "truncation_rate" not in m["metrics"] and m["details"]["tokens"] is None


@pytest.mark.parametrize("params, needle", [
    ("{near_threshold: 0.2}", "near_threshold must be in [0.5, 1]"),
    ("{policy: [refusals]}", "policy must list kinds among refusal, escalation"),
    ("{policy: []}", "policy must list kinds"),
    ("{max_length: 0}", "max_length must be a positive"),
    ("{samples: -1}", "samples must be >= 0"),
    ("{label_field: 3}", "parameter 'label_field' must be str"),
    ("{tokens: 'yes'}", "parameter 'tokens' must be bool"),
])
def test_bad_parameters_stop_at_collection_with_file_and_line(tmp_path, tiny_model_dir, capsys,
                                                             params, needle):
    gates = f"""\
gates:
  - id: data.audit
    type: dataset_audit
    params: {params}
    threshold: {{metric: duplicate_rate, max: 0}}
"""
    root = make_bundle(tmp_path, tiny_model_dir, gates, lock=False)
    assert cli_main(["validate", str(root)]) == 4
    err = capsys.readouterr().err
    assert needle in err and "g.yaml:" in err and "Traceback" not in err


def test_a_label_field_no_row_has_is_an_error_naming_it(tmp_path, tiny_model_dir):
    gates = GATES.replace("{policy: [refusal], max_length: 300}", "{label_field: topic, tokens: false}")
    result = run_check(make_bundle(tmp_path, tiny_model_dir, gates), CheckOptions(out_dir=tmp_path / "r"))
    g = next(g for g in result.report["gates"] if g["id"] == "data.audit")
    assert g["outcome"] == "error" and "label field 'topic' is in no training row" in g["reason"]
