"""MMLU through gatekeeper (one process, one model load, base + candidate) vs two lm-eval CLI runs.

    python benchmarks/mmlu.py                                   # 3 subjects x 10 questions
    python benchmarks/mmlu.py --subjects anatomy,astronomy --limit 50

Both sides run the same locally generated MMLU tasks (gatekeeper/evals/mmlu.py) from
../shared/data/mmlu on the builtin SmolLM2-135M-Instruct (fp32, CPU) with the demo adapter:

* gatekeeper: a fresh process that loads the model once and evaluates the candidate
  (adapter on) and the baseline (adapter disabled) through lm-eval's HFLM on that model;
* lm-eval CLI: ``python -m lm_eval run --model hf`` twice, once on the base model and once
  with ``peft=<adapter>`` (each run loads the model and indexes lm-eval's task registry).

Prints both wall times, the ratio, the accuracies of each model on each side and how many
per-question predictions agree. Compare ratios, not seconds; on a machine shared with other
jobs wall time swings with their load, so the CPU-time ratio (user + system seconds of
each side's processes) is printed too. gatekeeper saves one process start, one lm-eval import
and task-registry index and one model load; the evaluation itself is the same work on both
sides, so the ratio shrinks as --limit grows. Measured (3 x 10 questions, shared 2-core
machine): predictions equal on 30/30 questions for both models, 1.60x less CPU time, 2.24x
less wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SUBJECTS = "abstract_algebra,anatomy,astronomy"


def main() -> int:
    args = _parser().parse_args()
    if args.side == "gatekeeper":
        return _gatekeeper_side(args)
    mmlu = Path(args.mmlu)
    if not (mmlu / "data" / "test").is_dir():
        print(f"skip: no MMLU data at {mmlu} (see ../shared/data/README.md)")
        return 0
    from gatekeeper.evals.harness import HarnessRun
    from gatekeeper.evals.mmlu import build_tasks
    from gatekeeper.evals.reference import run_cli
    from gatekeeper.model.resolve import resolve_base

    work = Path(tempfile.mkdtemp(prefix="gk-mmlu-bench-"))
    tasks = build_tasks(mmlu, args.subjects.split(","), work / "tasks")
    run = HarnessRun(tasks.directory, tuple(t.name for t in tasks.tasks), num_fewshot=0,
                     limit=args.limit, batch_size=args.batch_size)
    model_dir = resolve_base(args.model).path
    start, cpu = time.perf_counter(), _child_cpu()
    subprocess.run([sys.executable, __file__, "--side", "gatekeeper", "--mmlu", str(mmlu),
                    "--subjects", args.subjects, "--limit", str(args.limit), "--model", args.model,
                    "--adapter", args.adapter, "--batch-size", str(args.batch_size),
                    "--out", str(work / "gk.json")], check=True)
    gk_s, gk_cpu = time.perf_counter() - start, _child_cpu() - cpu
    start, cpu = time.perf_counter(), _child_cpu()
    cli_base = run_cli(model_dir, run, work / "cli-base")
    cli_cand = run_cli(model_dir, run, work / "cli-cand", peft_dir=Path(args.adapter).resolve())
    cli_s, cli_cpu = time.perf_counter() - start, _child_cpu() - cpu
    gk = json.loads((work / "gk.json").read_text())
    _print(gk, {"baseline": _preds(cli_base), "candidate": _preds(cli_cand)}, (gk_s, gk_cpu), (cli_s, cli_cpu))
    return 0


def _child_cpu() -> float:
    """CPU seconds (user + system) of finished child processes: unlike wall time, not
    inflated by other jobs on a shared machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _gatekeeper_side(args) -> int:
    """One process: one model load, the candidate then the baseline on the same model."""
    from gatekeeper.evals.harness import HarnessRun, run_harness
    from gatekeeper.evals.mmlu import build_tasks
    from gatekeeper.model.cache import NullCache
    from gatekeeper.model.engine import Engine
    from gatekeeper.model.resolve import resolve_base

    tasks = build_tasks(Path(args.mmlu), args.subjects.split(","), Path(args.out).parent / "tasks")
    run = HarnessRun(tasks.directory, tuple(t.name for t in tasks.tasks), num_fewshot=0,
                     limit=args.limit, batch_size=args.batch_size)
    engine = Engine(base=resolve_base(args.model), adapter_dir=Path(args.adapter), cache=NullCache(),
                    progress=False)
    out = {}
    for name, adapter in (("candidate", True), ("baseline", False)):
        with engine.adapter_enabled(adapter) as model:
            out[name] = _preds(run_harness(model, engine.tokenizer, run))
    Path(args.out).write_text(json.dumps(out))
    return 0


def _preds(results: dict) -> dict:
    """task/doc_hash -> (predicted choice, metric) from per-sample records."""
    return {f"{task}/{s.doc_hash}": [s.predicted, s.metric] for task, samples in results.items() for s in samples}


def _print(gk: dict, cli: dict, gk_t: tuple, cli_t: tuple) -> None:
    for who in ("baseline", "candidate"):
        a, b = gk[who], cli[who]
        same = sum(1 for k in a if k in b and a[k][0] == b[k][0])
        acc_a = sum(v[1] for v in a.values()) / len(a)
        acc_b = sum(v[1] for v in b.values()) / len(b)
        print(f"{who:9s}: gatekeeper accuracy {acc_a:.4f}, lm-eval CLI {acc_b:.4f}; "
              f"same prediction on {same}/{len(a)} questions (CLI scored {len(b)})")
    print(f"gatekeeper (1 process, 1 load, base + candidate): wall {gk_t[0]:.1f} s, CPU {gk_t[1]:.1f} s")
    print(f"lm-eval CLI (2 runs):                             wall {cli_t[0]:.1f} s, CPU {cli_t[1]:.1f} s")
    print(f"ratio: {cli_t[0] / gk_t[0]:.2f}x faster by wall time, {cli_t[1] / gk_t[1]:.2f}x by CPU time")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mmlu", default=str(ROOT.parent / "shared" / "data" / "mmlu"))
    p.add_argument("--subjects", default=DEFAULT_SUBJECTS)
    p.add_argument("--limit", type=int, default=10, help="questions per subject")
    p.add_argument("--model", default="builtin:smollm2-135m-instruct")
    p.add_argument("--adapter", default=str(ROOT / "examples" / "tickets" / "adapter"))
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--side", choices=("both", "gatekeeper"), default="both", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    return p


if __name__ == "__main__":
    sys.exit(main())
