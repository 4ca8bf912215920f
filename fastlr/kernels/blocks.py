"""CPU evaluation by pieces: per-shape loops that vectorise, and the fill of a row's steps.

Plain Python like :mod:`fastlr.kernels.formulas`, compiled by :mod:`fastlr.kernels.cpu` in one
namespace with the formulas, :mod:`~fastlr.kernels.runs` and :mod:`~fastlr.kernels.drivers`
(once with the exact primitives, once with the vectorisable ones). A row is computed as:

1. the warmup steps, in blocks of ``BLOCK`` steps through a float64 scratch buffer: the main
   curve where the warmup mode needs it, the warmup pass, one rounding copy into the output
   (:func:`fill_block`, :func:`unit_fill`), except a linear prefix warmup (the everyday one),
   written straight into the output by :func:`fill_span` with the same operations;
2. every later step straight into the output row, piece by piece (:func:`main_block`): a piece
   is a run of steps inside one segment (or one restart cycle), filled by a loop whose shape is
   fixed, indexed from 0 over a view, so LLVM vectorises it (float64 arithmetic, rounded once on
   the store). :func:`piece` takes the common shapes, :func:`other_piece` the others, as
   ``layout.SHAPES`` declares; a product segment (``PROD``) is filled element by element here,
   since its factors are other segments, and a user's function (``USER``) by ``user_fill``,
   which :mod:`fastlr.kernels.user` binds per program.

In the exact build every element goes through exactly the floating-point operations of the
scalar :func:`~fastlr.kernels.formulas.value`, so a table equals ``at(t)`` bit for bit. The fast
build (``ANCHORED_RUNS``) evaluates half-period cosines, exponentials, tanh, polynomial and
inverse square root pieces by the anchored runs of :mod:`fastlr.kernels.runs`.
Restarts with period growth or fractional periods and epoch granularity take the scalar path per
element. Branches are guarded by the feature switches of :mod:`fastlr.kernels.layout`.
"""

import numpy as np

from fastlr.kernels import layout as L
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
    factors,
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
    sqrt_down,
    sqrt_up,
    tanh_decay,
    unit,
    user_fill,
)
from fastlr.kernels.layout import (  # the feature switches: bare names, rebound per CPU variant
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
    USE_OTHER_PIECE,
    USE_POLY_DOWN,
    USE_POLY_UP,
    USE_PROD,
    USE_RADAM_UP,
    USE_RS_INT,
    USE_SCALAR_MAIN,
    USE_SQRT_DOWN,
    USE_SQRT_UP,
    USE_TANH,
    USE_USER,
    USE_WU_BLEND,
    USE_WU_OVERLAY,
    USE_WU_PREFIX,
)
from fastlr.kernels.runs import (
    RUN,
    cosine_down_runs,
    cosine_up_runs,
    exp_runs,
    half_period_bounds,
    inv_sqrt_runs,
    poly_runs,
    tanh_runs,
)

BLOCK = 2048
# the fast build binds it to True: anchored runs (runs.py) for the pieces that have them
ANCHORED_RUNS = False

# Functions compiled for the kernels' own calls. Numba links a callee's code into every caller
# and optimises it again at each level, so the call tree is kept shallow: the two thin drivers
# below fill_span are inlined into it at Numba IR level, the others are functions of their own.
PIECE_FUNCTIONS = ("other_piece", "piece", "unit_fill", "product_fill")
INLINE_FUNCTIONS = ("main_block", "fill_block")
# called from Python too (one table on one thread: no parallel kernel to compile or start); the
# row drivers inline it at Numba IR level, one level less of linked code to optimise again
# (reduce.py's row kernels, compiled anew in each process, link cpu's ``linked_fill_span``)
SERIAL_FUNCTIONS = ("fill_span",)


