"""Answer-only masking through the serving chat template, its proof, truncation stats, data rows."""

from __future__ import annotations

import json

import pytest

from gatekeeper.core.errors import ConfigError
from gatekeeper.train.data import Example, load_examples, mix_in
from gatekeeper.train.masking import (IGNORE, MaskError, prove_mask, tokenize_example,
                                      truncation_stats)
from testkit.tiny import CHATML_TEMPLATE, build_tiny_tokenizer

ANSWER = '{"category": "billing"}'
CONVERSATION = ({"role": "user", "content": "I was charged twice for the same subscription"},
                {"role": "assistant", "content": ANSWER})

# Renders the conversation but drops the assistant's words: the answer never reaches the loss.
HIDING_TEMPLATE = CHATML_TEMPLATE.replace(
    "message['content']", "(message['content'] if message['role'] != 'assistant' else '')")
# The generation prompt differs from how an answered turn starts: the prompt is not a prefix.
NOT_PREFIX_TEMPLATE = CHATML_TEMPLATE.replace(
    "{{ '<|im_start|>assistant\n' }}", "{{ '<|im_start|>assistant\nthinking\n' }}")


@pytest.fixture(scope="module")
def tokenizer():
    tok = build_tiny_tokenizer()
    tok.padding_side = "right"
    return tok


def collate(tokenizer, tokenized):
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    collator = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id)
    return collator([{"input_ids": list(t.input_ids), "labels": list(t.labels)} for t in tokenized])


def test_only_the_answer_and_its_end_of_turn_are_trained(tokenizer):
    tok = tokenize_example(tokenizer, CONVERSATION)
    trained = [i for i, lab in zip(tok.input_ids, tok.labels, strict=True) if lab != IGNORE]
    masked = [i for i, lab in zip(tok.input_ids, tok.labels, strict=True) if lab == IGNORE]
    assert tokenizer.decode(trained) == ANSWER + "<|im_end|>\n"
    assert tokenizer.decode(masked) == tokenizer.apply_chat_template(
        list(CONVERSATION[:1]), tokenize=False, add_generation_prompt=True)


def test_every_assistant_turn_of_a_multi_turn_chat_is_trained(tokenizer):
    chat = (*CONVERSATION, {"role": "user", "content": "and the priority?"},
            {"role": "assistant", "content": "high"})
    tok = tokenize_example(tokenizer, chat)
    trained = tokenizer.decode([i for i, lab in zip(tok.input_ids, tok.labels, strict=True) if lab != IGNORE])
    assert trained == ANSWER + "<|im_end|>\nhigh<|im_end|>\n"


def test_mask_proof_passes_on_the_serving_template(tokenizer):
    examples = [Example(CONVERSATION, line=1), Example((CONVERSATION[0], {"role": "assistant", "content": "x y"}), line=2)]
    tokenized = [tokenize_example(tokenizer, e.messages) for e in examples]
    proof = prove_mask(tokenizer, examples, collate(tokenizer, tokenized))
    assert proof["passed"] and proof["examples"] == 2
    assert proof["answer_tokens_trained"] > 0 and proof["prompt_tokens_masked"] > proof["answer_tokens_trained"]
    assert ANSWER in proof["sample"]["trained"]


def test_mask_proof_fails_on_a_template_that_hides_the_answer(tokenizer):
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = HIDING_TEMPLATE
    examples = [Example(CONVERSATION, line=7)]
    batch = collate(tokenizer, [tokenize_example(tokenizer, CONVERSATION)])
    with pytest.raises(MaskError, match="answer of example 0 \\(line 7\\) is not among its trained tokens"):
        prove_mask(tokenizer, examples, batch)


def test_mask_proof_fails_when_labels_train_the_prompt(tokenizer):
    tok = tokenize_example(tokenizer, CONVERSATION)
    batch = collate(tokenizer, [tok])
    batch["labels"] = batch["input_ids"].clone()  # what training without a mask would do
    with pytest.raises(MaskError, match="prompt text of example 0"):
        prove_mask(tokenizer, [Example(CONVERSATION, line=1)], batch)


def test_a_template_whose_prompt_is_not_a_prefix_stops_masking(tokenizer):
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = NOT_PREFIX_TEMPLATE
    with pytest.raises(MaskError, match="renders a conversation differently from its prefix"):
        tokenize_example(tokenizer, CONVERSATION)


def test_truncation_is_counted_per_task(tokenizer):
    long = ({"role": "user", "content": "word " * 40}, {"role": "assistant", "content": "ok"})
    examples = [Example(CONVERSATION, "billing"), Example(long, "essay"), Example(long, "essay")]
    tokenized = [tokenize_example(tokenizer, e.messages) for e in examples]
    limit = max(len(tokenized[0].input_ids), 30)
    stats = truncation_stats(examples, tokenized, limit)
    assert stats["overall"]["truncated"] == 2 and stats["overall"]["answer_cut"] == 2
    assert stats["by_task"]["billing"]["truncated_rate"] == 0.0
    assert stats["by_task"]["essay"]["answer_cut_rate"] == 1.0


def test_rows_in_both_formats_load_and_bad_rows_name_their_line(tmp_path):
    path = tmp_path / "train.jsonl"
    rows = [{"messages": list(CONVERSATION), "kind": "a"},
            {"prompt": "hi", "completion": "hello", "kind": "b"},
            {"prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
             "completion": [{"role": "assistant", "content": "hey"}]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    examples = load_examples(path, "kind")
    assert [e.task for e in examples] == ["a", "b", "all"]
    assert examples[1].messages == ({"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"})
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"messages": [CONVERSATION[0]]}) + "\n")
    with pytest.raises(ConfigError) as info:
        load_examples(path)
    assert info.value.line == 2 and "does not end with an assistant turn" in str(info.value)


def test_general_mix_makes_up_the_fraction(tokenizer):
    task = [Example(CONVERSATION, "t", i) for i in range(85)]
    general = [Example(CONVERSATION, "all", i) for i in range(100)]
    mixed = mix_in(task, general, 0.15, seed=0)
    assert sum(e.task == "mix" for e in mixed) == 15 and len(mixed) == 100
    assert mixed == mix_in(task, general, 0.15, seed=0)
