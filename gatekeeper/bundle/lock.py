"""gatekeeper.lock: the sha256 of every artifact a release depends on.

``write_lock`` records the manifest, adapter, chat template, training data, gate files and
every golden set or schema the gates read, plus the base model's identity and the tool
versions. ``verify_lock`` recomputes the hashes and names every file that differs, is
missing, or appeared in the adapter without being locked.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from gatekeeper.core.atomic import write_atomic
from gatekeeper.bundle.manifest import Bundle
from gatekeeper.bundle.collect import Collection
from gatekeeper.core.errors import CollectionErrors, GatekeeperError, LockError, ModelError
from gatekeeper.core.files import is_special, sha256_file, sha256_hex, sha256_tagged
from gatekeeper.bundle.validation import schema_references

LOCK_FILE = "gatekeeper.lock"
LOCK_VERSION = 2  # 2: the base records tokenizer and chat-template fingerprints
TRACKED_LIBRARIES = ("gatekeeper", "torch", "transformers", "peft", "trl", "bitsandbytes",
                     "lm-eval", "jsonschema", "rapidfuzz", "pytest", "jinja2")
# What pins the base model: its weights, its tokenizer files, and the chat template the run
# applies (the bundle's own, else the tokenizer's). Each changes outputs on its own.
BASE_FINGERPRINTS = ("fingerprint", "tokenizer_fingerprint", "chat_template_fingerprint")
_RELOCK = "re-lock with `gatekeeper lock BUNDLE_DIR` to pin the current files (review why they changed)"


def file_digest(path: Path) -> str:
    """The lock's form of a file hash: ``sha256:<hex>``."""
    return "sha256:" + sha256_file(path)


def library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in TRACKED_LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def artifact_paths(bundle: Bundle, collection: Collection) -> list[Path]:
    """Every file the release depends on, deduplicated, in a stable order.

    A FIFO, socket or device among them is refused (CollectionErrors naming it): it cannot
    be hashed without hanging, and leaving it out would leave a file of the bundle unpinned.
    """
    special: list[Path] = []
    paths: list[Path] = [bundle.manifest_path]
    if bundle.adapter:
        paths += _files_under(bundle.adapter, special)
    if bundle.chat_template:
        paths.append(bundle.chat_template)
    for key in ("data", "eval_data"):
        if bundle.train and bundle.train.get(key):
            paths.append((bundle.root / bundle.train[key]).resolve())
    if bundle.recipe and bundle.recipe.mix:  # general data mixed into training
        paths.append(bundle.recipe.mix.data)
    for baseline in bundle.baselines.values():  # named baselines' files: few-shot turns, adapters
        if getattr(baseline, "fewshot", None):
            paths.append(baseline.fewshot)
        if getattr(baseline, "adapter", None):
            paths += _files_under(baseline.adapter, special)
    for source in bundle.gate_sources:
        paths += _files_under(source, special)
    for spec in collection.gates:
        if spec.golden_set:
            paths.append(Path(spec.golden_set))
        gtype = collection.gate_type(spec)
        for _, value in gtype.paths(spec.params):  # every role; a file or a folder
            target = Path(value)
            paths += _files_under(target, special)
            if target.suffix == ".json" and target.is_file():  # a schema: what its $refs read
                paths += schema_references(target)
    special += [p for p in paths if is_special(p)]
    if special:
        raise CollectionErrors([LockError(f"'{_key(bundle, p)}' is a FIFO, socket or device, not a "
                                          "regular file", where=p, hint="replace it with the file "
                                          "it stands for: the lock pins regular files only")
                                for p in dict.fromkeys(special)])
    return list(dict.fromkeys(paths))


def _files_under(target: Path, special: list[Path]) -> list[Path]:
    """``target`` itself, or the regular files below a folder (special files go to ``special``)."""
    if not target.is_dir():
        return [target]
    found = sorted(p for p in target.rglob("*") if "__pycache__" not in p.parts)
    special += [p for p in found if is_special(p)]
    return [p for p in found if p.is_file()]


def base_identity(bundle: Bundle) -> dict:
    """What the lock records about the base model: what was asked for and what it hashed to."""
    from gatekeeper.model.resolve import resolve_base

    try:
        resolved = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    except ModelError as exc:
        if exc.where is None:  # point at the manifest line that names the model
            exc.where = str(bundle.manifest_path)
            exc.line = bundle.document.line(("base", "model")) if bundle.document else None
        raise
    return {"model": bundle.base.model, "revision": bundle.base.revision,
            "fingerprint": resolved.fingerprint,
            "tokenizer_fingerprint": resolved.tokenizer_fingerprint,
            "chat_template_fingerprint": chat_template_fingerprint(bundle, resolved.path)}


