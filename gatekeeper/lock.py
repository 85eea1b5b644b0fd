"""gatekeeper.lock: the sha256 of every artifact a release depends on.

``write_lock`` records the manifest, adapter, chat template, training data, gate files and
every golden set or schema the gates read, plus the base model's identity and the tool
versions. ``verify_lock`` recomputes the hashes and names every file that differs, is
missing, or appeared in the adapter without being locked.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from gatekeeper.atomic import write_atomic
from gatekeeper.bundle import Bundle
from gatekeeper.collect import Collection
from gatekeeper.errors import CollectionErrors, LockError

LOCK_FILE = "gatekeeper.lock"
LOCK_VERSION = 1
TRACKED_LIBRARIES = ("gatekeeper", "torch", "transformers", "peft", "trl", "bitsandbytes",
                     "lm-eval", "jsonschema", "rapidfuzz", "pytest", "jinja2")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def library_versions() -> dict[str, str | None]:
    out = {}
    for name in TRACKED_LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def artifact_paths(bundle: Bundle, collection: Collection) -> list[Path]:
    """Every file the release depends on, deduplicated, in a stable order."""
    paths: list[Path] = [bundle.manifest_path]
    if bundle.adapter:
        paths += sorted(p for p in bundle.adapter.rglob("*") if p.is_file())
    if bundle.chat_template:
        paths.append(bundle.chat_template)
    for key in ("data", "eval_data"):
        if bundle.train and bundle.train.get(key):
            paths.append((bundle.root / bundle.train[key]).resolve())
    for source in bundle.gate_sources:
        files = source.rglob("*") if source.is_dir() else [source]
        paths += sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts)
    for spec in collection.gates:
        if spec.golden_set:
            paths.append(Path(spec.golden_set))
        gtype = collection.gate_type(spec)
        paths += [Path(spec.params[n]) for n in gtype.path_params if isinstance(spec.params.get(n), str)]
    seen, out = set(), []
    for p in paths:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _key(bundle: Bundle, path: Path) -> str:
    return os.path.relpath(path, bundle.root)


def build_lock(bundle: Bundle, collection: Collection, base_identity: dict) -> dict:
    return {
        "lock_version": LOCK_VERSION,
        "bundle": {"name": bundle.name, "version": bundle.version},
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base": base_identity,
        "artifacts": {_key(bundle, p): sha256_file(p) for p in artifact_paths(bundle, collection)},
        "tools": library_versions(),
    }


def write_lock(bundle: Bundle, collection: Collection, base_identity: dict) -> Path:
    """Write gatekeeper.lock atomically (a crash never leaves half a lock)."""
    lock = build_lock(bundle, collection, base_identity)
    target = bundle.root / LOCK_FILE
    write_json_atomic(target, lock)
    return target


def write_json_atomic(target: Path, data) -> None:
    write_atomic(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_lock(bundle: Bundle) -> tuple[dict, str]:
    """The lock and its digest; a missing or unreadable lock is a LockError with a fix."""
    path = bundle.root / LOCK_FILE
    if not path.is_file():
        raise LockError("bundle has no gatekeeper.lock", where=bundle.root,
                        hint=f"pin its artifacts with `gatekeeper lock {bundle.root}`")
    raw = path.read_bytes()
    try:
        lock = json.loads(raw)
        lock["artifacts"]
    except (ValueError, KeyError, TypeError):
        raise LockError("gatekeeper.lock is not a valid lock file", where=path,
                        hint="regenerate it with `gatekeeper lock` (and review why it changed)") from None
    return lock, "sha256:" + hashlib.sha256(raw).hexdigest()


def verify_lock(bundle: Bundle, collection: Collection) -> tuple[dict, str]:
    """Recompute every hash; raise naming each file that differs. Returns (lock, digest)."""
    lock, digest = read_lock(bundle)
    lock_path = bundle.root / LOCK_FILE
    locked: dict = lock["artifacts"]
    current = {_key(bundle, p): p for p in artifact_paths(bundle, collection)}
    errors = []
    for key, expected in locked.items():
        path = (bundle.root / key).resolve()
        if not path.is_file():
            errors.append(LockError(f"locked file '{key}' is missing", where=lock_path,
                                    hint="restore it, or re-lock if the removal is intended"))
        elif sha256_file(path) != expected:
            errors.append(LockError(f"'{key}' differs from the lock (expected {expected[:19]}…)",
                                    where=lock_path, hint="the file was changed after locking: restore "
                                    "it, or run `gatekeeper lock` if the change is intended"))
    for key in current.keys() - locked.keys():
        errors.append(LockError(f"'{key}' is used by the bundle but not locked", where=lock_path,
                                hint="run `gatekeeper lock` to pin it"))
    if errors:
        raise CollectionErrors(errors)
    return lock, digest
