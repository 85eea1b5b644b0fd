"""Training rows as the model sees them: chat template rendering and token counts, no torch.

The chat template (the bundle's ``chat_template`` file, else the base model's
``chat_template.jinja`` or the ``chat_template`` of its ``tokenizer_config.json``) is rendered
with a sandboxed Jinja2 environment, and tokens are counted with the ``tokenizers`` library
from ``tokenizer.json``: no transformers import, so a static gate stays light. The prompt
part is the conversation up to the last assistant turn with the generation prompt; the
trained part is the rest (what completion-only / assistant-only loss trains on).
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from pathlib import Path
from gatekeeper.core.chat import split_messages


@dataclass(frozen=True)
class Rendered:
    prompt_text: str
    trained_text: str
    prompt_tokens: int
    trained_tokens: int

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.trained_tokens


class ChatRenderer:
    """Renders chat messages with a model's template and counts tokens with its tokenizer."""

    def __init__(self, model_dir: Path, template_file: Path | None = None):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        config = _json(model_dir / "tokenizer_config.json")
        source = _template_source(model_dir, template_file, config)
        self.specials = {k: _token_text(config.get(k)) for k in ("bos_token", "eos_token")}
        self.template = _environment().from_string(source) if source else None

    def count(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def render_many(self, conversations: list[list[dict]]) -> list[Rendered]:
        """``render`` for many conversations, tokenised in one batch (the tokenizer's threads)."""
        texts = [self._texts(m) for m in conversations]
        fulls = self.tokenizer.encode_batch([p + t for p, t in texts], add_special_tokens=False)
        out = []
        for (p, t), enc in zip(texts, fulls):
            # one encoding per row: tokens starting inside the prompt text are prompt tokens
            n_prompt = bisect.bisect_left([start for start, _ in enc.offsets], len(p))
            out.append(Rendered(p, t, n_prompt, len(enc.ids) - n_prompt))
        return out

    def render(self, messages: list[dict]) -> Rendered:
        """Prompt (with generation prompt) and trained continuation of one conversation."""
        prompt, trained = self._texts(messages)
        return Rendered(prompt, trained, self.count(prompt), self.count(prompt + trained) - self.count(prompt))

    def _texts(self, messages: list[dict]) -> tuple[str, str]:
        prompt_msgs, answer = split_messages(messages)
        if self.template is None:
            prompt = "\n".join(m["content"] for m in prompt_msgs) + "\n"
            full = prompt + (answer or "")
        else:
            prompt = self.template.render(messages=prompt_msgs, add_generation_prompt=True, **self.specials)
            full = self.template.render(messages=messages, add_generation_prompt=False, **self.specials)
        if not full.startswith(prompt):  # a template that rewrites earlier turns: split by length
            prompt = full[:len(prompt)]
        return prompt, full[len(prompt):]


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _template_source(model_dir: Path, template_file: Path | None, config: dict) -> str | None:
    for path in (template_file, model_dir / "chat_template.jinja"):
        if path is not None and Path(path).is_file():
            return Path(path).read_text("utf-8")
    template = config.get("chat_template")
    return template if isinstance(template, str) else None


def _token_text(value) -> str:
    return value.get("content", "") if isinstance(value, dict) else (value or "")


def _environment():
    from jinja2.exceptions import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    env.filters["tojson"] = lambda v, indent=None: json.dumps(v, indent=indent, ensure_ascii=False)
    return env
