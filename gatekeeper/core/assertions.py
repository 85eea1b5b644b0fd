"""Per-output assertions (what promptfoo and deepeval users write first), parsed and checked.

An assertion is a one-key mapping; a list of them holds when every one holds:

    - contains: "refund"            # a string or a list of strings, all present
    - not_contains: ["As an AI"]    # none present
    - regex: '^\\{'                 # re.search matches
    - equals: "yes"                 # the output, stripped, equals the string
    - json_path: {path: category, one_of: [billing, shipping]}   # or equals: VALUE
    - max_length: 200               # characters, inclusive
    - min_length: 1

``parse_assertions`` turns such a list into ``Assertion`` objects or raises ConfigError
naming the bad entry; ``check_all`` returns the reasons an output fails (empty: it passes).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from gatekeeper.core.errors import ConfigError, suggest

KINDS = ("contains", "not_contains", "regex", "equals", "json_path", "max_length", "min_length")
PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")
EXAMPLE = "e.g. [{not_contains: 'As an AI'}, {max_length: 200}, {json_path: {path: category, equals: billing}}]"


@dataclass(frozen=True)
class Assertion:
    kind: str
    value: Any
    check: Callable[[str], str | None]   # output -> why it fails, or None

    def label(self) -> str:
        """A short name for the report's histogram: the kind and its value."""
        value = self.value["path"] if self.kind == "json_path" else self.value
        text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
        return f"{self.kind} {text[:60]}"


def parse_assertions(entries: Any, where: str) -> tuple[Assertion, ...]:
    """The assertions of ``entries`` (a list of one-key mappings); ``where`` names them in errors."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ConfigError(f"{where} must be a list of assertions, not {type(entries).__name__}", hint=EXAMPLE)
    out = []
    for i, entry in enumerate(entries):
        at = f"{where}[{i}]"
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ConfigError(f"{at} must be a mapping with exactly one key (the assertion kind)", hint=EXAMPLE)
        (kind, value), = entry.items()
        if kind not in KINDS:
            close = suggest(kind, KINDS)
            raise ConfigError(f"{at}: unknown assertion '{kind}'",
                              hint=(f"did you mean '{close}'? " if close else "") + "kinds: " + ", ".join(KINDS))
        out.append(Assertion(kind, value, _BUILDERS[kind](value, f"{at}.{kind}")))
    return tuple(out)


def check_all(assertions: tuple[Assertion, ...], output: str) -> list[str]:
    """Why ``output`` fails, one reason per failing assertion (its label, a colon, the why)."""
    reasons = []
    for a in assertions:
        why = a.check(output)
        if why is not None:
            reasons.append(f"{a.label()}: {why}")
    return reasons


def _strings(value: Any, at: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(s, str) and s for s in items):
        raise ConfigError(f"{at} must be a non-empty string or a list of them, not {value!r}",
                          hint="e.g. contains: refund, or contains: [refund, order]")
    return items


def _contains(value, at):
    needles = _strings(value, at)
    def check(out: str) -> str | None:
        missing = [n for n in needles if n not in out]
        return f"{missing[0]!r} not in the output" if missing else None
    return check


def _not_contains(value, at):
    needles = _strings(value, at)
    def check(out: str) -> str | None:
        found = [(n, out.index(n)) for n in needles if n in out]
        return f"{found[0][0]!r} found at character {found[0][1]}" if found else None
    return check


def _regex(value, at):
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{at} must be a regular expression (a string), not {value!r}", hint="e.g. regex: '^\\{'")
    try:
        pattern = re.compile(value)
    except re.error as exc:
        raise ConfigError(f"{at}: bad regular expression {value!r}: {exc}",
                          hint="Python `re` syntax; quote it in single quotes in YAML") from None
    return lambda out: None if pattern.search(out) else "no match"


def _equals(value, at):
    if not isinstance(value, str):
        raise ConfigError(f"{at} must be a string, not {type(value).__name__}",
                          hint="the whole output (stripped) is compared; for a JSON value use json_path")
    return lambda out: None if out.strip() == value else f"output is {_short(out.strip())}"


def _length(limit: str):
    def build(value, at):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{at} must be a whole number of characters (0 or more), not {value!r}",
                              hint=f"e.g. {limit}_length: 200")
        if limit == "max":
            return lambda out: None if len(out) <= value else f"output is {len(out)} characters"
        return lambda out: None if len(out) >= value else f"output is {len(out)} characters"
    return build


def _json_path(value, at):
    hint = "e.g. json_path: {path: ticket.category, equals: billing} (or one_of: [billing, shipping])"
    if not isinstance(value, dict) or set(value) - {"path", "equals", "one_of"} or "path" not in value:
        raise ConfigError(f"{at} must be a mapping with 'path' and one of 'equals' / 'one_of'", hint=hint)
    path = value["path"]
    if not isinstance(path, str) or not PATH.match(path):
        raise ConfigError(f"{at}.path {path!r} is not a dotted path", hint="keys and list indexes joined by "
                          "dots, no spaces or empty parts: ticket.tags.0")
    if ("equals" in value) == ("one_of" in value):
        raise ConfigError(f"{at} needs exactly one of 'equals' and 'one_of'", hint=hint)
    allowed = value.get("one_of")
    if "one_of" in value and (not isinstance(allowed, list) or not allowed):
        raise ConfigError(f"{at}.one_of must be a non-empty list of values", hint=hint)
    wanted = allowed if allowed is not None else [value["equals"]]
    parts = path.split(".")

    def check(out: str) -> str | None:
        try:
            node = json.loads(out.strip())
        except (json.JSONDecodeError, RecursionError):
            return "output is not JSON"
        for part in parts:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return f"no '{part}' in the output"
        if node in wanted:
            return None
        return (f"{_short(node)} is not one of the {len(wanted)} allowed values" if allowed is not None
                else f"{_short(node)} != {_short(wanted[0])}")
    return check


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


_BUILDERS = {"contains": _contains, "not_contains": _not_contains, "regex": _regex, "equals": _equals,
             "json_path": _json_path, "max_length": _length("max"), "min_length": _length("min")}
