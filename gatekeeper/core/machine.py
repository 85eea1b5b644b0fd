"""What a timing depends on beyond its inputs: the machine it ran on.

A latency or throughput number holds for one machine; a stored one may be reused only on
the same CPU model and core count (and the library versions ``core/store.memo_key`` adds).
Read without importing torch.
"""

from __future__ import annotations

import os
import platform
from functools import lru_cache


@lru_cache(maxsize=1)
def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else the platform's answer)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "cpu model"):
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine_identity() -> dict:
    """CPU model, usable cores, architecture and OS: what makes timings comparable."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 0
    return {"cpu": cpu_model(), "cores": cores, "machine": platform.machine(),
            "system": platform.system()}
