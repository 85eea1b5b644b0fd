"""The contamination gate type end to end: eval sets of the run, caching, report, bad params."""

from __future__ import annotations

import json
import random

import pytest

from testkit.bundles import lock_without_model, write_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.cli import main as cli_main
from testkit.texts import sentence, swap_edit

GATES = """\
gates:
  - id: reads.eval
    type: static_rate
    golden_set: ../data/eval.jsonl
    threshold: {metric: rate, min: 0.5}
  - id: data.contamination
    type: contamination
    params: {extra: ../data/extra.csv}
    threshold: {metric: hits, max: 0}
"""


pytestmark = pytest.mark.usefixtures("static_gate_types")


def write_data(root, *, leak: bool) -> None:
    rng = random.Random(2)
    evals = [{"id": f"e{i}", "prompt": "Answer briefly.\n" + sentence(rng, 25),
              "target": sentence(rng, 15)} for i in range(30)]
    train = [{"messages": [{"role": "user", "content": "Answer briefly.\n" + sentence(rng, 25)},
                           {"role": "assistant", "content": sentence(rng, 15)}]} for _ in range(60)]
    extra = ["prompt,label"] + [f'"{sentence(rng, 20)}",x' for _ in range(10)]
    if leak:
        train[5]["messages"][0]["content"] = swap_edit(evals[4]["prompt"].split("\n")[1])
        train[9]["messages"][1]["content"] = "Sure. " + evals[8]["target"]
        train[12]["messages"][0]["content"] = extra[3].split('"')[1]
    data = root / "data"
    (data / "eval.jsonl").write_text("".join(json.dumps(r) + "\n" for r in evals))
    (data / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in train))
    (data / "extra.csv").write_text("\n".join(extra) + "\n")


def make_bundle(tmp_path, gates=GATES, *, leak=True, lock=True):
    root = write_bundle(tmp_path / "b", {"g.yaml": gates},
                        manifest={"train": {"data": "data/train.jsonl"}})
    write_data(root, leak=leak)
    if lock:
        lock_without_model(root)
    return root


def gate(result, gate_id="data.contamination"):
    return next(g for g in result.report["gates"] if g["id"] == gate_id)


def test_hits_in_golden_sets_and_extra_files_are_reported_per_set(tmp_path):
    root = make_bundle(tmp_path)
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run"))
    g = gate(result)
    assert g["outcome"] == "fail"
    m = g["measurement"]
    assert m["metrics"]["hits"] == 3 and m["n"] == 40
    # plain text has no template: every hit is a finding (a copy, a near copy, a pasted answer)
    assert m["metrics"]["findings"] == 3 and m["metrics"]["finding_rate"] == pytest.approx(3 / 40)
    sets = {s["name"]: s for s in m["details"]["sets"]}
    assert sets["data/eval.jsonl"]["hits"] == 2 and sets["data/eval.jsonl"]["gates"] == ["reads.eval"]
    assert sets["data/extra.csv"]["hits"] == 1
    where = {r["eval_where"]: r for r in sets["data/eval.jsonl"]["records"]}
    assert where["data/eval.jsonl:5"]["train_where"].endswith("train.jsonl:6")
    assert where["data/eval.jsonl:9"]["field"] == "answer"
    assert m["details"]["boilerplate"]["prompt"] == ["answer briefly"]
    html = (tmp_path / "run" / "report.html").read_text()
    assert "data/extra.csv:4" in html and "<ins>" in html and "<strong>finding</strong>" in html


def test_a_clean_bundle_passes_and_a_recheck_comes_from_the_cache(tmp_path):
    root = make_bundle(tmp_path, leak=False)
    first = gate(run_check(root, CheckOptions(out_dir=tmp_path / "run")))
    again = gate(run_check(root, CheckOptions(out_dir=tmp_path / "run2")))
    assert first["outcome"] == again["outcome"] == "pass"
    assert first["measurement"]["metrics"]["hits"] == 0
    assert not first["measurement"]["details"]["cache_hit"] and again["measurement"]["details"]["cache_hit"]


def test_sets_selects_one_set_for_its_own_threshold(tmp_path):
    gates = GATES + """\
  - id: data.contamination.extra
    type: contamination
    params: {extra: ../data/extra.csv, sets: ["extra.csv"]}
    threshold: {metric: hit_rate, max: 0.2}
"""
    root = make_bundle(tmp_path, gates)
    g = gate(run_check(root, CheckOptions(out_dir=tmp_path / "run")), "data.contamination.extra")
    assert [s["name"] for s in g["measurement"]["details"]["sets"]] == ["data/extra.csv"]
    assert g["measurement"]["metrics"]["hit_rate"] == pytest.approx(0.1)


