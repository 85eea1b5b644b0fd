"""``gatekeeper check``: load, validate, run the gates under pytest, write the report."""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from gatekeeper.bundle import Bundle, load_bundle
from gatekeeper.collect import collect_gates
from gatekeeper.lock import verify_lock
from gatekeeper.report.model import EXIT_NO_GATES, build_report, validate_report, write_report_json
from gatekeeper.session import EngineOptions, RunSession


@dataclass(frozen=True)
class CheckOptions:
    out_dir: Path | None = None
    keyword: str | None = None
    markexpr: str | None = None
    exitfirst: bool = False
    last_failed: bool = False
    junitxml: Path | None = None
    verbose: bool = False
    engine: EngineOptions = field(default_factory=EngineOptions)
    pytest_args: tuple[str, ...] = ()
    argv: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    report: dict
    exit_code: int
    out_dir: Path
    paths: dict


def run_check(bundle_dir: str | Path, options: CheckOptions = CheckOptions()) -> CheckResult:
    """The whole check: everything that can be wrong in the config fails before a model loads."""
    started = _now()
    bundle = load_bundle(bundle_dir)
    collection = collect_gates(bundle)
    lock, digest = verify_lock(bundle, collection)
    session = RunSession(bundle, collection, options.engine, lock, digest)
    out_dir = options.out_dir or default_out_dir(bundle, started)
    status, message = "crashed", "gatekeeper stopped unexpectedly"
    try:
        status, message = _run_pytest(session, options)
    except KeyboardInterrupt:
        status, message = "interrupted", "interrupted by the user (Ctrl-C)"
    finally:
        report = build_report(session, status=status, started=started, finished=_now(),
                              argv=list(options.argv) or sys.argv, message=message,
                              extra=_history(bundle))
        write_report_json(report, out_dir / "report.json")
    paths = _render(report, out_dir, options)
    validate_report(report)
    exit_code = report["exit_code"] if not (status == "complete" and message == "no gates selected") \
        else EXIT_NO_GATES
    return CheckResult(report, exit_code, out_dir, paths)


# Deprecation notices from inside torch/transformers/peft are not the user's to act on and
# buried the verdict in pytest's warnings summary; warnings from gate code still show.
PYTEST_INI = """[pytest]
markers =
    gatekeeper(severity): python gate options
filterwarnings =
    ignore::DeprecationWarning:torch.*
    ignore::DeprecationWarning:transformers.*
    ignore::FutureWarning:transformers.*
    ignore::DeprecationWarning:peft.*
    ignore::FutureWarning:peft.*
"""


def _run_pytest(session: RunSession, options: CheckOptions) -> tuple[str, str | None]:
    import pytest

    from gatekeeper.plugin import SessionPlugin

    with tempfile.TemporaryDirectory(prefix="gatekeeper-pytest-") as tmp:
        ini = Path(tmp) / "pytest.ini"  # isolate from the user's own pytest configuration
        ini.write_text(PYTEST_INI)
        args = [*map(str, session.collection.gate_files), *map(str, session.collection.python_files),
                "-c", str(ini), "--rootdir", str(session.bundle.root),
                "-o", f"cache_dir={_pytest_cache_dir(session.bundle)}", "-p", "no:randomly",
                "-q" if not options.verbose else "-v", "--no-header", "-rN"]
        args += ["-k", options.keyword] if options.keyword else []
        args += ["-m", options.markexpr] if options.markexpr else []
        args += ["-x"] if options.exitfirst else []
        args += ["--lf"] if options.last_failed else []
        args += list(options.pytest_args)
        code = pytest.main(args, plugins=[SessionPlugin(session)])
    if code == pytest.ExitCode.INTERRUPTED:
        return "interrupted", "interrupted by the user (Ctrl-C)"
    if code == pytest.ExitCode.NO_TESTS_COLLECTED or not session.selected:
        return "complete", "no gates selected"
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        return "crashed", f"pytest exited with {code.name}"
    if len(session.results) < len(session.selected):
        return "interrupted", "stopped after the first failing gate (-x)"
    return "complete", None


def _pytest_cache_dir(bundle: Bundle) -> Path:
    """--lf state lives in the user cache, never inside the bundle the user wrote."""
    from gatekeeper.paths import cache_root

    key = hashlib.sha256(str(bundle.root).encode()).hexdigest()[:16]
    return cache_root() / "pytest" / key


def _render(report: dict, out_dir: Path, options: CheckOptions) -> dict:
    from gatekeeper.report.junit import render_junit
    from gatekeeper.report.outputs import write_atomic, write_outputs

    paths = write_outputs(report, out_dir)
    if options.junitxml:  # an extra copy where CI expects it; the run dir stays complete
        paths["junit (--junitxml)"] = write_atomic(Path(options.junitxml), render_junit(report))
    return paths


def _history(bundle: Bundle) -> dict:
    """How the candidate came to be: its training log and the release it would replace."""
    from gatekeeper.releases import previous_release

    return {"previous_release": previous_release(bundle), "training": training_log(bundle)}


TRAINING_LOG = "training_log.json"


def training_log(bundle: Bundle) -> dict | None:
    """The trainer's ``adapter/training_log.json`` (loss curve, recipe), when the adapter has one.

    It lives beside the weights, so the lock covers it. A log that is not a JSON object is
    left out of the report: it is evidence for the reviewer, never an input to a verdict.
    """
    path = bundle.adapter / TRAINING_LOG if bundle.adapter else None
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def default_out_dir(bundle: Bundle, started: datetime) -> Path:
    stamp = started.strftime("%Y%m%d-%H%M%S")
    return Path("reports") / f"{bundle.name}-{bundle.version}-{stamp}"


def _now() -> datetime:
    return datetime.now(timezone.utc)
