"""A releasable bundle on the tiny model: adapter, gate file, lock and an approving report."""

from __future__ import annotations

import shutil
from pathlib import Path

from testkit.bundles import write_bundle

GATES = """\
gates:
  - id: s.ok
    type: static_rate
    params: {passes: 10, total: 10}
    threshold: {metric: rate, min: 0.9, bound: point}  # release mechanics, not statistics
"""


def releasable_bundle(root: Path, model_dir: Path, adapter_dir: Path, *, version: str = "1.0.0",
                      registry: str = "../registry") -> Path:
    """A locked bundle of the tiny model + adapter, and reports/<...>/report.json that passed."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.bundle.lock import base_identity, write_lock
    from gatekeeper.run.registry import load_catalog

    shutil.copytree(adapter_dir, root / "adapter")
    write_bundle(root, {"g.yaml": GATES}, manifest={
        "version": version, "base": {"model": str(model_dir), "dtype": "float32"},
        "adapter": "adapter", "releases": registry})
    bundle = load_bundle(root)
    write_lock(bundle, collect_gates(bundle, load_catalog()), base_identity(bundle))
    check_report(root, root.parent / "reports" / f"{bundle.name}-{version}")
    return root


def check_report(root: Path, out: Path) -> Path:
    """A real passing check of the bundle (its one static gate): out/report.json."""
    from gatekeeper.commands.check import CheckOptions, run_check
    from gatekeeper.core.options import EngineOptions

    result = run_check(root, CheckOptions(out_dir=out, engine=EngineOptions(progress=False)))
    assert result.exit_code == 0, result.report["verdict"]
    return out / "report.json"


def report_of(root: Path, version: str = "1.0.0") -> Path:
    return root.parent / "reports" / f"demo-{version}" / "report.json"
