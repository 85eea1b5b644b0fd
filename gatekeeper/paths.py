"""Where gatekeeper keeps its caches (converted models, results, pytest state)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """GATEKEEPER_CACHE_DIR if set, else the platform's user cache dir."""
    env = os.environ.get("GATEKEEPER_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("gatekeeper"))
