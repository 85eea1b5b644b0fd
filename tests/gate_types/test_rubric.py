"""rubric end to end through `gatekeeper check` on the tiny real model + LoRA adapter.

Two judges: a second tiny model inside the bundle (``judge_dir``, loaded as its own copy) and
the bundle's base model itself (``judge``: its path; graded on the run's loaded model with
the adapter off). Every P(yes) is recomputed here, one prompt at a time on a freshly loaded
model, so batching, padding, the shared model and the adapter switch are all checked against
the plain definition; agreement with the labelled set is recounted from those numbers.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from gatekeeper.cli import main as cli_main
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.core.options import EngineOptions
from gatekeeper.core.errors import ConfigError
from gatekeeper.evals import rubric_judge
from gatekeeper.evals.rubric_judge import GRADING_PROMPT, check_template, grading_text
from gatekeeper.evals.rubric_labels import agreement, load_labels
from gatekeeper.report.fragments import render_fragment
from testkit.scorers import PROMPTS
from testkit.tiny import build_tiny_model

RUBRIC = "The reply is a JSON object with a category."
LABELS = [{"output": '{"category": "billing"}', "label": "pass"},
          {"output": "Sorry, I cannot help.", "label": "fail"},
          {"output": '{"category": "shipping", "priority": "low"}', "label": True, "input": "where is it"},
          {"output": "billing", "label": "fail", "rubric": "The reply is one word."},
          {"output": "The order is late.", "label": "fail"}]


def gates_yaml(base_dir) -> str:
    return f"""\
gates:
  - id: rub.own
    type: rubric
    golden_set: ../data/set.jsonl
    params: {{rubric: "{RUBRIC}", judge_dir: ../judge, judge_labels: ../data/labels.jsonl,
             max_new_tokens: 8, batch_size: 3}}
    threshold: {{metric: pass_rate, min: 0.0, bound: point}}
    vs_baseline: {{max_drop: 0.9}}
  - id: rub.agreement
    type: rubric
    golden_set: ../data/set.jsonl
    params: {{rubric: "{RUBRIC}", judge_dir: ../judge, judge_labels: ../data/labels.jsonl,
             max_new_tokens: 8, batch_size: 3}}
    threshold: {{metric: judge_agreement, min: 0.0, bound: point}}
  - id: rub.base_judge
    type: rubric
    golden_set: ../data/set.jsonl
    params: {{rubric: "{RUBRIC}", judge: "{base_dir}", limit: 5, include_input: false,
             pass_threshold: 0.3, max_new_tokens: 8, explain: true}}
    threshold: {{metric: pass_rate, min: 0.0, bound: point}}
