"""The serving gate type: real timings on the tiny model, budgets and the judge on its numbers.

No timing assertions: tests check what is measured, how it is summarised and judged, and
that the shared model is left untouched, never how fast anything was.
"""

from __future__ import annotations

import statistics

import pytest

from testkit.bundles import write_bundle
from gatekeeper.cli import main
from gatekeeper.gate_types.serving import METRICS, _measurement, percentile, serving
from gatekeeper.verdict.judge import judge
from gatekeeper.model.serving import VARIANTS, rotation
from gatekeeper.core.spec import GateSpec, Threshold
from testkit.integrity import fragment, judged, make_context

PROMPTS = ["My order has not arrived", "refund please", "How do I reset my password?"]


@pytest.fixture(scope="module")
def measured(tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
    ctx, engine = make_context(tmp_path_factory.mktemp("serving"), tiny_model_dir, tiny_adapter_dir,
                               gate_type="serving")
    before = engine.generate(PROMPTS, max_new_tokens=6)
    m = serving(ctx, prompts=PROMPTS, repeats=2, max_new_tokens=4, batch_size=2, price_per_hour=3.6)
    return ctx, engine, before, m


def test_every_metric_for_the_candidate_and_the_base(measured):
    _, _, _, m = measured
    names = {metric.name for metric in METRICS}
    assert set(m.metrics) == names and set(m.baseline_metrics) == names
    assert all(value >= 0 for name, value in m.metrics.items() if name != "slowdown")
    assert m.baseline_metrics["slowdown"] == 0.0
    assert 1 <= m.metrics["mean_answer_tokens"] <= 4
    assert m.metrics["peak_memory_mb"] > 0 and m.metrics["throughput_tps"] > 0


def test_all_three_models_are_measured_with_median_and_spread(measured):
    _, _, _, m = measured
    variants = m.details["variants"]
    assert set(variants) == set(VARIANTS)
    for summary in variants.values():
        for spread in summary.values():
            assert spread["min"] <= spread["median"] <= spread["max"]
    # the served candidate's headline values are the merged model's medians
    assert m.details["serve"] == "merged"
    assert m.metrics["p95_latency_ms"] == variants["merged"]["p95_latency_ms"]["median"]
    assert m.baseline_metrics["p95_latency_ms"] == variants["base"]["p95_latency_ms"]["median"]


def test_ratios_are_candidate_over_base_medians(measured):
    _, _, _, m = measured
    variants, ratios = m.details["variants"], m.details["ratios"]
    for variant in ("unmerged", "merged"):
        for name, ratio in ratios[variant].items():
            assert ratio == pytest.approx(variants[variant][name]["median"] / variants["base"][name]["median"])


def test_slowdown_has_one_paired_sample_per_request_and_repeat(measured):
    _, _, _, m = measured
    samples = m.samples["slowdown"]
    assert len(samples.candidate) == m.n == len(PROMPTS) * 2 and not samples.binary
    assert m.metrics["slowdown"] == pytest.approx(statistics.fmean(samples.candidate))
    assert len(m.items) == len(PROMPTS)


def test_the_shared_model_is_not_merged_or_changed(measured):
    ctx, engine, before, _ = measured
    assert type(engine.model).__name__.startswith("Peft")
    from gatekeeper.core.store import MemoryStore
    from gatekeeper.model.cache import engine_cache

    engine.cache = engine_cache(MemoryStore())  # recompute, do not read the answers back
    assert engine.generate(PROMPTS, max_new_tokens=6) == before


def test_gates_of_one_run_share_one_measurement(measured):
    ctx, _, _, m = measured
    again = serving(ctx, prompts=PROMPTS, repeats=2, max_new_tokens=4, batch_size=2, price_per_hour=7.2)
    assert again.samples == m.samples  # not re-timed: identical raw numbers
    assert again.metrics["cost_per_1k"] == pytest.approx(2 * m.metrics["cost_per_1k"])
    unmerged = serving(ctx, prompts=PROMPTS, repeats=2, max_new_tokens=4, batch_size=2, serve="unmerged")
    assert unmerged.metrics["p95_latency_ms"] == m.details["variants"]["unmerged"]["p95_latency_ms"]["median"]


def test_fragment_shows_every_model_and_the_ratios(measured):
    html = fragment("serving", measured[3])
    for word in ("base", "unmerged", "merged", "p95_latency_ms", "merged / base", "peak_memory_mb"):
        assert word in html


# -- summaries and judging, on recorded numbers --------------------------------------------

def raw_timings(candidate_latency: list[float], base_latency: float = 1.0, requests: int = 10,
                batch_seconds: float = 2.0) -> dict:
    """Raw timings as gatekeeper.model.serving.measure returns them (latencies in seconds)."""
    repeats = len(candidate_latency) // requests

    def variant(latency: list[float], seconds: float) -> dict:
        return {"ttft_s": [x / 4 for x in latency], "tpot_s": [x / 8 for x in latency],
                "latency_s": latency, "batch_seconds": [seconds] * repeats,
                "batch_tokens": [5] * requests, "peak_bytes": [2 ** 20 * 100] * repeats}
    raw = {"base": variant([base_latency] * len(candidate_latency), batch_seconds)}
    raw["unmerged"] = variant(candidate_latency, batch_seconds)
    raw["merged"] = variant(candidate_latency, batch_seconds)
    return {**raw, "requests": requests, "repeats": repeats, "max_new_tokens": 8, "batch_size": 4,
            "device": "cpu", "dtype": "float32"}


def slowdown_outcome(candidate_latency: list[float], budget: float = 0.10) -> str:
    m = _measurement(raw_timings(candidate_latency), [f"p{i}" for i in range(10)], 1.0, "merged")
    spec = GateSpec(id="s", type="serving", threshold=Threshold("slowdown", max=budget, bound="upper95"))
    return judge(spec, m, serving.__gate_type__.metric_table).outcome


def test_slowdown_clearly_within_budget_passes():
    assert slowdown_outcome([1.02 + 0.01 * (i % 3) for i in range(30)]) == "pass"


def test_slowdown_clearly_over_budget_fails():
    assert slowdown_outcome([1.30 + 0.01 * (i % 3) for i in range(30)]) == "fail"


def test_slowdown_whose_spread_straddles_the_budget_is_inconclusive():
    noisy = [0.80, 1.45, 1.00, 1.30, 0.90, 1.20] * 5  # mean 1.108: the interval holds 1.10
    assert slowdown_outcome(noisy) == "inconclusive"


def test_budgets_are_thresholds_on_the_served_candidate():
    m = _measurement(raw_timings([1.5] * 30), [f"p{i}" for i in range(10)], 3.6, "merged")
    assert m.metrics["p95_latency_ms"] == pytest.approx(1500)
    assert m.metrics["cost_per_1k"] == pytest.approx(3.6 * (2.0 / 10) * 1000 / 3600)
    assert m.metrics["peak_memory_mb"] == pytest.approx(100)
    assert judged(serving, m, "p95_latency_ms", max=2000) == "pass"
    assert judged(serving, m, "p95_latency_ms", max=1000) == "fail"
    assert judged(serving, m, "peak_memory_mb", max=50) == "fail"
    assert judged(serving, m, "cost_per_1k", max=1.0) == "pass"
    assert judged(serving, m, "throughput_tps", min=1.0) == "pass"  # higher is better
    assert m.details["ratios"]["merged"]["p95_latency_ms"] == pytest.approx(1.5)


def test_percentile_and_rotation():
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.5
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(map(float, range(101))), 95) == 95.0
    orders = [rotation(step) for step in range(3)]
    assert all(sorted(o) == sorted(VARIANTS) for o in orders)
    assert len({o[0] for o in orders}) == 3  # each model goes first once in three requests


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("params, message", [
    ("{repeats: 1}", "repeats must be at least 2"),
    ("{requests: 0}", "requests must be a positive integer"),
    ("{serve: fastest}", "serve must be one of merged, unmerged"),
    ("{price_per_hour: -1}", "price_per_hour must be a number >= 0"),
    ("{prompts: []}", "prompts must be a non-empty list"),
    ("{batch_size: 2.5}", "batch_size"),
])
def test_bad_parameters_fail_validation_at_file_and_line(tmp_path, capsys, params, message):
    gates = ("gates:\n  - id: s.latency\n    type: serving\n"
             f"    params: {params}\n    threshold: {{metric: p95_latency_ms, max: 1000}}\n")
    bundle = write_bundle(tmp_path / "b", {"serving.yaml": gates})
    assert main(["validate", str(bundle)]) == 4
    out = capsys.readouterr()
    text = out.out + out.err
    assert message in text and "serving.yaml:" in text and "Traceback" not in text


