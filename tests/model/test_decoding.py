"""Continuous batching (gatekeeper.model.scheduler) against transformers' own greedy generate."""

from __future__ import annotations

import pytest
import torch

from gatekeeper.model import Engine, NullCache, resolve_base
from gatekeeper.model.decoding import generate_ids
from gatekeeper.model.tokens import eos_token_ids, finish
from gatekeeper.model.prompts import encode_prompt, render
from gatekeeper.model.scheduler import shared_prefix_length

CHAT = ["My order has not arrived", "refund", "hi", "The invoice shows the wrong company name",
        "How do I reset my password? The email link does not work and I tried twice.",
        "Please cancel my account and delete all of my personal data, thank you very much!",
        "Where is my parcel?", "ok"]
RAW = ["zebra crossing", "a", "quantum of", "the parcel was lost in transit and nobody called",
       "Refund", "42"]


@pytest.fixture(scope="module")
def engine(tiny_model_dir, tiny_adapter_dir):
    engine = Engine(base=resolve_base(str(tiny_model_dir)), adapter_dir=tiny_adapter_dir,
                    cache=NullCache(), progress=False)
    assert engine.model is not None  # load once for the module
    return engine


def encoded(engine, prompts, chat):
    tokenizer = engine.tokenizer
    return [encode_prompt(tokenizer, render(tokenizer, p, chat), chat) for p in prompts]


def reference(engine, ids, max_new_tokens, eos=None):
    """transformers' greedy generate, one prompt at a time (no padding at all)."""
    model, tokenizer = engine.model, engine.tokenizer
    eos = eos if eos is not None else eos_token_ids(model, tokenizer)
    outputs = []
    with torch.inference_mode():
        for row in ids:
            tensor = torch.tensor([row])
            out = model.generate(input_ids=tensor, attention_mask=torch.ones_like(tensor), do_sample=False,
                                 max_new_tokens=max_new_tokens, eos_token_id=eos,
                                 pad_token_id=tokenizer.pad_token_id)
            outputs.append(finish(tokenizer, out[0, len(row):].tolist(), set(eos), ()))
    return outputs


def run(engine, ids, max_new_tokens, batch_size, stops=()):
    return generate_ids(engine.model, engine.tokenizer, ids, max_new_tokens=max_new_tokens, stops=stops,
                        batch_size=batch_size, progress=False, desc=None)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 64])
def test_outputs_equal_transformers_generate_whatever_the_batch_size(engine, batch_size):
    ids = encoded(engine, CHAT, chat=True)
    assert run(engine, ids, 14, batch_size) == reference(engine, ids, 14)


def test_raw_prompts_without_a_shared_prefix_equal_transformers_generate(engine):
    ids = encoded(engine, RAW, chat=False)
    assert shared_prefix_length(ids) == 0
    assert run(engine, ids, 9, 4) == reference(engine, ids, 9)


def test_baseline_with_adapter_disabled_equals_transformers_generate(engine):
    ids = encoded(engine, CHAT, chat=True)
    with engine.adapter_enabled(False):
        assert run(engine, ids, 10, 3) == reference(engine, ids, 10)


def test_rows_that_finish_early_make_room_for_waiting_prompts(engine):
    """An extra EOS id that the model emits at different steps: rows leave at different times."""
    ids = encoded(engine, CHAT, chat=True)
    free = run(engine, ids, 12, 64)
    with torch.inference_mode():
        first = torch.tensor([ids[0]])
        tokens = engine.model.generate(input_ids=first, attention_mask=torch.ones_like(first), do_sample=False,
                                       max_new_tokens=3)[0, len(ids[0]):].tolist()
    config = engine.model.generation_config
    original = config.eos_token_id
    config.eos_token_id = [tokens[2]] + ([original] if isinstance(original, int) else list(original or []))
    try:
        eos = eos_token_ids(engine.model, engine.tokenizer)
        stopped = run(engine, ids, 12, 3)
        assert stopped == reference(engine, ids, 12, eos)
        assert stopped != free  # the extra EOS really ended some answers early
    finally:
        config.eos_token_id = original


def test_one_new_token_and_duplicate_prompts(engine):
    ids = encoded(engine, CHAT[:3] + CHAT[:3], chat=True)
    got = run(engine, ids, 1, 4)
    assert got == reference(engine, ids, 1)
    assert got[:3] == got[3:]


def test_a_single_prompt_and_no_prompts(engine):
    ids = encoded(engine, ["hello there"], chat=False)
    assert run(engine, ids, 6, 8) == reference(engine, ids, 6)
    assert run(engine, [], 6, 8) == []


def test_shared_prefix_leaves_every_prompt_a_token_of_its_own():
    assert shared_prefix_length([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 9]]) == 2
    assert shared_prefix_length([[1, 2, 3], [1, 2, 3]]) == 2
    assert shared_prefix_length([[7, 8]]) == 1
    assert shared_prefix_length([[1], [2]]) == 0
    assert shared_prefix_length([]) == 0
