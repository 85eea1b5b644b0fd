"""Wire a bundle to the model engine: resolve the base, check it against the lock, build it once."""

from __future__ import annotations

from gatekeeper.bundle import Bundle
from gatekeeper.errors import LockError
from gatekeeper.session import EngineOptions


def base_identity(bundle: Bundle) -> dict:
    """What the lock records about the base model: what was asked for and what it hashed to."""
    from gatekeeper.model.resolve import resolve_base

    resolved = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    return {"model": bundle.base.model, "revision": bundle.base.revision,
            "fingerprint": resolved.fingerprint,
            "tokenizer_fingerprint": resolved.tokenizer_fingerprint}


def build_engine(bundle: Bundle, options: EngineOptions, lock: dict | None):
    """The run's engine. A base model whose weights differ from the lock is refused."""
    from gatekeeper.model.cache import MemoryCache, ResultCache
    from gatekeeper.model.engine import Engine
    from gatekeeper.model.resolve import resolve_base

    base = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    locked = (lock or {}).get("base") or {}
    if locked.get("fingerprint") and locked["fingerprint"] != base.fingerprint:
        raise LockError(f"base model '{bundle.base.model}' differs from the lock "
                        f"(locked {locked['fingerprint'][:19]}…, found {base.fingerprint[:19]}…)",
                        where=bundle.root / "gatekeeper.lock",
                        hint="the base weights changed: restore them, or re-lock and re-review")
    if not options.cache:
        cache = MemoryCache()  # nothing persisted, but shared prompts are computed once
    elif options.cache_dir:
        cache = ResultCache(options.cache_dir / "results.sqlite")
    else:
        cache = ResultCache.default()
    template = bundle.chat_template.read_text("utf-8") if bundle.chat_template else None
    kwargs = dict(base=base, adapter_dir=bundle.adapter, chat_template=template,
                  dtype=bundle.base.dtype, device=options.device,
                  quantization=bundle.base.quantization, cache=cache,
                  trust_remote_code=bundle.trust_remote_code, progress=options.progress,
                  allow_pickle=bundle.allow_pickle)
    if options.batch_size:
        kwargs["batch_size"] = options.batch_size
    return Engine(**kwargs)
