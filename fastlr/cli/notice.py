"""A notice printed when a step of a command is slow (the first run compiles the kernels), and
:class:`Background`, a step of a command run on a thread while the command does another."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["COMPILING", "Background", "Cancelled", "notice_after"]

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


class Cancelled(Exception):
    """Raised by a :class:`Background` step that noticed it was cancelled (see :meth:`Background.check`)."""


class Background:
    """``func(stop, *args)`` on a daemon thread, started at once; :meth:`result` waits for it.

    The command's own thread goes on meanwhile: the kernels release the GIL, so a step that
    computes (the summaries of a sweep) overlaps one that draws (its figure); importing a
    module overlaps a compile. The step's exception is re-raised by :meth:`result`, in the
    thread that waits (the command's exit status and message are those of the step run there).

    Parameters
    ----------
    func : callable
        Called as ``func(stop, *args)``; ``stop`` is a :class:`threading.Event` set by
        :meth:`cancel`. A step that writes a file calls :meth:`check` (``Background.check(stop)``)
        before it renames its temporary file onto the output, so that a cancelled step leaves
        no complete-looking file (:func:`fastlr.cli.writers.atomic_output` removes the
        temporary file).
    *args
        Passed on to ``func``.
    name : str
        The thread's name.
    """

    def __init__(self, func: Callable[..., Any], *args: Any, name: str = "fastlr-background") -> None:
        self.stop = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(func, args), name=name, daemon=True)
        self._thread.start()

    def _run(self, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            self._value = func(self.stop, *args)
        except BaseException as exc:  # re-raised by result(), in the waiting thread
            self._error = exc

    @staticmethod
    def check(stop: threading.Event) -> None:
        """Raise :class:`Cancelled` if ``stop`` is set (called by the step itself)."""
        if stop.is_set():
            raise Cancelled("cancelled")

    def result(self) -> Any:
        """Wait for the step; return its value, or raise its exception here."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value

    def cancel(self, timeout: float = 5.0) -> None:
        """Set ``stop`` and wait up to ``timeout`` seconds for the step to end; its result and
        exception are dropped (the caller is already handling an exception of its own)."""
        self.stop.set()
        self._thread.join(timeout)
        self._error = None
