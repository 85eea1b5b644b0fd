"""Pieces shared by generation gate types: prompts from golden rows, paired item records."""

from __future__ import annotations

import json

from gatekeeper.core.chat import message_problem
from gatekeeper.core.errors import ConfigError
from gatekeeper.bundle.golden import GoldenSet


def prompt_of(row: dict, prompt_field: str):
    """A row's prompt: a string (one user turn) or a chat ``messages`` list without the answer."""
    if prompt_field in row:
        return row[prompt_field]
    messages = row.get("messages")
    if isinstance(messages, list) and messages:
        last = messages[-1]
        return messages[:-1] if isinstance(last, dict) and last.get("role") == "assistant" else messages
    raise KeyError(prompt_field)


def display(prompt) -> str:
    """Prompt text for the report."""
    if isinstance(prompt, str):
        return prompt
    return "\n".join(f"[{m.get('role')}] {m.get('content')}" for m in prompt)


def require_prompts(golden: GoldenSet | None, prompt_field: str) -> None:
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


def target_text(value) -> str:
    """Targets may be strings or JSON values; compare as text."""
    return value if isinstance(value, str) else json.dumps(value)
