"""ruff passes over the package and the tests, mypy over the package (configured in pyproject.toml: [tool.ruff], [tool.mypy]).

Both come with the `dev` extra (`pip install -e ".[dev]"`, which scripts/setup.sh runs).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec(tool) is None:
        pytest.fail(f"{tool} is not installed: pip install -e '.[dev]'")
    return subprocess.run([sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def test_ruff_finds_nothing():
    proc = _run("ruff", "check", "--no-cache", "gatekeeper", "tests", "benchmarks", "scripts")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_finds_nothing():
    proc = _run("mypy", "gatekeeper")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def test_no_hint_names_a_command_that_does_not_exist():
    """Every `gatekeeper COMMAND` written in the package's messages is a real command."""
    import re

    from gatekeeper.cli import build_parser

    parser = build_parser()
    commands = set(next(a for a in parser._actions if a.dest == "command").choices)
    named = {}
    for path in (REPO / "gatekeeper").rglob("*.py"):
        for match in re.finditer(r"`gatekeeper ([a-z][a-z_-]*)", path.read_text("utf-8")):
            named.setdefault(match.group(1), path.relative_to(REPO))
    unknown = {cmd: str(where) for cmd, where in named.items() if cmd not in commands}
    assert not unknown, f"hints name commands that do not exist: {unknown}"
