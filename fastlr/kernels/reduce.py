"""Users' summary reducers: Numba-compiled functions of one row, run in a row kernel.

A reducer is a function of one argument, ``fn(lr)``, returning a number: ``lr`` is one config's
values at steps ``t0 .. t0 + T - 1`` (index ``k`` holds step ``t0 + k``), a **read-only**
C-contiguous float64 array of length ``T``. Plain Python functions are compiled with
``numba.njit``; a function already decorated with ``numba.njit`` is used as it is. Each
reducer is compiled (and checked) once per process for that row type, before any row is
computed, so a function Numba cannot type fails with the reducer's name, and one that writes
into ``lr`` fails to compile (the array is read-only).

:func:`compile_reducers` checks and compiles a mapping ``{name: fn}``; :func:`row_kernel`
builds the kernel that fills one row at a time into a buffer (with ``linked_fill_span`` of the
program's variant: its code, cached on disk, linked rather than compiled again with the
reducers) and calls every reducer on it; the caller runs chunks of rows on
worker threads, each with its own buffer. Memory is one row per chunk of rows (``buffers``: at
most one chunk per thread), never a table.

Self-contained: nothing here imports fastlr outside this package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numba import types
from numba.core.registry import CPUDispatcher

from fastlr.kernels.blocks import BLOCK

#: The type of the row a reducer receives: a read-only C-contiguous float64 vector.
ROW_TYPE = types.Array(types.float64, 1, "C", readonly=True)


@dataclass(frozen=True)
class Reducer:
    """One compiled reducer: its name, its dispatcher, and whether it returns an integer (or a
    bool; its column is then int64) rather than a float (float64)."""

    name: str
    func: Any
    integer: bool


#: How plain Python reducers are compiled: IEEE division (x / 0 gives inf or nan, reported as a
#: non-finite result) and bounds-checked indexing (an index past the row raises, reported with
#: the reducer's name, instead of reading other memory).
JIT_OPTIONS: dict[str, Any] = {"error_model": "numpy", "boundscheck": True}

# plain Python functions compiled once per process (a dispatcher per function)
_JITTED: dict[Any, Any] = {}
# row kernels by (fill_span, reducer dispatchers and kinds)
_KERNELS: dict[Any, Any] = {}


def _dispatcher(name: str, fn: Any) -> Any:
    if isinstance(fn, CPUDispatcher):
        return fn
    if not callable(fn):
        raise TypeError(f"reducer {name!r} must be a function of one row (lr), got {type(fn).__name__}")
    try:
        cached = _JITTED.get(fn)
    except TypeError:  # unhashable callable
        cached = None
    if cached is None:
        try:
            cached = numba.njit(fn, **JIT_OPTIONS)
        except Exception as exc:  # numba refuses some callables (builtins, classes) at once
            raise TypeError(f"reducer {name!r} cannot be compiled by Numba: {_first_lines(exc)}") from None
        try:
            _JITTED[fn] = cached
        except TypeError:
            pass
    return cached


def _first_lines(exc: BaseException, n: int = 4) -> str:
    """The first lines of a Numba error, without its terminal colours."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return " ".join(lines[:n]) or type(exc).__name__


def compile_reducers(reducers: Mapping[str, Callable[..., Any]] | None, taken: tuple[str, ...]) -> tuple[Reducer, ...]:
    """Check and compile ``{name: fn}`` for a row (:data:`ROW_TYPE`); ``taken`` are names the
    summary already uses. Raises ``TypeError``/``ValueError`` naming the reducer."""
    if reducers is None:
        return ()
    if not isinstance(reducers, Mapping):
        raise TypeError(f"reducers must be a mapping {{name: function}}, got {type(reducers).__name__}")
    out = []
    for name, fn in reducers.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"reducer names must be non-empty strings, got {name!r}")
        if name in taken:
            raise ValueError(f"reducer name {name!r} is a built-in summary field; built-ins: {', '.join(taken)}")
        disp = _dispatcher(name, fn)
        try:
            disp.compile((ROW_TYPE,))
            ret = disp.overloads[(ROW_TYPE,)].signature.return_type
        except Exception as exc:  # any typing or lowering error of the user's code
            raise ValueError(
                f"reducer {name!r} cannot be compiled by Numba for a row lr (a read-only 1-D float64 "
                f"array): {_first_lines(exc)}"
            ) from None
        if isinstance(ret, (types.Integer, types.Boolean)):
            integer = True
        elif isinstance(ret, types.Float):
            integer = False
        else:
            raise ValueError(f"reducer {name!r} must return a number (a float, int or bool), but returns {ret}")
        out.append(Reducer(name, disp, integer))
    return tuple(out)


