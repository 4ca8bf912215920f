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

    ``configs`` is anything :func:`fastlr.lower` accepts (a Program is used as is); the other
    arguments are those of :func:`fastlr._gpu.sweep_cuda` (``rows`` picks and orders program
    rows; ``chunk_rows`` sets the rows per host tile).

    Returns
    -------
    numba device array, ``out``, or ndarray
    """
    return _gpu.sweep_cuda(lower_for(configs, T, t0), T, dtype, out, rows, to_host, chunk_rows, t0=t0)


def table(
    schedule: Any, T: Any, dtype: Any = np.float64, out: Any = None, t0: Any = 0, *, to_host: bool = False
) -> Any:
    """One schedule's values for steps ``t0 .. t0 + T - 1``, computed on the GPU (row 0 of a
    Program); the arguments of :func:`fastlr._gpu.table_cuda`.

    Returns
    -------
    numba device array, ``out``, or ndarray
    """
    return _gpu.table_cuda(lower(schedule), T, dtype, out, t0, to_host=to_host)
