"""File facts shared by the bundle, the lock and the model loader: digests and weight formats."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

# Weight files in these formats are unpickled when loaded, which can run arbitrary code.
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")

_BLOCK = 1 << 20


class SpecialFileError(OSError):
    """A path that is a FIFO, socket or device where a regular file is expected: opening it
    for reading could block forever (a FIFO with no writer) or never end (/dev/zero)."""

    def __init__(self, path: str | Path, mode: int):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a directory"
                if stat.S_ISDIR(mode) else "not a regular file")
        super().__init__(errno.EINVAL, f"is {kind}, not a regular file", str(path))


def open_regular(path: str | Path):
    """Open ``path`` for binary reading, refusing (never blocking on) anything but a regular
    file: the open is non-blocking and the kind is checked on the opened descriptor."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SpecialFileError(path, mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: str | Path) -> bytes:
    """The bytes of a regular file (``open_regular``'s refusals apply)."""
    with open_regular(path) as handle:
        return handle.read()


def is_special(path: Path) -> bool:
    """True for a FIFO, socket or device, or a link to one (not for files, folders or
    missing paths)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a regular file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def sha256_hex(data: bytes) -> str:
    """Plain hex sha256 of ``data`` (cache keys, fingerprints): no prefix."""
    return hashlib.sha256(data).hexdigest()


def sha256_tagged(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``: the form the lock and the release registry record."""
    return "sha256:" + sha256_hex(data)
