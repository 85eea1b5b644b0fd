"""rollback_restore: before a new release ships, the previous one must still restore and behave.

A rollback is only a plan if it works: the registry entry of the newest release older than
this bundle is checked file by file (every blob re-hashed; a flipped byte is named), restored
into the gate's scratch directory, its own lock re-verified, and its behavioural fingerprint
re-run on this runtime (its adapter on a freshly loaded base, its chat template) and compared
with the one recorded at release. Hashing runs on every check; the fingerprint re-run is
memoised by entry digest and runtime (library versions, device, dtype), so a warm re-check
re-hashes but does not reload. No previous release: the gate is skipped.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from gatekeeper.core.errors import ConfigError, GatekeeperError, MeasurementError
from gatekeeper.core.measurement import ItemResult, Measurement, Samples
from gatekeeper.core.metrics import Metric
from gatekeeper.core.gatetype import gate_type
from gatekeeper.releases.view import Skipped


METRICS = (
    Metric("problems", higher_is_better=False, kind="value", lower=0, upper=None,
           description="corrupt or missing files, lock errors and probes that drifted"),
    Metric("probes_reproduced_rate", sampled=False, description="share of fingerprint probes reproduced within tolerance"),
    Metric("files_verified", kind="value", lower=0, upper=None, description="registry files re-hashed"),
    Metric("max_logprob_diff", higher_is_better=False, kind="value", lower=0, upper=None, unit="nats",
           description="largest top-k log-prob change against the recorded fingerprint"),
)


def _check(params: dict, golden) -> None:
    tolerance = params.get("tolerance", 1e-3)
    if not tolerance >= 0:
        raise ConfigError(f"tolerance must be >= 0, found {tolerance!r}",
                          hint="the largest accepted log-prob change per probe token (default 1e-3)")


@gate_type(metrics=METRICS, check=_check)
def rollback_restore(ctx, *, tolerance: float = 1e-3, version: str | None = None) -> Measurement:
    """The previous release restores, re-verifies every hash and reproduces its fingerprint."""
    store, ref = _previous(ctx.bundle, version)
    problems: list[tuple[str, str]] = []
    try:
        entry = store.entry(ref)
    except GatekeeperError as exc:
        return _result(ref, [(f"entry {ref.version}", exc.message)], 0, None)
    from gatekeeper.releases.rollback import verify_entry

    verification = verify_entry(store, entry)
    problems += sorted(verification.problems.items())
    if problems:  # never load files that failed their hash
        return _result(ref, problems, len(verification.files), None)
    scratch = Path(ctx.scratch) if ctx.scratch else Path(tempfile.mkdtemp(prefix="gatekeeper-rollback-"))
    restored, lock_problems = _restore(store, entry, scratch / f"{ref.name}-{ref.version}")
    if lock_problems:
        return _result(ref, lock_problems, len(verification.files), None)
    models = ctx.models
    parts = {"entry": ref.digest, "base": models.base.fingerprint, "device": models.device,
             "tolerance": tolerance}
    drift = ctx.memo("rollback_restore", parts,
                     lambda: _drift(ctx, restored, entry, tolerance))
    problems += [(f"probe: {p['prompt']}", p["reason"]) for p in drift["probes"] if not p["reproduced"]]
    return _result(ref, problems, len(verification.files), drift)


def _previous(bundle, version: str | None):
    from gatekeeper.releases import previous_entry
    from gatekeeper.releases.store import Store

    if bundle.releases is None:
        raise Skipped("no release registry configured (manifest: releases)")
    if version is not None:
        return Store(bundle.releases), Store(bundle.releases).find(bundle.name, version)
    found = previous_entry(bundle)
    if found is None:
        raise Skipped(f"no release of {bundle.name} older than {bundle.version} in {bundle.releases}")
    return found


def _restore(store, entry: dict, out: Path):
    """Restore and re-verify against the restored lock; lock errors are problems, not errors."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.core.errors import CollectionErrors
    from gatekeeper.bundle.lock import verify_lock
    from gatekeeper.releases.rollback import restore_entry

    bundle_dir = restore_entry(store, entry, out)
    try:
        bundle = load_bundle(bundle_dir)
        verify_lock(bundle, collect_gates(bundle, load_catalog()))
    except CollectionErrors as exc:
        return None, [("lock", str(e)) for e in exc.errors]
    except GatekeeperError as exc:
        return None, [("restored bundle", str(exc))]
    return bundle, []


def _drift(ctx, restored, entry: dict, tolerance: float) -> dict:
    """The previous release's adapter on a fresh base, its tokenizer: fingerprint and compare."""
    from peft import PeftModel

    from gatekeeper.model.template import eval_tokenizer
    from gatekeeper.releases.fingerprint import compare_fingerprints, compute_fingerprint

    models, runtime = ctx.models, entry.get("runtime") or {}
    recorded_base = (entry.get("base") or {}).get("fingerprint")
    if recorded_base and recorded_base != models.base.fingerprint:
        raise MeasurementError(f"release {entry['version']} was made on another base model "
                               f"({recorded_base[:19]}…): it cannot be re-run on this bundle's base",
                               hint="check it on its own base with `gatekeeper rollback`")
    ctx.log(f"re-running the fingerprint of release {entry['version']}")
    base = models.load_fresh(adapter=False, dtype=runtime.get("dtype") or None,
                             quantization=runtime.get("quantization"))
    model = PeftModel.from_pretrained(base, str(restored.adapter), is_trainable=False).eval()
    recorded = entry["fingerprint"]
    current = compute_fingerprint(model, eval_tokenizer(restored), [p["prompt"] for p in recorded["probes"]],
                                  max_new_tokens=recorded["max_new_tokens"], top_k=recorded["top_k"])
    return compare_fingerprints(recorded, current, tolerance).to_dict()


def _result(ref, problems: list, files: int, drift: dict | None) -> Measurement:
    probes = (drift or {}).get("probes") or []
    reproduced = tuple(float(p["reproduced"]) for p in probes)
    items = tuple(ItemResult(id=where, input=where, passed=False, detail=why) for where, why in problems)
    items += tuple(ItemResult(id=f"probe{i}", input=p["prompt"], expected=p["recorded"], output=p["current"],
                              passed=p["reproduced"], score=p["max_logprob_diff"], detail=p["reason"])
                   for i, p in enumerate(probes) if p["reproduced"])
    metrics = {"problems": len(problems), "files_verified": files,
               "probes_reproduced_rate": sum(reproduced) / len(reproduced) if reproduced else 0.0,
               "max_logprob_diff": (drift or {}).get("max_logprob_diff", 0.0)}
    return Measurement(metrics=metrics, n=len(probes), items=items,
                       samples={"probes_reproduced_rate": Samples(reproduced, None, binary=True)} if probes else {},
                       details={"release": {"name": ref.name, "version": ref.version, "entry": ref.digest},
                                "problems": [{"where": w, "why": y} for w, y in problems],
                                "tolerance": (drift or {}).get("tolerance"),
                                "fingerprint_checked": drift is not None})
