"""gatekeeper: decide whether a fine-tuned LLM adapter may ship.

The stable public API, for python gates and third-party gate types::

    from gatekeeper import gate_type, Metric, Measurement, Samples, GateContext, MeasurementError

Names are imported on first use (PEP 562), so ``import gatekeeper`` stays light: heavy
libraries (torch, transformers, peft, trl, lm_eval) are imported lazily, inside the
functions that need them, and ``gatekeeper --help`` and ``gatekeeper validate`` stay fast.
The package's own modules import from their floors (gatekeeper.core, gatekeeper.run), never
from here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gatekeeper.core.version import __version__

# public name -> the module that owns it
_API = {
    "gate_type": "gatekeeper.core.gatetype",
    "GateType": "gatekeeper.core.gatetype",
    "PATH_ROLES": "gatekeeper.core.gatetype",
    "Param": "gatekeeper.core.gatetype",
    "Metric": "gatekeeper.core.metrics",
    "Measurement": "gatekeeper.core.measurement",
    "Samples": "gatekeeper.core.measurement",
    "ItemResult": "gatekeeper.core.measurement",
    "GateSpec": "gatekeeper.core.spec",
    "Threshold": "gatekeeper.core.spec",
    "Comparison": "gatekeeper.core.spec",
    "GatekeeperError": "gatekeeper.core.errors",
    "ConfigError": "gatekeeper.core.errors",
    "MeasurementError": "gatekeeper.core.errors",
    "GateSkipped": "gatekeeper.core.errors",
    "GateContext": "gatekeeper.run.context",
    "ModelView": "gatekeeper.run.views",
    "register_view": "gatekeeper.run.views",
    "register_gate_type": "gatekeeper.run.registry",
}

__all__ = [  # the names of _API, written out for tools that read __all__ statically
    "__version__", "gate_type", "GateType", "PATH_ROLES", "Param", "Metric", "Measurement",
    "Samples", "ItemResult", "GateSpec", "Threshold", "Comparison", "GatekeeperError",
    "ConfigError", "MeasurementError", "GateSkipped", "GateContext", "ModelView",
    "register_view", "register_gate_type",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load on first use
    from gatekeeper.core.errors import ConfigError, GatekeeperError, GateSkipped, MeasurementError
    from gatekeeper.core.gatetype import PATH_ROLES, GateType, Param, gate_type
    from gatekeeper.core.measurement import ItemResult, Measurement, Samples
    from gatekeeper.core.metrics import Metric
    from gatekeeper.core.spec import Comparison, GateSpec, Threshold
    from gatekeeper.run.context import GateContext
    from gatekeeper.run.registry import register_gate_type
    from gatekeeper.run.views import ModelView, register_view


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'gatekeeper' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
