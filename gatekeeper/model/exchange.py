"""Launched mode: gatekeeper as one rank of ``torchrun`` or ``accelerate launch``.

    torchrun --nnodes 2 --nproc-per-node 4 --rdzv-backend c10d --rdzv-endpoint HOST:29500 \\
        -m gatekeeper check BUNDLE

The launcher starts the same command on every rank and says who is who in the environment
(RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; torchrun and accelerate set the
same names). ``read_launch`` turns that into a ``Launch``; ``join`` enters the process group
(env://: gloo on CPU; nccl with ``cuda.set_device(LOCAL_RANK)`` on CUDA, plus a gloo group
for the Python objects the exchange sends). Rank 0 then runs the check and its engine
shards every batch of cache misses over all ranks through the same ``WorkerPool`` protocol
as ``--workers`` (parallel.py); every other rank answers shards until rank 0 sends the exit
code every rank ends with.

Every wait is bounded by ``GATEKEEPER_DIST_TIMEOUT`` seconds (default 1800). A rank that
dies or stops answering is named: each rank keeps a heartbeat counter and the number of
messages it dealt with in the launcher's key-value store, so the survivors can say which rank
went silent rather than repeating gloo's "connection closed by peer".
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Mapping

from gatekeeper.core.errors import GatekeeperError, UsageError

TRIGGERS = ("RANK", "WORLD_SIZE", "LOCAL_RANK")  # any of these set: we run under a launcher
REQUIRED = (*TRIGGERS, "MASTER_ADDR", "MASTER_PORT")
TIMEOUT_VAR = "GATEKEEPER_DIST_TIMEOUT"
DEFAULT_TIMEOUT_S = 1800.0
_FIX = ("start gatekeeper with torchrun or accelerate launch (they set RANK, WORLD_SIZE, "
        "LOCAL_RANK, MASTER_ADDR and MASTER_PORT), or unset RANK, WORLD_SIZE and LOCAL_RANK "
        "to run as one process")


class RankLost(GatekeeperError):
    """A rank of a launched or ``--workers`` run died or stopped answering (exit 3)."""


@dataclass(frozen=True)
class Launch:
    """Who this process is in a launched run, read from the launcher's environment."""

    rank: int
    world_size: int
    local_rank: int
    master_addr: str
    master_port: int
    local_world_size: int | None = None
    launcher: str = "env"  # torchrun, accelerate, or env (another launcher that sets the names)
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def nodes(self) -> int | None:
        """Number of machines, when the launcher says how many ranks each one runs."""
        lws = self.local_world_size
        return self.world_size // lws if lws and self.world_size % lws == 0 else None

    def layout(self, engine_backend: str, communication: str | None) -> dict:
        """The parallel layout for the report's provenance."""
        return {"mode": self.launcher, "world_size": self.world_size, "nodes": self.nodes,
                "ranks_per_node": self.local_world_size, "backend": engine_backend,
                "communication": communication}


