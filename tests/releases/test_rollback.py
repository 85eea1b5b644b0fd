"""Rollback: restore an entry, re-verify every hash, re-run the fingerprint, report drift."""

from __future__ import annotations

import json

import pytest

from testkit.bundles import STATIC_TYPES
from gatekeeper.cli import main
from gatekeeper.run.registry import register_gate_type
from gatekeeper.releases.fingerprint import compare_fingerprints
from gatekeeper.releases.publish import release_bundle
from gatekeeper.releases.rollback import rollback, verify_entry
from gatekeeper.releases.store import RegistryError, Store
from testkit.releases import releasable_bundle, report_of


pytestmark = pytest.mark.usefixtures("static_gate_types")


@pytest.fixture(scope="module")
def registry(tmp_path_factory, tiny_model_dir, tiny_adapter_dir):
    """One release of the tiny bundle (module-scoped: fingerprinting loads the model)."""
    for fn in STATIC_TYPES:
        register_gate_type(fn)
    root = tmp_path_factory.mktemp("rel")
    bundle = releasable_bundle(root / "b", tiny_model_dir, tiny_adapter_dir)
    release_bundle(bundle, root / "registry", report=report_of(bundle))
    return root / "registry", bundle


def _copy_registry(registry, tmp_path):
    import shutil

    target = tmp_path / "registry"
    shutil.copytree(registry, target)
    for path in target.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    return target


def test_round_trip_restores_identical_files_and_reproduces_the_fingerprint(registry, tmp_path):
    reg, bundle = registry
    result = rollback(reg, "1.0.0", tmp_path / "out")
    assert result.bundle_dir == tmp_path / "out" and result.files >= 5
    for name in ("gatekeeper.yaml", "gatekeeper.lock", "adapter/adapter_model.safetensors", "gates/g.yaml"):
        assert (tmp_path / "out" / name).read_bytes() == (bundle / name).read_bytes()
    assert result.drift.drifted == [] and result.drift.max_logprob_diff == 0.0
    assert json.loads((tmp_path / "out" / ".gatekeeper-release" / "report.json").read_text())["verdict"] == "PASS"


def test_a_flipped_byte_is_named_and_nothing_is_restored(registry, tmp_path):
    reg = _copy_registry(registry[0], tmp_path)
    store = Store(reg)
    entry = store.entry(store.refs()[0])
    blob = store.blob_path(entry["files"]["adapter/adapter_model.safetensors"])
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    assert list(verify_entry(store, entry).problems) == ["adapter/adapter_model.safetensors"]
    with pytest.raises(RegistryError, match="'adapter/adapter_model.safetensors' is corrupt"):
        rollback(reg, "1.0.0", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if "restoring" in p.name] == []


def test_a_changed_fingerprint_is_reported_as_drift(registry, tmp_path, capsys):
    reg = _copy_registry(registry[0], tmp_path)
    store = Store(reg)
    entry = store.entry(store.refs()[0])
    probe = entry["fingerprint"]["probes"][1]
    probe["tokens"] = [probe["tokens"][0], (probe["tokens"][1] + 1) % 50] + probe["tokens"][2:]
    entry["fingerprint"]["probes"][0]["top"][0][0][1] -= 0.01
    store.commit({**entry, "version": "1.0.1"})  # a release recorded on some other runtime
    result = rollback(reg, "1.0.1", tmp_path / "out")
    reasons = {p["prompt"]: p["reason"] for p in result.drift.drifted}
    assert reasons[probe["prompt"]] == "greedy output differs from token 1"
    assert reasons[entry["fingerprint"]["probes"][0]["prompt"]].startswith("log-probs moved by 1.00e-02")
    assert main(["rollback", "--registry", str(reg), "--to", "1.0.1", "--out", str(tmp_path / "o2")]) == 1
    out = capsys.readouterr().out
    assert "DRIFT: 2 of 4 probes" in out and "greedy output differs" in out


def test_tolerance_decides_what_counts_as_drift(registry):
    entry = Store(registry[0]).entry(Store(registry[0]).refs()[0])
    moved = json.loads(json.dumps(entry["fingerprint"]))
    moved["probes"][0]["top"][0][0][1] += 5e-4
    assert compare_fingerprints(entry["fingerprint"], moved, 1e-3).drifted == []
    assert len(compare_fingerprints(entry["fingerprint"], moved, 1e-4).drifted) == 1


def test_cli_round_trip_and_bad_inputs(registry, tmp_path, capsys):
    reg = str(registry[0])
    assert main(["rollback", "--registry", reg, "--list"]) == 0
    assert "demo 1.0.0 sha256:" in capsys.readouterr().out
    assert main(["rollback", "--registry", reg, "--to", "1.0.0", "--out", str(tmp_path / "o")]) == 0
    assert "fingerprint reproduced: 4 probes" in capsys.readouterr().out
    cases = [(["--to", "9.9.9", "--out", str(tmp_path / "x")], "no release 9.9.9"),
             (["--to", "1.0.0", "--out", str(tmp_path / "o")], "exists and is not empty"),
             (["--to", "1.0.0"], "needs --to VERSION and --out DIR"),
             (["--to", "1.0.0", "--out", str(tmp_path / "y"), "--name", "../x"], "cannot be used")]
    for args, message in cases:
        assert main(["rollback", "--registry", reg, *args]) == 4, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        main(["rollback", "--registry", reg, "--tolerance", "-1"])
    assert exc.value.code != 0
