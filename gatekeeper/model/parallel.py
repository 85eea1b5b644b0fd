"""Data parallel generation and scoring over N processes on torch.distributed (gloo).

``gatekeeper check --workers N``: the check process is rank 0; ranks 1..N-1 are worker
processes (spawned on the first cache miss, so a fully cached run starts none), each with
its own copy of the model. Every batch of misses the engine computes is split round-robin
into N shards; the request goes out with ``scatter_object_list``, every rank decodes its
shard, and ``gather_object`` brings the answers back to rank 0, which puts them in input
order. A prompt's greedy answer does not depend on which prompts share its batch
(tests/model/test_decoding.py), so the report is the one a single process writes.

gloo runs on CPU everywhere, which is what makes this testable on the project's machines;
on a multi-GPU runner the same exchange works with one device per rank (``device`` picks
``cuda:RANK`` when the engine's device is cuda).
"""

from __future__ import annotations

import os
import socket
from typing import Any, Callable, Sequence

from gatekeeper.core.errors import ModelError

STOP = None


class WorkerPool:
    """N-1 worker processes plus this one; ``map`` runs one engine request sharded over all."""

    def __init__(self, engine_kwargs: dict, workers: int):
        if workers < 2:
            raise ValueError(f"a worker pool needs at least 2 processes, got {workers}")
        from gatekeeper.core.paths import cache_settings

        self.engine_kwargs, self.size = dict(engine_kwargs), workers
        settings = cache_settings()  # the run's: a worker's file hashes go where rank 0's go
        self.cache = (settings.enabled, settings.root)
        self.processes: list = []
        self._threads: int | None = None

    @property
    def started(self) -> bool:
        return bool(self.processes)

    def start(self) -> None:
        import torch
        import torch.distributed as dist
        import torch.multiprocessing as mp

        port = _free_port()
        threads = max(1, (os.cpu_count() or 1) // self.size)
        context = mp.get_context("spawn")
        for rank in range(1, self.size):
            process = context.Process(target=_serve, daemon=True,
                                      args=(rank, self.size, port, threads, self.engine_kwargs, self.cache))
            process.start()
            self.processes.append(process)
        self._threads = torch.get_num_threads()
        torch.set_num_threads(threads)
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=0,
                                world_size=self.size)

    def map(self, request: dict, items: Sequence, local: Callable[[dict, list], list]) -> list:
        """``local(request, shard)`` on every rank's round-robin shard; results in input order."""
        import torch.distributed as dist

        if not self.started:
            self.start()
        shards = [list(items[rank::self.size]) for rank in range(self.size)]
        mine: list[Any] = [None]
        dist.scatter_object_list(mine, [(request, shard) for shard in shards], src=0)
        own: tuple[str, Any]
        try:
            own = ("ok", local(request, mine[0][1]))
        except Exception as exc:  # gather first: the workers must not be left waiting
            own = ("error", f"{type(exc).__name__}: {exc}")
        gathered: list[Any] = [None] * self.size
        dist.gather_object(own, gathered, dst=0)
        return _interleave(gathered, len(items))

    def close(self) -> None:
        """Stop the workers and leave the process group (safe to call twice)."""
        import torch
        import torch.distributed as dist

        if not self.started:
            return
        dist.scatter_object_list([None], [STOP] * self.size, src=0)
        dist.destroy_process_group()
        for process in self.processes:
            process.join(timeout=30)
        self.processes = []
        if self._threads is not None:
            torch.set_num_threads(self._threads)


def _interleave(gathered: list, total: int) -> list:
    for status, value in gathered:
        if status != "ok":
            raise ModelError(f"a data-parallel worker failed: {value}",
                             hint="run without --workers to see the error in this process")
    out: list[Any] = [None] * total
    size = len(gathered)
    for rank, (_, values) in enumerate(gathered):
        out[rank::size] = values
    return out


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(rank: int, size: int, port: int, threads: int, engine_kwargs: dict,
           cache: tuple[bool, Any] = (True, None)) -> None:
    """A worker: under the run's cache settings (``cache``: enabled, root), its own engine
    (no result cache: rank 0 looks answers up and stores them), answering until told to stop."""
    from gatekeeper.core.paths import use_cache

    with use_cache(*cache):
        _serve_under(rank, size, port, threads, engine_kwargs)


def _serve_under(rank: int, size: int, port: int, threads: int, engine_kwargs: dict) -> None:
    import torch
    import torch.distributed as dist

    from gatekeeper.model.cache import NullCache
    from gatekeeper.model.engine import Engine

    torch.set_num_threads(threads)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=size)
    engine = Engine(**{**engine_kwargs, "cache": NullCache(), "progress": False})
    try:
        while True:
            box: list[Any] = [None]
            dist.scatter_object_list(box, None, src=0)
            if box[0] is STOP:
                break
            request, shard = box[0]
            reply: tuple[str, Any]
            try:
                reply = ("ok", engine.compute_shard(request, shard))
            except Exception as exc:  # reported by rank 0
                reply = ("error", f"{type(exc).__name__}: {exc}")
            dist.gather_object(reply, None, dst=0)
    finally:
        dist.destroy_process_group()


def attach_pool(engine, engine_kwargs: dict, workers: int) -> None:
    """Give ``engine`` a pool of ``workers`` processes, closed when the engine goes away."""
    import weakref

    kwargs = {key: value for key, value in engine_kwargs.items() if key != "cache"}
    engine.pool = pool = WorkerPool(kwargs, workers)
    weakref.finalize(engine, pool.close)
