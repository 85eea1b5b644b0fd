"""Named baselines declared in the manifest: what a fine-tune has to beat.

Prompting solves many problems; a fine-tune earns its keep only when it beats the base
model prompted as well as one reasonably can. A bundle declares that prompt:

    baselines:
      prompted:
        system: "You triage support tickets. Categories: billing_invoice, ..."
        fewshot: baselines/fewshot.jsonl   # optional: example turns, one per line

and a gate compares with it: ``vs_baseline: {against: prompted, min_gain: 0.05}``. The
prompted baseline is the base model (adapter off) with the system prompt and the few-shot
turns put before every chat prompt of the gate (``ctx.view("prompted")``, built by
gatekeeper/run/prompted.py). Few-shot rows are ``{"prompt": ..., "completion": ...}`` or
``{"messages": [user, assistant, ...]}``.

A named adapter baseline is another adapter of the same base model, the one in production
say: ``baselines: {production: {adapter: adapters/prod}}`` and ``vs_baseline: {against:
production}`` compare the candidate with it item by item on the shared weights (loaded as a
second PEFT adapter, like ``previous_release``; gatekeeper/run/named.py). Its files are
locked like the candidate's; it must be a peft directory (adapter_config.json, no pickle
weights unless ``allow_pickle``) made for the same base (checked in manifest.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from gatekeeper.core.errors import BundleError, ConfigError
from gatekeeper.bundle.yamlio import read_text
from gatekeeper.core.chat import RowError, as_messages

ROLES = ("user", "assistant")
RESERVED = ("candidate", "base", "previous_release")  # built-in views a baseline cannot shadow


@dataclass(frozen=True)
class PromptedBaseline:
    """The base model with a system prompt and few-shot turns before every chat prompt."""

    system: str | None = None
    fewshot: Path | None = None
    messages: tuple[Mapping[str, str], ...] = ()

    def to_dict(self) -> dict:
        return {"system": self.system, "fewshot": str(self.fewshot) if self.fewshot else None,
                "turns": len(self.messages)}


@dataclass(frozen=True)
class AdapterBaseline:
    """Another adapter of the base model (``baselines: {NAME: {adapter: DIR}}``)."""

    name: str
    adapter: Path

    def to_dict(self) -> dict:
        return {"adapter": str(self.adapter)}


def parse_baselines(data: Any, resolve, resolve_dir=None, error=None) -> tuple[dict, list]:
    """``{name: PromptedBaseline | AdapterBaseline}`` from the manifest's ``baselines:``
    block, and errors.

    ``resolve(key)`` / ``resolve_dir(key)`` resolve a manifest file / folder that must stay
    inside the bundle or a data root (reporting why not); ``error(key, message, hint)``
    reports a problem at a manifest key.
    """
    if not data:
        return {}, []
    out: dict = {}
    for name, spec in data.items():
        if name == "prompted" or not isinstance(spec, dict) or "adapter" not in spec:
            continue
        if name in RESERVED:
            error(("baselines", name), f"'{name}' is a built-in baseline and cannot be redefined",
                  "name the adapter baseline for what it is, e.g. `production`")
            continue
        adapter = resolve_dir(("baselines", name, "adapter"))
        if adapter is not None:
            out[name] = AdapterBaseline(name, adapter)
    prompted, errors = _prompted(data.get("prompted") or {}, resolve)
    return {**prompted, **out}, errors


def _prompted(spec: dict, resolve) -> tuple[dict, list]:
    if not spec:
        return {}, []
    fewshot = resolve(("baselines", "prompted", "fewshot")) if spec.get("fewshot") else None
    if spec.get("fewshot") and fewshot is None:  # the resolver reported why
        return {}, []
    try:
        turns = read_fewshot(fewshot) if fewshot else []
    except ConfigError as exc:
        return {}, [exc]
    system = spec.get("system")
    head = [{"role": "system", "content": system}] if system else []
    return {"prompted": PromptedBaseline(system, fewshot, tuple(head + turns))}, []


def read_fewshot(path: Path) -> list[dict]:
    """The few-shot turns of a JSONL file, in order; every problem at file:line."""
    turns: list[dict] = []
    for number, text in enumerate(read_text(path, "few-shot file").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BundleError(f"few-shot row is not JSON: {exc.msg}", where=path, line=number,
                              hint="one JSON object per line") from None
        turns += _turns(row, path, number)
    if not turns:
        raise BundleError("the few-shot file has no examples", where=path, line=1,
                          hint='add lines such as {"prompt": "...", "completion": "..."}')
    return turns


def _turns(row: Any, path: Path, number: int) -> list[dict]:
    try:
        messages = list(as_messages(row))
    except RowError:
        messages = []
    if not messages or any(m["role"] not in ROLES for m in messages):
        raise BundleError("a few-shot row needs string 'prompt' and 'completion', or 'messages' "
                          "with user/assistant turns", where=path, line=number,
                          hint='write {"prompt": "...", "completion": "..."} or '
                               '{"messages": [{"role": "user", ...}, ...]}')
    return messages
