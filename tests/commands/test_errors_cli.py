"""Bad input gives one clear error line (where, what, how to fix) and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from testkit.bundles import lock_without_model, write_bundle

GOOD = """\
gates:
  - id: t.acc
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {scorer: normalized}
    threshold: {metric: accuracy, min: 0.5}
"""


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gatekeeper.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def assert_clean_error(proc: subprocess.CompletedProcess, *needles: str, code: int = 4) -> None:
    out = proc.stderr + proc.stdout
    assert proc.returncode == code, out
    assert "Traceback" not in out
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors, out
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def test_three_mistakes_in_two_files_are_all_reported(tmp_path):
    bad_a = GOOD.replace("task_accuracy", "task_acuracy") + """\
  - id: t.json
    type: json_validity
    golden_set: ../data/eval.jsonl
    params: {schema_path: s.json}
    threshold: {metric: valid_rate, min: 0.995, bound: lower95}
"""
    bad_b = GOOD.replace("threshold:", "treshold:").replace("t.acc", "b.acc")
    root = write_bundle(tmp_path / "b", {"a.yaml": bad_a, "b.yaml": bad_b})
    proc = run_cli("validate", str(root))
    assert_clean_error(proc, "a.yaml:3", "did you mean 'task_accuracy'", "a.yaml:10",
                       "did you mean 'schema'", "b.yaml:6", "did you mean 'threshold'")
    assert len([line_ for line_ in proc.stderr.splitlines() if line_.startswith("error:")]) == 3


def test_validate_and_help_do_not_import_torch(tmp_path):
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD})
    code = ("import sys, gatekeeper.cli as c\n"
            "rc = c.main(['validate', %r])\n"
            "assert rc == 0, rc\n"
            "heavy = [m for m in ('torch', 'transformers', 'peft', 'trl', 'lm_eval') if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules\n") % str(root)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "usage: gatekeeper" in proc.stdout


def test_path_escaping_the_bundle(tmp_path):
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD},
                        manifest={"chat_template": "../../etc/passwd"})
    assert_clean_error(run_cli("validate", str(root)), "gatekeeper.yaml:", "leaves the bundle")


def test_golden_set_path_escaping_the_bundle(tmp_path):
    (tmp_path / "outside.jsonl").write_text('{"prompt": "p", "target": "t"}\n')
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD.replace("../data/eval.jsonl", "../../outside.jsonl")})
    assert_clean_error(run_cli("validate", str(root)), "a.yaml:4", "leaves the bundle", "data_roots")


def test_pickle_adapter_is_refused(tmp_path):
    adapter = tmp_path / "b" / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text("{}")
    (adapter / "adapter_model.bin").write_bytes(b"\x80\x04not really a pickle")
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD}, adapter=Path("adapter"))
    assert_clean_error(run_cli("validate", str(root)), "pickle", "allow_pickle")


def test_malformed_yaml(tmp_path):
    root = write_bundle(tmp_path / "b", {"a.yaml": "gates:\n  - id: x\n    type: [unclosed\n"})
    assert_clean_error(run_cli("validate", str(root)), "a.yaml:", "malformed YAML")


def test_non_utf8_golden_set(tmp_path):
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD})
    (root / "data" / "eval.jsonl").write_bytes('{"prompt": "caf\xe9", "target": "x"}\n'.encode("latin-1"))
    assert_clean_error(run_cli("validate", str(root)), "eval.jsonl:1", "not valid UTF-8")


def test_empty_gate_file(tmp_path):
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD, "empty.yaml": ""})
    assert_clean_error(run_cli("validate", str(root)), "empty.yaml:1", "gate file is empty")


def test_golden_row_missing_target(tmp_path):
    rows = [{"id": "a", "prompt": "p", "target": "t"}, {"id": "b", "prompt": "p2"}]
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD}, rows=rows)
    assert_clean_error(run_cli("validate", str(root)), "eval.jsonl:2", "has no 'target'")


def test_unknown_scorer(tmp_path):
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD.replace("normalized", "normalised")})
    assert_clean_error(run_cli("validate", str(root)), "unknown scorer 'normalised'",
                       "did you mean 'normalized'")


def test_schema_file_that_is_not_json_schema(tmp_path):
    gate = GOOD.replace("task_accuracy", "json_validity").replace(
        "{scorer: normalized}", "{schema: ../data/schema.json}").replace("accuracy, min: 0.5", "valid_rate, min: 0.9")
    root = write_bundle(tmp_path / "b", {"a.yaml": gate})
    (root / "data" / "schema.json").write_text('{"type": "objekt"}')
    assert_clean_error(run_cli("validate", str(root)), "schema.json", "not a valid JSON Schema")


def test_tampered_adapter_is_named(tiny_adapter_dir, tmp_path):
    import shutil

    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD})
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    (root / "gatekeeper.yaml").write_text((root / "gatekeeper.yaml").read_text() + "adapter: adapter\n")
    lock_without_model(root)
    weights = root / "adapter" / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    proc = run_cli("check", str(root), "--out", str(tmp_path / "run"))
    assert_clean_error(proc, "adapter/adapter_model.safetensors' differs from the lock")
    assert not (tmp_path / "run").exists(), "nothing may run when the lock does not match"


def test_missing_lock_says_how_to_fix(tmp_path):
    root = write_bundle(tmp_path / "b", {"a.yaml": GOOD})
    assert_clean_error(run_cli("check", str(root)), "no gatekeeper.lock", "gatekeeper lock")


def test_missing_bundle_directory(tmp_path):
    assert_clean_error(run_cli("validate", str(tmp_path / "nope")), "bundle directory not found")


def test_init_scaffold_validates_and_never_overwrites(tmp_path):
    target = tmp_path / "new bundle"
    assert run_cli("init", str(target)).returncode == 0
    proc = run_cli("validate", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "1 gate(s)" in proc.stdout
    before = (target / "gatekeeper.yaml").read_text()
    assert_clean_error(run_cli("init", str(target)), "not empty")
    assert (target / "gatekeeper.yaml").read_text() == before


def test_list_shows_gate_types_with_parameters():
    proc = run_cli("list")
    assert proc.returncode == 0
    assert "task_accuracy:" in proc.stdout and "scorer: str (default 'exact')" in proc.stdout
    assert "json_validity:" in proc.stdout and "metrics: valid_rate (rate, higher is better, sampled), parse_rate" in proc.stdout
