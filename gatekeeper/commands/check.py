"""``gatekeeper check``: load, validate, run the gates under pytest, write the report.

Everything that can be wrong in the configuration fails before a model loads. Once the
gates start, the report is written whatever happens: a gate that raises is an ``error``
outcome, Ctrl-C and SIGTERM end the run as interrupted (exit 2) with every finished gate
in the report, and a crash of the run itself still writes report.json before exit 3.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from gatekeeper.bundle.manifest import Bundle, load_bundle
from gatekeeper.bundle.collect import collect_gates
from gatekeeper.run.registry import load_catalog
from gatekeeper.core.errors import CollectionErrors, UsageError
from gatekeeper.bundle.lock import verify_lock
from gatekeeper.core.options import EngineOptions
from gatekeeper.core.paths import use_cache
from gatekeeper.run.pytest_run import run_pytest
from gatekeeper.report.model import build_report, scrub, validate_report, write_report_json
from gatekeeper.report.portable import portable_report
from gatekeeper.core.results import Exit
from gatekeeper.run.session import RunSession
from gatekeeper.core.signals import sigterm_as_interrupt
from gatekeeper.bundle.training import find_record
from gatekeeper.core.signing import signature_path, signing_key, write_signature


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
    train: bool = False           # --train: first train when the adapter is missing or stale
    # run outputs any gate may ask for (ctx.output_dir(name)): name -> directory;
    # --export-merged DIR grants {"merged": DIR}
    outputs: Mapping[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    report: dict
    exit_code: int
    out_dir: Path
    paths: dict


def run_check(bundle_dir: str | Path, options: CheckOptions = CheckOptions()) -> CheckResult:
    """The whole check; see the module docstring. Every cache of the run (core/store.py)
    and every folder under the cache root follows ``--no-cache`` / ``--cache-dir``."""
    with use_cache(options.engine.cache, options.engine.cache_dir):
        return _check(bundle_dir, options)


def _check(bundle_dir: str | Path, options: CheckOptions) -> CheckResult:
    if options.train:  # one command from data to verdict (gatekeeper/train)
        from gatekeeper.train.run import train_if_stale
        train_if_stale(bundle_dir, device=options.engine.device)
    started = _now()
    key = signing_key()  # a key too short to trust is refused before anything runs
    bundle = load_bundle(bundle_dir)
    collection = collect_gates(bundle, load_catalog())
    lock, digest = verify_lock(bundle, collection, needs_model=_selection_needs_model(collection, options))
    out_dir = check_out_dir(options.out_dir or default_out_dir(bundle, started), bundle,
                            default=options.out_dir is None)
    session = RunSession(bundle, collection, options.engine, lock, digest,
                         outputs={"report": out_dir,  # sidecar files next to report.json
                                  **{name: Path(path) for name, path in options.outputs.items()}})
    crash: BaseException | None = None
    try:
        status, message = _run_gates(session, options)
    except (UsageError, CollectionErrors):
        raise  # a bad -k/-m expression or a python gate that does not import: nothing ran
    except Exception as exc:  # noqa: BLE001 - the report of what finished is still written
        status, message, crash = "crashed", f"{type(exc).__name__}: {exc}", exc
    finally:
        session.close()
    report = build_report(session, status=status, started=started, finished=_now(),
                          argv=list(options.argv) or sys.argv, message=message,
                          extra=_history(bundle), partial=_partial(session, options))
    # no path of this machine (report/portable.py); what is rendered is what report.json holds
    report = scrub(portable_report(report, bundle.root))
    signature_path(out_dir / "report.json").unlink(missing_ok=True)  # never vouch for a new report
    write_report_json(report, out_dir / "report.json")
    if key is not None:
        write_signature(out_dir / "report.json", key)
    if crash is not None:
        crash.report_dir = out_dir  # type: ignore[attr-defined]  # the CLI logs the traceback there
        with contextlib.suppress(Exception):
            _render(report, out_dir, options)
        raise crash
    paths = _render(report, out_dir, options)
    validate_report(report)
    return CheckResult(report, int(report["exit_code"]), out_dir, paths)


def _selection_needs_model(collection, options: CheckOptions) -> bool | None:
    """False when a -m expression selects only static gates (``-m static``): such a run
    never loads the model, so the base is not checked (and torch is never imported)."""
    if not options.markexpr or collection.python_files:
        return None
    from _pytest.mark.expression import Expression  # pytest's own -m grammar

    try:
        expr = Expression.compile(options.markexpr)
    except Exception:  # noqa: BLE001 - pytest reports the bad expression itself
        return None
    for spec in collection.gates:
        gtype = collection.gate_type(spec)
        names = {*spec.markers, spec.type, "model" if gtype.needs_model else "static"}
        if gtype.needs_model and expr.evaluate(_matcher(names)):
            return True
    return False


def _matcher(names: set[str]):
    """pytest's marker matcher for one gate: its markers, its type and model/static."""
    def match(name: str, /, **kwargs: object) -> bool:
        return name in names
    return match


