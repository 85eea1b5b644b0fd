"""Compatibility: ``memoised(options, kind, parts, compute)`` for callers that still pass
engine options. The memo itself is ``gatekeeper.core.store.memoised`` (kind ``memo``)."""

from __future__ import annotations

from typing import Any, Callable

from gatekeeper.core import store
from gatekeeper.core.paths import use_cache_of


def memoised(options: Any, kind: str, parts: dict, compute: Callable[[], dict]) -> dict:
    """``core.store.memoised`` under ``options``' cache settings where they are given and
    differ from the ones in force (a gate run outside ``check``); else under those in force."""
    with use_cache_of(options):
        return store.memoised(kind, parts, compute)
