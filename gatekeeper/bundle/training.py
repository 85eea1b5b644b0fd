"""The training record beside an adapter: the one reader of ``adapter/training.json``.

``gatekeeper train`` writes ``training.json`` (effective recipe, data hashes, base identity,
loss curves, template profile) inside ``adapter/``, so the lock covers it. Older trainers
left ``training_log.json``; it is read when there is no ``training.json``.

Two ways to read it: ``find_record`` for evidence (report, staleness, template profile: a
missing or unreadable record is simply absent) and ``read_record_file`` for a gate that
judges it (missing or malformed is an error naming the file).
"""

from __future__ import annotations

import json
from pathlib import Path

from gatekeeper.core.errors import MeasurementError

RECORD = "training.json"
LEGACY_LOG = "training_log.json"
RECORD_NAMES = (RECORD, LEGACY_LOG)  # gatekeeper train's record, else an older trainer's log


def record_path(adapter_dir: Path | None, *, legacy: bool = True) -> Path | None:
    """The record file beside ``adapter_dir`` that exists (``training.json`` first), or None."""
    if adapter_dir is None:
        return None
    names = RECORD_NAMES if legacy else (RECORD,)
    return next((adapter_dir / n for n in names if (adapter_dir / n).is_file()), None)


def find_record(adapter_dir: Path | None, *, legacy: bool = True) -> dict | None:
    """The record as a dict, or None when there is none or it is not a JSON object."""
    path = record_path(adapter_dir, legacy=legacy)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_record_file(path: Path) -> dict:
    """The record at ``path`` for a gate that judges it: every problem is a MeasurementError."""
    if not path.is_file():
        raise MeasurementError(f"no training record at {path}", where=path,
                               hint="train the adapter with `gatekeeper train` (it writes "
                                    "training.json), or point `record:` at one")
    try:
        data = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MeasurementError(f"training record is not JSON: {exc}", where=path) from None
    if not isinstance(data, dict):
        raise MeasurementError("training record must be a JSON object", where=path)
    return data
