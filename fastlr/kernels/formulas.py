"""The one formula source: plain-Python scalar functions, compiled per target.

Nothing here is decorated. ``fastlr.kernels.cpu`` compiles these functions with
``numba.njit`` and ``fastlr.kernels.cuda`` with ``numba.cuda.jit(device=True)``, both through
:func:`fastlr.kernels.retarget.compile_functions`, which rebinds the module globals so that each
function calls the compiled versions of the others. The shapes reach transcendental functions
only through the primitives :func:`cospi`, :func:`sinhalfpi`, :func:`powr`, :func:`expr`,
:func:`tanhr` and :func:`rsqrt`; the CPU target also compiles a second copy bound to vectorisable approximations
(:mod:`fastlr.kernels.fastmath`). The same functions, called as plain Python, are the scalar
path used at lowering time (tail values).

Every shape is a *unit curve* ``f`` of a float local time ``x`` and a progress denominator
``n``; a segment's value is ``base + amp * f``. Decaying shapes are written in the direction
that keeps their textbook arithmetic (``1 - x/n``, ``(1 + cos(pi p)) / 2``), which is what the
peers compute, so dialect tables reproduce them to rounding. Where that arithmetic cancels
(``1 + cos`` near the end of a decay), a well-conditioned form of the same curve sits beside it
(:data:`WELL_CONDITIONED`), which the CPU's fast build binds under the textbook name.

The evaluator functions (:func:`curve_value`, :func:`main_value`, :func:`value`) take the four
program arrays described in :mod:`fastlr.kernels.layout`, a row index ``c`` and an int64 step.
They assume a validated program and never check.
"""

import math

from fastlr.kernels import layout as L
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
)

# Names of the functions that targets compile; the leaves (primitives and shapes) are small
# enough to inline into their callers. The unit function of every shape code is a leaf (its row
# of ``layout.SHAPES`` names it), beside the primitives and the shared pieces of those functions.
LEAF_FUNCTIONS = (
    "ratio",
    "cospi",
    "powr",
    "expr",
    "tanhr",
    "rsqrt",
    "progress",
    "periodic",
    "floorf",
    "cosine_up_plain",
    "cosine_plain",
    "poly_plain",
    "exp_plain",
    *(s.formula for s in L.SHAPES),
    "cycle_start",
    "user_value",
)
# Leaves only the CPU block loops call: the half-period cosines (textbook arithmetic), and the
# same curves in well-conditioned form, which the fast build binds under the textbook names.
CPU_LEAF_FUNCTIONS = (
    "sinhalfpi",
    "unsigned",
    "cosine_plain01",
    "cosine_up_plain01",
    "cosine_sq01",
    "cosine_up_sq01",
    "user_fill",
)
WELL_CONDITIONED = {"cosine_plain01": "cosine_sq01", "cosine_up_plain01": "cosine_up_sq01"}
KERNEL_FUNCTIONS = (
    *LEAF_FUNCTIONS,
    "unit",
    "factors",
    "curve_value",
    "main_value",
    "value",
)


# ---- primitives (a target may bind faster implementations of the same functions) -------------


def ratio(x, n):
    """``x / n`` (a target may multiply by a hoisted reciprocal instead)."""
    return x / n


def cospi(y):
    """``cos(pi y)``."""
    return math.cos(math.pi * y)


def sinhalfpi(z):
    """``sin(pi z / 2)`` for ``0 <= z <= 1`` (a target may skip the range reduction)."""
    return math.sin(0.5 * math.pi * z)


def powr(x, y):
    """``x ** y`` for x >= 0."""
    return x**y


def expr(x):
    """``exp(x)``."""
    return math.exp(x)


def tanhr(x):
    """``tanh(x)``."""
    return math.tanh(x)


def rsqrt(x):
    """``1 / sqrt(x)``."""
    return 1.0 / math.sqrt(x)


def unsigned(i):
    """The array index ``i >= 0`` (a target may type it unsigned: the CPU's fast build does, so
    Numba adds no negative-index wraparound, whose select would keep a loop that indexes
    ``b[j + i]`` from vectorising)."""
    return i


# ---- shapes ----------------------------------------------------------------------------------


def progress(x, n, k):
    """Progress ``p = x/n``, or ``x^k / n^k`` with k-decay (timm); as ``(x/n)^k`` where a power
    alone could leave float64's normal range (``x^45`` overflows for ``x > 7e6``; with
    ``x, n <= 2**51`` no power up to the 20th does)."""
    if k == 1.0:
        return ratio(x, n)
    if k <= 20.0:
        b = powr(n, k)
        if b >= 2.2250738585072014e-308:
            return powr(x, k) / b
    return powr(ratio(x, n), k)


