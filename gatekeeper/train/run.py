"""``gatekeeper train BUNDLE``: recipe -> TRL SFT + PEFT LoRA/QLoRA -> adapter/, training.json, lock.

Everything that can be wrong with the recipe, the data or the chat template fails before a
model loads. Checkpoints live in the user cache (one directory per bundle), so an
interrupted run (Ctrl-C) resumes with ``--resume``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from gatekeeper.bundle.manifest import Bundle, load_bundle
from gatekeeper.core.errors import ConfigError, UsageError
from gatekeeper.train import loop, record
from gatekeeper.train.data import load_examples, mix_in
from gatekeeper.train.masking import prove_mask, tokenize_example, truncation_stats

if TYPE_CHECKING:
    from gatekeeper.model.resolve import ResolvedModel
    from gatekeeper.bundle.recipe import Recipe

PROOF_EXAMPLES = 8
EXIT_INTERRUPTED = 2


@dataclass(frozen=True)
class TrainOptions:
    resume: bool = False
    device: str = "auto"
    work_dir: Path | None = None          # checkpoints; default <cache>/train/<bundle key>
    callbacks: tuple = ()                 # extra transformers TrainerCallbacks (tests, benchmarks)
    log: Callable[[str], None] | None = None
    relock: bool = True


@dataclass(frozen=True)
class TrainResult:
    status: str                           # "complete" or "interrupted"
    adapter: Path | None
    record: dict | None
    previous: Path | None = None
    checkpoint: Path | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "complete" else EXIT_INTERRUPTED


@dataclass(frozen=True)
class Prepared:
    """Everything decided before a model loads: data, tokens, masks, fingerprints."""

    bundle: Bundle
    base: ResolvedModel
    tokenizer: Any
    examples: list
    train_tokens: list
    eval_tokens: list | None
    fingerprint: str
    truncation: dict

    @property
    def recipe(self) -> Recipe:
        assert self.bundle.recipe is not None, "train_bundle refuses bundles without train:"
        return self.bundle.recipe

    @property
    def adapter(self) -> Path:
        assert self.bundle.adapter is not None, "train_bundle refuses bundles without adapter:"
        return self.bundle.adapter


def train_bundle(bundle_dir: str | Path, options: TrainOptions = TrainOptions()) -> TrainResult:
    """Train the bundle's recipe into its adapter directory; the top-level flow of the command."""
    log = options.log or loop.stderr_log
    started, t0 = _now(), time.monotonic()
    prep = prepare(bundle_dir)
    work = _work_dir(prep, options)
    log(f"training {prep.bundle.name}: {len(prep.train_tokens)} rows, recipe {_summary(prep.bundle)}")
    trainer, plan, counts, device, dtype = _trainer(prep, work, options, log)
    proof = prove_mask(prep.tokenizer, *_proof_batch(trainer, prep))
    request = loop.StopRequest()
    trainer.add_callback(request.callback())
    checkpoint = _resume_point(work, options.resume)
    train_t0 = time.monotonic()
    with loop.ctrl_c_checkpoints(request, log), loop.answer_positions_only(device):
        trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    train_seconds = time.monotonic() - train_t0
    if request.requested:
        from transformers.trainer_utils import get_last_checkpoint

        last = get_last_checkpoint(str(work))
        log(f"interrupted at step {trainer.state.global_step}; checkpoint {last}; "
            f"continue with `gatekeeper train {bundle_dir} --resume`")
        return TrainResult("interrupted", None, None, checkpoint=Path(last) if last else None)
    facts = dict(started=started, train_seconds=train_seconds, total_seconds=time.monotonic() - t0,
                 plan=plan, counts=counts, device=device, dtype=dtype, proof=proof)
    rec = record.training_record(prep, trainer, facts)
    new_dir = prep.bundle.root / f".{prep.adapter.name}.new"
    shutil.rmtree(new_dir, ignore_errors=True)
    trainer.model.save_pretrained(str(new_dir), safe_serialization=True)
    previous = record.install_adapter(prep.bundle, new_dir, rec)
    if options.relock:
        record.relock(prep.bundle.root)
    shutil.rmtree(work, ignore_errors=True)
    log(f"adapter written to {prep.bundle.adapter} in {rec['train_seconds']:.0f}s of training"
        + (f"; previous adapter moved to {previous}" if previous else ""))
    return TrainResult("complete", prep.bundle.adapter, rec, previous)


