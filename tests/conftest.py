"""Shared fixtures: tiny real models (built once per session) and an isolated cache."""

from __future__ import annotations

import pytest

from testkit.tiny import build_tiny_adapter, build_tiny_model


@pytest.fixture(scope="session", autouse=True)
def isolated_cache_dir(tmp_path_factory):
    """Point GATEKEEPER_CACHE_DIR at a per-session tmp dir: tests never touch the user's cache."""
    patch = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("gatekeeper-cache")
    patch.setenv("GATEKEEPER_CACHE_DIR", str(path))
    yield path
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def outside_any_launcher():
    """pytest itself may run inside a torchrun job: the CLI checks of the suite must not
    join it (they read RANK/WORLD_SIZE/LOCAL_RANK like any `gatekeeper check`). Tests of
    launched mode set these variables themselves."""
    patch = pytest.MonkeyPatch()
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "GATEKEEPER_DIST_TIMEOUT"):
        patch.delenv(name, raising=False)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer Llama with a ChatML template, saved as a local safetensors model dir."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_adapter_dir(tiny_model_dir, tmp_path_factory):
    """A LoRA adapter (q_proj, v_proj) for the tiny model that changes its greedy outputs."""
    return build_tiny_adapter(tiny_model_dir, tmp_path_factory.mktemp("tiny-adapter"), seed=1)


@pytest.fixture(scope="session")
def tiny_adapter_dir_2(tiny_model_dir, tmp_path_factory):
    """A second adapter (different seed): a different candidate of the same base."""
    return build_tiny_adapter(tiny_model_dir, tmp_path_factory.mktemp("tiny-adapter-2"), seed=2)


@pytest.fixture
def static_gate_types():
    """Register the static test gate types of tests/testkit/bundles.py (no model) for one test.

    Files whose bundles use them say ``pytestmark = pytest.mark.usefixtures("static_gate_types")``.
    """
    from testkit.bundles import STATIC_TYPES
    from gatekeeper.run.registry import register_gate_type, unregister_gate_type

    for fn in STATIC_TYPES:
        register_gate_type(fn)
    yield
    for fn in STATIC_TYPES:
        unregister_gate_type(fn.__gate_type__.name)
