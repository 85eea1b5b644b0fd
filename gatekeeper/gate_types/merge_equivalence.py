"""merge_equivalence: the merged model that ships behaves like the adapter that was evaluated.

The adapter is merged into a freshly loaded copy of the base (``ctx.models.load_fresh``;
the shared model is never modified), or, with ``merged: DIR``, a merged model written by
``gatekeeper check --export-merged`` or any other tool is loaded. When the run grants the
output ``merged`` (``check --export-merged DIR``: ``ctx.output_dir("merged")``), the merge is
written there once and the gate measures those files. On a few probe prompts
it is compared with the unmerged candidate: per position (teacher-forced on the
candidate's greedy continuation) top-1 agreement, max |logit difference| and KL of the
next-token distributions; per probe whether the greedy outputs are identical.

``tolerance_ratio`` is the measured distance as a multiple of the documented tolerance of
the compute dtype (gatekeeper.model.merge.TOLERANCES, each with its source): at most 1
means equivalent for that dtype. For QLoRA (nf4) the artifact is the dequantized merge
(see gatekeeper/model/merge.py); ``artifact: requantized`` measures peft's 4-bit merge.
"""

from __future__ import annotations

from pathlib import Path

from gatekeeper.core.errors import ConfigError, MeasurementError
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.model.merge import ARTIFACTS, tolerance_for
from gatekeeper.core.gatetype import gate_type
from gatekeeper.releases.fingerprint import PROBES

METRICS = (
    Metric("tolerance_ratio", higher_is_better=False, kind="value", lower=0, upper=None,
           description="distance merged vs unmerged as a multiple of the dtype's documented tolerance (<= 1: equivalent)"),
    Metric("top1_agreement", sampled=False, description="share of positions where merged and unmerged pick the same next token"),
    Metric("greedy_match_rate", sampled=False, description="share of probes whose greedy outputs are identical"),
    Metric("max_abs_logit_diff", higher_is_better=False, kind="value", lower=0, upper=None, unit="logit",
           description="largest |logit difference| over all positions and the vocabulary"),
    Metric("mean_kl", higher_is_better=False, kind="value", lower=0, upper=None, unit="nats",
           description="mean KL(unmerged || merged) of the next-token distributions"),
)


def _check(params: dict, golden) -> None:
    if params.get("artifact", "auto") not in ARTIFACTS:
        raise ConfigError(f"artifact must be one of {', '.join(ARTIFACTS)}, found {params['artifact']!r}",
                          hint="auto merges in the model's dtype, or dequantizes an nf4 base first")
    prompts = params.get("prompts")
    if prompts is not None and (not prompts or not all(isinstance(p, str) and p for p in prompts)):
        raise ConfigError("prompts must be a non-empty list of non-empty strings",
                          hint="or leave it out for the built-in probe prompts")


@gate_type(metrics=METRICS, path_params={"merged": "model"}, positive=("max_new_tokens",), check=_check)
def merge_equivalence(ctx, *, prompts: list | None = None, max_new_tokens: int = 16,
                      artifact: str = "auto", merged: str | None = None) -> Measurement:
    """Merged model vs unmerged adapter on probe prompts: logits, KL, top-1, greedy outputs."""
    models = ctx.models
    if models.adapter_dir is None:
        raise MeasurementError("the bundle has no adapter: there is nothing to merge",
                               hint="set `adapter:` in the manifest, or drop this gate")
    probes = list(prompts or PROBES)
    export = ctx.output_dir("merged")
    if export is not None and merged is None:
        merged = _export(ctx, export, artifact)
    kind = artifact if artifact != "auto" else ("dequantized" if models.quantization == "nf4" else "merged")
    if kind != "merged" and models.quantization != "nf4" and merged is None:
        raise MeasurementError(f"artifact '{kind}' applies to an nf4 (QLoRA) base; this base is "
                               f"{models.quantization or 'not quantized'}", hint="use artifact: auto")
    parts = {"base": models.base.fingerprint, "adapter": models.info().get("adapter_fingerprint"),
             "dtype": models.dtype, "device": models.device, "quantization": models.quantization,
             "artifact": kind, "merged": _dir_digest(merged), "prompts": probes,
             "max_new_tokens": max_new_tokens}
    data = ctx.memo("merge_equivalence", parts,
                    lambda: _measure(ctx, probes, max_new_tokens, kind, merged).to_dict())
    return Measurement.from_dict(data)


