"""Optional vLLM backend: generation and log-likelihood served by vLLM on a GPU runner.

    gatekeeper check BUNDLE --backend vllm        # needs `pip install "gatekeeper[vllm]"` and CUDA

Only the two request kinds the engine caches (``generate`` and ``loglik``) go to vLLM; gates
that need the HF model itself (merge_equivalence, adapter_applied, serving) still load it
through the engine. The engine hands over token ids it encoded with the bundle's chat
template, so prompts are byte for byte the ones the HF path sees; answers are cut with the
same ``finish`` (EOS, stop strings, trailing space). The adapter is served natively by
vLLM's LoRA support (no merge), the base by the same ``LLM`` without a LoRA request.

Results are cached under ``backend: vllm`` (a separate cache key): vLLM's kernels are not
bit-identical to the HF path, so an answer computed by one is never served as the other's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from gatekeeper.core.errors import ModelError, UsageError

BACKENDS = ("hf", "vllm")
GPU_MEMORY_UTILIZATION = 0.80  # leave room for the HF model that some gates still load


def check_available(device: str, tensor_parallel_size: int = 1) -> None:
    """Refuse ``--backend vllm`` before anything loads when vLLM or a GPU is missing, or
    when ``--tensor-parallel-size`` asks for more GPUs than torch sees."""
    try:
        import vllm  # noqa: F401
    except ImportError:
        raise UsageError("--backend vllm: vLLM is not installed",
                         hint='pip install "gatekeeper[vllm]" on a CUDA runner, or use --backend hf') from None
    if device == "cpu":
        raise UsageError("--backend vllm needs a CUDA device, but --device cpu was given",
                         hint="use --device auto or cuda, or --backend hf")
    import torch

    if not torch.cuda.is_available():
        raise UsageError("--backend vllm: torch sees no CUDA device",
                         hint="run on a GPU runner, or use --backend hf")
    check_tensor_parallel(tensor_parallel_size, torch.cuda.device_count())


def check_tensor_parallel(size: int, gpus: int) -> None:
    """``--tensor-parallel-size N`` splits one model over N GPUs: there must be N."""
    if size > gpus:
        raise UsageError(f"--tensor-parallel-size {size}: torch sees {gpus} CUDA device(s)",
                         hint=f"use --tensor-parallel-size {gpus} or less, or a runner with "
                              f"{size} GPUs (CUDA_VISIBLE_DEVICES limits what torch sees)")


class VllmBackend:
    """One vLLM ``LLM`` over the base model, with the engine's adapters as LoRA requests."""

    def __init__(self, engine):
        from vllm import LLM

        self.engine = engine
        adapters = [engine.adapter_dir] if engine.adapter_dir is not None else []
        adapters += [path for path, _ in engine.extra_adapters.values()]
        rank = max((_lora_rank(path) for path in adapters), default=0)
        kwargs = dict(model=str(engine.base.path), tokenizer=str(engine.base.path),
                      dtype=engine.dtype, seed=0, trust_remote_code=engine.trust_remote_code,
                      gpu_memory_utilization=GPU_MEMORY_UTILIZATION, skip_tokenizer_init=False,
                      tensor_parallel_size=engine.tensor_parallel_size)
        if rank:
            kwargs.update(enable_lora=True, max_lora_rank=supported_rank(rank), max_loras=2)
        try:
            self.llm = LLM(**kwargs)
        except Exception as exc:  # noqa: BLE001 - vLLM raises many kinds; say which model failed
            raise ModelError(f"vLLM could not load {engine.base.identity}: {exc}", where=engine.base.path,
                             hint="check that vLLM supports this architecture, or use --backend hf") from exc
        self._lora_ids: dict[str, int] = {}
        self._generation = _GenerationConfigHolder(engine.base.path)

    def _lora(self, adapter: bool | str):
        """The LoRA request for the candidate / a named adapter; None for the base model."""
        from vllm.lora.request import LoRARequest

        if adapter is False or (adapter is True and self.engine.adapter_dir is None):
            return None
        name = "default" if adapter is True else str(adapter)
        path = self.engine.adapter_dir if adapter is True else self.engine.extra_adapters[name][0]
        number = self._lora_ids.setdefault(name, len(self._lora_ids) + 1)
        return LoRARequest(name, number, str(path))

    def generate(self, items: Sequence[Sequence[int]], *, adapter: bool | str, max_new_tokens: int,
                 stops: Sequence[str], progress: bool) -> list[str]:
        """Greedy answers to encoded prompts, cut exactly as the HF path cuts them."""
        from vllm import SamplingParams

        from gatekeeper.model.tokens import eos_token_ids, finish

        tokenizer = self.engine.tokenizer
        eos = set(eos_token_ids(self._generation, tokenizer))
        # Stop strings need vLLM's detokeniser; the text it keeps (stop included) is cut
        # again by finish(), as the HF path cuts it.
        params = SamplingParams(temperature=0.0, max_tokens=max_new_tokens, stop_token_ids=sorted(eos),
                                stop=list(stops) or None, include_stop_str_in_output=True,
                                skip_special_tokens=False, detokenize=bool(stops))
        outputs = self.llm.generate([{"prompt_token_ids": list(ids)} for ids in items], params,
                                    lora_request=self._lora(adapter), use_tqdm=progress)
        return [finish(tokenizer, list(out.outputs[0].token_ids), eos, tuple(stops)) for out in outputs]

    def loglik(self, pairs: Sequence[tuple[Sequence[int], Sequence[int]]], *, adapter: bool | str,
               progress: bool) -> list[float]:
        """Summed log-probability of each continuation's tokens after its context."""
        from vllm import SamplingParams

        params = SamplingParams(temperature=0.0, max_tokens=1, prompt_logprobs=0, detokenize=False)
        prompts = [{"prompt_token_ids": list(context) + list(continuation)} for context, continuation in pairs]
        outputs = self.llm.generate(prompts, params, lora_request=self._lora(adapter), use_tqdm=progress)
        results = []
        for out, (context, continuation) in zip(outputs, pairs):
            scores = out.prompt_logprobs or []
            total = 0.0
            for offset, token in enumerate(continuation):
                position = len(context) + offset
                entry = scores[position] if position < len(scores) else None
                if not entry or token not in entry:
                    raise ModelError(f"vLLM returned no log-probability for prompt position {position}",
                                     hint="use --backend hf for log-likelihood gates")
                total += float(entry[token].logprob)
            results.append(total)
        return results


class _GenerationConfigHolder:
    """What eos_token_ids reads from a model (its generation config), without the HF weights."""

    def __init__(self, path: Path):
        from transformers import GenerationConfig

        try:
            self.generation_config = GenerationConfig.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError):
            self.generation_config = None


def _lora_rank(adapter_dir: Path) -> int:
    try:
        config = json.loads((Path(adapter_dir) / "adapter_config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return 16
    return int(config.get("r") or 16)


def supported_rank(rank: int) -> int:
    """vLLM accepts a fixed set of max_lora_rank values: the smallest one that fits."""
    for allowed in (8, 16, 32, 64, 128, 256, 320, 512):
        if rank <= allowed:
            return allowed
    raise ModelError(f"LoRA rank {rank} is above what vLLM serves (512)", hint="use --backend hf")
