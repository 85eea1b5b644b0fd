"""The data-check cache: keyed by file contents and options, so only a real change recomputes."""

from __future__ import annotations

import sqlite3

from gatekeeper.core.paths import use_cache
from gatekeeper.core.store import FILE_NAME
from gatekeeper.data.cache import KIND, cached, data_key


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


def test_a_stored_result_is_reused_and_a_corrupt_one_recomputed(tmp_path):
    calls = []
    compute = lambda: calls.append(1) or {"hits": len(calls)}  # noqa: E731
    with use_cache(True, tmp_path):
        assert cached("k1", compute) == ({"hits": 1}, False)
        assert cached("k1", compute) == ({"hits": 1}, True)
        with sqlite3.connect(tmp_path / FILE_NAME) as conn:
            changed = conn.execute("UPDATE entries SET value = '{not json' WHERE kind = ? AND key = 'k1'",
                                   (KIND,)).rowcount
        assert changed == 1
        assert cached("k1", compute) == ({"hits": 2}, False)
        assert cached("k1", compute) == ({"hits": 2}, True)


def test_no_cache_shares_a_result_within_the_run_only(tmp_path):
    calls = []
    compute = lambda: calls.append(1) or {"hits": len(calls)}  # noqa: E731
    with use_cache(False, tmp_path):
        assert cached("k1", compute) == ({"hits": 1}, False)
        assert cached("k1", compute) == ({"hits": 1}, True)  # the other gates of the run
    with use_cache(False, tmp_path):
        assert cached("k1", compute) == ({"hits": 2}, False)
    assert not (tmp_path / FILE_NAME).exists()
