"""Command line: thin argument parsing; each command calls one library function.

Nothing heavy is imported at module level: ``--help`` and ``validate`` must not import torch.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

from gatekeeper.core.version import __version__
from gatekeeper.commands.train import TRAIN_COMMANDS, add_train_commands
from gatekeeper.commands.argcheck import (Parser, add_cache_options, check_cache_dir, check_options,
                                          positive_int)
from gatekeeper.core.errors import CollectionErrors, GatekeeperError, UsageError
from gatekeeper.core.signals import sigterm_as_interrupt

EXIT_CODES = """exit codes:
  0  every blocking gate passed
  1  a blocking gate failed or was inconclusive
  2  interrupted
  3  internal error, or a blocking gate could not be measured (outcome error)
  4  usage or configuration error (manifest, gate file, lock, golden set)
  5  no gates selected"""


# `check` takes pytest's selection options as its own (-k, -m, -x, --lf, --junitxml, -v);
# no other pytest option is passed through: nothing outside the bundle may change a verdict.
CHECK_EPILOG = EXIT_CODES + """

Only the options above are accepted; other pytest options are refused (exit 4), so nothing
on the command line beyond these can change which gates run or how they are judged."""


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="gatekeeper", description="Decide whether a fine-tuned LLM adapter may ship.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"gatekeeper {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="run a bundle's gates and write the release report",
                           epilog=CHECK_EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("bundle", type=Path)
    check.add_argument("-k", dest="keyword", metavar="EXPR", help="only gates matching EXPR (pytest -k)")
    check.add_argument("-m", dest="markexpr", metavar="MARKEXPR", help="only gates with these markers")
    check.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first gate that does not pass")
    check.add_argument("--lf", "--last-failed", dest="last_failed", action="store_true",
                       help="rerun only the gates that did not pass last time")
    check.add_argument("--out", type=Path, help="report directory (default reports/NAME-VERSION-TIME)")
    check.add_argument("--junitxml", type=Path, help="also write the JUnit XML here")
    add_cache_options(check)
    check.add_argument("--remeasure", action="store_true",
                       help="time the serving gates again instead of reusing a stored measurement "
                            "of the same candidate, base, config and machine")
    check.add_argument("--export-merged", type=Path, metavar="DIR",
                       help="write the merged model (safetensors) to DIR; merge_equivalence then checks those files")
    check.add_argument("--batch-size", type=positive_int, help="generation batch size (default 64)")
    check.add_argument("--workers", type=positive_int, default=1, metavar="N",
                       help="data parallel: shard generation and scoring over N processes (gloo); "
                            "same report as one process")
    check.add_argument("--tensor-parallel-size", type=positive_int, default=1, metavar="N",
                       help="--backend vllm: split the model over N GPUs of this machine (vLLM "
                            "tensor parallel); recorded in the report")
    check.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    check.add_argument("--backend", default="hf", choices=("hf", "vllm"),
                       help="generation and log-likelihood engine: hf (transformers, default) or "
                            "vllm (GPU runners; pip install \"gatekeeper[vllm]\")")
    check.add_argument("--no-progress", action="store_true", help="no progress bars")
    check.add_argument("-v", "--verbose", action="store_true")
    check.add_argument("--collect-only", action="store_true",
                       help="list the gates the selection (-k, -m, --lf) would run, and run none")
    check.add_argument("--train", action="store_true",
                       help="first train the recipe when the adapter is missing or stale (recipe/data hash)")

    plan = sub.add_parser("plan", help="size the gates: pass probability and n for 80%% (no model)")
    plan.add_argument("bundle", type=Path)
    plan.add_argument("--assume", action="append", metavar="METRIC=VALUE",
                      help="assumed true value (repeatable): valid_rate=0.999, accuracy.delta=0.05, "
                           "accuracy.discordance=0.2, over_refusal_rate.base=0.02, score.sd=0.2")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")

    validate = sub.add_parser("validate", help="validate manifest and gate files (no model, fast)")
    validate.add_argument("bundle", type=Path)

    lock = sub.add_parser("lock", help="write gatekeeper.lock (sha256 of every artifact)")
    lock.add_argument("bundle", type=Path)
    add_cache_options(lock)  # file hashes are memoised in the cache

    sub.add_parser("list", help="list gate types with their parameters")

    init = sub.add_parser("init", help="scaffold a new bundle directory")
    init.add_argument("directory", type=Path)
    init.add_argument("--name", help="bundle name (default: the directory name)")

    report = sub.add_parser("report", help="re-render HTML/JUnit/markdown from a report.json")
    report.add_argument("report_json", type=Path)
    report.add_argument("--out", type=Path, help="output directory (default: beside report.json)")

    from gatekeeper.commands.releases import add_release_commands
    add_release_commands(sub)
    add_train_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # bitsandbytes warns at import that an optional hub-downloaded CPU kernel is missing;
    # gatekeeper never downloads at run time, so the line is noise in every command's output.
    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)} (see `gatekeeper "
                     f"{args.command} --help`; pytest options are not passed through)")
    try:
        with sigterm_as_interrupt():  # CI cancels with SIGTERM: exit 2, temp files removed
            return int(COMMANDS[args.command](args, extra, argv))
    except BaseException as exc:  # noqa: BLE001 - the one exit path: every ending gets its code here
        return report_exit(exc, verbose=bool(getattr(args, "verbose", False)))


def report_exit(exc: BaseException, *, verbose: bool = False) -> int:
    """Print one line for a run that ended with an exception and return its exit code.

    User errors print their message (file:line and a hint). Anything unexpected prints one
    line naming what failed; its traceback goes to a log file (inside the report directory
    when the run got that far) and, with -v, to the console.
    """
    from gatekeeper.core.results import Exit, exit_for_error

    if isinstance(exc, SystemExit):
        raise exc
    if isinstance(exc, CollectionErrors):
        for err in exc.errors:
            print(f"error: {err}", file=sys.stderr)
        print(f"{len(exc.errors)} error(s); nothing was run.", file=sys.stderr)
    elif isinstance(exc, GatekeeperError):
        print(f"error: {exc}", file=sys.stderr)
    elif isinstance(exc, KeyboardInterrupt):
        print(str(exc) or "interrupted", file=sys.stderr)
    else:
        log = _write_crash_log(exc)
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"internal error: {type(exc).__name__}: {first} (traceback in {log}; "
              "please report it)", file=sys.stderr)
        if verbose:
            traceback.print_exception(exc, file=sys.stderr)
        return int(Exit.INTERNAL)
    return int(exit_for_error(exc))


def _write_crash_log(exc: BaseException) -> Path:
    """The traceback, in the run's report directory when it has one, else in the temp dir."""
    text = "".join(traceback.format_exception(exc))
    folder = getattr(exc, "report_dir", None)
    try:
        if folder is not None:
            path = Path(folder) / "gatekeeper-error.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
            return path
    except OSError:
        pass
    fd, name = tempfile.mkstemp(prefix="gatekeeper-error-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(name)


def _export_dir(path: Path | None) -> Path | None:
    from gatekeeper.model.merge import check_export_dir

    return check_export_dir(path) if path is not None else None


def cmd_check(args, extra, argv) -> int:
    from gatekeeper.commands.check import CheckOptions, run_check
    from gatekeeper.report.console import render_console
    from gatekeeper.core.options import EngineOptions

    from gatekeeper.commands.argcheck import check_launch_options
    from gatekeeper.model.exchange import launch_from_os

    launch = launch_from_os()  # torchrun / accelerate launch: only this entry reads it
    launched = launch is not None and launch.world_size > 1
    if launched:
        check_launch_options(args, launch)
    check_options(args)
    engine = EngineOptions(cache=not args.no_cache, cache_dir=args.cache_dir,
                           batch_size=args.batch_size, device=args.device,
                           progress=not args.no_progress, workers=args.workers, backend=args.backend,
                           tensor_parallel_size=args.tensor_parallel_size, remeasure=args.remeasure)
    merged = _export_dir(args.export_merged)
    options = CheckOptions(out_dir=args.out, keyword=args.keyword, markexpr=args.markexpr,
                           exitfirst=args.exitfirst, last_failed=args.last_failed,
                           junitxml=args.junitxml, verbose=args.verbose, engine=engine,
                           pytest_args=tuple(extra), argv=("gatekeeper", *argv), train=args.train,
                           outputs={"merged": merged} if merged is not None else {})
    if args.collect_only:
        from gatekeeper.commands.listing import collect_only, render_listing

        if launch is not None and launched and launch.rank != 0:
            return 0  # rank 0 lists; nothing runs, so no rank needs to join

        text, code = render_listing(*collect_only(args.bundle, options))
        print(text)
        return code
    if launched:
        return check_launched(args, launch, options)
    result = run_check(args.bundle, options)
    print(render_console(result.report, result.paths))
    return result.exit_code


def check_launched(args, launch, options) -> int:
    """One rank of a launched check: rank 0 runs it and sends its exit code; every other
    rank answers rank 0's shards (gatekeeper/model/parallel.py) and exits with that code."""
    from dataclasses import replace

    from gatekeeper.commands.check import run_check
    from gatekeeper.model.exchange import join
    from gatekeeper.model.parallel import finish, serve
    from gatekeeper.report.console import render_console

    group = join(launch, args.device)
    try:
        if launch.rank != 0:
            return serve(group)
        try:
            result = run_check(args.bundle, replace(options, engine=replace(options.engine, launched=group)))
            print(render_console(result.report, result.paths))
            code = result.exit_code
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the other ranks end with its code
            code = report_exit(exc, verbose=bool(args.verbose))
        return finish(group, code)
    finally:
        group.leave()


def cmd_validate(args, extra, argv) -> int:
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog

    bundle = load_bundle(args.bundle)
    collection = collect_gates(bundle, load_catalog())
    print(f"ok: {bundle.name} {bundle.version}: {len(collection.gates)} gate(s) in "
          f"{len(collection.gate_files)} gate file(s), {len(collection.python_files)} python gate file(s)")
    return 0


def cmd_lock(args, extra, argv) -> int:
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.lock import base_identity, write_lock
    from gatekeeper.core.paths import use_cache

    check_cache_dir(args.cache_dir)
    with use_cache(not args.no_cache, args.cache_dir):
        bundle = load_bundle(args.bundle)
        collection = collect_gates(bundle, load_catalog())
        path = write_lock(bundle, collection, base_identity(bundle))
    print(f"wrote {path}")
    return 0


def cmd_list(args, extra, argv) -> int:
    from gatekeeper.run.registry import load_gate_types

    for gtype in sorted(load_gate_types().values(), key=lambda g: g.name):
        print(f"{gtype.name}: {gtype.summary}")
        for p in gtype.params:
            default = "required" if p.required else f"default {p.default!r}"
            print(f"    {p.name}: {p.annotation} ({default})")
        if gtype.metrics:
            print("    metrics: " + ", ".join(f"{m.name} ({m.kind}, {m.direction}, {m.sampling})"
                                         for m in gtype.metrics))
    return 0


def cmd_init(args, extra, argv) -> int:
    from gatekeeper.commands.scaffold import init_bundle

    path = init_bundle(args.directory, name=args.name)
    print(f"created bundle in {path}; next: edit gatekeeper.yaml, then `gatekeeper lock {path}`")
    return 0


def cmd_report(args, extra, argv) -> int:
    from gatekeeper.report.model import read_report
    from gatekeeper.report.outputs import write_outputs

    report = read_report(args.report_json)
    out = args.out or args.report_json.parent
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file", hint="give a directory (it is created when missing)")
    try:
        written = write_outputs(report, out)
    except OSError as exc:
        raise UsageError(f"cannot write the report into {out}: {exc.strerror}",
                         hint="pass --out with a directory you can write to") from None
    for kind, path in written.items():
        print(f"{kind}: {path}")
    return 0


def cmd_release(args, extra, argv) -> int:
    from gatekeeper.commands.releases import run_release

    return run_release(args)


def cmd_rollback(args, extra, argv) -> int:
    from gatekeeper.commands.releases import run_rollback

    return run_rollback(args)


def cmd_plan(args, extra, argv) -> int:
    import json

    from gatekeeper.commands.plan import parse_assumptions, plan_bundle, render_plan

    plan = plan_bundle(args.bundle, parse_assumptions(args.assume))
    print(json.dumps(plan, indent=2) if args.json else render_plan(plan))
    return 0


COMMANDS = {"check": cmd_check, "validate": cmd_validate, "lock": cmd_lock, "list": cmd_list,
            "init": cmd_init, "report": cmd_report, "release": cmd_release, "rollback": cmd_rollback,
            "plan": cmd_plan}
COMMANDS.update(TRAIN_COMMANDS)

if __name__ == "__main__":
    sys.exit(main())
