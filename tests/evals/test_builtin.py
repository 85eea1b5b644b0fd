"""lm-eval's own tasks by name: built-in MMLU read offline from a Hugging Face datasets cache
written from the shared MMLU CSVs, groups, misspelled names, missing datasets, and a
generative (generate_until) task, through `gatekeeper validate` / `check` on the tiny model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from gatekeeper.cli import main as cli_main
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.core.options import EngineOptions
from testkit.hfcache import write_mmlu_cache

SHARED_MMLU = Path(__file__).resolve().parents[3] / "shared" / "data" / "mmlu"
SUBJECT = "abstract_algebra"
needs_mmlu = pytest.mark.skipif(not (SHARED_MMLU / "data" / "test" / f"{SUBJECT}_test.csv").is_file(),
                                reason="no shared MMLU CSVs (../shared/data/mmlu)")


def _bundle(root: Path, model_dir: Path, adapter_dir: Path | None, gates: str) -> Path:
    (root / "gates").mkdir(parents=True)
    (root / "gates" / "g.yaml").write_text(gates, "utf-8")
    manifest = {"name": "lmx", "version": "0.1.0", "base": {"model": str(model_dir)}, "gates": ["gates/"]}
    if adapter_dir is not None:
        shutil.copytree(adapter_dir, root / "adapter")
        manifest["adapter"] = "adapter"
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    return root


def _copy_subjects(root: Path, subjects: list[str]) -> Path:
    """The bundle's own copy of a few shared CSVs (under tmp_path, never the repository)."""
    for subject in subjects:
        for folder in ("test", "val", "dev"):
            src = SHARED_MMLU / "data" / folder / f"{subject}_{folder}.csv"
            (root / "data" / folder).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, root / "data" / folder / src.name)
    return root


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    """An empty HF datasets cache for this test (HF_DATASETS_CACHE read at every call)."""
    path = tmp_path / "hf" / "datasets"
    path.mkdir(parents=True)
    monkeypatch.setenv("HF_DATASETS_CACHE", str(path))
    return path


BUILTIN = """\
gates:
  - id: lmx.builtin
    type: lm_eval
    params: {tasks: [mmlu_abstract_algebra], limit: 25, batch_size: 8}
    vs_baseline: {max_drop: 0.9}
  - id: lmx.csv
    type: lm_eval
    params: {mmlu_dir: ../mmlu, subjects: [abstract_algebra], limit: 25, batch_size: 8}
    vs_baseline: {max_drop: 0.9}
"""


@needs_mmlu
def test_a_builtin_mmlu_subtask_from_the_hf_cache_predicts_as_the_csv_path(
        tiny_model_dir, tiny_adapter_dir, tmp_path, hf_cache):
    import huggingface_hub.constants

    write_mmlu_cache(SHARED_MMLU, [SUBJECT], hf_cache, tmp_path / "work")
    root = _bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir, BUILTIN)
    _copy_subjects(root / "mmlu", [SUBJECT])
    assert cli_main(["lock", str(root)]) == 0
    offline_before = huggingface_hub.constants.HF_HUB_OFFLINE
    report = run_check(root, CheckOptions(out_dir=tmp_path / "run", engine=EngineOptions(progress=False))).report
    assert huggingface_hub.constants.HF_HUB_OFFLINE == offline_before  # restored after the run
    gates = {g["id"]: g for g in report["gates"]}
    for gate in gates.values():
        assert gate["outcome"] != "error", gate.get("reason")
    builtin, csv = (gates[k]["measurement"] for k in ("lmx.builtin", "lmx.csv"))
    assert builtin["details"]["source"]["builtin"] == ["mmlu_abstract_algebra"]
    assert builtin["details"]["source"]["datasets"] == ["cais/mmlu (abstract_algebra)"]
    assert builtin["n"] == csv["n"] == 25
    by_doc = {i["id"].rsplit("/", 1)[1]: i for i in csv["items"]}
    for item in builtin["items"]:
        assert item["id"].startswith("mmlu_abstract_algebra/")
        twin = by_doc[item["id"].rsplit("/", 1)[1]]
        for key in ("expected", "output", "passed", "baseline_output", "baseline_passed"):
            assert item[key] == twin[key], (item["id"], key)
    assert builtin["metrics"] == csv["metrics"]
    assert builtin["baseline_metrics"] == csv["baseline_metrics"]


