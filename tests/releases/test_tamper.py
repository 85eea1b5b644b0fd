"""The tamper suite: the lock, release and rollback tried as an attacker and a careless user.

Each case breaks one thing the way issue 21 found it broken (a restored mtime, a hand-edited
lock, a forged report, a crafted registry entry, a corrupt ref, a FIFO, SIGTERM) and asserts
the command refuses it with exit 4 (2 for SIGTERM) naming what is wrong, with nothing
half-written left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading

import pytest

from testkit.bundles import STATIC_TYPES
from testkit.releases import check_report, releasable_bundle, report_of
from gatekeeper.bundle.collect import collect_gates
from gatekeeper.bundle.lock import base_identity, verify_lock, write_lock
from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.cli import main
from gatekeeper.core.errors import CollectionErrors
from gatekeeper.core.signing import SIGNING_KEY_ENV, signature_path
from gatekeeper.releases.rollback import restore_entry
from gatekeeper.releases.store import RegistryError, Store, canonical
from gatekeeper.run.registry import register_gate_type
from gatekeeper.run.registry import load_catalog

pytestmark = pytest.mark.usefixtures("static_gate_types")
KEY = "a-signing-key-of-at-least-16-bytes"


@pytest.fixture(scope="module")
def released(tmp_path_factory, tiny_model_dir, tiny_adapter_dir):
    """One release of the tiny bundle (module-scoped: fingerprinting loads the model)."""
    for fn in STATIC_TYPES:
        register_gate_type(fn)
    root = tmp_path_factory.mktemp("tamper")
    bundle = releasable_bundle(root / "b", tiny_model_dir, tiny_adapter_dir)
    assert main(["release", str(bundle), "--registry", str(root / "registry"),
                 "--report", str(report_of(bundle))]) == 0
    return root / "registry", bundle


@pytest.fixture
def registry(released, tmp_path):
    """A private, writable copy of the released registry."""
    target = shutil.copytree(released[0], tmp_path / "registry")
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@pytest.fixture
def bundle(tmp_path, tiny_model_dir, tiny_adapter_dir):
    return releasable_bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)


def run(argv, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out + captured.err


def release(bundle, registry, capsys, *extra, report=None):
    return run(["release", bundle, "--registry", registry, "--report", report or report_of(bundle),
                *extra], capsys)


def _commit(registry, **changes) -> str:
    """Commit a copy of the 1.0.0 entry as version 6.6.6 with ``changes`` (a crafted entry)."""
    store = Store(registry)
    entry = {**store.entry(store.find("demo", "1.0.0")), "version": "6.6.6", **changes}
    store.commit(entry)
    return "6.6.6"


def _left_behind(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "restoring" in p.name)


# --- the lock ---------------------------------------------------------------------------------


def test_a_weight_swap_behind_a_restored_mtime_is_caught_with_a_warm_memo(tmp_path, tiny_model_dir):
    from testkit.bundles import write_bundle

    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    root = write_bundle(tmp_path / "b", {"g.yaml": "gates:\n  - id: s.ok\n    type: static_rate\n"
                                         "    threshold: {metric: rate, min: 0.5}\n"},
                        manifest={"base": {"model": str(model)}})
    bundle = load_bundle(root)
    write_lock(bundle, collect_gates(bundle, load_catalog()), base_identity(bundle))
    base_identity(bundle)  # the memo is warm: every weight file's hash is remembered
    weights = model / "model.safetensors"
    before = weights.stat()
    with open(weights, "r+b") as handle:  # flip 4 KB in place, then put the old mtime back
        handle.seek(before.st_size // 2)
        block = handle.read(4096)
        handle.seek(before.st_size // 2)
        handle.write(bytes(b ^ 0xFF for b in block))
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert weights.stat().st_mtime_ns == before.st_mtime_ns and weights.stat().st_size == before.st_size
    with pytest.raises(CollectionErrors, match="fingerprint differs from the lock"):
        verify_lock(load_bundle(root), collect_gates(bundle, load_catalog()), needs_model=True)


def test_a_lock_key_the_bundle_does_not_use_is_refused_and_never_stored(bundle, tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not ship me")
    lock = json.loads((bundle / "gatekeeper.lock").read_text())
    lock["artifacts"][str(secret)] = "sha256:" + __import__("hashlib").sha256(secret.read_bytes()).hexdigest()
    (bundle / "gatekeeper.lock").write_text(json.dumps(lock))
    code, out = run(["check", bundle, "--out", tmp_path / "run", "--no-progress"], capsys)
    assert code == 4 and f"does not use: '{secret}'" in out, out
    code, out = release(bundle, tmp_path / "registry", capsys)
    assert code == 4 and "does not use" in out, out
    assert not (tmp_path / "registry").exists()


def test_a_gate_folder_outside_the_bundle_is_refused_unless_declared(bundle, tmp_path, capsys):
    outside = tmp_path / "home" / ".ssh"
    outside.mkdir(parents=True)
    (outside / "id_rsa").write_text("-----BEGIN PRIVATE KEY-----\n")
    manifest = (bundle / "gatekeeper.yaml").read_text()
    (bundle / "gatekeeper.yaml").write_text(manifest.replace("- gates/", f"- gates/\n- {outside}"))
    code, out = run(["validate", bundle], capsys)
    assert code == 4 and ".ssh' is a folder outside the bundle and its data_roots" in out, out
    (bundle / "gatekeeper.yaml").write_text(manifest.replace("- gates/", f"- gates/\n- {outside}")
                                            + f"data_roots: [{outside}]\n")
    code, out = run(["validate", bundle], capsys)
    assert code == 4 and "holds no gate file" in out and "gatekeeper.yaml:" in out, out


def test_a_shared_yaml_gate_file_outside_the_bundle_is_still_allowed(bundle, tmp_path, capsys):
    shared = tmp_path / "shared.yaml"
    shared.write_text("gates:\n  - id: shared.ok\n    type: static_rate\n"
                      "    threshold: {metric: rate, min: 0.5}\n")
    manifest = (bundle / "gatekeeper.yaml").read_text()
    (bundle / "gatekeeper.yaml").write_text(manifest.replace("- gates/", f"- gates/\n- {shared}"))
    code, out = run(["validate", bundle], capsys)
    assert code == 0 and "2 gate(s)" in out, out


# --- report provenance ------------------------------------------------------------------------


def _edit_report(bundle, change) -> None:
    path = report_of(bundle)
    report = json.loads(path.read_text())
    change(report)
    path.write_text(json.dumps(report))


def test_a_hand_written_report_with_the_right_digest_is_refused(bundle, tmp_path, capsys):
    digest = json.loads(report_of(bundle).read_text())["bundle"]["lock_digest"]
    report_of(bundle).write_text(json.dumps({"verdict": "PASS", "gates": [], "complete": True,
                                             "bundle": {"name": "demo", "version": "1.0.0",
                                                        "lock_digest": digest}}))
    code, out = release(bundle, tmp_path / "registry", capsys)
    assert code == 4 and "does not match the report schema" in out, out
    assert not (tmp_path / "registry").exists()


@pytest.mark.parametrize("change, says", [
    (lambda r: r["gates"].clear(), "gates of the bundle missing from it: s.ok"),
    (lambda r: r["gates"][0].update(outcome="fail"), "blocking gate s.ok is fail"),
    (lambda r: r["gates"][0].update(spec_digest="sha256:" + "0" * 64), "gate-spec digest differs"),
    (lambda r: r["gates"][0].update(severity="warn"), "gate s.ok is not the bundle's"),
    (lambda r: r["gates"].append({**r["gates"][0], "id": "s.extra"}), "does not declare: s.extra"),
    (lambda r: r.pop("complete"), "not a complete run"),
    (lambda r: r.update(status="interrupted"), "not a complete run"),
    (lambda r: r.update(exit_code=1), "(exit 1)"),
])
def test_a_forged_report_is_refused(bundle, tmp_path, capsys, change, says):
    _edit_report(bundle, change)
    code, out = release(bundle, tmp_path / "registry", capsys)
    assert code == 4 and says in out, out
    assert not (tmp_path / "registry").exists()


def test_a_signed_report_is_required_when_asked(bundle, tmp_path, capsys, monkeypatch):
    registry = tmp_path / "registry"
    code, out = release(bundle, registry, capsys, "--require-signature")
    assert code == 4 and f"needs ${SIGNING_KEY_ENV}" in out, out
    monkeypatch.setenv(SIGNING_KEY_ENV, KEY)
    code, out = release(bundle, registry, capsys, "--require-signature")
    assert code == 4 and "it is not signed" in out, out
    signed = check_report(bundle, tmp_path / "signed")  # the check signs with the key in its env
    assert signature_path(signed).read_text().startswith("hmac-sha256:")
    signed.write_bytes(signed.read_bytes().replace(b'"verdict": "PASS"', b'"verdict":  "PASS"'))
    code, out = release(bundle, registry, capsys, "--require-signature", report=signed)
    assert code == 4 and "signature does not match" in out, out
    monkeypatch.setenv(SIGNING_KEY_ENV, KEY + "-other")
    signed = check_report(bundle, tmp_path / "signed")
    monkeypatch.setenv(SIGNING_KEY_ENV, KEY)
    code, out = release(bundle, registry, capsys, "--require-signature", report=signed)
    assert code == 4 and "signature does not match" in out, out
    assert not (registry / "refs").exists()
    signed = check_report(bundle, tmp_path / "signed")
    code, out = release(bundle, registry, capsys, "--require-signature", report=signed)
    assert code == 0 and "released demo 1.0.0" in out, out


def test_a_short_signing_key_is_refused_before_the_check_runs(bundle, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(SIGNING_KEY_ENV, "short")
    code, out = run(["check", bundle, "--out", tmp_path / "run", "--no-progress"], capsys)
    assert code == 4 and f"${SIGNING_KEY_ENV} is 5 bytes long" in out, out
    assert not (tmp_path / "run").exists()


# --- rollback ---------------------------------------------------------------------------------


def test_a_bundle_dir_that_escapes_leaves_out_absent(registry, tmp_path, capsys):
    version = _commit(registry, bundle_dir="../../tmp")
    code, out = run(["rollback", "--registry", registry, "--to", version, "--out", tmp_path / "out"], capsys)
    assert code == 4 and "entry demo 6.6.6 is malformed" in out and "unsafe path" in out, out
    assert not (tmp_path / "out").exists() and _left_behind(tmp_path) == []


@pytest.mark.parametrize("entry, says", [
    ([1, 2], "has format 'a JSON list'"),
    ({"format": 1, "name": "demo", "version": "6.6.6"}, "'files' must be an object"),
    ("same name", "is stored inside 'adapter', which is a file"),
    ("meta", "would overwrite the restore's own .gatekeeper-release/ folder"),
    ("other version", "it is the entry of 'demo' '1.0.0', not demo 6.6.6"),
])
def test_a_crafted_entry_is_exit_4_naming_it(registry, tmp_path, capsys, entry, says):
    store = Store(registry)
    good = store.entry(store.find("demo", "1.0.0"))
    some = next(iter(good["files"].values()))
    crafted = {"same name": {**good, "version": "6.6.6", "files": {**good["files"], "adapter": some}},
               "meta": {**good, "version": "6.6.6", "files": {**good["files"], ".gatekeeper-release/x": some}},
               "other version": good}.get(entry, entry) if isinstance(entry, str) else entry
    digest = store.put_bytes(canonical(crafted))
    ref = store.ref_path("demo", "6.6.6")
    ref.write_text(digest + "\n")
    code, out = run(["rollback", "--registry", registry, "--to", "6.6.6", "--out", tmp_path / "out"], capsys)
    assert code == 4 and "entry demo 6.6.6" in out and says in out, out
    assert not (tmp_path / "out").exists() and _left_behind(tmp_path) == []


def test_one_corrupt_ref_does_not_block_another_version(registry, tmp_path, capsys):
    bad = registry / "refs" / "demo" / "0.9.0"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    code, out = run(["rollback", "--registry", registry, "--list"], capsys)
    assert code == 0 and "demo 0.9.0 UNREADABLE" in out and "demo 1.0.0 sha256:" in out, out
    code, out = run(["rollback", "--registry", registry, "--to", "0.9.0", "--out", tmp_path / "o1"], capsys)
    assert code == 4 and "the ref of demo 0.9.0 does not hold an entry digest" in out, out
    code, out = run(["rollback", "--registry", registry, "--to", "1.0.0", "--out", tmp_path / "o2"], capsys)
    assert code == 0 and "every hash verified" in out, out


def test_a_restore_that_fails_its_checks_in_staging_never_reaches_out(registry, tmp_path):
    store = Store(registry)
    entry = store.entry(store.find("demo", "1.0.0"))

    def refuse(staged):
        assert (staged / "gatekeeper.lock").is_file()  # the whole bundle is there, not yet in out
        raise RegistryError("refused in staging")

    with pytest.raises(RegistryError, match="refused in staging"):
        restore_entry(store, entry, tmp_path / "out", refuse)
    assert not (tmp_path / "out").exists() and _left_behind(tmp_path) == []


def test_losing_a_concurrent_rollback_to_the_same_out_is_exit_4(registry, tmp_path):
    store = Store(registry)
    entry = store.entry(store.find("demo", "1.0.0"))
    out = tmp_path / "out"

    def the_other_rollback_wins(staged):
        out.mkdir()
        (out / "gatekeeper.yaml").write_text("theirs")

    with pytest.raises(RegistryError, match="filled while restoring"):
        restore_entry(store, entry, out, the_other_rollback_wins)
    assert (out / "gatekeeper.yaml").read_text() == "theirs" and _left_behind(tmp_path) == []


@pytest.mark.parametrize("what", ["missing", "file"])
def test_list_of_a_registry_that_is_not_one_is_exit_4(tmp_path, capsys, what):
    path = tmp_path / "registry"
    if what == "file":
        path.write_text("x")
    code, out = run(["rollback", "--registry", path, "--list"], capsys)
    assert code == 4 and str(path) in out and ("does not exist" in out or "is a file" in out), out


def test_rollback_into_an_unwritable_place_is_exit_4_naming_out(registry, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code, out = run(["rollback", "--registry", registry, "--to", "1.0.0", "--out", tmp_path / "afile" / "out"],
                    capsys)
    assert code == 4 and "cannot restore into --out" in out and "afile" in out, out


# --- the registry as a destination --------------------------------------------------------------


def test_a_registry_that_is_a_file_is_exit_4_before_the_fingerprint(bundle, tmp_path, capsys, monkeypatch):
    import gatekeeper.releases.publish as publish

    (tmp_path / "registry").write_text("not a directory")
    monkeypatch.setattr(publish, "bundle_fingerprint", lambda *a, **k: pytest.fail("fingerprinted first"))
    code, out = release(bundle, tmp_path / "registry", capsys)
    assert code == 4 and "cannot write to the release registry" in out and "registry" in out, out


def test_a_safetensors_header_that_lies_is_exit_4_naming_the_file(bundle, tmp_path, capsys):
    import struct

    weights = bundle / "adapter" / "adapter_model.safetensors"
    raw = weights.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    name = next(k for k in header if k != "__metadata__")
    header[name]["data_offsets"][1] += 10 ** 9
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    weights.write_bytes(struct.pack("<Q", len(text)) + text + raw[8 + size:])
    b = load_bundle(bundle)  # re-locked and re-checked with the damaged file: only loading it fails
    write_lock(b, collect_gates(b, load_catalog()), base_identity(b))
    check_report(bundle, report_of(bundle).parent)
    code, out = release(bundle, tmp_path / "registry", capsys)
    assert code == 4 and "cannot read the adapter weights (adapter_model.safetensors)" in out, out
    assert not (tmp_path / "registry" / "refs").exists()


# --- SIGTERM ------------------------------------------------------------------------------------


def _sigterm_during(monkeypatch, owner, name, after: int = 0):
    """Deliver a real SIGTERM to this process on the (after+1)-th call of owner.name."""
    original = getattr(owner, name)
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(1)
        if len(calls) > after:
            os.kill(os.getpid(), signal.SIGTERM)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapped)


def test_sigterm_during_release_is_exit_2_and_leaves_no_blob_in_tmp(bundle, tmp_path, capsys, monkeypatch):
    _sigterm_during(monkeypatch, os, "fsync", after=3)  # mid-copy of a blob into tmp/
    code, out = release(bundle, tmp_path / "registry", capsys)
    assert code == 2 and "terminated by SIGTERM" in out, out
    assert list((tmp_path / "registry" / "tmp").iterdir()) == []
    assert not (tmp_path / "registry" / "refs").exists()


def test_sigterm_during_rollback_is_exit_2_and_leaves_no_staging(registry, tmp_path, capsys, monkeypatch):
    _sigterm_during(monkeypatch, Store, "copy_blob", after=2)
    code, out = run(["rollback", "--registry", registry, "--to", "1.0.0", "--out", tmp_path / "out"], capsys)
    assert code == 2 and "terminated by SIGTERM" in out, out
    assert not (tmp_path / "out").exists() and _left_behind(tmp_path) == []


def test_sigterm_during_lock_is_exit_2_and_keeps_the_old_lock(bundle, capsys, monkeypatch):
    import gatekeeper.bundle.lock as lock

    before = (bundle / "gatekeeper.lock").read_bytes()
    monkeypatch.setattr(lock, "base_identity", lambda b: {"model": b.base.model})  # no model load
    _sigterm_during(monkeypatch, os, "fsync")  # inside the atomic write of the new lock
    code, out = run(["lock", bundle], capsys)
    assert code == 2 and "terminated by SIGTERM" in out, out
    assert (bundle / "gatekeeper.lock").read_bytes() == before
    assert [p.name for p in bundle.iterdir() if p.name.startswith(".gatekeeper.lock")] == []


# --- FIFOs --------------------------------------------------------------------------------------


def _finishes(argv, capsys) -> tuple[int, str]:
    """Run the CLI in a thread; a hang (the old FIFO behaviour) fails instead of blocking pytest."""
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(code=main([str(a) for a in argv])), daemon=True)
    capsys.readouterr()
    thread.start()
    thread.join(timeout=60)  # a hang detector, not a timing assertion: the refusal is immediate
    assert not thread.is_alive(), f"{argv[0]} blocked on a FIFO"
    captured = capsys.readouterr()
    return result["code"], captured.out + captured.err


def test_a_fifo_golden_set_is_refused_by_validate(bundle, capsys):
    (bundle / "data" / "eval.jsonl").unlink()
    os.mkfifo(bundle / "data" / "eval.jsonl")
    (bundle / "gates" / "g.yaml").write_text(
        "gates:\n  - id: t.acc\n    type: task_accuracy\n    golden_set: ../data/eval.jsonl\n"
        "    params: {scorer: normalized}\n    threshold: {metric: accuracy, min: 0.0}\n")
    code, out = _finishes(["validate", bundle], capsys)
    assert code == 4 and "eval.jsonl" in out and "is a FIFO, not a regular file" in out, out


def test_a_fifo_adapter_file_is_refused_by_lock(bundle, capsys):
    os.mkfifo(bundle / "adapter" / "extra.safetensors")
    code, out = _finishes(["lock", bundle], capsys)
    assert code == 4 and "adapter/extra.safetensors" in out and "FIFO" in out, out
