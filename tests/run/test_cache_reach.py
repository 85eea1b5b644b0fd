"""``--cache-dir`` and ``--no-cache`` reach every cache of a run: engine results, the
whole-measurement memo, the file-hash memo and the data-check cache (one store,
core/store.py), in the check process and in its data-parallel workers alike."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
import yaml

from gatekeeper.cli import main
from gatekeeper.core.paths import CACHE_ENV

GATES = """\
gates:
  - id: acc.exact
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {scorer: exact, max_new_tokens: 4}
    vs_baseline: {max_drop: 0.9}
  - id: data.audit
    type: dataset_audit
    params: {max_length: 300}
    threshold: {metric: duplicate_rate, max: 1.0}
  - id: adapter.applied
    type: adapter_applied
    threshold: {metric: problems, max: 0}
"""
KINDS = {"engine-result", "memo", "file-sha256", "data-check"}


def write(root, model_dir, adapter_dir):
    (root / "gates").mkdir(parents=True)
    (root / "data").mkdir()
    rows = [{"id": f"q{i}", "prompt": f"question {i}", "target": "x"} for i in range(4)]
    train = [{"messages": [{"role": "user", "content": f"ask {i}"},
                           {"role": "assistant", "content": f"reply {i}"}]} for i in range(6)]
    for name, data in (("eval", rows), ("train", train)):
        (root / "data" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in data))
    (root / "data" / "README.md").write_text("# data\nSource: written for this test.\n")
    (root / "gates" / "g.yaml").write_text(GATES)
    shutil.copytree(adapter_dir, root / "adapter")
    manifest = {"name": "reach", "version": "0.1.0", "base": {"model": str(model_dir)},
                "adapter": "adapter", "train": {"data": "data/train.jsonl"}, "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    return root


def kinds(folder) -> dict[str, int]:
    with sqlite3.connect(folder / "cache.sqlite") as conn:
        return dict(conn.execute("SELECT kind, COUNT(*) FROM entries GROUP BY kind").fetchall())


def files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def outcomes(out) -> dict:
    report = json.loads((out / "report.json").read_text())
    return {g["id"]: (g["outcome"], g["measurement"]["metrics"]) for g in report["gates"]}, report


@pytest.fixture
def bundle(tmp_path, monkeypatch, tiny_model_dir, tiny_adapter_dir):
    env = tmp_path / "env-cache"
    monkeypatch.setenv(CACHE_ENV, str(env))  # a fresh default: nothing may land here
    return write(tmp_path / "b", tiny_model_dir, tiny_adapter_dir), env


def test_cache_dir_holds_every_kind_and_the_default_cache_stays_untouched(bundle, tmp_path):
    root, env = bundle
    cache = tmp_path / "cache"
    assert main(["lock", str(root), "--cache-dir", str(cache)]) == 0
    assert set(kinds(cache)) == {"file-sha256"}  # lock honours --cache-dir too
    args = ["--cache-dir", str(cache), "--no-progress"]
    assert main(["check", str(root), "--out", str(tmp_path / "cold"), "--workers", "2", *args]) in (0, 1)  # a finished check, whatever its verdict
    found = kinds(cache)
    assert KINDS <= set(found), found
    assert not env.exists(), files(env)  # nor from the data-parallel worker
    cold, _ = outcomes(tmp_path / "cold")
    assert main(["check", str(root), "--out", str(tmp_path / "warm"), *args]) in (0, 1)  # a finished check, whatever its verdict
    warm, report = outcomes(tmp_path / "warm")
    assert warm == cold and not report["provenance"]["model"]["loaded"]  # every answer read back from there
    assert kinds(cache) == found and not env.exists()


def test_no_cache_writes_no_cache_anywhere_and_changes_no_outcome(bundle, tmp_path):
    root, env = bundle
    cache = tmp_path / "cache"
    assert main(["lock", str(root), "--no-cache", "--cache-dir", str(cache)]) == 0
    assert files(cache) == []
    for run in ("one", "two"):
        assert main(["check", str(root), "--out", str(tmp_path / run), "--no-cache",
                     "--cache-dir", str(cache), "--no-progress"]) in (0, 1)
    # pytest's --lf state is the only file a run keeps, and it is not a cache of results
    assert files(cache) and all(name.startswith("pytest/") for name in files(cache)), files(cache)
    assert not env.exists(), files(env)
    first, report = outcomes(tmp_path / "one")
    assert outcomes(tmp_path / "two")[0] == first and report["provenance"]["model"]["loaded"]
    assert main(["check", str(root), "--out", str(tmp_path / "cached"), "--no-progress"]) in (0, 1)  # a finished check, whatever its verdict
    assert outcomes(tmp_path / "cached")[0] == first  # the cache changes no outcome or metric
    assert KINDS <= set(kinds(env))  # without --cache-dir the default takes it all
