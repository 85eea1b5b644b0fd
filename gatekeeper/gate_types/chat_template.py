"""chat_template: train, eval and serve use the same chat template, special tokens and stops.

A model trained with one template and served with another answers worse or never stops,
and nothing else in the pipeline notices (ML-GAP-037). Each side is reduced to a profile:
template text, BOS/EOS/pad tokens, the generation prompt the template appends, a rendered
probe conversation, and the stop strings. Every field that differs from the evaluation
side is a mismatch, named with a diff.

    eval   the tokenizer evaluation uses: the base's, with the bundle's chat_template
    train  the tokenizer saved beside the adapter (tokenizer_config.json in adapter/), or
           the training record (adapter/training.json, or an older training_log.json): its
           template profile when it has one, else its tokenizer fingerprint and template choice
    serve  the ``serving`` file, when given: a .jinja template, or JSON/YAML with any of
           chat_template (text), chat_template_file, bos_token, eos_token, pad_token,
           stop (list); an HF tokenizer_config.json works as is

The lock pins the tokenizer and template files themselves (gatekeeper.lock); this gate
compares what those files *mean* across the three places. Static: no model weights.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from gatekeeper.core.errors import ConfigError
from gatekeeper.core.measurement import ItemResult, Measurement
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type
from gatekeeper.bundle.training import find_record
from gatekeeper.model.template import FIELDS, eval_tokenizer, profile

SERVING_KEYS = {"chat_template", "chat_template_file", "bos_token", "eos_token", "pad_token", "stop"}

METRICS = (
    Metric("mismatches", higher_is_better=False, kind="value", lower=0, upper=None,
           description="profile fields (template, BOS/EOS/pad, generation prompt, stops) that differ "
                       "between train or serve and eval"),
    Metric("sides_compared", kind="value", lower=0, upper=None,
           description="how many of train/serve were available to compare with eval"),
)


def _check(params: dict, golden) -> None:
    if params.get("serving"):
        read_serving(Path(params["serving"]))


@gate_type(needs_model=False, metrics=METRICS, path_params={"serving": "config"}, check=_check)
def chat_template(ctx, *, serving: str | None = None) -> Measurement:
    """Template, special tokens, generation prompt and stops agree across train, eval and serve."""
    data = ctx.memo("chat_template", _inputs(ctx.bundle, serving),
                    lambda: _measure(ctx.bundle, serving).to_dict())
    return Measurement.from_dict(data)


def _inputs(bundle, serving: str | None) -> dict:
    """Every file the profiles are read from, by content: a warm re-check loads no tokenizer."""
    from gatekeeper.model.hashing import file_sha256
    from gatekeeper.model.resolve import resolve_base

    base = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    files = [bundle.chat_template, Path(serving) if serving else None]
    if bundle.adapter is not None:
        files += sorted(p for p in bundle.adapter.iterdir() if p.suffix in (".json", ".jinja", ".model", ".txt")
                        and not p.name.startswith("adapter_"))
    return {"tokenizer": base.tokenizer_fingerprint, "trust_remote_code": bundle.trust_remote_code,
            "files": {str(f): file_sha256(f) for f in files if f is not None and f.is_file()}}


def _measure(bundle, serving: str | None) -> Measurement:
    evaluated = profile(eval_tokenizer(bundle))
    sides = {"train": train_profile(bundle), "serve": read_serving(Path(serving)) if serving else None}
    items, problems = [], []
    for side, other in sides.items():
        if other is None:
            continue
        for field in FIELDS:
            if field not in other:
                continue
            same = _agrees(field, evaluated[field], other[field])
            detail = None if same else describe(field, evaluated[field], other[field], side)
            items.append(ItemResult(id=f"{side}.{field}", input=f"{side} vs eval: {field}",
                                    expected=_short(evaluated[field]), output=_short(other[field]),
                                    passed=same, detail=detail))
            if not same:
                problems.append({"side": side, "field": field, "diff": diff(evaluated[field], other[field], side)})
    compared = [s for s, p in sides.items() if p is not None]
    return Measurement(
        metrics={"mismatches": len(problems), "sides_compared": len(compared)}, n=len(items),
        items=tuple(items),
        details={"eval": _public(evaluated), "compared": compared,
                 "train_source": (sides["train"] or {}).get("source"), "problems": problems,
                 "not_compared": [s for s, p in sides.items() if p is None]})



def train_profile(bundle) -> dict | None:
    """What training used: a tokenizer saved with the adapter, else the training record."""
    adapter = bundle.adapter
    if adapter is None:
        return None
    if (adapter / "tokenizer_config.json").is_file():
        from transformers import AutoTokenizer

        saved = AutoTokenizer.from_pretrained(str(adapter), local_files_only=True,
                                              trust_remote_code=bundle.trust_remote_code)
        if saved.pad_token_id is None:
            saved.pad_token = saved.eos_token  # as evaluation does, so only real differences show
        return {**profile(saved), "source": "tokenizer saved with the adapter"}
    record = find_record(adapter)
    if record is None:
        return None
    if isinstance(record.get("template_profile"), dict):
        return {**record["template_profile"], "source": "training record (template profile)"}
    return _record_identity(bundle, record)


def _record_identity(bundle, record: dict) -> dict | None:
    """Older records hold only which template and tokenizer files were used: compare those."""
    from gatekeeper.model.resolve import resolve_base

    base = record.get("base") or {}
    used = record.get("chat_template")
    if not base.get("tokenizer_fingerprint") and used is None:
        return None
    out: dict = {"source": "training record (tokenizer fingerprint and template choice)"}
    current = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    if base.get("tokenizer_fingerprint") and base["tokenizer_fingerprint"] != current.tokenizer_fingerprint:
        out["template"] = out["eos"] = f"<tokenizer files {base['tokenizer_fingerprint'][:12]}… at training>"
    if used is not None:
        now = str(bundle.chat_template.relative_to(bundle.root)) if bundle.chat_template else "tokenizer"
        if used != now:
            out["template"] = f"<template from {used} at training; eval uses {now}>"
    return out


def read_serving(path: Path) -> dict:
    """The serving side's profile fields from a .jinja, JSON or YAML file (only what it sets)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the serving config: {exc}", where=path) from None
    if path.suffix in (".jinja", ".j2"):
        return {"template": text, "source": str(path)}
    data = _parse(path, text)
    unknown = set(data) - SERVING_KEYS - _HF_KEYS
    if unknown and not (set(data) & _HF_KEYS):
        raise ConfigError(f"serving config has unknown keys: {', '.join(sorted(unknown))}", where=path,
                          hint="known keys: " + ", ".join(sorted(SERVING_KEYS)))
    out: dict = {"source": str(path)}
    if data.get("chat_template_file"):
        out["template"] = _read_template(path, data["chat_template_file"])
    elif data.get("chat_template") is not None:
        out["template"] = data["chat_template"]
    for key in ("bos", "eos", "pad"):
        if f"{key}_token" in data:
            value = data[f"{key}_token"]
            out[key] = value.get("content") if isinstance(value, dict) else value
    if "stop" in data:
        stop = data["stop"]
        if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
            raise ConfigError("serving config: stop must be a list of strings", where=path)
        out["stop"] = sorted(set(stop))
    return out


