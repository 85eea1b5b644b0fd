"""Persistent result cache: generations and log-likelihoods keyed by everything that
determines them, so a re-check that changed only thresholds does no inference and base
outputs are shared by every candidate of the same base (DESIGN §4.5, §8).

SQLite in WAL mode with a busy timeout: several gatekeeper processes (CI jobs on one
runner, pytest-xdist workers) may read and write the same file at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.paths import cache_root

_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
# SQLite caps the number of host parameters per statement; stay well below it.
_CHUNK = 500


def cache_key(model_fp: str, adapter_fp: str, kind: str, prompt_text: str,
              settings: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of one request; ``adapter_fp`` is ``"base"`` for the baseline."""
    payload = json.dumps([model_fp, adapter_fp, kind, prompt_text, dict(settings)],
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _enable_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """Switch the file to WAL (persistent, so once per file). Changing the journal mode
    answers "database is locked" at once, without waiting on the busy timeout, while another
    process holds the file (two first runs creating it together): retry until the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _make_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot use {directory} as the cache directory: {exc.strerror}",
                          where=directory, hint="point --cache-dir or GATEKEEPER_CACHE_DIR at a "
                          "writable directory") from None


def _move_aside(path: Path) -> Path:
    """Rename a damaged cache file (and its WAL/SHM companions) to ``*.corrupt-<time>``."""
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside


class ResultCache:
    """A key -> JSON value store in one SQLite file, safe for concurrent processes."""

    def __init__(self, path: str | Path, *, timeout_s: float = 60.0):
        self.path = Path(path)
        self._timeout_s = timeout_s
        _make_dir(self.path.parent)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise
            # A cache only saves work: a damaged one is set aside and rebuilt, never fatal.
            try:
                aside = _move_aside(self.path)
            except OSError as err:
                raise ConfigError(f"result cache {self.path} is unreadable ({exc}) and cannot be "
                                  f"moved aside ({err.strerror})", where=self.path,
                                  hint="delete it, or point --cache-dir at a writable directory") from None
            warnings.warn(f"result cache {self.path} was unreadable ({exc}); moved it to "
                          f"{aside.name} and started an empty one", RuntimeWarning, stacklevel=2)
            self._open()

    def _open(self) -> None:
        conn = self._connect()
        try:
            _enable_wal(conn, self._timeout_s)
            conn.execute(_SCHEMA)
            conn.execute("SELECT key, value, created FROM results LIMIT 1").fetchall()
        finally:
            conn.close()

    @classmethod
    def default(cls) -> "ResultCache":
        """The shared cache at ``<cache root>/results.sqlite``."""
        return cls(cache_root() / "results.sqlite")

    def _connect(self) -> sqlite3.Connection:
        # A connection per operation: cheap, fork-safe, and never shared across threads.
        conn = sqlite3.connect(self.path, timeout=self._timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout_s * 1000)}")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The cached values of those ``keys`` that are present (missing keys are absent)."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        conn = self._connect()
        try:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", chunk)
                found.update((key, json.loads(value)) for key, value in rows)
        finally:
            conn.close()
        return found

    def put_many(self, items: Mapping[str, Any]) -> None:
        """Store ``items`` (key -> JSON-serialisable value) in one transaction."""
        if not items:
            return
        now = time.time()
        rows = [(key, json.dumps(value, ensure_ascii=False), now) for key, value in items.items()]
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR REPLACE INTO results (key, value, created) VALUES (?, ?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def __len__(self) -> int:
        conn = self._connect()
        try:
            return conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            conn.close()


class MemoryCache:
    """The cache for ``--no-cache``: nothing is read from or written to disk, but within the
    run a request is computed once (gates that share prompts and settings share answers)."""

    path = None

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return {k: self._data[k] for k in keys if k in self._data}

    def put_many(self, items: Mapping[str, Any]) -> None:
        self._data.update(items)

    def __len__(self) -> int:
        return len(self._data)


class NullCache:
    """Remembers nothing, so every request is computed (benchmarks and tests that must
    run the model every time)."""

    path = None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return {}

    def put_many(self, items: Mapping[str, Any]) -> None:
        return None

    def __len__(self) -> int:
        return 0
