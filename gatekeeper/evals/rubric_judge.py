"""A local judge model that grades outputs against a rubric, for the ``rubric`` gate type.

The judge is any local causal (chat) LM: ``builtin:NAME``, a model directory, or a hub id
already in the local Hugging Face cache (resolved like ``base.model``, nothing downloaded).
It does not write free text to decide: each item is one forward pass over the grading prompt
(rubric + input + output, through the judge's chat template, up to the assistant turn), and
the grade is the judge's probability of answering "Yes" rather than "No" as its first token,

    P(yes) = sigmoid(logsumexp(logits[yes tokens]) - logsumexp(logits[no tokens]))

(every one-token spelling counts, "Yes" and " Yes": ``answer_ids``). Prompts are batched
with left padding and explicit position ids, so a batch grades each item as alone. With ``explain`` the judge also
writes a short rationale after its verdict (greedy, a few tokens): evidence, never the grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from gatekeeper.core.errors import ConfigError, MeasurementError

GRADING_PROMPT = (
    "You grade a reply written by an AI assistant against a rubric.\n\n"
    "Rubric: {rubric}\n\n"
    "User input:\n{input}\n\n"
    "Reply:\n{output}\n\n"
    "Does the reply satisfy the rubric? Answer Yes or No.")
PLACEHOLDERS = ("rubric", "input", "output")
YES, NO = ("Yes", " Yes", "YES"), ("No", " No", "NO")
EXPLAIN_TOKENS = 24
NO_INPUT = "(not given)"


def check_template(template: str, where: str = "params.grading_prompt") -> None:
    """A grading prompt names {output} and no placeholder but {rubric}, {input}, {output}."""
    import string

    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise ConfigError(f"{where} is not a valid template: {exc}",
                          hint="write {rubric}, {input} and {output}; double braces {{ }} for literal ones") from None
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        raise ConfigError(f"{where} has unknown placeholder(s) {unknown}",
                          hint="placeholders: {rubric}, {input}, {output} (write {{ }} for literal braces)")
    if "output" not in names:
        raise ConfigError(f"{where} never shows the judge the output ({{output}} is missing)",
                          hint="add {output} where the graded reply belongs")


def grading_text(template: str, rubric: str, input_text: str | None, output: str) -> str:
    return template.format(rubric=rubric.strip(), input=input_text or NO_INPUT, output=output)


def check_judge(judge: str) -> None:
    """What can be checked before any model loads: a built-in name is known, a directory
    holds a causal LM. A hub id is looked up only when the gate runs."""
    from gatekeeper.model.builtin import BUILTINS, PREFIX

    if not isinstance(judge, str) or not judge.strip():
        raise ConfigError("params.judge must name the judge model",
                          hint="e.g. builtin:smollm2-135m-instruct, or params.judge_dir: path/to/model")
    if judge.startswith(PREFIX):
        if judge[len(PREFIX):] not in BUILTINS:
            known = ", ".join(PREFIX + k for k in sorted(BUILTINS))
            raise ConfigError(f"unknown built-in judge '{judge}'", hint=f"built-in models: {known}")
        return
    local = Path(judge).expanduser()
    if local.is_dir():
        check_judge_dir(local)
    elif local.is_absolute() or judge.startswith((".", "~")):
        raise ConfigError(f"judge model directory '{judge}' does not exist",
                          hint="a directory inside the bundle goes in params.judge_dir "
                               "(relative to the gate file)")


def check_judge_dir(path: str | Path) -> None:
    """The directory holds a causal LM (config.json); ConfigError at the directory otherwise."""
    from gatekeeper.safety.judge import judge_kind

    if judge_kind(path) != "chat":
        raise ConfigError("the rubric judge must be a causal (chat) LM, not a classifier",
                          where=path, hint="use a *ForCausalLM model directory")


def resolve_judge(judge: str, judge_dir: str | None):
    """The judge as a ResolvedModel (path + fingerprint); MeasurementError when it is missing."""
    from gatekeeper.core.errors import ModelError
    from gatekeeper.model.resolve import resolve_base

    try:
        return resolve_base(str(judge_dir) if judge_dir else judge)
    except ModelError as exc:
        raise MeasurementError(f"the rubric judge could not be found: {exc.message}",
                               hint=exc.hint) from None


@dataclass
class Grades:
    p_yes: list[float]
    why: list[str | None]


def load_judge(path: Path) -> tuple[Any, Any]:
    """(model, tokenizer) of a judge directory, float32 on CPU (bfloat16 on CUDA), eval mode."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cuda = torch.cuda.is_available()
    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(
        path, local_files_only=True, dtype=torch.bfloat16 if cuda else torch.float32)
    return model.to("cuda" if cuda else "cpu").eval(), tok


