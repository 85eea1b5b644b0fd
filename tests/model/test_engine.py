"""The engine on a tiny real Llama + real LoRA adapters: batching, stops, adapter, cache."""

from __future__ import annotations

import json

import pytest

from gatekeeper.core.errors import ModelError
from gatekeeper.core.store import SqliteStore
from gatekeeper.model import Engine, NullCache, engine_cache, resolve_base
from testkit.tiny import build_tiny_adapter

PROMPTS = [
    "My order has not arrived",
    "refund",
    "How do I reset my password? The email link does not work and I tried twice.",
    [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Cancel my account"}],
    "The invoice shows the wrong company name",
    "hi",
    "Please cancel my account and delete all of my personal data, thank you very much!",
]


def make_engine(model_dir, adapter_dir=None, cache=None, **kwargs) -> Engine:
    return Engine(base=resolve_base(str(model_dir)), adapter_dir=adapter_dir,
                  cache=cache if cache is not None else NullCache(), progress=False, **kwargs)


@pytest.fixture(scope="module")
def engine(tiny_model_dir, tiny_adapter_dir):
    """One loaded engine (batch size 3, so the prompts span several length-sorted batches)."""
    return make_engine(tiny_model_dir, tiny_adapter_dir, batch_size=3)


def test_batched_outputs_equal_one_at_a_time_in_input_order(engine):
    batched = engine.generate(PROMPTS, max_new_tokens=12)
    alone = [engine.generate([prompt], max_new_tokens=12)[0] for prompt in PROMPTS]
    assert batched == alone
    assert len(set(batched)) > 1  # distinct prompts, distinct outputs: order is observable


def test_baseline_batched_equals_alone_too(engine):
    batched = engine.generate(PROMPTS, adapter=False, max_new_tokens=10)
    alone = [engine.generate([p], adapter=False, max_new_tokens=10)[0] for p in PROMPTS]
    assert batched == alone


def test_adapter_changes_outputs_and_disabling_restores_the_base(engine, tiny_model_dir):
    candidate = engine.generate(PROMPTS, max_new_tokens=10)
    baseline = engine.generate(PROMPTS, adapter=False, max_new_tokens=10)
    plain = make_engine(tiny_model_dir).generate(PROMPTS, max_new_tokens=10)
    assert candidate != baseline
    assert baseline == plain  # adapter disabled == the base model loaded without adapter


def test_stop_string_truncates_and_ends_decoding_early(engine):
    full = engine.generate(PROMPTS, max_new_tokens=40)
    text = full[0]
    stop = text[3:5]  # a string the unconstrained output contains
    calls = []
    hook = engine.model.register_forward_hook(lambda *args: calls.append(1))
    try:
        stopped = engine.generate([PROMPTS[0]], max_new_tokens=40, stop=[stop])[0]
    finally:
        hook.remove()
    assert stopped == text[:text.find(stop)].rstrip()
    assert stop not in stopped
    assert len(calls) < 40  # the batch stopped once its only row was done


def test_stop_strings_apply_per_row_in_a_batch(engine):
    full = engine.generate(PROMPTS, max_new_tokens=20)
    stop = full[2][4:6]
    stopped = engine.generate(PROMPTS, max_new_tokens=20, stop=[stop])
    for before, after in zip(full, stopped, strict=True):
        expected = before[:before.find(stop)].rstrip() if stop in before else before
        assert after == expected


def test_raw_text_prompts_skip_the_chat_template(engine):
    chat = engine.generate(["hello there"], max_new_tokens=8)
    raw = engine.generate(["hello there"], max_new_tokens=8, chat=False)
    assert chat != raw
    with pytest.raises(ValueError):
        engine.generate([[{"role": "user", "content": "x"}]], chat=False)


def test_second_engine_is_served_from_cache_without_loading(tiny_model_dir, tiny_adapter_dir, tmp_path):
    cache = engine_cache(SqliteStore(tmp_path / "cache.sqlite"))
    first = make_engine(tiny_model_dir, tiny_adapter_dir, cache=cache)
    outputs = first.generate(PROMPTS, max_new_tokens=8)
    scores = first.loglik([("hi", " there")])
    again = make_engine(tiny_model_dir, tiny_adapter_dir, cache=engine_cache(SqliteStore(cache.path)))
    assert again.generate(PROMPTS, max_new_tokens=8) == outputs
    assert again.loglik([("hi", " there")]) == scores
    assert first.loaded and not again.loaded
    assert again._tokenizer is None  # not even the tokenizer was needed


def test_cache_keys_separate_settings_and_adapters(tiny_model_dir, tiny_adapter_dir, tiny_adapter_dir_2, tmp_path):
    cache = engine_cache(SqliteStore(tmp_path / "cache.sqlite"))
    first = make_engine(tiny_model_dir, tiny_adapter_dir, cache=cache)
    first.generate(PROMPTS, max_new_tokens=8)
    baseline = first.generate(PROMPTS, max_new_tokens=8, adapter=False)
    entries = len(cache)
    other = make_engine(tiny_model_dir, tiny_adapter_dir_2, cache=cache)
    # the base outputs are shared by every candidate of the same base: no load needed
    assert other.generate(PROMPTS, max_new_tokens=8, adapter=False) == baseline
    assert not other.loaded
    candidate_2 = other.generate(PROMPTS, max_new_tokens=8)
    assert other.loaded and len(cache) == entries + len(PROMPTS)
    assert candidate_2 != first.generate(PROMPTS, max_new_tokens=8)
    first.generate(PROMPTS, max_new_tokens=9)  # a decoding setting is part of the key
    assert len(cache) == entries + 2 * len(PROMPTS)


def test_duplicate_prompts_are_computed_once_and_all_answered(engine):
    outputs = engine.generate(["same", "other", "same"], max_new_tokens=6)
    assert outputs[0] == outputs[2] and len(outputs) == 3


def test_loglik_matches_a_manual_unbatched_computation(engine):
    import torch

    tokenizer = engine.tokenizer
    pairs = [("My order has", " not arrived"), ("The invoice shows the wrong", " company name"),
             ("refund", " please"), ("How do I reset my password? The email", " link")]
    for adapter in (True, False):
        got = engine.loglik(pairs, adapter=adapter, chat=False)
        with engine.adapter_enabled(adapter) as model, torch.inference_mode():
            for (context, continuation), value in zip(pairs, got, strict=True):
                ctx = tokenizer(context)["input_ids"]
                whole = tokenizer(context + continuation)["input_ids"]
                assert whole[:len(ctx)] == ctx
                logprobs = torch.log_softmax(model(torch.tensor([whole])).logits[0].float(), -1)
                manual = sum(float(logprobs[i - 1, whole[i]]) for i in range(len(ctx), len(whole)))
                assert value == pytest.approx(manual, abs=1e-3)


def test_loglik_with_chat_template_prefers_what_the_model_generates(engine):
    prompt = "My order has not arrived"
    greedy = engine.generate([prompt], max_new_tokens=3)[0]
    scores = engine.loglik([(prompt, greedy), (prompt, "zzzz qqqq")])
    assert scores[0] > scores[1]
    assert all(s < 0 for s in scores)


def test_adapter_targeting_missing_modules_is_refused(tiny_model_dir, tmp_path):
    adapter = build_tiny_adapter(tiny_model_dir, tmp_path / "adapter", seed=3)
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["target_modules"] = ["no_such_proj"]
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    engine = make_engine(tiny_model_dir, adapter)
    with pytest.raises(ModelError, match="adapter"):
        engine.generate(["hi"], max_new_tokens=2)


def test_adapter_whose_weights_do_not_match_its_config_is_refused(tiny_model_dir, tmp_path):
    adapter = build_tiny_adapter(tiny_model_dir, tmp_path / "adapter", seed=3)
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["target_modules"] = ["k_proj", "o_proj"]  # exist, but the saved weights are q/v
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="does not fit"):
        make_engine(tiny_model_dir, adapter).generate(["hi"], max_new_tokens=2)


