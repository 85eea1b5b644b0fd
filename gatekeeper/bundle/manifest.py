"""Load and validate a bundle: its manifest, its paths (none may escape), its weight formats.

A bundle directory pins one release (DESIGN.md §5). ``load_bundle`` reads
``gatekeeper.yaml``, validates it against ``schemas/manifest.schema.json`` and resolves every
path. Locking lives in ``gatekeeper.lock``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gatekeeper.bundle.baselines import AdapterBaseline, parse_baselines
from gatekeeper.core.errors import BundleError, CollectionErrors, ConfigError
from gatekeeper.bundle.recipe import Recipe, parse_recipe
from gatekeeper.core.files import PICKLE_SUFFIXES, is_special
from gatekeeper.bundle.validation import read_json, schema_errors
from gatekeeper.bundle.yamlio import Document, load_yaml, read_text

MANIFEST = "gatekeeper.yaml"
# name and version become file names (reports/NAME-VERSION-TIME): no separators, no "..",
# no control characters. A JSON Schema `pattern` cannot say this: Python's `$` also matches
# before a trailing newline.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
VERSION_RE = re.compile(r"[A-Za-z0-9]+(?:[._+-][A-Za-z0-9]+){0,31}")


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(value: str) -> str | None:
    """``${NAME}`` in a path written in the manifest or a gate file, replaced by the
    variable's value; None when a variable it names is unset or empty (the path is then
    treated as not given). This is the only way the environment reaches data: a variable
    nobody wrote into the bundle changes nothing, and whatever one resolves to is locked."""
    missing = [name for name in _ENV_REF.findall(value) if not os.environ.get(name)]
    if missing:
        return None
    return _ENV_REF.sub(lambda m: os.environ[m.group(1)], value)


@dataclass(frozen=True)
class BaseModel:
    """Which base model the adapter applies to, and how to load it."""

    model: str
    revision: str | None = None
    dtype: str = "auto"
    quantization: str | None = None


@dataclass(frozen=True)
class Bundle:
    root: Path
    name: str
    version: str
    base: BaseModel
    adapter: Path | None
    chat_template: Path | None
    gate_sources: tuple[Path, ...]
    data_roots: tuple[Path, ...] = ()
    releases: Path | None = None
    train: dict | None = None          # the raw `train:` block (lock.py reads its paths)
    recipe: Recipe | None = None       # the same block, typed and validated (gatekeeper/bundle/recipe.py)
    seed: int = 0
    allow_pickle: bool = False
    trust_remote_code: bool = False
    manifest: dict = field(default_factory=dict)
    baselines: dict = field(default_factory=dict)  # name -> PromptedBaseline | AdapterBaseline (bundle/baselines.py)
    document: Document | None = field(default=None, repr=False, compare=False)

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def allowed_roots(self) -> tuple[Path, ...]:
        """Directories that gate files may read from: the bundle and declared data roots."""
        return (self.root, *self.data_roots)


def load_bundle(path: str | Path, *, allow_missing_adapter: bool = False) -> Bundle:
    """Read, validate and resolve a bundle; every problem found is reported together.

    ``allow_missing_adapter``: the adapter directory may not exist yet (``gatekeeper train``).
    """
    root = Path(path).resolve()
    if not root.is_dir():
        raise BundleError("bundle directory not found", where=path,
                          hint="pass the directory that holds gatekeeper.yaml "
                               "(create one with `gatekeeper init DIR`)")
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"no {MANIFEST} in the bundle", where=root,
                          hint=f"create one with `gatekeeper init {path}`")
    doc = load_yaml(manifest_path, "manifest")
    if not isinstance(doc.data, dict):
        raise BundleError("manifest must be a mapping of keys (name, version, base, gates, ...)",
                          where=manifest_path, line=1, hint="see `gatekeeper init` for an example")
    errors = schema_errors(doc, "manifest.schema.json", "manifest")
    if errors:
        raise CollectionErrors(errors)
    return _build(root, doc, errors, allow_missing_adapter)


def _identity_errors(doc: Document) -> list[ConfigError]:
    """name and version must be plain words: they end up in paths and report titles."""
    errors: list[ConfigError] = []
    checks = (("name", NAME_RE, "letters, digits, '.', '_' or '-', starting with a letter or digit"),
              ("version", VERSION_RE, "a plain version such as 1.3.0, 2024.05 or 1.0-rc1"))
    for key, pattern, expected in checks:
        value = doc.data.get(key)
        if isinstance(value, str) and (not pattern.fullmatch(value) or ".." in value):
            errors.append(BundleError(f"manifest: {key} {value!r} is not {expected}",
                                      where=doc.path, line=doc.line((key,)),
                                      hint=f"the {key} is used in report directory names; "
                                           "no slashes, spaces or control characters"))
    return errors


def _build(root: Path, doc: Document, errors: list, allow_missing_adapter: bool = False) -> Bundle:
    data: dict[str, Any] = doc.data
    adapter_value: Any = data.get("adapter")
    adapter_missing = (allow_missing_adapter and isinstance(adapter_value, str)
                       and not (root / adapter_value).exists()
                       and (root / adapter_value).resolve().is_relative_to(root))
    errors.extend(_identity_errors(doc))
    resolve = _Resolver(root, doc, errors)
    base = BaseModel(**{k: v for k, v in data["base"].items()})
    if base.dtype is None:
        base = BaseModel(base.model, base.revision, "auto", base.quantization)
    train = data.get("train") or None
    if base.quantization is None and train and train.get("quantization"):
        base = BaseModel(base.model, base.revision, base.dtype, train["quantization"])
    data_roots = tuple(p for i, _ in enumerate(data.get("data_roots") or [])
                       if (p := resolve.declared(("data_roots", i), kind="dir", expand=True)) is not None)
    bundle = Bundle(
        root=root, name=data["name"], version=str(data["version"]), base=base,
        adapter=(root / adapter_value).resolve() if adapter_missing else resolve.inside("adapter", kind="dir"),
        chat_template=resolve.inside("chat_template", kind="file"),
        gate_sources=tuple(p for i, _ in enumerate(data["gates"])
                           if (p := resolve.gate_source(("gates", i), data_roots)) is not None),
        data_roots=data_roots,
        releases=resolve.declared(("releases",), kind="any", must_exist=False),
        train=train, seed=int(data.get("seed", 0)),
        allow_pickle=bool(data.get("allow_pickle", False)),
        trust_remote_code=bool(data.get("trust_remote_code", False)),
        manifest=data, document=doc,
    )
    baselines, baseline_errors = parse_baselines(
        data.get("baselines"), lambda key: resolve.inside(key, kind="file", extra_roots=bundle.data_roots),
        lambda key: resolve.inside(key, kind="dir", extra_roots=bundle.data_roots), resolve._error)
    errors.extend(baseline_errors)
    bundle = replace(bundle, baselines=baselines)
    if train:
        recipe, recipe_errors = parse_recipe(train, root=root, allowed_roots=bundle.data_roots, doc=doc)
        errors.extend(recipe_errors)
        bundle = replace(bundle, recipe=recipe)
    if bundle.adapter is not None and not adapter_missing:
        errors.extend(_weight_format_errors(bundle, doc, bundle.adapter, ("adapter",)))
    for name, baseline in bundle.baselines.items():
        if isinstance(baseline, AdapterBaseline):
            key = ("baselines", name, "adapter")
            errors.extend(_weight_format_errors(bundle, doc, baseline.adapter, key)
                          or _same_base_errors(bundle, doc, baseline.adapter, key))
    errors.extend(_content_errors(bundle))
    if errors:
        raise CollectionErrors(errors)
    return bundle


def _weight_format_errors(bundle: Bundle, doc: Document, adapter: Path, key: tuple) -> list[ConfigError]:
    """An adapter directory (the candidate's, at manifest ``key``, or a named baseline's) holds
    regular files inside the bundle and a peft config; pickle weights can run code when
    loaded: refuse them unless the manifest opts in."""
    errors: list[ConfigError] = []
    files = []
    roots = (bundle.root,) if key == ("adapter",) else (bundle.root, *bundle.data_roots)
    for p in sorted(adapter.rglob("*")):
        if not any(p.resolve().is_relative_to(r) for r in roots):
            errors.append(BundleError(
                f"adapter file '{_rel(bundle, p)}' is a link that leaves the bundle "
                f"(to {p.resolve()})", where=bundle.manifest_path, line=doc.line(key),
                hint="copy the file into the bundle: everything that ships must be inside it"))
        elif p.is_file():
            files.append(p)
        elif is_special(p):
            errors.append(BundleError(
                f"adapter file '{_rel(bundle, p)}' is a FIFO, socket or device",
                where=bundle.manifest_path, line=doc.line(key),
                hint="replace it with a regular file: the lock pins regular files only"))
    pickles = [p for p in files if p.suffix in PICKLE_SUFFIXES]
    if pickles and not bundle.allow_pickle:
        names = ", ".join(_rel(bundle, p) for p in pickles)
        errors.append(BundleError(
            f"adapter contains pickle weights ({names}); pickle files can execute code when loaded",
            where=bundle.manifest_path, line=doc.line(key),
            hint="convert the adapter to safetensors (peft: save_pretrained(..., "
                 "safe_serialization=True)) or set `allow_pickle: true` if you trust its source"))
    if not (adapter / "adapter_config.json").is_file():
        errors.append(BundleError("adapter directory has no adapter_config.json",
                                  where=bundle.manifest_path, line=doc.line(key),
                                  hint=f"point `{'.'.join(key)}:` at a directory written by peft "
                                       "save_pretrained, or train one with `gatekeeper train`"))
    return errors


def _rel(bundle: Bundle, path: Path) -> str:
    return os.path.relpath(path, bundle.root)


def _same_base_errors(bundle: Bundle, doc: Document, other: Path, key: tuple) -> list[ConfigError]:
    """A named adapter baseline must be an adapter of the candidate's base model: both
    adapter_config.json files name the same ``base_model_name_or_path`` (when both name one)."""
    mine = _adapter_base(bundle.adapter) if bundle.adapter else None
    theirs = _adapter_base(other)
    if isinstance(theirs, ConfigError):
        return [theirs]
    if mine and theirs and not isinstance(mine, ConfigError) and mine != theirs:
        return [BundleError(f"{'.'.join(key)}: the adapter was made for base '{theirs}', the candidate "
                            f"for '{mine}'", where=bundle.manifest_path, line=doc.line(key),
                            hint="a named adapter baseline must be an adapter of the same base model "
                                 "(base_model_name_or_path in adapter_config.json)")]
    return []


def _adapter_base(adapter: Path) -> "str | None | ConfigError":
    config = adapter / "adapter_config.json"
    if not config.is_file():
        return None
    try:
        data = read_json(config, "adapter_config.json")
    except ConfigError as exc:
        return exc
    if not isinstance(data, dict):
        return BundleError(f"adapter_config.json holds a JSON {type(data).__name__}, expected an object",
                           where=config, hint="restore the file peft save_pretrained wrote")
    value = data.get("base_model_name_or_path")
    return value if isinstance(value, str) and value else None




def _content_errors(bundle: Bundle) -> list[ConfigError]:
    """Files the model loader would choke on mid-run, checked now: the chat template must
    parse as Jinja, adapter_config.json as a JSON object."""
    errors: list[ConfigError] = []
    if bundle.chat_template is not None:
        from jinja2 import Environment, TemplateSyntaxError

        try:
            Environment().parse(read_text(bundle.chat_template, "chat template"))
        except TemplateSyntaxError as exc:
            errors.append(BundleError(f"chat template does not parse: {exc.message}",
                                      where=bundle.chat_template, line=exc.lineno,
                                      hint="fix the Jinja syntax ({% ... %}, {{ ... }})"))
        except ConfigError as exc:
            errors.append(exc)
    config = bundle.adapter / "adapter_config.json" if bundle.adapter else None
    if config is not None and config.is_file():
        try:
            data = read_json(config, "adapter_config.json")
            if not isinstance(data, dict):
                errors.append(BundleError(f"adapter_config.json holds a JSON {type(data).__name__}, "
                                          "expected an object", where=config,
                                          hint="restore the file peft save_pretrained wrote"))
        except ConfigError as exc:
            errors.append(exc)
    return errors


class _Resolver:
    """Resolves manifest paths relative to the bundle, collecting errors instead of raising."""

    def __init__(self, root: Path, doc: Document, errors: list):
        self.root, self.doc, self.errors = root, doc, errors

    def _value(self, key):
        node = self.doc.data
        for part in key:
            node = node.get(part) if isinstance(node, dict) else node[part]
            if node is None:
                return None
        return node

    def inside(self, key, kind="any", extra_roots=()):
        """A path that must stay inside the bundle (or one of ``extra_roots``)."""
        key = (key,) if isinstance(key, str) else key
        value = self._value(key)
        if value is None:
            return None
        path = (self.root / value).resolve()
        if not any(path.is_relative_to(r) for r in (self.root, *extra_roots)):
            self._error(key, f"path '{value}' leaves the bundle", "keep bundle files inside the "
                        "bundle directory; shared files go in `gates:`, `data_roots:` or `releases:`")
            return None
        return self._check_exists(key, value, path, kind)

    def declared(self, key, kind="any", must_exist=True, expand=False):
        """A path declared in the manifest that may point outside the bundle; ``expand``:
        ``${NAME}`` is replaced by the variable (an unset one drops the entry)."""
        value = self._value(key)
        if isinstance(value, str) and expand:
            value = expand_env(value)
        if value is None:
            return None
        path = (self.root / value).resolve()
        return self._check_exists(key, value, path, kind) if must_exist else path

    def gate_source(self, key, data_roots: tuple[Path, ...]):
        """A `gates:` entry: inside the bundle or a declared data root, or else one shared
        YAML gate file (which must parse as gate declarations). A folder or python file
        outside both is refused: the lock would pin, and a release store, all it holds."""
        path = self.declared(key)
        if path is None or any(path.is_relative_to(r) for r in (self.root, *data_roots)):
            return path
        if path.is_file() and path.suffix in (".yaml", ".yml"):
            return path
        what = "folder" if path.is_dir() else "python file" if path.suffix == ".py" else "file"
        self._error(key, f"'{self._value(key)}' is a {what} outside the bundle and its data_roots "
                    f"(resolved to {path})", "name shared YAML gate files one by one, or declare "
                    "the folder in `data_roots:` on purpose")
        return None

    def _check_exists(self, key, value, path: Path, kind: str):
        if not path.exists():
            self._error(key, f"path '{value}' does not exist (resolved to {path})",
                        "paths in the manifest are relative to the bundle directory")
            return None
        if kind == "dir" and not path.is_dir():
            self._error(key, f"'{value}' is a file, expected a directory", None)
            return None
        if kind == "file" and not path.is_file():
            self._error(key, f"'{value}' is a directory, expected a file", None)
            return None
        return path

    def _error(self, key, message, hint):
        self.errors.append(BundleError(f"{'.'.join(map(str, key))}: {message}",
                                       where=self.root / MANIFEST, line=self.doc.line(key), hint=hint))
