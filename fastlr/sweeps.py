"""The sweep API: many schedules at once, as one table or as per-config summaries.

``fastlr.sweep`` and ``fastlr.summarize`` lower their configs (:mod:`fastlr.lowering`) and
evaluate the program (:mod:`fastlr.evaluate`); the flat-config vocabulary (``grid``,
``config_schedule``, ``COLUMNS``) lives with its lowering in :mod:`fastlr.lowering.configs`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from fastlr import evaluate
from fastlr.evaluate import SUMMARY_FIELDS
from fastlr.lowering.configs import COLUMNS, SHAPES, config_schedule, grid, lower, lower_for

__all__ = ["COLUMNS", "SHAPES", "SUMMARY_FIELDS", "config_schedule", "grid", "lower", "lower_for", "summarize", "sweep"]


def sweep(
    configs: Any,
    T: int,
    dtype: Any = None,
    out: Any = None,
    *,
    chunk_rows: int | None = None,
    progress: bool | None = None,
    t0: int = 0,
    exact: bool | None = None,
    device: str = "cpu",
    to_host: bool = False,
) -> Any:
    """The ``(N, T)`` table of N configs: row i holds config i's values for steps ``t0 ..``.

    Parameters
    ----------
    configs
        Anything :func:`fastlr.lower` accepts, or a Program (lowering is then skipped).
    T : int
        Steps per row, >= 1.
    dtype : float32 or float64, optional
        Default: ``out``'s dtype, else float32. Computation is float64; each value is rounded
        once.
    out : ndarray, optional
        Any C-contiguous ``(N, T)`` array of that dtype, e.g. an ``np.memmap`` for results
        larger than memory (written chunk by chunk). Without ``out`` a result that would not fit
        in available memory raises :class:`fastlr.MemoryLimitError`.
    chunk_rows : int, optional
        Rows per kernel call (default: about 64 MB of output). Results do not depend on it.
    progress : bool, optional
        Show a progress bar (default: only on a terminal, once a sweep runs over ~2 s).
    t0 : int
        First step (a block of steps ``t0 .. t0 + T - 1`` is computed directly).
    exact : bool, optional
        Evaluate transcendental functions with libm (True) or with the vectorised
        approximations, within 1e-14 relative (False). Default: exact for float64 output,
        fast for float32 (where the difference is far below the float32 rounding).
    device : {"cpu", "cuda"}
        ``"cuda"`` computes on the GPU (the same formulas, libdevice math) and returns a
        device array, or writes into ``out`` (a torch CUDA tensor, a CuPy array, anything with
        ``__cuda_array_interface__``); see ``docs/cuda.md``.
    to_host : bool
        With ``device="cuda"``: stream the result back to a host array in tiles (sweeps
        larger than GPU memory).

    Notes
    -----
    Rows are bit-identical whatever the batch, chunking or thread count. Flat configs that
    leave out ``steps`` decay over the rest of the ``T`` steps (``T - warmup - hold``), and
    their ratio columns count from ``T`` (with ``t0 = 0``; see :func:`lower_for`).

    Examples
    --------
    >>> import fastlr
    >>> configs = fastlr.grid(lr=[1.0, 0.5], shape=["linear", "cosine"], steps=[4])
    >>> table = fastlr.sweep(configs, 6)  # float32 unless dtype or out says otherwise
    >>> table.shape, table.dtype
    ((4, 6), dtype('float32'))
    >>> table[2].tolist()  # lr=0.5, linear
    [0.5, 0.375, 0.25, 0.125, 0.0, 0.0]
    >>> fastlr.sweep([fastlr.Linear(1.0, 0.0, 4), fastlr.Constant(0.5)], 5, dtype="float64").tolist()
    [[1.0, 0.75, 0.5, 0.25, 0.0], [0.5, 0.5, 0.5, 0.5, 0.5]]
    """
    return evaluate.sweep(
        lower_for(configs, T, t0),
        T,
        dtype,
        out,
        chunk_rows=chunk_rows,
        progress=progress,
        t0=t0,
        exact=exact,
        device=device,
        to_host=to_host,
    )


def summarize(
    configs: Any,
    T: int,
    *,
    threshold: float | None = None,
    t0: int = 0,
    chunk_rows: int | None = None,
    reducers: Mapping[str, Callable[..., Any]] | None = None,
) -> dict[str, np.ndarray]:
    """Per-config summaries over steps ``t0 .. t0 + T - 1``, without materialising the table.

    Returns a dict of arrays of length N: ``final`` (last value), ``peak`` and ``peak_step``
    (first step reaching it), ``min``, ``sum`` (area under the curve, float64 sequential sum),
    ``mean``, and with ``threshold`` the counts of steps ``above`` (>) and ``below`` (<) it.
    Values are float64 from the fast primitives (within 1e-14 relative of libm).

    Parameters
    ----------
    configs
        Anything :func:`fastlr.lower` accepts, or a Program.
    T : int
        Steps per config, >= 1.
    threshold : float, optional
        Adds the counts ``above`` and ``below``.
    t0 : int
        First step.
    chunk_rows : int, optional
        Rows per kernel call (default 65,536). Results do not depend on it.
    reducers : mapping of str to function, optional
        Custom summaries ``{name: fn}``, each an extra entry ``name`` of the result. ``fn(lr)``
        receives one config's values at steps ``t0 .. t0 + T - 1`` (``lr[k]`` is step
        ``t0 + k``; the same float64 values as the built-in fields) as a read-only 1-D float64
        array and returns a number; it must be compilable by Numba (plain Python functions are
        compiled with ``numba.njit``, an ``njit`` function is used as it is) and is run on every
        row in parallel compiled code, one row buffer per thread (no table is held). Float
        results give a float64 column, int or bool results an int64 column. A function Numba
        cannot compile, a name of a built-in field, or a non-finite result raises an error
        naming the reducer.

    Examples
    --------
    The area under the curve after step 100 (a plain function of the row), and the first step
    at which the rate falls below 1e-4:

    >>> import numpy as np
    >>> import fastlr as fl
    >>> configs = fl.grid(lr=[1e-3, 3e-4], shape=["cosine"], steps=[1_000])
    >>> def tail_area(lr):
    ...     return lr[100:].sum()
    >>> def first_below(lr):
    ...     return np.argmax(lr < 1e-4)
    >>> s = fl.summarize(configs, 1_000, reducers={"tail_area": tail_area, "first_below": first_below})
    >>> s["first_below"].tolist()
    [796, 609]
    """
    return evaluate.summarize(
        lower_for(configs, T, t0), T, threshold=threshold, t0=t0, chunk_rows=chunk_rows, reducers=reducers
    )
