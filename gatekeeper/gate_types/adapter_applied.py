"""adapter_applied: the candidate really differs from the base, as its config says it should.

An adapter can load without error and still do nothing: lora_B left at its zero init (a
save before the first step, a broken export), target modules that match nothing in this
base, a scaling that differs from ``lora_alpha / r`` (rsLoRA, rank/alpha patterns read
differently by another peft). Every such problem counts in ``problems``:

* every lora_B tensor in the adapter file is non-zero (read from the safetensors file);
* every declared target module name exists in the base, and every module it names is wrapped;
* each LoRA layer's rank and scaling are what adapter_config.json configures;
* on each probe prompt the adapter moves the next-token logits by at least ``min_logit_delta``
  (max |logit difference| with the adapter on vs off, on the shared model, read-only).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type
from gatekeeper.releases.fingerprint import PROBES


def _count(name: str, description: str) -> Metric:
    return Metric(name, higher_is_better=False, kind="value", lower=0, upper=None, description=description)


METRICS = (
    _count("problems", "zero lora_B tensors + unmatched or unwrapped targets + scaling mismatches "
                       "+ probes the adapter does not move"),
    Metric("min_logit_delta", kind="value", lower=0, upper=None, unit="logit",
           description="smallest, over probes, of the max |logit difference| adapter on vs off"),
    Metric("probes_moved_rate", sampled=False,  # a deterministic check of fixed probes
           description="share of probes whose logits the adapter moves above the floor"),
    _count("zero_lora_b", "LoRA B matrices that are all zero (the adapter does nothing there)"),
    _count("scaling_mismatches", "LoRA layers whose rank or scaling differs from adapter_config.json"),
)


def _check(params: dict, golden) -> None:
    floor = params.get("min_logit_delta", 1e-3)
    if not floor > 0:
        raise ConfigError(f"min_logit_delta must be > 0, found {floor!r}",
                          hint="the smallest logit change that counts as 'the adapter did something'")
    prompts = params.get("prompts")
    if prompts is not None and (not prompts or not all(isinstance(p, str) and p for p in prompts)):
        raise ConfigError("prompts must be a non-empty list of non-empty strings",
                          hint="or leave it out for the built-in probe prompts")


@gate_type(metrics=METRICS, check=_check)
def adapter_applied(ctx, *, min_logit_delta: float = 1e-3, prompts: list | None = None) -> Measurement:
    """The adapter is really applied: non-zero lora_B, targets wrapped, scaling as configured, logits move."""
    models = ctx.models
    if models.adapter_dir is None:
        raise MeasurementError("the bundle has no adapter to check", hint="set `adapter:` in the manifest")
    probes = list(prompts or PROBES)
    parts = {"base": models.base.fingerprint, "adapter": models.info().get("adapter_fingerprint"),
             "dtype": models.dtype, "device": models.device, "quantization": models.quantization,
             "prompts": probes, "floor": min_logit_delta}
    data = ctx.memo("adapter_applied", parts,
                    lambda: _measure(models, probes, min_logit_delta).to_dict())
    return Measurement.from_dict(data)


def _measure(models, probes: list[str], floor: float) -> Measurement:
    config = json.loads((Path(models.adapter_dir) / "adapter_config.json").read_text("utf-8"))
    problems = [("zero lora_B", name, "all-zero: this module's update is zero")
                for name in zero_lora_b(Path(models.adapter_dir))]
    zero = len(problems)
    from gatekeeper.model.loading import count_lora_layers

    with models.hf_model(adapter=True) as model:
        layers = count_lora_layers(model)
        problems += [("target", name, why) for name, why in target_problems(model, config)]
        mismatches = scaling_problems(model, config)
        problems += [("scaling", name, why) for name, why in mismatches]
        deltas = logit_deltas(model, models.tokenizer, probes)
    moved = tuple(float(d >= floor) for d in deltas)
    items = tuple(ItemResult(id=f"probe{i}", input=p, passed=bool(ok), score=d,
                             detail=f"max |logit change| {d:.3g} (floor {floor:g})")
                  for i, (p, d, ok) in enumerate(zip(probes, deltas, moved)))
    items += tuple(ItemResult(id=f"{kind}:{name}", input=name, passed=False, detail=why)
                   for kind, name, why in problems[:200])
    return Measurement(
        metrics={"problems": len(problems) + moved.count(0.0), "min_logit_delta": min(deltas),
                 "probes_moved_rate": sum(moved) / len(moved), "zero_lora_b": zero,
                 "scaling_mismatches": len(mismatches)},
        n=len(probes), items=items,
        samples={"probes_moved_rate": Samples(moved, None, binary=True)},
        details={"lora_layers": layers, "floor": floor,
                 "config": {k: config.get(k) for k in ("r", "lora_alpha", "use_rslora", "target_modules",
                                                         "rank_pattern", "alpha_pattern")},
                 "problems": [{"check": k, "where": n, "why": w} for k, n, w in problems[:50]]})


def zero_lora_b(adapter_dir: Path) -> list[str]:
    """Names of the lora_B tensors that are exactly zero, read from the adapter's safetensors."""
    from safetensors import safe_open

    found = []
    for path in sorted(adapter_dir.glob("adapter_model*.safetensors")):
        with safe_open(str(path), framework="pt") as handle:
            for key in handle.keys():
                if "lora_B" in key and not handle.get_tensor(key).abs().amax().item() > 0:
                    found.append(key)
    return found


