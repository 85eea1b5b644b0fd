"""Loss only on the answers: tokenise through the serving chat template, mask, prove the mask.

The template the bundle serves with has no ``{% generation %}`` markers (TRL's
assistant-only loss needs them), so the answer spans are found from the template itself:
for each assistant turn, the conversation up to it is rendered with the generation prompt
(exactly what the model sees at serving time) and with the answer; the tokens between
the two are the answer. Both renders must be prefixes of the whole conversation, as text
and as tokens, or masking stops with an error: a template that rewrites earlier turns
cannot be masked this way.

``prove_mask`` checks a batch produced by the trainer's own collator independently, from
the raw data: every answer's text is among the trained tokens, no prompt text is, padding
is never trained. A template that hides the answer from masking fails it loudly.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.core.errors import ConfigError

IGNORE = -100


class MaskError(ConfigError):
    """The chat template or the data defeat answer-only masking."""


@dataclass(frozen=True)
class Tokenized:
    input_ids: tuple[int, ...]
    labels: tuple[int, ...]


def render(tokenizer, messages, generation_prompt: bool) -> str:
    return tokenizer.apply_chat_template(list(messages), tokenize=False,
                                         add_generation_prompt=generation_prompt)


def encode(tokenizer, text: str) -> list[int]:
    """As the serving engine encodes a rendered chat: the template wrote the special tokens."""
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def tokenize_example(tokenizer, messages) -> Tokenized:
    """Token ids of the whole conversation, labels -100 everywhere but the assistant turns."""
    full = render(tokenizer, messages, False)
    ids = encode(tokenizer, full)
    labels = [IGNORE] * len(ids)
    for k, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        start = _prefix_len(tokenizer, render(tokenizer, messages[:k], True), full, ids)
        end = _prefix_len(tokenizer, render(tokenizer, messages[:k + 1], False), full, ids)
        labels[start:end] = ids[start:end]
    return Tokenized(tuple(ids), tuple(labels))


def _prefix_len(tokenizer, prefix: str, full: str, ids: list[int]) -> int:
    if not full.startswith(prefix):
        raise MaskError("the chat template renders a conversation differently from its prefix "
                        "(the prompt the model sees is not the start of the trained text), so "
                        "answer tokens cannot be located",
                        hint="use a chat template whose rendering of earlier turns does not depend "
                             "on later ones (set chat_template: in the manifest)")
    prefix_ids = encode(tokenizer, prefix)
    if ids[:len(prefix_ids)] != prefix_ids:
        raise MaskError("the tokenizer merges tokens across the prompt/answer boundary, so the "
                        "answer cannot be separated from the prompt",
                        hint="end the generation prompt with a special token or a newline in the "
                             "chat template")
    return len(prefix_ids)


def truncation_stats(examples, tokenized, max_length: int) -> dict:
    """Share of rows longer than ``max_length`` and of rows whose answer gets cut, per task."""
    groups: dict[str, list[int]] = {}
    for ex, tok in zip(examples, tokenized):
        over = len(tok.input_ids) > max_length
        cut = any(label != IGNORE for label in tok.labels[max_length:])
        stats = groups.setdefault(ex.task, [0, 0, 0])
        stats[0] += 1
        stats[1] += over
        stats[2] += cut
    total = [sum(g[i] for g in groups.values()) for i in range(3)]

    def row(n, over, cut):
        return {"rows": n, "truncated": over, "truncated_rate": round(over / n, 4),
                "answer_cut": cut, "answer_cut_rate": round(cut / n, 4)}

    lengths = [len(t.input_ids) for t in tokenized]
    return {"max_length": max_length, "longest": max(lengths), "mean_length": round(sum(lengths) / len(lengths), 1),
            "overall": row(*total), "by_task": {k: row(*v) for k, v in sorted(groups.items())}}


def prove_mask(tokenizer, examples, batch) -> dict:
    """Check one collated batch (``input_ids``/``labels`` rows for ``examples``) from the raw data.

    Raises MaskError naming the first example whose mask is wrong; returns the evidence.
    """
    trained_total = masked_total = 0
    for i, example in enumerate(examples):
        ids, labels = list(batch["input_ids"][i]), list(batch["labels"][i])
        length = len(tokenize_example(tokenizer, example.messages).input_ids)
        if any(int(x) != IGNORE for x in labels[length:]):
            raise MaskError(f"mask proof: padding of example {i} is trained")
        trained = [int(t) for t, lab in zip(ids[:length], labels) if int(lab) != IGNORE]
        masked = [int(t) for t, lab in zip(ids[:length], labels) if int(lab) == IGNORE]
        trained_text = tokenizer.decode(trained)
        _check_answers(example, trained_text, i)
        trained_total, masked_total = trained_total + len(trained), masked_total + len(masked)
        if i == 0:
            sample = {"masked_tail": tokenizer.decode(masked)[-120:], "trained": trained_text[:200]}
    return {"passed": True, "examples": len(examples), "prompt_tokens_masked": masked_total,
            "answer_tokens_trained": trained_total, "sample": sample}


def _check_answers(example, trained_text: str, i: int) -> None:
    answers = [m["content"] for m in example.messages if m["role"] == "assistant"]
    if not trained_text:
        raise MaskError(f"mask proof: example {i} (line {example.line}) trains no token at all",
                        hint="the chat template does not render the assistant's answer")
    for answer in answers:
        if answer.strip() and answer.strip() not in trained_text:
            raise MaskError(f"mask proof: the answer of example {i} (line {example.line}) is not "
                            f"among its trained tokens (trained: {trained_text[:80]!r})",
                            hint="the chat template hides or rewrites the assistant's answer; "
                                 "fix chat_template so the answer is rendered verbatim")
    for message in example.messages:
        text = message["content"].strip()
        if message["role"] != "assistant" and len(text) >= 8 and not any(text in a for a in answers) \
                and text in trained_text:
            raise MaskError(f"mask proof: prompt text of example {i} (line {example.line}) is trained",
                            hint="the chat template places the prompt inside the answer span")
