"""sha256 of files, memoised so repeat runs do not rehash hundreds of megabytes.

The memo is the ``file-sha256`` kind of the cache store (core/store.py), keyed like git's
index by (absolute path, inode, size, mtime_ns, ctime_ns). ctime is set by the kernel on
every write or metadata change and cannot be set back (``touch -r`` restores mtime, not
ctime), so an edited file never gets its old hash. A hash is only remembered when the
file's stat did not move while it was read and its ctime is older than the read ("racy
git"): a write in the same clock tick cannot hide behind an unchanged key. ``--no-cache``
keeps it in the run's memory; ``--cache-dir`` moves it.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from gatekeeper.core.files import sha256_file
from gatekeeper.core.store import shelf

KIND = "file-sha256"
VERSION = 2  # 2: keyed on inode and ctime too (version 1 entries, keyed on mtime, miss)
_RACY_NS = 50_000_000  # file timestamps come from a coarse clock: a few ms per tick


def file_sha256(path: str | Path) -> str:
    """sha256 of ``path``, memoised by (path, inode, size, mtime_ns, ctime_ns)."""
    path = Path(path).resolve()
    key = _memo_key(path)
    memo = shelf(KIND, VERSION)
    hit = memo.get(key)
    if hit is not None:
        return hit
    started = time.time_ns()
    digest = sha256_file(path)
    if _memo_key(path) == key and path.stat().st_ctime_ns < started - _RACY_NS:
        memo.put(key, digest)
    return digest


def _memo_key(path: Path) -> str:
    stat = path.stat()
    return f"{path}|{stat.st_ino}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}"


def combine(parts: list[tuple[str, str]]) -> str:
    """One sha256 over named parts (name, hex digest), order-independent by name."""
    digest = hashlib.sha256()
    for name, value in sorted(parts):
        digest.update(f"{name}\0{value}\n".encode("utf-8"))
    return digest.hexdigest()
