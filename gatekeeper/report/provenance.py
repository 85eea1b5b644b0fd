"""The provenance section of the HTML view: how to reproduce the run and what it ran on."""

from __future__ import annotations

import json
import shlex
from typing import Any, Mapping

from gatekeeper.report.evidence import text
from gatekeeper.report.fmt import clean, is_num, num, seconds

MANIFEST_LIMIT = 50_000


def _yamlish(data: Any) -> str:
    """The manifest as YAML (how the user wrote it); JSON if YAML cannot represent it."""
    try:
        import yaml  # light, and only needed for this block

        raw = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    except Exception:  # noqa: BLE001 - any representer error just means "show JSON"
        raw = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return text(raw, MANIFEST_LIMIT) or ""


def _value(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return clean(v)
    if is_num(v):
        return str(v) if isinstance(v, int) else num(v)  # seeds and ports read wrong as "1,234"
    if isinstance(v, (dict, list)):
        return clean(json.dumps(v, ensure_ascii=False, default=str))
    return clean(v)


def _lock_files(lock: Any) -> list[tuple[str, str]]:
    """``(path, sha256)`` pairs from the lock's ``artifacts`` (what gatekeeper.lock writes)."""
    files = lock.get("artifacts") if isinstance(lock, Mapping) else None
    if not isinstance(files, Mapping):
        return []
    return [(clean(p), _value(d)) for p, d in files.items()]


def _reproduce(prov: Mapping) -> str:
    if prov.get("reproduce"):
        return clean(prov["reproduce"])
    command = prov.get("command")
    if isinstance(command, list) and command:
        line = shlex.join(str(c) for c in command)
        return f"cd {shlex.quote(prov['cwd'])} && {line}" if prov.get("cwd") else line
    return "n/a"


def _cwd(cwd) -> str:
    """New reports hold the working directory as seen from the bundle (report/portable.py)."""
    if isinstance(cwd, str) and cwd and not cwd.startswith("/"):
        return f"{clean(cwd)} (from the bundle)"
    return _value(cwd)


def _durations(views: list[dict], gates: list[Mapping]) -> list[dict]:
    pairs = [(v, float(g["duration_s"])) for v, g in zip(views, gates) if is_num(g.get("duration_s"))]
    pairs.sort(key=lambda p: -p[1])
    top = (pairs[0][1] if pairs else 0) or 1
    return [{"id": v["id"], "anchor": v["anchor"], "text": seconds(s), "width": round(100 * s / top, 1)}
            for v, s in pairs]


def provenance_view(report: Mapping, views: list[dict]) -> dict:
    """Run facts, model/device, library versions, durations, manifest and lock."""
    prov = report.get("provenance") or {}
    bundle = report.get("bundle") or {}
    gates = [g for g in report.get("gates") or [] if isinstance(g, Mapping)]
    command = prov.get("command")
    run = [("command", shlex.join(map(str, command)) if isinstance(command, list) else "n/a"),
           ("working directory", _cwd(prov.get("cwd"))), ("seed", _value(prov.get("seed"))),
           ("python", _value(prov.get("python"))), ("platform", _value(prov.get("platform"))),
           ("started", _value(report.get("started_at"))), ("finished", _value(report.get("finished_at"))),
           ("duration", seconds(report.get("duration_s"))), ("status", _value(report.get("status"))),
           ("exit code", _value(report.get("exit_code")))]
    model = prov.get("model")
    lock = bundle.get("lock")
    lock_rest = {k: v for k, v in lock.items() if k != "artifacts"} if isinstance(lock, Mapping) else None
    return {
        "reproduce": _reproduce(prov), "run": run,
        "model": [(clean(k), _value(v)) for k, v in model.items()] if isinstance(model, Mapping) else None,
        "libraries": sorted((clean(k), _value(v)) for k, v in (prov.get("libraries") or {}).items()),
        "durations": _durations(views, gates),
        "bundle": [("name", _value(bundle.get("name"))), ("version", _value(bundle.get("version"))),
                   ("path", _value(bundle.get("path"))), ("lock digest", _value(bundle.get("lock_digest")))],
        "manifest": _yamlish(bundle.get("manifest") or {}),
        "lock_files": _lock_files(lock),
        "lock": text(json.dumps(lock_rest, indent=2, ensure_ascii=False, default=str), MANIFEST_LIMIT)
        if lock_rest else None,
    }
