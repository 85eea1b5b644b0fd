"""The session builds the run's data from declared path roles, never from parameter names,
and hands a gate the outputs the run grants (``check --export-merged DIR``)."""

from __future__ import annotations

import json

import pytest

from gatekeeper import Measurement, gate_type, register_gate_type
from gatekeeper.bundle.collect import collect_gates
from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.cli import main as cli_main
from gatekeeper.run.registry import load_catalog, unregister_gate_type
from gatekeeper.run.session import run_data
from testkit.bundles import lock_without_model, write_bundle

SEEN: dict = {}


@gate_type("role_probe", needs_model=False, metrics=("rate",),
           path_params={"questions": "eval", "rules": "config", "corpus": "train"})
def role_probe(ctx, *, questions: str | None = None, rules: str | None = None,
               corpus: str | None = None) -> Measurement:
    """A third-party gate type whose path parameters declare their roles."""
    SEEN.update(eval_sets=ctx.data.eval_sets, merged=ctx.output_dir("merged"))
    return Measurement(metrics={"rate": 1.0}, n=1)


GATES = """\
gates:
  - id: r.probe
    type: role_probe
    golden_set: ../data/eval.jsonl
    params: {questions: ../data/questions.jsonl, rules: ../data/rules.json, corpus: ../data/corpus.jsonl}
    threshold: {metric: rate, min: 0.5, bound: point}
"""


@pytest.fixture
def bundle_root(tmp_path):
    register_gate_type(role_probe)
    SEEN.clear()
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES})
    for name in ("questions.jsonl", "corpus.jsonl"):
        (root / "data" / name).write_text(json.dumps({"prompt": "q", "target": "a"}) + "\n")
    (root / "data" / "rules.json").write_text("{}")
    lock_without_model(root)
    yield root
    unregister_gate_type("role_probe")


def test_only_eval_role_paths_and_golden_sets_are_eval_sets_of_the_run(bundle_root):
    bundle = load_bundle(bundle_root)
    data = run_data(bundle, collect_gates(bundle, load_catalog()))
    assert [(s.gate_id, s.path.name, s.param) for s in data.eval_sets] == \
        [("r.probe", "eval.jsonl", "golden_set"), ("r.probe", "questions.jsonl", "questions")]


def test_a_check_hands_the_gate_its_eval_sets_and_the_granted_merged_output(bundle_root, tmp_path):
    out = tmp_path / "export"
    code = cli_main(["check", str(bundle_root), "--out", str(tmp_path / "run"), "--no-progress",
                     "--export-merged", str(out)])
    assert code == 0
    assert [s.path.name for s in SEEN["eval_sets"]] == ["eval.jsonl", "questions.jsonl"]
    assert SEEN["merged"] == out.absolute()
    cli_main(["check", str(bundle_root), "--out", str(tmp_path / "run2"), "--no-progress"])
    assert SEEN["merged"] is None, "no --export-merged: the run grants no merged output"
