"""Data parallel generation and scoring over N ranks on torch.distributed.

Two ways to get the N ranks, one exchange:

- ``gatekeeper check --workers N``: the check process is rank 0; ranks 1..N-1 are worker
  processes spawned on this machine on the first cache miss (a fully cached run starts
  none), meeting on 127.0.0.1 with gloo.
- launched (``torchrun ... -m gatekeeper check``, ``accelerate launch``): the launcher starts
  every rank, on one machine or many (exchange.py); rank 0 runs the check and the others
  call ``serve`` from the start.

Rank 0 sends each worker the engine's settings once (``engine``); every worker builds its
own engine on its own device. Every batch of misses the engine computes is then split
round-robin into N shards: the request goes out with ``scatter_object_list``, every rank
decodes its shard, and ``gather_object`` brings the answers back to rank 0, which puts them
in input order. A prompt's greedy answer does not depend on which prompts share its batch
(tests/model/test_decoding.py), so the report is the one a single process writes. The run
ends with ``stop``, which carries rank 0's exit code to every rank.

Every wait is bounded (GATEKEEPER_DIST_TIMEOUT); a rank that dies or goes silent turns
into a RankLost that names it (exchange.Group.diagnose): gates that needed the model end
as ``error`` with that reason, and the report is still written.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import replace
from typing import Any, Callable, Sequence

from gatekeeper.core.errors import GatekeeperError, ModelError
from gatekeeper.model.exchange import Group, Launch, RankLost, dist_timeout, join


class WorkerPool:
    """This process (rank 0) plus N-1 answering ranks; ``map`` runs one engine request
    sharded over all. ``group``: the launched run's joined group; None spawns N-1 local
    processes on first use."""

    def __init__(self, engine_kwargs: dict, workers: int, group: Group | None = None):
        if workers < 2:
            raise ValueError(f"a worker pool needs at least 2 processes, got {workers}")
        from gatekeeper.core.paths import cache_settings

        self.engine_kwargs, self.size = dict(engine_kwargs), workers
        settings = cache_settings()  # the run's: a worker's file hashes go where rank 0's go
        self.cache = (settings.enabled, settings.root)
        self.group, self.launched = group, group is not None
        self.processes: list = []
        self.broken: RankLost | None = None
        self._threads: int | None = None
        self._sent_engine = False
        self._messages = 0  # sent to every rank; a worker marks each one it dealt with
        self.communication = group.backend if group is not None else None

    @property
    def started(self) -> bool:
        return self.group is not None and (self.launched or bool(self.processes))

    def start(self) -> None:
        import torch
        import torch.multiprocessing as mp

        launch = Launch(rank=0, world_size=self.size, local_rank=0, master_addr="127.0.0.1",
                        master_port=_free_port(), local_world_size=self.size, launcher="workers",
                        timeout_s=dist_timeout(os.environ))
        device = self.engine_kwargs.get("device", "auto")
        threads = max(1, (os.cpu_count() or 1) // self.size)
        context = mp.get_context("spawn")
        for rank in range(1, self.size):
            mine = replace(launch, rank=rank, local_rank=rank)
            process = context.Process(target=_serve_spawned, daemon=True,
                                      args=(mine, threads, device, self.cache))
            process.start()
            self.processes.append(process)
        self._threads = torch.get_num_threads()
        torch.set_num_threads(threads)
        self.group = join(launch, device)
        self.communication = self.group.backend

    def map(self, request: dict, items: Sequence, local: Callable[[dict, list], list]) -> list:
        """``local(request, shard)`` on every rank's round-robin shard; results in input order."""
        if self.broken is not None:
            raise self.broken
        if not self.started:
            self.start()
        if not self._sent_engine:
            self._send([("engine", self.engine_kwargs)] * self.size)
            self._sent_engine = True
        shards = [list(items[rank::self.size]) for rank in range(self.size)]
        mine = self._send([("map", request, shard) for shard in shards])
        own: tuple[str, Any]
        try:
            own = ("ok", local(request, mine[2]))
        except Exception as exc:  # gather first: the workers must not be left waiting
            own = ("error", f"{type(exc).__name__}: {exc}")
        gathered: list[Any] = [None] * self.size
        self._collective(lambda: _gather(self.group, own, gathered))
        return _interleave(gathered, len(items))

    def close(self, code: int = 0) -> None:
        """Stop the spawned workers and leave the process group (safe to call twice). A
        launched pool leaves that to ``finish``, which sends the run's exit code."""
        import torch

        if self.launched or not self.started:
            return
        if self.broken is None:
            try:
                self._send([("stop", code)] * self.size)
            except RankLost:
                pass  # the survivors time out; the report already says which rank was lost
        assert self.group is not None
        self.group.leave()
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        self.processes, self.group = [], None
        if self._threads is not None:
            torch.set_num_threads(self._threads)

    def _send(self, messages: list) -> Any:
        self._messages += 1
        return self._collective(lambda: send(self.group, messages))

    def _collective(self, run: Callable[[], Any]) -> Any:
        assert self.group is not None
        try:
            return run()
        except Exception as exc:  # noqa: BLE001 - gloo's errors name an address, not a rank
            self.broken = self.group.diagnose(exc, waiting_for=self._messages)
            raise self.broken from None


