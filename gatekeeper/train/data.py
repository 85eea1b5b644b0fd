"""Training rows: chat ``messages`` or prompt/completion JSONL -> chat examples; the general mix.

A row is either ``{"messages": [{"role", "content"}, ...]}`` ending with an assistant turn, or
``{"prompt": ..., "completion": ...}`` where each side is a string (one user / assistant turn)
or a list of messages; a golden-set row's ``target`` counts as the completion. Everything else is a ConfigError at file:line, raised before any
model loads. No torch here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.chat import RowError, as_messages
from gatekeeper.core.errors import ConfigError
from gatekeeper.bundle.yamlio import iter_jsonl

MIX_TASK = "mix"


@dataclass(frozen=True)
class Example:
    """One training conversation; the assistant turns are what the model learns."""

    messages: tuple[dict, ...]
    task: str = "all"
    line: int | None = None


def load_examples(path: Path, task_field: str | None = None, what: str = "training data") -> list[Example]:
    """Every row of ``path`` as an Example; the first bad row is reported with its line."""
    examples = []
    for line, row in iter_jsonl(path, what):
        messages = _messages(row, path, line, what)
        task = row.get(task_field) if task_field else None
        examples.append(Example(messages, str(task) if task is not None else "all", line))
    if not examples:
        raise ConfigError(f"{what} has no rows", where=path, hint="write one JSON object per line")
    return examples


def _messages(row: dict, path: Path, line: int, what: str) -> tuple[dict, ...]:
    try:
        messages = as_messages(row)
    except RowError as exc:
        raise ConfigError(f"{what} row{'' if exc.problem.startswith('has') else ':'} {exc.problem}",
                          where=path, line=line, hint=exc.hint) from None
    if messages[-1]["role"] != "assistant":
        raise ConfigError(f"{what} row does not end with an assistant turn (nothing to learn)",
                          where=path, line=line, hint="the last message must have role 'assistant'")
    return messages


def mix_in(examples: list[Example], general: list[Example], fraction: float, seed: int) -> list[Example]:
    """``examples`` plus general rows so that they make up ``fraction`` of the result.

    Drawn without replacement, seeded; when the general set is too small, all of it is used.
    """
    wanted = round(fraction / (1 - fraction) * len(examples))
    chosen = random.Random(seed).sample(general, min(wanted, len(general)))
    return examples + [Example(e.messages, MIX_TASK, e.line) for e in chosen]
