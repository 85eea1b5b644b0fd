"""The model engine: one load, adapter on/off, batched greedy generation and loglik, cached.

Constructing an Engine is cheap (no torch): results are looked up in the persistent
cache first and the model is loaded, once, only on the first miss. A re-check that
changed only thresholds therefore never loads weights (DESIGN §4.5, §8).

    engine = Engine(base=resolve_base("builtin:smollm2-135m-instruct"), adapter_dir=Path("adapter"))
    candidate = engine.generate(prompts)                 # adapter on
    baseline = engine.generate(prompts, adapter=False)   # same weights, adapter disabled
"""

from __future__ import annotations

import contextlib
import hashlib
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator, Sequence

from gatekeeper.core.errors import ModelError
from gatekeeper.core.store import Shelf
from gatekeeper.model.cache import NullCache, cache_key, engine_cache
from gatekeeper.model.prompts import Prompt, check_prompt, encode_pair, encode_prompt, key_text, render
from gatekeeper.model.resolve import ResolvedModel, adapter_fingerprint

# Bump when decoding logic changes in a way that changes outputs: old cache entries then miss.
CACHE_VERSION = 1
DTYPES = ("auto", "float32", "bfloat16", "float16")
DEVICES = ("auto", "cpu", "cuda")
QUANTIZATIONS = (None, "nf4")
BACKENDS = ("hf", "vllm")  # vllm: gatekeeper/model/vllm_backend.py (GPU runners, extra [vllm])