@pytest.mark.parametrize("params, needle", [
    ("{near_threshold: 1.5}", "near_threshold must be in [0.5, 1]"),
    ("{boilerplate_share: 0}", "boilerplate_share must be in (0, 1]"),
    ("{ngram: 5, ngram_min: 8}", "ngram_min <= ngram"),
    ("{max_records: -1}", "max_records must be >= 0"),
    ("{copy_quantile: 0.2}", "copy_quantile must be in [0.5, 1]"),
    ("{copy_frame_share: 1.5}", "copy_frame_share must be in (0, 1]"),
    ("{copy_score: levenshtein}", "copy_score must be edits or jaccard"),
    ("{copy_score: 1}", "parameter 'copy_score' must be str"),
    ("{sets: []}", "sets must be a non-empty list"),
    ("{sets: 'eval.jsonl'}", "parameter 'sets' must be list"),
    ("{extra: ../data/missing.jsonl}", "missing.jsonl"),
    ("{train: ../data/nope.jsonl}", "nope.jsonl"),
    ("{ngram: '13'}", "parameter 'ngram' must be int"),
])
def test_bad_parameters_stop_at_collection_with_file_and_line(tmp_path, capsys, params, needle):
    gates = f"""\
gates:
  - id: data.contamination
    type: contamination
    params: {params}
    threshold: {{metric: hits, max: 0}}
"""
    root = make_bundle(tmp_path, gates, lock=False)
    assert cli_main(["validate", str(root)]) == 4
    err = capsys.readouterr().err
    assert needle in err and "g.yaml:" in err and "Traceback" not in err


def test_a_set_name_that_matches_nothing_is_an_error_naming_the_sets(tmp_path):
    gates = GATES.replace("{extra: ../data/extra.csv}", "{sets: ['*mmlu*']}")
    root = make_bundle(tmp_path, gates)
    g = gate(run_check(root, CheckOptions(out_dir=tmp_path / "run")))
    assert g["outcome"] == "error"
    assert "'*mmlu*' match no eval set" in g["reason"] and "data/eval.jsonl" in g["reason"]


def test_nothing_to_compare_is_a_skip_not_a_pass(tmp_path):
    gates = """\
gates:
  - id: data.contamination
    type: contamination
    threshold: {metric: hits, max: 0}
"""
    g = gate(run_check(make_bundle(tmp_path, gates), CheckOptions(out_dir=tmp_path / "run")))
    assert g["outcome"] == "skip" and "no eval set to check" in g["reason"]
    root = write_bundle(tmp_path / "no-train", {"g.yaml": GATES})
    write_data(root, leak=False)   # data files present, but no train: block in the manifest
    lock_without_model(root)
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run2"))
    assert gate(result)["outcome"] == "skip" and "no training data" in gate(result)["reason"]


def test_the_train_parameter_replaces_the_recipe_data_and_is_never_an_eval_set(tmp_path):
    gates = GATES + """\
  - id: data.contamination.other
    type: contamination
    params: {train: ../data/other.jsonl}
    threshold: {metric: hits, max: 0}
"""
    root = make_bundle(tmp_path, gates, leak=True, lock=False)
    evals = (root / "data" / "eval.jsonl").read_text().splitlines()
    (root / "data" / "other.jsonl").write_text(evals[20] + "\n")   # one eval row, copied whole
    lock_without_model(root)
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run"))
    other = gate(result, "data.contamination.other")["measurement"]
    assert other["details"]["train_files"] == ["data/other.jsonl"] and other["metrics"]["exact_hits"] == 1
    names = [s["name"] for s in gate(result)["measurement"]["details"]["sets"]]
    assert "data/other.jsonl" not in names and gate(result)["measurement"]["metrics"]["hits"] == 3


def test_rows_of_the_general_mix_are_training_data_too(tmp_path):
    """A copy of an eval item hidden in train.mix.data is found like one in train.data."""
    root = write_bundle(tmp_path / "b", {"g.yaml": GATES},
                        manifest={"train": {"data": "data/train.jsonl",
                                            "mix": {"data": "data/mix.jsonl", "fraction": 0.2}}})
    write_data(root, leak=False)
    evals = [json.loads(line) for line in (root / "data" / "eval.jsonl").read_text().splitlines()]
    mix = [{"messages": [{"role": "user", "content": "What is the capital of Peru?"},
                         {"role": "assistant", "content": "Lima."}]},
           {"messages": [{"role": "user", "content": evals[2]["prompt"]},
                         {"role": "assistant", "content": "Fine."}]}]
    (root / "data" / "mix.jsonl").write_text("".join(json.dumps(r) + "\n" for r in mix))
    lock_without_model(root)
    g = gate(run_check(root, CheckOptions(out_dir=tmp_path / "run")))
    assert g["outcome"] == "fail" and g["measurement"]["metrics"]["exact_hits"] == 1
    record = g["measurement"]["details"]["sets"][0]["records"][0]
    assert record["eval_where"] == "data/eval.jsonl:3" and record["train_where"].endswith("mix.jsonl:2")


