"""The demo bundle's adapter on the real small model, end to end through `gatekeeper check`.

Uses a 48-item slice of the ticket test set so CI stays fast; the full demo is
`bash scripts/demo.sh`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.cli import main as cli_main

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "tickets"
TICKETS = REPO / "golden_sets" / "tickets"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_slice(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "tickets"
    (root / "gates").mkdir(parents=True)
    shutil.copytree(DEMO / "adapter", root / "adapter")
    shutil.copytree(DEMO / "baselines", root / "baselines")
    shutil.copy(DEMO / "serving.yaml", root / "serving.yaml")
    manifest = yaml.safe_load((DEMO / "gatekeeper.yaml").read_text())
    manifest.pop("train"), manifest.pop("data_roots"), manifest.pop("releases")
    manifest["gates"] = ["gates/"]  # the demo's own gates; the standard set has tests of its own
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    rows = (TICKETS / "test.jsonl").read_text().splitlines()[:48]
    (root / "test.jsonl").write_text("\n".join(rows) + "\n")
    shutil.copy(TICKETS / "schema.json", root / "schema.json")
    gates = (DEMO / "gates" / "tickets.yaml").read_text()
    gates = gates.replace("../../../golden_sets/tickets/", "../")
    (root / "gates" / "tickets.yaml").write_text(gates)
    assert cli_main(["lock", str(root)]) == 0
    return root


SELECT = "tickets.vs_prompting or tickets.category or tickets.json"


def test_candidate_beats_prompting_with_a_significant_paired_test(demo_slice, tmp_path):
    result = run_check(demo_slice, CheckOptions(out_dir=tmp_path / "run1", keyword=SELECT))
    gates = {g["id"]: g for g in result.report["gates"]}
    vs_prompting = gates["tickets.vs_prompting"]
    comparison = vs_prompting["comparison"]
    assert comparison["candidate"] >= 0.85, vs_prompting["reason"]
    assert comparison["baseline"] <= 0.3
    assert comparison["p_value"] < 0.001 and comparison["outcome"] == "pass"
    items = vs_prompting["measurement"]["items"]
    assert len(items) == 48 and all(i["baseline_output"] is not None for i in items)
    # a gate without vs_baseline never runs a baseline (that doubled the demo's cost)
    category = gates["tickets.category"]
    assert category["outcome"] == "pass" and category["comparison"] is None
    assert all(i["baseline_output"] is None for i in category["measurement"]["items"])
    assert category["measurement"]["metrics"] == vs_prompting["measurement"]["metrics"]
    # 48 items cannot support a 99.5% claim: the JSON gate must say so, not pass silently
    json_gate = gates["tickets.json"]
    assert json_gate["outcome"] in ("inconclusive", "fail")
    assert json_gate["threshold"]["required_n"] is None or json_gate["threshold"]["required_n"] >= 598
    assert result.report["provenance"]["model"]["adapter_fingerprint"]

    # the second run is served from the cache: same results, no model load
    again = run_check(demo_slice, CheckOptions(out_dir=tmp_path / "run2", keyword=SELECT))
    assert result.report["provenance"]["model"]["loaded"] is True
    assert again.report["provenance"]["model"]["loaded"] is False
    first = {g["id"]: (g["outcome"], g["measurement"]["metrics"]) for g in result.report["gates"]}
    second = {g["id"]: (g["outcome"], g["measurement"]["metrics"]) for g in again.report["gates"]}
    assert first == second
    json.loads((tmp_path / "run2" / "report.json").read_text())
