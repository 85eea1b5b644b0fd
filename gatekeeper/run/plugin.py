"""The gatekeeper pytest plugin: gates become pytest items, one pytest session is one run.

Registered through the ``pytest11`` entry point, it stays inert in ordinary pytest runs: it
only acts when ``gatekeeper check`` passes a RunSession in (``SessionPlugin``). Declarative
gates are collected from the gate YAML files as GateItems; python gate files in the
bundle's ``gates/`` are ordinary pytest modules that use the ``candidate``, ``baseline``,
``golden`` and ``record`` fixtures.

A python gate is judged like any gate when its marker declares what to judge:
``@pytest.mark.gatekeeper(threshold={...}, vs_baseline={...}, metrics=(Metric(...),))``
with values and per-item samples from ``record(metric=value)`` and
``record.samples(metric, candidate, baseline=None)``; the judge (verdict/judge.py) decides.
Without them its pass is its assertions: "assertion (no statistics)" in the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gatekeeper.core.errors import ConfigError, Location, display_path
from gatekeeper.bundle.golden import load_golden
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import metric_table
from gatekeeper.core.spec import Comparison, GateSpec, Threshold
from gatekeeper.run.views import ModelView
from gatekeeper.core.results import GateResult
from gatekeeper.run.session import RunSession, error_dict, error_reason

STATE = pytest.StashKey[RunSession]()
_RECORDS = pytest.StashKey[dict]()
_SAMPLES = pytest.StashKey[dict]()
MARKER_KEYS = ("severity", "threshold", "vs_baseline", "metrics")
ASSERTION = "assertion (no statistics)"


class SessionPlugin:
    """Carries the run's state into pytest's config."""

    def __init__(self, session: RunSession):
        self.session = session

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[STATE] = self.session
        for spec in self.session.collection.gates:
            for marker in (*spec.markers, spec.type):
                config.addinivalue_line("markers", f"{marker}: gatekeeper gate marker")
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            # pytest's "26 passed in 844s" counts test items, not gate outcomes (a gate that is
            # inconclusive at warn severity is a passed item): gatekeeper's own verdict line,
            # printed after the run, is the only count shown.
            reporter.summary_stats = lambda: None

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        """Remember why the run stopped (Ctrl-C or SIGTERM) for the report."""
        self.session.interrupt = excinfo.value

    def pytest_collectreport(self, report) -> None:
        """A python gate file that fails to import is a configuration error: remember it as
        one line (the runner raises it, exit 4) and keep pytest's traceback off the console."""
        if not report.failed:
            return
        lines = [ln.strip() for ln in str(report.longreprtext or "").splitlines() if ln.strip()]
        last = next((ln for ln in reversed(lines) if ln.startswith("E ")), lines[-1] if lines else "")
        reason = (last[1:].strip() if last.startswith("E ") else last) or "could not be imported"
        self.session.collect_errors.append((str(report.fspath), reason))
        report.longrepr = f"{display_path(report.fspath)}: {reason}"

    # Fixtures for python gates; they exist only inside a gatekeeper run, so ordinary
    # pytest sessions that merely have gatekeeper installed see no new fixture names.
    @pytest.fixture
    def candidate(self) -> ModelView:
        """The candidate model (base + adapter): ``candidate.generate([...])``."""
        return self.session.models.view("candidate")

    @pytest.fixture
    def baseline(self) -> ModelView:
        """The baseline (same weights, adapter disabled)."""
        return self.session.models.view("base")

    @pytest.fixture
    def golden(self):
        """Load a golden set by path relative to the bundle: ``golden("data/val.jsonl")``."""
        return lambda path: load_golden((self.session.bundle.root / path).resolve())

    @pytest.fixture
    def record(self, request):
        """Record named metrics for the report: ``record(rate=0.93)``; per-item samples for the
        judge: ``record.samples("accuracy", [1, 0, 1], baseline=[1, 1, 0])``."""
        store = request.node.stash.setdefault(_RECORDS, {})
        samples = request.node.stash.setdefault(_SAMPLES, {})

        def _record(**metrics: float) -> None:
            store.update({k: float(v) for k, v in metrics.items()})

        def _samples(metric: str, candidate, baseline=None, binary: bool | None = None) -> None:
            cand = tuple(float(v) for v in candidate)
            base = tuple(float(v) for v in baseline) if baseline is not None else None
            if binary is None:
                binary = all(v in (0.0, 1.0) for v in cand + (base or ()))
            samples[metric] = Samples(cand, base, binary=binary)
        _record.samples = _samples  # type: ignore[attr-defined]
        return _record


