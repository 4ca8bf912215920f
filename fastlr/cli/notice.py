"""A notice printed when a step of a command is slow: the first run compiles the kernels."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

__all__ = ["COMPILING", "notice_after"]

COMPILING = "loading the kernels (the first run compiles them, up to a minute; cached afterwards)..."


@contextlib.contextmanager
def notice_after(seconds: float, message: str) -> Iterator[None]:
    """Print ``message`` if the block is still running after ``seconds`` (a slow first compile)."""
    timer = threading.Timer(seconds, lambda: print(message, flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