def floorf(y):
    """``floor(y)`` as a float: exact, and defined where the integer would not fit in int64
    (``y - y mod 1``, the remainder of a float division being exact)."""
    return y - y % 1.0


def periodic(x, period):
    """``x`` reduced modulo ``period`` toward 0 where ``|x| >= period`` (the remainder of a
    float division is exact: with an integer period, the local time of a periodic curve stays
    exact at any step)."""
    if x >= period:
        return x % period
    if x <= -period:
        return -((-x) % period)
    return x


def zero(x, n):
    """``0`` (the constant shape: a segment's value is its ``base``)."""
    return 0.0


def linear_up(x, n):
    """``x / n``."""
    return ratio(x, n)


def linear_down(x, n):
    """``1 - x / n``."""
    return 1.0 - ratio(x, n)


def cosine_up_plain(x, n):
    """``(1 - cos(pi x / n)) / 2``."""
    return 0.5 * (1.0 - cospi(ratio(x, n)))


def cosine_plain(x, n, c):
    """``(1 + cos(pi c x / n)) / 2``, ``x`` reduced by whole periods ``2 n / c`` first."""
    return 0.5 * (1.0 + cospi(c * ratio(periodic(x, 2.0 * n / c), n)))


def cosine_plain01(x, n, c):
    """:func:`cosine_plain` where ``c x / n`` is known to lie in ``[0, 1]``."""
    return cosine_plain(x, n, c)


def cosine_up_plain01(x, n):
    """:func:`cosine_up_plain` where ``x / n`` is known to lie in ``[0, 1]``."""
    return cosine_up_plain(x, n)


def cosine_sq01(x, n, c):
    """:func:`cosine_plain01` as ``sin^2(pi/2 (n - c x) / n)``: the same curve without the
    cancellation of ``1 + cos`` near the end of the decay (relative accuracy to the last step)."""
    s = sinhalfpi(ratio(n - c * x, n))
    return s * s


def cosine_up_sq01(x, n):
    """:func:`cosine_up_plain01` as ``sin^2(pi/2 x / n)``."""
    s = sinhalfpi(ratio(x, n))
    return s * s


def poly_plain(x, n, power):
    """``(1 - x / n)^power``, with a true division in every build: near the end of the decay
    ``1 - x / n`` cancels, and the fast build's reciprocal (one ulp of ``x / n``) would move the
    value by ``power * ulp / (1 - x / n)`` relative (2e-13 for power 0.1, 300,000 steps)."""
    return powr(1.0 - x / n, power)


def exp_plain(x, n, rate):
    """``rate^(x / n)``."""
    return powr(rate, ratio(x, n))


def cosine_up(x, n, e):
    """``((1 - cos(pi x / n)) / 2)^e``."""
    v = cosine_up_plain(x, n)
    if e == 1.0:
        return v
    return powr(v, e)


def cosine_down(x, n, e, k, c):
    """``((1 + cos(pi c p)) / 2)^e`` with ``p = x^k / n^k``; c = 1 is a half period."""
    if k == 1.0:
        v = cosine_plain(x, n, c)
    else:
        v = 0.5 * (1.0 + cospi(c * progress(x, n, k)))
    if e == 1.0:
        return v
    return powr(v, e)


def poly_up(x, n, power):
    """``(x / n)^power``."""
    return powr(ratio(x, n), power)


def poly_down(x, n, power, k):
    """``(1 - p)^power`` with ``p = x^k / n^k``."""
    if k == 1.0:
        return poly_plain(x, n, power)
    return powr(1.0 - progress(x, n, k), power)


def exponential(x, n, rate, staircase, clip, has_clip):
    """``rate^(x/n)`` (``floor(x/n)`` when staircase), clipped at ``clip`` when has_clip.

    The clip bounds the decay (a maximum when rate < 1, a minimum when rate > 1).
    """
    if staircase == 0.0:
        v = exp_plain(x, n, rate)
    else:
        v = powr(rate, floorf(ratio(x, n)))
    if has_clip != 0.0:
        # conditional expressions rather than max/min: every target compiles them
        if rate < 1.0:
            v = v if v >= clip else clip
        else:
            v = v if v <= clip else clip
    return v


def inverse_sqrt(x, n):
    """``1 / sqrt(x / n)``."""
    return rsqrt(ratio(x, n))


def inverse_time(x, n, rate, staircase):
    """``1 / (1 + rate p)``, ``p = x / n`` (floored when staircase)."""
    p = ratio(x, n)
    if staircase != 0.0:
        p = floorf(p)
    return 1.0 / (1.0 + rate * p)


