"""SIGTERM as an interruption: CI cancels jobs with SIGTERM, and the report must still land."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM.

    A KeyboardInterrupt subclass, so pytest stops the way it does for Ctrl-C and the run
    ends as interrupted (exit 2) with every finished gate in the report.
    """

    def __init__(self) -> None:
        super().__init__("terminated by SIGTERM (CI cancelled the job?)")


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated; the previous handler comes back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
