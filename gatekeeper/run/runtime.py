"""Wire a bundle to the model engine: resolve the base (checked against the lock before any
gate ran, in lock.verify_lock) and build the engine once."""

from __future__ import annotations

from typing import Any

from gatekeeper.bundle.manifest import Bundle
from gatekeeper.core.options import EngineOptions


def build_engine(bundle: Bundle, options: EngineOptions, lock: dict | None):
    """The run's one engine over the bundle's base model and adapter."""
    from gatekeeper.core.paths import use_cache_of
    from gatekeeper.core.store import cache_store
    from gatekeeper.model.cache import engine_cache
    from gatekeeper.model.engine import Engine
    from gatekeeper.model.resolve import resolve_base

    from gatekeeper.bundle.lock import verify_base

    verify_base(bundle, lock)  # done before any gate already (verify_lock); cheap, memoised hashes
    base = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    # The run's store (check wraps the run in use_cache), or the options' own where they
    # differ (a release fingerprint re-runs on a fresh memory); with caching off nothing is
    # persisted, but shared prompts are computed once.
    with use_cache_of(options):
        cache = engine_cache(cache_store())
    template = bundle.chat_template.read_text("utf-8") if bundle.chat_template else None
    kwargs: dict[str, Any] = dict(base=base, adapter_dir=bundle.adapter, chat_template=template,
                  dtype=bundle.base.dtype, device=options.device,
                  quantization=bundle.base.quantization, cache=cache,
                  trust_remote_code=bundle.trust_remote_code, progress=options.progress,
                  allow_pickle=bundle.allow_pickle, backend=options.backend)
    if options.tensor_parallel_size > 1:
        kwargs["tensor_parallel_size"] = options.tensor_parallel_size
    if options.batch_size:
        kwargs["batch_size"] = options.batch_size
    engine = Engine(**kwargs)
    if options.launched is not None or options.workers > 1:
        from gatekeeper.model.parallel import attach_pool

        group = options.launched
        attach_pool(engine, kwargs, group.launch.world_size if group else options.workers, group)
    return engine