def tanh_decay(x, n, lower, upper):
    """``(1 - tanh(lower (1 - p) + upper p)) / 2``, ``p = x / n``."""
    p = ratio(x, n)
    return 0.5 * (1.0 - tanhr(lower * (1.0 - p) + upper * p))


def sqrt_down(x, n):
    """``1 - sqrt(x / n)`` (the 1-sqrt cooldown)."""
    return 1.0 - math.sqrt(ratio(x, n))


def sqrt_up(x, n):
    """``1 - sqrt(1 - x / n)``."""
    return 1.0 - math.sqrt(1.0 - ratio(x, n))


def exp_saturate(x, n):
    """``1 - exp(-x / n)``."""
    return 1.0 - expr(-ratio(x, n))


def cyclic(x, up, down, mode, gamma):
    """Cyclical LR triangle ``s * g`` (Smith 2017, as torch's CyclicLR computes it).

    ``C = up + down``, ``cycle = floor(1 + x/C)``, ``y = 1 + x/C - cycle``, ``r = up/C``;
    ``s = y/r`` if ``y <= r`` else ``(y - 1)/(r - 1)``; ``g`` is 1 (triangular),
    ``2^(1 - cycle)`` (triangular2) or ``gamma^x`` (exp_range). Past the first cycle, ``x`` is
    first reduced by whole cycles (exactly, for an integer ``C``), so ``y`` keeps its accuracy
    at any step.
    """
    size = up + down
    xl = periodic(x, size)
    whole = floorf((x - xl) / size + 0.5)  # the cycles removed (exact for an integer C)
    cyc = math.floor(1.0 + xl / size)
    y = 1.0 + xl / size - cyc
    r = up / size
    if y <= r:
        s = y / r
    else:
        s = (y - 1.0) / (r - 1.0)
    if mode == 0.0:
        return s
    if mode == 1.0:
        return s * (1.0 / powr(2.0, cyc + whole - 1.0))
    return s * powr(gamma, x)


def radam_rect(x, beta2, rho_inf):
    """RAdam's rectification ``sqrt((rho - 4)(rho - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho))``
    with ``rho = rho_inf - 2 x beta2^x / (1 - beta2^x)`` (Liu et al. 2020)."""
    bx = powr(beta2, x)
    rho = rho_inf - 2.0 * x * bx / (1.0 - bx)
    return math.sqrt((rho - 4.0) * (rho - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho))


def product(x, n):
    """``1``: a product segment's own unit curve. Its factors (the segments before it) multiply
    it where a segment's value is computed (:func:`factors`), since a unit curve sees only its
    own parameters."""
    return 1.0


def user(x, n):
    """NaN: a user's function (``USER``) needs its parameters, which a unit curve does not see;
    :func:`curve_value` calls :func:`user_value` for it instead."""
    return math.nan


def user_value(cf, c, q0, q1, t, base, amp):
    """A USER segment's value ``base + amp * fn(t, ...)`` at integer local step ``t``, ``fn``
    the program's function ``q1`` with row ``c``'s parameters from column ``CF_WIDTH + q0`` on
    (for a cumulative function ``base + amp * fn(1) * ... * fn(t)``, multiplied in step order).
    Here NaN: ``fastlr.kernels.user`` binds the program's functions in the builds that evaluate
    them."""
    return math.nan


def user_fill(b, cf, c, q0, q1, t0, base, amp, scale, flo):
    """``b[j] = max(scale user_value(cf, c, q0, q1, t0 + j, base, amp), flo)`` (bound by
    ``fastlr.kernels.user`` like :func:`user_value`; here it writes NaN)."""
    for j in range(b.shape[0]):
        b[j] = math.nan


