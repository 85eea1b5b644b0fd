"""Golden sets: versioned JSONL eval sets, read once and shared by the gates that use them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gatekeeper.core.chat import message_problem, prompt_of
from gatekeeper.core.errors import ConfigError
from gatekeeper.bundle.yamlio import iter_jsonl


@dataclass(frozen=True)
class GoldenRow:
    """One row and the line it came from, so a bad row is reported at file:line."""

    line: int
    data: dict

    @property
    def id(self) -> str:
        return str(self.data.get("id", f"line{self.line}"))


@dataclass(frozen=True)
class GoldenSet:
    path: Path
    rows: tuple[GoldenRow, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def require(self, *fields: str, hint: str | None = None) -> None:
        """Fail at the first row that lacks one of ``fields`` (names the line and the field)."""
        for row in self.rows:
            for name in fields:
                if row.data.get(name) in (None, ""):
                    raise ConfigError(f"golden set row '{row.id}' has no '{name}'",
                                      where=self.path, line=row.line,
                                      hint=hint or f"every row needs: {', '.join(fields)}")


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> GoldenSet:
    rows = tuple(GoldenRow(line, data) for line, data in iter_jsonl(path))
    if not rows:
        raise ConfigError("golden set is empty", where=path, hint="add one JSON object per line")
    seen: dict[str, int] = {}
    for row in rows:
        field_name = _unencodable(row.data)
        if field_name is not None:
            shown = row.id.encode("utf-8", "backslashreplace").decode("utf-8")
            raise ConfigError(f"golden set row '{shown}': '{field_name}' holds a lone surrogate "
                              "(a \\ud800-\\udfff escape that is not half of a pair)",
                              where=path, line=row.line,
                              hint="write the character itself, or escape it as a full UTF-16 pair")
        problem = message_problem(row.data["messages"]) if "messages" in row.data else None
        if problem:
            raise ConfigError(f"golden set row '{row.id}': malformed chat messages: {problem}",
                              where=path, line=row.line,
                              hint='write [{"role": "user", "content": "..."}, ...]')
        if row.id in seen:
            raise ConfigError(f"duplicate id '{row.id}' (first at line {seen[row.id]})",
                              where=path, line=row.line, hint="ids must be unique in a golden set")
        seen[row.id] = row.line
    return GoldenSet(path, rows)


def _unencodable(value, name: str = "row") -> str | None:
    """The field of a row holding text that cannot be encoded (a JSON-escaped lone surrogate)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name
    elif isinstance(value, dict):
        return next((f for k, v in value.items() if (f := _unencodable(v, str(k)) or
                     (_unencodable(k, str(k)) and str(k)))), None)
    elif isinstance(value, list):
        return next((f for i, v in enumerate(value) if (f := _unencodable(v, f"{name}[{i}]"))), None)
    return None


def load_golden(path: str | Path) -> GoldenSet:
    """Read a JSONL golden set (UTF-8, one object per line); cached while the file is unchanged."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except FileNotFoundError:
        raise ConfigError("golden set not found", where=p,
                          hint="golden_set paths are relative to the gate file") from None
    return _load(p, mtime)


def require_prompts(golden: "GoldenSet | None", prompt_field: str) -> None:
    """Every row must carry a prompt (or chat messages): checked at collection."""
    if golden is None:
        return
    for row in golden.rows:
        try:
            prompt = prompt_of(row.data, prompt_field)
        except KeyError:
            raise ConfigError(f"golden set row '{row.id}' has no '{prompt_field}' (nor 'messages')",
                              where=golden.path, line=row.line,
                              hint=f"add \"{prompt_field}\": \"...\" to every row, or set "
                                   "params.prompt_field") from None
        if not isinstance(prompt, (str, list)) or not prompt:
            raise ConfigError(f"golden set row '{row.id}': '{prompt_field}' must be a non-empty "
                              "string or a list of chat messages", where=golden.path, line=row.line)
        problem = message_problem(prompt) if isinstance(prompt, list) else None
        if problem:
            raise ConfigError(f"golden set row '{row.id}': malformed chat messages: {problem}",
                              where=golden.path, line=row.line,
                              hint='write [{"role": "user", "content": "..."}, ...]')