GROUP = """\
group: lmx_mmlu
task: [mmlu_abstract_algebra, mmlu_anatomy]
aggregate_metric_list:
  - {metric: acc, weight_by_size: true}
metadata: {version: 1}
"""


@needs_mmlu
def test_a_group_reports_each_subtask_and_the_size_weighted_aggregate(
        tiny_model_dir, tiny_adapter_dir, tmp_path, hf_cache):
    write_mmlu_cache(SHARED_MMLU, [SUBJECT, "anatomy"], hf_cache, tmp_path / "work")
    gates = ("gates:\n  - id: lmx.group\n    type: lm_eval\n    params: {task_dir: ../tasks, "
             "tasks: [lmx_mmlu], limit: 4, batch_size: 8}\n    vs_baseline: {max_drop: 0.9}\n")
    root = _bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir, gates)
    (root / "tasks").mkdir()
    (root / "tasks" / "lmx_mmlu.yaml").write_text(GROUP, "utf-8")
    assert cli_main(["lock", str(root)]) == 0
    report = run_check(root, CheckOptions(out_dir=tmp_path / "run", engine=EngineOptions(progress=False))).report
    gate = report["gates"][0]
    assert gate["outcome"] != "error", gate.get("reason")
    m = gate["measurement"]
    assert [r["subject"] for r in m["details"]["per_subject"]] == ["mmlu_abstract_algebra", "mmlu_anatomy"]
    (group,) = m["details"]["groups"]
    assert group["group"] == "lmx_mmlu" and group["tasks"] == 2 and group["n"] == m["n"] == 8
    assert group["candidate"] == pytest.approx(m["metrics"]["accuracy"])  # size-weighted = per document
    assert group["baseline"] == pytest.approx(m["baseline_metrics"]["accuracy"])
    html = (tmp_path / "run" / "report.html").read_text("utf-8")
    assert "Groups (aggregated as lm-eval does)" in html and "could not be drawn" not in html.lower()


def _validate(root: Path, capsys) -> tuple[int, str]:
    code = cli_main(["validate", str(root)])
    return code, capsys.readouterr().err


def test_a_misspelled_task_lists_close_matches_at_validate(tiny_model_dir, tmp_path, hf_cache, capsys):
    gates = "gates:\n  - id: lmx.typo\n    type: lm_eval\n    params: {tasks: [mmlu_abstract_algebr]}\n" \
            "    vs_baseline: {max_drop: 0.05}\n"
    root = _bundle(tmp_path / "b", tiny_model_dir, None, gates)
    code, err = _validate(root, capsys)
    assert code == 4 and "g.yaml:" in err and "Traceback" not in err
    assert "unknown lm-eval task 'mmlu_abstract_algebr' (did you mean mmlu_abstract_algebra" in err


def test_a_builtin_task_whose_dataset_is_not_cached_says_how_to_fetch_it(tiny_model_dir, tmp_path,
                                                                        hf_cache, capsys):
    gates = "gates:\n  - id: lmx.gsm\n    type: lm_eval\n    params: {tasks: [gsm8k, mmlu_anatomy]}\n" \
            "    vs_baseline: {max_drop: 0.05}\n"
    root = _bundle(tmp_path / "b", tiny_model_dir, None, gates)
    code, err = _validate(root, capsys)
    assert code == 4 and "g.yaml:" in err and "Traceback" not in err
    assert "openai/gsm8k config main (task gsm8k)" in err and "cais/mmlu config anatomy (task mmlu_anatomy)" in err
    assert "datasets.load_dataset(p, c) for p, c in [('openai/gsm8k', 'main'), ('cais/mmlu', 'anatomy')]" in err
    assert str(hf_cache) in err


def test_validate_accepts_a_cached_builtin_task(tiny_model_dir, tmp_path, hf_cache, capsys):
    if not (SHARED_MMLU / "data").is_dir():
        pytest.skip("no shared MMLU CSVs")
    write_mmlu_cache(SHARED_MMLU, [SUBJECT], hf_cache, tmp_path / "work")
    gates = "gates:\n  - id: lmx.ok\n    type: lm_eval\n    params: {tasks: [mmlu_abstract_algebra]}\n" \
            "    vs_baseline: {max_drop: 0.05}\n"
    code, err = _validate(_bundle(tmp_path / "b", tiny_model_dir, None, gates), capsys)
    assert code == 0, err


