"""GPU-only paths, end to end through the CLI on the tiny model: they skip without CUDA
(this project's CI is CPU only) and run on a GPU runner through scripts/gpu-check.sh.

* QLoRA: `gatekeeper train` with `quantization: nf4` on CUDA, then merge_equivalence and
  adapter_applied on the nf4 candidate (the dequantized merge of a fresh 4-bit base).
* bf16 / fp16: merge_equivalence on a 16-bit candidate stays inside its dtype's tolerance.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from gatekeeper.cli import main as cli_main
from testkit.training import make_bundle

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]

GATES = """\
gates:
  - id: gpu.merge
    type: merge_equivalence
    params: {max_new_tokens: 8}
    threshold: {metric: tolerance_ratio, max: 1.0, bound: point}
  - id: gpu.applied
    type: adapter_applied
    threshold: {metric: problems, max: 0, bound: point}
"""


def _check(root, tmp_path, *extra) -> dict:
    out = tmp_path / "report"
    code = cli_main(["check", str(root), "--out", str(out), "--device", "cuda", "--no-progress", *extra])
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert code in (0, 1), report
    return {g["id"]: g for g in report["gates"]}


def test_qlora_trains_on_cuda_and_its_merge_is_equivalent(tiny_model_dir, tmp_path):
    root = make_bundle(tmp_path / "b", tiny_model_dir, quantization="nf4")
    (root / "gates" / "g.yaml").write_text(GATES, "utf-8")
    assert cli_main(["train", str(root), "--device", "cuda"]) == 0
    record = json.loads((root / "adapter" / "training.json").read_text("utf-8"))
    assert record.get("device", "cuda").startswith("cuda")
    gates = _check(root, tmp_path)
    assert gates["gpu.applied"]["outcome"] == "pass", gates["gpu.applied"]["reason"]
    assert gates["gpu.merge"]["outcome"] == "pass", gates["gpu.merge"]["reason"]
    assert gates["gpu.merge"]["measurement"]["details"]["artifact"] == "dequantized"


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_a_16bit_merge_stays_within_its_dtype_tolerance(tiny_model_dir, tiny_adapter_dir, tmp_path, dtype):
    root = tmp_path / "b"
    (root / "gates").mkdir(parents=True)
    (root / "gates" / "g.yaml").write_text(GATES, "utf-8")
    shutil.copytree(tiny_adapter_dir, root / "adapter")
    manifest = {"name": "gpu", "version": "1.0.0", "adapter": "adapter", "gates": ["gates/"],
                "base": {"model": str(tiny_model_dir), "dtype": dtype}}
    (root / "gatekeeper.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    assert cli_main(["lock", str(root)]) == 0
    gates = _check(root, tmp_path)
    merge = gates["gpu.merge"]
    assert merge["outcome"] == "pass", merge["reason"]
    assert merge["measurement"]["details"]["tolerance"]["dtype"] == dtype
