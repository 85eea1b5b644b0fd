"""``gatekeeper rollback``: restore a release, re-verify every hash, re-run its fingerprint.

A restore is written to a staging folder beside ``out`` and renamed into place only when
every path is safe, every file hashed correctly, the restored lock verified and the
fingerprint re-ran, so a failed or interrupted rollback never leaves a half-restored (or an
unverified) bundle where a deploy script would pick it up.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from gatekeeper.releases.store import META_DIR, RegistryError, Store, entry_problem, safe_relpath

if TYPE_CHECKING:
    from gatekeeper.releases.fingerprint import Drift



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
    problem = entry_problem(entry)
    if problem:
        return Verification((), {"entry": problem})
    problems = {}
    for rel, digest in sorted(entry["files"].items()):
        try:
            store.verify_blob(digest, rel)
        except RegistryError as exc:
            problems[rel] = exc.message
    try:
        store.verify_blob(entry["report"], "report.json")
    except RegistryError as exc:
        problems["report.json"] = exc.message
    return Verification(tuple(sorted(entry["files"])), problems)


def restore_entry(store: Store, entry: dict, out: Path,
                  check: Callable[[Path], object] | None = None) -> Path:
    """Write the entry's files under ``out`` (must not exist or be empty); return the bundle dir.

    Everything happens in a staging folder beside ``out``: paths and layout are checked
    before a byte is written, every blob is hashed while it streams in, and ``check`` (given
    the staged bundle dir) runs there too. Only then is the folder renamed into ``out``, so
    a restore that fails in any way leaves ``out`` as it was.
    """
    problem = entry_problem(entry)
    if problem:
        raise RegistryError(f"entry {entry.get('name')} {entry.get('version')} is malformed: {problem}",
                            hint="the entry was not written by gatekeeper: do not restore it")
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RegistryError("the rollback target exists and is not empty", where=out,
                            hint="choose a new --out directory: a rollback never overwrites files")
    rel_dir = entry["bundle_dir"]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.restoring-"))
    except OSError as exc:
        raise _out_error(out, exc) from None
    try:
        for rel, digest in sorted(entry["files"].items()):
            target = staging / safe_relpath(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            store.copy_blob(digest, rel, target)  # verified while streamed
        meta = staging / META_DIR
        meta.mkdir()
        store.copy_blob(entry["report"], "report.json", meta / "report.json")
        staged = staging / safe_relpath(rel_dir) if rel_dir != "." else staging
        if check is not None:
            check(staged)
        try:
            os.rename(staging, out)  # replaces only an empty folder; a concurrent winner keeps it
        except OSError as exc:
            raise _out_error(out, exc, renaming=True) from None
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _out_error(out, exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / safe_relpath(rel_dir) if rel_dir != "." else out


def _out_error(out: Path, exc: OSError, renaming: bool = False) -> RegistryError:
    if renaming and exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
        return RegistryError("the rollback target was filled while restoring (another rollback "
                             "to the same --out?)", where=out,
                             hint="choose a new --out directory: a rollback never overwrites files")
    return RegistryError(f"cannot restore into --out: {exc.strerror or exc}", where=exc.filename or out,
                         hint="pass --out with a new directory in a writable place with free space")


def rollback(registry: str | Path, version: str, out: str | Path, *, name: str | None = None,
             tolerance: float | None = None, device: str = "auto") -> RollbackResult:
    """Restore ``version``, verify it against the registry and its own lock, measure drift.

    The restored lock is re-verified and the fingerprint re-run on the staged copy, before it
    is renamed into ``out``: a restore that fails any check never appears there.
    """
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.lock import verify_lock
    from gatekeeper.releases.fingerprint import TOLERANCE, compare_fingerprints
    from gatekeeper.releases.publish import bundle_fingerprint

    start = time.perf_counter()
    store = Store(registry)
    store.check_readable()
    ref = store.find(name, version)
    entry = store.entry(ref)
    measured: dict = {}

    def check(staged: Path) -> None:
        bundle = load_bundle(staged)
        lock, _ = verify_lock(bundle, collect_gates(bundle, load_catalog()))  # the restored lock, re-verified
        fp_start = time.perf_counter()
        measured["fingerprint"], measured["runtime"] = bundle_fingerprint(bundle, lock, device)
        measured["seconds"] = time.perf_counter() - fp_start

    bundle_dir = restore_entry(store, entry, Path(out), check)
    drift = compare_fingerprints(entry["fingerprint"], measured["fingerprint"],
                                 TOLERANCE if tolerance is None else tolerance)
    return RollbackResult(ref.name, ref.version, bundle_dir, len(entry["files"]), drift,
                          entry.get("runtime") or {}, measured["runtime"], time.perf_counter() - start,
                          measured["seconds"])
