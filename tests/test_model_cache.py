"""The persistent result cache: keys, round trips, concurrent writers."""

from __future__ import annotations

import multiprocessing

from gatekeeper.model import NullCache, ResultCache, cache_key
from gatekeeper.paths import cache_root

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
