"""``gatekeeper release``: record a bundle whose last check passed as an immutable entry.

What is recorded: every file the bundle uses (adapter, manifest, gate files, golden sets,
training data, chat template; verify_lock has checked that the lock pins exactly these), the
lock itself, the report that approved the bundle (``approval.py`` says which may), and a
behavioural fingerprint measured now. Files outside the bundle (shared gate files,
golden sets) are stored relative to the nearest common folder, so a restore reproduces
the layout the bundle's relative paths expect.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from gatekeeper.releases.store import ENTRY_FORMAT, EntryRef, RegistryError, Store


@dataclass(frozen=True)
class ReleaseResult:
    ref: EntryRef
    files: int
    seconds: float
    fingerprint_seconds: float


def release_bundle(bundle_dir: str | Path, registry: str | Path, *, report: str | Path | None = None,
                   device: str = "auto", require_signature: bool = False) -> ReleaseResult:
    """Verify, fingerprint and store the bundle; the ref is written last (the commit).

    What is stored is what the bundle uses (``artifact_paths``), never what the lock merely
    names; verify_lock has already refused a lock that pins anything else.
    """
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.bundle.lock import LOCK_FILE, artifact_paths, verify_lock
    from gatekeeper.releases.approval import approved_report
    from gatekeeper.run.registry import load_catalog

    start = time.perf_counter()
    bundle = load_bundle(bundle_dir)
    collection = collect_gates(bundle, load_catalog())
    lock, digest = verify_lock(bundle, collection)
    report_path = approved_report(bundle, collection, digest, report, require_signature=require_signature)
    paths = [*artifact_paths(bundle, collection), bundle.root / LOCK_FILE]
    anchor = Path(os.path.commonpath([bundle.root, *paths]))
    store = Store(registry)
    store.check_writable()  # before the fingerprint: a read-only registry fails in a second
    fp_start = time.perf_counter()
    fingerprint, runtime = bundle_fingerprint(bundle, lock, device)
    fp_seconds = time.perf_counter() - fp_start
    files = {path.relative_to(anchor).as_posix(): store.put_file(path) for path in paths}
    entry = {
        "format": ENTRY_FORMAT, "name": bundle.name, "version": bundle.version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "bundle_dir": bundle.root.relative_to(anchor).as_posix() or ".",
        "lock_digest": digest, "base": lock.get("base"), "files": files,
        "report": store.put_file(report_path), "fingerprint": fingerprint, "runtime": runtime,
    }
    ref = store.commit(entry)
    return ReleaseResult(ref, len(files), time.perf_counter() - start, fp_seconds)


def bundle_fingerprint(bundle, lock: dict, device: str = "auto") -> tuple[dict, dict]:
    """The fingerprint of the bundle's candidate on this runtime, and what the runtime is."""
    from gatekeeper.core.options import EngineOptions
    from gatekeeper.releases.fingerprint import compute_fingerprint
    from gatekeeper.run.runtime import build_engine

    if bundle.adapter is None:
        raise RegistryError("the bundle has no adapter: there is nothing to release",
                            where=bundle.manifest_path, hint="set `adapter:` in the manifest")
    engine = build_engine(bundle, EngineOptions(cache=False, progress=False, device=device), lock)
    with engine.adapter_enabled(True) as model:
        fingerprint = compute_fingerprint(model, engine.tokenizer)
    info = engine.info()
    runtime = {k: info.get(k) for k in ("dtype", "device", "device_name", "quantization", "versions",
                                        "base_fingerprint", "adapter_fingerprint")}
    return fingerprint, runtime
