"""Collect gate files into validated GateSpecs, reporting every problem at once.

Runs before any model loads (``gatekeeper validate`` stops here): unknown gate types,
misspelled parameters, bad thresholds, missing or unreadable golden sets are all found in
one pass and raised together as CollectionErrors, each with file:line and a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gatekeeper.bundle.baselines import AdapterBaseline
from gatekeeper.bundle.manifest import Bundle, expand_env
from gatekeeper.core.errors import CollectionErrors, ConfigError, GatekeeperError, Location, suggest
from gatekeeper.bundle.golden import load_golden
from gatekeeper.core.gatetype import Catalog, GateType
from gatekeeper.verdict.rules import threshold_problems
from gatekeeper.core.spec import Comparison, GateSpec, Threshold
from gatekeeper.bundle.validation import schema_error_paths, schema_errors
from gatekeeper.bundle.yamlio import Document, load_yaml, read_text

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Collection:
    """What a run will execute: declarative gates and the bundle's python gate files."""

    gates: tuple[GateSpec, ...]
    gate_files: tuple[Path, ...]
    python_files: tuple[Path, ...]
    gate_types: dict

    def gate_type(self, spec: GateSpec) -> GateType:
        return self.gate_types[spec.type]


def collect_gates(bundle: Bundle, catalog: Catalog) -> Collection:
    """Parse and validate every gate file the manifest names, against the ``catalog`` of
    gate types and views (``gatekeeper.run.registry.load_catalog()``)."""
    gate_types = dict(catalog.gate_types)
    errors: list[GatekeeperError] = []
    yaml_files, py_files = _gate_files(bundle, errors)
    for name, baseline in bundle.baselines.items():  # a plugin's view would silently win
        if isinstance(baseline, AdapterBaseline) and name in catalog.views:
            doc = bundle.document
            errors.append(ConfigError(f"baselines.{name}: '{name}' is also a registered model view",
                                      where=bundle.manifest_path,
                                      line=doc.line(("baselines", name)) if doc else None,
                                      hint="give the adapter baseline another name"))
    gates: list[GateSpec] = []
    ids: list[tuple[str, Location]] = []  # every entry's id, built or not: duplicates in the same pass
    for path in yaml_files:
        try:
            doc = load_yaml(path, "gate file")
        except ConfigError as exc:
            errors.append(exc)
            continue
        gates.extend(_collect_file(bundle, doc, catalog, errors, ids))
    _check_unique_ids(ids, errors)
    if errors:
        raise CollectionErrors(errors)
    return Collection(tuple(gates), tuple(yaml_files), tuple(py_files), gate_types)


def _gate_files(bundle: Bundle, errors: list) -> tuple[list[Path], list[Path]]:
    yaml_files: list[Path] = []
    py_files: list[Path] = []
    for source in bundle.gate_sources:
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        if source.is_dir() and not any(_is_gate_file(f) for f in files):
            errors.append(ConfigError(f"gates: folder '{source}' holds no gate file (.yaml, .yml or .py)",
                                      where=bundle.manifest_path, line=_gates_line(bundle, source),
                                      hint="add a gate file to it or remove it from `gates:`"))
        for f in files:
            if f.suffix in YAML_SUFFIXES:
                yaml_files.append(f)
            elif f.suffix == ".py" and f.name not in ("conftest.py", "__init__.py"):
                py_files.append(f)
                _check_python_syntax(f, errors)
            elif not source.is_dir():
                errors.append(ConfigError(f"gate source '{f}' is neither YAML nor Python",
                                          where=bundle.manifest_path,
                                          hint="list .yaml gate files, .py gate modules or directories"))
    if not yaml_files and not py_files and not errors:
        errors.append(ConfigError("the manifest's `gates:` name no gate file",
                                  where=bundle.manifest_path,
                                  hint="add a .yaml gate file under gates/ (see `gatekeeper init`)"))
    return yaml_files, py_files


def _is_gate_file(path: Path) -> bool:
    return path.suffix in YAML_SUFFIXES or (path.suffix == ".py"
                                            and path.name not in ("conftest.py", "__init__.py"))


def _gates_line(bundle: Bundle, source: Path) -> int | None:
    """The manifest line of the `gates:` entry that resolved to ``source``."""
    if bundle.document is None:
        return None
    for i, value in enumerate(bundle.manifest.get("gates") or []):
        if isinstance(value, str) and (bundle.root / value).resolve() == source:
            return bundle.document.line(("gates", i))
    return bundle.document.line(("gates",))


