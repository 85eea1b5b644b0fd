"""dataset_audit: is the training set what it should be? Checked before any model loads.

Reads every training input of the recipe (``data``, ``eval_data`` and the general ``mix``)
and the run's eval sets, and measures:
duplicates and near-duplicates inside the training set, overlap between the train,
validation and test splits, rows that break the schema (file:line), the truncation rate at
the recipe's ``max_length`` (chat template + the base model's tokenizer, no torch), class
balance when a label field exists, refusal/escalation examples when ``policy`` is declared,
whether every data file has a data card naming its source and license, and training answers
that break what the bundle's ``json_validity`` gates demand of outputs (``target_errors``,
gatekeeper.data.targets: task rows always, mix rows when they look like JSON). Three rendered
samples show prompt tokens and trained tokens apart. Results are cached by data hashes.
One metric per gate threshold: add one gate per metric you want to hold (the audit runs
once, the other gates read the cache).
"""

from __future__ import annotations

import os
from pathlib import Path

from gatekeeper.bundle.validation import schema_validator
from gatekeeper.data import audit
from gatekeeper.data.targets import target_findings
from gatekeeper.data.cache import cached, data_key
from gatekeeper.data.overlap import Options
from gatekeeper.data.records import SUFFIXES, Skipped, read_items
from gatekeeper.core.errors import ConfigError, MeasurementError, display_path
from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type


def _low(name, what, kind="value"):
    """A count or share over every training row: a census, compared exactly."""
    return Metric(name, higher_is_better=False, kind=kind, description=what, sampled=False,
                  **({"lower": 0, "upper": None} if kind == "value" else {}))


METRICS = (
    _low("duplicate_rate", "share of training rows that repeat an earlier row (normalised)", "rate"),
    _low("near_duplicate_rate", "share of training rows that nearly repeat an earlier row", "rate"),
    _low("split_overlap", "validation/test items whose prompt is also in an earlier split"),
    _low("schema_errors", "training rows that break the row schema"),
    _low("truncation_rate", "share of rows longer than the recipe's max_length in tokens", "rate"),
    Metric("min_class_count", kind="value", lower=0, upper=None,
           description="rows of the rarest class (label field)"),
    Metric("policy_examples", kind="value", lower=0, upper=None,
           description="rows whose answer refuses or escalates, when a policy is declared"),
    _low("files_without_card", "data files without a card naming source and license"),
    _low("target_errors", "training answers that are not JSON, or that no output schema of the "
                          "bundle's json_validity gates accepts"),
)


def _check(params: dict, golden) -> None:
    near = params.get("near_threshold", 0.9)
    if not 0.5 <= near <= 1.0:
        raise ConfigError(f"near_threshold must be in [0.5, 1], found {near}",
                          hint="a rapidfuzz similarity share; 0.9 is the default")
    unknown = [k for k in params.get("policy") or [] if k not in audit.POLICY_PATTERNS]
    if unknown or params.get("policy") == []:
        raise ConfigError(f"policy must list kinds among {', '.join(audit.POLICY_PATTERNS)}, found "
                          f"{params.get('policy')!r}", hint="e.g. policy: [refusal, escalation]")
    if params.get("max_length") is not None and params["max_length"] < 1:
        raise ConfigError("max_length must be a positive number of tokens",
                          hint="leave it out to use the recipe's sft.max_length")
    if params.get("samples", 3) < 0:
        raise ConfigError("samples must be >= 0", hint="rendered rows shown in the report")


