"""The ``previous_release`` model view: the last released adapter as a gate's baseline.

``vs_baseline: {against: previous_release, max_drop: 0.02}`` compares the candidate with
the newest release older than the bundle, on the same items ("did old required behaviour
remain intact"), not only with the base model. The release's files are re-hashed, its
adapter restored once into the cache (keyed by the entry digest) and loaded into the
shared model as a second PEFT adapter: no weights load twice, and its answers are cached
under its own adapter fingerprint. It must be an adapter of the same base model.

The view registers itself when this module is imported (the registry imports it when it
loads the catalog: ``BUILTIN_VIEWS``).
"""

from __future__ import annotations

from pathlib import Path

from gatekeeper.core.errors import GateSkipped, MeasurementError
from gatekeeper.run.views import ModelView, register_view

NAME = ADAPTER_NAME = "previous_release"


Skipped = GateSkipped  # ends the gate as ``skip``: nothing to check


def previous_release_view(access) -> ModelView:
    """A ModelView of the previous release's adapter, loaded on the run's shared model."""
    from gatekeeper.releases import previous_entry

    found = previous_entry(access.bundle)
    if found is None:
        where = access.bundle.releases or "no registry (manifest: releases)"
        raise Skipped(f"no release of {access.bundle.name} older than {access.bundle.version} in {where}")
    store, ref = found
    entry = store.entry(ref)
    recorded_base = (entry.get("base") or {}).get("fingerprint")
    if recorded_base and recorded_base != access.base.fingerprint:
        raise MeasurementError(f"release {ref.version} was made on another base model: its adapter "
                               "cannot be compared on this bundle's base",
                               hint="compare against `base`, or re-release on this base")
    adapter = restored_adapter(store, entry, ref.digest)
    return access.adapter_view(ADAPTER_NAME, adapter, f"previous release {ref.version}")


def restored_adapter(store, entry: dict, digest: str) -> Path:
    """The entry restored (verified) under the cache, once per entry digest; its adapter dir."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.core.paths import cache_root
    from gatekeeper.releases.rollback import restore_entry, verify_entry
    from gatekeeper.releases.store import RegistryError

    target = cache_root() / "releases" / digest.removeprefix("sha256:")[:32]
    if not target.is_dir():
        problems = verify_entry(store, entry).problems
        if problems:
            first = next(iter(problems.items()))
            raise MeasurementError(f"the previous release is damaged in the registry: {first[0]}: {first[1]}",
                                   hint="see the rollback_restore gate; restore the registry from a backup")
        try:
            restore_entry(store, entry, target)
        except (RegistryError, OSError):
            if not target.is_dir():  # else another run restored it at the same moment
                raise
    bundle = load_bundle(target / entry["bundle_dir"] if entry["bundle_dir"] != "." else target)
    if bundle.adapter is None:
        raise MeasurementError(f"release {entry['version']} has no adapter to compare with")
    return bundle.adapter


register_view(NAME, previous_release_view)
