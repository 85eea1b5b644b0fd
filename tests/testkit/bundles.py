"""Build small bundles on disk for tests (no model needed unless a test asks for one)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from gatekeeper.core.measurement import Measurement, Samples
from gatekeeper.core.gatetype import gate_type

ROWS = [{"id": f"q{i}", "prompt": f"question {i}", "target": f"answer {i}"} for i in range(5)]


def write_bundle(root: Path, gate_files: dict[str, str], *, manifest: dict | None = None,
                 rows: list[dict] = ROWS, adapter: Path | None = None) -> Path:
    """A bundle with the given gate files (name -> YAML text) and data/eval.jsonl."""
    (root / "gates").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "eval.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    for name, text in gate_files.items():
        (root / "gates" / name).write_text(text, "utf-8")
    data = {"name": "demo", "version": "1.0.0", "base": {"model": "builtin:smollm2-135m-instruct"},
            "gates": ["gates/"]}
    if adapter is not None:
        data["adapter"] = str(adapter)
    data.update(manifest or {})
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return root


def lock_without_model(root: Path) -> None:
    """Write gatekeeper.lock with a placeholder base identity (static gates never load it)."""
    from gatekeeper.bundle.manifest import load_bundle
    from gatekeeper.bundle.collect import collect_gates
    from gatekeeper.run.registry import load_catalog
    from gatekeeper.bundle.lock import write_lock

    bundle = load_bundle(root)
    write_lock(bundle, collect_gates(bundle, load_catalog()), {"model": bundle.base.model, "fingerprint": None})


@gate_type("static_rate", needs_model=False, metrics=("rate",))
def static_rate(ctx, *, passes: int = 10, total: int = 10) -> Measurement:
    """A static gate type for tests: a rate with per-item samples, no model."""
    cand = tuple(1.0 if i < passes else 0.0 for i in range(total))
    return Measurement(metrics={"rate": passes / total}, n=total,
                       samples={"rate": Samples(cand, None, binary=True)})


@gate_type("boom", needs_model=False, metrics=("rate",))
def boom(ctx, *, message: str = "kaboom") -> Measurement:
    """A gate type that always raises, to show that error is an outcome."""
    raise RuntimeError(message)


@gate_type("interrupt", needs_model=False, metrics=("rate",))
def interrupt(ctx) -> Measurement:
    """A gate type that behaves like Ctrl-C."""
    raise KeyboardInterrupt


STATIC_TYPES = (static_rate, boom, interrupt)
