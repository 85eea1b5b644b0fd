"""``gatekeeper release``: record a bundle whose last check passed as an immutable entry.

What is recorded: every file the lock pins (adapter, manifest, gate files, golden sets,
training data, chat template), the lock itself, the report that approved the bundle, and
a behavioural fingerprint measured now. Files outside the bundle (shared gate files,
golden sets) are stored relative to the nearest common folder, so a restore reproduces
the layout the bundle's relative paths expect.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from gatekeeper.core.errors import ConfigError
from gatekeeper.releases.store import ENTRY_FORMAT, EntryRef, RegistryError, Store


@dataclass(frozen=True)
class ReleaseResult:
    ref: EntryRef
    files: int
    seconds: float
    fingerprint_seconds: float


def release_bundle(bundle_dir: str | Path, registry: str | Path, *, report: str | Path | None = None,
                   device: str = "auto") -> ReleaseResult:
    """Verify, fingerprint and store the bundle; the ref is written last (the commit)."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.lock import LOCK_FILE, verify_lock

    start = time.perf_counter()
    bundle = load_bundle(bundle_dir)
    lock, digest = verify_lock(bundle, collect_gates(bundle, load_catalog()))
    report_path = approved_report(bundle, digest, report)
    paths = [(bundle.root / key).resolve() for key in lock["artifacts"]] + [bundle.root / LOCK_FILE]
    anchor = Path(os.path.commonpath([bundle.root, *paths]))
    fp_start = time.perf_counter()
    fingerprint, runtime = bundle_fingerprint(bundle, lock, device)
    fp_seconds = time.perf_counter() - fp_start
    store = Store(registry)
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


def approved_report(bundle, lock_digest: str, explicit: str | Path | None) -> Path:
    """The report.json of a complete, passing check of exactly these locked files."""
    path = Path(explicit) if explicit else _latest_report(bundle)
    if path.is_dir():
        path = path / "report.json"
    where = str(path)
    try:
        report = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the check report: {exc}", where=where,
                          hint="pass the report.json of a passing `gatekeeper check` with --report") from None
    meta = report.get("bundle") or {}
    problems = []
    if (meta.get("name"), meta.get("version")) != (bundle.name, bundle.version):
        problems.append(f"it is the report of {meta.get('name')} {meta.get('version')}")
    if meta.get("lock_digest") != lock_digest:
        problems.append("the bundle's files changed since that check (lock digest differs)")
    if report.get("verdict") != "PASS" or not report.get("complete", True):
        problems.append(f"its verdict is {report.get('verdict')}"
                        + ("" if report.get("complete", True) else " on a partial run"))
    if problems:
        raise ConfigError(f"{bundle.name} {bundle.version} cannot be released: {'; '.join(problems)}",
                          where=where, hint=f"run `gatekeeper check {bundle.root}` until it passes, "
                                            "then release with --report RUN/report.json")
    return path


def _latest_report(bundle) -> Path:
    """The newest reports/NAME-VERSION-*/report.json under the working directory."""
    found = sorted(Path("reports").glob(f"{bundle.name}-{bundle.version}-*/report.json"))
    if not found:
        raise ConfigError(f"no check report of {bundle.name} {bundle.version} under ./reports",
                          hint=f"run `gatekeeper check {bundle.root}` first, or pass --report")
    return found[-1]


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