def chat_template_fingerprint(bundle: Bundle, model_dir: Path) -> str:
    """sha256 of the chat template a run applies: the bundle's file, else the tokenizer's."""
    if bundle.chat_template is not None:
        return sha256_file(bundle.chat_template)
    jinja = model_dir / "chat_template.jinja"
    if jinja.is_file():
        return sha256_file(jinja)
    for name in ("chat_template.json", "tokenizer_config.json"):
        try:
            template = json.loads((model_dir / name).read_text("utf-8")).get("chat_template")
        except (OSError, ValueError, AttributeError):
            continue
        if template:
            return sha256_hex(json.dumps(template, sort_keys=True).encode("utf-8"))
    return "none"


def _key(bundle: Bundle, path: Path) -> str:
    return os.path.relpath(path, bundle.root)


def build_lock(bundle: Bundle, collection: Collection, base_identity: dict) -> dict:
    return {
        "lock_version": LOCK_VERSION,
        "bundle": {"name": bundle.name, "version": bundle.version},
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base": base_identity,
        "artifacts": {_key(bundle, p): file_digest(p) for p in artifact_paths(bundle, collection)},
        "tools": library_versions(),
    }


def write_lock(bundle: Bundle, collection: Collection, base_identity: dict) -> Path:
    """Write gatekeeper.lock atomically (a crash never leaves half a lock)."""
    lock = build_lock(bundle, collection, base_identity)
    target = bundle.root / LOCK_FILE
    try:
        write_json_atomic(target, lock)
    except OSError as exc:
        raise LockError(f"cannot write gatekeeper.lock: {exc.strerror}", where=target,
                        hint="lock a bundle directory you can write to") from None
    return target


