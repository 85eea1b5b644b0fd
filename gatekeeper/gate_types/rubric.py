"""rubric: the share of outputs a local judge model grades as meeting a rubric (what promptfoo
``llm-rubric`` and deepeval G-Eval users write first).

The candidate's answers to the golden set (the same generation, and cache, as task_accuracy
and assertions; the baseline's too with ``vs_baseline``) are graded one forward pass each by
a judge model: its probability of answering "Yes" to the grading prompt (gatekeeper/evals/
rubric_judge.py). An item passes when P(yes) reaches ``pass_threshold``. With
``judge_labels`` the judge also grades outputs a person labelled, and its agreement with
them is the metric ``judge_agreement``, so a bundle can refuse a judge it cannot trust.
Grades are kept across runs (``ctx.memo``), keyed by the judge's fingerprint and the exact
grading prompts: a warm re-run loads no judge.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gatekeeper.bundle.golden import GoldenSet, require_prompts
from gatekeeper.core.chat import display, prompt_of
from gatekeeper.core.errors import ConfigError
from gatekeeper.core.gatetype import gate_type
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.evals.generated import generate_outputs, rate
from gatekeeper.evals.rubric_judge import (GRADING_PROMPT, check_judge, check_judge_dir, check_template,
                                           grading_text)
from gatekeeper.evals.rubric_labels import load_labels

DEFAULT_JUDGE = "builtin:smollm2-135m-instruct"
MAX_FAILED_SHOWN = 30
GRADES_VERSION = 1


def _check(params: dict, golden: GoldenSet | None) -> None:
    text = params.get("rubric")
    if not isinstance(text, str) or not text.strip():
        raise ConfigError("params.rubric must be the rubric text the judge grades against",
                          hint='e.g. rubric: "The reply is one JSON object with a category and a priority"')
    check_template(params.get("grading_prompt") or GRADING_PROMPT)
    threshold = params.get("pass_threshold", 0.5)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold < 1:
        raise ConfigError(f"params.pass_threshold must be a probability between 0 and 1, found {threshold!r}",
                          hint="an item passes when the judge's P(yes) reaches it; 0.5 is the judge's own verdict")
    if params.get("judge_dir"):
        try:
            check_judge_dir(params["judge_dir"])
        except ConfigError as exc:  # reported at the gate, naming the directory
            raise ConfigError(f"params.judge_dir {params['judge_dir']}: {exc.message}", hint=exc.hint) from None
    else:
        check_judge(params.get("judge", DEFAULT_JUDGE))
    require_prompts(golden, params.get("prompt_field", "prompt"))
    if params.get("judge_labels"):
        load_labels(params["judge_labels"])


@gate_type(needs_golden=True, path_params={"judge_dir": "model", "judge_labels": "config"},
           positive=("max_new_tokens", "limit", "batch_size"), check=_check, metrics=(
    Metric("pass_rate", description="share of outputs the judge grades as meeting the rubric"),
    Metric("judge_agreement", description="share of the labelled outputs (judge_labels) the judge "
                                          "grades as they are labelled")))
def rubric(ctx, *, rubric: str, judge: str = DEFAULT_JUDGE, judge_dir: str | None = None,
           judge_labels: str | None = None, pass_threshold: float = 0.5, explain: bool = False,
           include_input: bool = True, grading_prompt: str | None = None, limit: int | None = None,
           max_new_tokens: int = 64, stop: list | None = None, prompt_field: str = "prompt",
           batch_size: int = 8) -> Measurement:
    """Share of outputs a local judge model grades as meeting the rubric (P(yes) per item)."""
    template = grading_prompt or GRADING_PROMPT
    rows = [r.data for r in ctx.golden.rows[:limit]]
    prompts = [prompt_of(r, prompt_field) for r in rows]
    outputs, base_outputs = generate_outputs(ctx, prompts, max_new_tokens=max_new_tokens, stop=stop)
    shown = [display(p) if include_input else None for p in prompts]
    cand_texts = [grading_text(template, rubric, s, o) for s, o in zip(shown, outputs, strict=True)]
    base_texts = [grading_text(template, rubric, s, o or "") for s, o in zip(shown, base_outputs, strict=True)] \
        if ctx.compares else []
    labels = load_labels(judge_labels) if judge_labels else []
    label_texts = [grading_text(template, r.rubric or rubric, r.input if include_input else None, r.output)
                   for r in labels]
    grades = _grades(ctx, judge, judge_dir, cand_texts + base_texts + label_texts, explain, batch_size)
    p_all, why_all = grades["p_yes"], grades["why"]
    k, b = len(cand_texts), len(cand_texts) + len(base_texts)
    p_c, p_b, p_l = p_all[:k], p_all[k:b], p_all[b:]
    cand = [p >= pass_threshold for p in p_c]
    base = [p >= pass_threshold for p in p_b] if ctx.compares else None
    why = _reasons(rubric, pass_threshold, p_c, why_all[:k])
    base_why = _reasons(rubric, pass_threshold, p_b, why_all[k:b]) if ctx.compares else [None] * k
    items = tuple(
        ItemResult(id=str(r.get("id", i)), input=display(p), output=o, passed=c, score=round(pc, 4),
                   detail=w, baseline_output=bo, baseline_passed=base[i] if base else None,
                   baseline_score=round(p_b[i], 4) if base else None, baseline_detail=bw)
        for i, (r, p, o, bo, c, pc, w, bw) in enumerate(zip(rows, prompts, outputs, base_outputs, cand, p_c,
                                                            why, base_why, strict=True)))
    value, base_value, samples = rate(cand, base)
    metrics, all_samples = {"pass_rate": value}, {"pass_rate": samples}
    details = {"rubric": rubric, "judge": grades["judge"], "pass_threshold": pass_threshold,
               "grading_prompt": template, "example_prompt": cand_texts[0] if cand_texts else None,
               "scoring": "P(yes): the judge's next-token probability of Yes over No after the grading "
                          "prompt, one forward pass per output",
               "p_yes_histogram": _histogram(p_c),
               "failed": [{"id": it.id, "p_yes": it.score, "reason": it.detail}
                          for it in items if not it.passed][:MAX_FAILED_SHOWN]}
    if ctx.compares:
        details["baseline_p_yes_histogram"] = _histogram(p_b)
    if labels:
        from gatekeeper.evals.rubric_labels import agreement

        graded = [p >= pass_threshold for p in p_l]
        details["labels"] = agreement(labels, graded, p_l, Path(judge_labels or "").name)
        metrics["judge_agreement"] = details["labels"]["agreement"]
        all_samples["judge_agreement"] = Samples(tuple(float(g == r.label) for g, r in zip(graded, labels)),
                                                 None, binary=True)
    return Measurement(metrics=metrics, n=len(rows),
                       baseline_metrics={"pass_rate": base_value} if base_value is not None else {},
                       samples=all_samples, items=items, details=details)


def _grades(ctx, judge: str, judge_dir: str | None, texts: list[str], explain: bool,
            batch_size: int) -> dict:
    """P(yes) (and rationale) per grading prompt, each distinct prompt graded once, kept across runs."""
    from gatekeeper.evals.rubric_judge import resolve_judge

    resolved = resolve_judge(judge, judge_dir)
    unique = list(dict.fromkeys(texts))
    parts = {"judge": resolved.fingerprint, "tokenizer": resolved.tokenizer_fingerprint,
             "prompts": hashlib.sha256(json.dumps(unique).encode("utf-8")).hexdigest(),
             "explain": explain, "version": GRADES_VERSION}

    def compute() -> dict:
        ctx.log(f"grading {len(unique)} outputs with judge {resolved.identity}")
        return _grade_unique(ctx, resolved, unique, explain, batch_size)

    graded = ctx.memo("rubric_grades", parts, compute)
    at = {t: i for i, t in enumerate(unique)}
    judge_info = {"model": str(judge_dir and Path(judge_dir).name or resolved.identity),
                  "fingerprint": resolved.fingerprint[:16], "loaded": graded.get("loaded")}
    return {"p_yes": [graded["p_yes"][at[t]] for t in texts], "why": [graded["why"][at[t]] for t in texts],
            "judge": judge_info}


def _grade_unique(ctx, resolved, texts: list[str], explain: bool, batch_size: int) -> dict:
    """Grade on the run's already loaded base model when the judge is that model (adapter off,
    same weights, tokenizer and template, unquantised), else on a fresh copy of the judge."""
    from gatekeeper.evals.rubric_judge import grade, load_judge

    base = ctx.models.base
    if (base.fingerprint == resolved.fingerprint and base.tokenizer_fingerprint == resolved.tokenizer_fingerprint
            and ctx.bundle.chat_template is None and ctx.models.quantization is None):
        with ctx.models.hf_model(adapter=False) as model:
            grades = grade(model, ctx.models.tokenizer, texts, explain=explain, batch_size=batch_size)
        loaded = "the run's base model (adapter off)"
    else:
        model, tok = load_judge(resolved.path)
        grades = grade(model, tok, texts, explain=explain, batch_size=batch_size)
        loaded = "its own copy"
    return {"p_yes": grades.p_yes, "why": grades.why, "loaded": loaded}


def _reasons(text: str, threshold: float, p_yes: list[float], why: list) -> list[str | None]:
    criterion = " ".join(text.split())
    criterion = criterion if len(criterion) <= 90 else criterion[:87] + "..."
    return [f"P(yes) {p:.2f} {'>=' if p >= threshold else '<'} {threshold:g}: "
            f"{'meets' if p >= threshold else 'misses'} '{criterion}'" + (f"; judge: {w}" if w else "")
            for p, w in zip(p_yes, why, strict=True)]


def _histogram(p_yes: list[float], bins: int = 10) -> list[int]:
    counts = [0] * bins
    for p in p_yes:
        counts[min(int(p * bins), bins - 1)] += 1
    return counts


def report_view(details: dict, gate: dict) -> dict:
    """The judge and its prompt, its agreement with the labelled set, the P(yes) spread, failures."""
    from gatekeeper.report.fmt import clean, is_num

    judge: dict = details["judge"] if isinstance(details.get("judge"), dict) else {}
    labels: dict | None = details["labels"] if isinstance(details.get("labels"), dict) else None
    hist = [c if is_num(c) else 0 for c in details.get("p_yes_histogram") or []]
    top = max(hist, default=0) or 1
    bars = [{"range": f"{i / len(hist):.1f}-{(i + 1) / len(hist):.1f}", "count": c,
             "width": round(100 * c / top)} for i, c in enumerate(hist)]
    failed = [{"id": clean(f.get("id")), "p_yes": f.get("p_yes"), "reason": clean(f.get("reason"))}
              for f in details.get("failed") or [] if isinstance(f, dict)]
    view = {"judge": {k: clean(v) for k, v in judge.items()}, "bars": bars, "failed": failed,
            "rubric": clean(details.get("rubric")), "threshold": details.get("pass_threshold"),
            "prompt": clean(details.get("grading_prompt")), "example": clean(details.get("example_prompt")),
            "labels": None}
    if labels:
        view["labels"] = {**{k: labels.get(k) for k in ("file", "n", "agreement", "precision", "recall",
                                                         "tp", "fp", "fn", "tn")},
                          "disagreements": [{k: clean(d.get(k)) for k in ("id", "line", "label", "p_yes", "output")}
                                            for d in labels.get("disagreements") or [] if isinstance(d, dict)]}
    return view
