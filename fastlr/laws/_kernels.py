"""Compiled loops of the loss laws (plain Python, compiled by :func:`kernels`).

Notation (the multi-power law's reference indexing, Luo et al. 2025): ``lr`` is the per-step
table (entry i is the lr of update i), ``P[t] = lr[0] + ... + lr[t-1]`` its prefix sums,
``S1(t) = P[t+1]``, ``S_k(t) = P[t+1] - P[k]``, ``d_k = lr[k-1] - lr[k]`` and

    L(t) = L0 + A S1(t)^-alpha - B sum_{k=1..t} d_k (1 - (C lr[k]^-gamma S_k(t) + 1)^-beta).

A step with ``lr[k] = 0`` contributes ``d_k`` when ``S_k(t) > 0`` (the limit ``x -> inf``) and
nothing when ``S_k(t) = 0``. The annealing law (Tissue et al. 2024) uses ``S1(t)`` and
``S2(t) = m_1 + ... + m_t``, ``m_k = lam m_{k-1} + d_k`` (``m_k = 0`` for ``k < warmup``).

The drop sums use the vectorisable ``exp``/``log`` of :mod:`fastlr.kernels.fastmath` (within
~1e-15 relative of libm); the power term and the optimiser's gradient use libm. Every function
compiles on first call (one build, :func:`kernels`) and is cached on disk; ``mpl_points`` is also
built serial for small problems (a fit's objective), where a parallel launch costs more than it
saves.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from numba import prange

#: the row kernels (``rank``), parallel over rows
ROW_KERNELS = ("mpl_rows", "ann_rows")
#: the point kernels (``predict``, ``fit``), parallel over requested steps
POINT_KERNELS = ("mpl_points",)
#: called by the row kernels (compiled first)
ROW_HELPERS = ("mpl_row",)
#: serial kernels (the optimiser's final loss and gradient; ``mpl_points`` is also built serial)
SERIAL_KERNELS = ("mpl_final_grad",)


def logr(x):
    """``log(x)`` for ``x > 0`` (bound to the vectorisable one when compiled)."""
    return math.log(x)


def expr(x):
    """``exp(x)`` (bound to the vectorisable one when compiled)."""
    return math.exp(x)


def coefficients(lr, didx, c, gamma, a, dk, logl):
    """Per-step factors of the drop sum: ``a = C lr_k^-gamma``, ``dk = d_k``, ``logl = log lr_k``.

    ``lr_k = 0`` gets ``a = 1e300`` (the limit ``x -> inf`` while ``S_k > 0``, ``x = 0`` when
    ``S_k = 0``) for ``gamma > 0``, and ``a = C`` for ``gamma = 0``.
    """
    for q in range(didx.shape[0]):
        k = didx[q]
        lk = lr[k]
        dk[q] = lr[k - 1] - lk
        if lk > 0.0:
            logl[q] = math.log(lk)
            a[q] = c * math.exp(-gamma * logl[q])
        else:
            logl[q] = 0.0
            a[q] = 1e300 if gamma > 0.0 else c


def mpl_points(lr, P, didx, steps, p, out, jac, want_jac):
    """The multi-power law at ``steps`` (``out``) and, when ``want_jac``, ``dL/dp`` (``jac``).

    ``didx`` lists (ascending) the steps k >= 1 with ``d_k != 0``; the sum runs over those, so the
    cost is O(len(steps) * len(didx)). ``p = (L0, A, alpha, B, C, beta, gamma)``.
    """
    L0, A, alpha, B, C, beta, gamma = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    K = didx.shape[0]
    a = np.empty(K)
    dk = np.empty(K)
    logl = np.empty(K)
    coefficients(lr, didx, C, gamma, a, dk, logl)
    Pk = np.empty(K)
    for q in range(K):
        Pk[q] = P[didx[q]]
    for j in prange(steps.shape[0]):
        t = steps[j]
        st = P[t + 1]
        pw = math.exp(-alpha * math.log(st))
        m = np.searchsorted(didx, t, side="right")
        ld = 0.0
        dc = 0.0
        db = 0.0
        dg = 0.0
        # one transcendental per pass: LLVM vectorises a loop of one log or one exp, not both
        u = np.empty(m)
        for q in range(m):
            u[q] = logr(1.0 + a[q] * (st - Pk[q]))
        if want_jac:
            for q in range(m):
                x = a[q] * (st - Pk[q])
                e = expr(-beta * u[q])
                ld += dk[q] * (1.0 - e)
                gx = dk[q] * beta * e / (1.0 + x) * x
                dc += gx
                db += dk[q] * e * u[q]
                dg -= gx * logl[q]
        else:
            for q in range(m):
                ld += dk[q] * (1.0 - expr(-beta * u[q]))
        out[j] = L0 + A * pw - B * ld
        if want_jac:
            jac[j, 0] = 1.0
            jac[j, 1] = pw
            jac[j, 2] = -A * pw * math.log(st)
            jac[j, 3] = -ld
            jac[j, 4] = -B * dc / C
            jac[j, 5] = -B * db
            jac[j, 6] = -B * dg


def mpl_rows(rows, p, steps, out, bad, n_chunks):
    """The multi-power law of each row of ``rows`` at the ascending ``steps`` (``out[i, j]``).

    Per row: prefix sums, then the steps where the lr changes with their factors (compacted: a
    plateau costs nothing), then one vectorisable pass over them per requested step: O(T) per
    row and step. ``bad[i]`` is set when row i has a negative or non-finite lr or a zero area
    at a requested step.
    """
    L0, A, alpha, B, C, beta, gamma = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    n, T = rows.shape
    n_chunks = max(1, min(n, n_chunks))
    for c in prange(n_chunks):
        # scratch once per chunk of rows (fresh pages per row would cost more than the row)
        P = np.empty(T + 1)
        kk = np.empty(T, dtype=np.int64)
        a = np.empty(T)
        dk = np.empty(T)
        pk = np.empty(T)
        w = np.empty(T)
        for i in range(c * n // n_chunks, (c + 1) * n // n_chunks):
            mpl_row(rows[i], L0, A, alpha, B, C, beta, gamma, steps, out[i], bad, i, P, kk, a, dk, pk, w)


def mpl_row(r, L0, A, alpha, B, C, beta, gamma, steps, out, bad, i, P, kk, a, dk, pk, w):
    """One row of :func:`mpl_rows` with its scratch arrays."""
    T = r.shape[0]
    P[0] = 0.0
    ok = True
    for k in range(T):
        v = r[k]
        ok = ok and (v >= 0.0) and (v < math.inf)
        P[k + 1] = P[k] + v
    m = 0
    for k in range(1, T):
        if r[k - 1] != r[k]:
            kk[m] = k
            dk[m] = r[k - 1] - r[k]
            pk[m] = P[k]
            a[m] = r[k]
            m += 1
    # a = C lr_k^-gamma (the lr values were gathered into a). Each transcendental gets its own
    # pass: LLVM vectorises a loop of one log or one exp, not a loop of both.
    for q in range(m):
        w[q] = logr(max(a[q], 1e-300))
    for q in range(m):
        lk = a[q]
        v = C * expr(-gamma * w[q])
        a[q] = v if lk > 0.0 else (1e300 if gamma > 0.0 else C)
    bad[i] = not ok
    upto = 0
    for j in range(steps.shape[0]):
        t = steps[j]
        while upto < m and kk[upto] <= t:
            upto += 1
        st = P[t + 1]
        if st <= 0.0 or not ok:
            bad[i] = True
            out[j] = 0.0
            continue
        for q in range(upto):
            w[q] = logr(1.0 + a[q] * (st - pk[q]))
        ld = 0.0
        for q in range(upto):
            ld += dk[q] * (1.0 - expr(-beta * w[q]))
        out[j] = L0 + A * math.exp(-alpha * math.log(st)) - B * ld


def ann_rows(rows, p, lam, warmup, steps, out, bad):
    """The annealing law of each row at the ascending ``steps``: one forward pass per row.

    ``p = (L0, A, alpha, C)``; ``out[i, j] = L0 + A S1^-alpha - C S2`` at ``steps[j]``.
    """
    L0, A, alpha, C = p[0], p[1], p[2], p[3]
    n, T = rows.shape
    ns = steps.shape[0]
    for i in prange(n):
        r = rows[i]
        s1 = 0.0
        m = 0.0
        s2 = 0.0
        j = 0
        ok = True
        for k in range(T):
            v = r[k]
            ok = ok and (v >= 0.0) and (v < math.inf)
            s1 += v
            if k >= 1 and k >= warmup:
                m = lam * m + (r[k - 1] - v)
                s2 += m
            while j < ns and steps[j] == k:
                if s1 > 0.0:
                    out[i, j] = L0 + A * math.exp(-alpha * math.log(s1)) - C * s2
                else:
                    ok = False
                    out[i, j] = 0.0
                j += 1
        bad[i] = not ok


def mpl_final_grad(lr, p, grad):
    """The multi-power law's final loss ``L(T-1)`` and its gradient ``dL/dlr`` (``grad``), O(T).

    Needs ``lr[k] > 0`` for k >= 1. With ``G_k = 1 - (1 + x_k)^-beta``, ``x_k = C lr_k^-gamma S_k``:
    ``dL/dlr_j = -alpha A S1^(-alpha-1) - B (G_{j+1} - G_j - gamma d_j G'_j x_j / lr_j
    + sum_{k=1..j} d_k G'_k x_k / S_k)``.
    """
    L0, A, alpha, B, C, beta, gamma = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    T = lr.shape[0]
    S = np.empty(T + 1)
    S[T] = 0.0
    for k in range(T - 1, -1, -1):
        S[k] = S[k + 1] + lr[k]
    s1 = S[0]
    G = np.zeros(T + 1)
    H = np.zeros(T + 1)  # d_k G'_k x_k
    ld = 0.0
    for k in range(1, T):
        d = lr[k - 1] - lr[k]
        x = C * math.exp(-gamma * math.log(lr[k])) * S[k]
        e = math.exp(-beta * math.log1p(x))
        G[k] = 1.0 - e
        H[k] = d * beta * e / (1.0 + x) * x
        ld += d * G[k]
    base = -alpha * A * math.exp((-alpha - 1.0) * math.log(s1))
    acc = 0.0
    for j in range(T):
        inner = G[j + 1] if j + 1 < T else 0.0
        if j >= 1:
            inner -= G[j]
            inner -= gamma * H[j] / lr[j]
            acc += H[j] / S[j]
        inner += acc
        grad[j] = base - B * inner
    return L0 + A * math.exp(-alpha * math.log(s1)) - B * ld


def _source_tag() -> str:
    import hashlib
    from pathlib import Path

    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:10]


@functools.cache
def kernels() -> dict[str, Any]:
    """The compiled kernels (the drop sums with :mod:`fastlr.kernels.fastmath`'s ``exp``/``log``)."""
    import sys

    import numba

    from fastlr.kernels import fastmath
    from fastlr.kernels.retarget import compile_functions

    module = sys.modules[__name__]
    tag = f"laws.{_source_tag()}."
    opts: dict[str, Any] = {"error_model": "numpy"}
    i64_as_f64, f64_as_i64 = fastmath._bitcasts()
    ns: dict[str, Any] = {"i64_as_f64": i64_as_f64, "f64_as_i64": f64_as_i64}
    inline = numba.njit(inline="always", **opts)
    prims = compile_functions(fastmath, ("fast_exp", "fast_log"), inline, ns, tag=tag + "fastmath.")
    ns = {"expr": prims["fast_exp"], "logr": prims["fast_log"]}
    out = compile_functions(module, ("coefficients",), numba.njit(cache=True, **opts), ns, tag=tag)
    # the drop sums are floating-point reductions: reassociation lets LLVM vectorise them
    par = numba.njit(parallel=True, cache=True, fastmath={"reassoc"}, **opts)
    serial = numba.njit(cache=True, fastmath={"reassoc"}, **opts)
    out.update(compile_functions(module, ROW_HELPERS, serial, ns, tag=tag))
    out.update(compile_functions(module, POINT_KERNELS + ROW_KERNELS, par, ns, tag=tag))
    out.update(compile_functions(module, SERIAL_KERNELS, serial, ns, tag=tag))
    # small problems (a fit's objective) on one thread: no parallel launch to wait for
    out["mpl_points_serial"] = compile_functions(module, ("mpl_points",), serial, dict(ns), tag=tag + "serial.")[
        "mpl_points"
    ]
    return out
