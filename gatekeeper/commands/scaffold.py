"""``gatekeeper init``: a commented starter bundle that validates as written."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from gatekeeper.core.errors import UsageError

MANIFEST = """\
# gatekeeper bundle manifest. Check it with: gatekeeper validate {dir}
name: {name}                    # names the release; letters, digits, . _ -
version: 0.1.0
base:
  model: builtin:smollm2-135m-instruct   # or a local model directory, or a cached hub id
  revision: null
  dtype: auto                     # auto = bfloat16 on CUDA, float32 on CPU
adapter: null                     # directory written by peft save_pretrained (adapter_config.json
                                  # + adapter_model.safetensors); null checks the base model alone
chat_template: null               # null = the tokenizer's; else a .jinja file in this bundle
gates: [gates/]                   # gate files (.yaml) and python gates (.py), files or directories
seed: 0
"""

GATES = """\
# Gates of this bundle. Run them with: gatekeeper check {dir}
# Each gate: id, type (see `gatekeeper list`), golden_set (relative to this file), params,
# threshold and/or vs_baseline, severity (block | warn).
gates:
  - id: example.accuracy
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {{scorer: normalized, max_new_tokens: 16}}
    threshold: {{metric: accuracy, min: 0.5}}
    # vs_baseline: {{max_drop: 0.02, alpha: 0.05}}   # paired non-inferiority vs the base model
    severity: warn
"""

ROWS = [
    {"id": "eval-1", "prompt": "What is the capital of France? Answer with one word.", "target": "Paris"},
    {"id": "eval-2", "prompt": "What is 2 + 3? Answer with a number.", "target": "5"},
    {"id": "eval-3", "prompt": "Which colour is the sky on a clear day? One word.", "target": "Blue"},
]


def init_bundle(directory: Path, *, name: str | None = None) -> Path:
    """Create a new bundle; refuses to touch a directory that already has content."""
    from gatekeeper.bundle.manifest import NAME_RE

    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        what = "is not empty" if directory.is_dir() else "is a file"
        raise UsageError(f"'{directory}' already exists and {what}", where=directory,
                         hint="choose a new directory; init never overwrites your files")
    if name is not None and not NAME_RE.fullmatch(name):
        raise UsageError(f"--name {name!r} is not a valid bundle name",
                         hint="use letters, digits, '.', '_' or '-', starting with a letter or digit")
    name = name or re.sub(r"[^A-Za-z0-9_.-]+", "-", directory.resolve().name).strip("-.") or "bundle"
    shown = re.sub(r"[\x00-\x1f\x7f]", "?", shlex.quote(str(directory)))  # it goes into comments
    rows = "".join(json.dumps(r) + "\n" for r in ROWS)
    try:
        (directory / "gates").mkdir(parents=True, exist_ok=True)
        (directory / "data").mkdir(exist_ok=True)
        # json.dumps quotes the name: YAML would read 1.0 or true as a number or a boolean
        (directory / "gatekeeper.yaml").write_text(MANIFEST.format(name=json.dumps(name), dir=shown),
                                                   "utf-8")
        (directory / "gates" / "example.yaml").write_text(GATES.format(dir=shown), "utf-8")
        (directory / "data" / "eval.jsonl").write_text(rows, "utf-8")
    except OSError as exc:
        raise UsageError(f"cannot create the bundle: {exc.strerror}", where=exc.filename or directory,
                         hint="choose a directory you can write to") from None
    return directory
