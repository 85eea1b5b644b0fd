"""jsonschema validation of YAML documents, with errors a person can act on."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jsonschema

from gatekeeper.core.errors import ConfigError, suggest
from gatekeeper.bundle.yamlio import Document, read_text


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """A JSON Schema shipped as package data under gatekeeper/schemas/."""
    text = resources.files("gatekeeper").joinpath("schemas", name).read_text("utf-8")
    return json.loads(text)


def schema_errors(doc: Document, schema_name: str, what: str) -> list[ConfigError]:
    """Every schema violation in ``doc`` as a ConfigError pointing at its line."""
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    out: list[ConfigError] = []
    for err in _leaf_errors(errors):
        if err.validator == "additionalProperties":
            out.extend(_unknown_keys(doc, err, what))
        else:
            out.append(_to_config_error(doc, err, what))
    return out


def schema_error_paths(doc: Document, schema_name: str) -> set[tuple]:
    """Where in ``doc`` the schema is violated, each path cut to its first two keys
    (``("gates", 3)``: the fourth gate entry), so a caller can skip only what is broken."""
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    return {tuple(err.absolute_path)[:2] for err in validator.iter_errors(doc.data)}


def _leaf_errors(errors):
    """oneOf/anyOf wrappers hide the useful message; report their most specific child."""
    for err in errors:
        if err.context:
            best = jsonschema.exceptions.best_match(err.context)
            yield best
        else:
            yield err


def _unknown_keys(doc: Document, err: jsonschema.ValidationError, what: str) -> list[ConfigError]:
    """One error per unknown key (jsonschema reports them all in one message)."""
    path = tuple(err.absolute_path)
    dotted = ".".join(str(p) for p in path) or "(top level)"
    allowed = list(err.schema.get("properties", {}))
    patterns = list(err.schema.get("patternProperties", {}))
    extra = [k for k in err.instance if k not in allowed
             and not any(re.search(p, str(k)) for p in patterns)]
    out = []
    for key in extra:
        close = suggest(key, allowed)
        hint = f"did you mean '{close}'?" if close else "allowed keys: " + ", ".join(allowed)
        out.append(ConfigError(f"{what}: unknown key '{key}' in {dotted}", where=doc.path,
                               line=doc.line(path + (key,)), hint=hint))
    return out


def _to_config_error(doc: Document, err: jsonschema.ValidationError, what: str) -> ConfigError:
    path = tuple(err.absolute_path)
    dotted = ".".join(str(p) for p in path) or "(top level)"
    hint = None
    if err.validator == "required":
        hint = f"add {err.message.split(' is a required')[0]} to {dotted}"
    elif err.validator == "enum":
        close = suggest(err.instance, err.validator_value)
        allowed = ", ".join(map(str, err.validator_value))
        hint = f"did you mean '{close}'?" if close else f"use one of: {allowed}"
    elif err.validator == "type":
        hint = f"expected {err.validator_value}, found {type(err.instance).__name__}"
    message = err.schema.get("errorMessage") or err.message
    return ConfigError(f"{what}: {dotted}: {message}", where=doc.path, line=doc.line(path), hint=hint)


class _RemoteRef(Exception):
    """A $ref that would need the network."""


def read_json(path: Path, what: str) -> Any:
    """A JSON file's content; unreadable or malformed files are ConfigErrors naming the line."""
    text = read_text(path, what)
    try:
        return json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"{what} is not valid JSON: {getattr(exc, 'msg', exc)}", where=path,
                          line=line, hint="fix the JSON syntax") from None


@lru_cache(maxsize=16)
def schema_validator(schema_path: str):
    """A validator for the JSON Schema file at ``schema_path``, every $ref resolved up front.

    ``$ref``s resolve to local files only (relative to the schema file, or file: URIs);
    a $ref to a URL is refused: gatekeeper never touches the network at run time.
    """
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    path = Path(schema_path)
    schema = read_json(path, "schema file")
    if not isinstance(schema, (dict, bool)):
        raise ConfigError(f"schema file holds a JSON {type(schema).__name__}, expected an object",
                          where=path, hint="a JSON Schema is an object such as {\"type\": \"object\"}")
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        at = "/".join(map(str, exc.absolute_path)) or "(top level)"
        raise ConfigError(f"schema file is not a valid JSON Schema at {at}: {exc.message}",
                          where=path, hint="see https://json-schema.org/draft/2020-12") from None
    root_dir = path.resolve().parent

    def retrieve(uri: str) -> Resource:
        parts = urlsplit(uri)
        if parts.scheme not in ("", "file") or parts.netloc:
            raise _RemoteRef(uri)
        local = Path(url2pathname(parts.path))
        contents = read_json(local if local.is_absolute() else root_dir / local, "schema $ref target")
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    validator = cls(schema, registry=Registry(retrieve=retrieve))  # type: ignore[call-arg]
    _check_refs(validator._resolver, schema, path, set())
    return validator


def _check_refs(resolver, contents: Any, path: Path, seen: set) -> None:
    """Resolve every $ref now, so a broken or remote one fails at collection, not mid-run."""
    from referencing.exceptions import Unresolvable

    refs = list(_refs_in(contents))
    for ref in refs:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:
            raise _ref_error(ref, exc, path) from None
        key = (id(resolved.contents), ref.split("#")[0])
        if key not in seen and ref.split("#")[0]:
            seen.add(key)
            _check_refs(resolved.resolver, resolved.contents, path, seen)


def _refs_in(node: Any):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs_in(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs_in(v)


def _ref_error(ref: str, exc: Exception, path: Path) -> ConfigError:
    cause = exc.__cause__
    while cause is not None and not isinstance(cause, (_RemoteRef, ConfigError)):
        cause = cause.__cause__
    if isinstance(cause, _RemoteRef):
        return ConfigError(f"schema $ref '{ref}' points to the network ({cause}); gatekeeper "
                           "never downloads schemas", where=path,
                           hint="save the referenced schema beside this one and refer to it by a "
                                "relative path (e.g. \"$ref\": \"defs.json\")")
    if isinstance(cause, ConfigError):
        return ConfigError(f"schema $ref '{ref}': {cause.message}", where=cause.where or path,
                           line=cause.line,
                           hint="$ref paths are relative to the schema file")
    return ConfigError(f"schema $ref '{ref}' cannot be resolved ({type(exc).__name__})", where=path,
                       hint="point $ref at a definition that exists, e.g. \"#/$defs/name\"")


def schema_references(schema_path: str | Path) -> list[Path]:
    """The local files a schema's $refs reach, transitively: the lock pins them too."""
    found: list[Path] = []
    todo, seen = [Path(schema_path).resolve()], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        for ref in _refs_in(data):
            parts = urlsplit(ref.split("#")[0])
            if not parts.path or parts.scheme not in ("", "file") or parts.netloc:
                continue
            local = Path(url2pathname(parts.path))
            target = (local if local.is_absolute() else path.parent / local).resolve()
            if target.is_file() and target not in seen:
                found.append(target)
                todo.append(target)
    return found