class Engine:
    """Base model + optional LoRA adapter, loaded lazily once; see the module docstring."""

    def __init__(self, *, base: ResolvedModel, adapter_dir: Path | None = None,
                 chat_template: str | None = None, dtype: str = "auto", device: str = "auto",
                 quantization: str | None = None, cache: Shelf | NullCache | None = None,
                 trust_remote_code: bool = False, batch_size: int = 64, progress: bool = True,
                 allow_pickle: bool = False, backend: str = "hf", tensor_parallel_size: int = 1):
        _check_choice("dtype", dtype, DTYPES)
        _check_choice("device", device, DEVICES)
        _check_choice("quantization", quantization, QUANTIZATIONS)
        _check_choice("backend", backend, BACKENDS)
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.base = base
        self.adapter_dir = Path(adapter_dir) if adapter_dir is not None else None
        self.adapter_fingerprint = (adapter_fingerprint(self.adapter_dir, allow_pickle=allow_pickle)
                                    if self.adapter_dir is not None else None)
        self.chat_template = chat_template
        self.device = _resolve_device(device)
        self.dtype = ("bfloat16" if self.device == "cuda" else "float32") if dtype == "auto" else dtype
        self.quantization = quantization
        self.cache = cache if cache is not None else engine_cache()
        self.trust_remote_code = trust_remote_code
        self.batch_size = batch_size
        self.progress = progress
        self._allow_pickle = allow_pickle
        # name -> (adapter dir, fingerprint): other adapters of this base, e.g. the previous release
        self.extra_adapters: dict[str, tuple[Path, str]] = {}
        self._model = None
        self._tokenizer = None
        self.pool = None  # a WorkerPool for `check --workers N` (gatekeeper.model.parallel)
        self._load_error: ModelError | None = None  # a load that failed is not retried per gate
        self.backend = backend
        if tensor_parallel_size < 1 or (tensor_parallel_size > 1 and backend != "vllm"):
            raise ModelError(f"tensor_parallel_size {tensor_parallel_size}: needs backend vllm and a "
                             "value of at least 1", hint="use --tensor-parallel-size with --backend vllm")
        self.tensor_parallel_size = tensor_parallel_size  # GPUs one vLLM model spans
        self._vllm: Any = None  # the VllmBackend, built on the first generate/loglik miss

    # -- loading -------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """Whether the model weights have been loaded (False for a fully cached run)."""
        return self._model is not None or self._vllm is not None

    @property
    def tokenizer(self):
        """The base tokenizer (left padding, pad token set, chat template applied)."""
        if self._tokenizer is None:
            from gatekeeper.model.loading import load_tokenizer

            self._tokenizer = load_tokenizer(self.base, self.chat_template, self.trust_remote_code)
        return self._tokenizer

    @property
    def model(self):
        """The HF model (a PeftModel when there is an adapter); loads it on first use."""
        if self._load_error is not None:
            err = self._load_error
            raise ModelError(err.message, where=err.where, line=err.line, hint=err.hint)
        if self._model is None:
            from gatekeeper.model.loading import load_model

            try:
                self._model = load_model(self.base, adapter_dir=self.adapter_dir, dtype=self.dtype,
                                         device=self.device, quantization=self.quantization,
                                         trust_remote_code=self.trust_remote_code)
            except ModelError as exc:
                self._load_error = exc
                raise
        return self._model

    def add_adapter(self, name: str, adapter_dir: Path) -> str:
        """Register another adapter of this base under ``name`` (the previous release, say).

        It is loaded into the shared model on first use (PEFT ``load_adapter``), so no
        weights load twice; its answers are cached under its own fingerprint.
        """
        if not name or name == "default":
            raise ValueError(f"adapter name {name!r} is reserved")
        fingerprint = adapter_fingerprint(adapter_dir, allow_pickle=self._allow_pickle)
        self.extra_adapters[name] = (Path(adapter_dir), fingerprint)
        return fingerprint

    @contextlib.contextmanager
    def adapter_enabled(self, enabled: bool | str = True) -> Iterator[object]:
        """Yield the model with the adapter on (candidate), off (baseline) or a named one."""
        if isinstance(enabled, str):
            with self._named_adapter(enabled) as model:
                yield model
            return
        model = self.model
        if (enabled and self.adapter_dir is not None) or not hasattr(model, "disable_adapter"):
            yield model
        else:  # also when only named adapters were loaded into an adapter-less base
            with model.disable_adapter():
                yield model

    @contextlib.contextmanager
    def _named_adapter(self, name: str) -> Iterator[object]:
        from gatekeeper.model.loading import load_named_adapter

        if name not in self.extra_adapters:
            raise ModelError(f"no adapter named {name!r} was registered with the engine",
                             hint="register it with Engine.add_adapter(name, dir) first")
        self._model = model = load_named_adapter(self.model, name, self.extra_adapters[name][0])
        model.set_adapter(name)
        try:
            yield model
        finally:
            if self.adapter_dir is not None:
                model.set_adapter("default")

    # -- requests ------------------------------------------------------------------------

    def generate(self, prompts: Sequence[Prompt], *, adapter: bool | str = True, max_new_tokens: int = 64,
                 stop: Sequence[str] = (), chat: bool = True, desc: str | None = None) -> list[str]:
        """Greedy continuations of ``prompts`` in input order (cached; see module docstring)."""
        for prompt in prompts:
            check_prompt(prompt, chat)
        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
        stop = [s for s in stop if s]
        settings = {"chat": chat, "max_new_tokens": int(max_new_tokens), "stop": stop}
        keys = [self._key("generate", key_text(p), adapter, settings) for p in prompts]

        def compute(todo: list[int]) -> list[str]:
            request = {"kind": "generate", "adapter": adapter, "max_new_tokens": max_new_tokens,
                       "stops": stop, "desc": desc or self._desc("generate", adapter)}
            return self._dispatch(request, [self._encode(prompts[i], chat) for i in todo])
        return self._cached(keys, compute)

    def loglik(self, requests: Sequence[tuple[Prompt, str]], *, adapter: bool | str = True,
               chat: bool = True, desc: str | None = None) -> list[float]:
        """Summed log-probability of each continuation given its context (cached)."""
        for context, continuation in requests:
            check_prompt(context, chat)
            if not isinstance(continuation, str):
                raise TypeError(f"a continuation is a str, not {type(continuation).__name__}")
        keys = [self._key("loglik", key_text(c) + "\0" + x, adapter, {"chat": chat}) for c, x in requests]

        def compute(todo: list[int]) -> list[float]:
            pairs = [encode_pair(self.tokenizer, render(self.tokenizer, requests[i][0], chat),
                                 requests[i][1], chat) for i in todo]
            request = {"kind": "loglik", "adapter": adapter, "desc": desc or self._desc("loglik", adapter)}
            return self._dispatch(request, pairs)
        return self._cached(keys, compute)

    def _dispatch(self, request: dict, items: list) -> list:
        """Compute here, or sharded over the data-parallel workers (gatekeeper.model.parallel)."""
        if self.pool is None:
            return self.compute_shard(request, items)
        adapters = {name: str(path) for name, (path, _) in self.extra_adapters.items()}
        return self.pool.map({**request, "adapters": adapters}, items, self.compute_shard)

    def compute_shard(self, request: dict, items: list) -> list:
        """One generate/loglik request on encoded items, on this process's model."""
        from gatekeeper.model.decoding import generate_ids, loglik_ids

        for name, path in request.get("adapters", {}).items():  # a worker mirrors rank 0's adapters
            if name not in self.extra_adapters:
                self.add_adapter(name, Path(path))
        if self.backend == "vllm":
            return self._compute_vllm(request, items)
        with self.adapter_enabled(request["adapter"]) as model:
            if request["kind"] == "generate":
                return generate_ids(model, self.tokenizer, items, max_new_tokens=request["max_new_tokens"],
                                    stops=request["stops"], batch_size=self.batch_size,
                                    progress=self.progress, desc=request["desc"])
            return loglik_ids(model, items, pad_id=self.tokenizer.pad_token_id, batch_size=self.batch_size,
                              progress=self.progress, desc=request["desc"])

    def _compute_vllm(self, request: dict, items: list) -> list:
        from gatekeeper.model.vllm_backend import VllmBackend

        if self._vllm is None:
            self._vllm = VllmBackend(self)
        if request["kind"] == "generate":
            return self._vllm.generate(items, adapter=request["adapter"], max_new_tokens=request["max_new_tokens"],
                                       stops=request["stops"], progress=self.progress)
        return self._vllm.loglik(items, adapter=request["adapter"], progress=self.progress)

    def _encode(self, prompt: Prompt, chat: bool) -> list[int]:
        ids = encode_prompt(self.tokenizer, render(self.tokenizer, prompt, chat), chat)
        if not ids:  # an empty raw prompt: start from BOS (or EOS), as lm-eval does
            start = self.tokenizer.bos_token_id
            ids = [start if start is not None else self.tokenizer.eos_token_id]
        return ids

    def _cached(self, keys: list[str], compute) -> list:
        """Look every key up, compute each distinct miss once, store, return in key order."""
        found = self.cache.get_many(keys)
        first_index: dict[str, int] = {}
        for index, key in enumerate(keys):
            if key not in found:
                first_index.setdefault(key, index)
        if first_index:
            todo = list(first_index.values())
            fresh = dict(zip(first_index, compute(todo)))
            self.cache.put_many(fresh)
            found.update(fresh)
        return [found[key] for key in keys]

    def _key(self, kind: str, prompt_text: str, adapter: bool | str, settings: dict) -> str:
        if isinstance(adapter, str):
            adapter_fp = self.extra_adapters[adapter][1] if adapter in self.extra_adapters else f"?{adapter}"
        else:
            adapter_fp = self.adapter_fingerprint if adapter and self.adapter_fingerprint else "base"
        template = hashlib.sha256(self.chat_template.encode()).hexdigest() if self.chat_template else None
        common = {"engine": CACHE_VERSION, "tokenizer": self.base.tokenizer_fingerprint,
                  "chat_template": template, "dtype": self.dtype, "quantization": self.quantization}
        if self.backend != "hf":  # other kernels, other answers: never served as the HF path's
            common["backend"] = self.backend
        return cache_key(self.base.fingerprint, adapter_fp, kind, prompt_text, {**common, **settings})

    def _desc(self, kind: str, adapter: bool | str) -> str:
        if isinstance(adapter, str):
            return f"{kind} ({adapter})"
        return f"{kind} ({'candidate' if adapter and self.adapter_dir else 'baseline'})"

    # -- provenance ----------------------------------------------------------------------

    def info(self) -> dict:
        """JSON-safe provenance for the report: what ran, on what, with which versions."""
        return {
            "base": self.base.identity,
            "base_fingerprint": self.base.fingerprint,
            "tokenizer_fingerprint": self.base.tokenizer_fingerprint,
            "adapter_fingerprint": self.adapter_fingerprint,
            "dtype": self.dtype,
            "device": self.device,
            "device_name": _device_name(self.device),
            "quantization": self.quantization,
            "decoding": "greedy",
            "backend": self.backend,
            **({"tensor_parallel_size": self.tensor_parallel_size} if self.backend == "vllm" else {}),
            "versions": {name: _version(name) for name in ("transformers", "peft", "torch")},
        }


def _check_choice(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ModelError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}",
                         hint=f"set {name} to one of the listed values")


def _resolve_device(device: str) -> str:
    """"auto" -> cuda when available else cpu; asking torch is only needed when not "cpu"."""
    if device == "cpu":
        return "cpu"
    from gatekeeper.model.loading import pick_device

    return pick_device(device)


def _device_name(device: str) -> str:
    if device == "cuda":
        import torch

        return torch.cuda.get_device_name()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