def unit(code, x, n, q0, q1, q2, q3):
    """Dispatch a shape code to its unit curve at local time ``x`` (NaN for an unknown code).

    One branch per row of ``layout.SHAPES``, calling the row's formula, guarded by the code's
    feature switch, which a CPU variant may turn off for codes its programs do not use.
    """
    if USE_CONST and code == L.CONST:
        return zero(x, n)
    if USE_LIN_UP and code == L.LIN_UP:
        return linear_up(x, n)
    if USE_LIN_DOWN and code == L.LIN_DOWN:
        return linear_down(x, n)
    if USE_COS_UP and code == L.COS_UP:
        if USE_COS_POW:
            return cosine_up(x, n, q0)
        return cosine_up_plain(x, n)  # what cosine_up computes for q0 = 1
    if USE_COS_DOWN and code == L.COS_DOWN:
        if USE_COS_POW:
            return cosine_down(x, n, q0, q1, q2)
        return cosine_plain(x, n, q2)  # what cosine_down computes for q0 = q1 = 1
    if USE_POLY_UP and code == L.POLY_UP:
        return poly_up(x, n, q0)
    if USE_POLY_DOWN and code == L.POLY_DOWN:
        return poly_down(x, n, q0, q1)
    if USE_EXP and code == L.EXP:
        return exponential(x, n, q0, q1, q2, q3)
    if USE_INV_SQRT and code == L.INV_SQRT:
        return inverse_sqrt(x, n)
    if USE_INV_TIME and code == L.INV_TIME:
        return inverse_time(x, n, q0, q1)
    if USE_TANH and code == L.TANH:
        return tanh_decay(x, n, q0, q1)
    if USE_SQRT_DOWN and code == L.SQRT_DOWN:
        return sqrt_down(x, n)
    if USE_SQRT_UP and code == L.SQRT_UP:
        return sqrt_up(x, n)
    if USE_EXP_UP and code == L.EXP_UP:
        return exp_saturate(x, n)
    if USE_RADAM_UP and code == L.RADAM_UP:
        return radam_rect(x, q0, q1)
    if USE_CYCLIC and code == L.CYCLIC:
        return cyclic(x, q0, q1, q2, q3)
    if USE_PROD and code == L.PROD:
        return product(x, n)
    if USE_USER and code == L.USER:
        return user(x, n)
    return math.nan


# ---- evaluation ------------------------------------------------------------------------------


def cycle_start(i, period, mult):
    """Start of restart cycle ``i`` with period growth: ``period (mult^i - 1) / (mult - 1)``.

    ``mult^i`` is ``pow`` of two floats, as CPython (and timm) compute it: Numba raises a float
    to an integer power by repeated multiplication, which rounds differently, so the compiled
    and the plain-Python formula would start some cycles one step apart."""
    return period * (mult ** float(i) - 1.0) / (mult - 1.0)


def factors(cf, c, si, sf, k, x):
    """The product of the factor segments of the product segment ``k`` at local time ``x``
    (``tm`` minus the segments' common start): the ``sf[k, S_Q0]`` segments before ``k``, each
    ``base + amp * unit(...)``, multiplied in segment order (a user's function: its
    :func:`user_value` at the integer step ``x - off``, with row ``c``'s parameters)."""
    v = 1.0
    for j in range(k - int(sf[k, L.S_Q0]), k):
        code = si[j, L.S_CODE]
        if USE_USER and code == L.USER:
            t = int(x - sf[j, L.S_OFF])
            v *= user_value(cf, c, sf[j, L.S_Q0], sf[j, L.S_Q1], t, sf[j, L.S_BASE], sf[j, L.S_AMP])
            continue
        f = unit(code, x - sf[j, L.S_OFF], sf[j, L.S_N], sf[j, L.S_Q0], sf[j, L.S_Q1], sf[j, L.S_Q2], sf[j, L.S_Q3])
        v *= sf[j, L.S_BASE] + sf[j, L.S_AMP] * f
    return v