def send(group: Group | None, messages: list) -> Any:
    """Rank 0: one message to each rank (its own included); returns rank 0's."""
    import torch.distributed as dist

    mine: list[Any] = [None]
    dist.scatter_object_list(mine, messages, src=0, group=group.objects if group else None)
    return mine[0]


def _gather(group: Group | None, own: Any, gathered: list) -> None:
    import torch.distributed as dist

    dist.gather_object(own, gathered, dst=0, group=group.objects if group else None)


def finish(group: Group, code: int) -> int:
    """The end of a launched run on rank 0: every rank's ``serve`` returns ``code``. After a
    lost rank nothing is sent (the survivors' waits end at the timeout or with rank 0)."""
    if group.lost is None:
        try:
            send(group, [("stop", code)] * group.launch.world_size)
            _ended(group)
        except Exception as exc:  # noqa: BLE001 - name the silent rank
            raise group.diagnose(exc) from None
    return code


def _ended(group: Group) -> None:
    """Every rank leaves together: a launcher stops the other ranks as soon as one exits
    non-zero, so a worker must not exit while rank 0 is still finishing."""
    import torch.distributed as dist

    dist.barrier(group=group.objects)


def serve(group: Group) -> int:
    """A worker rank: answer rank 0's requests until it sends the run's exit code."""
    import torch.distributed as dist

    from gatekeeper.model.cache import NullCache
    from gatekeeper.model.engine import Engine

    engine = None
    handled = 0  # messages of rank 0 this rank has dealt with (rank 0 compares on a timeout)
    while True:
        box: list[Any] = [None]
        try:
            dist.scatter_object_list(box, None, src=0, group=group.objects)
        except Exception as exc:  # noqa: BLE001 - rank 0 died or went silent
            raise group.diagnose(exc) from None
        kind = box[0][0]
        if kind == "stop":
            if group.launch.launcher != "workers":
                _ended(group)
            return int(box[0][1])
        if kind == "engine":  # rank 0's result cache stays rank 0's: a worker stores nothing
            engine = Engine(**{**box[0][1], "cache": NullCache(), "progress": False})
            handled += 1
            group.mark(handled)
            continue
        _, request, shard = box[0]
        reply: tuple[str, Any]
        try:
            assert engine is not None, "a request before the engine's settings"
            reply = ("ok", engine.compute_shard(request, shard))
        except Exception as exc:  # reported by rank 0
            reply = ("error", f"rank {group.launch.rank}: {type(exc).__name__}: {exc}")
        try:
            dist.gather_object(reply, None, dst=0, group=group.objects)
        except Exception as exc:  # noqa: BLE001
            raise group.diagnose(exc) from None
        handled += 1
        group.mark(handled)


def _interleave(gathered: list, total: int) -> list:
    for status, value in gathered:
        if status != "ok":
            raise ModelError(f"a data-parallel worker failed: {value}",
                             hint="run without --workers or the launcher to see the error in this process")
    out: list[Any] = [None] * total
    size = len(gathered)
    for rank, (_, values) in enumerate(gathered):
        out[rank::size] = values
    return out


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_spawned(launch: Launch, threads: int, device: str, cache: tuple[bool, Any] = (True, None)) -> None:
    """A ``--workers`` process: under the run's cache settings (``cache``: enabled, root)."""
    import torch

    from gatekeeper.core.paths import use_cache

    torch.set_num_threads(threads)
    with use_cache(*cache):
        try:
            group = join(launch, device)
            try:
                serve(group)
            finally:
                group.leave()
        except GatekeeperError as exc:  # one line, as the CLI prints it; rank 0 names it too
            print(f"error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(3) from None


def attach_pool(engine, engine_kwargs: dict, workers: int, group: Group | None = None) -> None:
    """Give ``engine`` a pool of ``workers`` ranks (spawned here, or the launched ``group``'s),
    closed when the engine goes away."""
    import weakref

    kwargs = {key: value for key, value in engine_kwargs.items() if key != "cache"}
    engine.pool = pool = WorkerPool(kwargs, workers, group)
    weakref.finalize(engine, pool.close)