HUB_TASK = """\
task: my_hellaswag
dataset_path: Rowan/hellaswag
output_type: multiple_choice
validation_split: validation
doc_to_text: "{{ctx}}"
doc_to_target: "{{label}}"
doc_to_choice: "{{endings}}"
"""


def test_a_task_dir_yaml_naming_an_uncached_hub_dataset_fails_validation(tiny_model_dir, tmp_path,
                                                                        hf_cache, capsys):
    gates = "gates:\n  - id: lmx.hub\n    type: lm_eval\n    params: {task_dir: ../tasks, tasks: [my_hellaswag]}\n" \
            "    vs_baseline: {max_drop: 0.05}\n"
    root = _bundle(tmp_path / "b", tiny_model_dir, None, gates)
    (root / "tasks").mkdir()
    (root / "tasks" / "my_hellaswag.yaml").write_text(HUB_TASK, "utf-8")
    code, err = _validate(root, capsys)
    assert code == 4 and "g.yaml:" in err and "Traceback" not in err
    assert "Rowan/hellaswag config default (task my_hellaswag" in err and "my_hellaswag.yaml" in err


GENERATE = """\
task: lmx_echo
dataset_path: json
dataset_kwargs:
  data_files: {test: DATA}
test_split: test
output_type: generate_until
doc_to_text: "Q: {{question}}\\nA:"
doc_to_target: "{{answer}}"
generation_kwargs: {until: ["\\n"], max_gen_toks: 4, do_sample: false}
metric_list:
  - {metric: exact_match, aggregation: mean, higher_is_better: true}
metadata: {version: 1}
"""


def _generate(root: Path, rows: list, out: Path) -> dict:
    tasks = root / "tasks"
    (tasks / "echo.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert cli_main(["lock", str(root)]) == 0
    report = run_check(root, CheckOptions(out_dir=out, engine=EngineOptions(progress=False))).report
    gate = report["gates"][0]
    assert gate["outcome"] != "error", gate.get("reason")
    return gate


def test_a_generative_task_is_paired_per_document_on_exact_match(tiny_model_dir, tiny_adapter_dir,
                                                                 tmp_path, capsys):
    """Run once, then make one answer the candidate's own generation: that document must score 1."""
    rows = [{"question": q, "answer": a} for q, a in
            [("2+2?", "4"), ("capital of France?", "Paris"), ("colour of the sky?", "blue")]]
    gates = "gates:\n  - id: lmx.gen\n    type: lm_eval\n    params: {task_dir: ../tasks, tasks: [lmx_echo]}\n" \
            "    vs_baseline: {max_drop: 0.9}\n"
    root = _bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir, gates)
    (root / "tasks").mkdir()
    (root / "tasks" / "lmx_echo.yaml").write_text(GENERATE.replace("DATA", str(root / "tasks" / "echo.jsonl")), "utf-8")
    first = _generate(root, rows, tmp_path / "run1")
    doc = lambda gate: {int(i["id"].rsplit("/", 1)[1]): i for i in gate["measurement"]["items"]}  # noqa: E731
    rows[1]["answer"] = doc(first)[1]["output"]
    gate = _generate(root, rows, tmp_path / "run2")
    m = gate["measurement"]
    assert m["n"] == 3 and m["details"]["metric"] == "each task's first metric"
    assert m["samples"]["accuracy"]["binary"] and gate["comparison"]["n"] == 3
    items = doc(gate)
    for k, row in enumerate(rows):
        item = items[k]
        assert item["expected"] == row["answer"]
        for out, passed in ((item["output"], item["passed"]), (item["baseline_output"], item["baseline_passed"])):
            assert isinstance(out, str) and passed == (out == row["answer"])
    assert items[1]["passed"] and items[1]["output"] == doc(first)[1]["output"]
    assert m["metrics"]["accuracy"] == pytest.approx(sum(i["passed"] for i in items.values()) / 3)
    assert "could not be drawn" not in (tmp_path / "run2" / "report.html").read_text("utf-8").lower()