def _check_python_syntax(path: Path, errors: list) -> None:
    """A python gate file that does not parse is a config error at file:line, found by
    `validate` (compiling runs nothing), not a pytest collection error mid-run."""
    try:
        compile(read_text(path, "python gate file"), str(path), "exec", dont_inherit=True)
    except ConfigError as exc:
        errors.append(exc)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        errors.append(ConfigError(f"python gate file does not parse: {getattr(exc, 'msg', exc)}",
                                  where=path, line=line, hint="fix the Python syntax"))


def _collect_file(bundle: Bundle, doc: Document, catalog: Catalog, errors: list,
                  ids: list) -> list[GateSpec]:
    """Every gate of one file; an entry with a schema error is not built further, but every
    other entry still is, so one `validate` reports every kind of mistake at once."""
    if doc.data is None:
        errors.append(ConfigError("gate file is empty", where=doc.path, line=1,
                                  hint="add a `gates:` list, e.g. `gates: [{id: x.accuracy, "
                                       "type: task_accuracy, ...}]`"))
        return []
    if not isinstance(doc.data, dict):
        errors.append(ConfigError("gate file must be a mapping with a `gates:` list",
                                  where=doc.path, line=1, hint="start the file with `gates:`"))
        return []
    problems = schema_errors(doc, "gatefile.schema.json", "gate file")
    errors.extend(problems)
    broken = schema_error_paths(doc, "gatefile.schema.json")
    entries = doc.data.get("gates")
    if any(len(p) < 2 for p in broken) or not isinstance(entries, list):
        return []  # the file's shape itself is wrong: no entry can be read
    ids.extend((raw["id"], Location(str(doc.path), doc.line(("gates", i, "id"))))
               for i, raw in enumerate(entries) if isinstance(raw, dict) and isinstance(raw.get("id"), str))
    roots = _allowed_roots(bundle, doc.path)
    specs = []
    for index, raw in enumerate(entries):
        if ("gates", index) in broken:
            continue
        spec = _build_spec(bundle, doc, ("gates", index), raw, catalog, roots, errors)
        if spec is not None:
            specs.append(spec)
    return specs


def _allowed_roots(bundle: Bundle, gate_file: Path) -> tuple[Path, ...]:
    """A shared gate file (outside the bundle) may also read beside itself."""
    roots = bundle.allowed_roots()
    return roots if gate_file.is_relative_to(bundle.root) else (*roots, gate_file.parent)


def _build_spec(bundle, doc, key, raw, catalog: Catalog, roots, errors) -> GateSpec | None:
    at = _At(doc, key, errors)
    gtype = catalog.gate_types.get(raw["type"])
    if gtype is None:
        close = suggest(raw["type"], catalog.gate_types)
        at.error(("type",), f"unknown gate type '{raw['type']}'",
                 f"did you mean '{close}'?" if close else "run `gatekeeper list` to see gate types")
        return None
    params = dict(raw.get("params") or {})
    for problem in gtype.bind(params):
        at.error(("params",), problem, "run `gatekeeper list` for each type's parameters")
    inputs_ok = not at.failed  # parameters bind: the type's own check can run on them
    for name, written in gtype.paths(params):  # every role: each path stays inside the bundle
        value = expand_env(written)  # ${NAME}: the environment, declared here
        if value is None:
            del params[name]  # it names an unset variable: as if not given
        else:
            params[name] = at.path(("params", name), value, roots)
    golden = None
    if "golden_set" in raw:
        golden = at.path(("golden_set",), raw["golden_set"], roots)
    elif gtype.needs_golden:
        at.error((), f"gate type '{gtype.name}' needs a `golden_set:`", "add golden_set: path/to/set.jsonl")
    inputs_ok = inputs_ok and not at.failed  # and every path resolved
    adapters = tuple(n for n, b in bundle.baselines.items() if isinstance(b, AdapterBaseline))
    threshold, comparison = _criteria(raw, gtype, at, (*catalog.views, *adapters))
    if comparison and comparison.against == "prompted" and "prompted" not in bundle.baselines:
        at.error(("vs_baseline", "against"), "this gate compares with the prompted baseline, but the "
                 f"manifest {bundle.manifest_path.name} declares none",
                 "add `baselines: {prompted: {system: ..., fewshot: FILE}}` to the manifest, "
                 "or compare with `against: base`")
    if inputs_ok:  # scorer names, row fields, schema files: found alongside criteria mistakes
        _run_type_check(gtype, params, golden, at)
    if at.failed:
        return None
    return GateSpec(id=raw["id"], type=gtype.name, params=params, golden_set=golden,
                    threshold=threshold, vs_baseline=comparison,
                    severity=raw.get("severity", "block"), description=raw.get("description"),
                    markers=tuple(raw.get("markers") or ()),
                    source=Location(str(doc.path), doc.line(key)), raw=raw)