def _store(fn: Any, col: int, integer: bool, index: int) -> Any:
    """``apply(lr, fo, io)``: one reducer's value into its column of the float or int row;
    returns -1, or ``index`` when the reducer raised (Numba keeps no exception object)."""
    if integer:

        def apply(lr, fo, io):  # type: ignore[no-untyped-def]
            try:
                io[col] = fn(lr)
            except Exception:
                return index
            return -1

    else:

        def apply(lr, fo, io):  # type: ignore[no-untyped-def]
            try:
                fo[col] = fn(lr)
            except Exception:
                return index
            return -1

    return numba.njit(apply)


def _then(first: Any, rest: Any) -> Any:
    def apply(lr, fo, io):  # type: ignore[no-untyped-def]
        failed = first(lr, fo, io)
        if failed >= 0:
            return failed
        return rest(lr, fo, io)

    return numba.njit(apply)


def _apply_all(reducers: tuple[Reducer, ...]) -> Any:
    """One compiled ``apply(lr, fo, io)`` calling every reducer in order (float columns in order
    of the float reducers, int columns in order of the int ones); it returns -1, or the index of
    the first reducer that raised."""
    steps = []
    n_float = n_int = 0
    for k, r in enumerate(reducers):
        if r.integer:
            steps.append(_store(r.func, n_int, True, k))
            n_int += 1
        else:
            steps.append(_store(r.func, n_float, False, k))
            n_float += 1
    apply = steps[-1]
    for step in reversed(steps[:-1]):
        apply = _then(step, apply)
    return apply


def _build(fill_span: Any, apply: Any) -> Any:
    def reduce_rows(ci, cf, si, sf, rows, t0, buf, view, fo, io, failed):  # type: ignore[no-untyped-def]
        b = np.zeros(BLOCK)
        w = np.zeros(BLOCK)
        for r in range(rows.shape[0]):
            # buf and view are the same memory: written here, read-only for the reducers
            fill_span(ci, cf, si, sf, rows[r], t0, buf, b, w)
            failed[r] = apply(view, fo[r], io[r])

    return numba.njit(nogil=True, error_model="numpy")(reduce_rows)


def row_kernel(fill_span: Any, reducers: tuple[Reducer, ...]) -> Any:
    """The kernel ``reduce_rows(ci, cf, si, sf, rows, t0, buf, view, fo, io, failed)``: for each row
    ``rows[r]``, fill the row buffer ``buf`` with the row's values from step ``t0``
    (``linked_fill_span`` of the program's variant) and write the float reducers' values to ``fo[r]``,
    the integer ones' to ``io[r]``, and to ``failed[r]`` -1 or the index of the first reducer
    that raised on the row. ``view`` is ``buf`` read-only. Serial, without the GIL: the caller
    runs chunks of rows on the worker threads (:func:`fastlr.kernels.cpu.in_parallel`), each
    with a buffer of its own. Compiled once per process for each variant and set of reducers."""
    key = (fill_span, tuple((r.func, r.integer) for r in reducers))
    kernel = _KERNELS.get(key)
    if kernel is None:
        kernel = _KERNELS[key] = _build(fill_span, _apply_all(reducers))
    return kernel


def buffers(n_rows: int, T: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    """The row buffers of one kernel call: ``(buf, view)``, one row of ``T`` float64 per chunk
    (``min(n_rows, n_threads)`` chunks), ``view`` the same memory read-only."""
    buf = np.empty((max(1, min(n_rows, n_threads)), T), dtype=np.float64)
    view = buf.view()
    view.flags.writeable = False
    return buf, view
