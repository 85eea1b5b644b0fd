"""Memoise whole integrity measurements (merge, adapter, rollback) across runs.

Those gate types work on raw models, not through the engine's prompt cache, so without
this a warm re-check would load and merge weights again. A result is keyed by everything
it depends on: the gate type, its parameters, the base and adapter fingerprints, dtype,
device and quantization, and the versions of torch, transformers, peft and bitsandbytes
(a new library release can change the answer, so it must miss). ``--no-cache`` bypasses it.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

MEMO_VERSION = 1
LIBRARIES = ("torch", "transformers", "peft", "bitsandbytes", "gatekeeper")


def memo_key(kind: str, parts: dict) -> str:
    payload = {"memo": MEMO_VERSION, "kind": kind, "parts": parts,
               "versions": {name: _version(name) for name in LIBRARIES}}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return f"{kind}:" + hashlib.sha256(text.encode()).hexdigest()


def memoised(options: Any, kind: str, parts: dict, compute: Callable[[], dict]) -> dict:
    """``compute()`` (a JSON-safe dict), or its stored result for identical ``parts``."""
    if options is not None and not getattr(options, "cache", True):
        return compute()
    from gatekeeper.model.cache import ResultCache
    from gatekeeper.core.paths import cache_root

    folder = getattr(options, "cache_dir", None)
    store = ResultCache(Path(folder) / "integrity.sqlite" if folder else cache_root() / "integrity.sqlite")
    key = memo_key(kind, parts)
    hit = store.get_many([key]).get(key)
    if hit is not None:
        return hit
    value = compute()
    store.put_many({key: value})
    return value


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
