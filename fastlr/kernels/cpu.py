"""CPU kernels: the formula source compiled with Numba, and parallel loops around it.

Imported lazily (on the first table); importing it compiles nothing. Kernels write into
preallocated outputs and assume a validated program.
"""

from __future__ import annotations

import numba

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