def piece(code, b, g, i0, sub, off, n, base, amp, scale, flo, q0, q1, q2, q3):
    """``b[j] = max(scale (base + amp f(x_j)), flo)``, ``x_j = (float(i0 + j) - sub) - off``
    (``g``: float64 scratch of at least ``KEY + 2 COS_RUN + 2`` floats for the anchored runs), for
    constant, linear and plain cosine pieces; False (nothing written) for the other shapes."""
    m = b.shape[0]
    if USE_CONST and code == L.CONST:
        v = max(scale * (base + amp * 0.0), flo)
        for j in range(m):
            b[j] = v
    elif USE_LIN_UP and code == L.LIN_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * linear_up((float(i0 + j) - sub) - off, n)), flo)
    elif USE_LIN_DOWN and code == L.LIN_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * linear_down((float(i0 + j) - sub) - off, n)), flo)
    elif USE_COS_UP and code == L.COS_UP and q0 == 1.0:
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
    elif USE_COS_DOWN and code == L.COS_DOWN and q0 == 1.0 and q1 == 1.0:
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
    if USE_COS_POW and USE_COS_UP and code == L.COS_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * cosine_up((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_COS_POW and USE_COS_DOWN and code == L.COS_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * cosine_down((float(i0 + j) - sub) - off, n, q0, q1, q2)), flo)
    elif USE_POLY_UP and code == L.POLY_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * poly_up((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_POLY_DOWN and code == L.POLY_DOWN and q1 == 1.0 and ANCHORED_RUNS and abs(q0) <= 8.0:
        poly_runs(b, g, i0, sub, off, n, q0, base, amp, scale, flo)
    elif USE_POLY_DOWN and code == L.POLY_DOWN and q1 == 1.0:
        for j in range(m):
            b[j] = max(scale * (base + amp * poly_plain((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_POLY_DOWN and code == L.POLY_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * poly_down((float(i0 + j) - sub) - off, n, q0, q1)), flo)
    elif USE_EXP and code == L.EXP and q1 == 0.0 and ANCHORED_RUNS and abs(np.log(q0)) * RUN <= 600.0 * n:
        exp_runs(b, g, i0, sub, off, n, q0, q2, q3, base, amp, scale, flo)
    elif USE_EXP and code == L.EXP and q1 == 0.0 and q3 == 0.0:
        for j in range(m):
            b[j] = max(scale * (base + amp * exp_plain((float(i0 + j) - sub) - off, n, q0)), flo)
    elif USE_EXP and code == L.EXP and q1 != 0.0:
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
    elif USE_EXP and code == L.EXP:
        for j in range(m):
            b[j] = max(scale * (base + amp * exponential((float(i0 + j) - sub) - off, n, q0, q1, q2, q3)), flo)
    elif USE_INV_SQRT and code == L.INV_SQRT and ANCHORED_RUNS:
        inv_sqrt_runs(b, g, i0, sub, off, n, base, amp, scale, flo)
    elif USE_INV_SQRT and code == L.INV_SQRT:
        for j in range(m):
            b[j] = max(scale * (base + amp * inverse_sqrt((float(i0 + j) - sub) - off, n)), flo)
    elif USE_INV_TIME and code == L.INV_TIME:
        for j in range(m):
            b[j] = max(scale * (base + amp * inverse_time((float(i0 + j) - sub) - off, n, q0, q1)), flo)
    elif USE_TANH and code == L.TANH and ANCHORED_RUNS and abs(q1 - q0) * RUN <= 25.0 * n:
        tanh_runs(b, g, i0, sub, off, n, q0, q1, base, amp, scale, flo)
    elif USE_TANH and code == L.TANH:
        for j in range(m):
            b[j] = max(scale * (base + amp * tanh_decay((float(i0 + j) - sub) - off, n, q0, q1)), flo)
    elif USE_SQRT_DOWN and code == L.SQRT_DOWN:
        for j in range(m):
            b[j] = max(scale * (base + amp * sqrt_down((float(i0 + j) - sub) - off, n)), flo)
    elif USE_SQRT_UP and code == L.SQRT_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * sqrt_up((float(i0 + j) - sub) - off, n)), flo)
    elif USE_EXP_UP and code == L.EXP_UP:
        for j in range(m):
            b[j] = max(scale * (base + amp * exp_saturate((float(i0 + j) - sub) - off, n)), flo)
    elif USE_CYCLIC and code == L.CYCLIC:
        for j in range(m):
            b[j] = max(scale * (base + amp * cyclic((float(i0 + j) - sub) - off, q0, q1, q2, q3)), flo)


def unit_fill(code, w, t0, off, n, q0, q1):
    """``w[j] = unit(code, float(t0 + j) - off, n, q0, q1)`` for the warmup shapes, one loop each."""
    m = w.shape[0]
    if USE_LIN_UP and code == L.LIN_UP:
        for j in range(m):
            w[j] = linear_up(float(t0 + j) - off, n)
    elif USE_CONST and code == L.CONST:
        for j in range(m):
            w[j] = 0.0
    elif USE_COS_UP and code == L.COS_UP:
        for j in range(m):
            w[j] = cosine_up_plain(float(t0 + j) - off, n)
    elif USE_POLY_UP and code == L.POLY_UP:
        for j in range(m):
            w[j] = poly_up(float(t0 + j) - off, n, q0)
    elif USE_EXP_UP and code == L.EXP_UP:
        for j in range(m):
            w[j] = exp_saturate(float(t0 + j) - off, n)
    elif USE_RADAM_UP and code == L.RADAM_UP:
        for j in range(m):
            w[j] = radam_rect(float(t0 + j) - off, q0, q1)
    elif USE_SQRT_UP and code == L.SQRT_UP:
        for j in range(m):
            w[j] = sqrt_up(float(t0 + j) - off, n)


def product_fill(cf, c, si, sf, k, i0, b, g, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp factors(cf, c, si, sf, k, float(i0 + j))), flo)`` factor by
    factor, in chunks of half the float64 scratch ``g`` (one half the running product, the other
    a user's function's values from ``user_fill``): a cumulative function (torch's
    MultiplicativeLR) then costs one call per step instead of ``t``. The same operations in the
    same order as :func:`~fastlr.kernels.formulas.factors`, so the values are the same."""
    h = g.shape[0] // 2
    acc = g[:h]
    tmp = g[h : 2 * h]
    m = b.shape[0]
    for j0 in range(0, m, h):
        n = min(h, m - j0)
        a = acc[:n]
        for j in range(n):
            a[j] = 1.0
        for q in range(k - int(sf[k, L.S_Q0]), k):
            code = si[q, L.S_CODE]
            off = sf[q, L.S_OFF]
            fb = sf[q, L.S_BASE]
            fa = sf[q, L.S_AMP]
            if code == L.USER:
                u = tmp[:n]
                user_fill(u, cf, c, sf[q, L.S_Q0], sf[q, L.S_Q1], int(float(i0 + j0) - off), fb, fa, 1.0, -np.inf)
                for j in range(n):
                    a[j] *= u[j]
            else:
                fn = sf[q, L.S_N]
                q0 = sf[q, L.S_Q0]
                q1 = sf[q, L.S_Q1]
                q2 = sf[q, L.S_Q2]
                q3 = sf[q, L.S_Q3]
                for j in range(n):
                    a[j] *= fb + fa * unit(code, float(i0 + j0 + j) - off, fn, q0, q1, q2, q3)
        bo = b[j0 : j0 + n]
        for j in range(n):
            bo[j] = max(scale * (base + amp * a[j]), flo)


def main_block(ci, cf, si, sf, c, a, e, b, g):
    """Main curve (scaled, floored) for global steps ``a .. e-1`` into ``b`` (``g``: scratch).

    One piece (:func:`piece`, or :func:`other_piece` for the shapes it does not take) per
    segment or restart cycle; restarts with growth or fractional periods and epoch granularity
    go element by element.
    """
    scale = cf[c, L.F_SCALE]
    flo = cf[c, L.F_FLOOR]
    kind = ci[c, L.I_RS_KIND]
    if USE_SCALAR_MAIN and (kind > L.RS_INT or ci[c, L.I_SPE] != 1):
        for j in range(e - a):
            b[j] = main_value(ci, cf, si, sf, c, a + j)
        return
    shift = ci[c, L.I_SHIFT]
    tma = a - shift
    tme = e - shift
    lo = ci[c, L.I_SEG_LO]
    hi = ci[c, L.I_SEG_HI]
    period = ci[c, L.I_RS_PERIOD]
    warm = ci[c, L.I_RS_WARM]
    limit = ci[c, L.I_RS_LIMIT]
    rseg = lo + ci[c, L.I_RS_SEG]
    k = lo
    tm = tma
    while tm < tme:
        while k + 1 < hi and si[k + 1, L.S_START] <= tm:
            k += 1
        p1 = min(tme, si[k + 1, L.S_START]) if k + 1 < hi else tme
        if not USE_RS_INT or kind == L.RS_NONE or k != rseg:
            i0 = tm - si[k, L.S_START]
            sub = 0.0
            n = sf[k, L.S_N]
            base = sf[k, L.S_BASE]
            amp = sf[k, L.S_AMP]
        else:
            # restarts of segment k from its start s0 (0 unless it is a Join phase)
            s0 = si[k, L.S_START]
            i = (tm - s0) // period
            start = s0 + i * period
            p1 = min(p1, start + period)
            base = sf[k, L.S_BASE]
            if limit > 0 and i >= limit:
                v = max(scale * base, flo)
                if USE_USER and si[k, L.S_CODE] == L.USER:
                    v = main_value(ci, cf, si, sf, c, tm + shift)  # its value at the end of the last cycle
                p1 = si[k + 1, L.S_START] if k + 1 < hi and si[k + 1, L.S_START] < tme else tme
                tail = b[tm - tma : p1 - tma]
                for j in range(p1 - tm):
                    tail[j] = v
                tm = p1
                continue
            decay = cf[c, L.F_RS_DECAY] ** float(i)
            if ci[c, L.I_RS_MODE] == L.RS_PEAK:
                amp = cf[c, L.F_RS_PEAK] * decay - base
            else:
                amp = sf[k, L.S_AMP] * decay
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
        code = si[k, L.S_CODE]
        bp = b[tm - tma : p1 - tma]
        off = sf[k, L.S_OFF]
        q0 = sf[k, L.S_Q0]
        q1 = sf[k, L.S_Q1]
        q2 = sf[k, L.S_Q2]
        q3 = sf[k, L.S_Q3]
        if USE_PROD and USE_USER and code == L.PROD:
            # a product with users' functions: factor by factor (a cumulative one costs a call a step)
            product_fill(cf, c, si, sf, k, i0, bp, g, base, amp, scale, flo)
        elif USE_PROD and code == L.PROD:
            # a product: its factors are the segments before it (element by element)
            for j in range(p1 - tm):
                bp[j] = max(scale * (base + amp * factors(cf, c, si, sf, k, float(i0 + j))), flo)
        elif USE_USER and code == L.USER:
            # a user's function (fastlr.Formula) at the integer local steps (off: minus its shift)
            user_fill(bp, cf, c, q0, q1, i0 - int(sub) - int(off), base, amp, scale, flo)
        elif not piece(code, bp, g, i0, sub, off, n, base, amp, scale, flo, q0, q1, q2, q3) and USE_OTHER_PIECE:
            other_piece(code, bp, g, i0, sub, off, n, base, amp, scale, flo, q0, q1, q2, q3)
        tm = p1


def fill_block(ci, cf, si, sf, c, t0, b, w):
    """Values of row ``c`` for global steps ``t0 .. t0 + len(b) - 1``, all inside the warmup,
    into float64 ``b`` (``w``: scratch of at least the same length and ``KEY + 2 COS_RUN + 2``):
    with the warmup unit curve ``f``, ``start + (target - start) f`` (prefix: ``target`` is the
    main curve at the warmup's target step), ``main (start + (1 - start) f)`` (overlay) or
    ``start + (main - start) f`` (blend)."""
    mode = ci[c, L.I_WU_MODE]
    m = b.shape[0]
    target = 0.0
    if USE_WU_PREFIX and mode == L.WU_PREFIX:
        target = main_value(ci, cf, si, sf, c, ci[c, L.I_WU_TARGET])
    elif USE_WU_OVERLAY or USE_WU_BLEND:
        main_block(ci, cf, si, sf, c, t0, t0 + m, b, w)
    f = w[:m]
    unit_fill(ci[c, L.I_WU_CODE], f, t0, cf[c, L.F_WU_OFF], cf[c, L.F_WU_N], cf[c, L.F_WU_Q0], cf[c, L.F_WU_Q1])
    start = cf[c, L.F_WU_BASE]
    if USE_WU_PREFIX and mode == L.WU_PREFIX:
        for j in range(m):
            b[j] = start + (target - start) * f[j]
    elif USE_WU_OVERLAY and mode == L.WU_OVERLAY:
        for j in range(m):
            b[j] = b[j] * (start + (1.0 - start) * f[j])
    elif USE_WU_BLEND and mode == L.WU_BLEND:
        for j in range(m):
            b[j] = start + (b[j] - start) * f[j]


def fill_span(ci, cf, si, sf, c, t0, dst, b, w):
    """``dst[k] = value(c, t0 + k)``: the warmup block by block through the float64 scratch
    ``b`` (a linear prefix warmup straight into ``dst``), the main curve after it straight into
    ``dst`` (one rounding either way). ``b`` and
    ``w``: float64 scratch of ``BLOCK`` elements each. Also the serial entry point: one table
    on one thread, with the same values however a table's steps are split into calls."""
    n = dst.shape[0]
    mode = ci[c, L.I_WU_MODE]
    wlen = ci[c, L.I_WU_LEN] if mode != L.WU_NONE else 0
    nw = min(n, max(0, wlen - t0))
    # the everyday linear warmup: fill_block's arithmetic straight into dst (no scratch pass and
    # copy; the same float64 operations, rounded once on the store)
    direct = USE_WU_PREFIX and USE_LIN_UP and nw > 0 and mode == L.WU_PREFIX and ci[c, L.I_WU_CODE] == L.LIN_UP
    if direct:
        target = main_value(ci, cf, si, sf, c, ci[c, L.I_WU_TARGET])
        start = cf[c, L.F_WU_BASE]
        off = cf[c, L.F_WU_OFF]
        span = cf[c, L.F_WU_N]
        dw = dst[:nw]
        for j in range(nw):
            dw[j] = start + (target - start) * linear_up(float(t0 + j) - off, span)
    for k0 in range(0, 0 if direct else nw, BLOCK):
        m = min(BLOCK, nw - k0)
        bb = b[:m]
        fill_block(ci, cf, si, sf, c, t0 + k0, bb, w)
        d = dst[k0 : k0 + m]
        for j in range(m):
            d[j] = bb[j]
    if nw < n:
        main_block(ci, cf, si, sf, c, t0 + nw, t0 + n, dst[nw:], w)
