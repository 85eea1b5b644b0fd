"""The engine's result cache: its key, and where its entries live (the one cache store)."""

from __future__ import annotations

from gatekeeper.core.paths import use_cache
from gatekeeper.core.store import FILE_NAME, MemoryStore, SqliteStore
from gatekeeper.model import NullCache, cache_key, engine_cache
from gatekeeper.model.cache import KIND, VERSION

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


def test_engine_results_are_a_kind_of_the_store_in_force(tmp_path, isolated_cache_dir):
    assert engine_cache().path == isolated_cache_dir / FILE_NAME
    with use_cache(True, tmp_path):
        cache = engine_cache()
        cache.put_many({"k": "answer"})
        assert SqliteStore(tmp_path / FILE_NAME).shelf(KIND, VERSION).get("k") == "answer"
    with use_cache(False, tmp_path):
        assert isinstance(engine_cache().store, MemoryStore)


def test_null_cache_remembers_nothing():
    cache = NullCache()
    cache.put_many({"a": 1})
    assert cache.get_many(["a"]) == {} and len(cache) == 0
