"""Where gate types and views come from: built-ins found by listing gatekeeper/gate_types/
(a new module needs no reinstall), third parties through entry points, views that
register themselves."""

from __future__ import annotations

import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

import gatekeeper.gate_types
import gatekeeper.run.registry as registry
from gatekeeper.core.errors import ConfigError
from gatekeeper.run.views import unregister_view, view_names

FRESH = '''
from gatekeeper.core.gatetype import gate_type
from gatekeeper.core.measurement import Measurement


@gate_type(needs_model=False, metrics=("rate",), path_params={"data": "eval"}, positive=("n",))
def NAME(ctx, *, data: str | None = None, n: int = 1) -> Measurement:
    """A gate type nobody installed."""
    return Measurement(metrics={"rate": 1.0}, n=n)
'''


@pytest.fixture
def gate_types_dir(tmp_path, monkeypatch):
    """A second folder of the gatekeeper.gate_types package, as if files were added to it."""
    folder = tmp_path / "more_gate_types"
    folder.mkdir()
    monkeypatch.setattr(gatekeeper.gate_types, "__path__", [*gatekeeper.gate_types.__path__, str(folder)])
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if name.startswith("gatekeeper.gate_types."):
            del sys.modules[name]


def test_a_new_module_under_gate_types_is_found_without_reinstalling(gate_types_dir):
    (gate_types_dir / "fresh_probe.py").write_text(FRESH.replace("NAME", "fresh_probe"))
    (gate_types_dir / "fresh_helpers.py").write_text("def fresh_helpers():\n    return 1\n")
    (gate_types_dir / "_private.py").write_text("raise RuntimeError('a private module is not imported')\n")
    catalog = registry.load_catalog()
    fresh = catalog.gate_types["fresh_probe"]
    assert fresh.module == "gatekeeper.gate_types.fresh_probe" and fresh.fn.__name__ == "fresh_probe"
    assert dict(fresh.path_params) == {"data": "eval"} and fresh.positive == ("n",)
    assert "fresh_helpers" not in catalog.gate_types and "_private" not in catalog.gate_types
    assert {"task_accuracy", "serving", "contamination"} <= set(catalog.gate_types)
    assert fresh.bind({"n": 0}) == ["parameter 'n' must be at least 1, found 0"]


def test_a_module_whose_type_has_another_name_is_refused(gate_types_dir):
    text = FRESH.replace("NAME", "odd_module").replace("@gate_type(", '@gate_type("other_name", ')
    (gate_types_dir / "odd_module.py").write_text(text)
    with pytest.raises(ConfigError, match="module odd_module declares the type 'other_name'"):
        registry.load_catalog()


def _entry_points(monkeypatch, **groups):
    """Pretend installed packages declare these entry points: group -> [(name, value)]."""
    def fake(*, group):
        return [EntryPoint(name, value, group) for name, value in groups.get(group, [])]
    monkeypatch.setattr(registry, "entry_points", fake)


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    """A third-party module on sys.path: a gate type and a view factory."""
    (tmp_path / "third_party_gk.py").write_text(textwrap.dedent('''
        from gatekeeper import ModelView, gate_type, Measurement

        @gate_type(needs_model=False, metrics=("rate",))
        def outside(ctx) -> Measurement:
            """A third-party gate type."""
            return Measurement(metrics={"rate": 1.0}, n=1)

        def shouting(access):
            return ModelView(access, "shouting", adapter=False, prefix=[{"role": "system", "content": "SHOUT"}])
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "third_party_gk"
    sys.modules.pop("third_party_gk", None)
    unregister_view("shouting")


def test_third_party_gate_types_and_views_come_from_entry_points(monkeypatch, plugin_module):
    _entry_points(monkeypatch, **{
        "gatekeeper.gate_types": [("outside", f"{plugin_module}:outside"),
                                  # an older install listed the built-ins too: found in the package
                                  ("task_accuracy", "gatekeeper.gate_types.task_accuracy:task_accuracy")],
        "gatekeeper.views": [("shouting", f"{plugin_module}:shouting")]})
    catalog = registry.load_catalog()
    assert catalog.gate_types["outside"].module == plugin_module
    assert catalog.gate_types["task_accuracy"].module == "gatekeeper.gate_types.task_accuracy"
    assert "shouting" in catalog.views and "shouting" in view_names()


def test_built_in_views_register_themselves_when_the_catalog_loads():
    views = registry.load_catalog().views
    assert {"candidate", "base", "prompted", "previous_release"} <= set(views)
    assert registry.BUILTIN_VIEWS == ("gatekeeper.run.prompted", "gatekeeper.releases.view")