def prepare(bundle_dir: str | Path) -> Prepared:
    """Load and check bundle, recipe, data and chat template; tokenise and mask. No model yet."""
    from gatekeeper.model.loading import load_tokenizer
    from gatekeeper.model.resolve import resolve_base

    bundle = load_bundle(bundle_dir, allow_missing_adapter=True)
    recipe = require_recipe(bundle)
    examples = load_examples(recipe.data, recipe.task_field)
    if recipe.mix:
        general = load_examples(recipe.mix.data, None, "mix data")
        examples = mix_in(examples, general, recipe.mix.fraction, bundle.seed)
    evals = load_examples(recipe.eval_data, recipe.task_field, "eval data") if recipe.eval_data else None
    base = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    template = bundle.chat_template.read_text("utf-8") if bundle.chat_template else None
    tokenizer = load_tokenizer(base, template, bundle.trust_remote_code)
    tokenizer.padding_side = "right"
    train_tokens = [tokenize_example(tokenizer, e.messages) for e in examples]
    eval_tokens = [tokenize_example(tokenizer, e.messages) for e in evals] if evals else None
    fingerprint = record.inputs_fingerprint(bundle, base.fingerprint, base.tokenizer_fingerprint)
    return Prepared(bundle, base, tokenizer, examples, train_tokens, eval_tokens, fingerprint,
                    truncation_stats(examples, train_tokens, recipe.sft.max_length))


def require_recipe(bundle: Bundle):
    if bundle.recipe is None:
        raise ConfigError("the manifest has no `train:` recipe", where=bundle.manifest_path,
                          hint="add a train: block (data, lora, sft); see README 'Training recipe'")
    if bundle.adapter is None:
        raise ConfigError("the manifest names no `adapter:` directory to train into",
                          where=bundle.manifest_path, hint="add `adapter: adapter/`")
    return bundle.recipe


def _trainer(prep: Prepared, work: Path, options: TrainOptions, log):
    from datasets import Dataset
    from transformers import set_seed

    from gatekeeper.model.loading import pick_device, pick_dtype
    from gatekeeper.train.model import load_base_for_training, lora_config, parameter_counts

    bundle, recipe = prep.bundle, prep.recipe
    loop.quiet_libraries()
    device = pick_device(options.device)
    dtype = pick_dtype(bundle.base.dtype, device)
    n_tokens = sum(min(len(t.input_ids), recipe.sft.max_length) for t in prep.train_tokens)
    plan = loop.plan_steps(recipe, len(prep.train_tokens), n_tokens)
    model = load_base_for_training(prep.base, recipe, dtype=dtype, device=device,
                                   trust_remote_code=bundle.trust_remote_code)
    set_seed(bundle.seed)  # LoRA init happens inside SFTTrainer.__init__

    def to_ds(toks):
        return Dataset.from_list([{"input_ids": list(t.input_ids), "labels": list(t.labels)} for t in toks])

    config = loop.sft_config(recipe, out_dir=work, seed=bundle.seed, device=device, dtype=dtype,
                             has_eval=prep.eval_tokens is not None, interval=plan[1])
    callbacks = [loop.progress_callback(log), *loop.early_stopping(recipe), *options.callbacks]
    trainer = loop.build_trainer(model, prep.tokenizer, to_ds(prep.train_tokens),
                                 to_ds(prep.eval_tokens) if prep.eval_tokens else None, config,
                                 lora_config(recipe, model), callbacks)
    return trainer, {"planned_steps": plan[0], "eval_interval": plan[1], "tokens_per_epoch": n_tokens}, \
        parameter_counts(trainer.model), device, dtype


