"""gatekeeper's lm_eval gate gives the same per-question predictions and accuracy as the
lm-eval command line on the same local task, same model and adapter (tiny model).

Marked slow: the CLI indexes lm-eval's whole task registry (thousands of YAML files)
before it runs anything, which takes 20-90 s on a 2-core machine.
"""

from __future__ import annotations

import pytest

from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.evals.harness import HarnessRun
from gatekeeper.evals.mmlu import build_tasks
from gatekeeper.evals.reference import run_cli
from gatekeeper.core.options import EngineOptions
from testkit.evals import make_bundle

GATES = """\
gates:
  - id: cli.mmlu
    type: lm_eval
    params: {mmlu_dir: ../mmlu, batch_size: 4}
    vs_baseline: {max_drop: 0.9}
"""


@pytest.mark.slow
def test_predictions_equal_the_lm_eval_cli(tiny_model_dir, tiny_adapter_dir, tmp_path):
    root = make_bundle(tmp_path / "bundle", tiny_model_dir, tiny_adapter_dir, gates=GATES)
    report = run_check(root, CheckOptions(out_dir=tmp_path / "run", engine=EngineOptions(progress=False,
                                                                                        cache=False))).report
    gate = report["gates"][0]
    assert gate["outcome"] != "error", gate.get("reason")
    items = {i["id"]: i for i in gate["measurement"]["items"]}

    tasks = build_tasks(root / "mmlu", None, tmp_path / "tasks")
    run = HarnessRun(tasks.directory, tuple(t.name for t in tasks.tasks), batch_size=4)
    cli = run_cli(tiny_model_dir, run, tmp_path / "cli", peft_dir=root / "adapter")
    compared = 0
    for task, samples in cli.items():
        for s in samples:
            item = items[f"{tasks.subject_of(task)}/{s.doc_id}"]
            assert item["output"] == s.choices[s.predicted], item["id"]
            assert item["passed"] == (s.metric == 1.0)
            compared += 1
    assert compared == len(items) == 6
    cli_acc = sum(s.metric for v in cli.values() for s in v) / compared
    assert gate["measurement"]["metrics"]["accuracy"] == pytest.approx(cli_acc)