def _session(config: pytest.Config) -> RunSession | None:
    return config.stash.get(STATE, None)


class GateNotPassed(Exception):
    """Raised by a GateItem whose blocking gate did not pass; pytest shows the one-line reason."""

    def __init__(self, result: GateResult):
        super().__init__(f"{result.outcome}: {result.reason}")
        self.result = result


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    session = _session(parent.config)
    if session is not None and file_path in session.collection.gate_files:
        return GateFile.from_parent(parent, path=file_path)
    return None


class GateFile(pytest.File):
    def collect(self):
        session = _session(self.config)
        for spec in session.collection.gates:
            if spec.source and Path(spec.source.file) == self.path:
                yield GateItem.from_parent(self, name=spec.id, spec=spec)


class GateItem(pytest.Item):
    def __init__(self, *, spec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        session = _session(self.config)
        gtype = session.collection.gate_types.get(spec.type) if session else None
        stage = "static" if gtype is not None and not gtype.needs_model else "model"
        for marker in (*spec.markers, spec.type, stage):
            self.add_marker(marker)

    def runtest(self) -> None:
        session = _session(self.config)
        assert session is not None, "gate items exist only in a gatekeeper run"
        result = session.run_gate(self.spec)
        session.record(result)
        if result.outcome == "skip":
            pytest.skip(result.reason)
        if result.blocking:
            raise GateNotPassed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, GateNotPassed):
            return f"gate {self.spec.id} {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        line = (self.spec.source.line or 1) - 1 if self.spec.source else 0
        return self.path, line, f"gate {self.spec.id} ({self.spec.type})"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Cheap static gates first, then model gates; python gates last; otherwise file order.

    Runs before -k/-m deselect anything, so the session knows every gate of the bundle and
    a selection is reported as a partial run.
    """
    session = _session(config)
    if session is None:
        return
    session.collected = [_gate_id(item) for item in items]
    session.code_files = _code_files(config, session)

    def stage(item):
        if isinstance(item, GateItem):
            return session.collection.gate_type(item.spec).stage
        return 2

    items.sort(key=stage)


def _code_files(config: pytest.Config, session: RunSession) -> list[dict]:
    """Every file of the bundle that pytest imported as code (python gates, conftests)."""
    from gatekeeper.bundle.lock import file_digest

    files = {Path(p) for p in session.collection.python_files}
    for plugin in config.pluginmanager.get_plugins():
        path = getattr(plugin, "__file__", None)
        if path and Path(path).name == "conftest.py":
            files.add(Path(path))
    return [{"path": display_path(f), "sha256": file_digest(f)} for f in sorted(files)]




def pytest_collection_finish(session: pytest.Session) -> None:
    state = _session(session.config)
    if state is not None:
        state.selected = [_gate_id(item) for item in session.items]


def _gate_id(item: pytest.Item) -> str:
    if isinstance(item, GateItem):
        return item.spec.id
    return f"{Path(item.path).stem}.{item.name}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Record the outcome of python gates (declarative GateItems record themselves)."""
    report = yield
    state = _session(item.config)
    if state is None or isinstance(item, GateItem):
        return report
    if report.when == "call" or (report.when == "setup" and not report.passed):
        state.record(_python_result(item, report, call))
    return report