def write_json_atomic(target: Path, data) -> None:
    write_atomic(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_lock(bundle: Bundle) -> tuple[dict, str]:
    """The lock and its digest; a missing, unreadable or malformed lock is a LockError."""
    path = bundle.root / LOCK_FILE
    if not path.is_file():
        raise LockError("bundle has no gatekeeper.lock", where=bundle.root,
                        hint=f"pin its artifacts with `gatekeeper lock {bundle.root}`")
    try:
        raw = path.read_bytes()
        lock = json.loads(raw)
    except OSError as exc:
        raise LockError(f"cannot read gatekeeper.lock: {exc.strerror}", where=path) from None
    except ValueError as exc:
        raise LockError(f"gatekeeper.lock is not valid JSON ({exc})", where=path,
                        hint="regenerate it: " + _RELOCK) from None
    problem = _shape_problem(lock)
    if problem:
        raise LockError(f"gatekeeper.lock is not a valid lock file: {problem}", where=path,
                        hint="regenerate it: " + _RELOCK)
    return lock, sha256_tagged(raw)


def _shape_problem(lock: Any) -> str | None:
    if not isinstance(lock, dict):
        return f"expected a JSON object, found {type(lock).__name__}"
    artifacts = lock.get("artifacts")
    if not isinstance(artifacts, dict):
        return f"'artifacts' must be an object of path: sha256, found {type(artifacts).__name__}"
    for key, value in artifacts.items():
        if not isinstance(value, str) or not value.startswith("sha256:"):
            return f"artifact '{key}' has {value!r}, expected 'sha256:<hex>'"
    if not isinstance(lock.get("base"), dict):
        return f"'base' must be an object, found {type(lock.get('base')).__name__}"
    return None


def verify_lock(bundle: Bundle, collection: Collection, *,
                needs_model: bool | None = None) -> tuple[dict, str]:
    """Recompute every hash; raise naming each file that differs. Returns (lock, digest).

    The base model is checked here too, before any gate runs: a run whose base weights,
    tokenizer or chat template differ from the lock is a configuration error, not a gate error.
    ``needs_model=False`` (a selection of static gates only) skips the base check, which
    would otherwise load the model's files; the engine re-checks before loading anyway.
    """
    lock, digest = read_lock(bundle)
    errors = _artifact_errors(bundle, collection, lock)
    if needs_model is None:
        needs_model = _needs_model(collection)
    errors += _base_errors(bundle, lock, needs_model=needs_model)
    if errors:
        raise CollectionErrors(errors)
    return lock, digest


MODEL_FIXTURES = re.compile(r"\b(candidate|baseline)\b")


def _needs_model(collection: Collection) -> bool:
    """Whether a gate of this run will load the base model: a declarative gate says so in its
    type; a python gate file does when it names a model fixture. (Should a python gate reach
    the model otherwise, the engine re-checks the base before loading: ``verify_base``.)"""
    if any(collection.gate_type(spec).needs_model for spec in collection.gates):
        return True
    return any(MODEL_FIXTURES.search(p.read_text("utf-8", errors="replace"))
               for p in collection.python_files)


def verify_base(bundle: Bundle, lock: dict | None) -> None:
    """Raise unless the base model on disk is the one the lock pins (called before loading it)."""
    errors = _base_errors(bundle, lock or {"base": {}}, needs_model=True)
    if errors:
        raise CollectionErrors(errors)


def _artifact_errors(bundle: Bundle, collection: Collection, lock: dict) -> list[GatekeeperError]:
    """Every locked file must hash as locked, and the lock must pin exactly the files the
    bundle uses: a key it does not use is refused unread (release would otherwise store,
    and rollback restore, whatever file a hand-edited lock names)."""
    lock_path = bundle.root / LOCK_FILE
    locked: dict = lock["artifacts"]
    current = {_key(bundle, p): p for p in artifact_paths(bundle, collection)}
    errors: list[GatekeeperError] = []
    unknown = sorted(locked.keys() - current.keys())
    for key in [k for k in unknown if not os.path.lexists(bundle.root / k)]:
        errors.append(LockError(f"locked file '{key}' is missing", where=lock_path,
                                hint="restore it, or re-lock if the removal is intended"))
    unknown = [k for k in unknown if os.path.lexists(bundle.root / k)]
    if unknown:
        errors.append(LockError(f"the lock pins {len(unknown)} file(s) the bundle does not use: "
                                + ", ".join(f"'{k}'" for k in unknown), where=lock_path,
                                hint="a lock lists exactly the bundle's files: " + _RELOCK))
    for key, expected in locked.items():
        if key not in current:
            continue
        path = current[key]
        if not path.is_file():
            errors.append(LockError(f"locked file '{key}' is missing", where=lock_path,
                                    hint="restore it, or re-lock if the removal is intended"))
            continue
        try:
            found = file_digest(path)
        except OSError as exc:
            errors.append(LockError(f"cannot read locked file '{key}': {exc.strerror}", where=lock_path))
            continue
        if found != expected:
            errors.append(LockError(f"'{key}' differs from the lock (expected {expected[:19]}…)",
                                    where=lock_path, hint="the file was changed after locking: "
                                    "restore it, or " + _RELOCK))
    for key in current.keys() - locked.keys():
        errors.append(LockError(f"'{key}' is used by the bundle but not locked", where=lock_path,
                                hint="run `gatekeeper lock` to pin it"))
    return errors


def _base_errors(bundle: Bundle, lock: dict, *, needs_model: bool) -> list[GatekeeperError]:
    """The manifest's base must be the locked one; its files are hashed only when a gate
    will load it (static gates never do)."""
    lock_path = bundle.root / LOCK_FILE
    locked = lock["base"]
    asked = (bundle.base.model, bundle.base.revision)
    if (locked.get("model"), locked.get("revision")) != asked:
        return [LockError(f"the lock pins base model {_name(locked.get('model'), locked.get('revision'))}, "
                          f"the manifest names {_name(*asked)}", where=lock_path, hint=_RELOCK)]
    if not needs_model:
        return []
    missing = [k for k in BASE_FINGERPRINTS if not locked.get(k)]
    if missing:
        return [LockError(f"the lock does not pin the base model ({', '.join(missing)} not recorded)",
                          where=lock_path, hint=_RELOCK)]
    current = base_identity(bundle)
    return [LockError(f"base model '{bundle.base.model}': {k} differs from the lock (locked "
                      f"{str(locked[k])[:12]}…, found {str(current[k])[:12]}…)", where=lock_path,
                      hint=f"the base model's {_WHAT[k]} changed since locking: restore the "
                           "model directory, or " + _RELOCK)
            for k in BASE_FINGERPRINTS if current[k] != locked[k]]


_WHAT = {"fingerprint": "weights", "tokenizer_fingerprint": "tokenizer files",
         "chat_template_fingerprint": "chat template"}


def _name(model: Any, revision: Any) -> str:
    return f"'{model}@{revision}'" if revision else f"'{model}'"
