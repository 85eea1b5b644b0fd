"""The public API at the package top: every name resolves, lazily, without importing torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

import gatekeeper

NAMES = ("gate_type", "GateType", "PATH_ROLES", "Param", "Metric", "Measurement", "Samples",
         "ItemResult", "GateSpec", "Threshold", "Comparison", "GatekeeperError", "ConfigError",
         "MeasurementError", "GateSkipped", "GateContext", "ModelView", "register_view",
         "register_gate_type")


def test_importing_the_api_imports_no_torch():
    code = (f"import sys, gatekeeper\nfrom gatekeeper import {', '.join(NAMES)}\n"
            "heavy = [m for m in ('torch', 'transformers', 'peft', 'lm_eval') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_every_public_name_is_the_owning_modules_object():
    from gatekeeper.core.gatetype import gate_type
    from gatekeeper.run.context import GateContext

    assert set(NAMES) | {"__version__"} == set(gatekeeper.__all__)
    assert gatekeeper.gate_type is gate_type and gatekeeper.GateContext is GateContext
    assert all(getattr(gatekeeper, name) is not None for name in NAMES)
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        gatekeeper.not_a_name  # noqa: B018