def _python_result(item: pytest.Item, report, call) -> GateResult:
    records = item.stash.get(_RECORDS, {})
    samples = item.stash.get(_SAMPLES, {})
    mark = item.get_closest_marker("gatekeeper")
    options = dict(mark.kwargs) if mark else {}
    severity = options.get("severity", "block")
    exc = call.excinfo.value if call.excinfo else None
    source = {"file": display_path(item.path), "line": (item.location[1] or 0) + 1}
    measurement = _measurement(records, samples)
    judgement = spec = None
    if report.skipped:
        outcome, reason = "skip", str(getattr(exc, "msg", "skipped"))
    elif report.passed and set(options) - {"severity"}:
        try:
            spec, table = _marker_spec(item, options, source)
            if spec.threshold is None and spec.vs_baseline is None:
                spec, outcome, reason = None, "pass", f"assertions held: {ASSERTION}"
            else:
                judgement = _judge(spec, measurement, table)
                outcome, reason = judgement.outcome, judgement.reason
        except Exception as err:  # noqa: BLE001 - a bad marker or measurement is the gate's error
            exc, outcome = err, "error"
            reason = f"bad gate declaration: {err}" if isinstance(err, ConfigError) else error_reason(err)
    elif report.passed:
        outcome, reason = "pass", f"assertions held: {ASSERTION}"
    elif report.when == "call" and isinstance(exc, AssertionError):
        outcome, reason = "fail", (str(exc).strip().splitlines() or ["assertion failed"])[0]
    else:
        outcome, reason = "error", f"could not measure: {type(exc).__name__}: {exc}".splitlines()[0]
    return GateResult(id=_gate_id(item), type="python", severity=severity, outcome=outcome,
                      reason=reason, duration_s=report.duration, measurement=measurement,
                      spec=spec, judgement=judgement,
                      error=error_dict(exc) if outcome == "error" and exc else None, source=source)


def _measurement(records: dict, samples: dict) -> Measurement | None:
    """What the gate recorded; a metric with samples but no value is their mean."""
    if not records and not samples:
        return None
    metrics = dict(records)
    base = {}
    for name, s in samples.items():
        if s.candidate:
            metrics.setdefault(name, sum(s.candidate) / len(s.candidate))
        if s.baseline:
            base[name] = sum(s.baseline) / len(s.baseline)
    n = max((len(s.candidate) for s in samples.values()), default=0)
    return Measurement(metrics=metrics, n=n, baseline_metrics=base, samples=samples)


def _marker_spec(item: pytest.Item, options: dict, source: dict):
    """The GateSpec a python gate's marker declares (checked by the judge's own rules)."""
    where = Location(source["file"], source["line"])
    unknown = sorted(set(options) - set(MARKER_KEYS))
    if unknown:
        raise ConfigError(f"@pytest.mark.gatekeeper has no option {', '.join(unknown)}",
                          where=where.file, line=where.line, hint=f"options: {', '.join(MARKER_KEYS)}")
    parts: dict[str, Any] = {}
    for key, cls in (("threshold", Threshold), ("vs_baseline", Comparison)):
        value = options.get(key)
        if value is None:
            continue
        try:
            parts[key] = cls(**value)
        except TypeError as err:
            raise ConfigError(f"@pytest.mark.gatekeeper {key}={value!r}: {err}", where=where.file,
                              line=where.line, hint=f"e.g. {key}={_EXAMPLES[key]}") from None
    try:
        table = metric_table(options.get("metrics") or ())
    except TypeError as err:
        raise ConfigError(f"@pytest.mark.gatekeeper metrics: {err}", where=where.file,
                          line=where.line, hint='e.g. metrics=(Metric("rouge", kind="score"),)') from None
    spec = GateSpec(id=_gate_id(item), type="python", threshold=parts.get("threshold"),
                    vs_baseline=parts.get("vs_baseline"), severity=options.get("severity", "block"),
                    source=where)
    return spec, table


_EXAMPLES = {"threshold": '{"metric": "accuracy", "min": 0.8}', "vs_baseline": '{"max_drop": 0.02}'}


def _judge(spec: GateSpec, measurement: Measurement | None, table):
    from gatekeeper.core.errors import MeasurementError
    from gatekeeper.verdict.judge import judge

    if measurement is None:
        raise MeasurementError("the gate declares a threshold or vs_baseline but recorded nothing",
                               hint='call record.samples("metric", values) (or record(metric=v) '
                                    'with bound: point)')
    return judge(spec, measurement, table)