def read_launch(env: Mapping[str, str]) -> Launch | None:
    """The launch this environment describes, None outside a launcher; a partial or
    inconsistent one is a UsageError naming the variable."""
    if not any(env.get(name, "") != "" for name in TRIGGERS):
        return None
    missing = [name for name in REQUIRED if env.get(name, "") == ""]
    if missing:
        given = ", ".join(f"{n}={env[n]}" for n in REQUIRED if env.get(n, "") != "")
        raise UsageError(f"incomplete launcher environment: {given} is set but "
                         f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not", hint=_FIX)
    rank, world, local = (_int(env, n, 0) for n in TRIGGERS)
    if world < 1:
        raise UsageError(f"WORLD_SIZE={env['WORLD_SIZE']}: must be at least 1", hint=_FIX)
    if rank >= world:
        raise UsageError(f"RANK={rank} is not below WORLD_SIZE={world} (ranks are 0..{world - 1})",
                         hint=_FIX)
    port = _int(env, "MASTER_PORT", 1)
    if port > 65535:
        raise UsageError(f"MASTER_PORT={port}: a TCP port is 1..65535", hint=_FIX)
    lws = _int(env, "LOCAL_WORLD_SIZE", 1) if env.get("LOCAL_WORLD_SIZE", "") != "" else None
    if lws is not None and local >= lws:
        raise UsageError(f"LOCAL_RANK={local} is not below LOCAL_WORLD_SIZE={lws}", hint=_FIX)
    return Launch(rank=rank, world_size=world, local_rank=local, master_addr=env["MASTER_ADDR"],
                  master_port=port, local_world_size=lws, launcher=_launcher(env),
                  timeout_s=dist_timeout(env))


def dist_timeout(env: Mapping[str, str]) -> float:
    """Seconds any wait on another rank may take (GATEKEEPER_DIST_TIMEOUT, default 1800)."""
    text = env.get(TIMEOUT_VAR, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise UsageError(f"{TIMEOUT_VAR}={text!r}: expected a number of seconds above 0",
                         hint=f"set {TIMEOUT_VAR} to e.g. 1800 (the default) or unset it")
    return value


def _int(env: Mapping[str, str], name: str, minimum: int) -> int:
    text = env[name].strip()
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{name}={env[name]!r}: expected a whole number", hint=_FIX) from None
    if value < minimum:
        raise UsageError(f"{name}={value}: must be at least {minimum}", hint=_FIX)
    return value


def _launcher(env: Mapping[str, str]) -> str:
    if any(name.startswith("ACCELERATE_") for name in env):  # accelerate runs torchrun inside
        return "accelerate"
    return "torchrun" if env.get("TORCHELASTIC_RUN_ID") else "env"


@dataclass
class Group:
    """A joined process group: the gloo group Python objects travel on, and liveness."""

    launch: Launch
    backend: str  # the default group's: gloo or nccl
    objects: Any = None  # gloo group for object collectives; None = the default group
    store: Any = None
    beat_s: float = 1.0
    lost: RankLost | None = None  # set once a rank went silent: nothing more is sent
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def timeout(self) -> timedelta:
        return timedelta(seconds=self.launch.timeout_s)

    def mark(self, handled: int) -> None:
        """This rank has dealt with ``handled`` messages of rank 0 (read by rank 0 when one
        goes silent: a rank behind the count is the one that did not answer)."""
        if self.store is not None:
            self.store.set(f"handled/{self.launch.rank}", str(handled))

    def diagnose(self, error: BaseException, waiting_for: int | None = None) -> RankLost:
        """Name the ranks that went silent, after a collective failed with ``error``."""
        me, first = self.launch.rank, _first_line(error)
        if me != 0:
            self.lost = RankLost(f"rank {me}: lost rank 0 (the rank that runs the check): {first}",
                            hint="read rank 0's output for why it stopped; every rank ends with it")
            return self.lost
        lost = self.silent_ranks()
        slow = [r for r, n in self.handled().items() if waiting_for is not None and n < waiting_for
                and r not in lost]
        if lost:
            what = f"rank{'s' if len(lost) > 1 else ''} {', '.join(map(str, lost))} stopped (no heartbeat " \
                   f"for {3 * self.beat_s:.0f} s)"
        elif slow:
            what = f"rank{'s' if len(slow) > 1 else ''} {', '.join(map(str, slow))} did not answer within " \
                   f"{self.launch.timeout_s:g} s"
        else:
            what = "a rank stopped answering"
        self.lost = RankLost(f"lost a rank of {self.launch.world_size}: {what} ({first})",
                             hint=f"read that rank's output for why it stopped; {TIMEOUT_VAR} "
                                  f"(now {self.launch.timeout_s:g} s) bounds every wait")
        return self.lost

    def silent_ranks(self) -> list[int]:
        """Ranks whose heartbeat counter did not move over three beats."""
        if self.store is None:
            return []
        before = self._beats()
        time.sleep(3 * self.beat_s)
        after = self._beats()
        return [r for r in before if after.get(r) == before[r]]

    def handled(self) -> dict[int, int]:
        return {r: int(self._get(f"handled/{r}") or 0) for r in range(1, self.launch.world_size)}

    def _beats(self) -> dict[int, int]:
        return {r: int(self._get(f"beat/{r}") or 0) for r in range(1, self.launch.world_size)}

    def _get(self, key: str) -> str | None:
        try:
            return self.store.get(key).decode() if self.store.check([key]) else None
        except Exception:  # noqa: BLE001 - the store went with rank 0: nothing to read
            return None

    def start_heartbeat(self) -> None:
        if self.store is None or self.launch.rank == 0:
            return
        key = f"beat/{self.launch.rank}"

        def beat() -> None:
            while not self._stop.wait(self.beat_s):
                try:
                    self.store.add(key, 1)
                except Exception:  # noqa: BLE001 - the store is gone: so is rank 0
                    return
        threading.Thread(target=beat, daemon=True, name="gatekeeper-heartbeat").start()

    def leave(self) -> None:
        import torch.distributed as dist

        self._stop.set()
        if dist.is_initialized():
            dist.destroy_process_group()


def _first_line(error: BaseException) -> str:
    """gloo's message without its source location and its advice (ours replaces it)."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    text = re.sub(r"^\[[^\]]*\.(cc|cpp|h):\d+\]\s*", "", text)
    return text.split(". This is typically")[0]


def join(launch: Launch, device: str = "auto") -> Group:
    """Enter the launcher's process group; every rank has arrived when this returns."""
    import torch
    import torch.distributed as dist

    timeout = timedelta(seconds=launch.timeout_s)
    cuda = device != "cpu" and torch.cuda.is_available()
    if cuda:
        count = torch.cuda.device_count()
        if launch.local_rank >= count:
            raise UsageError(f"LOCAL_RANK={launch.local_rank} but this machine has {count} CUDA "
                             f"device(s)", hint=f"start at most {count} rank(s) per machine "
                                                "(--nproc-per-node), or pass --device cpu")
        torch.cuda.set_device(launch.local_rank)
    backend = "nccl" if cuda else "gloo"
    try:
        # a launcher's rendezvous store is at MASTER_ADDR:MASTER_PORT (env://); --workers
        # ranks meet at rank 0's own store
        init = f"tcp://{launch.master_addr}:{launch.master_port}" if launch.launcher == "workers" \
            else "env://"
        dist.init_process_group(backend, init_method=init, rank=launch.rank,
                                world_size=launch.world_size, timeout=timeout)
        objects = dist.new_group(backend="gloo", timeout=timeout) if cuda else None
        store = _store(launch, timeout)
        group = Group(launch, backend, objects, store, beat_s=min(10.0, max(0.2, launch.timeout_s / 10)))
        group.mark(0)
        group.start_heartbeat()
        # rank 0 learns here which ranks never arrived (the others wait for it)
        dist.monitored_barrier(group=objects, timeout=timeout, wait_all_ranks=True)
    except RankLost:
        raise
    except Exception as exc:  # noqa: BLE001 - rendezvous timeouts and refused connections alike
        first = _first_line(exc)
        raise RankLost(f"rank {launch.rank}: the {launch.world_size} ranks did not all meet at "
                       f"{launch.master_addr}:{launch.master_port} within {launch.timeout_s:g} s: {first}",
                       hint="start every rank with the same --nnodes, --nproc-per-node and "
                            f"rendezvous address, or raise {TIMEOUT_VAR}") from None
    return group


def _store(launch: Launch, timeout: timedelta):
    """A client of the store the launcher's rendezvous runs (rank 0's or torchrun's agent)."""
    import torch.distributed as dist

    client = dist.TCPStore(launch.master_addr, launch.master_port, is_master=False, timeout=timeout)
    return dist.PrefixStore("gatekeeper/", client)


def launch_from_os() -> Launch | None:
    """The launch of this process (only the CLI entry asks: in-process runs never join)."""
    return read_launch(os.environ)
