"""torchrun on GPUs (scripts/gpu-check.sh): one rank per GPU on nccl, the Python objects on a
gloo group; with one GPU, a second rank per machine is refused with the device count."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.core.options import EngineOptions

from model.test_launch import _clean_env, _free_port
from model.test_parallel import bundle

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]


def _torchrun(root, out, ranks: int) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(ranks),
               "--master-port", str(_free_port()), "-m", "gatekeeper", "check", str(root),
               "--out", str(out), "--no-cache", "--no-progress", "--device", "cuda"]
    return subprocess.run(command, env=_clean_env(GATEKEEPER_DIST_TIMEOUT="120"), capture_output=True,
                          text=True, timeout=400, cwd=out.parent)


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs 2 CUDA devices")
def test_torchrun_on_two_gpus_gives_the_outcomes_of_one(tiny_model_dir, tiny_adapter_dir, tmp_path):
    root = bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)
    one = run_check(root, CheckOptions(out_dir=tmp_path / "one",
                                       engine=EngineOptions(cache=False, progress=False, device="cuda")))
    done = _torchrun(root, tmp_path / "two", 2)
    assert done.returncode == one.exit_code, done.stderr[-3000:]
    two = json.loads((tmp_path / "two" / "report.json").read_text("utf-8"))
    # on GPU a batch's kernels may differ with its composition: compare outcomes, not bits
    assert [(g["id"], g["outcome"]) for g in two["gates"]] == [(g["id"], g["outcome"]) for g in one.report["gates"]]
    assert two["provenance"]["parallel"]["communication"] == "nccl"


@pytest.mark.skipif(torch.cuda.device_count() != 1, reason="needs exactly 1 CUDA device")
def test_a_second_rank_on_a_one_gpu_machine_is_refused(tiny_model_dir, tiny_adapter_dir, tmp_path):
    root = bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)
    done = _torchrun(root, tmp_path / "two", 2)
    assert done.returncode != 0
    assert "LOCAL_RANK=1 but this machine has 1 CUDA device(s)" in done.stderr, done.stderr[-3000:]