@gate_type(needs_model=False, metrics=METRICS, check=_check)
def dataset_audit(ctx, *, near_threshold: float = 0.9, label_field: str | None = None,
                  policy: list | None = None, max_length: int | None = None,
                  tokens: bool = True, samples: int = 3, targets: bool = True) -> Measurement:
    """Duplicates, split overlap, schema, truncation, classes, policy examples, data cards,
    training answers against the output schemas."""
    train, val, mix = ctx.data.train_data, ctx.data.eval_data, ctx.data.mix_data
    if train is None:
        raise Skipped("no training data to audit (the manifest has no train.data)")
    recipe = _recipe(ctx.bundle)
    settings = {"near": near_threshold, "label": label_field or recipe["task_field"],
                "policy": sorted(policy or []), "max_length": max_length or recipe["max_length"],
                "tokens": tokens, "samples": samples}
    renderer_key, renderer = _renderer(ctx, tokens)
    tests = _test_sets(ctx, {train, val, mix})
    schemas = list(dict.fromkeys(Path(s.path).resolve() for s in ctx.data.output_schemas)) if targets else []
    inputs = {"train": train, "val": val, "mix": mix, "tests": tests, "schemas": schemas}
    key = data_key("dataset_audit", [train, val, mix] + tests + schemas,
                   settings | {"renderer": renderer_key, "targets": targets})
    result, hit = cached(key, lambda: _audit(ctx.bundle.root, inputs, settings, renderer))
    ctx.log(f"audited {result['rows']} rows{' (cached)' if hit else ''}")
    result["details"]["cache_hit"] = hit
    return Measurement(metrics=result["metrics"], n=result["rows"], details=result["details"],
                       samples={k: Samples(tuple(v)) for k, v in result["samples"].items() if v})


def _recipe(bundle) -> dict:
    recipe = getattr(bundle, "recipe", None)
    if recipe is not None:
        return {"max_length": recipe.sft.max_length, "task_field": recipe.task_field}
    train = bundle.train or {}
    return {"max_length": (train.get("sft") or {}).get("max_length", 512),
            "task_field": train.get("task_field")}


def _renderer(ctx, tokens: bool):
    """(cache key part, ChatRenderer or None): the base tokenizer and chat template, no torch."""
    if not tokens:
        return "off", None
    from gatekeeper.data.render import ChatRenderer
    from gatekeeper.model.resolve import resolve_base

    try:
        base = resolve_base(ctx.bundle.base.model, ctx.bundle.base.revision)
        renderer = ChatRenderer(Path(base.path), ctx.bundle.chat_template)
    except Exception as exc:  # noqa: BLE001 - no tokenizer: the audit runs without token counts
        ctx.log(f"token counts off: {exc}")
        return f"unavailable:{type(exc).__name__}", None
    template = str(ctx.bundle.chat_template) if ctx.bundle.chat_template else "model"
    return f"{base.tokenizer_fingerprint}:{template}", renderer


def _test_sets(ctx, skip: set) -> list[Path]:
    seen = []
    for source in ctx.data.eval_sets:
        path = Path(source.path).resolve()
        if path not in skip and path not in seen and (path.is_dir() or path.suffix in SUFFIXES):
            seen.append(path)
    return seen


def _audit(root, inputs: dict, settings, renderer) -> dict:
    train, val, mix, tests = inputs["train"], inputs["val"], inputs["mix"], inputs["tests"]
    task_rows, problems = audit.read_rows(Path(train), root)
    if not task_rows:
        raise MeasurementError("no readable training rows", where=train,
                               hint="rows need chat `messages` or `prompt` + `completion`")
    mix_rows, mix_problems = audit.read_rows(Path(mix), root) if mix else ([], [])
    rows, problems = task_rows + mix_rows, problems + mix_problems  # every row the adapter trains on
    opts = Options(near_threshold=settings["near"])
    dup, dup_groups = audit.duplicates(rows)
    near, near_pairs = audit.near_duplicates(rows, opts, dup)
    splits = {"train": [r.item for r in rows]}
    if val:
        splits["validation"] = read_items(val, root)[0]
    for t in tests:
        splits[_rel(t, root)] = read_items(t, root)[0]
    overlap = audit.split_overlap(splits, opts.boilerplate_share)
    n = len(rows)
    metrics = {"duplicate_rate": sum(dup) / n, "near_duplicate_rate": sum(near) / n,
               "split_overlap": sum(o["count"] for o in overlap), "schema_errors": len(problems)}
    val_items = splits.get("validation", [])
    files = [(train, "task", len(task_rows)), (val, "validation", len(val_items)), (mix, "mix", len(mix_rows))]
    details = {"rows": n, "files": [_rel(Path(f), root) for f, _, _ in files if f],
               "inputs": [{"file": _rel(Path(f), root), "role": role, "rows": count}
                          for f, role, count in files if f],
               "duplicate_groups": dup_groups[:20], "near_pairs": near_pairs[:20],
               "split_overlap": overlap, "schema_errors": [
                   {"where": p.where, "message": p.message} for p in problems[:50]],
               "near_threshold": settings["near"]}
    samples = {"duplicate_rate": [float(x) for x in dup], "near_duplicate_rate": [float(x) for x in near]}
    _tokens(rows, renderer, settings, metrics, details, samples)
    task_paths = {r.item.path for r in task_rows} | {i.path for i in val_items}
    _targets([r.item for r in rows] + list(val_items), task_paths, inputs["schemas"], root, metrics,
             details)
    _labels_policy_cards(rows, task_rows, [f for f, _, _ in files if f], settings, metrics, details, root)
    return {"rows": n, "metrics": metrics, "details": details, "samples": samples}


