"""The release registry: immutable content-addressed entries, atomic commits, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.cli import main
from gatekeeper.releases import previous_release
from gatekeeper.releases.publish import release_bundle
from gatekeeper.releases.store import RegistryError, Store, safe_relpath
from testkit.releases import releasable_bundle, report_of


pytestmark = pytest.mark.usefixtures("static_gate_types")


@pytest.fixture
def bundle(tmp_path, tiny_model_dir, tiny_adapter_dir):
    return releasable_bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)


def test_release_stores_every_locked_file_content_addressed(bundle, tmp_path):
    result = release_bundle(bundle, tmp_path / "registry", report=report_of(bundle))
    store = Store(tmp_path / "registry")
    entry = store.entry(result.ref)
    lock = json.loads((bundle / "gatekeeper.lock").read_text())
    assert set(entry["files"]) == set(lock["artifacts"]) | {"gatekeeper.lock"}
    assert entry["bundle_dir"] == "." and entry["name"] == "demo" and entry["version"] == "1.0.0"
    for rel, digest in entry["files"].items():  # each blob is named by its own hash, read-only
        blob = store.blob_path(digest)
        assert store.read_blob(digest, rel) == (bundle / rel).read_bytes()
        assert not os.access(blob, os.W_OK) or os.geteuid() == 0
        assert oct(blob.stat().st_mode & 0o777) == "0o444"
    probes = entry["fingerprint"]["probes"]
    assert len(probes) == 4 and all(p["tokens"] and p["digest"].startswith("sha256:") for p in probes)
    assert entry["runtime"]["dtype"] == "float32" and entry["runtime"]["versions"]["torch"]


def test_a_released_version_is_never_replaced(bundle, tmp_path):
    release_bundle(bundle, tmp_path / "registry", report=report_of(bundle))
    ref = Store(tmp_path / "registry").refs()[0]
    before = ref.path.read_text()
    with pytest.raises(RegistryError, match="already released"):
        release_bundle(bundle, tmp_path / "registry", report=report_of(bundle))
    assert ref.path.read_text() == before and len(Store(tmp_path / "registry").refs()) == 1


def test_a_crash_before_the_commit_leaves_no_entry(bundle, tmp_path, monkeypatch):
    def power_cut(self, entry):
        raise KeyboardInterrupt  # blobs are written, the ref is not

    monkeypatch.setattr(Store, "commit", power_cut)
    with pytest.raises(KeyboardInterrupt):
        release_bundle(bundle, tmp_path / "registry", report=report_of(bundle))
    monkeypatch.undo()
    assert Store(tmp_path / "registry").refs() == []
    assert previous_release(load_bundle(bundle)) is None
    assert release_bundle(bundle, tmp_path / "registry", report=report_of(bundle)).files > 0


def _commit(args):
    root, version, marker = args
    try:
        Store(root).commit({"format": 1, "name": "demo", "version": version, "bundle_dir": ".",
                            "files": {"gatekeeper.yaml": "sha256:" + "0" * 64}, "report": "sha256:" + "1" * 64,
                            "fingerprint": {"probes": []}, "marker": marker})
        return "ok"
    except RegistryError:
        return "refused"


def test_concurrent_releases_of_one_version_have_one_winner(tmp_path):
    jobs = [(tmp_path / "r", "1.0.0", i) for i in range(8)] + [(tmp_path / "r", f"2.0.{i}", i) for i in range(4)]
    with multiprocessing.get_context("fork").Pool(4) as pool:
        outcomes = pool.map(_commit, jobs)
    assert outcomes[:8].count("ok") == 1 and outcomes[8:] == ["ok"] * 4
    store = Store(tmp_path / "r")
    assert sorted(r.version for r in store.refs()) == ["1.0.0", "2.0.0", "2.0.1", "2.0.2", "2.0.3"]
    for ref in store.refs():  # every committed entry is whole and matches its ref
        assert store.entry(ref)["version"] == ref.version
    assert list((tmp_path / "r" / "tmp").iterdir()) == []  # no staging files left behind


def test_release_refuses_a_report_that_did_not_pass_or_is_stale(bundle, tmp_path):
    report = report_of(bundle)
    data = json.loads(report.read_text())
    report.write_text(json.dumps({**data, "verdict": "FAIL"}))
    with pytest.raises(RegistryError.__mro__[1], match="verdict is FAIL"):
        release_bundle(bundle, tmp_path / "registry", report=report)
    report.write_text(json.dumps({**data, "bundle": {**data["bundle"], "lock_digest": "sha256:0"}}))
    with pytest.raises(RegistryError.__mro__[1], match="changed since that check"):
        release_bundle(bundle, tmp_path / "registry", report=report)
    assert not (tmp_path / "registry" / "refs").exists()


def test_previous_release_reads_the_registry(bundle, tmp_path, tiny_model_dir, tiny_adapter_dir):
    release_bundle(bundle, tmp_path / "registry", report=report_of(bundle))
    newer = releasable_bundle(tmp_path / "n", tiny_model_dir, tiny_adapter_dir, version="1.1.0")
    previous = previous_release(load_bundle(newer))
    assert previous["version"] == "1.0.0" and previous["verdict"] == "PASS"
    assert previous["gates"]["s.ok"] == {"outcome": "pass", "metrics": {"rate": 1.0}}
    assert previous_release(load_bundle(bundle)) is None  # nothing older than 1.0.0


@pytest.mark.parametrize("text", ["", "/etc/passwd", "a/../../x", "a//b", "..", "a\\b"])
def test_an_entry_cannot_name_a_path_outside_the_restore(text):
    with pytest.raises(RegistryError, match="unsafe path"):
        safe_relpath(text)


def test_cli_release_bad_inputs_exit_4_without_traceback(bundle, tmp_path, capsys):
    assert main(["release", str(bundle), "--registry", str(tmp_path / "r"),
                 "--report", str(tmp_path / "nope.json")]) == 4
    err = capsys.readouterr().err
    assert "cannot read the check report" in err and "Traceback" not in err
    assert main(["release", str(bundle), "--report", str(report_of(bundle)),
                 "--registry", str(tmp_path / "r")]) == 0
    assert "released demo 1.0.0" in capsys.readouterr().out
    assert main(["release", str(bundle), "--report", str(report_of(bundle)),
                 "--registry", str(tmp_path / "r")]) == 4
    assert "already released" in capsys.readouterr().err
