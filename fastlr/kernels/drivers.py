"""The CPU entry points: parallel drivers over rows or chunks of steps, and scattered points.

Plain Python, compiled by :mod:`fastlr.kernels.cpu` in one namespace with the formulas and
:mod:`~fastlr.kernels.blocks`. Every value is :func:`~fastlr.kernels.blocks.fill_span`'s (or,
for scattered points, :func:`~fastlr.kernels.formulas.value`'s); the drivers only split the work
and allocate each chunk's scratch once. Rows and blocks are independent, so no result depends on
the chunking or the thread count.
"""

import numpy as np
from numba import prange

from fastlr.kernels import layout as L
from fastlr.kernels.blocks import BLOCK, fill_span
from fastlr.kernels.formulas import value

# called from Python on one thread (scattered points: no parallel kernel to compile or start)
SERIAL_DRIVERS = ("eval_points",)
PARALLEL_DRIVERS = ("fill_rows", "fill_steps", "summarize_rows")


def fill_rows(ci, cf, si, sf, rows, t0, out, n_chunks):
    """``out[r, k] = value(rows[r], t0 + k)``, in parallel over ``n_chunks`` chunks of rows.

    Each chunk allocates its scratch once; rows are independent, so the result does not depend
    on the chunking or the thread count.
    """
    n_rows = out.shape[0]
    n_chunks = max(1, min(n_rows, n_chunks))
    for q in prange(n_chunks):
        b = np.empty(BLOCK)
        w = np.empty(BLOCK)
        for r in range(q * n_rows // n_chunks, (q + 1) * n_rows // n_chunks):
            fill_span(ci, cf, si, sf, rows[r], t0, out[r], b, w)


def fill_steps(ci, cf, si, sf, c, t0, out, n_chunks):
    """``out[k] = value(c, t0 + k)``: one long table, in parallel over chunks of whole blocks."""
    n = out.shape[0]
    nb = (n + BLOCK - 1) // BLOCK
    n_chunks = max(1, min(nb, n_chunks))
    for q in prange(n_chunks):
        b = np.empty(BLOCK)
        w = np.empty(BLOCK)
        k0 = (q * nb // n_chunks) * BLOCK
        k1 = min(n, ((q + 1) * nb // n_chunks) * BLOCK)
        fill_span(ci, cf, si, sf, c, t0 + k0, out[k0:k1], b, w)


def summarize_rows(ci, cf, si, sf, rows, t0, n_steps, threshold, sum0, fsum, isum, n_chunks):
    """Per-row summaries of steps ``t0 .. t0 + n_steps - 1`` without a table: ``fsum`` gets the
    final value, peak, min and sum (float64, in step order, starting at ``sum0``), ``isum`` the
    peak step (first reaching the peak, relative to ``t0``) and the counts of steps above and
    below ``threshold``, in the columns ``layout.SUM_*``."""
    n_rows = rows.shape[0]
    n_chunks = max(1, min(n_rows, n_chunks))
    for q in prange(n_chunks):
        v = np.empty(BLOCK)
        b = np.empty(BLOCK)
        w = np.empty(BLOCK)
        for r in range(q * n_rows // n_chunks, (q + 1) * n_rows // n_chunks):
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
