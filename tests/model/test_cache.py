"""The persistent result cache: keys, round trips, concurrent writers."""

from __future__ import annotations

import multiprocessing

from gatekeeper.model import NullCache, ResultCache, cache_key
from gatekeeper.core.paths import cache_root

SETTINGS = {"max_new_tokens": 64, "stop": ["\n"], "chat": True}


def test_cache_key_is_canonical_and_covers_every_part():
    key = cache_key("m", "base", "generate", "hello", SETTINGS)
    assert key == cache_key("m", "base", "generate", "hello", dict(reversed(SETTINGS.items())))
    variants = [
        cache_key("m2", "base", "generate", "hello", SETTINGS),
        cache_key("m", "a1", "generate", "hello", SETTINGS),
        cache_key("m", "base", "loglik", "hello", SETTINGS),
        cache_key("m", "base", "generate", "hello!", SETTINGS),
        cache_key("m", "base", "generate", "hello", {**SETTINGS, "max_new_tokens": 65}),
    ]
    assert len({key, *variants}) == 6
    assert len(key) == 64


def test_round_trip_of_json_values(tmp_path):
    cache = ResultCache(tmp_path / "r.sqlite")
    cache.put_many({"a": "text ✓", "b": -1.25, "c": {"x": [1, 2]}})
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": "text ✓", "b": -1.25, "c": {"x": [1, 2]}}
    cache.put_many({"a": "replaced"})
    assert ResultCache(tmp_path / "r.sqlite").get_many(["a"]) == {"a": "replaced"}
    assert len(cache) == 3


def test_many_keys_are_fetched_beyond_sqlite_parameter_limits(tmp_path):
    cache = ResultCache(tmp_path / "r.sqlite")
    cache.put_many({f"k{i}": i for i in range(2500)})
    found = cache.get_many([f"k{i}" for i in range(2600)])
    assert len(found) == 2500 and found["k2499"] == 2499


def test_wal_mode_is_on(tmp_path):
    import sqlite3

    ResultCache(tmp_path / "r.sqlite")
    mode = sqlite3.connect(tmp_path / "r.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_default_cache_lives_under_the_cache_root(isolated_cache_dir):
    assert ResultCache.default().path == cache_root() / "results.sqlite"
    assert cache_root() == isolated_cache_dir


def test_null_cache_remembers_nothing():
    cache = NullCache()
    cache.put_many({"a": 1})
    assert cache.get_many(["a"]) == {} and len(cache) == 0


def _writer(path: str, worker: int, start, rounds: int) -> None:
    cache = ResultCache(path)
    start.wait()
    for r in range(rounds):
        cache.put_many({f"w{worker}-{r}-{i}": [worker, r, i] for i in range(50)})
        cache.get_many([f"w{1 - worker}-{r}-{i}" for i in range(50)])


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    ResultCache(path)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_writer, args=(path, w, start, 40)) for w in (0, 1)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    cache = ResultCache(path)
    assert len(cache) == 2 * 40 * 50
    assert cache.get_many(["w1-39-49"]) == {"w1-39-49": [1, 39, 49]}



def test_opening_a_cache_while_another_process_holds_it_waits_instead_of_failing(tmp_path):
    """A first run creating the file while another holds a lock on it: switching to WAL
    fails at once in SQLite (no busy wait), so ResultCache must retry, not crash."""
    import sqlite3
    import threading

    path = tmp_path / "fresh.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    outcome = {}

    def open_cache():
        try:
            outcome["cache"] = ResultCache(path, timeout_s=30)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    opener = threading.Thread(target=open_cache)
    opener.start()
    opener.join(timeout=0.5)
    assert opener.is_alive() and not outcome, "ResultCache gave up while the file was locked"
    holder.execute("COMMIT")
    holder.close()
    opener.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    outcome["cache"].put_many({"k": 1})
    assert outcome["cache"].get_many(["k"]) == {"k": 1}
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _creator(path: str, worker: int, ready) -> None:
    ready.wait()  # every process started and waiting: they open the new file together
    for i in range(5):
        ResultCache(path).put_many({f"c{worker}-{i}": worker})


def test_processes_creating_the_same_new_cache_at_once_all_succeed(tmp_path):
    """First runs on a fresh machine open the same not-yet-existing files together. Before
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
        assert len(ResultCache(path)) == 30
