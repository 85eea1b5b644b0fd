"""chat_template on the tiny model: a changed EOS or template between train/serve and eval is named."""

from __future__ import annotations

import json
import shutil

import pytest

from gatekeeper.core.errors import ConfigError
from gatekeeper.gate_types.chat_template import chat_template, read_serving
from testkit.integrity import fragment, judged, make_context
from testkit.tiny import CHATML_TEMPLATE

check_params = chat_template.__gate_type__.check  # the collection-time parameter check the registry runs


@pytest.fixture
def adapter(tmp_path, tiny_adapter_dir):
    return shutil.copytree(tiny_adapter_dir, tmp_path / "adapter")


def run(tmp_path, model_dir, adapter, **params):
    ctx, engine = make_context(tmp_path, model_dir, adapter, gate_type="chat_template")
    m = chat_template(ctx, **params)
    assert not engine.loaded  # static: no weights
    return m


def test_nothing_to_compare_is_reported_as_such(tmp_path, tiny_model_dir, adapter):
    m = run(tmp_path, tiny_model_dir, adapter)
    assert m.metrics == {"mismatches": 0, "sides_compared": 0}
    assert m.details["not_compared"] == ["train", "serve"] and m.details["eval"]["eos"] == "<|im_end|>"


def test_a_matching_serving_config_passes(tmp_path, tiny_model_dir, adapter):
    (tmp_path / "chatml.jinja").write_text(CHATML_TEMPLATE)
    (tmp_path / "serve.yaml").write_text("chat_template_file: chatml.jinja\neos_token: <|im_end|>\n"
                                         "stop: ['<|im_end|>', '\\n\\n']\n")
    m = run(tmp_path, tiny_model_dir, adapter, serving=str(tmp_path / "serve.yaml"))
    assert m.metrics == {"mismatches": 0, "sides_compared": 1}
    assert judged(chat_template, m, "mismatches", max=0) == "pass"


def test_a_changed_eos_at_serving_fails_and_is_named(tmp_path, tiny_model_dir, adapter):
    (tmp_path / "serve.json").write_text(json.dumps({"eos_token": "</s>", "stop": ["</s>"]}))
    m = run(tmp_path, tiny_model_dir, adapter, serving=str(tmp_path / "serve.json"))
    failed = {i.id: i.detail for i in m.items if not i.passed}
    assert failed == {"serve.eos": "serve eos '</s>' but eval eos '<|im_end|>'",
                      "serve.stop": "serve stops ['</s>'] do not include eval's EOS ['<|im_end|>']"}
    assert judged(chat_template, m, "mismatches", max=0) == "fail"
    html = fragment("chat_template", m)
    assert "serve: eos differs" in html and "&#39;&lt;|im_end|&gt;&#39;" in html


def test_a_tokenizer_trained_with_another_eos_and_template_fails_with_a_diff(tmp_path, tiny_model_dir, adapter):
    from transformers import AutoTokenizer

    trained = AutoTokenizer.from_pretrained(tiny_model_dir)
    trained.eos_token = "<pad>"
    trained.chat_template = CHATML_TEMPLATE.replace("assistant\n'", "assistant\n\n'")
    trained.save_pretrained(adapter)  # what a trainer saves beside the adapter
    m = run(tmp_path, tiny_model_dir, adapter)
    fields = sorted(p["field"] for p in m.details["problems"])
    assert fields == ["eos", "generation_prompt", "stop", "template"]
    assert m.details["train_source"] == "tokenizer saved with the adapter"
    template_diff = next(p["diff"] for p in m.details["problems"] if p["field"] == "template")
    assert template_diff.startswith("--- eval\n+++ train") and "+" in template_diff
    assert judged(chat_template, m, "mismatches", max=0) == "fail"


def test_a_training_record_with_the_same_profile_passes(tmp_path, tiny_model_dir, adapter):
    from gatekeeper.model.template import eval_tokenizer, profile

    ctx, _ = make_context(tmp_path, tiny_model_dir, adapter, gate_type="chat_template")
    record = {"template_profile": profile(eval_tokenizer(ctx.bundle))}
    (adapter / "training_log.json").write_text(json.dumps(record))
    m = chat_template(ctx)
    assert m.metrics == {"mismatches": 0, "sides_compared": 1}
    record["template_profile"]["eos"] = "</s>"
    (adapter / "training_log.json").write_text(json.dumps(record))
    assert chat_template(ctx).metrics["mismatches"] == 1


@pytest.mark.parametrize("name, text, message", [
    ("s.yaml", "eos_tokn: x\n", "unknown keys: eos_tokn"),
    ("s.yaml", "eos_token: [\n", "not valid YAML"),
    ("s.json", "{", "not valid JSON"),
    ("s.yaml", "- a\n", "must be a mapping"),
    ("s.yaml", "stop: </s>\n", "stop must be a list of strings"),
    ("s.yaml", "chat_template_file: nope.jinja\n", "chat_template_file 'nope.jinja' not found"),
])
def test_bad_serving_configs_are_config_errors_naming_the_file(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as exc:
        check_params({"serving": str(path)}, None)
    assert exc.value.where == str(path)


def test_an_hf_tokenizer_config_is_a_serving_config(tmp_path, tiny_model_dir):
    served = read_serving(tiny_model_dir / "tokenizer_config.json")
    assert served["eos"] == "<|im_end|>"


def test_memoised_by_file_content_so_an_edit_is_seen(tmp_path, tiny_model_dir, adapter):
    from gatekeeper.core.options import EngineOptions

    (tmp_path / "cache").mkdir()
    options = EngineOptions(cache=True, cache_dir=tmp_path / "cache", progress=False)
    ctx, _ = make_context(tmp_path, tiny_model_dir, adapter, gate_type="chat_template", options=options)
    serve = tmp_path / "serve.yaml"
    serve.write_text("eos_token: <|im_end|>\n")
    assert chat_template(ctx, serving=str(serve)).metrics["mismatches"] == 0
    assert chat_template(ctx, serving=str(serve)).metrics["mismatches"] == 0  # from the memo
    serve.write_text("eos_token: </s>\n")
    assert chat_template(ctx, serving=str(serve)).metrics["mismatches"] == 1
