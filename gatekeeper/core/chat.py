"""Chat ``messages``: the one definition of a well-formed list, shared by golden sets, the
trainer's data reader and the dataset audit."""

from __future__ import annotations

from typing import Any

ROLES = ("system", "user", "assistant", "tool")


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
