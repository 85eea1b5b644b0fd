"""File facts shared by the bundle, the lock and the model loader: digests and weight formats."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Weight files in these formats are unpickled when loaded, which can run arbitrary code.
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")

_BLOCK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def sha256_hex(data: bytes) -> str:
    """Plain hex sha256 of ``data`` (cache keys, fingerprints): no prefix."""
    return hashlib.sha256(data).hexdigest()


def sha256_tagged(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``: the form the lock and the release registry record."""
    return "sha256:" + sha256_hex(data)
