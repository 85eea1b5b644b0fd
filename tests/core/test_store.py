"""The one cache store: (kind, version, key) entries, round trips, concurrent writers, a
damaged file rebuilt, the settings that pick the store, and the whole-measurement memo."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from gatekeeper.core import store as store_module
from gatekeeper.core.paths import CACHE_ENV, cache_root, cache_settings, use_cache, use_cache_of
from gatekeeper.core.options import EngineOptions
from gatekeeper.core.store import (FILE_NAME, MemoryStore, SqliteStore, cache_store, digest_key,
                                   memo_key, memoised, shelf)


def test_round_trip_of_json_values(tmp_path):
    cache = SqliteStore(tmp_path / "c.sqlite").shelf("k", 1)
    cache.put_many({"a": "text ✓", "b": -1.25, "c": {"x": [1, 2]}})
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": "text ✓", "b": -1.25, "c": {"x": [1, 2]}}
    cache.put_many({"a": "replaced"})
    assert SqliteStore(tmp_path / "c.sqlite").shelf("k", 1).get_many(["a"]) == {"a": "replaced"}
    assert len(cache) == 3


def test_kinds_and_versions_never_share_entries(tmp_path):
    for store in (SqliteStore(tmp_path / "c.sqlite"), MemoryStore()):
        store.shelf("one", 1).put("key", "one v1")
        store.shelf("one", 2).put("key", "one v2")
        store.shelf("two", 1).put("key", "two v1")
        assert [store.shelf(k, v).get("key") for k, v in (("one", 1), ("one", 2), ("two", 1))] == \
            ["one v1", "one v2", "two v1"]
        assert store.shelf("three", 1).get("key") is None
        assert store.count() == 3 and store.count("one") == 2 and store.count("one", 2) == 1


def test_the_table_is_entries_keyed_by_kind_version_and_key(tmp_path):
    SqliteStore(tmp_path / "c.sqlite").shelf("k", 3).put("x", [1])
    conn = sqlite3.connect(tmp_path / "c.sqlite")
    assert conn.execute("SELECT kind, version, key, value FROM entries").fetchall() == [("k", 3, "x", "[1]")]
    pk = [row[1] for row in conn.execute("PRAGMA table_info(entries)") if row[5]]
    assert pk == ["kind", "version", "key"]


def test_many_keys_are_fetched_beyond_sqlite_parameter_limits(tmp_path):
    cache = SqliteStore(tmp_path / "c.sqlite").shelf("k", 1)
    cache.put_many({f"k{i}": i for i in range(2500)})
    found = cache.get_many([f"k{i}" for i in range(2600)])
    assert len(found) == 2500 and found["k2499"] == 2499


def test_wal_mode_is_on(tmp_path):
    SqliteStore(tmp_path / "c.sqlite")
    mode = sqlite3.connect(tmp_path / "c.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_damaged_entry_is_a_miss(tmp_path):
    cache = SqliteStore(tmp_path / "c.sqlite").shelf("k", 1)
    cache.put_many({"good": 1, "bad": 2})
    with sqlite3.connect(tmp_path / "c.sqlite") as conn:
        conn.execute("UPDATE entries SET value = '{not json' WHERE key = 'bad'")
    assert cache.get_many(["good", "bad"]) == {"good": 1}


@pytest.mark.parametrize("damage", [b"this is not an sqlite database at all",
                                    b"SQLite format 3\x00" + b"\x00" * 40])  # garbage, truncated
def test_a_damaged_file_is_moved_aside_and_rebuilt_with_a_notice(tmp_path, damage, capsys):
    path = tmp_path / FILE_NAME
    path.write_bytes(damage)
    store = SqliteStore(path)
    notice = capsys.readouterr().err.splitlines()
    assert len(notice) == 1 and str(path) in notice[0] and "moved it to cache.sqlite.corrupt-" in notice[0]
    store.shelf("k", 1).put("a", 1)
    assert store.shelf("k", 1).get("a") == 1
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("cache.sqlite.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == damage


def test_memory_store_hands_out_copies(tmp_path):
    cache = MemoryStore().shelf("k", 1)
    value = {"x": [1]}
    cache.put("a", value)
    value["x"].append(2)
    got = cache.get("a")
    got["x"].append(3)
    assert cache.get("a") == {"x": [1]} and len(cache) == 1


def test_digest_key_is_canonical():
    assert digest_key({"a": 1, "b": [2, 3]}) == digest_key({"b": [2, 3], "a": 1})
    assert digest_key({"a": 1}) != digest_key({"a": 2}) and len(digest_key("x")) == 64


def test_the_store_follows_the_settings(tmp_path, monkeypatch, isolated_cache_dir):
    assert cache_settings().enabled and cache_root() == isolated_cache_dir
    assert cache_store().path == isolated_cache_dir / FILE_NAME
    with use_cache(True, tmp_path / "explicit") as settings:
        assert settings.root == (tmp_path / "explicit").absolute()
        assert cache_root() == tmp_path / "explicit" and cache_store().path == tmp_path / "explicit" / FILE_NAME
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env"))
    assert cache_store().path == tmp_path / "env" / FILE_NAME
    with use_cache(True, tmp_path / "explicit"):
        assert cache_root() == tmp_path / "explicit"  # --cache-dir wins over the variable
    assert cache_root() == tmp_path / "env"


def test_a_disabled_cache_keeps_one_memory_per_run_and_writes_nothing(tmp_path):
    with use_cache(False, tmp_path / "d"):
        assert isinstance(cache_store(), MemoryStore)
        shelf("k", 1).put("a", 1)
        assert shelf("k", 1).get("a") == 1  # the same run: shared
        with use_cache_of(EngineOptions(cache=False, cache_dir=tmp_path / "d")):
            assert shelf("k", 1).get("a") == 1  # agreeing options keep the run's memory
        with use_cache_of(EngineOptions(cache=False, cache_dir=tmp_path / "other")):
            assert shelf("k", 1).get("a") is None
    with use_cache(False, tmp_path / "d"):
        assert shelf("k", 1).get("a") is None  # another run: nothing carried over
    assert not (tmp_path / "d" / FILE_NAME).exists()


def test_options_that_differ_from_the_run_use_their_own_settings(tmp_path):
    with use_cache(True, tmp_path / "run"):
        with use_cache_of(EngineOptions(cache=False)) as settings:
            assert not settings.enabled and settings.root == (tmp_path / "run").absolute()
        with use_cache_of(EngineOptions(cache=True, cache_dir=tmp_path / "mine")):
            assert cache_store().path == tmp_path / "mine" / FILE_NAME
        with use_cache_of(None):
            assert cache_store().path == tmp_path / "run" / FILE_NAME


def test_memoised_computes_once_and_misses_on_other_parts(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    with use_cache(True, tmp_path):
        assert memoised("merge", {"a": 1}, compute) == {"n": 1}
        assert memoised("merge", {"a": 1}, compute) == {"n": 1}
        assert memoised("merge", {"a": 2}, compute) == {"n": 2}
        assert memoised("adapter", {"a": 1}, compute) == {"n": 3}
        assert memoised("merge", {"a": 1}, compute, version=2) == {"n": 4}
        assert SqliteStore(tmp_path / FILE_NAME).count("memo") == 4
    with use_cache(False, tmp_path):
        assert memoised("merge", {"a": 1}, compute) == {"n": 5}


def test_a_new_library_version_misses_the_memo(monkeypatch):
    key = memo_key("merge", {"a": 1})
    assert key.startswith("merge:")
    real = store_module.library_version
    monkeypatch.setattr(store_module, "library_version",
                        lambda name: "99.0" if name == "transformers" else real(name))
    assert memo_key("merge", {"a": 1}) != key


def test_memo_needs_no_torch():
    import subprocess
    import sys

    code = ("import sys; from gatekeeper.core.store import memo_key; memo_key('k', {}); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _writer(path: str, worker: int, start, rounds: int) -> None:
    cache = SqliteStore(path).shelf("k", 1)
    start.wait()
    for r in range(rounds):
        cache.put_many({f"w{worker}-{r}-{i}": [worker, r, i] for i in range(50)})
        cache.get_many([f"w{1 - worker}-{r}-{i}" for i in range(50)])


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    SqliteStore(path)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_writer, args=(path, w, start, 40)) for w in (0, 1)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    cache = SqliteStore(path).shelf("k", 1)
    assert len(cache) == 2 * 40 * 50
    assert cache.get_many(["w1-39-49"]) == {"w1-39-49": [1, 39, 49]}


def test_opening_a_store_while_another_process_holds_it_waits_instead_of_failing(tmp_path):
    """A first run creating the file while another holds a lock on it: switching to WAL
    fails at once in SQLite (no busy wait), so the store must retry, not crash."""
    import threading

    path = tmp_path / "fresh.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    outcome = {}

    def open_store():
        try:
            outcome["store"] = SqliteStore(path, timeout_s=30)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    opener = threading.Thread(target=open_store)
    opener.start()
    opener.join(timeout=0.5)
    assert opener.is_alive() and not outcome, "the store gave up while the file was locked"
    holder.execute("COMMIT")
    holder.close()
    opener.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    outcome["store"].shelf("k", 1).put("k", 1)
    assert outcome["store"].shelf("k", 1).get("k") == 1
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _creator(path: str, worker: int, ready) -> None:
    ready.wait()  # every process started and waiting: they open the new file together
    for i in range(5):
        SqliteStore(path).shelf("k", 1).put_many({f"c{worker}-{i}": worker})


def test_processes_creating_the_same_new_store_at_once_all_succeed(tmp_path):
    """First runs on a fresh machine open the same not-yet-existing file together. Before
    the fix about 1 process in 15 died with "database is locked" here (switching to WAL
    does not wait on the busy timeout)."""
    context = multiprocessing.get_context("fork")  # the workers only touch sqlite
    for attempt in range(25):
        path = str(tmp_path / f"fresh-{attempt}.sqlite")
        ready = context.Barrier(6)
        workers = [context.Process(target=_creator, args=(path, w, ready)) for w in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert [w.exitcode for w in workers] == [0] * 6, f"attempt {attempt}"
        assert SqliteStore(path).count() == 30


def test_stamped_keeps_the_time_and_fresh_replaces(tmp_path):
    from gatekeeper.core.paths import use_cache
    from gatekeeper.core.store import stamped

    calls = []
    with use_cache(True, tmp_path / "c"):
        value, at, reused = stamped("t", {"a": 1}, lambda: calls.append(1) or {"x": 1}, version=1)
        again = stamped("t", {"a": 1}, lambda: calls.append(1) or {"x": 2}, version=1)
        fresh = stamped("t", {"a": 1}, lambda: calls.append(1) or {"x": 3}, version=1, fresh=True)
        after = stamped("t", {"a": 1}, lambda: {"x": 4}, version=1)
    assert (value, reused) == ({"x": 1}, False) and again == ({"x": 1}, at, True)
    assert fresh[0] == {"x": 3} and not fresh[2] and after == ({"x": 3}, fresh[1], True)
    assert len(calls) == 2
