"""A tokenizer's chat profile: template, special tokens, generation prompt, stops, and the
tokenizer evaluation uses. Shared by the chat_template gate, the training record and the
rollback check (none of them imports another)."""

from __future__ import annotations

import hashlib
import json


FIELDS = ("template", "bos", "eos", "pad", "generation_prompt", "rendered", "stop")

PROBE_CHAT = [{"role": "user", "content": "Where is my order?"},
              {"role": "assistant", "content": "It ships today."}]

def eval_tokenizer(bundle):
    """The tokenizer evaluation would use (same loader, same template override)."""
    from gatekeeper.model.loading import load_tokenizer
    from gatekeeper.model.resolve import resolve_base

    base = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    template = bundle.chat_template.read_text("utf-8") if bundle.chat_template else None
    return load_tokenizer(base, template, bundle.trust_remote_code)

def profile(tokenizer) -> dict:
    """What a tokenizer means for chat: template, special tokens, generation prompt, stops."""
    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default")
    out = {"template": template, "bos": tokenizer.bos_token, "eos": tokenizer.eos_token,
           "pad": tokenizer.pad_token, "stop": sorted({tokenizer.eos_token} - {None})}
    out["generation_prompt"], out["rendered"] = _renders(tokenizer) if template else (None, None)
    out["fingerprint"] = fingerprint(out)
    return out

def _renders(tokenizer) -> tuple[str | None, str | None]:
    try:
        bare = tokenizer.apply_chat_template(PROBE_CHAT[:1], tokenize=False, add_generation_prompt=False)
        asked = tokenizer.apply_chat_template(PROBE_CHAT[:1], tokenize=False, add_generation_prompt=True)
        full = tokenizer.apply_chat_template(PROBE_CHAT, tokenize=False)
    except Exception as exc:  # a template that cannot render is itself the finding
        return f"<cannot render: {exc}>", f"<cannot render: {exc}>"
    return (asked[len(bare):] if asked.startswith(bare) else asked), full

def fingerprint(prof: dict) -> str:
    data = json.dumps({k: prof.get(k) for k in FIELDS}, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()
