"""lm_eval, calibration and safety gate types end to end through `gatekeeper check`, on the
tiny real model + LoRA adapter (real lm-eval, real transformers/peft)."""

from __future__ import annotations


import pytest
import yaml

from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.cli import main as cli_main
from gatekeeper.evals.mmlu import MMLU_ENV
from gatekeeper.core.options import EngineOptions
from testkit.evals import make_bundle, write_mmlu



def test_lm_eval_pairs_candidate_and_baseline_per_document(checked):
    _, gates = checked
    gate = gates["general.mmlu"]
    assert gate["outcome"] != "error", gate.get("reason")
    m = gate["measurement"]
    assert m["n"] == 6 and len(m["items"]) == 6
    details = m["details"]
    assert [r["subject"] for r in details["per_subject"]] == ["alpha", "beta"]
    assert details["source"]["chosen_by"] == "params.mmlu_dir"
    acc = m["samples"]["accuracy"]
    assert m["metrics"]["accuracy"] == pytest.approx(sum(acc["candidate"]) / 6)
    assert m["baseline_metrics"]["accuracy"] == pytest.approx(sum(acc["baseline"]) / 6)
    for item in m["items"]:
        assert item["expected"] in "ABCD" and item["output"] in "ABCD"
        assert item["passed"] == (item["output"] == item["expected"])




def test_a_second_check_reads_lm_eval_results_from_the_cache(checked, monkeypatch):
    from gatekeeper.core.store import shelf
    from gatekeeper.evals import cache, harness, run

    root, first = checked

    def fail(*args, **kwargs):
        raise AssertionError("lm-eval ran again")

    monkeypatch.setattr(run, "run_harness", fail)
    again = run_check(root, CheckOptions(out_dir=root.parent / "run2",
                                         engine=EngineOptions(progress=False)))
    gates = {g["id"]: g for g in again.report["gates"]}
    assert gates["general.mmlu"]["measurement"]["metrics"] == first["general.mmlu"]["measurement"]["metrics"]
    assert harness.run_harness is not fail
    assert len(shelf(cache.KIND, cache.VERSION)) >= 2  # candidate and baseline, in cache.sqlite


def test_missing_mmlu_data_is_a_collection_error_naming_the_variable(tiny_model_dir, tiny_adapter_dir,
                                                                      tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(MMLU_ENV, raising=False)
    gates = "gates:\n  - {id: g.mmlu, type: lm_eval, params: {}, vs_baseline: {max_drop: 0.05}}\n"
    root = tmp_path / "b"
    write_mmlu(root / "mmlu")
    (root / "gates").mkdir(parents=True)
    (root / "gates" / "g.yaml").write_text(gates, "utf-8")
    manifest = {"name": "x", "version": "0.1.0", "base": {"model": str(tiny_model_dir)}, "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    code = cli_main(["validate", str(root)])
    err = capsys.readouterr().err
    assert code == 4 and "names no mmlu_dir or fallback_dir" in err and MMLU_ENV in err and "Traceback" not in err


def test_a_malformed_mmlu_row_fails_validation_at_its_line(tiny_model_dir, tmp_path, capsys):
    root = tmp_path / "b"
    write_mmlu(root / "mmlu", subjects=("alpha",), rows=["q1,a,b,c,d,A\n", "q2,a,b,c\n"])
    (root / "gates").mkdir(parents=True)
    (root / "gates" / "g.yaml").write_text(
        "gates:\n  - {id: g.mmlu, type: lm_eval, params: {mmlu_dir: ../mmlu}, "
        "vs_baseline: {max_drop: 0.05}}\n", "utf-8")
    manifest = {"name": "x", "version": "0.1.0", "base": {"model": str(tiny_model_dir)}, "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    code = cli_main(["validate", str(root)])
    err = capsys.readouterr().err
    assert code == 4 and "alpha_test.csv:2" in err and "Traceback" not in err


def test_report_fragments_draw_subjects_reliability_and_categories(checked):
    root, _ = checked
    html = (root.parent / "run" / "report.html").read_text("utf-8")
    assert "Accuracy per subject" in html and "alpha" in html
    assert "Reliability diagram" in html and "pt-candidate" in html
    assert "By category" in html and "cyber abuse" in html
    assert "could not be drawn" not in html.lower()


def test_a_choice_row_without_choices_fails_validation_at_its_line(tiny_model_dir, tmp_path, capsys):
    root = tmp_path / "b"
    (root / "gates").mkdir(parents=True)
    (root / "choice.jsonl").write_text('{"id": "a", "prompt": "q", "choices": ["x", "y"], "target": 0}\n'
                                       '{"id": "b", "prompt": "q", "target": 0}\n', "utf-8")
    (root / "gates" / "g.yaml").write_text(
        "gates:\n  - {id: g.cal, type: calibration, golden_set: ../choice.jsonl, "
        "threshold: {metric: ece_increase, max: 0.05, bound: point}}\n", "utf-8")
    manifest = {"name": "x", "version": "0.1.0", "base": {"model": str(tiny_model_dir)}, "gates": ["gates/"]}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    code = cli_main(["validate", str(root)])
    err = capsys.readouterr().err
    assert code == 4 and "choice.jsonl:2" in err and "Traceback" not in err


CLOZE = """\
gates:
  - id: general.cloze
    type: lm_eval
    params: {mmlu_dir: ../mmlu, batch_size: 4, style: cloze}
    vs_baseline: {max_drop: 0.9}
"""


def test_cloze_style_scores_each_full_answer_text(tiny_model_dir, tiny_adapter_dir, tmp_path):
    """A small model answers one letter everywhere (the demo's 135M model: 'A' on all 237
    items); cloze scoring compares the answers' own texts as continuations, so the
    measurement sees the model's knowledge instead of its letter bias."""
    root = make_bundle(tmp_path / "bundle", tiny_model_dir, tiny_adapter_dir, gates=CLOZE)
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run", engine=EngineOptions(progress=False)))
    gate = result.report["gates"][0]
    assert gate["outcome"] != "error", gate["reason"]
    m = gate["measurement"]
    assert m["details"]["source"]["style"] == "cloze" and m["n"] == 6
    texts = {"3", "4", "5", "6", "Rome", "Madrid", "Paris", "Berlin", "Shark", "Whale", "Trout", "Eel"}
    for item in m["items"]:
        assert item["output"] in texts and item["expected"] in texts  # answer texts, not letters
        assert item["passed"] == (item["output"] == item["expected"])
    assert gate["comparison"]["n"] == 6


def test_style_must_be_letters_or_cloze(tiny_model_dir, tiny_adapter_dir, tmp_path, capsys):
    root = make_bundle(tmp_path / "bundle", tiny_model_dir, tiny_adapter_dir, gates=CLOZE)
    (root / "gates" / "g.yaml").write_text(CLOZE.replace("style: cloze", "style: words"))
    assert cli_main(["validate", str(root)]) == 4
    assert "style must be one of letters, cloze, found 'words'" in capsys.readouterr().err


def test_lm_eval_reports_accuracy_against_chance(checked):
    _, gates = checked
    chance = gates["general.mmlu"]["measurement"]["details"]["chance"]
    assert chance["chance"] == pytest.approx(0.25)
    lo, hi = chance["baseline"]["interval"]
    assert lo <= chance["baseline"]["accuracy"] <= hi
