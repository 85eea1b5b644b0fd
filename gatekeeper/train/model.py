"""The trainable model: base (full precision, or nf4 for QLoRA) and the recipe's LoRA config.

One code path for CPU and CUDA: only the device and the compute dtype differ (float32 on
CPU, where bf16 has no fast path; bfloat16 on CUDA).
"""

from __future__ import annotations

from gatekeeper.core.errors import ModelError
from gatekeeper.model.resolve import ResolvedModel
from gatekeeper.bundle.recipe import TARGET_ALL, Recipe


def load_base_for_training(base: ResolvedModel, recipe: Recipe, *, dtype: str, device: str,
                           trust_remote_code: bool = False):
    """The base model ready for LoRA: frozen, on ``device``; k-bit prepared when nf4."""
    import torch
    from transformers import AutoModelForCausalLM

    from gatekeeper.model.loading import DTYPES, _nf4_config

    kwargs = dict(dtype=DTYPES[dtype], trust_remote_code=trust_remote_code, local_files_only=True,
                  use_safetensors=base.weight_format == "safetensors")
    if recipe.quantization == "nf4":
        kwargs.update(quantization_config=_nf4_config(DTYPES[dtype]), device_map={"": device})
    try:
        model = AutoModelForCausalLM.from_pretrained(base.path, **kwargs)
    except Exception as exc:
        raise ModelError(f"cannot load base model {base.identity} for training: {exc}",
                         where=base.path) from exc
    if recipe.quantization == "nf4":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    else:
        model.to(device)
    model.config.use_cache = False
    torch.manual_seed(0)  # nothing random yet; the trainer seeds before injecting LoRA
    return model


def lora_config(recipe: Recipe, model):
    """PEFT LoraConfig from the recipe; ``top_layers`` picks the last N decoder layers."""
    from peft import LoraConfig

    spec = recipe.lora
    targets = spec.target_modules if spec.target_modules == TARGET_ALL else list(spec.target_modules)
    layers = None
    if spec.top_layers is not None:
        total = getattr(model.config, "num_hidden_layers", None)
        if total is None:
            raise ModelError("train.lora.top_layers needs a model config with num_hidden_layers")
        layers = list(range(max(0, total - spec.top_layers), total))
        if targets == TARGET_ALL:  # peft needs explicit names to restrict layers
            targets = linear_module_names(model)
    return LoraConfig(r=spec.r, lora_alpha=spec.effective_alpha, lora_dropout=spec.dropout,
                      target_modules=targets, layers_to_transform=layers, bias="none",
                      task_type="CAUSAL_LM")


def linear_module_names(model) -> list[str]:
    """What PEFT's all-linear means: every Linear's leaf name except the output head."""
    import torch

    output = model.get_output_embeddings()
    return sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                   if isinstance(module, torch.nn.Linear) and module is not output})


def parameter_counts(model) -> dict:
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return {"trainable": trainable, "total": total}