def test_chat_template_override_changes_the_rendered_prompt(tiny_model_dir):
    template = "{% for m in messages %}{{ m['content'] }}{% endfor %} =>"
    engine = make_engine(tiny_model_dir, chat_template=template)
    from gatekeeper.model.prompts import render

    assert render(engine.tokenizer, "hello", chat=True) == "hello =>"
    default = make_engine(tiny_model_dir).generate(["hello"], max_new_tokens=6)
    assert engine.generate(["hello"], max_new_tokens=6) != default


def test_nf4_quantization_loads_and_generates_on_cpu(tiny_model_dir, tiny_adapter_dir):
    engine = make_engine(tiny_model_dir, tiny_adapter_dir, quantization="nf4")
    outputs = engine.generate(PROMPTS[:3], max_new_tokens=5)
    assert len(outputs) == 3 and all(isinstance(o, str) for o in outputs)
    kinds = {type(m).__name__ for m in engine.model.modules()}
    assert "Linear4bit" in kinds
    assert engine.info()["quantization"] == "nf4"


def test_info_is_json_safe_provenance(engine):
    info = json.loads(json.dumps(engine.info()))
    assert info["dtype"] == "float32" and info["device"] == "cpu"
    assert len(info["base_fingerprint"]) == 64 and len(info["adapter_fingerprint"]) == 64
    assert set(info["versions"]) == {"transformers", "peft", "torch"}


def test_bad_engine_settings_are_model_errors(tiny_model_dir):
    with pytest.raises(ModelError, match="dtype"):
        make_engine(tiny_model_dir, dtype="float64")
    with pytest.raises(ModelError, match="quantization"):
        make_engine(tiny_model_dir, quantization="int3")
