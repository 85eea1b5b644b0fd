"""``gatekeeper check BUNDLE --collect-only``: which gates a selection would run, running none.

The selection is pytest's own (-k, -m, --lf), so what is listed is exactly what a check with
the same options runs. The lock's files are verified first (python gate files are imported
to be collected, and only locked code is ever imported); the base model is not loaded.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from pathlib import Path

from gatekeeper.core.results import Exit
from gatekeeper.run.registry import load_catalog


def collect_only(bundle_dir: str | Path, options) -> tuple[list[dict], int, str | None]:
    """(selected gates, gates in the bundle, why nothing matched or None)."""
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.bundle.lock import verify_lock
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.commands.check import _partial
    from gatekeeper.run.pytest_run import run_pytest
    from gatekeeper.run.session import RunSession, source_of

    bundle = load_bundle(bundle_dir)
    collection = collect_gates(bundle, load_catalog())
    lock, digest = verify_lock(bundle, collection, needs_model=False)
    session = RunSession(bundle, collection, options.engine, lock, digest)
    listing = replace(options, pytest_args=(*options.pytest_args, "--collect-only"))
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # pytest's own listing: ours is below
            run_pytest(session, listing)
    finally:
        session.close()
    specs = {spec.id: spec for spec in collection.gates}
    gates = []
    for gate_id in session.selected:
        spec = specs.get(gate_id)
        gtype = collection.gate_type(spec) if spec else None
        gates.append({"id": gate_id, "type": spec.type if spec else "python",
                      "stage": "python" if gtype is None else "model" if gtype.needs_model else "static",
                      "severity": spec.severity if spec else None, "source": source_of(spec)})
    return gates, len(session.collected), _partial(session, options).get("nothing_matched")


def render_listing(gates: list[dict], total: int, nothing_matched: str | None) -> tuple[str, int]:
    """Console text and exit code: 0 when something (or, for -m on known markers, nothing
    by design) is selected, 5 when the selection matched no gate."""
    lines = []
    for gate in gates:
        where = f"{gate['source']['file']}:{gate['source']['line']}" if gate["source"] else ""
        lines.append(f"{gate['id']}  {gate['type']} ({gate['stage']}, {gate['severity'] or 'python'})  {where}".rstrip())
    lines.append(f"{len(gates)} of {total} gate(s) selected; nothing was run"
                 + (f" ({nothing_matched})" if nothing_matched else ""))
    code = Exit.OK if gates or nothing_matched else Exit.NO_GATES
    return "\n".join(lines), int(code)
