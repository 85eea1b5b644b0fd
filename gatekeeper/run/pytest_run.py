"""Run the gates as pytest items, isolated from every pytest configuration but the bundle's.

Nothing outside the bundle may change a verdict: no parent ``conftest.py`` (conftest files
load only from the bundle downwards, ``--confcutdir``), no ini file (gatekeeper writes its
own), no ``PYTEST_ADDOPTS`` / ``PYTEST_PLUGINS`` and no autoloaded third-party plugin (the
environment is cleared for the run and restored after). The bundle's own python gates and
conftest files are the only code that loads; the report lists them with their hashes.
"""

from __future__ import annotations

import hashlib

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from gatekeeper.bundle.manifest import Bundle
from gatekeeper.core.paths import cache_root
from gatekeeper.core.errors import CollectionErrors, ConfigError, UsageError
from gatekeeper.run.session import RunSession

# Deprecation notices from inside torch/transformers/peft are not the user's to act on and
# buried the verdict in pytest's warnings summary; warnings from gate code still show. The
# assert-rewrite notice is about gatekeeper's own plugin, imported before pytest starts.
PYTEST_INI = """[pytest]
markers =
    gatekeeper(severity): python gate options
    static: gates that run before any model loads (no torch)
    model: gates that use the model
filterwarnings =
    ignore::DeprecationWarning:torch.*
    ignore::DeprecationWarning:transformers.*
    ignore::FutureWarning:transformers.*
    ignore::DeprecationWarning:peft.*
    ignore::FutureWarning:peft.*
    ignore::pytest.PytestAssertRewriteWarning
"""

CLEARED_ENV = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DEBUG", "PYTEST_THEME",
               "PYTEST_CURRENT_TEST")


@contextlib.contextmanager
def isolated_environment() -> Iterator[None]:
    """No pytest settings from the environment; no autoloaded plugins."""
    saved = {k: os.environ.get(k) for k in (*CLEARED_ENV, "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
    for key in CLEARED_ENV:
        os.environ.pop(key, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def pytest_cache_dir(bundle: Bundle) -> Path:
    """--lf state lives in the user cache, never inside the bundle the user wrote."""
    key = hashlib.sha256(os.fsencode(bundle.root)).hexdigest()[:16]  # any path, any locale
    return cache_root() / "pytest" / key


def pytest_args(session: RunSession, options, ini: Path) -> list[str]:
    root = session.bundle.root
    args = [*map(str, session.collection.gate_files), *map(str, session.collection.python_files),
            "-c", str(ini), "--rootdir", str(root), "--confcutdir", str(root),
            "-p", "gatekeeper.run.plugin", "-o", f"cache_dir={pytest_cache_dir(session.bundle)}",
            "-q" if not options.verbose else "-v", "--no-header", "-rN"]
    # a failing gate's section would repeat the loaders' progress bars from stderr; a python
    # gate's own prints (stdout) stay, and -v shows everything
    args += [] if options.verbose else ["--show-capture=stdout"]
    args += ["-k", options.keyword] if options.keyword else []
    args += ["-m", options.markexpr] if options.markexpr else []
    args += ["-x"] if options.exitfirst else []
    args += ["--lf"] if options.last_failed else []
    return args + list(options.pytest_args)


def run_pytest(session: RunSession, options) -> tuple[str, str | None]:
    """(status, message) of the pytest run: complete, interrupted or crashed."""
    import pytest

    from gatekeeper.run.plugin import SessionPlugin

    with tempfile.TemporaryDirectory(prefix="gatekeeper-pytest-") as tmp, isolated_environment():
        ini = Path(tmp) / "pytest.ini"
        ini.write_text(PYTEST_INI)
        code = pytest.main(pytest_args(session, options, ini), plugins=[SessionPlugin(session)])
    if session.collect_errors:
        raise CollectionErrors([ConfigError(f"python gate file could not be imported: {why}",
                                            where=path, hint="fix the import (a module the gate "
                                            "needs is missing or raises on import)")
                                for path, why in session.collect_errors])
    if code == pytest.ExitCode.INTERRUPTED:
        if session.interrupt is not None:
            raise session.interrupt
        return "interrupted", "interrupted by the user (Ctrl-C)"
    if code == pytest.ExitCode.USAGE_ERROR:
        raise UsageError("pytest rejected the command line",
                         hint="check -k / -m expressions and extra options")
    if code == pytest.ExitCode.NO_TESTS_COLLECTED or not session.selected:
        return "complete", "no gates selected"
    if code == pytest.ExitCode.INTERNAL_ERROR:
        return "crashed", "pytest stopped with an internal error"
    if len(session.results) < len(session.selected):
        return "interrupted", "stopped after the first failing gate (-x)"
    return "complete", None
