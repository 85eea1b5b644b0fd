"""The release registry: immutable, hashed releases, their fingerprints, and rollback.

    store.py        content-addressed blobs, immutable entries, atomic commits (the layout)
    fingerprint.py  greedy outputs + top-k log-probs on probe prompts; drift between two
    publish.py      ``gatekeeper release``: verify, fingerprint, store
    rollback.py     ``gatekeeper rollback``: restore, re-verify, re-fingerprint, report drift

``previous_release(bundle)`` summarises the newest release older than the bundle for the
report. It also reads the older read-only layout ``<releases>/<name>/<version>/report.json``.
"""

from __future__ import annotations

import json

from gatekeeper.bundle.manifest import Bundle


def version_key(text: str):
    """Order versions numerically piece by piece (1.10.0 > 1.9.0); text sorts after digits."""
    parts = []
    for piece in text.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def previous_entry(bundle: Bundle):
    """(store, ref) of the newest registry entry of this bundle older than its version, or None."""
    from gatekeeper.releases.store import RegistryError, Store

    if bundle.releases is None or not bundle.releases.is_dir():
        return None
    store = Store(bundle.releases)
    try:
        refs = store.refs(bundle.name)
    except (RegistryError, OSError):
        return None
    current = version_key(bundle.version)
    older = [r for r in refs if version_key(r.version) < current]
    return (store, max(older, key=lambda r: version_key(r.version))) if older else None


def previous_release(bundle: Bundle) -> dict | None:
    """The newest released version older than this bundle's, summarised metric by metric."""
    found = _from_store(bundle) or _from_folders(bundle)
    if found is None:
        return None
    version, path, report = found
    try:
        gates = {g["id"]: {"outcome": g["outcome"],
                           "metrics": (g.get("measurement") or {}).get("metrics", {})}
                 for g in report.get("gates", [])}
    except (KeyError, TypeError, AttributeError):
        return None  # an unreadable old report must not block today's check
    return {"name": bundle.name, "version": version, "path": path,
            "verdict": report.get("verdict"), "gates": gates}


def _from_store(bundle: Bundle):
    from gatekeeper.releases.store import RegistryError

    found = previous_entry(bundle)
    if found is None:
        return None
    store, ref = found
    try:
        entry = store.entry(ref)
        report = json.loads(store.read_blob(entry["report"], "report.json"))
    except (RegistryError, ValueError, KeyError, TypeError):
        return None
    return ref.version, str(ref.path), report


def _from_folders(bundle: Bundle):
    if bundle.releases is None:
        return None
    folder = bundle.releases / bundle.name
    if not folder.is_dir():
        return None
    current = version_key(bundle.version)
    older = [d for d in folder.iterdir()
             if d.is_dir() and (d / "report.json").is_file() and version_key(d.name) < current]
    if not older:
        return None
    latest = max(older, key=lambda d: version_key(d.name))
    try:
        return latest.name, str(latest), json.loads((latest / "report.json").read_text("utf-8"))
    except (ValueError, OSError):
        return None