def _criteria(raw, gtype: GateType, at, views) -> tuple[Threshold | None, Comparison | None]:
    t = raw.get("threshold") or gtype.default_threshold
    c = raw.get("vs_baseline")
    if t is None and c is None:
        at.error((), f"gate '{raw['id']}' has nothing to judge",
                 "add `threshold: {metric: ..., min: ...}` and/or `vs_baseline: {max_drop: ...}`")
        return None, None
    threshold = Threshold(**t) if t else None
    comparison = Comparison(**c) if c else None
    metric_keys = [(("threshold", "metric"), threshold and threshold.metric),
                   (("vs_baseline", "metric"), comparison and comparison.metric)]
    for where, metric in metric_keys:
        names = gtype.metric_names
        if metric and names and metric not in names:
            close = suggest(metric, names)
            at.error(where, f"gate type '{gtype.name}' has no metric '{metric}'",
                     f"did you mean '{close}'?" if close else f"metrics: {', '.join(names)}")
    if comparison and not comparison.metric and not threshold:
        if gtype.metrics:
            comparison = Comparison(**{**c, "metric": gtype.metric_names[0]})
        else:
            at.error(("vs_baseline",), "vs_baseline needs a `metric` when there is no threshold", None)
    if threshold and threshold.bound == "lower95" and threshold.min is None:
        at.error(("threshold", "bound"), "bound lower95 applies to a `min` threshold", "add min: or use upper95 with max:")
    if threshold and threshold.bound == "upper95" and threshold.max is None:
        at.error(("threshold", "bound"), "bound upper95 applies to a `max` threshold", "add max: or use lower95 with min:")
    resolved = {**c, "metric": comparison.metric} if c and comparison and comparison.metric else c
    for key, message, hint in threshold_problems(t, resolved, gtype.metric_table):  # one rule with judge
        at.error(key, message, hint)
    if comparison and comparison.against not in views:
        at.error(("vs_baseline", "against"), f"unknown baseline '{comparison.against}'",
                 f"named views: {', '.join(views)}")
    return threshold, comparison


def _run_type_check(gtype: GateType, params: dict, golden: str | None, at) -> None:
    """Gate-type specific validation (row fields, schema files, scorer names)."""
    try:
        golden_set = load_golden(golden) if golden else None
        if gtype.check is not None:
            gtype.check(params, golden_set)
    except ConfigError as exc:
        if exc.where is None:
            exc.where, exc.line = str(at.doc.path), at.doc.line(at.key + ("params",))
        at.errors.append(exc)
        at.failed = True


def _check_unique_ids(ids: list[tuple[str, Location]], errors: list) -> None:
    seen: dict[str, Location] = {}
    for gate_id, where in ids:
        if gate_id in seen:
            errors.append(ConfigError(f"duplicate gate id '{gate_id}' (first defined at {seen[gate_id]})",
                                      where=where.file, line=where.line,
                                      hint="gate ids must be unique across all gate files of a bundle"))
        seen.setdefault(gate_id, where)


class _At:
    """Error reporting and path resolution for one gate entry."""

    def __init__(self, doc: Document, key: tuple, errors: list):
        self.doc, self.key, self.errors, self.failed = doc, key, errors, False

    def error(self, sub: tuple, message: str, hint: str | None) -> None:
        self.errors.append(ConfigError(message, where=self.doc.path,
                                       line=self.doc.line(self.key + sub), hint=hint))
        self.failed = True

    def path(self, sub: tuple, value: str, roots: tuple[Path, ...]) -> str | None:
        path = (self.doc.path.parent / value).resolve()
        if not any(path.is_relative_to(r) for r in roots):
            self.error(sub, f"path '{value}' leaves the bundle (resolved to {path})",
                       "paths are relative to the gate file; to read a shared directory, "
                       "declare it in the manifest's `data_roots:`")
            return None
        if not path.exists():
            self.error(sub, f"path '{value}' does not exist (resolved to {path})",
                       "paths are relative to the gate file")
            return None
        return str(path)
