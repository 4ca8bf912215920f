"""The CPU entry points over rows, and scattered points.

Plain Python, compiled by :mod:`fastlr.kernels.cpu` in one namespace with the formulas and
:mod:`~fastlr.kernels.blocks`, as serial functions that release the GIL: Python threads run
chunks of rows at once (:func:`fastlr.kernels.cpu.in_parallel`; one long table runs chunks of
whole blocks through ``fill_span`` the same way). Every value is
:func:`~fastlr.kernels.blocks.fill_span`'s (or, for scattered points,
:func:`~fastlr.kernels.formulas.value`'s); the drivers only loop over rows and allocate their
scratch once (``fill_span`` inlined into them at Numba IR level: no function of its own to
compile, link and optimise again beneath them). Rows and blocks are independent, so no result
depends on the chunking or the thread count.
"""

import numpy as np

from fastlr.kernels import layout as L
from fastlr.kernels.blocks import BLOCK, fill_span
from fastlr.kernels.formulas import value

# called from Python on one thread (scattered points)
SERIAL_DRIVERS = ("eval_points",)
# called from Python on chunks of rows, on several threads at once (cpu.in_parallel)
PARALLEL_DRIVERS = ("fill_rows", "summarize_rows")


def fill_rows(ci, cf, si, sf, rows, t0, out):
    """``out[r, k] = value(rows[r], t0 + k)``, one row after another, with one scratch
    allocation (:func:`fastlr.kernels.cpu.in_parallel` runs chunks of rows on its threads)."""
    b = np.zeros(BLOCK)
    w = np.zeros(BLOCK)
    for r in range(out.shape[0]):
        fill_span(ci, cf, si, sf, rows[r], t0, out[r], b, w)


def summarize_rows(ci, cf, si, sf, rows, t0, n_steps, threshold, sum0, fsum, isum):
    """Per-row summaries of steps ``t0 .. t0 + n_steps - 1`` without a table: ``fsum`` gets the
    final value, peak, min and sum (float64, in step order, starting at ``sum0``), ``isum`` the
    peak step (first reaching the peak, relative to ``t0``) and the counts of steps above and
    below ``threshold``, in the columns ``layout.SUM_*``."""
    v = np.empty(BLOCK)
    b = np.zeros(BLOCK)
    w = np.zeros(BLOCK)
    for r in range(rows.shape[0]):
        c = rows[r]
        peak = -np.inf
        low = np.inf
        total = sum0[r]
        peak_k = 0
        above = 0
        below = 0
        last = 0.0
        for k0 in range(0, n_steps, BLOCK):
            m = min(BLOCK, n_steps - k0)
            bb = v[:m]
            fill_span(ci, cf, si, sf, c, t0 + k0, bb, b, w)
            for j in range(m):
                x = bb[j]
                total += x
                if x > peak:
                    peak = x
                    peak_k = k0 + j
                low = min(low, x)
                if x > threshold:
                    above += 1
                if x < threshold:
                    below += 1
            last = bb[m - 1]
        fsum[r, L.SUM_FINAL] = last
        fsum[r, L.SUM_PEAK] = peak
        fsum[r, L.SUM_MIN] = low
        fsum[r, L.SUM_SUM] = total
        isum[r, L.SUM_PEAK_STEP] = peak_k
        isum[r, L.SUM_ABOVE] = above
        isum[r, L.SUM_BELOW] = below


def eval_points(ci, cf, si, sf, rows, steps, out):
    """``out[j] = value(rows[j], steps[j])`` for scattered points (the scalar path)."""
    for j in range(steps.shape[0]):
        out[j] = value(ci, cf, si, sf, rows[j], steps[j])
