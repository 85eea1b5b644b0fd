"""Named adapter baselines: `baselines: {production: {adapter: DIR}}` and
`vs_baseline: {against: production}` compare the candidate with another adapter of the same
base, item by item on the shared model (as previous_release does), its files locked."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from gatekeeper.cli import main
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.core.options import EngineOptions
from gatekeeper.model import Engine, NullCache, resolve_base

PROMPTS = ["My order has not arrived", "refund please", "How do I reset my password?",
           "Please cancel my account", "invoice is wrong", "the app crashes"]
MAX_NEW = 6
GATES = """\
gates:
  - id: acc.vs_production
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {scorer: exact, max_new_tokens: 6}
    vs_baseline: {against: production, max_drop: 0.9}
"""


def _outputs(model_dir, adapter_dir):
    engine = Engine(base=resolve_base(str(model_dir)), adapter_dir=adapter_dir, cache=NullCache(),
                    progress=False)
    return engine.generate(PROMPTS, max_new_tokens=MAX_NEW)


@pytest.fixture(scope="module")
def checked(tiny_model_dir, tiny_adapter_dir, tiny_adapter_dir_2, tmp_path_factory):
    """Candidate: the second tiny adapter; production: the first; targets: production's answers."""
    production = _outputs(tiny_model_dir, tiny_adapter_dir)
    root = tmp_path_factory.mktemp("named") / "b"
    (root / "gates").mkdir(parents=True)
    (root / "data").mkdir()
    rows = [{"id": f"r{i}", "prompt": p, "target": t} for i, (p, t) in enumerate(zip(PROMPTS, production, strict=True))]
    (root / "data" / "eval.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "gates" / "g.yaml").write_text(GATES)
    shutil.copytree(tiny_adapter_dir_2, root / "adapter")
    shutil.copytree(tiny_adapter_dir, root / "adapters" / "production")
    manifest = {"name": "b", "version": "0.2.0", "base": {"model": str(tiny_model_dir)},
                "adapter": "adapter", "gates": ["gates/"],
                "baselines": {"production": {"adapter": "adapters/production"}}}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    assert main(["lock", str(root)]) == 0
    result = run_check(root, CheckOptions(out_dir=root.parent / "run", engine=EngineOptions(progress=False)))
    return root, {g["id"]: g for g in result.report["gates"]}, production


def test_the_candidate_is_compared_with_the_named_adapter_item_by_item(checked, tiny_model_dir,
                                                                        tiny_adapter_dir_2):
    _, gates, production = checked
    gate = gates["acc.vs_production"]
    items = gate["measurement"]["items"]
    assert [i["baseline_output"] for i in items] == production
    assert all(i["baseline_passed"] for i in items)  # the targets are production's own answers
    candidate = _outputs(tiny_model_dir, tiny_adapter_dir_2)
    assert [i["output"] for i in items] == candidate and candidate != production
    assert gate["measurement"]["baseline_metrics"]["accuracy"] == 1.0
    assert gate["comparison"]["baseline"] == 1.0
    assert gate["spec"]["vs_baseline"]["against"] == "production"  # the report says what it was compared with


def test_the_named_adapter_is_locked(checked, tmp_path, capsys):
    root, _, _ = checked
    lock = json.loads((root / "gatekeeper.lock").read_text())
    assert "adapters/production/adapter_model.safetensors" in lock["artifacts"]
    assert "adapters/production/adapter_config.json" in lock["artifacts"]
    copy = shutil.copytree(root, tmp_path / "copy")
    weights = copy / "adapters" / "production" / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"\0\0\0\0")
    capsys.readouterr()
    assert main(["check", str(copy), "--no-cache"]) == 4
    captured = capsys.readouterr()
    assert "'adapters/production/adapter_model.safetensors' differs from the lock" in captured.out + captured.err


def test_a_registered_view_of_the_same_name_is_refused(tmp_path, tiny_adapter_dir, static_gate_types):
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.core.errors import CollectionErrors
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.run.views import ModelView, register_view, unregister_view
    from testkit.bundles import write_bundle

    gate = "gates:\n  - {id: s.ok, type: static_rate, params: {passes: 1, total: 1}, threshold: {metric: rate, min: 0.5}}\n"
    root = write_bundle(tmp_path / "b", {"g.yaml": gate},
                        manifest={"baselines": {"production": {"adapter": "prod"}}})
    shutil.copytree(tiny_adapter_dir, root / "prod")
    register_view("production", lambda access: ModelView(access, "production"))
    try:
        with pytest.raises(CollectionErrors, match="'production' is also a registered model view"):
            collect_gates(load_bundle(root), load_catalog())
    finally:
        unregister_view("production")
