"""The ``train`` and ``sweep`` commands: argument parsing and console output only.

Nothing heavy is imported until a command runs (``--help`` stays fast).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gatekeeper.core.errors import UsageError


def add_train_commands(sub) -> None:
    train = sub.add_parser("train", help="train the manifest's recipe into the bundle's adapter (TRL SFT + PEFT)")
    train.add_argument("bundle", type=Path)
    train.add_argument("--resume", action="store_true",
                       help="continue from the last checkpoint of an interrupted run (same recipe and data)")
    train.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    train.add_argument("--no-lock", action="store_true", help="do not re-pin gatekeeper.lock afterwards")

    sweep = sub.add_parser("sweep", help="train one adapter per setting, gate each, compare them")
    sweep.add_argument("bundle", type=Path)
    sweep.add_argument("--rank", type=_values, help="LoRA ranks, e.g. 4,8,16 (alpha follows as 2r)")
    sweep.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=V1,V2",
                       help="other recipe keys, e.g. sft.learning_rate=1e-4,2e-4 (repeatable)")
    sweep.add_argument("--target", metavar="GATE.METRIC",
                       help="the metric to maximise (default: the first blocking gate's metric)")
    sweep.add_argument("-k", dest="keyword", metavar="EXPR", help="only gates matching EXPR")
    sweep.add_argument("--out", type=Path, help="sweep directory (default reports/NAME-sweep-TIME)")
    sweep.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))


def _values(text: str) -> list:
    items = [v.strip() for v in text.split(",") if v.strip()]
    if not items:
        raise argparse.ArgumentTypeError("give at least one value, e.g. 4,8,16")
    return [_scalar(v) for v in items]


def _scalar(text: str):
    """A number when it reads as one (YAML alone would keep 1e-3 a string), else YAML."""
    import yaml

    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return yaml.safe_load(text)


def parse_settings(rank: list | None, settings: list[str]) -> list[tuple[str, list]]:
    """``--rank`` and ``--set key=v1,v2`` as (dotted key, values) pairs."""
    axes = [("lora.r", list(rank))] if rank else []
    for item in settings:
        key, sep, values = item.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise UsageError(f"--set {item!r}: expected KEY=V1,V2 (e.g. sft.learning_rate=1e-4,2e-4)")
        axes.append((key.strip(), _values(values)))
    if not axes:
        raise UsageError("sweep needs --rank or --set KEY=V1,V2", hint="e.g. gatekeeper sweep BUNDLE --rank 4,8,16")
    return axes


def cmd_train(args, extra, argv) -> int:
    from gatekeeper.train.run import TrainOptions, train_bundle

    result = train_bundle(args.bundle, TrainOptions(resume=args.resume, device=args.device,
                                                    relock=not args.no_lock))
    if result.status == "complete" and result.record is not None:
        rec = result.record
        best = rec["best"]
        print(f"trained {rec['steps']['done']} steps in {rec['train_seconds']:.0f}s "
              f"({rec['tokens']['per_second']:.0f} tokens/s, peak {rec['peak_memory_mb']:.0f} MB); "
              f"adapter: {result.adapter}"
              + (f"; best eval loss {best['eval_loss']:.4f} at step {best['step']}" if best["step"] else ""))
    return result.exit_code


def cmd_sweep(args, extra, argv) -> int:
    from gatekeeper.commands.sweep import SweepOptions, sweep_bundle

    axes = parse_settings(args.rank, args.settings)
    result = sweep_bundle(args.bundle, axes, SweepOptions(target=args.target, keyword=args.keyword,
                                                          out_dir=args.out, device=args.device))
    print(result.summary)
    return result.exit_code


TRAIN_COMMANDS = {"train": cmd_train, "sweep": cmd_sweep}
