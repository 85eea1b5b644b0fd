"""The optional vLLM backend: the engine's contract on GPU runners, isolation everywhere.

The equivalence tests need vLLM and a CUDA device and skip cleanly without them (this
project's CI is CPU only); what can be checked without a GPU runs everywhere: cache
isolation between backends, option validation, the LoRA rank vLLM is asked for.
"""

from __future__ import annotations

import importlib.util

import pytest

from gatekeeper.core.store import MemoryStore
from gatekeeper.model import Engine, NullCache, engine_cache, resolve_base
from gatekeeper.model.vllm_backend import supported_rank

TICKETS = [
    "Classify this support ticket. Answer with JSON only: {\"category\": ..., \"priority\": ...}.\n"
    "Ticket: I was charged twice for my subscription this month.",
    "Classify this support ticket. Answer with JSON only: {\"category\": ..., \"priority\": ...}.\n"
    "Ticket: The app crashes every time I open the settings page.",
    "How do I reset my password?",
    "Write one sentence about the sea.",
]


def _gpu_and_vllm() -> str | None:
    if importlib.util.find_spec("vllm") is None:
        return "vLLM is not installed (extra [vllm], GPU runners only)"
    import torch

    return None if torch.cuda.is_available() else "no CUDA device"


needs_gpu = pytest.mark.skipif(_gpu_and_vllm() is not None, reason=str(_gpu_and_vllm()))


def test_backends_never_share_cached_answers(tiny_model_dir, tiny_adapter_dir):
    """An answer computed by one backend is never served as the other's (other kernels)."""
    base = resolve_base(str(tiny_model_dir))
    cache = engine_cache(MemoryStore())
    hf = Engine(base=base, adapter_dir=tiny_adapter_dir, cache=cache, progress=False, device="cpu")
    vllm = Engine(base=base, adapter_dir=tiny_adapter_dir, cache=cache, progress=False, device="cpu",
                  backend="vllm")
    settings = {"chat": True, "max_new_tokens": 8, "stop": []}
    assert hf._key("generate", "x", True, settings) != vllm._key("generate", "x", True, settings)
    answers = hf.generate(TICKETS[:2], max_new_tokens=8)
    assert hf.generate(TICKETS[:2], max_new_tokens=8) == answers  # the hf path hits its cache
    assert not vllm.loaded and vllm.info()["backend"] == "vllm"


def test_unknown_backend_is_refused(tiny_model_dir):
    from gatekeeper.core.errors import ModelError

    with pytest.raises(ModelError, match="backend must be one of hf, vllm"):
        Engine(base=resolve_base(str(tiny_model_dir)), cache=NullCache(), backend="tgi")


@pytest.mark.parametrize("rank, asked", [(4, 8), (8, 8), (16, 16), (17, 32), (64, 64), (300, 320)])
def test_vllm_is_asked_for_the_smallestsupported_rank_that_fits(rank, asked):
    assert supported_rank(rank) == asked


@needs_gpu
@pytest.mark.slow
def test_vllm_generation_matches_the_hf_engine_on_the_real_model(tmp_path):
    """Same prompts, same chat template, greedy: the answers agree (bf16 kernels may differ
    on near-ties, so at least 3 of 4 must be identical and the first tokens all agree)."""
    base = resolve_base("builtin:smollm2-135m-instruct")
    hf = Engine(base=base, cache=NullCache(), progress=False, device="cuda")
    vllm = Engine(base=base, cache=NullCache(), progress=False, device="cuda", backend="vllm")
    expected = hf.generate(TICKETS, max_new_tokens=24, adapter=False)
    got = vllm.generate(TICKETS, max_new_tokens=24, adapter=False)
    assert sum(a == b for a, b in zip(expected, got, strict=True)) >= 3, (expected, got)
    assert all(a[:8] == b[:8] for a, b in zip(expected, got, strict=True))


@needs_gpu
@pytest.mark.slow
def test_vllm_serves_the_adapter_and_loglik_matches(tmp_path):
    from testkit.tiny import build_tiny_adapter

    base = resolve_base("builtin:smollm2-135m-instruct")
    adapter = build_tiny_adapter(base.path, tmp_path / "adapter", seed=3)
    hf = Engine(base=base, adapter_dir=adapter, cache=NullCache(), progress=False, device="cuda")
    vllm = Engine(base=base, adapter_dir=adapter, cache=NullCache(), progress=False, device="cuda",
                  backend="vllm")
    pairs = [(t, " billing") for t in TICKETS]
    for enabled in (True, False):
        a = hf.loglik(pairs, adapter=enabled)
        b = vllm.loglik(pairs, adapter=enabled)
        assert all(abs(x - y) <= 0.05 * max(1.0, abs(x)) for x, y in zip(a, b, strict=True)), (enabled, a, b)
    assert vllm.generate(TICKETS, max_new_tokens=8) != vllm.generate(TICKETS, max_new_tokens=8, adapter=False)
