"""Train and eval files as text items: a prompt and an answer per row, with file:line.

Formats (decided per file, never per row):
- JSONL: chat ``messages`` (prompt = every turn before the last assistant turn, answer =
  that turn), or a prompt field (``prompt``, ``question``, ``instruction``, ``input``,
  ``goal``, ``query``, ``text``) and an answer field (``completion``, ``target``, ``answer``,
  ``response``, ``output``). ``prompt`` may itself be a chat message list.
- CSV with a header naming one of those columns (XSTest ``prompt``, AdvBench ``goal`` /
  ``target``); headerless CSV in the MMLU layout ``question,A,B,C,D,answer`` (prompt =
  question and lettered choices, answer = the text of the correct choice).
- A directory: every ``.jsonl`` and ``.csv`` file below it (MMLU ``data/``), sorted.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.errors import GateSkipped, ConfigError, display_path
from gatekeeper.core.chat import split_messages

PROMPT_KEYS = ("prompt", "question", "instruction", "input", "goal", "query", "text")
ANSWER_KEYS = ("completion", "target", "answer", "response", "output")
SUFFIXES = (".jsonl", ".csv")


Skipped = GateSkipped  # ends the gate as ``skip``: nothing to check


@dataclass(frozen=True)
class TextItem:
    """One row: its id, where it is (file and 1-based line), prompt and answer text."""

    id: str
    path: str
    line: int
    prompt: str
    answer: str

    @property
    def where(self) -> str:
        return f"{display_path(self.path)}:{self.line}"

    def field(self, name: str) -> str:
        return self.prompt if name == "prompt" else self.answer


@dataclass(frozen=True)
class Problem:
    """A row that could not be read as text (kept for the audit's schema errors)."""

    path: str
    line: int
    message: str

    @property
    def where(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


def data_files(path: str | Path) -> list[Path]:
    """The data files a path stands for: itself, or the JSONL/CSV files below a directory."""
    p = Path(path)
    if p.is_dir():
        return sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES)
    if not p.is_file():
        raise ConfigError("data file not found", where=p, hint="check the path (relative to the "
                          "file that names it)")
    return [p]


def read_items(path: str | Path, base: Path | None = None) -> tuple[list[TextItem], list[Problem]]:
    """Every readable row of the file(s) at ``path`` and the rows that were not readable.

    With ``base``, items name their file relative to it (a bundle root) when it lies below.
    """
    items: list[TextItem] = []
    problems: list[Problem] = []
    for f in data_files(path):
        reader = _read_csv if f.suffix == ".csv" else _read_jsonl
        got, bad = reader(f, _shown(f, base))
        items += got
        problems += bad
    return items, problems


def _shown(path: Path, base: Path | None) -> str:
    if base is None:
        return str(path)
    rel = os.path.relpath(path, base)
    return rel if not rel.startswith("..") else str(path)


def _read_jsonl(path: Path, shown: str) -> tuple[list[TextItem], list[Problem]]:
    items, problems = [], []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(shown, number, f"not valid JSON: {exc.msg}"))
                continue
            item = row_item(row, shown, number) if isinstance(row, dict) else None
            if item is None:
                problems.append(Problem(shown, number, _no_text(row)))
            else:
                items.append(item)
    return items, problems


def row_item(row: dict, path: str, line: int) -> TextItem | None:
    """A JSON row as a TextItem, or None when it holds no prompt or answer text."""
    prompt = row.get("messages") if "messages" in row else next(
        (row[k] for k in PROMPT_KEYS if k in row), None)
    answer = next((row[k] for k in ANSWER_KEYS if k in row), None)
    if isinstance(prompt, list):
        prompt, chat_answer = _chat(prompt)
        answer = chat_answer if answer is None else answer
    if answer is not None and not isinstance(answer, str):
        answer = json.dumps(answer, ensure_ascii=False)
    if not isinstance(prompt, (str, type(None))) or (not prompt and not answer):
        return None
    return TextItem(str(row.get("id", f"{os.path.basename(path)}:{line}")), path, line,
                    prompt or "", answer or "")


def _chat(messages: list) -> tuple[str | None, str | None]:
    """(prompt, answer) of a chat: the last assistant turn is the answer."""
    if not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in messages):
        return None, None
    prompt, answer = split_messages(messages)
    return "\n".join(m["content"] for m in prompt), answer


def _no_text(row) -> str:
    if not isinstance(row, dict):
        return f"a JSON {type(row).__name__}, expected an object"
    keys = ", ".join(("messages",) + PROMPT_KEYS[:3] + ANSWER_KEYS[:2])
    return f"no text field (expected one of {keys}, ...; found {', '.join(row) or 'none'})"


def _read_csv(path: Path, shown: str) -> tuple[list[TextItem], list[Problem]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        rows = [(reader.line_num, r) for r in reader if r]
    if not rows:
        return [], []
    header = [c.strip().lower() for c in rows[0][1]]
    prompt_col = next((header.index(k) for k in PROMPT_KEYS if k in header), None)
    if prompt_col is not None:
        answer_col = next((header.index(k) for k in ANSWER_KEYS if k in header), None)
        id_col = header.index("id") if "id" in header else None
        return _table(shown, rows[1:], prompt_col, answer_col, id_col)
    return _mmlu(shown, rows)


def _table(path, rows, prompt_col, answer_col, id_col):
    items, problems = [], []
    for line, r in rows:
        if len(r) <= prompt_col or not r[prompt_col].strip():
            problems.append(Problem(path, line, "empty prompt cell"))
            continue
        answer = r[answer_col] if answer_col is not None and len(r) > answer_col else ""
        rid = r[id_col] if id_col is not None and len(r) > id_col else f"{os.path.basename(path)}:{line}"
        items.append(TextItem(rid, path, line, r[prompt_col], answer))
    return items, problems


def _mmlu(path, rows):
    """Headerless ``question,choice...,answer-letter`` rows (the MMLU CSV layout)."""
    items, problems = [], []
    for line, r in rows:
        letter = r[-1].strip().upper() if len(r) >= 3 else ""
        index = ord(letter) - ord("A") if len(letter) == 1 else -1
        if not 0 <= index < len(r) - 2:
            problems.append(Problem(path, line, "not a `question,A,B,C,D,answer` row and the "
                                    "file has no header naming a prompt column"))
            continue
        choices = r[1:-1]
        prompt = "\n".join([r[0]] + [f"{chr(65 + i)}. {c}" for i, c in enumerate(choices)])
        name = os.path.splitext(os.path.basename(path))[0]
        items.append(TextItem(f"{name}:{line}", path, line, prompt, choices[index]))
    return items, problems
