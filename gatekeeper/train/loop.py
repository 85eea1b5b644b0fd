"""TRL SFTTrainer from a recipe, plus the callbacks gatekeeper adds: progress/ETA, Ctrl-C.

The recipe maps one to one onto SFTConfig; the datasets arrive tokenised with their labels
already masked (gatekeeper/train/masking.py), so TRL only truncates, packs and batches.
"""

from __future__ import annotations

import math
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from gatekeeper.bundle.recipe import Recipe

EVALS_PER_RUN = 4  # when the recipe leaves eval_steps unset


def plan_steps(recipe: Recipe, n_rows: int, n_tokens: int) -> tuple[int, int]:
    """(total optimiser steps, eval/save interval) for ``n_rows`` examples of ``n_tokens``."""
    sft = recipe.sft
    rows = math.ceil(n_tokens / sft.max_length) if sft.packing else n_rows
    per_epoch = max(1, math.ceil(rows / sft.batch_size / sft.grad_accum))
    total = sft.max_steps or max(1, math.ceil(per_epoch * sft.epochs))
    interval = sft.eval_steps or max(1, round(total / EVALS_PER_RUN))
    return total, interval


def sft_config(recipe: Recipe, *, out_dir: Path, seed: int, device: str, dtype: str,
               has_eval: bool, interval: int):
    from trl import SFTConfig

    sft = recipe.sft
    return SFTConfig(
        output_dir=str(out_dir), num_train_epochs=sft.epochs, max_steps=sft.max_steps or -1,
        learning_rate=sft.learning_rate, lr_scheduler_type=sft.lr_scheduler,
        warmup_steps=sft.warmup_ratio, weight_decay=sft.weight_decay,
        per_device_train_batch_size=sft.batch_size, per_device_eval_batch_size=sft.batch_size,
        gradient_accumulation_steps=sft.grad_accum, max_length=sft.max_length,
        packing=sft.packing, max_grad_norm=sft.max_grad_norm, logging_steps=sft.logging_steps,
        eval_strategy="steps" if has_eval else "no", eval_steps=interval if has_eval else None,
        save_strategy="steps", save_steps=interval, save_total_limit=2,
        load_best_model_at_end=has_eval, metric_for_best_model="eval_loss" if has_eval else None,
        greater_is_better=False if has_eval else None,
        restore_callback_states_from_checkpoint=True,
        seed=seed, data_seed=seed, use_cpu=device == "cpu", bf16=dtype == "bfloat16",
        report_to=[], disable_tqdm=True, dataloader_num_workers=0, gradient_checkpointing=False,
        remove_unused_columns=True)


def build_trainer(model, tokenizer, train_ds, eval_ds, config, peft_config, callbacks=()):
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    trainer = SFTTrainer(model=model, args=config, train_dataset=train_ds, eval_dataset=eval_ds,
                         processing_class=tokenizer, peft_config=peft_config, callbacks=list(callbacks))
    trainer.remove_callback(PrinterCallback)  # raw log dicts; the progress callback says it better
    return trainer


def quiet_libraries() -> None:
    """No per-step dict printing or dataset-map bars: one progress line per logging step.

    Also silenced: bitsandbytes' note that an optional hub-downloaded CPU kernel is
    missing (gatekeeper never downloads at run time) and transformers' rename warnings
    for the ``gradient_checkpointing`` argument TRL still passes.
    """
    import logging
    import warnings

    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=r".*gradient_checkpointing.*deprecated", category=FutureWarning)
    import datasets
    from transformers.utils import logging as hf_logging

    datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()


@contextmanager
def answer_positions_only(device: str):
    """Score only labelled (answer) positions in TRL's fused LM head, on CPU too.

    TRL's SFT loss projects hidden states onto the vocabulary in chunks; it drops the
    ignored (-100) positions first only where Triton runs the kernel (CUDA/XPU), and
    elsewhere scores every position so that XLA-style backends keep static shapes. On CPU
    that is all wasted work: for the demo's tickets ~15 of ~94 tokens per row carry a
    label, and the vocabulary projection and its backward (49,152 x 576 per position) took
    half of every step. The compact path is TRL's own (the one CUDA uses), selected
    through the name ``trl.trainer.utils._use_triton`` that decides only that; the kernel
    itself still runs as torch code on CPU. Restored on exit; a TRL without that name is
    left alone.
    """
    try:
        from trl.trainer import utils as trl_utils
    except ImportError:
        yield
        return
    original = getattr(trl_utils, "_use_triton", None)
    if device != "cpu" or original is None:
        yield
        return

    def compact(dev) -> bool:
        return dev.type == "cpu" or original(dev)

    trl_utils._use_triton = compact
    try:
        yield
    finally:
        trl_utils._use_triton = original


def early_stopping(recipe: Recipe) -> list:
    """Stop after `early_stopping_patience` evaluations without a better validation loss."""
    if not recipe.sft.early_stopping_patience or recipe.eval_data is None:
        return []
    from transformers import EarlyStoppingCallback

    return [EarlyStoppingCallback(early_stopping_patience=recipe.sft.early_stopping_patience)]


def progress_callback(log):
    """Step, loss, seconds per step and ETA, through ``log`` (a line per logging step)."""
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            self.t0, self.first = time.monotonic(), state.global_step

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            done = state.global_step - self.first
            if "eval_loss" in logs:
                log(f"  eval loss {logs['eval_loss']:.4f} at step {state.global_step}")
            elif "loss" in logs and done > 0:
                rate = (time.monotonic() - self.t0) / done
                eta = rate * (state.max_steps - state.global_step)
                log(f"  step {state.global_step}/{state.max_steps} "
                    f"({100 * state.global_step // max(1, state.max_steps)}%)  loss {logs['loss']:.4f}  "
                    f"{rate:.1f} s/step  ETA {_duration(eta)}")

    return Progress()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class StopRequest:
    """Set by the first Ctrl-C: the trainer saves a checkpoint after the current step and stops."""

    def __init__(self):
        self.requested = False

    def callback(self):
        from transformers import TrainerCallback

        request = self

        class StopOnRequest(TrainerCallback):
            def on_step_end(self, args, state, control, **kwargs):
                if request.requested:
                    control.should_save = True
                    control.should_training_stop = True

        return StopOnRequest()


@contextmanager
def ctrl_c_checkpoints(request: StopRequest, log):
    """First Ctrl-C: finish the step, save a resumable checkpoint. Second: abort at once."""
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if request.requested:
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        request.requested = True
        log("interrupt: saving a checkpoint after this step (Ctrl-C again to abort)")

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: no signal handling, Ctrl-C aborts as usual
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
