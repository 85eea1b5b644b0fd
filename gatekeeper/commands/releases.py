"""The ``release`` and ``rollback`` commands: argument parsing and console output only.

Kept out of gatekeeper/cli.py so the registry's options live beside the registry; nothing
heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gatekeeper.core.errors import UsageError


def add_release_commands(sub) -> None:
    release = sub.add_parser("release", help="record a bundle whose last check passed in the release registry")
    release.add_argument("bundle", type=Path)
    release.add_argument("--registry", type=Path,
                         help="release registry directory (default: the manifest's `releases:`)")
    release.add_argument("--report", type=Path,
                         help="report.json (or its folder) of the passing check "
                              "(default: newest reports/NAME-VERSION-*/)")
    release.add_argument("--require-signature", action="store_true",
                         help="refuse a report that the check did not sign with $GATEKEEPER_SIGNING_KEY "
                              "(the same key must be set here)")
    release.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))

    rollback = sub.add_parser("rollback", help="restore a release, re-verify its hashes and fingerprint")
    rollback.add_argument("--registry", type=Path, required=True, help="release registry directory")
    rollback.add_argument("--to", dest="version", help="the version to restore")
    rollback.add_argument("--out", type=Path, help="new directory to restore into")
    rollback.add_argument("--name", help="bundle name (needed when the registry holds several)")
    rollback.add_argument("--tolerance", type=_tolerance, default=None,
                          help="largest accepted log-prob change per probe token (default 1e-3)")
    rollback.add_argument("--list", action="store_true", help="list the releases and exit")
    rollback.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def run_release(args) -> int:
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.releases.publish import release_bundle

    registry = args.registry
    if registry is None:
        registry = load_bundle(args.bundle).releases
        if registry is None:
            raise UsageError("no registry: pass --registry DIR or set `releases:` in the manifest",
                             hint="e.g. gatekeeper release BUNDLE --registry releases/")
    result = release_bundle(args.bundle, registry, report=args.report, device=args.device,
                            require_signature=args.require_signature)
    print(f"released {result.ref.name} {result.ref.version}: {result.files} files, entry "
          f"{result.ref.digest[:19]}… in {registry} ({result.seconds:.1f} s, fingerprint "
          f"{result.fingerprint_seconds:.1f} s)")
    return 0


def run_rollback(args) -> int:
    from gatekeeper.releases.rollback import rollback
    from gatekeeper.releases.store import Store

    if args.list:
        store = Store(args.registry)
        store.check_readable()
        refs = store.refs(args.name)
        for ref in refs:
            print(f"{ref.name} {ref.version} " + (f"UNREADABLE: the ref {ref.problem} ({ref.path})"
                                                  if ref.problem else f"{ref.digest[:19]}…"))
        if not refs:
            print(f"no releases in {args.registry}")
        return 0
    if not args.version or not args.out:
        raise UsageError("rollback needs --to VERSION and --out DIR (or --list)",
                         hint="e.g. gatekeeper rollback --registry releases/ --to 1.0.0 --out restored/")
    result = rollback(args.registry, args.version, args.out, name=args.name,
                      tolerance=args.tolerance, device=args.device)
    drift = result.drift
    print(f"restored {result.name} {result.version} into {result.bundle_dir}: {result.files} files, "
          f"every hash verified ({result.seconds:.1f} s, fingerprint {result.fingerprint_seconds:.1f} s)")
    versions = _changed_versions(result.recorded_runtime, result.current_runtime)
    if versions:
        print(f"runtime changed since release: {versions}")
    if not drift.drifted:
        print(f"fingerprint reproduced: {len(drift.probes)} probes, max log-prob change "
              f"{drift.max_logprob_diff:.1e} (tolerance {drift.tolerance:.0e})")
        return 0
    print(f"DRIFT: {len(drift.drifted)} of {len(drift.probes)} probes behave differently on this runtime")
    for probe in drift.drifted:
        print(f"  {probe['prompt']!r}: {probe['reason']}\n    released: {probe['recorded']!r}\n"
              f"    now:      {probe['current']!r}")
    return 1


def _changed_versions(recorded: dict, current: dict) -> str:
    old, new = recorded.get("versions") or {}, current.get("versions") or {}
    changes = [f"{k} {old.get(k)} -> {new.get(k)}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    for key in ("dtype", "device", "quantization"):
        if recorded.get(key) != current.get(key):
            changes.append(f"{key} {recorded.get(key)} -> {current.get(key)}")
    return ", ".join(changes)
