"""CPU evaluation by pieces: per-shape loops that vectorise, and the parallel drivers.

Plain Python like :mod:`fastlr.kernels.formulas`, compiled by :mod:`fastlr.kernels.cpu` in the
same namespace as the formulas (once with the exact primitives, once with the vectorisable
ones). A row is computed as:

1. the warmup steps, in blocks of ``BLOCK`` steps through a float64 scratch buffer: the main
   curve where the warmup mode needs it, the warmup pass, one rounding copy into the output;
2. every later step straight into the output row, piece by piece: a piece is a run of steps
   inside one segment (or one restart cycle), filled by a loop whose shape is fixed, indexed
   from 0 over a view, so LLVM vectorises it (float64 arithmetic, rounded once on the store).

In the exact build every element goes through exactly the floating-point operations of the
scalar :func:`~fastlr.kernels.formulas.value`, so a table equals ``at(t)`` bit for bit. The fast
build (``ANCHORED_RUNS``) evaluates half-period cosines, exponentials, tanh and polynomial
pieces by runs of ``RUN`` steps: the formula once per run, the other steps from exact
identities (angle addition, products of powers) with a per-piece table, or a short binomial
series. Runs lie on a grid of the segment's local index, so no value depends on where a block,
a chunk or a thread starts.
Restarts with period growth or fractional periods and epoch granularity take the scalar path per
element. Branches are guarded by the feature switches of :mod:`fastlr.kernels.layout`.
"""

import numpy as np
from numba import prange

from fastlr.kernels.formulas import (
    cosine_down,
    cosine_plain,
    cosine_plain01,
    cosine_up,
    cosine_up_plain,
    cosine_up_plain01,
    cyclic,
    exp_plain,
    exp_saturate,
    exponential,
    expr,
    inverse_sqrt,
    inverse_time,
    linear_down,
    linear_up,
    main_value,
    poly_down,
    poly_plain,
    poly_up,
    radam_rect,
    ratio,
    sinhalfpi,
    sqrt_down,
    sqrt_up,
    tanh_decay,
    value,
)
from fastlr.kernels.layout import (
    CONST,
    COS_DOWN,
    COS_UP,
    CYCLIC,
    EXP,
    EXP_UP,
    F_FLOOR,
    F_RS_DECAY,
    F_RS_PEAK,
    F_SCALE,
    F_WU_BASE,
    F_WU_N,
    F_WU_OFF,
    F_WU_Q0,
    F_WU_Q1,
    I_RS_KIND,
    I_RS_LIMIT,
    I_RS_MODE,
    I_RS_PERIOD,
    I_RS_WARM,
    I_SEG_HI,
    I_SEG_LO,
    I_SHIFT,
    I_SPE,
    I_WU_CODE,
    I_WU_LEN,
    I_WU_MODE,
    I_WU_TARGET,
    INV_SQRT,
    INV_TIME,
    LIN_DOWN,
    LIN_UP,
    POLY_DOWN,
    POLY_UP,
    RADAM_UP,
    RS_INT,
    RS_NONE,
    RS_PEAK,
    S_AMP,
    S_BASE,
    S_CODE,
    S_N,
    S_OFF,
    S_Q0,
    S_Q1,
    S_Q2,
    S_Q3,
    S_START,
    SQRT_DOWN,
    SQRT_UP,
    TANH,
    USE_CONST,
    USE_COS_DOWN,
    USE_COS_POW,
    USE_COS_UP,
    USE_CYCLIC,
    USE_EXP,
    USE_EXP_UP,
    USE_INV_SQRT,
    USE_INV_TIME,
    USE_LIN_DOWN,
    USE_LIN_UP,
    USE_POLY_DOWN,
    USE_POLY_UP,
    USE_RADAM_UP,
    USE_RS_INT,
    USE_SCALAR_MAIN,
    USE_SQRT_DOWN,
    USE_SQRT_UP,
    USE_TANH,
    USE_WU_BLEND,
    USE_WU_OVERLAY,
    USE_WU_PREFIX,
    WU_BLEND,
    WU_NONE,
    WU_OVERLAY,
    WU_PREFIX,
)

