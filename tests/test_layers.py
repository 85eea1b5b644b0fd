"""The house rules of the package, checked on its source: floors import only floors below
them (function-level imports included), no import circle, no module over 400 lines, and no
gate type that imports another gate type or touches an engine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gatekeeper"
# Lowest first. A module may import its own floor and the floors below it.
FLOORS = ("core", "verdict", "model", "data", "safety", "bundle", "evals", "run", "report",
          "releases", "gate_types", "train", "commands", "")  # "": cli, __main__, __init__
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def floor(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in FLOORS) else ""


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def imports_of(module: str) -> list[tuple[str, int]]:
    """Every gatekeeper module this one imports, anywhere in the file, with the line."""
    path = MODULES[module]
    tree = ast.parse(path.read_text("utf-8"))
    typing_only = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if node.lineno in typing_only if hasattr(node, "lineno") else False:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("gatekeeper") and name != module:
                found.append((name, node.lineno))
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def test_floors_are_folders_in_the_declared_order():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(FLOORS) - {""}
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == {"__init__", "__main__", "cli"}


def test_every_import_goes_down_or_across():
    upward = []
    for module, targets in GRAPH.items():
        here = FLOORS.index(floor(module))
        for target, line in targets:
            if target == "gatekeeper":  # the lazy public API: never imported by the package
                upward.append(f"{module}:{line} imports the top-level package")
            elif FLOORS.index(floor(target)) > here:
                upward.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} "
                              f"({floor(module) or 'top'}) imports {target} ({floor(target)})")
    assert not upward, "imports that climb a floor:\n" + "\n".join(upward)


def test_no_import_circle():
    graph = {m: {t for t, _ in targets} for m, targets in GRAPH.items()}
    # a package's __init__ importing its own submodules is not a circle through the package
    for m in graph:
        graph[m] = {t for t in graph[m] if not m.startswith(t + ".")}
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not circles, f"import circles: {circles}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_the_size_limit(module):
    lines = len(MODULES[module].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines (limit {MAX_LINES}): split it"


def test_gate_types_import_no_other_gate_type_and_touch_no_engine():
    problems = []
    for module, targets in GRAPH.items():
        if floor(module) != "gate_types":
            continue
        problems += [f"{module} imports {t}" for t, _ in targets
                     if floor(t) == "gate_types" and t != "gatekeeper.gate_types"]
        source = MODULES[module].read_text("utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"engine", "engine_options", "_engine"}:
                problems.append(f"{module}:{node.lineno} touches .{node.attr}")
        problems += [f"{module} imports {t}" for t, _ in targets
                     if t in {"gatekeeper.model.engine", "gatekeeper.run.runtime", "gatekeeper.run.session"}]
    assert not problems, "\n".join(problems)