def curve_value(ci, cf, si, sf, c, tm):
    """Unscaled main curve of row ``c`` at local main time ``tm >= 0`` (segments, restarts)."""
    lo = ci[c, L.I_SEG_LO]
    kind = ci[c, L.I_RS_KIND]
    hi = ci[c, L.I_SEG_HI]
    # the last segment that starts at or before tm (segment starts never decrease), by
    # bisection: a row may have a million segments
    k = lo
    top = hi
    while top - k > 1:
        mid = (k + top) // 2
        if si[mid, L.S_START] <= tm:
            k = mid
        else:
            top = mid
    if not (USE_RS_INT or USE_SCALAR_MAIN) or kind == L.RS_NONE or k != lo + ci[c, L.I_RS_SEG]:
        x = float(tm - si[k, L.S_START]) - sf[k, L.S_OFF]
        n = sf[k, L.S_N]
        base = sf[k, L.S_BASE]
        amp = sf[k, L.S_AMP]
    else:
        # restarts of segment k (from its start on): locate the cycle i, the time inside it tc
        # and its length ti
        tm = tm - si[k, L.S_START]
        if USE_RS_INT and kind == L.RS_INT:
            period = ci[c, L.I_RS_PERIOD]
            i = tm // period
            tc = float(tm - i * period)
            ti = float(period)
        elif USE_SCALAR_MAIN and kind == L.RS_FRAC:
            xf = cf[c, L.F_RS_CYCLES] * (float(tm) / cf[c, L.F_RS_PERIOD])
            flimit = cf[c, L.F_RS_LIMIT]
            if flimit > 0.0 and xf >= flimit:
                return sf[k, L.S_BASE]
            i = int(math.floor(xf))  # noqa: RUF046 - an int on every target
            tc = xf - i
            ti = 1.0
        elif USE_SCALAR_MAIN and kind == L.RS_STRETCH:
            # the horizon stretches by one period per cycle; progress counts from step 0
            fperiod = cf[c, L.F_RS_PERIOD]
            m = float(math.ceil(float(tm) / fperiod))
            if m < 1.0:
                m = 1.0
            i = int(m) - 1
            tc = float(tm)
            ti = fperiod * m
        elif USE_SCALAR_MAIN:
            fperiod = cf[c, L.F_RS_PERIOD]
            mult = cf[c, L.F_RS_MULT]
            i = int(math.floor(math.log(1.0 + float(tm) / fperiod * (mult - 1.0)) / math.log(mult)))  # noqa: RUF046
            if ci[c, L.I_RS_EXACT] != 0:
                while cycle_start(i + 1, fperiod, mult) <= tm:
                    i += 1
                while i > 0 and cycle_start(i, fperiod, mult) > tm:
                    i -= 1
            ti = fperiod * mult ** float(i)
            tc = float(tm) - cycle_start(i, fperiod, mult)
        else:
            return math.nan  # no such restart kind
        base = sf[k, L.S_BASE]
        limit = ci[c, L.I_RS_LIMIT]
        if limit > 0 and i >= limit:
            if not (USE_USER and si[k, L.S_CODE] == L.USER):
                return base  # the curve's end value
            # a user's function holds its value at the end of the last cycle (whole cycles only)
            i = limit - 1
            if kind == L.RS_INT:
                ti = float(ci[c, L.I_RS_PERIOD])
            else:
                ti = cf[c, L.F_RS_PERIOD] * cf[c, L.F_RS_MULT] ** float(i)
            tc = ti
        decay = cf[c, L.F_RS_DECAY] ** float(i)
        if ci[c, L.I_RS_MODE] == L.RS_PEAK:
            amp = cf[c, L.F_RS_PEAK] * decay - base
        else:
            amp = sf[k, L.S_AMP] * decay
        warm = ci[c, L.I_RS_WARM]
        if warm > 0:
            if tc < warm:
                return base + amp * (tc / warm)
            tc = tc - warm
            ti = ti - warm
        x = tc - sf[k, L.S_OFF]
        n = ti
    code = si[k, L.S_CODE]
    if USE_USER and code == L.USER:
        # a user's function sees the integer local step (x is integral: its offset is an integer)
        return user_value(cf, c, sf[k, L.S_Q0], sf[k, L.S_Q1], int(x), base, amp)
    f = unit(code, x, n, sf[k, L.S_Q0], sf[k, L.S_Q1], sf[k, L.S_Q2], sf[k, L.S_Q3])
    if USE_PROD and code == L.PROD:
        f = f * factors(cf, c, si, sf, k, float(tm - si[k, L.S_START]))
    return base + amp * f


def main_value(ci, cf, si, sf, c, t):
    """Scaled, floored main curve of row ``c`` at global step ``t`` (``t >= shift``)."""
    tm = (t - ci[c, L.I_SHIFT]) // ci[c, L.I_SPE]
    v = cf[c, L.F_SCALE] * curve_value(ci, cf, si, sf, c, tm)
    fl = cf[c, L.F_FLOOR]
    return v if v >= fl else fl


def value(ci, cf, si, sf, c, t):
    """The schedule value of row ``c`` for optimizer step ``t`` (warmup, then main curve)."""
    mode = ci[c, L.I_WU_MODE]
    warming = mode != L.WU_NONE and t < ci[c, L.I_WU_LEN]
    tt = ci[c, L.I_WU_TARGET] if warming and mode == L.WU_PREFIX else t
    main = main_value(ci, cf, si, sf, c, tt)
    if not warming:
        return main
    x = float(t) - cf[c, L.F_WU_OFF]
    q0, q1, q2, q3 = cf[c, L.F_WU_Q0], cf[c, L.F_WU_Q1], cf[c, L.F_WU_Q2], cf[c, L.F_WU_Q3]
    f = unit(ci[c, L.I_WU_CODE], x, cf[c, L.F_WU_N], q0, q1, q2, q3)
    start = cf[c, L.F_WU_BASE]
    if mode == L.WU_OVERLAY:
        return main * (start + (1.0 - start) * f)
    return start + (main - start) * f
