"""sha256 of files, memoised so repeat runs do not rehash hundreds of megabytes.

The memo is the ``file-sha256`` kind of the cache store (core/store.py), keyed by
(absolute path, size, mtime_ns): any rewrite of the file changes the key, so a stale hash
is never returned. ``--no-cache`` keeps it in the run's memory; ``--cache-dir`` moves it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from gatekeeper.core.files import sha256_file
from gatekeeper.core.store import shelf

KIND = "file-sha256"
VERSION = 1


def file_sha256(path: str | Path) -> str:
    """sha256 of ``path``, memoised by (path, size, mtime_ns)."""
    path = Path(path).resolve()
    stat = path.stat()
    key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    memo = shelf(KIND, VERSION)
    hit = memo.get(key)
    if hit is not None:
        return hit
    digest = sha256_file(path)
    memo.put(key, digest)
    return digest


def combine(parts: list[tuple[str, str]]) -> str:
    """One sha256 over named parts (name, hex digest), order-independent by name."""
    digest = hashlib.sha256()
    for name, value in sorted(parts):
        digest.update(f"{name}\0{value}\n".encode("utf-8"))
    return digest.hexdigest()
