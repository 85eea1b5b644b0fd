"""Chat rows: the one definition of a well-formed ``messages`` list and the one split of a
row into prompt and answer, shared by golden sets, the trainer's data reader, the dataset
audit, the data scans, few-shot baselines and the gate types.

A row is ``{"messages": [{"role", "content"}, ...]}`` or ``{"prompt": ..., "completion": ...}``
(a golden set's ``target`` counts as the completion), where each side is a string (one user /
assistant turn) or a list of messages. The prompt is every turn before the last assistant
turn; the answer is that turn.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

ROLES = ("system", "user", "assistant", "tool")
ROW_HINT = ('write {"messages": [{"role": "user", ...}, {"role": "assistant", ...}]} '
            'or {"prompt": "...", "completion": "..."}')


class RowError(ValueError):
    """Why a row is not a chat row; callers add where (file:line) and what the file is."""

    def __init__(self, problem: str, hint: str = ROW_HINT):
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def message_problem(messages: Any) -> str | None:
    """Why ``messages`` is not a non-empty list of ``{"role": ..., "content": "..."}``, or None."""
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty list"
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"message {i} is a JSON {type(message).__name__}, expected an object"
        if message.get("role") not in ROLES:
            return f"message {i} has role {message.get('role')!r}, expected one of {', '.join(ROLES)}"
        if not isinstance(message.get("content"), str):
            return f"message {i} has no text 'content'"
    return None


def _turns(value: Any, role: str) -> tuple[dict, ...]:
    if isinstance(value, str):
        return ({"role": role, "content": value},)
    if message_problem(value) is not None:
        raise RowError(f"expected a string or a list of {{role, content}} messages "
                       f"(roles: {', '.join(ROLES)})", hint='e.g. [{"role": "user", "content": "..."}]')
    return tuple({"role": m["role"], "content": m["content"]} for m in value)


def as_messages(row: Any) -> tuple[dict, ...]:
    """The row as one conversation (copies of its ``{role, content}`` messages)."""
    if not isinstance(row, dict):
        raise RowError(f"is a JSON {type(row).__name__}, expected an object")
    if "messages" in row:
        return _turns(row["messages"], "user")
    if "prompt" in row and ("completion" in row or "target" in row):
        answer = row["completion"] if "completion" in row else row["target"]
        return _turns(row["prompt"], "user") + _turns(answer, "assistant")
    raise RowError("has neither 'messages' nor 'prompt' + 'completion' (or a golden-set 'prompt' + 'target')")


def split_messages(messages: Sequence[dict]) -> tuple[list[dict], str | None]:
    """(the prompt turns, the last assistant turn's text or None when the chat has no answer)."""
    messages = list(messages)
    if messages and messages[-1].get("role") == "assistant":
        return messages[:-1], messages[-1].get("content")
    return messages, None


def training_problem(row: Any) -> str | None:
    """Why a row cannot be trained on (no conversation, or no non-empty final answer), or None."""
    try:
        messages = as_messages(row)
    except RowError as exc:
        return exc.problem
    _, answer = split_messages(messages)
    if answer is None:
        return "does not end with an assistant turn (nothing to learn)"
    if not answer.strip():
        return "ends with an empty assistant turn (nothing to learn)"
    return None


def prompt_of(row: dict, prompt_field: str):
    """A golden row's prompt: a string (one user turn) or the chat ``messages`` without the answer."""
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


def target_text(value) -> str:
    """Targets may be strings or JSON values; compare as text."""
    return value if isinstance(value, str) else json.dumps(value)
