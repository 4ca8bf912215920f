"""CPU kernels: the formula source compiled with Numba, and parallel loops around it.

Imported lazily (on the first table); importing it compiles nothing. Kernels write into
preallocated outputs and assume a validated program.
"""

from __future__ import annotations

import numba
import numpy as np

from fastlr.kernels import formulas
from fastlr.kernels.retarget import compile_functions

_F = compile_functions(formulas, formulas.KERNEL_FUNCTIONS, numba.njit(cache=True))
_value = _F["value"]


@numba.njit(parallel=True, cache=True)
def fill_rows(ci, cf, si, sf, rows, t0, out):  # pragma: no cover - compiled
    """``out[r, k] = value(rows[r], t0 + k)`` for every row r, in parallel over rows."""
    n_rows, n_steps = out.shape
    for r in numba.prange(n_rows):
        c = rows[r]
        row = out[r]
        for k in range(n_steps):
            row[k] = _value(ci, cf, si, sf, c, t0 + k)


@numba.njit(parallel=True, cache=True)
def fill_steps(ci, cf, si, sf, c, t0, out):  # pragma: no cover - compiled
    """``out[k] = value(c, t0 + k)``: one long table, in parallel over blocks of steps."""
    n = out.shape[0]
    block = 65536
    nb = (n + block - 1) // block
    for b in numba.prange(nb):
        lo = b * block
        hi = min(n, lo + block)
        for k in range(lo, hi):
            out[k] = _value(ci, cf, si, sf, c, t0 + k)


@numba.njit(cache=True)
def eval_points(ci, cf, si, sf, rows, steps, out):  # pragma: no cover - compiled
    """``out[j] = value(rows[j], steps[j])`` for scattered points."""
    for j in range(steps.shape[0]):
        out[j] = _value(ci, cf, si, sf, rows[j], steps[j])


@numba.njit(parallel=True, cache=True)
def summarize_rows(ci, cf, si, sf, rows, t0, n_steps, threshold, fsum, isum):  # pragma: no cover - compiled
    """Per-row final, peak, min, sum (float64) and peak step, counts above/below ``threshold``."""
    for r in numba.prange(rows.shape[0]):
        c = rows[r]
        peak = -np.inf
        low = np.inf
        total = 0.0
        peak_k = 0
        above = 0
        below = 0
        v = 0.0
        for k in range(n_steps):
            v = _value(ci, cf, si, sf, c, t0 + k)
            total += v
            if v > peak:
                peak = v
                peak_k = k
            low = min(low, v)
            if v > threshold:
                above += 1
            if v < threshold:
                below += 1
        fsum[r, 0] = v
        fsum[r, 1] = peak
        fsum[r, 2] = low
        fsum[r, 3] = total
        isum[r, 0] = peak_k
        isum[r, 1] = above
        isum[r, 2] = below
