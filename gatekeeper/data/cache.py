"""Results of data checks cached by the sha256 of their inputs: unchanged data costs nothing.

The key covers the bytes of every data file, the check's options and ``VERSION`` (bumped
when the detectors change), so any edit to the data or the parameters recomputes. Entries
are the ``data-check`` kind of the cache store (core/store.py); a damaged entry is recomputed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from gatekeeper.core.files import sha256_file
from gatekeeper.core.store import shelf
from gatekeeper.data.records import data_files

KIND = "data-check"
VERSION = 7  # 7: a one-word match inside a slot difference is absorbed; 6: near copies scored by edits (slot differences cost in full); overlap findings


def data_key(kind: str, paths: list[str | Path | None], options: dict[str, Any]) -> str:
    """sha256 of the check kind, its options and the content of every data file (in order)."""
    digest = hashlib.sha256(f"{kind}\0{VERSION}\0".encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    for path in paths:
        if path is None:
            digest.update(b"\0none")
            continue
        for f in data_files(path):
            digest.update(f"\0{f.name}\0{sha256_file(f)}".encode())
    return digest.hexdigest()


def cached(key: str, compute: Callable[[], dict]) -> tuple[dict, bool]:
    """(result, hit): the stored result for ``key``, else ``compute()`` stored under it."""
    results = shelf(KIND, VERSION)
    found = results.get(key)
    if found is not None:
        return found, True
    result = compute()
    results.put(key, result)
    return result, False
