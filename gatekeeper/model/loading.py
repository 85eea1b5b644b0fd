"""Load base model + adapter once (imports torch, transformers, peft).

The candidate and the baseline are one object: a PeftModel whose adapter is switched off
with ``disable_adapter()`` for the baseline, so weights are loaded once (DESIGN §8). The
adapter is verified to be really injected: an adapter that silently matches nothing
would make the candidate equal the baseline and every comparison meaningless.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

from gatekeeper.core.errors import ModelError
from gatekeeper.model.resolve import ResolvedModel

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def pick_device(device: str) -> str:
    """"auto" means cuda when available, else cpu."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("device 'cuda' requested but torch sees no CUDA device",
                         hint="use device 'auto' or 'cpu', or install a CUDA build of torch")
    return device


def pick_dtype(dtype: str, device: str) -> str:
    """"auto" means bfloat16 on cuda and float32 on cpu (bf16 has no fast CPU path, §9)."""
    if dtype == "auto":
        return "bfloat16" if device == "cuda" else "float32"
    return dtype


def load_tokenizer(base: ResolvedModel, chat_template: str | None, trust_remote_code: bool):
    """The base's tokenizer, left-padding, with a pad token and the chosen chat template."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(base.path, trust_remote_code=trust_remote_code,
                                                  local_files_only=True)
    except Exception as exc:
        raise ModelError(f"cannot load the tokenizer of {base.identity}: {exc}", where=base.path,
                         hint="the model directory needs tokenizer files (tokenizer.json, "
                              "tokenizer_config.json)") from exc
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def load_model(base: ResolvedModel, *, adapter_dir: Path | None, dtype: str, device: str,
               quantization: str | None, trust_remote_code: bool):
    """The HF model (wrapped in a verified PeftModel when there is an adapter), in eval mode."""
    from transformers import AutoModelForCausalLM

    kwargs = dict(dtype=DTYPES[dtype], trust_remote_code=trust_remote_code, local_files_only=True,
                  use_safetensors=base.weight_format == "safetensors")
    if quantization == "nf4":
        kwargs.update(quantization_config=_nf4_config(DTYPES[dtype]), device_map={"": device})
    try:
        model = AutoModelForCausalLM.from_pretrained(base.path, **kwargs)
    except Exception as exc:
        raise ModelError(f"cannot load base model {base.identity}: {exc}", where=base.path,
                         hint="check that the directory holds a causal LM saved by save_pretrained") from exc
    if quantization is None:
        model.to(device)
    if adapter_dir is not None:
        model = _apply_adapter(model, adapter_dir)
    model.eval()
    return model


def _nf4_config(compute_dtype):
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                              bnb_4bit_compute_dtype=compute_dtype)


def _apply_adapter(model, adapter_dir: Path, name: str = "default"):
    """Wrap ``model`` with the adapter; refuse adapters that would silently do nothing."""
    from peft import PeftModel

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            peft_model = PeftModel.from_pretrained(model, str(adapter_dir), is_trainable=False,
                                                   adapter_name=name)
        except _unreadable_weights() as exc:
            raise _weights_error(adapter_dir, exc) from exc
        except (ValueError, RuntimeError, KeyError, OSError) as exc:
            raise ModelError(f"cannot apply adapter {adapter_dir} to the base model: {exc}",
                             where=adapter_dir,
                             hint="check that the adapter was trained on this base model "
                                  "(target_modules must exist in it, shapes must match)") from exc
    missing = [str(w.message) for w in caught if "missing adapter keys" in str(w.message)]
    for warning in caught:  # pass the rest on, minus library deprecation chatter
        if not missing and not issubclass(warning.category, (FutureWarning, DeprecationWarning)):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if missing:
        raise ModelError(f"adapter {adapter_dir} does not fit the base model: {missing[0][:300]}",
                         where=adapter_dir, hint="the adapter weights do not match its adapter_config.json")
    if count_lora_layers(peft_model) == 0:
        raise ModelError(f"adapter {adapter_dir} injected no LoRA layers into the base model",
                         where=adapter_dir,
                         hint="its target_modules name no module of this base model")
    return peft_model


def load_named_adapter(model, name: str, adapter_dir: Path):
    """Load another adapter into the shared model under ``name`` once; return the PeftModel."""
    from peft import PeftModel

    if isinstance(model, PeftModel):
        if name not in model.peft_config:
            try:
                model.load_adapter(str(adapter_dir), adapter_name=name, is_trainable=False)
            except _unreadable_weights() as exc:
                raise _weights_error(adapter_dir, exc) from exc
            except (ValueError, RuntimeError, KeyError, OSError) as exc:
                raise ModelError(f"cannot apply adapter {adapter_dir} to the base model: {exc}",
                                 where=adapter_dir, hint="it must be an adapter of this base model") from exc
        return model
    return _apply_adapter(model, adapter_dir, name).eval()


def _unreadable_weights() -> tuple[type[BaseException], ...]:
    """safetensors' own error (a header that lies about sizes or offsets), when installed."""
    try:
        from safetensors import SafetensorError
    except ImportError:
        return ()
    return (SafetensorError,)


def _weights_error(adapter_dir: Path, exc: BaseException) -> ModelError:
    names = ", ".join(p.name for p in sorted(Path(adapter_dir).glob("adapter_model*.safetensors")))
    return ModelError(f"cannot read the adapter weights ({names or 'adapter_model.safetensors'}): {exc}",
                      where=adapter_dir, hint="the file is damaged or not a safetensors file: "
                      "restore it (peft save_pretrained writes it)")


def count_lora_layers(model) -> int:
    """How many modules carry an active LoRA adapter (0 means the adapter does nothing)."""
    from peft.tuners.lora import LoraLayer

    return sum(1 for module in model.modules()
               if isinstance(module, LoraLayer)
               and len(module.lora_A) + len(getattr(module, "lora_embedding_A", {})) > 0)
