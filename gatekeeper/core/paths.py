"""Where gatekeeper keeps its caches: converted models, file-hash memos, results, pytest state."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "GATEKEEPER_CACHE_DIR"


def cache_root() -> Path:
    """The cache root: ``$GATEKEEPER_CACHE_DIR``, else the platform's user cache dir.

    Read on every call (not at import) so tests and CI can redirect it per process.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        root = Path(override).expanduser()
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("gatekeeper"))
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from gatekeeper.core.errors import ConfigError

        raise ConfigError(f"cannot use {root} as gatekeeper's cache directory: {exc.strerror}",
                          where=root, hint=f"set {CACHE_ENV} to a writable directory") from None
    return root
