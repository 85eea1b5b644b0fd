"""Per-gate-type report fragments: each gate type draws its own details.

A gate type owns its fragment: a Jinja2 template next to its module,
``<module dir>/<type>.html.j2``, and optionally a module-level function
``report_view(details: dict, gate: dict) -> dict`` that shapes the data for it. The
template is rendered inside the gate's card with ``details``, ``gate`` (the report.json
entry), ``view`` and the shared macros as ``m``. Adding a gate type therefore touches its
module, its template, its tests and the README table, nothing in this package.

Rendering needs only report.json: the gate type's module is imported for its template
and view function (gate-type modules keep heavy imports inside functions). A gate type
that is not installed, or a fragment that fails, falls back to the details as JSON and
says why: a report is never lost to a drawing problem.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from pathlib import Path
from typing import Any, Mapping

from markupsafe import Markup

from gatekeeper.report.env import environment

SUFFIX = ".html.j2"


@functools.lru_cache(maxsize=1)
def _gate_type_modules() -> dict[str, str]:
    """type name -> module name, from the registry (entry points and in-process types)."""
    from gatekeeper.run.registry import load_gate_types

    try:
        return {name: gtype.module for name, gtype in load_gate_types().items()}
    except Exception:  # noqa: BLE001 - a broken plugin must not stop a report from rendering
        return {}


def fragment_path(type_name: str, module: str | None = None) -> Path | None:
    """Where the gate type's template is, if it has one."""
    module = module or _gate_type_modules().get(type_name)
    if not module:
        return None
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).with_name(f"{type_name}{SUFFIX}")
    return path if path.is_file() else None


@functools.lru_cache(maxsize=64)
def _template(path: str, mtime: float):
    return environment().from_string(Path(path).read_text("utf-8"))


def _view(type_name: str, details: Mapping, gate: Mapping) -> Any:
    module = _gate_type_modules().get(type_name)
    if not module:
        return None
    fn = getattr(importlib.import_module(module), "report_view", None)
    return fn(dict(details), dict(gate)) if callable(fn) else None


def render_fragment(gate: Mapping) -> tuple[Markup | None, str | None]:
    """(HTML of the gate type's fragment or None, a note when it could not be drawn)."""
    details = (gate.get("measurement") or {}).get("details") or {}
    type_name = str(gate.get("type") or "")
    path = fragment_path(type_name)
    if path is None or not isinstance(details, Mapping) or not details:
        return None, None
    try:
        macros = environment().get_template("_macros.j2").module
        html = _template(str(path), path.stat().st_mtime).render(
            details=details, gate=gate, view=_view(type_name, details, gate), m=macros)
    except Exception as exc:  # noqa: BLE001 - fall back to the JSON details
        return None, f"the {type_name} fragment could not be drawn ({type(exc).__name__}: {exc})"
    return Markup(html), None
