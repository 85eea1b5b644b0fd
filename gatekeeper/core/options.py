"""Engine options of one run: how the model engine is built (cache, batch size, device).

Lives on its own low floor so that the runtime (which builds the engine) and the session
(which owns it) depend on it, not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EngineOptions:
    cache: bool = True
    cache_dir: Path | None = None
    batch_size: int | None = None
    device: str = "auto"
    progress: bool = True
    workers: int = 1  # check --workers N: data-parallel processes (gatekeeper/model/parallel.py)
    backend: str = "hf"  # check --backend: hf (transformers) or vllm (gatekeeper/model/vllm_backend.py)
    remeasure: bool = False  # check --remeasure: time serving again instead of reusing a stored timing

    def __post_init__(self) -> None:
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
