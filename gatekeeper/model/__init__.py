"""The model backend: resolve a base model, load it once with its adapter, and run
batched, cached greedy generation and log-likelihood for candidate and baseline.

Importing this package is cheap: torch, transformers and peft are imported only when a
model is actually loaded (``Engine.model``), which a fully cached run never does.
"""

from gatekeeper.model.cache import NullCache, cache_key, engine_cache
from gatekeeper.model.engine import Engine
from gatekeeper.core.paths import cache_root
from gatekeeper.model.resolve import ResolvedModel, adapter_fingerprint, resolve_base

__all__ = ["Engine", "NullCache", "ResolvedModel", "adapter_fingerprint", "cache_key",
           "cache_root", "engine_cache", "resolve_base"]