# Keys an HF tokenizer_config.json carries besides the ones we compare.
_HF_KEYS = {"added_tokens_decoder", "tokenizer_class", "model_max_length", "clean_up_tokenization_spaces",
            "unk_token", "additional_special_tokens", "add_prefix_space", "vocab_size", "padding_side"}


def _parse(path: Path, text: str) -> dict:
    import yaml

    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"serving config is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                          f"{str(exc).splitlines()[0]}", where=path) from None
    if not isinstance(data, dict):
        raise ConfigError("serving config must be a mapping (chat_template, eos_token, stop, ...)", where=path)
    return data


def _read_template(config: Path, name) -> str:
    target = (config.parent / str(name)).resolve()
    if not target.is_file():
        raise ConfigError(f"serving config: chat_template_file '{name}' not found (resolved to {target})",
                          where=config, hint="paths are relative to the serving config file")
    return target.read_text("utf-8")


def _agrees(field: str, evaluated, other) -> bool:
    """Equal, except stops: the other side may stop on more strings, but must stop on EOS."""
    if field == "stop":
        return set(evaluated or ()) <= set(other or ())
    return evaluated == other


def describe(field: str, evaluated, other, side: str) -> str:
    if field == "stop":
        return f"{side} stops {other!r} do not include eval's EOS {evaluated!r}"
    if field in ("template", "rendered", "generation_prompt"):
        return f"{side} {field} differs from eval ({_first_difference(evaluated, other)})"
    return f"{side} {field} {other!r} but eval {field} {evaluated!r}"


def _first_difference(a, b) -> str:
    a, b = str(a), str(b)
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at character {at}"


def diff(evaluated, other, side: str) -> str:
    """A unified diff (eval -> the other side) for text fields, else 'a -> b'."""
    if isinstance(evaluated, str) and isinstance(other, str) and ("\n" in evaluated or len(evaluated) > 40):
        lines = difflib.unified_diff(evaluated.splitlines(), other.splitlines(), "eval", side, lineterm="", n=1)
        return "\n".join(list(lines)[:80])
    return f"eval {evaluated!r} -> {side} {other!r}"


def _short(value) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _public(prof: dict) -> dict:
    return {k: _short(v) for k, v in prof.items()}
