"""The one error tree of gatekeeper.

    GatekeeperError                 base; never shown with a traceback   exit 3
    ├── UsageError                  bad command line                     exit 4
    ├── ConfigError                 a manifest, gate file or data file is wrong  exit 4
    │   ├── BundleError             the bundle layout, a path, a weight format
    │   ├── LockError               gatekeeper.lock missing or a hash differs
    │   └── CollectionErrors        several ConfigErrors found together
    ├── ModelError                  the base model or adapter cannot be resolved/loaded  exit 4
    └── MeasurementError            a gate type could not measure (outcome "error")
    GateSkipped                     a gate type has nothing to measure (outcome "skip")

Exit codes are decided in one place, ``gatekeeper.core.results`` (``exit_for_error``).

Every user-facing error says *where* (file:line when there is one), *what* was expected,
what was found, and *how to fix it* (``hint``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


def display_path(path: str | Path) -> str:
    """A path as a person would type it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def suggest(word: str, choices: Iterable) -> str | None:
    """The closest known spelling of ``word``, for "did you mean ...?" hints."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return match[0] if match else None


class GatekeeperError(Exception):
    """Base class: a message for a person, an optional location and a hint."""

    def __init__(self, message: str, *, where: str | Path | None = None,
                 line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = str(where) if where is not None else None
        self.line = line
        self.hint = hint

    @property
    def location(self) -> str | None:
        if self.where is None:
            return None
        where = display_path(self.where)
        return f"{where}:{self.line}" if self.line else where

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (hint: {self.hint})" if self.hint else text


class UsageError(GatekeeperError):
    pass


class ConfigError(GatekeeperError):
    pass


class BundleError(ConfigError):
    pass


class LockError(ConfigError):
    pass


class ModelError(GatekeeperError):
    pass


class MeasurementError(GatekeeperError):
    """Raised by a gate type when it cannot measure: the gate's outcome becomes error."""


class GateSkipped(Exception):
    """Raised by a gate type when there is nothing to measure (no training data, no previous
    release): the gate's outcome becomes ``skip`` with this message as the reason."""

    def __init__(self, msg: str):
        super().__init__(msg)
        self.msg = msg


class CollectionErrors(ConfigError):
    """Several configuration errors, reported together before anything runs."""

    def __init__(self, errors: Sequence[GatekeeperError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} configuration error(s)")

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass(frozen=True)
class Location:
    """Where a value came from: file and 1-based line."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file
