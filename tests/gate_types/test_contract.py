"""Every registered built-in gate type keeps the house contract: module name = function
name = type name, a report fragment, a test module of its own, a README section with every
parameter documented, and a fragment that draws from a real measurement of that type."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from gatekeeper.report.fragments import fragment_path, render_fragment
from gatekeeper.run.registry import load_gate_types

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text("utf-8")
EXAMPLE = json.loads((REPO / "reports" / "example" / "report.json").read_text("utf-8"))
BUILTIN = {name: t for name, t in load_gate_types().items()
           if t.module.startswith("gatekeeper.gate_types.")}


def test_every_gate_type_module_is_registered():
    modules = {p.stem for p in (REPO / "gatekeeper" / "gate_types").glob("*.py")
               if not p.stem.startswith("_")}
    assert modules == set(BUILTIN), "a module under gatekeeper/gate_types/ is one gate type"


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_module_function_and_type_share_one_name(name):
    gate = BUILTIN[name]
    assert gate.module == f"gatekeeper.gate_types.{name}"
    assert gate.fn.__name__ == name


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_it_has_a_fragment_and_a_test_module(name):
    assert fragment_path(name) is not None, f"gatekeeper/gate_types/{name}.html.j2 is missing"
    assert (REPO / "tests" / "gate_types" / f"test_{name}.py").is_file()


def _readme_section(name: str) -> str:
    match = re.search(rf"^\*\*`{name}`\*\*.*?(?=^\*\*`[a-z_]+`\*\*|^### )", README, re.M | re.S)
    assert match, f"README.md has no **`{name}`** section under 'Gate types'"
    return match.group(0)


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_readme_documents_it_and_every_parameter(name):
    section = _readme_section(name)
    documented = set(re.findall(r"^\| `([a-z_]+)`", section, re.M))
    documented |= {n for row in re.findall(r"^\| (`[a-z_]+`(?:[ ,/]+`[a-z_]+`)+) \|", section, re.M)
                   for n in re.findall(r"`([a-z_]+)`", row)}
    missing = [p.name for p in BUILTIN[name].params if p.name not in documented]
    assert not missing, f"README's {name} section does not document: {missing}"
    for metric in BUILTIN[name].metric_names:
        assert metric in section or metric in README, f"metric {metric} of {name} is undocumented"


def _example_gates(name: str) -> list[dict]:
    return [g for g in EXAMPLE["gates"] if g.get("type") == name and
            (g.get("measurement") or {}).get("details")]


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_its_fragment_draws_from_the_committed_example(name):
    gates = _example_gates(name)
    if not gates:
        pytest.skip(f"the example report has no measured {name} gate")
    for gate in gates:
        html, note = render_fragment(copy.deepcopy(gate))
        assert note is None, f"{gate['id']}: {note}"
        assert html and "could not be drawn" not in html


def test_the_example_report_measures_every_gate_type():
    assert {g["type"] for g in EXAMPLE["gates"]} >= set(BUILTIN)


def test_the_contamination_fragment_draws_a_report_written_before_findings():
    # reports written before the overlap warning counted findings have no per-set
    # `findings` and no per-record `finding`: `gatekeeper report` must still draw them
    gates = _example_gates("contamination")
    assert gates
    for gate in gates:
        old = copy.deepcopy(gate)
        details = old["measurement"]["details"]
        for s in details.get("sets", []):
            for key in ("findings", "finding_rate", "content_hits"):
                s.pop(key, None)
            for record in s.get("records", []):
                record.pop("finding", None)
        html, note = render_fragment(old)
        assert note is None, f"{gate['id']}: {note}"
        assert html and "could not be drawn" not in html
