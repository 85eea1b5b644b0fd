"""Prompts: validation, canonical text for cache keys, chat-template rendering, tokenising.

A prompt is a ``str`` (a user message when ``chat=True``, raw text when ``chat=False``) or
a list of ``{"role", "content"}`` messages (chat only). No torch here: cache keys are
computed before (and often instead of) loading a model.
"""

from __future__ import annotations

import json
from typing import Mapping, Sequence, Union

from gatekeeper.core.errors import ModelError

Prompt = Union[str, Sequence[Mapping[str, str]]]


def check_prompt(prompt: Prompt, chat: bool) -> None:
    """Raise TypeError/ValueError for a prompt the engine cannot run (a programming error)."""
    if isinstance(prompt, str):
        return
    if not chat:
        raise ValueError("message-list prompts need chat=True; raw-text prompts must be str")
    if not isinstance(prompt, Sequence) or not prompt:
        raise TypeError(f"a prompt is a str or a non-empty list of messages, not {type(prompt).__name__}")
    for message in prompt:
        if not isinstance(message, Mapping) or not {"role", "content"} <= set(message):
            raise ValueError(f"each message needs 'role' and 'content' keys, got {message!r}")


def key_text(prompt: Prompt) -> str:
    """Canonical JSON of a prompt, the prompt part of a cache key."""
    value = prompt if isinstance(prompt, str) else [dict(m) for m in prompt]
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def render(tokenizer, prompt: Prompt, chat: bool) -> str:
    """The text the model sees: the chat template with a generation prompt, or raw text."""
    if not chat:
        return prompt  # type: ignore[return-value]
    messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else [dict(m) for m in prompt]
    if not getattr(tokenizer, "chat_template", None):
        raise ModelError("the tokenizer has no chat template, so chat prompts cannot be rendered",
                         hint="set chat_template in the manifest to a .jinja file, or use raw-text prompts")
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def encode_prompt(tokenizer, text: str, chat: bool) -> list[int]:
    """Token ids of a rendered prompt; the chat template already wrote its special tokens."""
    return list(tokenizer(text, add_special_tokens=not chat)["input_ids"])


def encode_pair(tokenizer, context: str, continuation: str, chat: bool) -> tuple[list[int], list[int]]:
    """(context ids, continuation ids) for log-likelihood, lm-eval style.

    The pair is tokenised as one text and split where the context's tokens end, so the
    continuation is scored in the tokenisation the model would have produced itself.
    For raw text, trailing spaces of the context move to the continuation (lm-eval's
    convention: " Paris" is one token, "Paris" after "is " is not).
    """
    if not chat:
        stripped = context.rstrip(" ")
        continuation = context[len(stripped):] + continuation
        context = stripped
    context_ids = encode_prompt(tokenizer, context, chat)
    whole = encode_prompt(tokenizer, context + continuation, chat)
    if whole[:len(context_ids)] == context_ids:
        continuation_ids = whole[len(context_ids):]
    else:  # the tokeniser merged across the boundary: score the continuation on its own
        continuation_ids = list(tokenizer(continuation, add_special_tokens=False)["input_ids"])
    if not context_ids:  # nothing to condition on: start from a BOS/EOS token, as lm-eval does
        start = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
        context_ids = [start]
    return context_ids, continuation_ids
