"""Hub datasets of lm-eval tasks, read offline from the Hugging Face datasets cache.

With ``HF_HUB_OFFLINE`` set, ``datasets`` 5.2 never opens the hub cache
(``hub/datasets--org--name``): ``load_dataset('org/name', config)`` falls back to the
*prepared* copy under ``HF_DATASETS_CACHE`` (``<org>___<name>/<config>/<version>/<hash>/``
with ``dataset_info.json`` and arrow files), which an online ``load_dataset`` of the same
path and config writes. So the cache is pre-populated by loading each dataset once on a
machine with network (``huggingface-cli download`` alone is not enough offline).

Both libraries read their settings at import (``huggingface_hub.constants``,
``datasets.config``); ``offline()`` sets the environment *and* those module values for the
duration of a run, so no request leaves the machine whatever was imported before.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import sys
from pathlib import Path
from typing import Iterator

PACKAGED = {"arrow", "csv", "json", "pandas", "parquet", "text", "xml", "webdataset", "imagefolder",
            "audiofolder", "videofolder", "pdffolder", "hdf5", "lance", "eval"}


def datasets_cache_dir() -> Path:
    """``$HF_DATASETS_CACHE``, else ``$HF_HOME/datasets``, else ``$XDG_CACHE_HOME`` or
    ``~/.cache`` + ``/huggingface/datasets`` (datasets' own order), read on every call."""
    if os.environ.get("HF_DATASETS_CACHE"):
        return Path(os.environ["HF_DATASETS_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "datasets"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(xdg).expanduser() / "huggingface" / "datasets"


def is_hub_dataset(path: str) -> bool:
    """A hub id (``org/name`` or a bare name), not a packaged loader or a local folder."""
    return path not in PACKAGED and path.count("/") <= 1 and not Path(path).exists() and \
        not path.startswith((".", "/", "~"))


def cached_copy(path: str, name: str | None) -> Path | None:
    """The prepared copy ``load_dataset(path, name)`` reads offline, or None."""
    parts = path.split("/")
    parts[-1] = _snake(parts[-1])
    root = datasets_cache_dir() / "___".join(parts)
    config = glob.escape(name or "default")
    for pattern in (f"{config}/*/*", f"{config}-*/*/*"):  # -<hash>: loaded with extra kwargs
        for found in sorted(glob.glob(str(root / pattern))):
            if Path(found, "dataset_info.json").is_file():
                return Path(found)
    return None


def prefetch_hint(datasets: list[tuple[str, str | None]]) -> str:
    """A command that writes those prepared copies (run where the hub is reachable)."""
    pairs = ", ".join(f"('{p}', {repr(n) if n else None})" for p, n in datasets)
    loop = f"[datasets.load_dataset(p, c) for p, c in [{pairs}]]" if len(datasets) > 1 else \
        f"datasets.load_dataset('{datasets[0][0]}'" + (f", '{datasets[0][1]}')" if datasets[0][1] else ")")
    return (f"on a machine with network and the same HF_DATASETS_CACHE/HF_HOME, run "
            f"python -c \"import datasets; {loop}\", then copy {datasets_cache_dir()} to the runner "
            "(the hub cache of huggingface-cli download is not read offline)")


def _snake(name: str) -> str:
    """datasets.naming.camelcase_to_snakecase (no import of datasets needed)."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z\d])([A-Z])", r"\1_\2", name).lower()


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """Offline hub and datasets, reading ``datasets_cache_dir()``, restored afterwards."""
    env = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_CACHE": str(datasets_cache_dir())}
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    patched: list[tuple[object, str, object]] = []
    values: dict[str, dict[str, object]] = {
              "huggingface_hub.constants": {"HF_HUB_OFFLINE": True},
              "datasets.config": {"HF_HUB_OFFLINE": True, "HF_DATASETS_OFFLINE": True,
                                  "HF_DATASETS_CACHE": Path(env["HF_DATASETS_CACHE"])}}
    for module_name, attrs in values.items():
        module = sys.modules.get(module_name)
        if module is None:
            continue  # imported later, it reads the environment set above
        for attr, value in attrs.items():
            patched.append((module, attr, getattr(module, attr, None)))
            setattr(module, attr, value)
    try:
        yield
    finally:
        for owner, attr, old in reversed(patched):
            setattr(owner, attr, old)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
