"""fastlr on NVIDIA GPUs: tables and sweeps computed with Numba's CUDA target.

``import fastlr.cuda`` (or the attribute ``fastlr.cuda``) never imports ``numba.cuda``; the first
call does. The same results come from ``device="cuda"`` on :meth:`fastlr.Schedule.table` and
:func:`fastlr.sweep`; these functions add the GPU-only options (``rows``, host tiles). See
``docs/cuda.md`` for where results go (a device array, a caller's CUDA array, or host memory
streamed in tiles) and the accuracy against the CPU.

Examples
--------
>>> import fastlr
>>> fastlr.cuda.is_available() in (True, False)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastlr import _gpu
from fastlr._gpu import DEVICE_MEMORY_FRACTION, HOST_CHUNK_BYTES, CudaUnavailableError, is_available, to_torch
from fastlr.lowering.configs import lower, lower_for

__all__ = [
    "DEVICE_MEMORY_FRACTION",
    "HOST_CHUNK_BYTES",
    "CudaUnavailableError",
    "is_available",
    "sweep",
    "table",
    "to_torch",
]


def sweep(
    configs: Any,
    T: Any,
    dtype: Any = np.float32,
    out: Any = None,
    rows: Any = None,
    to_host: bool = False,
    chunk_rows: Any = None,
    *,
    t0: Any = 0,
) -> Any:
    """``(N, T)`` table of N schedule rows for steps ``t0 .. t0 + T - 1``, computed on the GPU.

    Parameters
    ----------
    configs
        Anything :func:`fastlr.lower` accepts (flat-config columns, schedules); a Program is
        used as is.
    T : int
        Steps per row, >= 1.
    dtype : float32 (default) or float64
        Every value is computed in float64 and rounded once.
    out : device array, numpy array, or None
        An ``(N, T)`` CUDA array (numba, torch, CuPy) is written on the GPU; an ``(N, T)``
        NumPy array receives the values streamed to the host in tiles.
    rows : 1-D int array, optional
        Program rows to evaluate, in output order (default: all); N is then ``len(rows)``.
    to_host : bool
        With ``out=None``: return a NumPy array (streamed in tiles) instead of a device array.
    chunk_rows : int, optional
        Host streaming only: rows per tile (default: as many as fit in ``HOST_CHUNK_BYTES``).
    t0 : int
        First step, >= 0.

    Returns
    -------
    numba device array, ``out``, or ndarray

    Raises
    ------
    CudaUnavailableError
        Without a usable CUDA device (or the simulator, ``NUMBA_ENABLE_CUDASIM=1``).

    Examples
    --------
    >>> import numpy as np, fastlr
    >>> configs = fastlr.grid(lr=[1.0, 0.5], shape=["linear", "cosine"], steps=[4])
    >>> if fastlr.cuda.is_available():
    ...     table = fastlr.cuda.sweep(configs, 6, to_host=True)
    ... else:
    ...     table = fastlr.sweep(configs, 6)  # the CPU computes the same values
    >>> table.shape, table.dtype, table[2].tolist()
    ((4, 6), dtype('float32'), [0.5, 0.375, 0.25, 0.125, 0.0, 0.0])
    """
    return _gpu.sweep_cuda(lower_for(configs, T, t0), T, dtype, out, rows, to_host, chunk_rows, t0=t0)


def table(
    schedule: Any, T: Any, dtype: Any = np.float64, out: Any = None, t0: Any = 0, *, to_host: bool = False
) -> Any:
    """One schedule's values for steps ``t0 .. t0 + T - 1``, computed on the GPU (row 0 of a
    Program).

    Parameters
    ----------
    schedule
        A schedule or shape (or a one-row Program).
    T : int
        Number of steps, >= 1.
    dtype : float64 (default) or float32
        Every value is computed in float64 and rounded once.
    out : device array, numpy array, or None
        A length-T CUDA array is written on the GPU; a NumPy array receives the values
        through the host.
    t0 : int
        First step, >= 0.
    to_host : bool
        With ``out=None``: return a NumPy array instead of a device array.

    Returns
    -------
    numba device array, ``out``, or ndarray

    Examples
    --------
    >>> import fastlr
    >>> s = fastlr.Schedule(fastlr.Linear(1.0, 0.0, 4), warmup=fastlr.Warmup(2))
    >>> if fastlr.cuda.is_available():
    ...     values = fastlr.cuda.table(s, 7).copy_to_host()  # a numba device array
    ... else:
    ...     values = s.table(7)
    >>> values.tolist()
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    return _gpu.table_cuda(lower(schedule), T, dtype, out, t0, to_host=to_host)