BLOCK = 2048
# anchored runs (fast build only): the formula at one step of every RUN, tables for the rest
RUN = 64
ANCHORED_RUNS = False

# Functions compiled for the kernels' own calls. Numba links a callee's code into every caller
# and optimises it again at each level, so the call tree is kept shallow: the two thin drivers
# below fill_span are inlined into it at Numba IR level, the others are functions of their own.
BLOCK_FUNCTIONS = (
    "half_period_bounds",
    "cosine_down_runs",
    "cosine_up_runs",
    "exp_runs",
    "tanh_runs",
    "poly_runs",
    "other_piece",
    "piece",
    "unit_fill",
)
INLINE_BLOCK_FUNCTIONS = ("main_block", "fill_block")
# called from Python too (one table on one thread: no parallel kernel to compile or start)
SERIAL_DRIVERS = ("fill_span", "eval_points")
PARALLEL_FUNCTIONS = ("fill_rows", "fill_steps", "summarize_rows")


def half_period_bounds(sub, off, n, c):
    """``(first, last)``: the first integer local index ``i`` with ``x >= 0`` and the last with
    ``c x / n <= 1``, ``x = (float(i) - sub) - off`` (``c, n > 0``; ``last >= first - 1``),
    by the tests the elements take, so a piece's split does not depend on where it starts."""
    i = int(np.floor(sub + off))
    while (float(i - 1) - sub) - off >= 0.0:
        i -= 1
    while (float(i) - sub) - off < 0.0:
        i += 1
    e = int(np.floor(n / c + sub + off))
    while c * ratio((float(e) - sub) - off, n) > 1.0:
        e -= 1
    while c * ratio((float(e + 1) - sub) - off, n) <= 1.0:
        e += 1
    return i, e


def cosine_down_runs(b, g, i0, sub, off, n, c, first, last, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp sin^2(th_j)), flo)``, ``th_j = pi/2 (n - c x_j) / n`` in
    ``[0, pi/2]`` (local indices ``first <= i0 + j <= last``, from :func:`half_period_bounds`),
    by runs of ``L = min(RUN, last - first + 1)`` steps anchored at their last step ``e``:
    ``sin(th_e + k d) = sin(th_e) cos(k d) + cos(th_e) sin(k d)``, ``d = pi c / (2 n)``,
    ``k d <= pi/2``, every term ``>= 0`` (no cancellation: a few ulp, and exactly 0 where
    ``th = 0``). Runs lie on a grid of the local index from ``first`` and end at ``last`` at
    the latest, so values do not depend on where a block starts."""
    m = b.shape[0]
    ln_run = max(1, min(RUN, last - first + 1))
    for k in range(ln_run):
        y = ratio(c * float(k), n)
        g[ln_run - 1 - k] = sinhalfpi(1.0 - y)  # cos(k d), reversed
        g[RUN + ln_run - 1 - k] = sinhalfpi(y)  # sin(k d), reversed
    j = 0
    while j < m:
        a = first + (i0 + j - first) // ln_run * ln_run
        e = min(a + ln_run - 1, last)
        ln = min(e + 1 - (i0 + j), m - j)
        t0 = ln_run - 1 - (e - (i0 + j))
        xe = (float(e) - sub) - off
        se = sinhalfpi(ratio(n - c * xe, n))
        ce = sinhalfpi(ratio(c * xe, n))
        run = b[j : j + ln]
        gc = g[t0 : t0 + ln]
        gs = g[RUN + t0 : RUN + t0 + ln]
        for i in range(ln):
            v = se * gc[i] + ce * gs[i]
            run[i] = max(scale * (base + amp * (v * v)), flo)
        j += ln


def cosine_up_runs(b, g, i0, sub, off, n, first, last, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp sin^2(th_j)), flo)``, ``th_j = pi/2 x_j / n`` in
    ``[0, pi/2]``, by runs ``sin(th_a + k d) = sin(th_a) cos(k d) + cos(th_a) sin(k d)`` (every
    term ``>= 0``) anchored at their first step, on the grid of :func:`cosine_down_runs`."""
    m = b.shape[0]
    ln_run = max(1, min(RUN, last - first + 1))
    for k in range(ln_run):
        g[k] = sinhalfpi(ratio(n - float(k), n))  # cos(k d)
        g[RUN + k] = sinhalfpi(ratio(float(k), n))  # sin(k d)
    j = 0
    while j < m:
        a = first + (i0 + j - first) // ln_run * ln_run
        k0 = i0 + j - a
        ln = min(ln_run - k0, m - j)
        xa = (float(a) - sub) - off
        sa = sinhalfpi(ratio(xa, n))
        ca = sinhalfpi(ratio(n - xa, n))
        run = b[j : j + ln]
        gc = g[k0 : k0 + ln]
        gs = g[RUN + k0 : RUN + k0 + ln]
        for i in range(ln):
            v = sa * gc[i] + ca * gs[i]
            run[i] = max(scale * (base + amp * (v * v)), flo)
        j += ln


