"""jsonschema validation of YAML documents, with errors a person can act on."""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from importlib import resources

import jsonschema

from gatekeeper.errors import ConfigError
from gatekeeper.yamlio import Document


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """A JSON Schema shipped as package data under gatekeeper/schemas/."""
    text = resources.files("gatekeeper").joinpath("schemas", name).read_text("utf-8")
    return json.loads(text)


def suggest(word: str, choices) -> str | None:
    """The closest known spelling of ``word``, for "did you mean ...?" hints."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return match[0] if match else None


def schema_errors(doc: Document, schema_name: str, what: str) -> list[ConfigError]:
    """Every schema violation in ``doc`` as a ConfigError pointing at its line."""
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    return [_to_config_error(doc, err, what) for err in _leaf_errors(errors)]


def _leaf_errors(errors):
    """oneOf/anyOf wrappers hide the useful message; report their most specific child."""
    for err in errors:
        if err.context:
            best = jsonschema.exceptions.best_match(err.context)
            yield best
        else:
            yield err


def _to_config_error(doc: Document, err: jsonschema.ValidationError, what: str) -> ConfigError:
    path = tuple(err.absolute_path)
    dotted = ".".join(str(p) for p in path) or "(top level)"
    hint = None
    if err.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", err.message.split("(")[-1])
        allowed = list(err.schema.get("properties", {}))
        key = extra[0] if extra else "?"
        close = suggest(key, allowed)
        hint = (f"did you mean '{close}'?" if close else "allowed keys: " + ", ".join(allowed))
        return ConfigError(f"{what}: unknown key '{key}' in {dotted}", where=doc.path,
                           line=doc.line(path + (key,)), hint=hint)
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
