"""Behavioural fingerprint of a released model: greedy outputs and logit digests on probes.

Identical files do not guarantee identical behaviour: a new torch, transformers or peft,
another device or dtype can change what the same weights say. At release time the
fingerprint records, for a few fixed probe prompts, the greedy tokens and the top-k
next-token log-probabilities of every generated step; rollback re-runs it on the current
runtime and reports drift. Always computed on the model itself, never from the result
cache, because re-running is the point.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

# Few and short on purpose: the fingerprint runs at every release, rollback and demo check.
PROBES = (
    "Hello! Who are you?",
    "My parcel arrived damaged. What should I do?",
    "Write the number seven in digits.",
    'Reply with JSON only: {"ok": true}',
)
MAX_NEW_TOKENS = 16
TOP_K = 5
# Default drift tolerance on a top-k log-probability. Same files on the same runtime
# reproduce bit for bit (0.0); 1e-3 nats absorbs kernel-order noise between CPU builds
# while any real behaviour change moves greedy tokens or log-probs far more than that.
TOLERANCE = 1e-3


@dataclass(frozen=True)
class Drift:
    """Fingerprint comparison: per probe, whether it reproduced and by how much it moved."""

    probes: tuple[dict, ...]
    tolerance: float

    @property
    def drifted(self) -> list[dict]:
        return [p for p in self.probes if not p["reproduced"]]

    @property
    def max_logprob_diff(self) -> float:
        return max((p["max_logprob_diff"] for p in self.probes), default=0.0)

    def to_dict(self) -> dict:
        return {"tolerance": self.tolerance, "max_logprob_diff": self.max_logprob_diff,
                "drifted": len(self.drifted), "probes": list(self.probes)}


def compute_fingerprint(model, tokenizer, prompts=PROBES, *, max_new_tokens: int = MAX_NEW_TOKENS,
                        top_k: int = TOP_K) -> dict:
    """Greedy tokens and top-k log-probs per step for each probe, generated as one batch.

    Batched with left padding, which is deterministic on a given runtime: release and
    rollback run the identical computation, so any difference is the runtime's.
    """
    import torch

    from gatekeeper.model.merge import eos_set, greedy_batch
    from gatekeeper.model.prompts import encode_prompt, render

    ids = [encode_prompt(tokenizer, render(tokenizer, p, True), True) for p in prompts]
    rows, logits = greedy_batch(model, ids, max_new_tokens, tokenizer.pad_token_id,
                                eos_set(model, tokenizer), logits=True)
    probes = []
    for prompt, tokens, steps_logits in zip(prompts, rows, logits):
        steps = []
        for step in steps_logits:
            values, indices = torch.log_softmax(step.float(), dim=-1).topk(top_k)
            steps.append([[int(i), round(float(v), 6)] for i, v in zip(indices, values)])
        probes.append({"prompt": prompt, "output": tokenizer.decode(tokens, skip_special_tokens=True),
                       "tokens": tokens, "top": steps, "digest": _digest(tokens, steps)})
    return {"probes": probes, "max_new_tokens": max_new_tokens, "top_k": top_k, "batched": True}


def _digest(tokens: list[int], steps: list) -> str:
    """sha256 of the tokens and the top-k log-probs at 1e-3: equal digests = no drift."""
    coarse = [[[i, round(v, 3)] for i, v in step] for step in steps]
    text = json.dumps({"tokens": tokens, "top": coarse}, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def compare_fingerprints(recorded: dict, current: dict, tolerance: float = TOLERANCE) -> Drift:
    """Probe by probe: same greedy tokens, and top-k log-probs within ``tolerance``."""
    now = {p["prompt"]: p for p in current["probes"]}
    results = []
    for old in recorded["probes"]:
        new = now.get(old["prompt"])
        if new is None:
            results.append({"prompt": old["prompt"], "reproduced": False, "max_logprob_diff": 0.0,
                            "reason": "probe not re-run", "recorded": old["output"], "current": None})
            continue
        diff = _max_logprob_diff(old["top"], new["top"])
        same_tokens = old["tokens"] == new["tokens"]
        reason = None
        if not same_tokens:
            at = next((i for i, (a, b) in enumerate(zip(old["tokens"], new["tokens"])) if a != b),
                      min(len(old["tokens"]), len(new["tokens"])))
            reason = f"greedy output differs from token {at}"
        elif diff > tolerance:
            reason = f"log-probs moved by {diff:.2e} (tolerance {tolerance:.0e})"
        results.append({"prompt": old["prompt"], "reproduced": reason is None,
                        "max_logprob_diff": diff, "reason": reason, "recorded": old["output"],
                        "current": new["output"], "digest_equal": old["digest"] == new["digest"]})
    return Drift(tuple(results), tolerance)


def _max_logprob_diff(old_steps: list, new_steps: list) -> float:
    """Largest |Δ log-prob| over tokens present in both top-k lists, step by step."""
    worst = 0.0
    for old, new in zip(old_steps, new_steps):
        new_map = {int(i): v for i, v in new}
        for token, value in old:
            if int(token) in new_map:
                worst = max(worst, abs(value - new_map[int(token)]))
            else:  # fell out of the top-k: at least the gap to the k-th entry
                worst = max(worst, abs(value - min(new_map.values())))
    return worst