"""


@pytest.fixture(scope="module")
def bundle(tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("rubric") / "bundle"
    (root / "gates").mkdir(parents=True)
    (root / "data").mkdir()
    rows = [{"id": f"r{i}", "prompt": p} for i, p in enumerate(PROMPTS)]
    (root / "data" / "set.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "data" / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in LABELS))
    build_tiny_model(root / "judge", seed=3)
    (root / "gates" / "g.yaml").write_text(gates_yaml(tiny_model_dir))
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    manifest = {"name": "rubric", "version": "0.1.0", "base": {"model": str(tiny_model_dir)},
                "adapter": "adapter", "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest))
    assert cli_main(["lock", str(root)]) == 0
    return root


@pytest.fixture(scope="module")
def checked(bundle):
    result = run_check(bundle, CheckOptions(out_dir=bundle.parent / "run", engine=EngineOptions(progress=False)))
    return {g["id"]: g for g in result.report["gates"]}


def one_at_a_time(model_dir, texts, adapter_dir=None):
    """P(yes) of each grading prompt, alone (no batch, no padding), on a fresh model."""
    import torch

    model, tok = rubric_judge.load_judge(model_dir)
    yes, no = rubric_judge.answer_ids(tok)
    out = []
    with torch.inference_mode():
        for text in texts:
            ids = tok(rubric_judge._chat(tok, text), return_tensors="pt", add_special_tokens=False)["input_ids"]
            logits = model(input_ids=ids).logits[0, -1]
            out.append(float(torch.sigmoid(logits[yes].logsumexp(-1) - logits[no].logsumexp(-1))))
    return out


def test_each_output_is_graded_by_the_judges_p_yes(checked, bundle):
    m = checked["rub.own"]["measurement"]
    items = m["items"]
    assert m["n"] == len(PROMPTS) == len(items)
    texts = [grading_text(GRADING_PROMPT, RUBRIC, it["input"], it["output"]) for it in items]
    expected = one_at_a_time(bundle / "judge", texts)
    for it, p in zip(items, expected, strict=True):
        assert it["score"] == pytest.approx(p, abs=1e-4)
        assert it["passed"] == (it["score"] >= 0.5)
        assert it["detail"].startswith(f"P(yes) {it['score']:.2f}") and RUBRIC in it["detail"]
        assert it["baseline_output"] is not None and it["baseline_score"] is not None
    assert m["metrics"]["pass_rate"] == sum(it["passed"] for it in items) / len(items)
    assert m["baseline_metrics"]["pass_rate"] == sum(it["baseline_passed"] for it in items) / len(items)
    judge = m["details"]["judge"]
    assert judge["model"] == "judge" and judge["loaded"] == "its own copy"
    assert m["details"]["example_prompt"] == texts[0] and RUBRIC in texts[0]


def test_the_judge_is_measured_against_its_labelled_set(checked, bundle):
    m = checked["rub.own"]["measurement"]
    rows = load_labels(bundle / "data" / "labels.jsonl")
    texts = [grading_text(GRADING_PROMPT, r.rubric or RUBRIC, r.input, r.output) for r in rows]
    p = one_at_a_time(bundle / "judge", texts)
    graded = [x >= 0.5 for x in p]
    labels = m["details"]["labels"]
    agree = sum(g == r.label for g, r in zip(graded, rows, strict=True)) / len(rows)
    assert labels["n"] == 5 and labels["agreement"] == pytest.approx(agree)
    assert m["metrics"]["judge_agreement"] == pytest.approx(agree)
    assert labels["tp"] + labels["fn"] == 2 and labels["fp"] + labels["tn"] == 3
    assert len(labels["disagreements"]) == round((1 - agree) * 5)
    # the same grades serve a gate that thresholds the judge's agreement itself
    assert checked["rub.agreement"]["measurement"]["metrics"] == m["metrics"]
    assert checked["rub.agreement"]["outcome"] == "pass"


def test_the_base_model_judges_on_the_runs_model_with_the_adapter_off(checked, tiny_model_dir):
    m = checked["rub.base_judge"]["measurement"]
    assert m["n"] == 5 and m["details"]["judge"]["loaded"] == "the run's base model (adapter off)"
    texts = [grading_text(GRADING_PROMPT, RUBRIC, None, it["output"]) for it in m["items"]]
    assert "(not given)" in texts[0]
    for it, p in zip(m["items"], one_at_a_time(tiny_model_dir, texts), strict=True):
        assert it["score"] == pytest.approx(p, abs=1e-4)
        assert it["passed"] == (p >= 0.3)
        assert "; judge: Yes, because" in it["detail"] or "; judge: No, because" in it["detail"]
    assert "labels" not in m["details"] and "judge_agreement" not in m["metrics"]


def test_a_warm_rerun_loads_no_judge(checked, bundle, monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the judge was loaded again")

    monkeypatch.setattr(rubric_judge, "load_judge", refuse)
    monkeypatch.setattr(rubric_judge, "grade", refuse)
    again = run_check(bundle, CheckOptions(out_dir=bundle.parent / "run2", engine=EngineOptions(progress=False)))
    gates = {g["id"]: g for g in again.report["gates"]}
    for gate_id in checked:
        assert gates[gate_id]["outcome"] == checked[gate_id]["outcome"] != "error"
        assert gates[gate_id]["measurement"]["items"] == checked[gate_id]["measurement"]["items"]


def test_its_fragment_shows_the_judge_its_agreement_and_the_prompt(checked):
    html, note = render_fragment(checked["rub.own"])
    assert note is None and "labelled set" in html and "agreement" in html
    assert "Grading prompt" in html and "Does the reply satisfy the rubric?" in html
    html, note = render_fragment(checked["rub.base_judge"])
    assert note is None and "No labelled set" in html


def test_agreement_counts_precision_and_recall():
    rows = load_labels_from([{"output": "a", "label": "pass"}, {"output": "b", "label": "pass"},
                             {"output": "c", "label": "fail"}, {"output": "d", "label": False}])
    got = agreement(rows, [True, False, True, False], [0.9, 0.2, 0.95, 0.1], "x.jsonl")
    assert (got["agreement"], got["precision"], got["recall"]) == (0.5, 0.5, 0.5)
    assert [d["output"] for d in got["disagreements"]] == ["c", "b"]  # most confident mistake first
    none = agreement(rows[2:], [False, False], [0.1, 0.2], "x.jsonl")
    assert none["precision"] is None and none["recall"] is None and none["agreement"] == 1.0


def load_labels_from(rows):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return load_labels(path)


@pytest.mark.parametrize("row, says", [
    ({"label": "pass"}, "'output' must be a non-empty string"),
    ({"output": "x", "label": "maybe"}, "'label' must be \"pass\" or \"fail\""),
    ({"output": "x", "label": "pass", "rubric": ""}, "'rubric' must be a non-empty string"),
])
def test_a_bad_labels_row_is_named_at_its_line(row, says):
    with pytest.raises(ConfigError) as err:
        load_labels_from([{"output": "fine", "label": "fail"}, row])
    assert err.value.line == 2 and says in err.value.message


@pytest.mark.parametrize("template, says", [
    ("Grade {rubric}: {input}", "{output} is missing"),
    ("{output} {answer}", "unknown placeholder"),
    ("{output", "not a valid template"),
])
def test_a_bad_grading_prompt_is_refused(template, says):
    with pytest.raises(ConfigError) as err:
        check_template(template)
    assert says in err.value.message
    check_template("{{literal}} {output}")
