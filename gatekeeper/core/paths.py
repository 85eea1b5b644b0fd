"""Where gatekeeper keeps its caches, and whether a run may use them.

The run's cache settings (``check --no-cache`` / ``--cache-dir``) live in a ContextVar set
by ``use_cache`` around the whole run, so every cache the run touches (core/store.py: engine
results, measurement memos, file hashes, data checks, lm-eval results) and every folder
under the cache root (converted models, restored releases, pytest state) honours them
without being handed the options.
"""

from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

CACHE_ENV = "GATEKEEPER_CACHE_DIR"


@dataclass(frozen=True)
class CacheSettings:
    """``enabled``: read and write the persistent store; ``root``: an explicit cache
    directory (``--cache-dir``), else None; ``memory``: the in-memory entries of a run that
    does not persist (``--no-cache``), so one run still computes shared things once."""

    enabled: bool = True
    root: Path | None = None
    memory: dict = field(default_factory=dict, compare=False, repr=False)


_SETTINGS: ContextVar[CacheSettings] = ContextVar("gatekeeper_cache")
_DEFAULT = CacheSettings()  # outside any use_cache: enabled, $GATEKEEPER_CACHE_DIR or the default


def cache_settings() -> CacheSettings:
    """The cache settings in force here (the defaults outside any ``use_cache``)."""
    return _SETTINGS.get(_DEFAULT)


@contextlib.contextmanager
def use_cache(enabled: bool, root: str | Path | None = None) -> Iterator[CacheSettings]:
    """Run the body with these cache settings; a disabled cache gets a fresh memory."""
    settings = CacheSettings(bool(enabled), _absolute(root) if root is not None else None, {})
    token = _SETTINGS.set(settings)
    try:
        yield settings
    finally:
        _SETTINGS.reset(token)


@contextlib.contextmanager
def use_cache_of(options: Any) -> Iterator[CacheSettings]:
    """The settings of engine options (``cache``, ``cache_dir``) where they differ from the
    ones in force; where they agree, the ones in force (the run's memory is kept)."""
    current = cache_settings()
    enabled = bool(getattr(options, "cache", True))
    folder = getattr(options, "cache_dir", None)
    root = _absolute(folder) if folder is not None else current.root
    if enabled == current.enabled and root == current.root:
        yield current
        return
    with use_cache(enabled, root) as settings:
        yield settings


def cache_root() -> Path:
    """The cache root: the run's ``--cache-dir``, else ``$GATEKEEPER_CACHE_DIR``, else the
    platform's user cache dir. Created when missing.

    Read on every call (not at import) so tests and CI can redirect it per process.
    """
    explicit = cache_settings().root
    override = os.environ.get(CACHE_ENV)
    if explicit is not None:
        root, hint = explicit, "point --cache-dir at a writable directory"
    elif override:
        root, hint = Path(override).expanduser(), f"set {CACHE_ENV} to a writable directory"
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("gatekeeper"))
        hint = f"set {CACHE_ENV} to a writable directory"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from gatekeeper.core.errors import ConfigError

        raise ConfigError(f"cannot use {root} as gatekeeper's cache directory: {exc.strerror}",
                          where=root, hint=hint) from None
    return root


def _absolute(path: str | Path) -> Path:
    return Path(path).expanduser().absolute()