def _targets(items, task_paths, schemas, root, metrics, details) -> None:
    """Training answers against the output schemas of the bundle's gates (none: nothing checked)."""
    validators = [(_rel(Path(s), root), schema_validator(s)) for s in schemas]
    flags, findings, checked = target_findings(items, task_paths, validators)
    metrics["target_errors"] = int(sum(flags))
    details["targets"] = {"schemas": [name for name, _ in validators], "checked": checked,
                          "errors": int(sum(flags)), "findings": findings}


def _tokens(rows, renderer, settings, metrics, details, samples) -> None:
    if renderer is None:
        details["tokens"] = None
        return
    rendered = renderer.render_many([list(r.messages) for r in rows])
    limit = settings["max_length"]
    over = [float(x.tokens > limit) for x in rendered]
    metrics["truncation_rate"] = sum(over) / len(rows)
    samples["truncation_rate"] = over
    lengths = sorted(x.tokens for x in rendered)
    longest = max(range(len(rows)), key=lambda i: rendered[i].tokens)
    picks = list(dict.fromkeys([0, len(rows) // 2, longest]))[:settings["samples"]]
    details["tokens"] = {"max_length": limit, "truncated": int(sum(over)), "max": lengths[-1],
                         "median": lengths[len(lengths) // 2], "samples": [
                             {"where": rows[i].item.where, "prompt": rendered[i].prompt_text,
                              "trained": rendered[i].trained_text,
                              "prompt_tokens": rendered[i].prompt_tokens,
                              "trained_tokens": rendered[i].trained_tokens,
                              "truncated": bool(over[i])} for i in picks]}


def _labels_policy_cards(rows, task_rows, files, settings, metrics, details, root) -> None:
    field = audit.label_field(task_rows, settings["label"])  # the mix has no task labels
    if field:
        counts = audit.class_counts(task_rows, field)
        if not counts:
            raise MeasurementError(f"label field '{field}' is in no training row", where=files[0],
                                   hint="set params.label_field (or the recipe's task_field) to a "
                                        "key of the rows")
        details["classes"] = {"field": field, "counts": counts}
        metrics["min_class_count"] = min(counts.values()) if counts else 0
    if settings["policy"]:
        found = audit.policy_examples(rows, settings["policy"])
        details["policy"] = {k: {"count": len(v), "examples": v[:10]} for k, v in found.items()}
        metrics["policy_examples"] = min(len(v) for v in found.values())
    cards = {_rel(Path(f), root): audit.card_for(Path(f)) for f in files}
    for c in cards.values():
        c["card"] = _rel(Path(c["card"]), root) if c["card"] else None
    details["cards"] = cards
    metrics["files_without_card"] = sum(1 for c in cards.values() if not (c["source"] and c["license"]))


def _rel(path: Path, root: Path) -> str:
    """A data file's name for the report: relative to the bundle, else to the working dir."""
    rel = os.path.relpath(Path(path).resolve(), root)
    return rel if not rel.startswith("..") else display_path(Path(path).resolve())
