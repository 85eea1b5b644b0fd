"""report.json: build it from a run, write it atomically, read and validate it back.

The schema is ``gatekeeper/schemas/report.schema.json`` (``schema_version`` 1). Everything a
reviewer sees is rendered from this file, so ``gatekeeper report run/report.json`` needs no
model.
"""

from __future__ import annotations

import json
import platform
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

import jsonschema

from gatekeeper.core.version import __version__
from gatekeeper.core.errors import ConfigError
from gatekeeper.bundle.lock import library_versions, write_json_atomic
from gatekeeper.core.results import GateResult, decide
from gatekeeper.run.session import RunSession, source_of
from gatekeeper.bundle.validation import load_schema

SCHEMA_VERSION = 1


def gate_entry(result: GateResult) -> dict:
    judgement = result.judgement.to_dict() if result.judgement is not None else {}
    return {
        "id": result.id, "type": result.type, "severity": result.severity,
        "description": result.spec.description if result.spec else None,
        "source": result.source,
        "spec": _jsonable(dict(result.spec.raw)) if result.spec else None,
        "spec_digest": result.spec.digest if result.spec else None,
        "outcome": result.outcome, "reason": result.reason,
        "duration_s": round(max(result.duration_s, 0.0), 4),
        "measurement": result.measurement.to_dict() if result.measurement else None,
        "threshold": judgement.get("threshold"),
        "comparison": judgement.get("comparison"),
        "error": result.error,
    }


def build_report(session: RunSession, *, status: str, started: datetime, finished: datetime,
                 argv: list[str], message: str | None = None, extra: dict | None = None,
                 partial: dict | None = None) -> dict:
    results = _ordered_results(session, status)
    partial = partial or {"complete": True}
    verdict, exit_code = decide(results, status, nothing_matched=bool(partial.get("nothing_matched")))
    bundle = session.bundle
    summary = {o: sum(r.outcome == o for r in results)
               for o in ("pass", "fail", "inconclusive", "error", "skip")}
    report = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "gatekeeper", "version": __version__},
        "status": status, "verdict": verdict, "exit_code": int(exit_code),
        "complete": bool(partial.get("complete", True)), "selection": partial,
        "started_at": _stamp(started), "finished_at": _stamp(finished),
        "duration_s": round((finished - started).total_seconds(), 3),
        "message": partial.get("nothing_matched") or message,
        "bundle": {"name": bundle.name, "version": bundle.version, "path": str(bundle.root),
                   "manifest": _jsonable(bundle.manifest), "lock_digest": session.lock_digest,
                   "lock": session.lock},
        "provenance": {
            "command": list(argv), "reproduce": shlex.join(argv), "cwd": str(Path.cwd()),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "libraries": library_versions(), "model": session.engine_info(), "seed": bundle.seed,
            "code_files": list(session.code_files),
            **({"parallel": layout} if (layout := session.parallel_layout()) else {}),
        },
        "summary": {"total": len(results), **summary,
                    "blocking": [r.id for r in results if r.blocking]},
        "gates": [gate_entry(r) for r in results],
        "training": None, "previous_release": None,
    }
    report.update(extra or {})
    return report


def _ordered_results(session: RunSession, status: str) -> list[GateResult]:
    """Results in run order; gates selected but never run (stopped early) appear as skip."""
    out = []
    for gate_id in session.selected or list(session.results):
        result = session.results.get(gate_id)
        if result is None:
            spec = next((g for g in session.collection.gates if g.id == gate_id), None)
            result = GateResult(id=gate_id, type=spec.type if spec else "python",
                                severity=spec.severity if spec else "block", outcome="skip",
                                reason="not run: the run stopped before this gate "
                                       f"({'interrupted' if status == 'interrupted' else '-x'})",
                                duration_s=0.0, spec=spec, source=source_of(spec))
        out.append(result)
    return out


def _stamp(moment: datetime) -> str:
    """UTC to the second, as people read it: 2026-11-23T17:58:13Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def validate_report(report: dict) -> None:
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)


def write_report_json(report: dict, path: Path) -> Path:
    """Atomically; text that cannot be encoded (a lone surrogate in model output) is
    replaced by U+FFFD rather than losing the report."""
    write_json_atomic(path, scrub(report))
    return path


def scrub(value):
    """A copy of ``value`` whose strings all encode as UTF-8 (lone surrogates -> U+FFFD)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            try:  # a file name decoded under a non-UTF-8 locale: its bytes back, as text
                return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            except UnicodeEncodeError:
                return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def read_report(path: str | Path) -> dict:
    """Load and validate a report.json for re-rendering."""
    p = Path(path)
    try:
        report = json.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError("report not found", where=p, hint="pass RUN_DIR/report.json") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the report: {exc.strerror}", where=p,
                          hint="pass RUN_DIR/report.json") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not a JSON report: {exc}", where=p, hint="pass a report.json written "
                          "by `gatekeeper check`") from None
    if not isinstance(report, dict) or report.get("schema_version") != SCHEMA_VERSION:
        found = report.get("schema_version") if isinstance(report, dict) else None
        raise ConfigError(f"unsupported report schema_version {found!r} (this gatekeeper reads "
                          f"{SCHEMA_VERSION})", where=p, hint="re-render with the gatekeeper "
                          "version that wrote it")
    try:
        validate_report(report)
    except jsonschema.ValidationError as exc:
        where = "/".join(map(str, exc.absolute_path)) or "(top level)"
        raise ConfigError(f"report.json does not match its schema at {where}: {exc.message}",
                          where=p, hint="the file was edited or truncated; re-run the check") from None
    return report