def grade(model, tok, texts: Sequence[str], *, explain: bool = False, batch_size: int = 8) -> Grades:
    """P(yes) of every grading prompt (and the judge's short rationale when ``explain``)."""
    import torch

    yes, no = answer_ids(tok)
    if not yes or not no:
        raise MeasurementError("the judge's tokenizer cannot tell 'Yes' from 'No' by the first token",
                               hint="use another judge model")
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    side, tok.padding_side = tok.padding_side, "left"
    prompts = [_chat(tok, t) for t in texts]
    p_yes: list[float] = []
    why: list[str | None] = []
    device = next(model.parameters()).device
    try:
        with torch.inference_mode():
            for start in range(0, len(prompts), batch_size):
                chunk = prompts[start:start + batch_size]
                enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
                mask = enc["attention_mask"]
                positions = (mask.cumsum(-1) - 1).clamp(min=0)
                logits = model(input_ids=enc["input_ids"], attention_mask=mask,
                               position_ids=positions).logits[:, -1].float()
                margin = logits[:, yes].logsumexp(-1) - logits[:, no].logsumexp(-1)
                chunk_p = torch.sigmoid(margin).tolist()
                p_yes += chunk_p
                if explain:
                    why += _rationales(model, tok, chunk, chunk_p, device)
                else:
                    why += [None] * len(chunk)
    finally:
        tok.padding_side = side
    return Grades(p_yes, why)


def answer_ids(tok) -> tuple[list[int], list[int]]:
    """Token ids of the spellings of "Yes" and of "No" that are one token each (else the
    first token of each spelling: a tiny vocabulary); a token both sides share (a bare space)
    tells nothing and is dropped, and so is the first piece of a split word ("Y" of "YES")
    when a whole-word token exists."""
    def pick(words: Sequence[str]) -> set[int]:
        pieces = [ids for w in words if (ids := tok(w, add_special_tokens=False)["input_ids"])]
        return {ids[0] for ids in pieces if len(ids) == 1} or {ids[0] for ids in pieces}

    yes, no = pick(YES), pick(NO)
    return sorted(yes - no), sorted(no - yes)


def _chat(tok, question: str) -> str:
    """The grading prompt as the judge's user turn, up to its answer (raw text without a template)."""
    if getattr(tok, "chat_template", None):
        return tok.apply_chat_template([{"role": "user", "content": question}],
                                       tokenize=False, add_generation_prompt=True)
    return question + "\nAnswer:"


def _rationales(model, tok, prompts: list[str], p_yes: list[float], device) -> list[str | None]:
    """The judge's words after its verdict: "<Yes|No>, because ..." (greedy, a few tokens)."""
    lead = [("Yes" if p >= 0.5 else "No") + ", because" for p in p_yes]
    enc = tok([p + lead_text for p, lead_text in zip(prompts, lead)], return_tensors="pt",
              padding=True, add_special_tokens=False).to(device)
    out = model.generate(**enc, max_new_tokens=EXPLAIN_TOKENS, do_sample=False,
                         pad_token_id=tok.pad_token_id)
    texts = tok.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    return [f"{lead_text} {t.strip().splitlines()[0]}" if t.strip() else lead_text
            for lead_text, t in zip(lead, texts)]
