"""Data parallel (`check --workers N`): two processes on gloo give what one process gives."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.cli import main
from gatekeeper.model import Engine, NullCache, resolve_base
from gatekeeper.model.parallel import attach_pool
from gatekeeper.core.options import EngineOptions

PROMPTS = ["My order has not arrived", "refund please", "How do I reset my password?",
           "Please cancel my account", "invoice is wrong", "the app crashes", "hi"]
GATES = """\
gates:
  - id: acc.exact
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {scorer: exact, max_new_tokens: 6}
    vs_baseline: {max_drop: 0.9}
  - id: acc.choice
    type: task_accuracy
    golden_set: ../data/choice.jsonl
    params: {scorer: choice}
    threshold: {metric: accuracy, min: 0.0}
"""


def test_a_two_process_engine_answers_like_one_process(tiny_model_dir, tiny_adapter_dir):
    kwargs = dict(base=resolve_base(str(tiny_model_dir)), adapter_dir=tiny_adapter_dir, progress=False)
    single = Engine(cache=NullCache(), **kwargs)
    double = Engine(cache=NullCache(), **kwargs)
    attach_pool(double, {**kwargs, "batch_size": double.batch_size}, 2)
    try:
        pairs = [(p, " thanks") for p in PROMPTS]
        assert double.generate(PROMPTS, max_new_tokens=8) == single.generate(PROMPTS, max_new_tokens=8)
        assert double.pool.started  # the worker really answered its shard
        assert (double.generate(PROMPTS, adapter=False, max_new_tokens=5)
                == single.generate(PROMPTS, adapter=False, max_new_tokens=5))
        assert double.loglik(pairs) == pytest.approx(single.loglik(pairs), abs=1e-5)
    finally:
        double.pool.close()
    assert not double.pool.started


def bundle(root, model_dir, adapter_dir):
    (root / "gates").mkdir(parents=True)
    (root / "data").mkdir()
    rows = [{"id": f"r{i}", "prompt": p, "target": "x"} for i, p in enumerate(PROMPTS)]
    choice = [{"id": f"c{i}", "prompt": p, "choices": ["yes", "no"], "target": i % 2} for i, p in enumerate(PROMPTS)]
    for name, data in (("eval", rows), ("choice", choice)):
        (root / "data" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in data))
    (root / "gates" / "g.yaml").write_text(GATES)
    shutil.copytree(adapter_dir, root / "adapter")
    manifest = {"name": "dp", "version": "0.1.0", "base": {"model": str(model_dir)}, "adapter": "adapter",
                "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert main(["lock", str(root)]) == 0
    return root


def comparable(report: dict) -> list:
    """Everything a reader acts on, without run times and paths."""
    return [(g["id"], g["outcome"], g["reason"], g["measurement"], g.get("comparison"), g.get("threshold"))
            for g in report["gates"]]


def test_check_with_two_workers_writes_the_report_of_one_process(tiny_model_dir, tiny_adapter_dir, tmp_path):
    root = bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)
    one = run_check(root, CheckOptions(out_dir=tmp_path / "one",
                                       engine=EngineOptions(cache=False, progress=False)))
    two = run_check(root, CheckOptions(out_dir=tmp_path / "two",
                                       engine=EngineOptions(cache=False, progress=False, workers=2)))
    assert comparable(two.report) == comparable(one.report)
    assert one.exit_code == two.exit_code


def test_workers_must_be_a_positive_integer(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check", str(tmp_path), "--workers", "0"])
    assert exit_.value.code == 4
    out = capsys.readouterr()
    assert "--workers" in out.out + out.err and "Traceback" not in out.out + out.err