def _measure(ctx, probes: list[str], max_new_tokens: int, kind: str, merged_dir: str | None) -> Measurement:
    from gatekeeper.model.merge import compare
    from gatekeeper.model.prompts import encode_prompt, render

    models = ctx.models
    tokenizer = models.tokenizer
    prompt_ids = [encode_prompt(tokenizer, render(tokenizer, p, True), True) for p in probes]
    ctx.log(f"building the merged model ({kind if merged_dir is None else merged_dir})")
    merged_model = _merged_model(models, kind, merged_dir)
    with models.hf_model(adapter=True) as reference:
        result = compare(reference, merged_model, tokenizer, prompt_ids, max_new_tokens=max_new_tokens)
    del merged_model
    tol = tolerance_for(models.dtype, models.quantization)
    return _measurement(probes, result, tol, kind if merged_dir is None else "exported")


def _export(ctx, target: Path, artifact: str) -> str:
    """Write the merged model once per run (``check --export-merged``); return its folder."""
    from gatekeeper.model.merge import export_merged

    if not (target / "config.json").is_file():  # an earlier merge gate of this run wrote it
        kind = artifact if artifact != "auto" else ("dequantized" if ctx.models.quantization == "nf4" else "merged")
        ctx.log(f"exporting the merged model to {target}")
        export_merged(_merged_model(ctx.models, kind, None), ctx.models.tokenizer, target)
    return str(target)


def _merged_model(models, kind: str, merged_dir: str | None):
    from gatekeeper.model.merge import dequantized_merge, load_merged_dir, merge_peft

    if merged_dir is not None:
        return load_merged_dir(Path(merged_dir), models.dtype, models.device)
    if kind == "dequantized":
        return dequantized_merge(models.load_fresh(adapter=False), models.adapter_dir)
    return merge_peft(models.load_fresh(adapter=True))


def _measurement(probes, result, tol: dict, artifact: str) -> Measurement:
    n = len(result.top1)
    top1 = sum(result.top1) / n
    max_diff = max(result.abs_diff)
    if tol["max_abs_logit_diff"] is not None:
        ratio = max_diff / tol["max_abs_logit_diff"]
    else:
        ratio = (1.0 - top1) / (1.0 - tol["top1_agreement"])
    items = tuple(
        ItemResult(id=f"probe{i}", input=p, output=text, passed=bool(match),
                   detail=None if match else f"the merged model's greedy output diverges at token {at}")
        for i, (p, text, match, at) in enumerate(zip(probes, result.outputs, result.greedy_match,
                                                     result.diverges_at)))
    return Measurement(
        metrics={"tolerance_ratio": ratio, "top1_agreement": top1,
                 "greedy_match_rate": sum(result.greedy_match) / len(probes),
                 "max_abs_logit_diff": max_diff, "mean_kl": sum(result.kl) / n},
        n=n, items=items,
        samples={"top1_agreement": Samples(result.top1, None, binary=True),
                 "greedy_match_rate": Samples(result.greedy_match, None, binary=True)},
        details={"artifact": artifact, "tolerance": tol, "positions": n, "probes": len(probes),
                 "worst_positions": _worst(result)})


def _worst(result, k: int = 5) -> list[dict]:
    order = sorted(range(len(result.abs_diff)), key=lambda i: -result.abs_diff[i])[:k]
    return [{"position": i, "abs_diff": result.abs_diff[i], "kl": result.kl[i],
             "top1_agrees": bool(result.top1[i])} for i in order]


def _dir_digest(path: str | None) -> str | None:
    """Fingerprint of an exported merged model (config + weights), for the memo key."""
    if path is None:
        return None
    from gatekeeper.model.hashing import combine, file_sha256

    files = sorted(p for p in Path(path).iterdir() if p.suffix in (".json", ".safetensors"))
    return combine([(p.name, file_sha256(p)) for p in files])