def exp_runs(b, g, i0, sub, off, n, rate, clip, has_clip, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp u_j), flo)``, ``u_j = rate^(x_j / n)`` clipped as
    :func:`~fastlr.kernels.formulas.exponential` clips it, by runs
    ``rate^(x_a / n) rate^(k / n)`` anchored on a grid of the local index. Needs
    ``|log rate| RUN <= 600 n`` (the table neither underflows nor overflows, so no ``0 * inf``)."""
    m = b.shape[0]
    lo = clip if has_clip != 0.0 and rate < 1.0 else -np.inf
    hi = clip if has_clip != 0.0 and rate >= 1.0 else np.inf
    for k in range(RUN):
        g[k] = exp_plain(float(k), n, rate)
    j = 0
    while j < m:
        a = (i0 + j) // RUN * RUN
        k0 = i0 + j - a
        ln = min(RUN - k0, m - j)
        anchor = exp_plain((float(a) - sub) - off, n, rate)
        run = b[j : j + ln]
        gk = g[k0 : k0 + ln]
        for i in range(ln):
            u = min(max(anchor * gk[i], lo), hi)
            run[i] = max(scale * (base + amp * u), flo)
        j += ln


def tanh_runs(b, g, i0, sub, off, n, lower, upper, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp / (1 + G_j)), flo)``, ``G_j = exp(2 u_j)``,
    ``u = lower (1 - p) + upper p``: ``(1 - tanh u) / 2 = 1 / (1 + e^(2u))`` without the
    cancellation, ``G`` by runs ``G_a exp(2 (upper - lower) k / n)`` anchored on a grid of the
    local index. Needs ``|upper - lower| RUN <= 25 n`` (tables within ``e^(+-50)``)."""
    m = b.shape[0]
    for k in range(RUN):
        g[k] = expr(2.0 * (upper - lower) * ratio(float(k), n))
    j = 0
    while j < m:
        a = (i0 + j) // RUN * RUN
        k0 = i0 + j - a
        ln = min(RUN - k0, m - j)
        p = ratio((float(a) - sub) - off, n)
        ga = expr(2.0 * (lower * (1.0 - p) + upper * p))
        run = b[j : j + ln]
        gk = g[k0 : k0 + ln]
        for i in range(ln):
            run[i] = max(scale * (base + amp / (1.0 + ga * gk[i])), flo)
        j += ln


