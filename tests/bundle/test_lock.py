"""gatekeeper.lock on the tiny model: what it pins, what it refuses, how the report shows it."""

from __future__ import annotations

import json
import shutil

import pytest

from testkit.bundles import write_bundle
from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.bundle.collect import collect_gates
from gatekeeper.run.registry import load_catalog
from gatekeeper.core.errors import CollectionErrors
from gatekeeper.bundle.lock import BASE_FINGERPRINTS, base_identity, verify_lock, write_lock

STATIC = """\
gates:
  - id: s.ok
    type: static_rate
    threshold: {metric: rate, min: 0.5}
"""


pytestmark = pytest.mark.usefixtures("static_gate_types")


@pytest.fixture
def locked(tmp_path, tiny_model_dir):
    """A static bundle on a private copy of the tiny model, locked for real."""
    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    root = write_bundle(tmp_path / "b", {"g.yaml": STATIC}, manifest={"base": {"model": str(model)}})
    bundle = load_bundle(root)
    write_lock(bundle, collect_gates(bundle, load_catalog()), base_identity(bundle))
    return root, model


def _verify(root):
    bundle = load_bundle(root)
    return verify_lock(bundle, collect_gates(bundle, load_catalog()))


def test_the_lock_pins_weights_tokenizer_and_chat_template(locked):
    root, _ = locked
    lock = json.loads((root / "gatekeeper.lock").read_text())
    assert all(lock["base"][k] for k in BASE_FINGERPRINTS)
    assert set(lock["artifacts"]) == {"gatekeeper.yaml", "gates/g.yaml"}
    assert _verify(root)[0] == lock


def test_a_bundle_chat_template_replaces_the_tokenizers_in_the_lock(locked):
    root, _ = locked
    before = json.loads((root / "gatekeeper.lock").read_text())["base"]["chat_template_fingerprint"]
    (root / "chat.jinja").write_text("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    (root / "gatekeeper.yaml").write_text((root / "gatekeeper.yaml").read_text() + "chat_template: chat.jinja\n")
    bundle = load_bundle(root)
    assert base_identity(bundle)["chat_template_fingerprint"] != before


def test_static_gates_need_no_base_fingerprint_but_model_gates_do(locked):
    """`fingerprint: null` is not a skipped check: it only passes when no gate loads the model."""
    root, _ = locked
    lock = json.loads((root / "gatekeeper.lock").read_text())
    lock["base"]["fingerprint"] = None
    (root / "gatekeeper.lock").write_text(json.dumps(lock))
    _verify(root)  # static gates only: the base is never loaded
    (root / "gates" / "test_model.py").write_text("def test_x(candidate):\n    assert candidate\n")
    lock["artifacts"]["gates/test_model.py"] = "sha256:" + __import__("hashlib").sha256(
        (root / "gates" / "test_model.py").read_bytes()).hexdigest()
    (root / "gatekeeper.lock").write_text(json.dumps(lock))
    with pytest.raises(CollectionErrors, match="does not pin the base model"):
        _verify(root)


def test_report_lists_the_locked_files_of_a_real_lock(locked, tmp_path):
    root, _ = locked
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run", engine=_no_progress()))
    lock = result.report["bundle"]["lock"]
    html = (tmp_path / "run" / "report.html").read_text()
    assert f"Locked files ({len(lock['artifacts'])})" in html
    for path, digest in lock["artifacts"].items():
        assert path in html and digest in html


def _no_progress():
    from gatekeeper.core.options import EngineOptions

    return EngineOptions(progress=False)


def test_an_environment_variable_reaches_data_only_through_the_bundle_and_is_locked(tmp_path, monkeypatch):
    """``${GATEKEEPER_MMLU_DIR}`` written in a gate's path and declared in data_roots is
    expanded at collection and its files are locked; set but unwritten, it changes nothing."""
    from gatekeeper.evals.mmlu import MMLU_ENV
    from testkit.bundles import lock_without_model

    mmlu = tmp_path / "mmlu"
    for split in ("dev", "test"):
        (mmlu / "data" / split).mkdir(parents=True)
        (mmlu / "data" / split / f"algebra_{split}.csv").write_text("1+1?,1,2,3,4,B\n2+2?,2,3,4,5,C\n")
    gates = ("gates:\n  - id: g.mmlu\n    type: lm_eval\n"
             '    params: {mmlu_dir: "${GATEKEEPER_MMLU_DIR}", fallback_dir: ../fallback}\n'
             "    vs_baseline: {max_drop: 0.05}\n")
    root = write_bundle(tmp_path / "b", {"g.yaml": gates}, manifest={"data_roots": ["${GATEKEEPER_MMLU_DIR}"]})
    shutil.copytree(mmlu, root / "fallback")
    monkeypatch.delenv(MMLU_ENV, raising=False)
    lock_without_model(root)
    assert not any("mmlu" in key and "fallback" not in key for key in
                   json.loads((root / "gatekeeper.lock").read_text())["artifacts"])
    monkeypatch.setenv(MMLU_ENV, str(mmlu))  # now the gate reads it: the lock no longer matches
    with pytest.raises(CollectionErrors, match="algebra_test.csv' is used by the bundle but not locked"):
        verify_lock(load_bundle(root), collect_gates(load_bundle(root), load_catalog()), needs_model=False)
    lock_without_model(root)
    artifacts = json.loads((root / "gatekeeper.lock").read_text())["artifacts"]
    assert "../mmlu/data/test/algebra_test.csv" in artifacts
    (mmlu / "data" / "test" / "algebra_test.csv").write_text("1+1?,1,2,3,4,A\n")
    with pytest.raises(CollectionErrors, match="algebra_test.csv' differs from the lock"):
        verify_lock(load_bundle(root), collect_gates(load_bundle(root), load_catalog()), needs_model=False)
