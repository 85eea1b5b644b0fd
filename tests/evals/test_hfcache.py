"""The Hugging Face datasets cache as lm-eval gates read it: where it is, what counts as a
hub dataset, which prepared copy load_dataset would read offline, and offline() setting and
restoring the libraries' import-time settings."""

from __future__ import annotations

import json
import os

from gatekeeper.evals import hfcache


def test_the_cache_dir_follows_datasets_own_order(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_DATASETS_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hfcache.datasets_cache_dir() == tmp_path / "home" / "datasets"
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "explicit"))
    assert hfcache.datasets_cache_dir() == tmp_path / "explicit"


def test_hub_ids_are_told_from_packaged_loaders_and_local_folders(tmp_path):
    assert hfcache.is_hub_dataset("cais/mmlu") and hfcache.is_hub_dataset("hellaswag")
    assert not hfcache.is_hub_dataset("json") and not hfcache.is_hub_dataset("parquet")
    assert not hfcache.is_hub_dataset(str(tmp_path)) and not hfcache.is_hub_dataset("./data/x")


def test_a_prepared_copy_is_found_per_config(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path))
    copy = tmp_path / "allenai___ai2_arc" / "ARC-Easy" / "0.0.0" / ("a" * 40)
    copy.mkdir(parents=True)
    assert hfcache.cached_copy("allenai/ai2_arc", "ARC-Easy") is None  # no dataset_info.json yet
    (copy / "dataset_info.json").write_text(json.dumps({"config_name": "ARC-Easy"}))
    assert hfcache.cached_copy("allenai/ai2_arc", "ARC-Easy") == copy
    assert hfcache.cached_copy("allenai/ai2_arc", "ARC-Challenge") is None
    assert hfcache.cached_copy("allenai/other", "ARC-Easy") is None


def test_offline_sets_and_restores_the_imported_settings(tmp_path, monkeypatch):
    import datasets.config
    import huggingface_hub.constants

    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    before = (huggingface_hub.constants.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE,
              datasets.config.HF_DATASETS_CACHE)
    with hfcache.offline():
        assert huggingface_hub.constants.HF_HUB_OFFLINE is True and datasets.config.HF_HUB_OFFLINE is True
        assert datasets.config.HF_DATASETS_CACHE == tmp_path and os.environ["HF_HUB_OFFLINE"] == "1"
    assert (huggingface_hub.constants.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE,
            datasets.config.HF_DATASETS_CACHE) == before
    assert "HF_HUB_OFFLINE" not in os.environ


def test_the_prefetch_hint_loads_every_missing_config():
    hint = hfcache.prefetch_hint([("cais/mmlu", "anatomy"), ("Rowan/hellaswag", None)])
    assert "[('cais/mmlu', 'anatomy'), ('Rowan/hellaswag', None)]" in hint
    assert "datasets.load_dataset('openai/gsm8k', 'main')" in hfcache.prefetch_hint([("openai/gsm8k", "main")])
