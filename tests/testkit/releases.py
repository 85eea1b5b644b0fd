"""A releasable bundle on the tiny model: adapter, gate file, lock and an approving report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from testkit.bundles import write_bundle

GATES = """\
gates:
  - id: s.ok
    type: static_rate
    params: {passes: 10, total: 10}
    threshold: {metric: rate, min: 0.9}
"""


def releasable_bundle(root: Path, model_dir: Path, adapter_dir: Path, *, version: str = "1.0.0",
                      registry: str = "../registry") -> Path:
    """A locked bundle of the tiny model + adapter, and reports/<...>/report.json that passed."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.lock import base_identity, read_lock, write_lock

    shutil.copytree(adapter_dir, root / "adapter")
    write_bundle(root, {"g.yaml": GATES}, manifest={
        "version": version, "base": {"model": str(model_dir), "dtype": "float32"},
        "adapter": "adapter", "releases": registry})
    bundle = load_bundle(root)
    write_lock(bundle, collect_gates(bundle, load_catalog()), base_identity(bundle))
    _, digest = read_lock(load_bundle(root))
    report = {"verdict": "PASS", "complete": True, "gates": [
        {"id": "s.ok", "outcome": "pass", "measurement": {"metrics": {"rate": 1.0}}}],
        "bundle": {"name": bundle.name, "version": version, "lock_digest": digest}}
    out = root.parent / "reports" / f"{bundle.name}-{version}" / "report.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report), "utf-8")
    return root


def report_of(root: Path, version: str = "1.0.0") -> Path:
    return root.parent / "reports" / f"demo-{version}" / "report.json"
