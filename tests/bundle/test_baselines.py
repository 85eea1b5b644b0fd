"""Named baselines: the manifest's `baselines: {prompted: ...}` and `vs_baseline: {against: prompted}`."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from gatekeeper.bundle.manifest import load_bundle
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.cli import main
from gatekeeper.model import Engine, NullCache, resolve_base
from gatekeeper.core.options import EngineOptions

SYSTEM = "Answer with one word."
FEWSHOT = [{"prompt": "Where is my parcel?", "completion": "shipping"},
           {"messages": [{"role": "user", "content": "I was charged twice"},
                         {"role": "assistant", "content": "billing"}]}]
PROMPTS = ["My order has not arrived", "refund please", "How do I reset my password?",
           "Please cancel my account", "invoice is wrong", "the app crashes"]
PREFIX = [{"role": "system", "content": SYSTEM},
          {"role": "user", "content": "Where is my parcel?"}, {"role": "assistant", "content": "shipping"},
          {"role": "user", "content": "I was charged twice"}, {"role": "assistant", "content": "billing"}]
GATES = """\
gates:
  - id: acc.vs_prompting
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {scorer: exact, max_new_tokens: 6}
    vs_baseline: {against: prompted, max_drop: 0.9}
  - id: acc.vs_base
    type: task_accuracy
    golden_set: ../data/eval.jsonl
    params: {scorer: exact, max_new_tokens: 6}
    vs_baseline: {max_drop: 0.9}
