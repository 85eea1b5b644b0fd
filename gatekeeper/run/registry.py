"""Where gate types and named views come from: the package, entry points, this process.

* Built-in gate types are discovered in the package: every public module of
  ``gatekeeper.gate_types`` that defines a function of its own name declared with
  ``@gate_type`` is that gate type (module name == function name == type name). A new
  module is found without reinstalling; modules without such a function (helpers) and
  private ones (``_name``) are skipped.
* Third-party packages register gate types under the entry-point group
  ``gatekeeper.gate_types`` (name = type name, value = ``module:function``) and named views
  under ``gatekeeper.views`` (name = view name, value = ``module:factory``, a factory being
  ``fn(access) -> ModelView``).
* ``register_gate_type`` adds one in this process (tests, notebooks, conftest plugins).

The declaration itself (``@gate_type``, ``GateType``) is ``gatekeeper.core.gatetype``.
Built-in named views register themselves when their module is imported; ``load_catalog``
imports the modules of ``BUILTIN_VIEWS`` so that the context needs to import none of them.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points
from typing import Callable

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.gatetype import Catalog, GateType, describe_gate_type
from gatekeeper.run.views import BUILTIN as BUILTIN_VIEW_NAMES
from gatekeeper.run.views import register_view, view_names

ENTRY_POINT_GROUP = "gatekeeper.gate_types"
VIEW_ENTRY_POINT_GROUP = "gatekeeper.views"
BUILTIN_PACKAGE = "gatekeeper.gate_types"
# Modules whose import registers a built-in named view (``prompted``, ``previous_release``).
BUILTIN_VIEWS = ("gatekeeper.run.prompted", "gatekeeper.releases.view")

_REGISTERED: dict[str, GateType] = {}


def register_gate_type(fn: Callable) -> GateType:
    """Register a gate type in this process (tests, notebooks, conftest plugins)."""
    meta = getattr(fn, "__gate_type__", None) or describe_gate_type(fn, fn.__name__)
    _REGISTERED[meta.name] = meta
    return meta


def unregister_gate_type(name: str) -> None:
    _REGISTERED.pop(name, None)


def builtin_gate_types() -> dict[str, GateType]:
    """The gate types of the package's ``gate_types`` folder, found by listing it."""
    package = importlib.import_module(BUILTIN_PACKAGE)
    found: dict[str, GateType] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}")
        meta = getattr(getattr(module, info.name, None), "__gate_type__", None)
        if not isinstance(meta, GateType):
            continue  # a helper module: no function of its own name declared as a gate type
        if meta.name != info.name:
            raise ConfigError(f"built-in gate type module {info.name} declares the type '{meta.name}'",
                              where=getattr(module, "__file__", None),
                              hint="module name, function name and type name must be the same")
        found[meta.name] = meta
    return found


def load_gate_types() -> dict[str, GateType]:
    """Every gate type: built-ins, then third-party entry points, then in-process ones."""
    found = builtin_gate_types()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.value.startswith(BUILTIN_PACKAGE + "."):
            continue  # a built-in listed by an older install's metadata: found above
        fn = _load(ep, "gate type")
        meta = getattr(fn, "__gate_type__", None) or describe_gate_type(fn, ep.name)
        if meta.name in found:
            raise ConfigError(f"gate type plugin '{ep.name}' ({ep.value}) redefines the "
                              f"gate type '{meta.name}'", hint="rename the plugin's gate type")
        found[meta.name] = meta
    found.update(_REGISTERED)
    return found


def load_views() -> tuple[str, ...]:
    """Register the built-in named views and those of ``gatekeeper.views`` entry points."""
    for module in BUILTIN_VIEWS:
        importlib.import_module(module)
    for ep in entry_points(group=VIEW_ENTRY_POINT_GROUP):
        if ep.name in BUILTIN_VIEW_NAMES:
            raise ConfigError(f"view plugin '{ep.name}' ({ep.value}) replaces the built-in view "
                              f"'{ep.name}'", hint="give the plugin's view another name")
        register_view(ep.name, _load(ep, "view"))
    return view_names()


def load_catalog() -> Catalog:
    """What a run may name: every gate type and every model view."""
    return Catalog(gate_types=load_gate_types(), views=load_views())


def _load(ep, what: str):
    try:
        return ep.load()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is named in one line, not a traceback
        raise ConfigError(f"{what} plugin '{ep.name}' ({ep.value}) failed to import: {exc}",
                          hint="fix or uninstall the package that provides it") from None
