"""YAML and JSONL reading that keeps line numbers, so every error can say file:line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from gatekeeper.core.errors import CollectionErrors, ConfigError
from gatekeeper.core.files import read_regular

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
    """Read a UTF-8 text file, turning OS and decoding errors into ConfigError. A FIFO or
    device is refused at once (reading one could hang validate forever)."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", where=path, hint="check the path; it is resolved "
                          "relative to the file that names it") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", where=path) from None
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")  # editors on Windows write a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{what} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                          f"{exc.start})", where=path, line=line,
                          hint="re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)") from None


# A YAML alias reuses a node; expanding nested aliases grows exponentially ("billion
# laughs": a 350-byte file expanded to gigabytes). Only values an alias repeats count
# towards this bound, so a long file written out (10,000 gates) is never refused as a bomb.
MAX_VALUES = 100_000


def load_yaml(path: Path, what: str = "YAML file") -> Document:
    """Parse one YAML document with line numbers; syntax errors become ConfigError at file:line.

    Duplicate keys are errors (naming both lines), and alias expansion is bounded.
    """
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
    builder = _Builder(path, what)
    data = builder.build(node, ())
    if builder.errors:
        raise builder.errors[0] if len(builder.errors) == 1 else CollectionErrors(builder.errors)
    return Document(path, data, builder.lines)


class _Builder:
    """Turns a composed node graph into Python data, recording the line of every value."""

    def __init__(self, path: Path, what: str):
        self.path, self.what = path, what
        self.lines: dict = {}
        self.errors: list[ConfigError] = []
        self.count = 0
        self.nodes: set[int] = set()  # distinct nodes: a long file without aliases is no bomb
        self.active: set[int] = set()  # nodes being built: an alias back into one is a cycle
        self.loader = yaml.SafeLoader("")

    def build(self, node: yaml.Node, key: PathKey) -> Any:
        self.count += 1
        self.nodes.add(id(node))
        if self.count - len(self.nodes) > MAX_VALUES:  # values built again through aliases
            raise ConfigError(f"{self.what} expands to more than {MAX_VALUES:,} values "
                              "(YAML aliases referring to aliases)", where=self.path,
                              line=node.start_mark.line + 1,
                              hint="write the values out instead of nesting anchors (&) and aliases (*)")
        if id(node) in self.active:
            raise ConfigError(f"{self.what}: an alias refers to a value that contains it",
                              where=self.path, line=node.start_mark.line + 1,
                              hint="remove the recursive anchor (&)/alias (*) pair")
        self.lines.setdefault(key, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, key)
            return [self.build(v, key + (i,)) for i, v in enumerate(node.value)]
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, key: PathKey) -> dict:
        out: dict = {}
        first_line: dict = {}
        merges: list = []
        for knode, vnode in node.value:
            line = knode.start_mark.line + 1
            if not isinstance(knode, yaml.ScalarNode):
                self.errors.append(ConfigError(f"{self.what}: a key must be a plain value, "
                                               "found a list or mapping", where=self.path, line=line,
                                               hint="write keys as words, e.g. `name: value`"))
                continue
            if knode.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`
                merges.append((vnode, line))
                continue
            k = self._scalar(knode)
            if k in first_line:
                self.errors.append(ConfigError(
                    f"{self.what}: duplicate key '{k}' (lines {first_line[k]} and {line})",
                    where=self.path, line=line, hint="keep one of them: YAML would silently "
                    "use the last one"))
                continue
            first_line[k] = line
            self.lines[key + (k,)] = line  # errors point at the key
            out[k] = self.build(vnode, key + (k,))
        for vnode, line in merges:
            self._merge(out, vnode, key, line)
        return out

    def _merge(self, out: dict, vnode: yaml.Node, key: PathKey, line: int) -> None:
        """YAML merge keys: keys written in the mapping win over merged ones."""
        sources = vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode]
        for source in sources:
            value = self.build(source, key + ("<<",))
            if not isinstance(value, dict):
                self.errors.append(ConfigError(f"{self.what}: `<<` merges a mapping, found "
                                               f"{type(value).__name__}", where=self.path, line=line,
                                               hint="write `<<: *anchor` where &anchor names a mapping"))
                return
            for k, v in value.items():
                if k not in out:
                    out[k] = v
                    self.lines[key + (k,)] = line

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(f"{self.what}: unsupported value: {problem}", where=self.path,
                              line=node.start_mark.line + 1,
                              hint="use plain strings, numbers, booleans, lists and mappings") from None


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
