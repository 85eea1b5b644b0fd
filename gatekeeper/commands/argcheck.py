"""Command-line values argparse cannot check alone, and a parser whose errors exit 4.

Everything here runs before a bundle is read, so a bad option never costs a model load.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gatekeeper.core.errors import UsageError


class Parser(argparse.ArgumentParser):
    """argparse with gatekeeper's exit code for a bad command line (4, not argparse's 2,
    which means "interrupted" here)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(4)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, found {value}")
    return value


def check_options(args) -> None:
    """Option values that argparse cannot check alone; all fail before anything loads."""
    for flag, expr in (("-k", args.keyword), ("-m", args.markexpr)):
        if expr is not None:
            check_expression(flag, expr)
    check_cache_dir(args.cache_dir)
    if args.device == "cuda":  # torch is needed for the run anyway
        import torch

        if not torch.cuda.is_available():
            raise UsageError("--device cuda: torch sees no CUDA device",
                             hint="use --device auto or cpu, or install a CUDA build of torch")
    tensor_parallel = getattr(args, "tensor_parallel_size", 1)
    if getattr(args, "backend", "hf") == "vllm":
        if args.workers > 1:
            raise UsageError("--backend vllm with --workers: vLLM schedules the GPU itself",
                             hint="drop --workers (it shards the hf backend over CPU processes)")
        from gatekeeper.model.vllm_backend import check_available

        check_available(args.device, tensor_parallel)
    elif tensor_parallel > 1:
        raise UsageError(f"--tensor-parallel-size {tensor_parallel} needs --backend vllm",
                         hint="add --backend vllm (GPU runners), or drop --tensor-parallel-size; "
                              "the hf backend scales out with --workers or torchrun")
    if args.workers > 1:
        from gatekeeper.model.exchange import dist_timeout

        dist_timeout(os.environ)
    if args.junitxml is not None:
        if args.junitxml.is_dir():
            raise UsageError(f"--junitxml {args.junitxml} is a directory",
                             hint="give a file path, e.g. --junitxml reports/junit.xml")
        writable_place("--junitxml", args.junitxml)


def check_launch_options(args, launch) -> None:
    """What a launched run (torchrun, accelerate launch) cannot combine with."""
    where = f"{launch.launcher} (WORLD_SIZE={launch.world_size})"
    if args.workers > 1:
        raise UsageError(f"--workers {args.workers} under {where}: the launcher already started the ranks",
                         hint="drop --workers; the launcher's --nproc-per-node sets the ranks per machine")
    if args.backend == "vllm":
        raise UsageError(f"--backend vllm under {where}: vLLM places its own GPU workers",
                         hint="run one `gatekeeper check --backend vllm --tensor-parallel-size N` "
                              "without a launcher, or use --backend hf under it")
    if args.train:
        raise UsageError(f"--train under {where}: the other ranks would wait for the training",
                         hint="run `gatekeeper train BUNDLE` first, then launch the check")


def writable_place(flag: str, path: Path) -> None:
    """``path`` can be created: its nearest existing ancestor is a folder this user may write."""
    existing = next((p for p in Path(path).absolute().parents if p.exists()), None)
    if existing is None:
        return
    if not existing.is_dir():
        raise UsageError(f"{flag} {path}: {existing} is a file, not a directory",
                         hint=f"give {flag} a path in a directory you can write to")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: {existing} is not writable",
                         hint=f"give {flag} a path in a directory you can write to")


def add_cache_options(parser: argparse.ArgumentParser) -> None:
    """``--no-cache`` and ``--cache-dir``, the same for every command that caches."""
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the cache (cache.sqlite); the run still "
                             "computes what its gates share once")
    parser.add_argument("--cache-dir", type=Path,
                        help="cache directory for everything this run caches "
                             "(default: $GATEKEEPER_CACHE_DIR, else the user cache)")


def check_cache_dir(cache_dir: Path | None) -> Path:
    """The cache root the run will use, created and writable, or a usage error. It is
    needed even with --no-cache: --lf state and converted models live there."""
    from gatekeeper.core.paths import cache_root, use_cache

    if cache_dir is not None and cache_dir.exists() and not cache_dir.is_dir():
        raise UsageError(f"--cache-dir {cache_dir} is a file", where=cache_dir,
                         hint="give a directory (it is created when missing)")
    with use_cache(True, cache_dir):
        root = cache_root()  # a ConfigError naming the folder when it cannot be created
    if not os.access(root, os.W_OK | os.X_OK):
        flag = f"--cache-dir {cache_dir}" if cache_dir is not None else f"cache directory {root}"
        raise UsageError(f"{flag} is not writable", where=root,
                         hint="point --cache-dir (or GATEKEEPER_CACHE_DIR) at a directory you can write to")
    return root


def check_expression(flag: str, expr: str) -> None:
    """A -k/-m expression pytest would refuse, refused here with pytest's own message."""
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # pytest moved it: pytest itself refuses the expression later
        return
    try:
        Expression.compile(expr)
    except (SyntaxError, ValueError) as exc:  # pytest 9: SyntaxError; older: ParseError(Exception)
        message = getattr(exc, "msg", None) or str(exc)
        column = getattr(exc, "offset", None) or getattr(exc, "column", None)
        at = f" at column {column}" if column else ""
        raise UsageError(f"{flag} {expr!r}: bad expression{at}: {message}",
                         hint="use names joined by and/or/not, e.g. -k 'tickets and not json'") from None
    except Exception as exc:  # noqa: BLE001 - older pytest raises its own ParseError class
        if type(exc).__name__ != "ParseError":
            raise
        raise UsageError(f"{flag} {expr!r}: bad expression: {exc}",
                         hint="use names joined by and/or/not, e.g. -k 'tickets and not json'") from None