def test_serving_gates_run_last_through_check_and_share_one_measurement(tiny_model_dir, tiny_adapter_dir,
                                                                         tmp_path):
    import shutil

    import yaml

    from gatekeeper.commands.check import CheckOptions, run_check
    from gatekeeper.core.options import EngineOptions

    root = tmp_path / "b"
    (root / "gates").mkdir(parents=True)
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    params = "{prompts: [hello, refund please], repeats: 2, max_new_tokens: 3, batch_size: 2}"
    (root / "gates" / "g.yaml").write_text(
        "gates:\n"
        f"  - {{id: s.latency, type: serving, params: {params}, threshold: {{metric: p95_latency_ms, max: 1000000000}}}}\n"
        "  - {id: m.merge, type: merge_equivalence, threshold: {metric: tolerance_ratio, max: 1000000000}}\n"
        f"  - {{id: s.memory, type: serving, params: {params}, threshold: {{metric: peak_memory_mb, max: 0.000001}}}}\n")
    manifest = {"name": "s", "version": "0.1.0", "base": {"model": str(tiny_model_dir)}, "adapter": "adapter",
                "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert main(["lock", str(root)]) == 0
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run", engine=EngineOptions(progress=False)))
    gates = {g["id"]: g for g in result.report["gates"]}
    from gatekeeper.run.registry import load_gate_types

    assert load_gate_types()["serving"].stage == 2  # after every model gate (plugin sorts by stage)
    assert gates["s.latency"]["outcome"] == "pass" and gates["s.memory"]["outcome"] == "fail"
    assert gates["s.latency"]["measurement"]["samples"] == gates["s.memory"]["measurement"]["samples"]
    assert "merged / base" in (tmp_path / "run" / "report.html").read_text()
