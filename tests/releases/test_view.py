"""vs_baseline against previous_release: the last released adapter as a second adapter of the engine."""

from __future__ import annotations

import pytest

from gatekeeper.run.registry import register_gate_type
from testkit.bundles import STATIC_TYPES, lock_without_model, write_bundle
from gatekeeper.core.errors import CollectionErrors
from gatekeeper.releases.publish import release_bundle
from gatekeeper.releases.view import Skipped
from gatekeeper.core.spec import Comparison, GateSpec, Threshold
from testkit.integrity import make_context
from testkit.releases import releasable_bundle, report_of

PROMPTS = ["My order is late.", "Reset my password please."]


pytestmark = pytest.mark.usefixtures("static_gate_types")


@pytest.fixture(scope="module")
def registry(tmp_path_factory, tiny_model_dir, tiny_adapter_dir):
    for fn in STATIC_TYPES:
        register_gate_type(fn)
    root = tmp_path_factory.mktemp("view")
    bundle = releasable_bundle(root / "b", tiny_model_dir, tiny_adapter_dir)
    release_bundle(bundle, root / "registry", report=report_of(bundle))
    return root / "registry"


def _outputs(tmp_path, model_dir, adapter_dir, adapter=True):
    _, engine = make_context(tmp_path / "ref", model_dir, adapter_dir, gate_type="t")
    return engine.generate(PROMPTS, adapter=adapter, max_new_tokens=12)


def _spec():
    return GateSpec(id="t.prev", type="t", threshold=Threshold(metric="rate", min=0.5),
                    vs_baseline=Comparison(max_drop=0.05, against="previous_release"))


def test_the_baseline_is_the_released_adapter_on_the_shared_model(registry, tmp_path, tiny_model_dir,
                                                                   tiny_adapter_dir, tiny_adapter_dir_2):
    ctx, engine = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir_2, gate_type="t",
                               releases=registry, spec=_spec())
    baseline = ctx.baseline
    assert baseline.name == "previous release 1.0.0" and baseline.adapter == "previous_release"
    previous = baseline.generate(PROMPTS, max_new_tokens=12)
    candidate = ctx.candidate.generate(PROMPTS, max_new_tokens=12)
    base = ctx.view("base").generate(PROMPTS, max_new_tokens=12)
    assert previous == _outputs(tmp_path, tiny_model_dir, tiny_adapter_dir)
    assert candidate == _outputs(tmp_path, tiny_model_dir, tiny_adapter_dir_2)
    assert base == _outputs(tmp_path, tiny_model_dir, None)
    assert previous != candidate
    fingerprint = engine.extra_adapters["previous_release"][1]
    from gatekeeper.model.resolve import adapter_fingerprint
    assert fingerprint == adapter_fingerprint(tiny_adapter_dir)  # cached under the release's own adapter


def test_no_previous_release_skips(tmp_path, tiny_model_dir, tiny_adapter_dir_2):
    ctx, _ = make_context(tmp_path, tiny_model_dir, tiny_adapter_dir_2, gate_type="t",
                          releases=tmp_path / "empty", spec=_spec())
    with pytest.raises(Skipped, match="no release of demo older than 1.1.0"):
        ctx.baseline.generate(PROMPTS)


GATE = """\
gates:
  - id: s.prev
    type: static_rate
    threshold: {metric: rate, min: 0.5}
    vs_baseline: {max_drop: 0.05, against: %s}
"""


def test_against_is_validated_at_collection(tmp_path):
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog

    good = write_bundle(tmp_path / "good", {"g.yaml": GATE % "previous_release"})
    spec = collect_gates(load_bundle(good), load_catalog()).gates[0]
    assert spec.vs_baseline.against == "previous_release"
    bad = write_bundle(tmp_path / "bad", {"g.yaml": GATE % "previous_relase"})
    with pytest.raises(CollectionErrors) as exc:
        collect_gates(load_bundle(bad), load_catalog())
    text = str(exc.value)
    assert "g.yaml:5" in text and "unknown baseline 'previous_relase'" in text and "previous_release" in text
    lock_without_model(good)
