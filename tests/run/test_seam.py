"""The sealed gate-type seam: what a gate type receives, and a check run nothing outside
the bundle can steer (parent conftest, PYTEST_ADDOPTS), that marks partial runs, and that
still writes its report on SIGTERM or a crash."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from testkit.bundles import STATIC_TYPES, lock_without_model, write_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.cli import main as cli_main
from gatekeeper.cli import report_exit
from gatekeeper.run.context import GateContext
from gatekeeper.core.errors import UsageError
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.options import EngineOptions
from gatekeeper import gate_type, register_gate_type
from gatekeeper.run.registry import unregister_gate_type

SEEN: dict = {}


@gate_type("seam_probe", needs_model=False, needs_golden=True, metrics=(Metric("rate"),))
def seam_probe(ctx, *, note: str = "") -> Measurement:
    """Records what it was given."""
    SEEN["ctx"] = ctx
    SEEN["scratch_empty"] = not any(ctx.scratch.iterdir())
    (ctx.scratch / "mine.txt").write_text("scratch is writable")
    return Measurement(metrics={"rate": 1.0}, n=len(ctx.golden),
                       samples={"rate": Samples((1.0,) * len(ctx.golden))})


@gate_type("model_probe", metrics=(Metric("agree", sampled=False),))  # a deterministic check
def model_probe(ctx) -> Measurement:
    """Merges a fresh copy and checks the shared model is untouched."""
    import torch

    prompts = ["hello there", "refund please"]
    before = ctx.candidate.generate(prompts, max_new_tokens=6)
    base = ctx.baseline.generate(prompts, max_new_tokens=6)
    fresh = ctx.models.load_fresh(adapter=True)
    with ctx.models.hf_model(adapter=True) as shared:
        assert fresh is not shared
        shared_is_peft = hasattr(shared, "disable_adapter")
        ids = ctx.models.tokenizer("hello there", return_tensors="pt").input_ids
        with torch.no_grad():
            shared_logits = shared(ids).logits
    merged = fresh.merge_and_unload()
    with torch.no_grad():
        merged_logits = merged(ids).logits
    after = ctx.candidate.generate(prompts, max_new_tokens=6)
    agree = float(torch.allclose(shared_logits, merged_logits, atol=1e-4))
    SEEN.update(before=before, after=after, base=base, agree=agree, shared_is_peft=shared_is_peft,
                sealed=not any(hasattr(ctx.models, a) for a in ("engine", "engine_options")))
    return Measurement(metrics={"agree": agree}, n=1)


@pytest.fixture(autouse=True)
def types():
    fns = (*STATIC_TYPES, seam_probe, model_probe)
    for fn in fns:
        register_gate_type(fn)
    SEEN.clear()
    yield
    for fn in fns:
        unregister_gate_type(fn.__gate_type__.name)


GATES = """\
gates:
  - id: s.ok
    type: static_rate
    threshold: {metric: rate, min: 0.5}
  - id: s.low
    type: static_rate
    params: {passes: 1, total: 10}
    threshold: {metric: rate, min: 0.9}
