"""rollback_restore on the tiny model: the previous release restores and reproduces, or is named."""

from __future__ import annotations

import shutil

import pytest

from gatekeeper.run.registry import register_gate_type
from testkit.bundles import STATIC_TYPES
from gatekeeper.gate_types.rollback_restore import Skipped, rollback_restore
from gatekeeper.releases.publish import release_bundle
from gatekeeper.releases.store import Store
from testkit.integrity import fragment, judged, make_context
from testkit.releases import releasable_bundle, report_of

check_params = rollback_restore.__gate_type__.check  # the collection-time parameter check the registry runs


pytestmark = pytest.mark.usefixtures("static_gate_types")


@pytest.fixture(scope="module")
def released(tmp_path_factory, tiny_model_dir, tiny_adapter_dir):
    for fn in STATIC_TYPES:
        register_gate_type(fn)
    root = tmp_path_factory.mktemp("released")
    bundle = releasable_bundle(root / "b", tiny_model_dir, tiny_adapter_dir)
    release_bundle(bundle, root / "registry", report=report_of(bundle))
    return root / "registry"


def _registry_copy(released, tmp_path):
    target = shutil.copytree(released, tmp_path / "registry")
    for path in target.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    return target


def _gate(tmp_path, model_dir, adapter_dir, registry, **params):
    ctx, _ = make_context(tmp_path, model_dir, adapter_dir, gate_type="rollback_restore", releases=registry)
    return rollback_restore(ctx, **params)


def test_the_previous_release_restores_and_reproduces(released, tmp_path, tiny_model_dir, tiny_adapter_dir_2):
    m = _gate(tmp_path, tiny_model_dir, tiny_adapter_dir_2, released)
    assert m.metrics["problems"] == 0 and m.metrics["probes_reproduced_rate"] == 1.0
    assert m.metrics["max_logprob_diff"] == 0.0 and m.metrics["files_verified"] >= 5
    assert m.details["release"]["version"] == "1.0.0" and m.details["fingerprint_checked"]
    assert judged(rollback_restore, m, "problems", max=0) == "pass"


def test_a_flipped_byte_in_the_registry_fails_naming_the_file(released, tmp_path, tiny_model_dir,
                                                              tiny_adapter_dir_2):
    registry = _registry_copy(released, tmp_path)
    store = Store(registry)
    entry = store.entry(store.refs()[0])
    blob = store.blob_path(entry["files"]["adapter/adapter_config.json"])
    data = bytearray(blob.read_bytes())
    data[10] ^= 0x20
    blob.write_bytes(bytes(data))
    m = _gate(tmp_path, tiny_model_dir, tiny_adapter_dir_2, registry)
    assert [p["where"] for p in m.details["problems"]] == ["adapter/adapter_config.json"]
    assert "is corrupt in the registry" in m.details["problems"][0]["why"]
    assert not m.details["fingerprint_checked"]
    assert "adapter/adapter_config.json" in fragment("rollback_restore", m)
    assert judged(rollback_restore, m, "problems", max=0) == "fail"


def test_a_fingerprint_that_no_longer_reproduces_fails_as_drift(released, tmp_path, tiny_model_dir,
                                                                tiny_adapter_dir_2):
    registry = _registry_copy(released, tmp_path)
    store = Store(registry)
    entry = store.entry(store.refs()[0])
    entry["fingerprint"]["probes"][2]["top"][3][0][1] += 0.05  # recorded on "another runtime"
    store.commit({**entry, "version": "1.0.5"})
    m = _gate(tmp_path, tiny_model_dir, tiny_adapter_dir_2, registry)
    assert m.details["release"]["version"] == "1.0.5"
    assert m.metrics["problems"] == 1 and m.metrics["probes_reproduced_rate"] == 0.75
    assert m.details["problems"][0]["why"].startswith("log-probs moved by 5.00e-02")
    assert judged(rollback_restore, m, "problems", max=0) == "fail"


def test_no_registry_or_no_older_release_is_a_skip(released, tmp_path, tiny_model_dir, tiny_adapter_dir_2):
    with pytest.raises(Skipped, match="no release registry configured"):
        _gate(tmp_path, tiny_model_dir, tiny_adapter_dir_2, None)
    ctx, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir_2, gate_type="rollback_restore",
                          releases=released, version="0.9.0")
    with pytest.raises(Skipped, match="no release of demo older than 0.9.0"):
        rollback_restore(ctx)


def test_bad_tolerance_is_a_config_error():
    from gatekeeper.core.errors import ConfigError

    with pytest.raises(ConfigError, match="tolerance must be >= 0"):
        check_params({"tolerance": -0.1}, None)
