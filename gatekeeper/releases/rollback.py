"""``gatekeeper rollback``: restore a release, re-verify every hash, re-run its fingerprint.

A restore is written to a staging folder beside ``out`` and renamed into place only when
every file hashed correctly, so a failed or interrupted rollback never leaves a
half-restored bundle where a deploy script would pick it up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gatekeeper.releases.store import RegistryError, Store, safe_relpath

if TYPE_CHECKING:
    from gatekeeper.releases.fingerprint import Drift

META_DIR = ".gatekeeper-release"


@dataclass(frozen=True)
class Verification:
    """Every stored file of an entry, checked: ``problems`` maps file -> what is wrong."""

    files: tuple[str, ...]
    problems: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class RollbackResult:
    name: str
    version: str
    bundle_dir: Path
    files: int
    drift: Drift
    recorded_runtime: dict
    current_runtime: dict
    seconds: float
    fingerprint_seconds: float


def verify_entry(store: Store, entry: dict) -> Verification:
    """Hash every blob of the entry; collect (never stop at) missing or corrupt files."""
    problems = {}
    for rel, digest in sorted(entry["files"].items()):
        try:
            safe_relpath(rel)
            store.read_blob(digest, rel)
        except RegistryError as exc:
            problems[rel] = exc.message
    try:
        store.read_blob(entry["report"], "report.json")
    except RegistryError as exc:
        problems["report.json"] = exc.message
    return Verification(tuple(sorted(entry["files"])), problems)


def restore_entry(store: Store, entry: dict, out: Path) -> Path:
    """Write the entry's files under ``out`` (must not exist or be empty); return the bundle dir."""
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RegistryError("the rollback target exists and is not empty", where=out,
                            hint="choose a new --out directory: a rollback never overwrites files")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.restoring-"))
    try:
        for rel, digest in sorted(entry["files"].items()):
            target = staging / safe_relpath(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.read_blob(digest, rel))  # verified while read
        meta = staging / META_DIR
        meta.mkdir()
        (meta / "report.json").write_bytes(store.read_blob(entry["report"], "report.json"))
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / safe_relpath(entry["bundle_dir"]) if entry["bundle_dir"] != "." else out


def rollback(registry: str | Path, version: str, out: str | Path, *, name: str | None = None,
             tolerance: float | None = None, device: str = "auto") -> RollbackResult:
    """Restore ``version``, verify it against the registry and its own lock, measure drift."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.lock import verify_lock
    from gatekeeper.releases.fingerprint import TOLERANCE, compare_fingerprints
    from gatekeeper.releases.publish import bundle_fingerprint

    start = time.perf_counter()
    store = Store(registry)
    ref = store.find(name, version)
    entry = store.entry(ref)
    bundle_dir = restore_entry(store, entry, Path(out))
    bundle = load_bundle(bundle_dir)
    lock, _ = verify_lock(bundle, collect_gates(bundle, load_catalog()))  # the restored lock, re-verified
    fp_start = time.perf_counter()
    current, runtime = bundle_fingerprint(bundle, lock, device)
    fp_seconds = time.perf_counter() - fp_start
    drift = compare_fingerprints(entry["fingerprint"], current,
                                 TOLERANCE if tolerance is None else tolerance)
    return RollbackResult(ref.name, ref.version, bundle_dir, len(entry["files"]), drift,
                          entry.get("runtime") or {}, runtime, time.perf_counter() - start, fp_seconds)