def _proof_batch(trainer, prep: Prepared):
    """A batch the trainer's own collator builds from rows short enough to keep their answer."""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    limit = prep.recipe.sft.max_length
    pairs = [(e, t) for e, t in zip(prep.examples, prep.train_tokens) if len(t.input_ids) <= limit]
    if not pairs:
        raise ConfigError(f"every training row is longer than max_length {limit}: no answer survives",
                          where=prep.bundle.manifest_path, hint="raise train.sft.max_length")
    pairs = pairs[:PROOF_EXAMPLES]
    collator = trainer.data_collator
    if getattr(collator, "padding_free", False):  # packed batches are one row; prove per example
        collator = DataCollatorForLanguageModeling(pad_token_id=prep.tokenizer.pad_token_id)
    batch = collator([{"input_ids": list(t.input_ids), "labels": list(t.labels)} for _, t in pairs])
    return [e for e, _ in pairs], batch


def _work_dir(prep: Prepared, options: TrainOptions) -> Path:
    """Checkpoint directory of this bundle; --resume only continues the same inputs."""
    from gatekeeper.core.paths import cache_root

    key = hashlib.sha256(str(prep.bundle.root).encode()).hexdigest()[:16]
    work = options.work_dir or cache_root() / "train" / key
    stamp = work / "inputs.json"
    if options.resume:
        found = json.loads(stamp.read_text()) if stamp.is_file() else {}
        if found.get("inputs_fingerprint") != prep.fingerprint:
            why = "no checkpoint to resume from" if not found else \
                "the checkpoint was made from a different recipe, data or base model"
            raise UsageError(f"cannot resume: {why}", where=work,
                             hint="run `gatekeeper train` without --resume to start over")
        return work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    stamp.write_text(json.dumps({"inputs_fingerprint": prep.fingerprint}))
    return work


def _resume_point(work: Path, resume: bool) -> Path | None:
    if not resume:
        return None
    from transformers.trainer_utils import get_last_checkpoint

    last = get_last_checkpoint(str(work))
    if last is None:
        raise UsageError("cannot resume: the run saved no checkpoint yet", where=work,
                         hint="run `gatekeeper train` without --resume to start over")
    return Path(last)


def _summary(bundle: Bundle) -> str:
    r = bundle.recipe
    assert r is not None, "only bundles with a train: block are summarised"
    quant = " nf4" if r.quantization else ""
    return (f"LoRA{quant} r={r.lora.r} on {r.lora.target_modules if isinstance(r.lora.target_modules, str) else ','.join(r.lora.target_modules)}, "
            f"{r.sft.max_steps or r.sft.epochs} {'steps' if r.sft.max_steps else 'epochs'}, lr {r.sft.learning_rate:g}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def stale_reason(bundle: Bundle) -> str | None:
    """Why the adapter must be (re)trained, or None when it matches recipe, data and base."""
    from gatekeeper.model.resolve import resolve_base

    if bundle.adapter is None or not bundle.adapter.is_dir():
        return "the bundle has no adapter yet"
    rec = record.read_record(bundle.adapter)
    if rec is None:
        return f"the adapter has no {record.RECORD} (it was not trained by gatekeeper)"
    base = resolve_base(bundle.base.model, bundle.base.revision, allow_pickle=bundle.allow_pickle)
    current = record.inputs_fingerprint(bundle, base.fingerprint, base.tokenizer_fingerprint)
    if rec.get("inputs_fingerprint") != current:
        return "the recipe, data, chat template or base model changed since the adapter was trained"
    return None


def train_if_stale(bundle_dir: str | Path, *, device: str = "auto", log=None) -> TrainResult | None:
    """``check --train``: train when the adapter is missing or stale; None when it is current."""
    log = log or loop.stderr_log
    bundle = load_bundle(bundle_dir, allow_missing_adapter=True)
    require_recipe(bundle)
    reason = stale_reason(bundle)
    if reason is None:
        log(f"adapter is current (recipe and data unchanged since {record.RECORD}); not retraining")
        return None
    log(f"training first: {reason}")
    result = train_bundle(bundle_dir, TrainOptions(device=device, log=log))
    if result.status != "complete":
        raise KeyboardInterrupt(f"training interrupted; resume with `gatekeeper train {bundle_dir} --resume`")
    return result
