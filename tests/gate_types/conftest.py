"""Checks shared by several gate-type test modules, each run once per session on the tiny
model: a bundle with every task_accuracy scorer and a json_validity gate (``greedy``, ``run``),
and one with lm_eval, calibration and safety gates (``checked``)."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from gatekeeper.cli import main as cli_main
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.core.options import EngineOptions
from gatekeeper.model import Engine, NullCache, resolve_base
from testkit.evals import make_bundle
from testkit.scorers import (MAX_NEW, PROMPTS, SCORER_GATES, choices_for, half, per_item_assertions,
                             rows_of, shout, typo)



@pytest.fixture(scope="session")
def greedy(tiny_model_dir, tiny_adapter_dir):
    """(candidate outputs, baseline outputs) for PROMPTS, as the check will compute them."""
    engine = Engine(base=resolve_base(str(tiny_model_dir)), adapter_dir=tiny_adapter_dir,
                    cache=NullCache(), progress=False)
    cand = engine.generate(PROMPTS, max_new_tokens=MAX_NEW)
    base = engine.generate(PROMPTS, adapter=False, max_new_tokens=MAX_NEW)
    # the candidate's preferred choice between its own answer and a distractor, by loglik
    scores = engine.loglik([(p, c) for p, row in zip(PROMPTS, choices_for(cand), strict=True) for c in row])
    best = [int(scores[2 * i + 1] > scores[2 * i]) for i in range(len(PROMPTS))]
    return cand, base, best


class GatesOf(dict):
    """A report's gates by id, knowing the bundle they ran in (report paths are bundle-relative)."""

    def __init__(self, root, report):
        super().__init__({g["id"]: g for g in report["gates"]})
        self.root = root


@pytest.fixture(scope="session")
def run(greedy, tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
    """One `gatekeeper check` of a bundle holding every scorer, on the tiny model."""
    cand, base, best = greedy
    root = tmp_path_factory.mktemp("scorers") / "bundle"
    data = root / "data"
    (root / "gates").mkdir(parents=True)
    data.mkdir()
    sets = {"exact": rows_of(half(cand)), "normalized": rows_of(half([shout(c) for c in cand])),
            "fuzzy": rows_of(half([typo(c) for c in cand])),
            # even rows expect the candidate's preferred choice (as an index), odd rows the
            # other one (as its text)
            "choice": rows_of([b if i % 2 == 0 else choices_for(cand)[i][1 - b]
                             for i, b in enumerate(best)], choices=choices_for(cand)),
            # even rows assert the candidate's own output, odd rows one it never gives
            "assertions": rows_of(half(cand), assertions=per_item_assertions(cand))}
    for name, rows in sets.items():
        (data / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (data / "schema.json").write_text(json.dumps({"type": "object", "required": ["category"]}))
    (root / "gates" / "g.yaml").write_text(SCORER_GATES)
    manifest = {"name": "scorers", "version": "0.1.0", "base": {"model": str(tiny_model_dir)},
                "adapter": "adapter", "gates": ["gates/"]}
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert cli_main(["lock", str(root)]) == 0
    result = run_check(root, CheckOptions(out_dir=root.parent / "run",
                                          engine=EngineOptions(progress=False)))
    return GatesOf(root, result.report), cand, base, best

@pytest.fixture(scope="session")
def checked(tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
    root = make_bundle(tmp_path_factory.mktemp("evals") / "bundle", tiny_model_dir, tiny_adapter_dir)
    result = run_check(root, CheckOptions(out_dir=root.parent / "run",
                                          engine=EngineOptions(progress=False)))
    return root, {g["id"]: g for g in result.report["gates"]}
