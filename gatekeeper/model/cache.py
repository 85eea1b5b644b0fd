"""The engine's result cache: generations and log-likelihoods keyed by everything that
determines them, so a re-check that changed only thresholds does no inference and base
outputs are shared by every candidate of the same base (DESIGN §4.5, §8).

Entries are the ``engine-result`` kind of the one cache store (core/store.py), so
``--no-cache`` and ``--cache-dir`` reach them as they reach every other cache.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Mapping

from gatekeeper.core.store import MemoryStore, Shelf, SqliteStore, cache_store

KIND = "engine-result"
VERSION = 1  # the shelf's layout; decoding changes bump engine.CACHE_VERSION (part of the key)


def cache_key(model_fp: str, adapter_fp: str, kind: str, prompt_text: str,
              settings: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of one request; ``adapter_fp`` is ``"base"`` for the baseline."""
    payload = json.dumps([model_fp, adapter_fp, kind, prompt_text, dict(settings)],
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def engine_cache(store: SqliteStore | MemoryStore | None = None) -> Shelf:
    """The engine results of ``store`` (default: the store of the settings in force)."""
    return (store if store is not None else cache_store()).shelf(KIND, VERSION)


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
