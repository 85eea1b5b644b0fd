"""Serving measurements reused across runs (kind ``serving-measurement``), with their age.

Each run is a fresh context and engine on the tiny model (the per-run memo does not carry
over); what carries over is the cache directory. No timing assertions.
"""

from __future__ import annotations

import pytest

from gatekeeper.core.options import EngineOptions
from gatekeeper.gate_types.serving import age_text, measured_when, serving
from testkit.integrity import fragment, make_context

PROMPTS = ["My order has not arrived", "refund please"]
CONFIG = {"prompts": PROMPTS, "repeats": 2, "max_new_tokens": 3, "batch_size": 2}


@pytest.fixture
def run(tiny_model_dir, tiny_adapter_dir, tmp_path):
    def one(**options):
        options.setdefault("cache_dir", tmp_path / "cache")
        ctx, _ = make_context(tmp_path / "b", tiny_model_dir, tiny_adapter_dir, gate_type="serving",
                              options=EngineOptions(progress=False, **options))
        return lambda **params: serving(ctx, **{**CONFIG, **params})
    return one


def test_a_second_run_reuses_the_measurement_and_states_its_age(run):
    first = run()()
    second = run()()
    assert first.details["measured"]["reused"] is False and first.details["measured"]["age_s"] == 0.0
    measured = second.details["measured"]
    assert measured["reused"] is True and measured["age_s"] >= 0 and measured["at"] == first.details["measured"]["at"]
    assert second.metrics == first.metrics and second.baseline_metrics == first.baseline_metrics
    assert second.samples == first.samples and second.details["variants"] == first.details["variants"]
    html = fragment("serving", second)
    assert "reused from" in html and "--remeasure" in html
    assert "measured in this run" in fragment("serving", first)


def test_remeasure_and_no_cache_time_again(run):
    run()()
    fresh = run(remeasure=True)()
    assert fresh.details["measured"]["reused"] is False
    # the fresh measurement replaced the stored one: the next run reuses it
    assert run()().details["measured"]["at"] == fresh.details["measured"]["at"]
    assert run(cache=False)().details["measured"]["reused"] is False


def test_a_different_serving_config_measures_again(run):
    run()()
    assert run()(max_new_tokens=2).details["measured"]["reused"] is False
    assert run()(batch_size=1).details["measured"]["reused"] is False
    assert run()(prompts=PROMPTS[:1]).details["measured"]["reused"] is False
    # the price is not part of the timing: reused, with the cost recomputed
    assert run()(price_per_hour=9.0).details["measured"]["reused"] is True


def test_the_age_is_written_for_a_reader():
    assert measured_when(0.0, True, now=90.0) == {"at": "1970-01-01T00:00:00Z", "age_s": 90.0, "reused": True}
    assert measured_when(5.0, False, now=90.0)["age_s"] == 0.0
    assert [age_text(s) for s in (42, 300, 3 * 3600, 3 * 86400)] == ["42 s", "5 min", "3.0 h", "3.0 days"]


def test_check_reuses_and_remeasure_times_again(tiny_model_dir, tiny_adapter_dir, tmp_path):
    import json
    import shutil

    import yaml

    from gatekeeper.cli import main

    root = tmp_path / "b"
    (root / "gates").mkdir(parents=True)
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    (root / "gates" / "g.yaml").write_text(
        "gates:\n  - {id: s.latency, type: serving, threshold: {metric: p95_latency_ms, max: 1000000000},\n"
        "     params: {prompts: [hello, refund please], repeats: 2, max_new_tokens: 2, batch_size: 2}}\n")
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(
        {"name": "s", "version": "0.1.0", "base": {"model": str(tiny_model_dir)}, "adapter": "adapter",
         "gates": ["gates/"]}))
    cache = tmp_path / "cache"
    assert main(["lock", str(root), "--cache-dir", str(cache)]) == 0

    def check(name, *flags):
        out = tmp_path / name
        main(["check", str(root), "--out", str(out), "--cache-dir", str(cache), "--no-progress", *flags])
        report = json.loads((out / "report.json").read_text())
        gate = report["gates"][0]
        return gate["measurement"], (out / "report.html").read_text()

    first, _ = check("run1")
    again, html = check("run2")
    fresh, _ = check("run3", "--remeasure")
    assert first["details"]["measured"]["reused"] is False
    assert again["details"]["measured"]["reused"] is True and again["metrics"] == first["metrics"]
    assert "reused from" in html
    assert fresh["details"]["measured"]["reused"] is False
