"""Launched mode (torchrun / accelerate launch): the launcher's environment, its bad cases,
two real ranks under torchrun giving the single-process report, and a rank that dies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatekeeper.cli import main
from gatekeeper.commands.check import CheckOptions, run_check
from gatekeeper.core.errors import UsageError
from gatekeeper.core.options import EngineOptions
from gatekeeper.model.exchange import DEFAULT_TIMEOUT_S, Launch, dist_timeout, read_launch
from gatekeeper.model.vllm_backend import check_tensor_parallel

from model.test_parallel import bundle, comparable

REPO = Path(__file__).resolve().parents[2]
LAUNCHER_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                 "GROUP_RANK", "TORCHELASTIC_RUN_ID")
GOOD = {"RANK": "1", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2",
        "MASTER_ADDR": "node0", "MASTER_PORT": "29500", "TORCHELASTIC_RUN_ID": "job"}


def test_no_launcher_variables_is_one_process():
    assert read_launch({}) is None
    # a cluster that exports MASTER_ADDR/PORT to every job is not a launch
    assert read_launch({"MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500"}) is None


def test_a_torchrun_environment_is_read_into_a_launch():
    launch = read_launch(GOOD)
    assert launch == Launch(rank=1, world_size=4, local_rank=1, master_addr="node0", master_port=29500,
                            local_world_size=2, launcher="torchrun", timeout_s=DEFAULT_TIMEOUT_S)
    assert launch.nodes == 2
    assert launch.layout("hf", "gloo") == {"mode": "torchrun", "world_size": 4, "nodes": 2,
                                           "ranks_per_node": 2, "backend": "hf", "communication": "gloo"}
    assert read_launch({**GOOD, "ACCELERATE_MIXED_PRECISION": "no"}).launcher == "accelerate"
    assert read_launch({**GOOD, "TORCHELASTIC_RUN_ID": ""}).launcher == "env"
    assert read_launch({k: v for k, v in GOOD.items() if k != "LOCAL_WORLD_SIZE"}).nodes is None


BAD_ENV = [
    ({"RANK": "0"}, "WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT are not"),
    ({**GOOD, "LOCAL_RANK": ""}, "LOCAL_RANK is not"),
    ({**GOOD, "MASTER_PORT": ""}, "MASTER_PORT is not"),
    ({**GOOD, "RANK": "one"}, "RANK='one': expected a whole number"),
    ({**GOOD, "WORLD_SIZE": "2.5"}, "WORLD_SIZE='2.5': expected a whole number"),
    ({**GOOD, "RANK": "-1"}, "RANK=-1: must be at least 0"),
    ({**GOOD, "WORLD_SIZE": "0", "RANK": "0"}, "WORLD_SIZE=0: must be at least 1"),
    ({**GOOD, "RANK": "4"}, "RANK=4 is not below WORLD_SIZE=4"),
    ({**GOOD, "MASTER_PORT": "70000"}, "MASTER_PORT=70000: a TCP port is 1..65535"),
    ({**GOOD, "LOCAL_RANK": "2"}, "LOCAL_RANK=2 is not below LOCAL_WORLD_SIZE=2"),
    ({**GOOD, "GATEKEEPER_DIST_TIMEOUT": "soon"}, "GATEKEEPER_DIST_TIMEOUT='soon'"),
    ({**GOOD, "GATEKEEPER_DIST_TIMEOUT": "0"}, "GATEKEEPER_DIST_TIMEOUT='0'"),
]


@pytest.mark.parametrize("env,says", BAD_ENV, ids=[s.split(":")[0].split("=")[0][:30] + str(i)
                                                   for i, (_, s) in enumerate(BAD_ENV)])
def test_a_partial_or_inconsistent_launcher_environment_is_a_usage_error(env, says):
    with pytest.raises(UsageError) as err:
        read_launch(env)
    assert says in str(err.value)
    assert err.value.hint  # says how to fix it


def test_tensor_parallel_is_a_vllm_option_recorded_in_the_model_provenance(tiny_model_dir):
    from gatekeeper.core.errors import ModelError
    from gatekeeper.model import Engine, NullCache, resolve_base

    base = resolve_base(str(tiny_model_dir))
    info = Engine(base=base, cache=NullCache(), device="cpu", backend="vllm", tensor_parallel_size=2).info()
    assert info["tensor_parallel_size"] == 2
    assert "tensor_parallel_size" not in Engine(base=base, cache=NullCache(), device="cpu").info()
    with pytest.raises(ModelError, match="needs backend vllm"):
        Engine(base=base, cache=NullCache(), device="cpu", tensor_parallel_size=2)


def test_the_distributed_timeout():
    assert dist_timeout({}) == DEFAULT_TIMEOUT_S
    assert dist_timeout({"GATEKEEPER_DIST_TIMEOUT": "2.5"}) == 2.5
    for bad in ("-1", "nan", "inf", "ten"):
        with pytest.raises(UsageError, match="GATEKEEPER_DIST_TIMEOUT"):
            dist_timeout({"GATEKEEPER_DIST_TIMEOUT": bad})


def test_tensor_parallel_wider_than_the_gpus_is_refused_with_the_count():
    check_tensor_parallel(2, 2)
    with pytest.raises(UsageError, match=r"--tensor-parallel-size 4: torch sees 2 CUDA device\(s\)"):
        check_tensor_parallel(4, 2)


def test_the_suite_is_not_launched_by_its_own_environment():
    """pytest run under RANK/WORLD_SIZE (say, inside a torchrun job): the suite's CLI checks
    stay one process (tests/conftest.py drops the launcher's variables for the session). Both
    cases get past option checking, where a launched check would join and fail with exit 3."""
    env = {**os.environ, "RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
           "MASTER_PORT": "9", "GATEKEEPER_DIST_TIMEOUT": "5", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_bad_input.py", "-k", "cli_out_is_file or cli_out_inside_bundle"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "2 passed" in done.stdout, done.stdout[-3000:]


def _clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARS}
    return {**env, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", **extra}


LAUNCHERS = {
    "torchrun": ["-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", "{port}"],
    # accelerate's multi-process launch runs torchrun inside; on CPU it still needs --multi_gpu
    "accelerate": ["-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                   "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                   "--main_process_port", "{port}"],
}


@pytest.mark.slow
@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_two_launched_ranks_write_the_report_of_one_process(launcher, tiny_model_dir, tiny_adapter_dir, tmp_path):
    if launcher == "accelerate":
        pytest.importorskip("accelerate")
    root = bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)
    one = run_check(root, CheckOptions(out_dir=tmp_path / "one", engine=EngineOptions(cache=False, progress=False)))
    port = str(_free_port())
    command = [sys.executable, *(a.replace("{port}", port) for a in LAUNCHERS[launcher]),
               "-m", "gatekeeper", "check", str(root), "--out", str(tmp_path / "two"),
               "--no-cache", "--no-progress"]
    done = subprocess.run(command, env=_clean_env(GATEKEEPER_DIST_TIMEOUT="120"), capture_output=True,
                          text=True, timeout=240, cwd=tmp_path)
    assert done.returncode == one.exit_code, done.stderr[-3000:]
    two = json.loads((tmp_path / "two" / "report.json").read_text("utf-8"))
    assert comparable(two) == comparable(one.report)
    assert two["exit_code"] == one.exit_code
    assert two["provenance"]["parallel"] == {"mode": launcher, "world_size": 2, "nodes": 1,
                                             "ranks_per_node": 2, "backend": "hf", "communication": "gloo"}
    assert "parallel" not in one.report["provenance"]
    assert done.stdout.count("verdict") <= 1  # rank 0 alone prints the report


@pytest.mark.slow
def test_a_rank_that_dies_ends_the_run_with_an_error_naming_it(tiny_model_dir, tiny_adapter_dir, tmp_path):
    """Rank 1 joins and dies before it answers; rank 0 names it and exits within the timeout
    with a report whose model gates could not be measured."""
    root = bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)
    port = _free_port()
    launch = {"WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
              "GATEKEEPER_DIST_TIMEOUT": "20"}
    zero = _rank_zero(root, tmp_path, launch)
    dies = ("from gatekeeper.model.exchange import join, read_launch\nimport os\n"
            "join(read_launch(os.environ))\nos._exit(7)\n")
    one = subprocess.run([sys.executable, "-c", dies], env=_clean_env(RANK="1", LOCAL_RANK="1", **launch),
                         capture_output=True, text=True, timeout=120)
    assert one.returncode == 7, one.stderr[-2000:]
    start = time.monotonic()
    out, err = zero.communicate(timeout=180)
    assert time.monotonic() - start < 120
    assert zero.returncode == 3, err[-3000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text("utf-8"))
    reasons = [g["reason"] for g in report["gates"] if g["outcome"] == "error"]
    assert reasons and all("rank 1 stopped" in r for r in reasons), reasons


@pytest.mark.slow
def test_a_rank_that_hangs_is_named_within_the_timeout(tiny_model_dir, tiny_adapter_dir, tmp_path):
    """Rank 1 joins, keeps its heartbeat, and never answers: rank 0 names it after the timeout."""
    root = bundle(tmp_path / "b", tiny_model_dir, tiny_adapter_dir)
    launch = {"WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port()),
              "GATEKEEPER_DIST_TIMEOUT": "10"}
    zero = _rank_zero(root, tmp_path, launch)
    hangs = ("from gatekeeper.model.exchange import join, read_launch\nimport os, time\n"
             "join(read_launch(os.environ))\ntime.sleep(300)\n")
    one = subprocess.Popen([sys.executable, "-c", hangs], env=_clean_env(RANK="1", LOCAL_RANK="1", **launch),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out, err = zero.communicate(timeout=180)
    finally:
        one.kill()
        one.wait()
    assert zero.returncode == 3, err[-3000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text("utf-8"))
    reasons = [g["reason"] for g in report["gates"] if g["outcome"] == "error"]
    assert reasons and all("rank 1 did not answer within 10 s" in r for r in reasons), reasons


@pytest.mark.slow
def test_a_rank_that_never_arrives_is_a_clear_error_within_the_timeout(tmp_path):
    env = _clean_env(RANK="0", LOCAL_RANK="0", WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                     MASTER_PORT=str(_free_port()), GATEKEEPER_DIST_TIMEOUT="3")
    code = "from gatekeeper.model.exchange import join, read_launch\nimport os\njoin(read_launch(os.environ))\n"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "the 2 ranks did not all meet at 127.0.0.1" in done.stderr, done.stderr[-2000:]


def test_workers_and_vllm_and_train_under_a_launcher_are_usage_errors(tmp_path, capsys, monkeypatch):
    for name, value in {"RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
                        "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "b").mkdir()
    for flags, says in ((["--workers", "2"], "--workers 2 under env (WORLD_SIZE=2)"),
                        (["--train"], "--train under env (WORLD_SIZE=2)"),
                        (["--backend", "vllm"], "--backend vllm under env (WORLD_SIZE=2)")):
        assert main(["check", str(tmp_path / "b"), *flags]) == 4
        out = capsys.readouterr()
        assert says in out.err and "Traceback" not in out.err


def _rank_zero(root: Path, tmp_path: Path, launch: dict) -> subprocess.Popen:
    """``gatekeeper check`` as rank 0 of a launched run, its report in tmp_path/run."""
    return subprocess.Popen([sys.executable, "-m", "gatekeeper", "check", str(root), "--out",
                             str(tmp_path / "run"), "--no-cache", "--no-progress"],
                            env=_clean_env(RANK="0", LOCAL_RANK="0", **launch), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_a_dead_worker_of_workers_n_is_named(tiny_model_dir, tiny_adapter_dir, monkeypatch):
    """``--workers`` shares the exchange: a worker killed mid-run is named, not waited for."""
    from gatekeeper.model import Engine, NullCache, resolve_base
    from gatekeeper.model.exchange import RankLost
    from gatekeeper.model.parallel import attach_pool

    monkeypatch.setenv("GATEKEEPER_DIST_TIMEOUT", "20")
    kwargs = dict(base=resolve_base(str(tiny_model_dir)), adapter_dir=tiny_adapter_dir, progress=False)
    engine = Engine(cache=NullCache(), **kwargs)
    attach_pool(engine, {**kwargs, "batch_size": engine.batch_size}, 2)
    try:
        assert len(engine.generate(["hi", "refund please"], max_new_tokens=3)) == 2
        assert engine.pool.communication == "gloo"
        engine.pool.processes[0].kill()
        engine.pool.processes[0].join(timeout=30)
        start = time.monotonic()
        with pytest.raises(RankLost, match="rank 1 stopped") as lost:
            engine.generate(["the app crashes", "invoice is wrong"], max_new_tokens=3)
        assert time.monotonic() - start < 60
        with pytest.raises(RankLost) as again:  # the pool stays broken: no second wait
            engine.generate(["hello"], max_new_tokens=3)
        assert again.value is lost.value
    finally:
        engine.pool.close()
    assert not engine.pool.started


def test_collect_only_under_a_launcher_lists_on_rank_0_alone(tmp_path, capsys, monkeypatch):
    for name, value in {"WORLD_SIZE": "2", "LOCAL_RANK": "1", "MASTER_ADDR": "127.0.0.1",
                        "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RANK", "1")
    assert main(["check", str(tmp_path / "nope"), "--collect-only"]) == 0
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("LOCAL_RANK", "0")
    assert main(["check", str(tmp_path / "nope"), "--collect-only"]) == 4  # rank 0 reads the bundle
    assert "nope" in capsys.readouterr().err
