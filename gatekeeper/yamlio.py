"""YAML and JSONL reading that keeps line numbers, so every error can say file:line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from gatekeeper.errors import ConfigError

PathKey = tuple  # a path into the document: ("gates", 0, "params", "scorer")


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and the 1-based line where each value starts."""

    path: Path
    data: Any
    lines: dict = field(default_factory=dict)

    def line(self, key: PathKey) -> int | None:
        """Line of the value at ``key``, or of its nearest ancestor that has one."""
        key = tuple(key)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 text file, turning OS and decoding errors into ConfigError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", where=path, hint="check the path; it is resolved "
                          "relative to the file that names it") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", where=path) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{what} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                          f"{exc.start})", where=path, line=line,
                          hint="re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)") from None


def load_yaml(path: Path, what: str = "YAML file") -> Document:
    """Parse one YAML document with line numbers; syntax errors become ConfigError at file:line."""
    text = read_text(path, what)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"malformed YAML: {problem}", where=path,
                          line=mark.line + 1 if mark else None,
                          hint="fix the YAML syntax (indentation, quoting, a missing ':')") from None
    if node is None:
        return Document(path, None, {})
    lines: dict = {}
    data = _construct(node, (), lines)
    return Document(path, data, lines)


def _construct(node: yaml.Node, key: PathKey, lines: dict) -> Any:
    lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for knode, vnode in node.value:
            k = yaml.SafeLoader(" ").construct_object(knode) if not isinstance(knode, yaml.ScalarNode) \
                else _scalar(knode)
            lines[key + (k,)] = knode.start_mark.line + 1  # errors point at the key
            out[k] = _construct(vnode, key + (k,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, key + (i,), lines) for i, v in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    return loader.construct_object(node, deep=True)


def iter_jsonl(path: Path, what: str = "golden set") -> Iterator[tuple[int, dict]]:
    """Yield (line number, row) for each non-blank line; a bad line is a ConfigError there."""
    text = read_text(path, what)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{what} line is not valid JSON: {exc.msg} (column {exc.colno})",
                              where=path, line=number,
                              hint="each line must be one JSON object (JSON Lines)") from None
        if not isinstance(row, dict):
            raise ConfigError(f"{what} line is a JSON {type(row).__name__}, expected an object",
                              where=path, line=number, hint='write {"id": ..., "prompt": ..., ...}')
        yield number, row
