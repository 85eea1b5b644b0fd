"""The gate-type registry: ``@gate_type`` for built-ins and third-party entry points.

A gate type is a function ``fn(ctx, *, param=default, ...) -> Measurement``. Its keyword-only
parameters *are* its parameter schema: a gate's ``params`` are bound against the signature at
collection time, so a misspelled parameter is reported before any model loads.

Third-party packages register gate types under the entry-point group
``gatekeeper.gate_types`` (name = type name, value = ``module:function``). Built-ins use the
same group (see pyproject.toml), so there is one discovery path.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Callable

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.metrics import Metric, metric_table
from gatekeeper.bundle.validation import suggest

ENTRY_POINT_GROUP = "gatekeeper.gate_types"
# Counts that must be positive whichever gate type takes them (0 would generate nothing).
POSITIVE_PARAMS = ("max_new_tokens",)


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    default: Any
    required: bool


@dataclass(frozen=True)
class GateType:
    """A registered gate type and what the collector needs to know about it."""

    name: str
    fn: Callable
    params: tuple[Param, ...]
    summary: str
    needs_model: bool = True
    needs_golden: bool = False
    path_params: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    default_threshold: dict | None = None
    check: Callable[[dict, Any], None] | None = None  # (params, golden set or None)
    stage_hint: int | None = None

    @property
    def stage(self) -> int:
        """Run order: static gates (no model) first, then model gates, then timing gates
        (``stage=2``: serving measurements run where nothing else competes)."""
        if self.stage_hint is not None:
            return self.stage_hint
        return 1 if self.needs_model else 0

    @property
    def metric_table(self) -> dict[str, Metric]:
        """name -> Metric, for the judge (direction) and collection (ranges)."""
        return metric_table(self.metrics)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    @property
    def module(self) -> str:
        """The module that defines the gate type: its report fragment lives beside it."""
        return getattr(self.fn, "__module__", "") or ""

    def bind(self, params: dict) -> list[str]:
        """Problems binding ``params`` to the signature (unknown, missing, wrong type)."""
        known = {p.name: p for p in self.params}
        problems = []
        for name in params:
            if name not in known:
                close = suggest(name, known)
                tip = f"; did you mean '{close}'?" if close else ""
                names = ", ".join(known) or "none"
                problems.append(f"unknown parameter '{name}' for gate type '{self.name}'{tip} "
                                f"(parameters: {names})")
        for p in self.params:
            if p.required and p.name not in params:
                problems.append(f"gate type '{self.name}' needs parameter '{p.name}' ({p.annotation})")
            elif p.name in params and not _type_ok(self.fn, p.name, params[p.name]):
                problems.append(f"parameter '{p.name}' must be {p.annotation}, "
                                f"found {type(params[p.name]).__name__} {params[p.name]!r}")
        for name in POSITIVE_PARAMS:  # one rule for every gate type that has them
            value = params.get(name)
            if (name in known and isinstance(value, (int, float)) and not isinstance(value, bool)
                    and not value >= 1):
                problems.append(f"parameter '{name}' must be at least 1, found {value!r}")
        return problems


def gate_type(name: str | None = None, *, needs_model: bool = True, needs_golden: bool = False,
              path_params: tuple[str, ...] = (), metrics: tuple[Metric | str, ...] = (),
              default_threshold: dict | None = None, check: Callable | None = None,
              stage: int | None = None):
    """Declare a function as a gate type. The metadata is attached to the function.

    ``metrics`` is the metric table (``Metric`` objects; a bare name is a higher-is-better
    rate). ``stage`` overrides the run order (0 static, 1 model, 2 timing).
    """

    def decorate(fn: Callable) -> Callable:
        fn.__gate_type__ = _describe(  # type: ignore[attr-defined]  # metadata on the function
            fn, name or fn.__name__, needs_model=needs_model, needs_golden=needs_golden,
            path_params=tuple(path_params), metrics=tuple(metric_table(metrics).values()),
            default_threshold=default_threshold, check=check, stage_hint=stage)
        return fn

    return decorate


def _describe(fn: Callable, name: str, **meta) -> GateType:
    sig = inspect.signature(fn)
    params = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"gate type {name}: parameter '{p.name}' must be keyword-only "
                            f"(write `def {fn.__name__}(ctx, *, {p.name}=...)`)")
        required = p.default is inspect.Parameter.empty
        annotation = p.annotation if isinstance(p.annotation, str) else \
            getattr(p.annotation, "__name__", str(p.annotation))
        params.append(Param(p.name, annotation, None if required else p.default, required))
    summary = (inspect.getdoc(fn) or "").strip().splitlines()
    return GateType(name=name, fn=fn, params=tuple(params), summary=summary[0] if summary else "",
                    **meta)


def _type_ok(fn: Callable, name: str, value: Any) -> bool:
    """Check a parameter value against its annotation (simple types only; others pass)."""
    try:
        hint = typing.get_type_hints(fn).get(name)
    except Exception:  # unresolvable annotations: do not guess
        return True
    if hint is None:
        return True
    allowed = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, type(int | None)) \
        else (hint,)
    for t in allowed:
        origin = typing.get_origin(t) or t
        if t is type(None) and value is None:
            return True
        if origin is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if origin is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if origin in (str, bool, list, dict, tuple) and isinstance(value, list if origin is tuple else origin):
            return True
        if origin is typing.Any:
            return True
    return False


_REGISTERED: dict[str, GateType] = {}


def register_gate_type(fn: Callable) -> GateType:
    """Register a gate type in this process (tests, notebooks, conftest plugins)."""
    meta = getattr(fn, "__gate_type__", None) or _describe(fn, fn.__name__)
    _REGISTERED[meta.name] = meta
    return meta


def unregister_gate_type(name: str) -> None:
    _REGISTERED.pop(name, None)


def load_gate_types() -> dict[str, GateType]:
    """Every gate type: the ``gatekeeper.gate_types`` entry points, then in-process ones."""
    found: dict[str, GateType] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            fn = ep.load()
        except Exception as exc:  # a broken plugin must not hide the others
            raise ConfigError(f"gate type plugin '{ep.name}' ({ep.value}) failed to import: {exc}",
                              hint="fix or uninstall the package that provides it") from None
        meta = getattr(fn, "__gate_type__", None) or _describe(fn, ep.name)
        found[meta.name] = meta
    found.update(_REGISTERED)
    return found