"""


def _bundle(tmp_path, gates=GATES, **kw):
    root = write_bundle(tmp_path / "b", {"g.yaml": gates}, **kw)
    lock_without_model(root)
    return root


def _check(root, out, **kw):
    return run_check(root, CheckOptions(out_dir=out, engine=EngineOptions(progress=False), **kw))


def test_the_context_is_frozen_and_carries_spec_data_golden_and_scratch(tmp_path):
    gates = ("gates:\n  - id: p.seam\n    type: seam_probe\n    golden_set: ../data/eval.jsonl\n"
             "    threshold: {metric: rate, min: 0.5}\n")
    root = _bundle(tmp_path, gates)
    result = _check(root, tmp_path / "run")
    assert result.exit_code == 0, result.report["gates"]
    ctx = SEEN["ctx"]
    assert isinstance(ctx, GateContext) and not hasattr(ctx, "session")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.spec = None  # type: ignore[misc]
    assert ctx.spec.id == "p.seam" and ctx.bundle.root == root and ctx.seed == 0
    assert len(ctx.golden) == 5
    assert [(s.gate_id, s.path.name, s.param) for s in ctx.data.eval_sets] == \
        [("p.seam", "eval.jsonl", "golden_set")]
    assert SEEN["scratch_empty"] and not ctx.scratch.exists(), "scratch is removed after the run"
    assert ctx.baseline.name == "base" and ctx.candidate.name == "candidate"


def test_model_access_gives_a_fresh_copy_that_can_be_merged_without_touching_the_shared_model(
        tmp_path, tiny_model_dir, tiny_adapter_dir):
    root = tmp_path / "b"
    (root / "gates").mkdir(parents=True)
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    (root / "gates" / "m.yaml").write_text(
        "gates:\n  - id: m.probe\n    type: model_probe\n    threshold: {metric: agree, min: 1}\n")
    manifest = {"name": "seam", "version": "0.1.0", "base": {"model": str(tiny_model_dir)},
                "adapter": "adapter", "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert cli_main(["lock", str(root)]) == 0
    result = _check(root, tmp_path / "run", )
    assert result.exit_code == 0, result.report["gates"][0]["reason"]
    assert SEEN["before"] == SEEN["after"], "merging the fresh copy left the shared model alone"
    assert SEEN["before"] != SEEN["base"] and SEEN["shared_is_peft"]
    assert SEEN["sealed"], "no engine and no engine options on the model access"


CONFTEST_FLIP = '''
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report

def pytest_collection_modifyitems(config, items):
    items[:] = [i for i in items if "low" not in i.name]
'''


# The test gate types of tests/testkit/bundles.py, registered in a fresh process, then the CLI.
PRELUDE = ("import sys; sys.path.insert(0, %r); import testkit.bundles as bundles, gatekeeper.run.registry as r\n"
           "[r.register_gate_type(f) for f in bundles.STATIC_TYPES]\n"
           "import gatekeeper.cli as c; sys.exit(c.main(sys.argv[1:]))") % str(Path(__file__).parents[1])


def _cli(args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-c", PRELUDE, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)


def test_a_parent_conftest_or_pytest_addopts_cannot_turn_a_fail_into_a_pass(tmp_path):
    root = _bundle(tmp_path)
    (tmp_path / "conftest.py").write_text(CONFTEST_FLIP)  # above the bundle
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -k ok\n")
    proc = _cli(["check", str(root), "--out", str(tmp_path / "r1"), "--no-progress"],
                env={"PYTEST_ADDOPTS": "-k ok -p no:gatekeeper"}, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "r1" / "report.json").read_text())
    assert report["verdict"] == "FAIL" and report["complete"] is True
    assert {g["id"] for g in report["gates"]} == {"s.ok", "s.low"}


def test_the_bundles_own_conftest_loads_and_is_listed_with_its_hash(tmp_path):
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES})
    (root / "gates" / "conftest.py").write_text("SEEN = True\n")
    lock_without_model(root)
    result = _check(root, tmp_path / "run")
    files = result.report["provenance"]["code_files"]
    assert [Path(f["path"]).name for f in files] == ["conftest.py"]
    assert files[0]["sha256"].startswith("sha256:")


def test_a_selection_is_a_partial_run_in_the_verdict_report_and_junit(tmp_path):
    root = _bundle(tmp_path)
    proc = _cli(["check", str(root), "-k", "ok", "--out", str(tmp_path / "r"), "--no-progress"])
    assert proc.returncode == 0, proc.stderr
    assert "partial run: 1 of 2 gates ran (-k); not a release verdict" in proc.stdout
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["complete"] is False and report["selection"]["not_run"] == ["s.low"]
    junit = (tmp_path / "r" / "junit.xml").read_text()
    assert '<property name="complete" value="false"' in junit
    assert "not a release verdict" in (tmp_path / "r" / "report.html").read_text()


def test_a_full_run_is_complete(tmp_path):
    result = _check(_bundle(tmp_path), tmp_path / "run")
    assert result.report["complete"] is True and result.report["selection"]["gates_total"] == 2


SLOW_GATE = '''
import time
from pathlib import Path

def test_slow():
    Path({marker!r}).write_text("started")
    time.sleep(120)
'''


def test_sigterm_ends_the_run_as_interrupted_with_the_finished_gates_reported(tmp_path):
    marker = tmp_path / "started"
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES})
    (root / "gates" / "slow_gate.py").write_text(SLOW_GATE.format(marker=str(marker)))
    lock_without_model(root)
    proc = subprocess.Popen([sys.executable, "-c", PRELUDE, "check", str(root), "--out",
                             str(tmp_path / "r"), "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert marker.exists(), proc.communicate()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, out + err
    assert "Traceback" not in out + err
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["status"] == "interrupted" and "SIGTERM" in report["message"]
    assert {g["id"]: g["outcome"] for g in report["gates"]}["s.ok"] == "pass"
    assert (tmp_path / "r" / "report.html").exists()


def test_an_unexpected_error_is_one_line_exit_3_with_the_traceback_in_a_log(tmp_path, capsys):
    try:
        raise RuntimeError("disk on fire\nsecond line")
    except RuntimeError as caught:
        exc = caught
    exc.report_dir = tmp_path / "run"  # type: ignore[attr-defined]
    assert report_exit(exc) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: disk on fire" in err
    assert "Traceback" not in err
    log = tmp_path / "run" / "gatekeeper-error.log"
    assert "Traceback" in log.read_text() and str(log) in err


@pytest.mark.parametrize("where", ["file", "inside"])
def test_a_bad_out_directory_fails_before_any_gate(tmp_path, where):
    root = _bundle(tmp_path)
    out = tmp_path / "afile" if where == "file" else root / "reports"
    if where == "file":
        out.write_text("not a dir")
    with pytest.raises(UsageError, match="is a file" if where == "file" else "inside the bundle"):
        _check(root, out)
    assert where == "file" or not out.exists()


def test_static_selection_runs_without_torch(tmp_path):
    gates = GATES + ("  - id: m.acc\n    type: task_accuracy\n    golden_set: ../data/eval.jsonl\n"
                     "    threshold: {metric: accuracy, min: 0.5}\n")
    root = _bundle(tmp_path, gates)
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        import testkit.bundles as bundles, gatekeeper.run.registry as r
        [r.register_gate_type(f) for f in bundles.STATIC_TYPES]
        import gatekeeper.cli as c
        rc = c.main(["check", {str(root)!r}, "-m", "static", "--out", {str(tmp_path / 'r')!r}, "--no-progress"])
        assert "torch" not in sys.modules, "a static run imported torch"
        sys.exit(rc)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # s.low fails; m.acc not run
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [g["id"] for g in report["gates"]] == ["s.ok", "s.low"] and report["complete"] is False


# -- python gates judged by the judge (issue 20) -------------------------------------------

PY_JUDGED = '''
import pytest
from gatekeeper.core.metrics import Metric


@pytest.mark.gatekeeper(threshold={"metric": "accuracy", "min": 0.8})
def test_judged_pass(record):
    record.samples("accuracy", [1] * 95 + [0] * 5)


@pytest.mark.gatekeeper(threshold={"metric": "accuracy", "min": 0.8})
def test_judged_at_the_limit(record):
    record.samples("accuracy", [1] * 8 + [0] * 2)       # 0.8 on 10 items: no evidence


@pytest.mark.gatekeeper(vs_baseline={"metric": "rouge", "max_drop": 0.05},
                        metrics=(Metric("rouge", kind="score"),))
def test_judged_comparison(record):
    base = [0.4, 0.6, 0.8, 0.5] * 50
    record.samples("rouge", [b + 0.1 for b in base], base)  # (the words for the model
    # fixtures would make this static test bundle need a locked model)


@pytest.mark.gatekeeper(threshold={"metric": "accuracy", "max": float("inf"), "bound": "point"})
def test_bad_limit(record):
    record(accuracy=0.9)


@pytest.mark.gatekeeper(threshold={"metric": "accuracy", "min": 0.8}, thresold=1)
def test_bad_option(record):
    record.samples("accuracy", [1] * 50)


def test_bare_assert(record):
    record(rate=0.97)
    assert 0.97 > 0.9
'''


def test_python_gates_are_judged_by_a_threshold_or_comparison_on_their_marker(tmp_path, capfd):
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES.split("  - id: s.low")[0],
                                         "test_judged.py": PY_JUDGED})
    lock_without_model(root)
    result = _check(root, tmp_path / "run")
    gates = {g["id"]: g for g in result.report["gates"]}
    judged = gates["test_judged.test_judged_pass"]
    assert judged["outcome"] == "pass" and judged["threshold"]["evidence"] == "bound"
    assert judged["threshold"]["test"] == "exact_binomial" and "lower95" in judged["reason"]
    assert judged["measurement"]["samples"]["accuracy"]["binary"] is True
    assert gates["test_judged.test_judged_at_the_limit"]["outcome"] == "inconclusive"
    cmp = gates["test_judged.test_judged_comparison"]
    assert cmp["outcome"] == "pass" and cmp["comparison"]["test"] == "betting"
    bad = gates["test_judged.test_bad_limit"]
    assert bad["outcome"] == "error" and "max must be a finite number, got inf" in bad["reason"]
    assert "test_judged.py:" in bad["reason"]
    option = gates["test_judged.test_bad_option"]
    assert option["outcome"] == "error" and "has no option thresold" in option["reason"]
    bare = gates["test_judged.test_bare_assert"]
    assert bare["outcome"] == "pass" and "assertion (no statistics)" in bare["reason"]
    assert result.exit_code != 0  # the blocking inconclusive and errors stop the release
    # the console counts gatekeeper's outcomes, never pytest's items ("7 passed in 1.2s")
    out = capfd.readouterr().out
    assert " passed in " not in out and " failed in " not in out
