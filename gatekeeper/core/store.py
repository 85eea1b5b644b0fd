"""The one cache store: JSON values under (kind, version, key) in ``<cache root>/cache.sqlite``.

Every cache of gatekeeper is a kind here: ``engine-result`` (generations and
log-likelihoods, model/cache.py), ``memo`` (whole measurements, ``memoised`` below),
``file-sha256`` (model/hashing.py), ``data-check`` (data/cache.py), ``lm-eval``
(evals/cache.py) and ``serving-measurement`` (serving timings with their time, ``stamped``
below; gate_types/serving.py). A kind's version is bumped when what it stores changes meaning: old
entries then miss. The settings in force (core/paths.py: ``--no-cache``, ``--cache-dir``)
pick the store: the SQLite file, or the run's ``MemoryStore`` when caching is off.

SQLite in WAL mode with a busy timeout: several gatekeeper processes (CI jobs on one
runner, data-parallel workers, pytest-xdist) may read and write the same file at once. A
damaged file is moved aside (``cache.sqlite.corrupt-<time>``) and rebuilt with a one-line
notice on stderr: a cache only saves work, it is never fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.paths import cache_root, cache_settings

FILE_NAME = "cache.sqlite"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, version INTEGER NOT NULL, "
           "key TEXT NOT NULL, value TEXT NOT NULL, created REAL NOT NULL, "
           "PRIMARY KEY (kind, version, key))")
# SQLite caps the number of host parameters per statement; stay well below it.
_CHUNK = 500
MEMO_VERSION = 1
LIBRARIES = ("torch", "transformers", "peft", "bitsandbytes", "gatekeeper")


def digest_key(payload: Any) -> str:
    """sha256 of the canonical JSON of ``payload`` (sorted keys; non-JSON values as str)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Shelf:
    """One (kind, version) of a store: key -> JSON value."""

    def __init__(self, store: "SqliteStore | MemoryStore", kind: str, version: int):
        self.store, self.kind, self.version = store, kind, int(version)

    @property
    def path(self) -> Path | None:
        return self.store.path

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The stored values of those ``keys`` that are present (missing keys are absent)."""
        return self.store.get_many(self.kind, self.version, keys)

    def put_many(self, items: Mapping[str, Any]) -> None:
        """Store ``items`` (key -> JSON-serialisable value) at once."""
        self.store.put_many(self.kind, self.version, items)

    def get(self, key: str) -> Any | None:
        return self.get_many([key]).get(key)

    def put(self, key: str, value: Any) -> None:
        self.put_many({key: value})

    def __len__(self) -> int:
        return self.store.count(self.kind, self.version)


def _decode(found: dict[str, Any], rows: Iterable[tuple[str, str]]) -> None:
    for key, text in rows:
        try:
            found[key] = json.loads(text)
        except ValueError:  # a damaged entry is a miss: recomputed and replaced
            continue


class MemoryStore:
    """The store of a run with caching off: nothing on disk, but within the run a thing is
    computed once. Values are kept as JSON text, so a hit is a copy, as from SQLite."""

    path = None

    def __init__(self, data: dict | None = None):
        self._data: dict = data if data is not None else {}

    def shelf(self, kind: str, version: int) -> Shelf:
        return Shelf(self, kind, version)

    def get_many(self, kind: str, version: int, keys: Iterable[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        _decode(found, ((k, self._data[(kind, version, k)]) for k in keys if (kind, version, k) in self._data))
        return found

    def put_many(self, kind: str, version: int, items: Mapping[str, Any]) -> None:
        for key, value in items.items():
            self._data[(kind, version, key)] = json.dumps(value, ensure_ascii=False)

    def count(self, kind: str | None = None, version: int | None = None) -> int:
        return sum(1 for k, v, _ in self._data if kind in (None, k) and version in (None, v))


class SqliteStore:
    """The persistent store in one SQLite file, safe for concurrent processes."""

    def __init__(self, path: str | Path, *, timeout_s: float = 60.0):
        self.path = Path(path)
        self._timeout_s = timeout_s
        _make_dir(self.path.parent)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise
            try:
                aside = _move_aside(self.path)
            except OSError as err:
                raise ConfigError(f"cache {self.path} is unreadable ({exc}) and cannot be "
                                  f"moved aside ({err.strerror})", where=self.path,
                                  hint="delete it, or point --cache-dir at a writable directory") from None
            # One line on stderr, wherever the store is first opened (before or inside the
            # gates): a warning would be swallowed by pytest's capture inside the run.
            print(f"warning: cache {self.path} was unreadable ({exc}); moved it to "
                  f"{aside.name} and started an empty one", file=sys.stderr, flush=True)
            self._open()

    def shelf(self, kind: str, version: int) -> Shelf:
        return Shelf(self, kind, version)

    def _open(self) -> None:
        conn = self._connect()
        try:
            _enable_wal(conn, self._timeout_s)
            conn.execute(_SCHEMA)
            conn.execute("SELECT kind, version, key, value, created FROM entries LIMIT 1").fetchall()
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        # A connection per operation: cheap, fork-safe, and never shared across threads.
        conn = sqlite3.connect(self.path, timeout=self._timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout_s * 1000)}")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def get_many(self, kind: str, version: int, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        conn = self._connect()
        try:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                _decode(found, conn.execute(
                    f"SELECT key, value FROM entries WHERE kind = ? AND version = ? AND key IN ({marks})",
                    [kind, int(version), *chunk]))
        finally:
            conn.close()
        return found

    def put_many(self, kind: str, version: int, items: Mapping[str, Any]) -> None:
        if not items:
            return
        now = time.time()
        rows = [(kind, int(version), key, json.dumps(value, ensure_ascii=False), now)
                for key, value in items.items()]
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR REPLACE INTO entries (kind, version, key, value, created) "
                             "VALUES (?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def count(self, kind: str | None = None, version: int | None = None) -> int:
        """How many entries (of one kind, and one version of it, when given)."""
        conn = self._connect()
        try:
            return conn.execute("SELECT COUNT(*) FROM entries WHERE (? IS NULL OR kind = ?) AND "
                                "(? IS NULL OR version = ?)", (kind, kind, version, version)).fetchone()[0]
        finally:
            conn.close()


def cache_store() -> SqliteStore | MemoryStore:
    """The store of the settings in force: ``<cache root>/cache.sqlite``, or the run's
    memory when caching is off."""
    settings = cache_settings()
    if not settings.enabled:
        return MemoryStore(settings.memory)
    return SqliteStore(cache_root() / FILE_NAME)


def shelf(kind: str, version: int) -> Shelf:
    """One kind of the store in force."""
    return cache_store().shelf(kind, version)


def memoised(kind: str, parts: dict, compute: Callable[[], dict], *, version: int = MEMO_VERSION) -> dict:
    """``compute()`` (a JSON-safe dict), or its stored result for identical ``parts``.

    For whole measurements that run on raw models (merge, adapter, rollback, chat template):
    the key covers the measurement kind, its ``parts`` (parameters, fingerprints, dtype,
    device, ...) and the versions of torch, transformers, peft, bitsandbytes and gatekeeper
    (a new library release can change the answer, so it must miss).
    """
    memo = shelf("memo", version)
    key = memo_key(kind, parts)
    hit = memo.get(key)
    if hit is not None:
        return hit
    value = compute()
    memo.put(key, value)
    return value


def stamped(kind: str, parts: dict, compute: Callable[[], Any], *, version: int,
            fresh: bool = False) -> tuple[Any, float, bool]:
    """``(value, measured_at, reused)``: the stored value of ``compute()`` for identical
    ``parts`` (keyed like ``memoised``) with the time it was computed, or, when missing or
    ``fresh`` (``check --remeasure``), ``compute()`` now, stored with the time it started.

    For measurements worth reusing across runs whose age matters (serving timings).
    """
    entries = shelf(kind, version)
    key = memo_key(kind, parts)
    hit = None if fresh else entries.get(key)
    if isinstance(hit, dict) and "value" in hit and isinstance(hit.get("at"), (int, float)):
        return hit["value"], float(hit["at"]), True
    started = time.time()
    value = compute()
    entries.put(key, {"value": value, "at": started})
    return value, started, False


def memo_key(kind: str, parts: dict) -> str:
    """``kind:`` and the digest of the parts and the library versions (no torch import)."""
    versions = {name: library_version(name) for name in LIBRARIES}
    return f"{kind}:" + digest_key({"kind": kind, "parts": parts, "versions": versions})


def library_version(name: str) -> str | None:
    """The installed version of a distribution (None when absent), read from its metadata."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


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