def poly_runs(b, i0, sub, off, n, q, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp (1 - x_j / n)^q), flo)`` for ``|q| <= 8``, by runs on a grid
    of the local index. Where at least ``16 RUN`` steps remain after the anchor ``x_a``, a run is
    ``u^q sum_i binom(q, i) (-t)^i``, ``u = 1 - x_a / n``, ``t = k / (n - x_a) <= 1/16`` for the
    step ``k`` inside the run, to degree 12 (truncation below 1e-16 relative: every term at most
    ``16^-i`` of the first); nearer the end, the formula per element."""
    m = b.shape[0]
    # signed binomial coefficients (-1)^i binom(q, i), once per piece
    c1 = -q
    c2 = c1 * (1.0 - q) / 2.0
    c3 = c2 * (2.0 - q) / 3.0
    c4 = c3 * (3.0 - q) / 4.0
    c5 = c4 * (4.0 - q) / 5.0
    c6 = c5 * (5.0 - q) / 6.0
    c7 = c6 * (6.0 - q) / 7.0
    c8 = c7 * (7.0 - q) / 8.0
    c9 = c8 * (8.0 - q) / 9.0
    c10 = c9 * (9.0 - q) / 10.0
    c11 = c10 * (10.0 - q) / 11.0
    c12 = c11 * (11.0 - q) / 12.0
    j = 0
    while j < m:
        a = (i0 + j) // RUN * RUN
        k0 = i0 + j - a
        ln = min(RUN - k0, m - j)
        xa = (float(a) - sub) - off
        run = b[j : j + ln]
        if n - xa >= 16.0 * RUN:
            w = 1.0 / (n - xa)
            ua = amp * poly_plain(xa, n, q)
            for i in range(ln):
                t = float(k0 + i) * w
                t2 = t * t
                t4 = t2 * t2
                t8 = t4 * t4
                v = (
                    ((1.0 + c1 * t) + t2 * (c2 + c3 * t))
                    + t4 * ((c4 + c5 * t) + t2 * (c6 + c7 * t))
                    + t8 * ((c8 + c9 * t) + t2 * (c10 + c11 * t) + t4 * c12)
                )
                run[i] = max(scale * (base + ua * v), flo)
        else:
            for i in range(ln):
                run[i] = max(scale * (base + amp * poly_plain((float(a + k0 + i) - sub) - off, n, q)), flo)
        j += ln


def piece(code, b, g, i0, sub, off, n, base, amp, scale, flo, q0, q1, q2, q3):
    """``b[j] = max(scale (base + amp f(x_j)), flo)``, ``x_j = (float(i0 + j) - sub) - off``
    (``g``: scratch of at least ``2 RUN`` floats for the anchored runs), for constant, linear
    and plain cosine pieces; False (nothing written) for the other shapes."""
    m = b.shape[0]
    if USE_CONST and code == CONST:
        v = max(scale * (base + amp * 0.0), flo)
        for j in range(m):
            b[j] = v
    elif USE_LIN_UP and code == LIN_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * linear_up((float(i0 + j) - sub) - off, n)), flo)
    elif USE_LIN_DOWN and code == LIN_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * linear_down((float(i0 + j) - sub) - off, n)), flo)
    elif USE_COS_UP and code == COS_UP and q0 == 1.0:
        # elements with 0 <= x/n <= 1 take the half-period path, the others the general one
        first, last = half_period_bounds(sub, off, n, 1.0)
        ja = min(m, max(0, first - i0))
        jb = min(m, max(ja, last + 1 - i0))
        for part in range(2):
            lo = 0 if part == 0 else jb
            bo = b[lo : ja if part == 0 else m]
            for j in range(bo.shape[0]):
                bo[j] = max(scale * (base + amp * cosine_up_plain((float(i0 + lo + j) - sub) - off, n)), flo)
        bh = b[ja:jb]
        if ANCHORED_RUNS:
            cosine_up_runs(bh, g, i0 + ja, sub, off, n, first, last, base, amp, scale, flo)
        else:
            for j in range(bh.shape[0]):
                bh[j] = max(scale * (base + amp * cosine_up_plain01((float(i0 + ja + j) - sub) - off, n)), flo)
    elif USE_COS_DOWN and code == COS_DOWN and q0 == 1.0 and q1 == 1.0:
        # elements with 0 <= c x/n <= 1 take the half-period path, the others the general one
        first, last = half_period_bounds(sub, off, n, q2)
        ja = min(m, max(0, first - i0))
        jb = min(m, max(ja, last + 1 - i0))
        for part in range(2):
            lo = 0 if part == 0 else jb
            bo = b[lo : ja if part == 0 else m]
            for j in range(bo.shape[0]):
                bo[j] = max(scale * (base + amp * cosine_plain((float(i0 + lo + j) - sub) - off, n, q2)), flo)
        bh = b[ja:jb]
        if ANCHORED_RUNS:
            cosine_down_runs(bh, g, i0 + ja, sub, off, n, q2, first, last, base, amp, scale, flo)
        else:
            for j in range(bh.shape[0]):
                bh[j] = max(scale * (base + amp * cosine_plain01((float(i0 + ja + j) - sub) - off, n, q2)), flo)
    else:
        return False
    return True


def other_piece(code, b, g, i0, sub, off, n, base, amp, scale, flo, q0, q1, q2, q3):
    """:func:`piece` for the other shapes (a function of its own: a program without them does
    not compile it; called beside :func:`piece`, not from it, so Numba's linking optimises its
    code once less)."""
    m = b.shape[0]
    if USE_COS_POW and USE_COS_UP and code == COS_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * cosine_up((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_COS_POW and USE_COS_DOWN and code == COS_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * cosine_down((float(i0 + j) - sub) - off, n, q0, q1, q2)), flo)
    elif USE_POLY_UP and code == POLY_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * poly_up((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_POLY_DOWN and code == POLY_DOWN and q1 == 1.0 and ANCHORED_RUNS and abs(q0) <= 8.0:
        poly_runs(b, i0, sub, off, n, q0, base, amp, scale, flo)
    elif USE_POLY_DOWN and code == POLY_DOWN and q1 == 1.0:
        for j in range(m):
            b[j] = max(scale * (base + amp * poly_plain((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_POLY_DOWN and code == POLY_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * poly_down((float(i0 + j) - sub) - off, n, q0, q1)), flo)
    elif USE_EXP and code == EXP and q1 == 0.0 and ANCHORED_RUNS and abs(np.log(q0)) * RUN <= 600.0 * n:
        exp_runs(b, g, i0, sub, off, n, q0, q2, q3, base, amp, scale, flo)
    elif USE_EXP and code == EXP and q1 == 0.0 and q3 == 0.0:
        for j in range(m):
            b[j] = max(scale * (base + amp * exp_plain((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_EXP and code == EXP and q1 != 0.0:
        # staircase: constant on each stair; locate the stair's end (a guess from the closed
        # form, corrected by the exact per-element test) and fill the run
        j = 0
        while j < m:
            x = (float(i0 + j) - sub) - off
            qj = np.floor(ratio(x, n))
            v = max(scale * (base + amp * exponential(x, n, q0, q1, q2, q3)), flo)
            guess = (qj + 1.0) * n + off + sub - float(i0)
            end = m if guess >= m else max(j + 1, int(np.ceil(guess)))
            while end - 1 > j and np.floor(ratio((float(i0 + end - 1) - sub) - off, n)) != qj:
                end -= 1
            while end < m and np.floor(ratio((float(i0 + end) - sub) - off, n)) == qj:
                end += 1
            run = b[j:end]
            for k in range(end - j):
                run[k] = v
            j = end
    elif USE_EXP and code == EXP:
        for j in range(m):
            b[j] = max(scale * (base + amp * exponential((float(i0 + j) - sub) - off, n, q0, q1, q2, q3)), flo)
    elif USE_INV_SQRT and code == INV_SQRT:
        for j in range(m):
            b[j] = max(scale * (base + amp * inverse_sqrt((float(i0 + j) - sub) - off, n)), flo)
    elif USE_INV_TIME and code == INV_TIME:
        for j in range(m):
            b[j] = max(scale * (base + amp * inverse_time((float(i0 + j) - sub) - off, n, q0, q1)), flo)
    elif USE_TANH and code == TANH and ANCHORED_RUNS and abs(q1 - q0) * RUN <= 25.0 * n:
        tanh_runs(b, g, i0, sub, off, n, q0, q1, base, amp, scale, flo)
    elif USE_TANH and code == TANH:
        for j in range(m):
            b[j] = max(scale * (base + amp * tanh_decay((float(i0 + j) - sub) - off, n, q0, q1)), flo)
    elif USE_SQRT_DOWN and code == SQRT_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * sqrt_down((float(i0 + j) - sub) - off, n)), flo)
    elif USE_SQRT_UP and code == SQRT_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * sqrt_up((float(i0 + j) - sub) - off, n)), flo)
    elif USE_EXP_UP and code == EXP_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * exp_saturate((float(i0 + j) - sub) - off, n)), flo)
    elif USE_CYCLIC and code == CYCLIC:
        for j in range(m):
            b[j] = max(scale * (base + amp * cyclic((float(i0 + j) - sub) - off, q0, q1, q2, q3)), flo)


def unit_fill(code, w, t0, off, n, q0, q1):
    """``w[j] = unit(code, float(t0 + j) - off, n, q0, q1)`` for the warmup shapes, one loop each."""
    m = w.shape[0]
    if USE_LIN_UP and code == LIN_UP:
        for j in range(m):
            w[j] = linear_up(float(t0 + j) - off, n)
    elif USE_CONST and code == CONST:
        for j in range(m):
            w[j] = 0.0
    elif USE_COS_UP and code == COS_UP:
        for j in range(m):
            w[j] = cosine_up_plain(float(t0 + j) - off, n)
    elif USE_POLY_UP and code == POLY_UP:
        for j in range(m):
            w[j] = poly_up(float(t0 + j) - off, n, q0)
    elif USE_EXP_UP and code == EXP_UP:
        for j in range(m):
            w[j] = exp_saturate(float(t0 + j) - off, n)
    elif USE_RADAM_UP and code == RADAM_UP:
        for j in range(m):
            w[j] = radam_rect(float(t0 + j) - off, q0, q1)
    elif USE_SQRT_UP and code == SQRT_UP:
        for j in range(m):
            w[j] = sqrt_up(float(t0 + j) - off, n)


def main_block(ci, cf, si, sf, c, a, e, b, g):
    """Main curve (scaled, floored) for global steps ``a .. e-1`` into ``b`` (``g``: scratch).

    One piece (:func:`piece`, or :func:`other_piece` for the shapes it does not take) per
    segment or restart cycle; restarts with growth or fractional periods and epoch granularity
    go element by element.
    """
    scale = cf[c, F_SCALE]
    flo = cf[c, F_FLOOR]
    kind = ci[c, I_RS_KIND]
    if USE_SCALAR_MAIN and (kind > RS_INT or ci[c, I_SPE] != 1):
        for j in range(e - a):
            b[j] = main_value(ci, cf, si, sf, c, a + j)
        return
    shift = ci[c, I_SHIFT]
    tma = a - shift
    tme = e - shift
    lo = ci[c, I_SEG_LO]
    hi = ci[c, I_SEG_HI]
    period = ci[c, I_RS_PERIOD]
    warm = ci[c, I_RS_WARM]
    limit = ci[c, I_RS_LIMIT]
    k = lo
    tm = tma
    while tm < tme:
        if not USE_RS_INT or kind == RS_NONE:
            while k + 1 < hi and si[k + 1, S_START] <= tm:
                k += 1
            p1 = min(tme, si[k + 1, S_START]) if k + 1 < hi else tme
            i0 = tm - si[k, S_START]
            sub = 0.0
            n = sf[k, S_N]
            base = sf[k, S_BASE]
            amp = sf[k, S_AMP]
        else:
            i = tm // period
            start = i * period
            p1 = min(tme, start + period)
            base = sf[lo, S_BASE]
            if limit > 0 and i >= limit:
                v = max(scale * base, flo)
                tail = b[tm - tma : tme - tma]
                for j in range(tme - tm):
                    tail[j] = v
                return
            decay = cf[c, F_RS_DECAY] ** i
            if ci[c, I_RS_MODE] == RS_PEAK:
                amp = cf[c, F_RS_PEAK] * decay - base
            else:
                amp = sf[lo, S_AMP] * decay
            if warm > 0 and tm < start + warm:
                w1 = min(p1, start + warm)
                bw = b[tm - tma : w1 - tma]
                for j in range(w1 - tm):
                    bw[j] = max(scale * (base + amp * (float(tm - start + j) / warm)), flo)
                tm = w1
                continue
            i0 = tm - start
            sub = float(warm)
            n = float(period) - warm
        code = si[k, S_CODE]
        bp = b[tm - tma : p1 - tma]
        off = sf[k, S_OFF]
        q0 = sf[k, S_Q0]
        q1 = sf[k, S_Q1]
        q2 = sf[k, S_Q2]
        q3 = sf[k, S_Q3]
        if not piece(code, bp, g, i0, sub, off, n, base, amp, scale, flo, q0, q1, q2, q3) and (
            USE_COS_POW
            or USE_POLY_UP
            or USE_POLY_DOWN
            or USE_EXP
            or USE_INV_SQRT
            or USE_INV_TIME
            or USE_TANH
            or USE_SQRT_DOWN
            or USE_SQRT_UP
            or USE_EXP_UP
            or USE_CYCLIC
        ):
            other_piece(code, bp, g, i0, sub, off, n, base, amp, scale, flo, q0, q1, q2, q3)
        tm = p1


def fill_block(ci, cf, si, sf, c, t0, b, w):
    """Values of row ``c`` for global steps ``t0 .. t0 + len(b) - 1``, all inside the warmup,
    into float64 ``b`` (``w``: scratch of at least the same length and ``2 RUN``): with the
    warmup unit curve ``f``, ``start + (target - start) f`` (prefix: ``target`` is the main
    curve at the warmup's target step), ``main (start + (1 - start) f)`` (overlay) or
    ``start + (main - start) f`` (blend)."""
    mode = ci[c, I_WU_MODE]
    m = b.shape[0]
    target = 0.0
    if USE_WU_PREFIX and mode == WU_PREFIX:
        target = main_value(ci, cf, si, sf, c, ci[c, I_WU_TARGET])
    elif USE_WU_OVERLAY or USE_WU_BLEND:
        main_block(ci, cf, si, sf, c, t0, t0 + m, b, w)
    f = w[:m]
    unit_fill(ci[c, I_WU_CODE], f, t0, cf[c, F_WU_OFF], cf[c, F_WU_N], cf[c, F_WU_Q0], cf[c, F_WU_Q1])
    start = cf[c, F_WU_BASE]
    if USE_WU_PREFIX and mode == WU_PREFIX:
        for j in range(m):
            b[j] = start + (target - start) * f[j]
    elif USE_WU_OVERLAY and mode == WU_OVERLAY:
        for j in range(m):
            b[j] = b[j] * (start + (1.0 - start) * f[j])
    elif USE_WU_BLEND and mode == WU_BLEND:
        for j in range(m):
            b[j] = start + (b[j] - start) * f[j]


# ---- drivers ---------------------------------------------------------------------------------


def fill_span(ci, cf, si, sf, c, t0, dst, b, w):
    """``dst[k] = value(c, t0 + k)``: the warmup block by block through the float64 scratch
    ``b``, the main curve after it straight into ``dst`` (one rounding either way). ``b`` and
    ``w``: float64 scratch of ``BLOCK`` elements each. Also the serial entry point: one table
    on one thread, with the same values as :func:`fill_steps`."""
    n = dst.shape[0]
    wlen = ci[c, I_WU_LEN] if ci[c, I_WU_MODE] != WU_NONE else 0
    nw = min(n, max(0, wlen - t0))
    for k0 in range(0, nw, BLOCK):
        m = min(BLOCK, nw - k0)
        bb = b[:m]
        fill_block(ci, cf, si, sf, c, t0 + k0, bb, w)
        d = dst[k0 : k0 + m]
        for j in range(m):
            d[j] = bb[j]
    if nw < n:
        main_block(ci, cf, si, sf, c, t0 + nw, t0 + n, dst[nw:], w)


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
    """Per-row final, peak, min, sum (float64, starting at ``sum0``) and peak step, counts
    above/below ``threshold``."""
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
            fsum[r, 0] = last
            fsum[r, 1] = peak
            fsum[r, 2] = low
            fsum[r, 3] = total
            isum[r, 0] = peak_k
            isum[r, 1] = above
            isum[r, 2] = below


def eval_points(ci, cf, si, sf, rows, steps, out):
    """``out[j] = value(rows[j], steps[j])`` for scattered points (the scalar path)."""
    for j in range(steps.shape[0]):
        out[j] = value(ci, cf, si, sf, rows[j], steps[j])