"""


def make_bundle(root, model_dir=None, adapter_dir=None, *, baselines=None, fewshot=FEWSHOT, gates=GATES):
    (root / "gates").mkdir(parents=True)
    (root / "data").mkdir()
    rows = [{"id": f"r{i}", "prompt": p, "target": "x"} for i, p in enumerate(PROMPTS)]
    (root / "data" / "eval.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if fewshot is not None:
        (root / "data" / "fewshot.jsonl").write_text(
            fewshot if isinstance(fewshot, str) else "".join(json.dumps(r) + "\n" for r in fewshot))
    (root / "gates" / "g.yaml").write_text(gates)
    manifest = {"name": "b", "version": "0.1.0", "base": {"model": str(model_dir or "builtin:smollm2-135m-instruct")},
                "gates": ["gates/"],
                "baselines": baselines if baselines is not None else
                {"prompted": {"system": SYSTEM, "fewshot": "data/fewshot.jsonl"}}}
    if adapter_dir is not None:
        shutil.copytree(adapter_dir, root / "adapter")
        manifest["adapter"] = "adapter"
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return root


def test_the_manifest_declares_a_system_prompt_and_few_shot_turns(tmp_path):
    bundle = load_bundle(make_bundle(tmp_path / "b"))
    prompted = bundle.baselines["prompted"]
    assert [dict(m) for m in prompted.messages] == PREFIX
    assert prompted.to_dict()["turns"] == 5


def test_a_system_prompt_alone_is_enough(tmp_path):
    bundle = load_bundle(make_bundle(tmp_path / "b", baselines={"prompted": {"system": SYSTEM}}, fewshot=None))
    assert [dict(m) for m in bundle.baselines["prompted"].messages] == PREFIX[:1]


@pytest.fixture(scope="module")
def checked(tiny_model_dir, tiny_adapter_dir, tmp_path_factory):
    root = make_bundle(tmp_path_factory.mktemp("prompted") / "b", tiny_model_dir, tiny_adapter_dir)
    assert main(["lock", str(root)]) == 0
    result = run_check(root, CheckOptions(out_dir=root.parent / "run", engine=EngineOptions(progress=False)))
    return root, {g["id"]: g for g in result.report["gates"]}


def test_against_prompted_compares_with_the_prompted_base_model(checked, tiny_model_dir, tiny_adapter_dir):
    _, gates = checked
    engine = Engine(base=resolve_base(str(tiny_model_dir)), adapter_dir=tiny_adapter_dir,
                    cache=NullCache(), progress=False)
    prompted = engine.generate([PREFIX + [{"role": "user", "content": p}] for p in PROMPTS],
                               adapter=False, max_new_tokens=6)
    plain = engine.generate(PROMPTS, adapter=False, max_new_tokens=6)
    assert prompted != plain  # the prompt changes what the base model says
    vs_prompting = [i["baseline_output"] for i in gates["acc.vs_prompting"]["measurement"]["items"]]
    vs_base = [i["baseline_output"] for i in gates["acc.vs_base"]["measurement"]["items"]]
    assert vs_prompting == prompted and vs_base == plain
    # the tiny model's noise scores 0 everywhere, for both: no signal, so never a pass
    comparison = gates["acc.vs_prompting"]["comparison"]
    assert comparison["outcome"] == "inconclusive" and "no signal" in comparison["reason"]


def test_the_few_shot_file_is_locked(checked, tmp_path):
    root, _ = checked
    lock = json.loads((root / "gatekeeper.lock").read_text())
    assert any(name.endswith("fewshot.jsonl") for name in lock["artifacts"])
    copy = shutil.copytree(root, tmp_path / "copy")
    (copy / "data" / "fewshot.jsonl").write_text(json.dumps(FEWSHOT[0]) + "\n")
    assert main(["check", str(copy), "--no-cache"]) == 4


def test_against_prompted_without_a_declared_baseline_is_refused_before_any_model_loads(
        tiny_model_dir, tiny_adapter_dir, tmp_path, capsys):
    root = make_bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir, baselines={}, fewshot=None)
    assert main(["validate", str(root)]) == 4
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "compares with the prompted baseline" in out and "declares none" in out


def test_fine_tune_vs_best_prompting_leads_every_summary(checked):
    from gatekeeper.report.console import render_console
    from gatekeeper.report.html import render_html
    from gatekeeper.report.markdown import render_markdown

    root, gates = checked
    report = json.loads((root.parent / "run" / "report.json").read_text())
    cmp = gates["acc.vs_prompting"]["comparison"]
    console = render_console(report)
    line = next(x for x in console.splitlines() if x.startswith("fine-tune vs best prompting:"))
    assert "acc.vs_prompting" in line and f"n={cmp['n']}" in line and line.endswith(cmp["outcome"].upper())
    assert "acc.vs_base" not in console.split("verdict:")[1]  # only gates against `prompted`
    markdown = render_markdown(report)
    assert markdown.index("Fine-tune vs best prompting") < markdown.index("| gate")
    html = render_html(report)
    assert html.index("Fine-tune vs best prompting") < html.index("Candidate vs baseline")


@pytest.mark.parametrize("baselines, fewshot, message", [
    ({"prompted": {}}, None, "baselines.prompted: 'system' is a required property"),
    ({"prompted": {"system": SYSTEM, "shots": "x"}}, None, "shots"),
    ({"rag": {"system": SYSTEM}}, None, "rag"),
    ({"prompted": {"fewshot": "data/missing.jsonl"}}, None, "does not exist"),
    ({"prompted": {"fewshot": "../outside.jsonl"}}, None, "leaves the bundle"),
    ({"prompted": {"fewshot": "data/fewshot.jsonl"}}, '{"prompt": "a", "completion": "b"}\n{oops\n',
     "fewshot.jsonl:2"),
    ({"prompted": {"fewshot": "data/fewshot.jsonl"}}, '{"prompt": "a"}\n', "needs string 'prompt' and 'completion'"),
    ({"prompted": {"fewshot": "data/fewshot.jsonl"}}, '\n', "has no examples"),
    ({"prompted": {"fewshot": "data/fewshot.jsonl"}},
     '{"messages": [{"role": "tool", "content": "x"}]}\n', "user/assistant"),
])
def test_bad_baselines_are_usage_errors_at_file_and_line(tmp_path, capsys, baselines, fewshot, message):
    root = make_bundle(tmp_path / "b", baselines=baselines, fewshot=fewshot)
    assert main(["validate", str(root)]) == 4
    out = capsys.readouterr()
    text = out.out + out.err
    assert message in text and "Traceback" not in text
    assert "gatekeeper.yaml:" in text or "fewshot.jsonl:" in text
