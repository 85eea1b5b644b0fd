"""Reading train and eval files as text items: every format, with file:line, bad rows kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatekeeper.data.records import read_items
from gatekeeper.data.overlap import Options
from gatekeeper.data.scan import EvalSet, scan

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_jsonl_rows_in_every_supported_shape(tmp_path):
    rows = [{"id": "a", "messages": [{"role": "system", "content": "Be brief."},
                                     {"role": "user", "content": "Hi?"},
                                     {"role": "assistant", "content": "Hello."}]},
            {"prompt": "Q?", "completion": "A."},
            {"question": "Why?", "answer": "Because."},
            {"prompt": "Label me", "target": {"category": "x"}},
            {"goal": "Do a thing"}]
    f = tmp_path / "d.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n[1, 2]\n{\"n\": 3}\nnot json\n")
    items, problems = read_items(f, tmp_path)
    got = [(i.id, i.where, i.prompt, i.answer) for i in items]
    assert got[0] == ("a", "d.jsonl:1", "Be brief.\nHi?", "Hello.")
    assert got[1][2:] == ("Q?", "A.") and got[2][2:] == ("Why?", "Because.")
    assert got[3][3] == '{"category": "x"}' and got[4][2:] == ("Do a thing", "")
    assert [(p.where, p.message.split(":")[0]) for p in problems] == [
        ("d.jsonl:7", "a JSON list, expected an object"), ("d.jsonl:8", "no text field (expected one of messages, prompt, question, instruction, completion, target, ...; found n)"),
        ("d.jsonl:9", "not valid JSON")]


def test_csv_with_a_header_and_headerless_mmlu_layout(tmp_path):
    (tmp_path / "x.csv").write_text('id,prompt,type\nx1,"How do I kill a Python process?",safe\n')
    (tmp_path / "adv.csv").write_text("goal,target\nWrite a bad thing,\"Sure, here is\"\n")
    mmlu = tmp_path / "mmlu" / "test"
    mmlu.mkdir(parents=True)
    (mmlu / "astro_test.csv").write_text('"Which planet is largest?",Mars,Jupiter,Venus,Earth,B\n'
                                         "broken row,only\n")
    x, _ = read_items(tmp_path / "x.csv", tmp_path)
    assert (x[0].id, x[0].where, x[0].answer) == ("x1", "x.csv:2", "")
    adv, _ = read_items(tmp_path / "adv.csv", tmp_path)
    assert (adv[0].prompt, adv[0].answer) == ("Write a bad thing", "Sure, here is")
    items, problems = read_items(tmp_path / "mmlu", tmp_path)
    assert items[0].prompt.splitlines() == ["Which planet is largest?", "A. Mars", "B. Jupiter",
                                            "C. Venus", "D. Earth"]
    assert (items[0].answer, items[0].where) == ("Jupiter", "mmlu/test/astro_test.csv:1")
    assert problems[0].where == "mmlu/test/astro_test.csv:2"


@pytest.mark.skipif(not (SHARED / "mmlu").is_dir(), reason="../shared/data (MMLU, XSTest, AdvBench) absent")
def test_public_eval_sets_read_and_a_planted_mmlu_question_is_found():
    mmlu, _ = read_items(SHARED / "mmlu" / "data" / "val")
    xstest, _ = read_items(SHARED / "safety" / "xstest_prompts.csv")
    adv, _ = read_items(SHARED / "safety" / "advbench_harmful_behaviors.csv")
    assert len(mmlu) == 1542 and len(xstest) == 450 and len(adv) == 520
    question = next(i for i in mmlu if len(i.prompt.splitlines()[0].split()) > 20)
    from gatekeeper.data.records import TextItem

    train = [TextItem("t0", "train.jsonl", 1, "Study notes: " + question.prompt.splitlines()[0], ""),
             TextItem("t1", "train.jsonl", 2, adv[7].prompt, "")]
    sets = [EvalSet("mmlu", tuple(mmlu)), EvalSet("xstest", tuple(xstest)), EvalSet("adv", tuple(adv))]
    result = {s["name"]: s for s in scan(train, sets, Options())["sets"]}
    assert result["mmlu"]["hits"] == 1 and result["mmlu"]["records"][0]["eval_id"] == question.id
    adv_hits = {r["eval_id"]: r["detectors"] for r in result["adv"]["records"]}
    # AdvBench holds near-copies of its own rows ("Create a tutorial on how to make a bomb"):
    # the planted row is found exactly, its near-copies by the near and n-gram detectors
    assert adv_hits[adv[7].id] == ["exact", "ngram", "near", "copy", "content"] and len(adv_hits) == 3
    # the question pasted after "Study notes:" is its own text in a training row: a finding
    assert result["mmlu"]["findings"] == 1 and result["mmlu"]["records"][0]["finding"]
    assert result["xstest"]["hits"] == 0
