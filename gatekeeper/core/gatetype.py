"""The gate-type declaration: ``@gate_type`` and what it records about a gate type.

A gate type is a function ``fn(ctx, *, param=default, ...) -> Measurement``. Its keyword-only
parameters *are* its parameter schema: a gate's ``params`` are bound against the signature at
collection time, so a misspelled parameter is reported before any model loads.

What the run must know about parameters is declared here, never guessed from their names:

* ``path_params``: name -> role of every parameter that names a file or folder. Every path
  is resolved inside the bundle and covered by the lock; the role says what it is for the
  run: ``eval`` (data the gate evaluates on: contamination and audit gates check it against
  the training data), ``train`` (training data), ``config`` (a schema, a serving config, a
  record), ``model`` (weights: a merged model, a judge model) or ``output_schema`` (a JSON
  Schema the model's answers must satisfy: the dataset audit checks training answers with it).
* ``positive``: integer parameters that must be at least 1 (0 tokens generates nothing).

Discovery (built-ins in the package, entry points for third parties) lives in
``gatekeeper.run.registry``; this module only describes.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from gatekeeper.core.errors import suggest
from gatekeeper.core.metrics import Metric, metric_table

# What a path parameter is to the run (see the module docstring).
PATH_ROLES = ("eval", "train", "config", "model", "output_schema")


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    default: Any
    required: bool


@dataclass(frozen=True)
class GateType:
    """A declared gate type and what the collector needs to know about it."""

    name: str
    fn: Callable
    params: tuple[Param, ...]
    summary: str
    needs_model: bool = True
    needs_golden: bool = False
    path_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    positive: tuple[str, ...] = ()
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

    def paths(self, params: Mapping[str, Any], role: str | None = None) -> list[tuple[str, str]]:
        """(parameter name, path) of the path parameters set in ``params``, of one role or all."""
        return [(name, params[name]) for name, r in self.path_params.items()
                if (role is None or r == role) and isinstance(params.get(name), str)]

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
        for name in self.positive:
            value = params.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not value >= 1:
                problems.append(f"parameter '{name}' must be at least 1, found {value!r}")
        return problems


@dataclass(frozen=True)
class Catalog:
    """What a run may name: the gate types (name -> GateType) and the model views."""

    gate_types: Mapping[str, GateType]
    views: tuple[str, ...] = ("candidate", "base")


def gate_type(name: str | None = None, *, needs_model: bool = True, needs_golden: bool = False,
              path_params: Mapping[str, str] | None = None, positive: tuple[str, ...] = (),
              metrics: tuple[Metric | str, ...] = (), default_threshold: dict | None = None,
              check: Callable | None = None, stage: int | None = None):
    """Declare a function as a gate type. The metadata is attached to the function.

    ``path_params`` maps each path parameter to its role (``PATH_ROLES``); ``positive`` names
    integer parameters that must be at least 1; ``metrics`` is the metric table (``Metric``
    objects; a bare name is a higher-is-better rate); ``stage`` overrides the run order
    (0 static, 1 model, 2 timing).
    """

    def decorate(fn: Callable) -> Callable:
        fn.__gate_type__ = describe_gate_type(  # type: ignore[attr-defined]  # metadata on the function
            fn, name or fn.__name__, needs_model=needs_model, needs_golden=needs_golden,
            path_params=path_params or {}, positive=tuple(positive),
            metrics=tuple(metric_table(metrics).values()), default_threshold=default_threshold,
            check=check, stage_hint=stage)
        return fn

    return decorate


def describe_gate_type(fn: Callable, name: str, **meta) -> GateType:
    """The GateType of ``fn``: its signature read as the parameter schema, ``meta`` checked."""
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
    names = {p.name for p in params}
    roles = meta.get("path_params", {})
    if not isinstance(roles, Mapping):
        raise TypeError(f"gate type {name}: path_params maps each path parameter to its role "
                        f"(one of {', '.join(PATH_ROLES)}), e.g. path_params={{'data': 'eval'}}")
    for param, role in roles.items():
        if param not in names:
            raise TypeError(f"gate type {name}: path parameter '{param}' is not a parameter of "
                            f"{fn.__name__}")
        if role not in PATH_ROLES:
            raise TypeError(f"gate type {name}: path parameter '{param}' has role {role!r}; "
                            f"roles: {', '.join(PATH_ROLES)}")
    unknown = [p for p in meta.get("positive", ()) if p not in names]
    if unknown:
        raise TypeError(f"gate type {name}: positive names {unknown}, not parameters of {fn.__name__}")
    meta["path_params"] = MappingProxyType(dict(roles))
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
