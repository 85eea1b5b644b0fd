"""Gate results, the run's verdict, and exit codes: the one place exit codes are decided.

    0  OK           every blocking gate passed
    1  FAIL         a blocking gate failed or was inconclusive
    2  INTERRUPTED  Ctrl-C, SIGTERM, or -x stopped the run
    3  INTERNAL     an unexpected error, or a blocking gate could not be measured
    4  USAGE        bad command line or configuration (manifest, gate file, lock, data)
    5  NO_GATES     nothing was selected (0 when ``-m`` on known markers matched no gate)

A partial run (``-k``, ``-m``, ``--lf``) keeps its exit code but is marked partial in the
verdict line, report.json (``complete: false``) and JUnit: a partial PASS is not a
release PASS (``gatekeeper release`` refuses it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from gatekeeper.core.errors import ConfigError, GatekeeperError, MeasurementError, ModelError, UsageError
from gatekeeper.core.measurement import Measurement
from gatekeeper.core.spec import GateSpec


class Exit(IntEnum):
    OK = 0
    FAIL = 1
    INTERRUPTED = 2
    INTERNAL = 3
    USAGE = 4
    NO_GATES = 5


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate, ready for report.json."""

    id: str
    type: str
    severity: str
    outcome: str
    reason: str
    duration_s: float
    spec: GateSpec | None = None
    measurement: Measurement | None = None
    judgement: Any = None
    error: dict | None = None
    source: dict | None = None

    @property
    def blocking(self) -> bool:
        """A blocking gate that ran and did not pass (a skip is listed, not counted)."""
        return self.severity == "block" and self.outcome not in ("pass", "skip")


def decide(results: list[GateResult], status: str, *, nothing_matched: bool = False) -> tuple[str, Exit]:
    """Verdict and exit code of a run. Error is not fail: a blocking gate that could not
    measure gives ERROR/3 unless another blocking gate measurably failed (FAIL/1).
    ``nothing_matched``: a marker selection on known markers (``-m static``) matched no gate
    of the bundle: a pre-flight with nothing to do, NO_GATES with exit 0 instead of 5."""
    if status == "interrupted":
        verdict = "FAIL" if any(r.blocking for r in results) else "ERROR"
        return verdict, Exit.INTERRUPTED
    if status == "crashed":
        return "ERROR", Exit.INTERNAL
    if not results:
        return "NO_GATES", Exit.OK if nothing_matched else Exit.NO_GATES
    blocking = [r for r in results if r.blocking]
    if any(r.outcome in ("fail", "inconclusive") for r in blocking):
        return "FAIL", Exit.FAIL
    if any(r.outcome == "error" for r in blocking):
        return "ERROR", Exit.INTERNAL
    return "PASS", Exit.OK


def exit_for_error(exc: BaseException) -> Exit:
    """The exit code of a run that ended with an exception before or outside the gates."""
    if isinstance(exc, KeyboardInterrupt):
        return Exit.INTERRUPTED
    if isinstance(exc, (UsageError, ConfigError, ModelError)):
        return Exit.USAGE
    if isinstance(exc, (MeasurementError, GatekeeperError)):
        return Exit.INTERNAL
    return Exit.INTERNAL
