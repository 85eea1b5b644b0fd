"""The data-check cache: keyed by file contents and options, so only a real change recomputes."""

from __future__ import annotations

from gatekeeper.data.cache import cached, data_key


def test_the_key_follows_content_and_options_not_timestamps(tmp_path):
    f = tmp_path / "train.jsonl"
    f.write_text('{"prompt": "a", "completion": "b"}\n')
    key = data_key("contamination", [f, None], {"near": 0.8})
    f.touch()
    assert data_key("contamination", [f, None], {"near": 0.8}) == key
    assert data_key("contamination", [f, None], {"near": 0.9}) != key
    assert data_key("dataset_audit", [f, None], {"near": 0.8}) != key
    f.write_text('{"prompt": "a", "completion": "c"}\n')
    assert data_key("contamination", [f, None], {"near": 0.8}) != key


def test_a_stored_result_is_reused_and_a_corrupt_one_recomputed(tmp_path, isolated_cache_dir):
    calls = []
    compute = lambda: calls.append(1) or {"hits": len(calls)}  # noqa: E731
    assert cached("k1", compute) == ({"hits": 1}, False)
    assert cached("k1", compute) == ({"hits": 1}, True)
    (isolated_cache_dir / "data-checks" / "k1.json").write_text("{not json")
    assert cached("k1", compute) == ({"hits": 2}, False)
