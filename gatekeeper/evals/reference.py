"""The same tasks through lm-eval's own command line: the reference gatekeeper must match.

Used by the equivalence test and ``benchmarks/mmlu.py``. It runs ``python -m lm_eval
run --model hf`` in a subprocess (the CLI loads the model itself) and reads back its
per-sample log, so predictions can be compared document by document.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gatekeeper.evals.harness import HarnessRun, SampleRecord, _record


def cli_command(model_dir: Path, run: HarnessRun, out_dir: Path, peft_dir: Path | None = None,
                dtype: str = "float32") -> list[str]:
    model_args = f"pretrained={model_dir},dtype={dtype}" + (f",peft={peft_dir}" if peft_dir else "")
    cmd = [sys.executable, "-m", "lm_eval", "run", "--model", "hf", "--model_args", model_args,
           *(["--include_path", str(run.task_dir)] if run.task_dir else []),  # built-ins: its own index
           "--tasks", ",".join(run.tasks),
           "--batch_size", str(run.batch_size), "--device", "cpu", "--log_samples",
           "--output_path", str(out_dir), "--seed", str(run.seed)]
    if run.num_fewshot is not None:
        cmd += ["--num_fewshot", str(run.num_fewshot)]
    if run.limit is not None:
        cmd += ["--limit", str(run.limit)]
    if run.chat_template:
        cmd += ["--apply_chat_template"]
    return cmd


def run_cli(model_dir: Path, run: HarnessRun, out_dir: Path, peft_dir: Path | None = None,
            timeout: float = 1800) -> dict[str, list[SampleRecord]]:
    """Run the CLI and parse its ``samples_<task>_*.jsonl`` files."""
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(cli_command(model_dir, run, out_dir, peft_dir), env=env, timeout=timeout,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"lm_eval CLI failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = {}
    for task in run.tasks:
        files = sorted(out_dir.rglob(f"samples_{task}_*.jsonl"))
        if not files:
            raise RuntimeError(f"the lm_eval CLI wrote no samples for {task} under {out_dir}")
        lines = files[-1].read_text("utf-8").splitlines()
        out[task] = [_record(task, _normalise(json.loads(line)), run.metric)
                     for line in lines if line.strip()]
    return out


def _normalise(sample: dict) -> dict:
    """The saved log stringifies responses and keys arguments as gen_args_N: undo both."""
    args = sample.get("arguments")
    if isinstance(args, dict):
        ordered = [args[k] for k in sorted(args, key=lambda k: int(k.rsplit("_", 1)[1]))]
        sample["arguments"] = [tuple(a[k] for k in sorted(a)) for a in ordered]
    resps = sample.get("filtered_resps") or []
    if resps and isinstance(resps[0], list) and len(resps[0]) == 2:
        try:
            sample["filtered_resps"] = [(float(r[0]), r[1] in (True, "True")) for r in resps]
        except (TypeError, ValueError):
            pass  # generation outputs stay text
    return sample