RANKED = GATES.replace("{extra: ../data/extra.csv}", "{extra: ../data/extra.csv, max_records: 1}")


def test_records_are_ranked_by_severity_and_the_full_list_is_a_sidecar_file(tmp_path):
    """Exact copies first, then the closest pairs; the report keeps the top N, the JSONL all."""
    root = make_bundle(tmp_path, RANKED, lock=False)
    rows = [json.loads(line) for line in (root / "data" / "eval.jsonl").read_text().splitlines()]
    train = (root / "data" / "train.jsonl").read_text().splitlines()
    exact = {"messages": [{"role": "user", "content": rows[20]["prompt"]},
                          {"role": "assistant", "content": "x"}]}
    (root / "data" / "train.jsonl").write_text("\n".join(train + [json.dumps(exact)]) + "\n")
    lock_without_model(root)
    result = run_check(root, CheckOptions(out_dir=tmp_path / "run"))
    details = gate(result)["measurement"]["details"]
    shown = {s["name"]: s for s in details["sets"]}["data/eval.jsonl"]
    assert shown["records_left_out"] == 2 and len(shown["records"]) == 1
    assert shown["records"][0]["eval_where"] == "data/eval.jsonl:21" and shown["records"][0]["exact"]
    sidecar = tmp_path / "run" / details["sidecar"]["file"]
    lines = [json.loads(line) for line in sidecar.read_text().splitlines()]
    assert details["sidecar"]["records"] == len(lines) == gate(result)["measurement"]["metrics"]["hits"] == 4
    keys = [(r["exact"], r["near_copy"], r["similarity"], r["ngram_overlap"]) for r in lines]
    assert keys == sorted(keys, reverse=True) and lines[0]["exact"] and not lines[-1]["exact"]
    near = [r for r in lines if r["set"] == "data/eval.jsonl"]
    assert [r["eval_where"] for r in near][0] == "data/eval.jsonl:21"
    assert {r["eval_where"] for r in near} == {"data/eval.jsonl:21", "data/eval.jsonl:5",
                                               "data/eval.jsonl:9"}
    html = (tmp_path / "run" / "report.html").read_text()
    assert f'href="{details["sidecar"]["file"]}"' in html and "most severe first" in html


def test_the_fragment_marks_the_words_that_differ_and_escapes_the_texts(tmp_path):
    root = make_bundle(tmp_path, lock=False)
    rows = [json.loads(line) for line in (root / "data" / "eval.jsonl").read_text().splitlines()]
    prompt = rows[4]["prompt"].replace("Answer briefly.\n", "")
    rows[4]["prompt"] = "Answer briefly.\n" + prompt + " <script>x</script>"
    (root / "data" / "eval.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    lock_without_model(root)
    run_check(root, CheckOptions(out_dir=tmp_path / "run"))
    html = (tmp_path / "run" / "report.html").read_text()
    assert "<del>&lt;script&gt;x&lt;/script&gt;</del>" in html and "<script>x</script>" not in html


def test_a_lightly_edited_copy_in_templated_training_data_blocks_and_siblings_do_not(tmp_path):
    """near_copies: the planted edit is found, the templated test set's siblings are not."""
    from testkit.templated import frames, light_edit, rows

    rng = random.Random(5)
    templates = frames(rng, 30)
    train = rows(rng, templates, 400)
    test = rows(rng, templates, 100, avoid=set(train))
    gates = """\
gates:
  - id: data.copies
    type: contamination
    golden_set: ../data/eval.jsonl
    threshold: {metric: near_copies, max: 0}
"""
    for leak in (False, True):
        root = write_bundle(tmp_path / f"b{leak}", {"g.yaml": gates},
                            manifest={"train": {"data": "data/train.jsonl"}})
        planted = train + ([light_edit(rng, test[7], "swap")] if leak else [])
        (root / "data" / "train.jsonl").write_text("".join(json.dumps(
            {"prompt": t, "completion": "ok"}) + "\n" for t in planted))
        (root / "data" / "eval.jsonl").write_text("".join(json.dumps(
            {"id": f"e{i}", "prompt": t, "target": "ok"}) + "\n" for i, t in enumerate(test)))
        lock_without_model(root)
        g = gate(run_check(root, CheckOptions(out_dir=tmp_path / f"run{leak}")), "data.copies")
        m = g["measurement"]
        assert m["metrics"]["near_copies"] == (1 if leak else 0), m["details"]["near_copy"]
        assert g["outcome"] == ("fail" if leak else "pass")
        assert m["details"]["near_copy"]["prompt"]["calibrated"]
    first = m["details"]["sets"][0]["records"][0]
    assert first["eval_id"] == "e7" and first["near_copy"] > 0 and "copy" in first["detectors"]
    html = (tmp_path / "runTrue" / "report.html").read_text()
    assert "near copies" in html and "threshold (q0.999)" in html