def target_problems(model, config: dict) -> list[tuple[str, str]]:
    """Declared targets that match nothing, and matching modules left unwrapped."""
    from peft.tuners.lora import LoraLayer

    targets = config.get("target_modules")
    modules = dict(model.named_modules())
    wrapped = {n for n, m in modules.items() if isinstance(m, LoraLayer)}
    if not isinstance(targets, list):  # a regex or "all-linear": peft decides what matches
        return [] if wrapped else [(str(targets), "matches no module of this base")]
    partial = config.get("layers_to_transform") is not None or config.get("exclude_modules")
    problems = []
    for target in sorted(targets):
        named = [n for n in modules if n.split(".")[-1] == target]
        if not named:
            problems.append((target, "declared in target_modules but no module of this base has that name"))
        elif not partial:
            problems += [(n, "matches target_modules but is not wrapped by LoRA")
                         for n in named if n not in wrapped][:20]
    return problems


def scaling_problems(model, config: dict) -> list[tuple[str, str]]:
    """LoRA layers whose rank or scaling differs from what adapter_config.json says."""
    from peft.tuners.lora import LoraLayer

    problems = []
    for name, module in model.named_modules():
        if not isinstance(module, LoraLayer) or "default" not in module.r:
            continue
        r = _pattern(config.get("rank_pattern") or {}, name, config["r"])
        alpha = _pattern(config.get("alpha_pattern") or {}, name, config["lora_alpha"])
        expected = alpha / math.sqrt(r) if config.get("use_rslora") else alpha / r
        actual_r, actual = module.r["default"], module.scaling["default"]
        if actual_r != r or not math.isclose(actual, expected, rel_tol=1e-6):
            problems.append((name, f"rank {actual_r}, scaling {actual:g}; config says rank {r}, "
                                   f"scaling {expected:g}"))
    return problems


def _pattern(patterns: dict, name: str, default):
    for key, value in patterns.items():
        if re.search(rf"(^|\.){key}$", name):
            return value
    return default


def logit_deltas(model, tokenizer, probes: list[str]) -> list[float]:
    """Per probe: max |logit difference| over prompt positions and vocabulary, adapter on vs off."""
    from gatekeeper.model.merge import row_logits
    from gatekeeper.model.prompts import encode_prompt, render

    seqs = [encode_prompt(tokenizer, render(tokenizer, p, True), True) for p in probes]
    on = row_logits(model, seqs, tokenizer.pad_token_id)
    with model.disable_adapter():
        off = row_logits(model, seqs, tokenizer.pad_token_id)
    return [float((a - b).abs().amax()) for a, b in zip(on, off)]
