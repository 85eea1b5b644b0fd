"""The release registry, read side: find the previous release of a bundle for comparison.

Layout: ``<releases>/<bundle name>/<version>/`` holding the released bundle and the
``report.json`` that approved it. (Publishing and rollback build on this layout.)
"""

from __future__ import annotations

import json

from gatekeeper.bundle import Bundle


def _version_key(text: str):
    parts = []
    for piece in text.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def previous_release(bundle: Bundle) -> dict | None:
    """The newest released version older than this bundle's, summarised metric by metric."""
    if bundle.releases is None:
        return None
    folder = bundle.releases / bundle.name
    if not folder.is_dir():
        return None
    current = _version_key(bundle.version)
    older = [d for d in folder.iterdir()
             if d.is_dir() and (d / "report.json").is_file() and _version_key(d.name) < current]
    if not older:
        return None
    latest = max(older, key=lambda d: _version_key(d.name))
    try:
        report = json.loads((latest / "report.json").read_text("utf-8"))
        gates = {g["id"]: {"outcome": g["outcome"],
                           "metrics": (g.get("measurement") or {}).get("metrics", {})}
                 for g in report.get("gates", [])}
    except (ValueError, KeyError, TypeError, OSError):
        return None  # an unreadable old report must not block today's check
    return {"name": bundle.name, "version": latest.name, "path": str(latest),
            "verdict": report.get("verdict"), "gates": gates}