def _run_gates(session: RunSession, options: CheckOptions) -> tuple[str, str | None]:
    try:
        with sigterm_as_interrupt():
            return run_pytest(session, options)
    except KeyboardInterrupt as exc:
        return "interrupted", str(exc) or "interrupted by the user (Ctrl-C)"


def check_out_dir(out: Path, bundle: Bundle, *, default: bool = False) -> Path:
    """The report directory must be writable and outside the bundle (reports are not
    release artifacts, and writing there would change what the lock protects)."""
    path = Path(out).absolute()
    resolved = path.resolve()
    if resolved == bundle.root or resolved.is_relative_to(bundle.root):
        outside = os.path.relpath(bundle.root.parent / "reports" / Path(out).name)
        if default:
            raise UsageError(f"the default report directory {out} is inside the bundle {bundle.root} "
                             "(the working directory is inside it)",
                             hint=f"run from outside the bundle, or pass --out {outside}")
        raise UsageError(f"--out {out} is inside the bundle {bundle.root}",
                         hint=f"write reports outside the bundle, e.g. --out {outside}")
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {out} is a file, not a directory",
                         hint="pass a directory (it is created when missing)")
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: {existing} is not writable",
                         hint="pass a directory you can write to")
    return path


def _partial(session: RunSession, options: CheckOptions) -> dict:
    """Whether every gate of the bundle ran: -k, -m, --lf or -x make a run partial."""
    ran = set(session.results)
    every = session.collected or session.selected
    missing = [g for g in every if g not in ran]
    why = [w for w, on in (("-k", options.keyword), ("-m", options.markexpr),
                            ("--lf", options.last_failed), ("-x", options.exitfirst)) if on]
    partial = {"complete": not missing, "gates_total": len(every), "gates_run": len(ran),
               "not_run": missing, "selection": why}
    if not session.selected and options.markexpr and not options.keyword \
            and set(marker_names(options.markexpr)) <= known_markers(session.collection):
        partial["nothing_matched"] = f"no gate of the bundle matches -m {options.markexpr!r}"
    return partial


def marker_names(markexpr: str) -> list[str]:
    """The names a -m expression tests (pytest's grammar: names joined by and/or/not)."""
    return [w for w in re.findall(r"[A-Za-z_][\w.-]*", markexpr) if w not in ("and", "or", "not")]


def known_markers(collection) -> set[str]:
    """Markers a declarative gate can carry: static/model, its type, the markers it declares.
    A -m on these that matches nothing is a pre-flight with nothing to do (exit 0), not a
    typo; a name outside them (or any python gate file, whose markers pytest knows) stays 5."""
    if collection.python_files:
        return set()
    return {"static", "model", *collection.gate_types,
            *(m for spec in collection.gates for m in spec.markers)}


def _render(report: dict, out_dir: Path, options: CheckOptions) -> dict:
    from gatekeeper.report.outputs import write_outputs

    try:
        return write_outputs(report, out_dir, extra_junit=options.junitxml)
    except OSError as exc:  # disk full, or a path taken away mid-run: name it, exit 4
        written = Path(exc.filename or out_dir).absolute()
        flag = "--out" if written.is_relative_to(out_dir.absolute()) else "--junitxml"
        raise UsageError(f"{flag}: cannot write {exc.filename}: {exc.strerror or exc} (report.json "
                         f"is complete in {out_dir})", where=exc.filename,
                         hint=f"give {flag} a writable place with free space; "
                              f"`gatekeeper report {out_dir}/report.json` re-renders the rest") from None


def _history(bundle: Bundle) -> dict:
    """How the candidate came to be: its training log and the release it would replace."""
    from gatekeeper.releases import previous_release

    try:
        previous = previous_release(bundle)
    except Exception as exc:  # noqa: BLE001 - evidence for the reviewer, never a verdict input
        previous = {"error": f"could not read the previous release: {type(exc).__name__}: {exc}"}
    return {"previous_release": previous, "training": training_log(bundle)}


def training_log(bundle: Bundle) -> dict | None:
    """The adapter's training record (loss curve, recipe) for the report, when it has one.

    It lives beside the weights, so the lock covers it. A record that is not a JSON object is
    left out of the report: it is evidence for the reviewer, never an input to a verdict.
    """
    return find_record(bundle.adapter)


def default_out_dir(bundle: Bundle, started: datetime) -> Path:
    stamp = started.strftime("%Y%m%d-%H%M%S")
    return Path("reports") / f"{bundle.name}-{bundle.version}-{stamp}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


__all__ = ["CheckOptions", "CheckResult", "Exit", "run_check", "default_out_dir", "training_log"]
