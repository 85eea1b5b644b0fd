"""The typed training recipe: the manifest's ``train:`` block as frozen dataclasses.

    train:                                  # run: gatekeeper train BUNDLE
      data: data/train.jsonl                # chat `messages` or prompt/completion JSONL
      eval_data: data/val.jsonl             # validation loss, early stopping (optional)
      task_field: category                  # row field naming the task type (truncation stats)
      mix: {data: general.jsonl, fraction: 0.15}   # general instruction data against forgetting
      quantization: null                    # or nf4: QLoRA (bitsandbytes 4-bit base)
      lora: {r: 8, alpha: 16, dropout: 0.05, target_modules: all-linear, top_layers: null}
      sft: {epochs: 2, learning_rate: 2.0e-4, batch_size: 8, max_length: 512, ...}

Every default lives in the dataclass fields below (the one place to read them). Unknown
keys, wrong types and out-of-range values are ConfigErrors at file:line, raised before any
model loads. ``parse_recipe`` also takes a plain dict (sweep overrides) without line numbers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable

from gatekeeper.core.errors import ConfigError, suggest
from gatekeeper.bundle.yamlio import Document

TARGET_ALL = "all-linear"
SCHEDULERS = ("cosine", "linear", "constant", "constant_with_warmup")
QUANTIZATIONS = (None, "nf4")


@dataclass(frozen=True)
class LoraSpec:
    r: int = 8
    alpha: int | None = None              # None: 2 * r (the seeds' practice)
    dropout: float = 0.05
    target_modules: str | tuple[str, ...] = TARGET_ALL
    top_layers: int | None = None         # LoRA only on the last N decoder layers (cheaper backward)

    @property
    def effective_alpha(self) -> int:
        return self.alpha if self.alpha is not None else 2 * self.r


@dataclass(frozen=True)
class SftSpec:
    epochs: float = 2.0
    max_steps: int | None = None          # overrides epochs when set
    learning_rate: float = 2.0e-4
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    batch_size: int = 8
    grad_accum: int = 1
    max_length: int = 512
    packing: bool = False
    eval_steps: int | None = None         # None: evaluate about 4 times per run
    early_stopping_patience: int | None = None   # evaluations without improvement; None: off
    logging_steps: int = 5
    max_grad_norm: float = 1.0


@dataclass(frozen=True)
class MixSpec:
    data: Path
    fraction: float = 0.15                # share of the training rows drawn from `data`


@dataclass(frozen=True)
class Recipe:
    data: Path
    eval_data: Path | None = None
    task_field: str | None = None
    mix: MixSpec | None = None
    quantization: str | None = None
    lora: LoraSpec = LoraSpec()
    sft: SftSpec = SftSpec()
    source: Path | None = None            # the manifest it came from

    def to_dict(self) -> dict:
        """Every effective value, JSON-ready (paths as strings, alpha resolved)."""
        out = asdict(replace(self, source=None))
        out.pop("source")
        out["lora"]["alpha"] = self.lora.effective_alpha
        return json.loads(json.dumps(out, default=str))

    def fingerprint(self) -> str:
        """sha256 of the effective settings (paths excluded: data is hashed by content)."""
        settings = self.to_dict()
        for key in ("data", "eval_data"):
            settings.pop(key)
        if settings.get("mix"):
            settings["mix"].pop("data")
        text = json.dumps(settings, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


# Per key: (accepted Python types, check(value) -> problem or None, what to write).
def _positive(v):
    return None if v > 0 else "must be > 0"


def _unit(v):
    return None if 0 <= v < 1 else "must be in [0, 1)"


def _fraction(v):
    return None if 0 < v < 1 else "must be in (0, 1)"


def _nonneg(v):
    return None if v >= 0 else "must be >= 0"


def _opt(check):
    return lambda v: None if v is None else check(v)


def _one_of(choices):
    return lambda v: None if v in choices else f"must be one of {', '.join(map(str, choices))}"


def _targets(v):
    if isinstance(v, str):
        return None if v == TARGET_ALL else f"must be '{TARGET_ALL}' or a list of module names"
    ok = v and all(isinstance(x, str) and x for x in v)
    return None if ok else "must be a non-empty list of module names"


INT, FLOAT, OPT_INT = (int,), (int, float), (int, type(None))
FLOAT_FIELDS = {"epochs", "learning_rate", "warmup_ratio", "weight_decay", "max_grad_norm"}
Rule = tuple[tuple[type, ...], Callable[[Any], "str | None"]]  # (allowed types, value check)
RULES: dict[str, dict[str, Rule]] = {
    "lora": {"r": (INT, _positive), "alpha": (OPT_INT, _opt(_positive)),
             "dropout": (FLOAT, _unit), "target_modules": ((str, list), _targets),
             "top_layers": (OPT_INT, _opt(_positive))},
    "sft": {"epochs": (FLOAT, _positive), "max_steps": (OPT_INT, _opt(_positive)),
            "learning_rate": (FLOAT, _positive), "lr_scheduler": ((str,), _one_of(SCHEDULERS)),
            "warmup_ratio": (FLOAT, _unit), "weight_decay": (FLOAT, _nonneg),
            "batch_size": (INT, _positive), "grad_accum": (INT, _positive),
            "max_length": (INT, lambda v: None if v >= 8 else "must be >= 8"),
            "packing": ((bool,), lambda v: None),
            "eval_steps": (OPT_INT, _opt(_positive)),
            "early_stopping_patience": (OPT_INT, _opt(_positive)),
            "logging_steps": (INT, _positive), "max_grad_norm": (FLOAT, _positive)},
    "mix": {"data": ((str,), lambda v: None), "fraction": (FLOAT, _fraction)},
    "": {"data": ((str,), lambda v: None), "eval_data": ((str, type(None)), lambda v: None),
         "task_field": ((str, type(None)), lambda v: None),
         "mix": ((dict, type(None)), lambda v: None),
         "quantization": ((str, type(None)), _one_of(QUANTIZATIONS)),
         "lora": ((dict,), lambda v: None), "sft": ((dict,), lambda v: None)},
}


class _Checker:
    """Collects every problem of a train block, each at its file:line."""

    def __init__(self, doc: Document | None, where: Path | None):
        self.doc, self.where = doc, where
        self.errors: list[ConfigError] = []

    def error(self, key: tuple, message: str, hint: str | None = None):
        line = self.doc.line(("train", *key)) if self.doc else None
        self.errors.append(ConfigError(f"{'.'.join(('train', *map(str, key)))}: {message}",
                                       where=self.where, line=line, hint=hint))

    def section(self, block: dict, name: str) -> dict:
        """The keys of ``block`` that pass their rule (bad ones are recorded as errors)."""
        rules, prefix, good = RULES[name], (name,) if name else (), {}
        for key, value in block.items():
            if key not in rules:
                close = suggest(key, rules)
                self.error((*prefix, key), "unknown key",
                           f"did you mean '{close}'?" if close else f"allowed keys: {', '.join(rules)}")
                continue
            types, check = rules[key]
            problem: str | None
            if isinstance(value, bool) and bool not in types:
                problem = "must be a number" if int in types else f"wrong type {type(value).__name__}"
            elif not isinstance(value, types):
                names = "/".join("null" if t is type(None) else t.__name__ for t in types)
                problem = f"must be {names}, found {type(value).__name__} {value!r}"
            else:
                problem = check(value)
            if problem:
                found = "" if "found" in problem else f" (found {value!r})"
                self.error((*prefix, key), problem + found)
            else:
                good[key] = value
        return good


def _sft_kwargs(sft: dict) -> dict[str, Any]:
    return {k: float(v) if k in FLOAT_FIELDS else v for k, v in sft.items()}


def parse_recipe(block: Any, *, root: Path, allowed_roots: tuple[Path, ...] = (),
                 doc: Document | None = None) -> tuple[Recipe | None, list[ConfigError]]:
    """The typed recipe of a ``train:`` block, and every problem found in it.

    Paths are resolved against ``root`` (the bundle) and must stay inside it or one of
    ``allowed_roots`` (declared data roots), and must exist.
    """
    checker = _Checker(doc, doc.path if doc else root / "gatekeeper.yaml")
    if not isinstance(block, dict):
        checker.error((), "must be a mapping (data, lora, sft, ...)")
        return None, checker.errors
    top = checker.section(block, "")
    if "data" not in block:
        checker.error((), "needs `data:` (the training JSONL)", "add `data: data/train.jsonl`")
    lora = checker.section(block.get("lora") or {}, "lora") if isinstance(block.get("lora"), dict) else {}
    sft = checker.section(block.get("sft") or {}, "sft") if isinstance(block.get("sft"), dict) else {}
    mix_block = block.get("mix")
    mix = checker.section(mix_block, "mix") if isinstance(mix_block, dict) else None
    if mix is not None and isinstance(mix_block, dict) and "data" not in mix_block:
        checker.error(("mix",), "needs `data:` (the general instruction JSONL)")
    paths = {key: _path(checker, (key,), top.get(key), root, allowed_roots)
             for key in ("data", "eval_data")}
    mix_path = _path(checker, ("mix", "data"), (mix or {}).get("data"), root, allowed_roots)
    if sft.get("early_stopping_patience") and not top.get("eval_data"):
        checker.error(("sft", "early_stopping_patience"), "needs `eval_data` (validation loss decides)",
                      "add train.eval_data, or remove early_stopping_patience")
    if checker.errors:
        return None, checker.errors
    data = paths["data"]
    assert data is not None, "a missing or bad `data:` was reported above"
    if isinstance(lora.get("target_modules"), list):
        lora["target_modules"] = tuple(lora["target_modules"])
    if "dropout" in lora:
        lora["dropout"] = float(lora["dropout"])
    recipe = Recipe(
        data=data, eval_data=paths["eval_data"], task_field=top.get("task_field"),
        mix=MixSpec(mix_path, mix.get("fraction", MixSpec.fraction)) if mix is not None and mix_path else None,
        quantization=top.get("quantization"), lora=LoraSpec(**lora),
        sft=SftSpec(**_sft_kwargs(sft)),
        source=doc.path if doc else None)
    return recipe, []


def _path(checker: _Checker, key: tuple, value, root: Path, allowed: tuple[Path, ...]) -> Path | None:
    if value is None:
        return None
    path = (root / value).resolve()
    if not any(path.is_relative_to(r) for r in (root, *allowed)):
        checker.error(key, f"path '{value}' leaves the bundle",
                      "keep data inside the bundle or list its directory in `data_roots:`")
    elif not path.is_file():
        checker.error(key, f"file '{value}' not found (resolved to {path})",
                      "paths in the manifest are relative to the bundle directory")
    else:
        return path
    return None


def set_key(block: dict, dotted: str, value) -> dict:
    """A copy of a raw train block with ``dotted`` (e.g. ``lora.r``) set to ``value``."""
    out = json.loads(json.dumps(block))
    *parents, last = dotted.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {dotted}: '{part}' is not a section of the recipe")
    node[last] = value
    return out
