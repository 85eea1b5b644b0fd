"""Engine options of one run: how the model engine is built (cache, batch size, device).

Lives on its own low floor so that the runtime (which builds the engine) and the session
(which owns it) depend on it, not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EngineOptions:
    cache: bool = True
    cache_dir: Path | None = None
    batch_size: int | None = None
    device: str = "auto"
    progress: bool = True
    workers: int = 1  # check --workers N: data-parallel processes (gatekeeper/model/parallel.py)
    backend: str = "hf"  # check --backend: hf (transformers) or vllm (gatekeeper/model/vllm_backend.py)
    tensor_parallel_size: int = 1  # check --tensor-parallel-size: GPUs one vLLM model spans
    # the joined exchange.Group when this is rank 0 of a torchrun/accelerate run (cli.py
    # joins it; only the CLI entry reads the launcher's environment)
    launched: Any = None
    remeasure: bool = False  # check --remeasure: time serving again instead of reusing a stored timing

    def __post_init__(self) -> None:
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.tensor_parallel_size < 1:
            raise ValueError(f"tensor_parallel_size must be >= 1, got {self.tensor_parallel_size}")
