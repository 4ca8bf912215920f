"""The fast build's anchored runs: cosine, exponential, tanh, polynomial and inverse sqrt pieces.

Plain Python like :mod:`fastlr.kernels.formulas`, compiled by :mod:`fastlr.kernels.cpu` in one
namespace with it, for the fast build only (``blocks.ANCHORED_RUNS``). Each function fills a
piece ``b[j] = max(scale (base + amp f(x_j)), flo)``, ``x_j = (float(i0 + j) - sub) - off``, by
runs of ``RUN`` steps (``COS_RUN`` for the cosines): the formula once per run, the other steps
from exact identities (angle addition, products of powers) with a per-piece table ``g``, a short
binomial series, or a series seed refined by Newton steps. Runs lie on a grid of the segment's
local index, so no value depends on where a block, a chunk or a thread starts. ``g`` (float64
scratch, the drivers pass ``BLOCK`` = 2048 floats, at least ``KEY + 2 COS_RUN + 2``) holds the
tables and a batch of anchors. The run loops index ``b`` and ``g`` as ``b[unsigned(j + i)]``
rather than through a slice per run: each slice costs Numba two atomic reference-count updates
(on the output's shared counter, from every thread), and a signed index ``j + i`` a
negative-index test that keeps the loop from vectorising (polynomial 1.5-1.8 -> 1.24-1.45,
inverse sqrt 1.45-1.7 -> 1.16-1.34, cosine 0.85 -> 0.76 x ``np.fill``, 4,000 x 10,000 float32,
alternating runs on one machine).

What each function must match (to 1e-14 relative of the peak, a few ulp of each value):

- :func:`half_period_bounds`: the split of a piece into the steps inside the half period and the
  others, by the same per-element tests ``ratio(x, n)`` that the formulas use;
- :func:`cosine_down_runs`: ``formulas.cosine_plain`` (``formulas.cosine_down`` with
  ``q0 = q1 = 1``), in the form ``formulas.cosine_sq01``;
- :func:`cosine_up_runs`: ``formulas.cosine_up_plain`` (``formulas.cosine_up`` with ``q0 = 1``),
  in the form ``formulas.cosine_up_sq01``;
- :func:`exp_runs`: ``formulas.exponential`` without a staircase (``formulas.exp_plain`` and the
  clip);
- :func:`tanh_runs`: ``formulas.tanh_decay``;
- :func:`poly_runs`: ``formulas.poly_plain`` (``formulas.poly_down`` with ``q1 = 1``);
- :func:`inv_sqrt_runs`: ``formulas.inverse_sqrt``.

``tests/test_fastmath.py`` (``test_anchored_runs_match_the_formula_everywhere`` and the short
cosine pieces) holds each to its formula.
"""

import numpy as np

from fastlr.kernels.formulas import exp_plain, expr, poly_plain, ratio, rsqrt, sinhalfpi, unsigned

# anchored runs: the formula at one step of every RUN, tables for the rest
RUN = 64
# the cosine runs: angle addition from a table of cos(k d), sin(k d), every value within a few
# ulp however long the run; longer runs take fewer loop starts per row (256: cosine 1.55 ->
# 1.27 x np.fill, 4,000 x 10,000 float32, same machine, alternating runs)
COS_RUN = 256
# ``g[:KEY]`` says which table ``g[KEY:]`` holds (a tag and the table's parameters), so the next
# piece with the same parameters (the next row of a sweep: the drivers reuse one scratch per
# chunk of rows) reuses it; every writer of ``g[0]`` writes a tag or a unit value, never a tag
# value for another table. Scratch is allocated zeroed (``np.zeros``): memory ``np.empty`` hands
# back may hold the tag and parameters of a freed scratch whose table was since overwritten.
KEY = 4
TAG_COS_DOWN = -7.0e300
TAG_COS_UP = -7.1e300
TAG_EXP = -7.2e300
TAG_NONE = -7.3e300

# Compiled as functions of their own (called from blocks.piece and blocks.other_piece).
RUN_FUNCTIONS = (
    "half_period_bounds",
    "cosine_down_runs",
    "cosine_up_runs",
    "exp_runs",
    "tanh_runs",
    "poly_runs",
    "inv_sqrt_runs",
)


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
    by runs of ``L = min(COS_RUN, last - first + 1)`` steps anchored at their last step ``e``:
    ``sin(th_e + k d) = sin(th_e) cos(k d) + cos(th_e) sin(k d)``, ``d = pi c / (2 n)``,
    ``k d <= pi/2``, every term ``>= 0`` (no cancellation: a few ulp, and exactly 0 where
    ``th = 0``). Runs lie on a grid of the local index from ``first`` and end at ``last`` at
    the latest, so values do not depend on where a block starts. The table of ``cos(k d)``,
    ``sin(k d)`` is kept in ``g`` for the next piece with the same ``n, c, L`` (the next row of
    a sweep); the anchors' sines are computed first, a batch of runs in one loop that
    vectorises."""
    m = b.shape[0]
    ln_run = max(1, min(COS_RUN, last - first + 1))
    if not (g[0] == TAG_COS_DOWN and g[1] == n and g[2] == c and g[3] == float(ln_run)):
        for k in range(ln_run):
            y = ratio(c * float(k), n)
            g[KEY + ln_run - 1 - k] = sinhalfpi(1.0 - y)  # cos(k d), reversed
            g[KEY + COS_RUN + ln_run - 1 - k] = sinhalfpi(y)  # sin(k d), reversed
        g[0] = TAG_COS_DOWN
        g[1] = n
        g[2] = c
        g[3] = float(ln_run)
    at = KEY + 2 * COS_RUN
    half = (g.shape[0] - at) // 2
    s0 = scale * base
    s1 = scale * amp
    j = 0
    while j < m:
        # a batch of up to ``half`` runs: their anchors' sines first
        r0 = (i0 + j - first) // ln_run
        nrun = min(half, (i0 + m - 1 - first) // ln_run - r0 + 1)
        for r in range(nrun):
            xe = (float(min(first + (r0 + r) * ln_run + ln_run - 1, last)) - sub) - off
            g[at + r] = sinhalfpi(ratio(n - c * xe, n))
            g[at + half + r] = sinhalfpi(ratio(c * xe, n))
        for r in range(nrun):
            e = min(first + (r0 + r) * ln_run + ln_run - 1, last)
            ln = min(e + 1 - (i0 + j), m - j)
            t0 = KEY + ln_run - 1 - (e - (i0 + j))
            se = g[at + r]
            ce = g[at + half + r]
            for i in range(ln):
                v = se * g[unsigned(t0 + i)] + ce * g[unsigned(COS_RUN + t0 + i)]
                b[unsigned(j + i)] = max(s0 + s1 * (v * v), flo)
            j += ln
    # the half period's first step by the formula itself (the step farthest from its run's
    # anchor): sin(pi/2) is exactly 1 there, so a cosine rising from 0 starts at exactly 0
    if i0 <= first < i0 + m:
        v = sinhalfpi(ratio(n - c * ((float(first) - sub) - off), n))
        b[first - i0] = max(s0 + s1 * (v * v), flo)


def cosine_up_runs(b, g, i0, sub, off, n, first, last, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp sin^2(th_j)), flo)``, ``th_j = pi/2 x_j / n`` in
    ``[0, pi/2]``, by runs ``sin(th_a + k d) = sin(th_a) cos(k d) + cos(th_a) sin(k d)`` (every
    term ``>= 0``) anchored at their first step, on the grid of :func:`cosine_down_runs` (the
    table kept in ``g`` likewise, the anchors computed in batches)."""
    m = b.shape[0]
    ln_run = max(1, min(COS_RUN, last - first + 1))
    if not (g[0] == TAG_COS_UP and g[1] == n and g[3] == float(ln_run)):
        for k in range(ln_run):
            g[KEY + k] = sinhalfpi(ratio(n - float(k), n))  # cos(k d)
            g[KEY + COS_RUN + k] = sinhalfpi(ratio(float(k), n))  # sin(k d)
        g[0] = TAG_COS_UP
        g[1] = n
        g[2] = 0.0
        g[3] = float(ln_run)
    at = KEY + 2 * COS_RUN
    half = (g.shape[0] - at) // 2
    s0 = scale * base
    s1 = scale * amp
    j = 0
    while j < m:
        r0 = (i0 + j - first) // ln_run
        nrun = min(half, (i0 + m - 1 - first) // ln_run - r0 + 1)
        for r in range(nrun):
            xa = (float(first + (r0 + r) * ln_run) - sub) - off
            g[at + r] = sinhalfpi(ratio(xa, n))
            g[at + half + r] = sinhalfpi(ratio(n - xa, n))
        for r in range(nrun):
            a = first + (r0 + r) * ln_run
            k0 = i0 + j - a
            ln = min(ln_run - k0, m - j)
            sa = g[at + r]
            ca = g[at + half + r]
            t0 = KEY + k0
            for i in range(ln):
                v = sa * g[unsigned(t0 + i)] + ca * g[unsigned(COS_RUN + t0 + i)]
                b[unsigned(j + i)] = max(s0 + s1 * (v * v), flo)
            j += ln
    # the half period's last step by the formula itself (the farthest from its run's anchor)
    if i0 <= last < i0 + m:
        v = sinhalfpi(ratio((float(last) - sub) - off, n))
        b[last - i0] = max(s0 + s1 * (v * v), flo)


def exp_runs(b, g, i0, sub, off, n, rate, clip, has_clip, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp u_j), flo)``, ``u_j = rate^(x_j / n)`` clipped as
    :func:`~fastlr.kernels.formulas.exponential` clips it, by runs
    ``rate^(x_a / n) rate^(k / n)`` anchored on a grid of the local index (the table
    ``rate^(k / n)`` kept in ``g`` for the next piece with the same ``n, rate``, the anchors
    computed in batches). Needs ``|log rate| RUN <= 600 n`` (the table neither underflows nor
    overflows, so no ``0 * inf``)."""
    m = b.shape[0]
    lo = clip if has_clip != 0.0 and rate < 1.0 else -np.inf
    hi = clip if has_clip != 0.0 and rate >= 1.0 else np.inf
    if not (g[0] == TAG_EXP and g[1] == n and g[2] == rate):
        for k in range(RUN):
            g[KEY + k] = exp_plain(float(k), n, rate)
        g[0] = TAG_EXP
        g[1] = n
        g[2] = rate
        g[3] = 0.0
    at = KEY + RUN
    cap = g.shape[0] - at
    j = 0
    while j < m:
        a0 = (i0 + j) // RUN * RUN
        nrun = min(cap, (i0 + m - 1 - a0) // RUN + 1)
        for r in range(nrun):
            g[at + r] = exp_plain((float(a0 + r * RUN) - sub) - off, n, rate)
        for r in range(nrun):
            a = a0 + r * RUN
            k0 = i0 + j - a
            ln = min(RUN - k0, m - j)
            anchor = g[at + r]
            gk = KEY + k0
            for i in range(ln):
                u = min(max(anchor * g[unsigned(gk + i)], lo), hi)
                b[unsigned(j + i)] = max(scale * (base + amp * u), flo)
            j += ln


def tanh_runs(b, g, i0, sub, off, n, lower, upper, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp / (1 + G_j)), flo)``, ``G_j = exp(2 u_j)``,
    ``u = lower (1 - p) + upper p``: ``(1 - tanh u) / 2 = 1 / (1 + e^(2u))`` without the
    cancellation, ``G`` by runs ``G_a exp(2 (upper - lower) k / n)`` anchored on a grid of the
    local index. Needs ``|upper - lower| RUN <= 25 n`` (tables within ``e^(+-50)``)."""
    m = b.shape[0]
    g[0] = TAG_NONE
    for k in range(RUN):
        g[KEY + k] = expr(2.0 * (upper - lower) * ratio(float(k), n))
    j = 0
    while j < m:
        a = (i0 + j) // RUN * RUN
        k0 = i0 + j - a
        ln = min(RUN - k0, m - j)
        p = ratio((float(a) - sub) - off, n)
        ga = expr(2.0 * (lower * (1.0 - p) + upper * p))
        gk = KEY + k0
        for i in range(ln):
            b[unsigned(j + i)] = max(scale * (base + amp / (1.0 + ga * g[unsigned(gk + i)])), flo)
        j += ln


def poly_runs(b, g, i0, sub, off, n, q, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp (1 - x_j / n)^q), flo)`` for ``|q| <= 8``, by runs on a grid
    of the local index, each expanded about its middle step ``x_m`` (``RUN / 2`` after its first):
    where at least ``8 RUN`` steps remain after ``x_m``, a run is ``u^q sum_i binom(q, i) (-t)^i``,
    ``u = 1 - x_m / n``, ``t = k / (n - x_m)``, ``|t| <= 1/16`` for the step ``k`` of the run
    counted from its middle (``-RUN/2 <= k < RUN/2``), to degree 12 (truncation below 1e-16
    relative: every term at most ``16^-i`` of the first), or to degree 8 or 6 where the run's
    largest ``|t|`` makes the first term left out smaller than ``2^-56`` (far from the end: most
    of a long decay); nearer the end, the formula per element. The anchors' powers ``amp u^q``
    are computed first, up to ``len(g) - KEY`` of them in one loop that vectorises (one scalar
    power per run cost as much as the run's series)."""
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
    # degree 6 (8) suffices for a run whose largest |t| is at most t_deg6 (t_deg8): the first
    # term left out, |c7| t^7 (|c9| t^9), is at most 2^-56
    t_deg6 = (2.0**-56 / max(abs(c7), 1e-300)) ** (1.0 / 7.0)
    t_deg8 = (2.0**-56 / max(abs(c9), 1e-300)) ** (1.0 / 9.0)
    half = RUN // 2
    g[0] = TAG_NONE
    # g[KEY + i] = float(i - RUN/2): the steps of a run counted from its middle (a load is
    # cheaper than an int-to-float conversion per element)
    for i in range(RUN):
        g[KEY + i] = float(i - half)
    at = KEY + RUN
    cap = g.shape[0] - at
    j = 0
    while j < m:
        # a batch of up to ``cap`` runs: their anchors' powers first
        a0 = (i0 + j) // RUN * RUN
        nrun = min(cap, (i0 + m - 1 - a0) // RUN + 1)
        for r in range(nrun):
            g[at + r] = amp * poly_plain((float(a0 + r * RUN + half) - sub) - off, n, q)
        r = 0
        while r < nrun and j < m:
            a = a0 + r * RUN
            k0 = i0 + j - a
            ln = min(RUN - k0, m - j)
            xm = (float(a + half) - sub) - off
            gk = KEY + k0
            if n - xm >= 8.0 * RUN:
                w = 1.0 / (n - xm)
                tmax = float(half) * w
                # the series in t = k w times scale u_m^q, as a polynomial in k: coefficients
                # p_i = scale amp u_m^q c_i w^i, and scale base folded into the constant
                sm = scale * g[at + r]
                p0 = scale * (base + g[at + r])
                w2 = w * w
                w4 = w2 * w2
                p1 = sm * c1 * w
                p2 = sm * c2 * w2
                p3 = sm * c3 * (w2 * w)
                p4 = sm * c4 * w4
                p5 = sm * c5 * (w4 * w)
                p6 = sm * c6 * (w4 * w2)
                if tmax <= t_deg6:
                    for i in range(ln):
                        k = g[unsigned(gk + i)]
                        k2 = k * k
                        k4 = k2 * k2
                        v = ((p0 + p1 * k) + k2 * (p2 + p3 * k)) + k4 * ((p4 + p5 * k) + k2 * p6)
                        b[unsigned(j + i)] = max(v, flo)
                elif tmax <= t_deg8:
                    p7 = sm * c7 * (w4 * w2 * w)
                    p8 = sm * c8 * (w4 * w4)
                    for i in range(ln):
                        k = g[unsigned(gk + i)]
                        k2 = k * k
                        k4 = k2 * k2
                        v = ((p0 + p1 * k) + k2 * (p2 + p3 * k)) + k4 * ((p4 + p5 * k) + k2 * (p6 + p7 * k) + k4 * p8)
                        b[unsigned(j + i)] = max(v, flo)
                else:
                    um = g[at + r]
                    for i in range(ln):
                        t = g[unsigned(gk + i)] * w
                        t2 = t * t
                        t4 = t2 * t2
                        t8 = t4 * t4
                        v = (
                            ((1.0 + c1 * t) + t2 * (c2 + c3 * t))
                            + t4 * ((c4 + c5 * t) + t2 * (c6 + c7 * t))
                            + t8 * ((c8 + c9 * t) + t2 * (c10 + c11 * t) + t4 * c12)
                        )
                        b[unsigned(j + i)] = max(scale * (base + um * v), flo)
            else:
                for i in range(ln):
                    x = (float(a + k0 + i) - sub) - off
                    b[unsigned(j + i)] = max(scale * (base + amp * poly_plain(x, n, q)), flo)
            j += ln
            r += 1


def inv_sqrt_runs(b, g, i0, sub, off, n, base, amp, scale, flo):
    """``b[j] = max(scale (base + amp / sqrt(u_j)), flo)``, ``u_j = x_j / n``, by runs on the grid
    of :func:`poly_runs`, each from its middle step ``x_m``, ``y_m = rsqrt(u_m)`` and
    ``t = k / x_m`` for the step ``k`` counted from the middle: ``u^(-1/2) = y_m (1 + t)^(-1/2)``
    and ``(1 + t)^(-1/2) = 1 - t/2 + 3/8 t^2 - 5/16 t^3 + 35/128 t^4 - 63/256 t^5 + ...``.
    Where ``x_m >= 128 RUN`` (``|t| <= 1/256``) the series to degree 6 (truncation below
    ``3e-18``); where ``x_m >= 32 RUN`` (``|t| <= 1/64``) the series to degree 4 (``2.3e-10``)
    then one Newton step ``y (3/2 - u y^2 / 2)``; where ``x_m >= 8 RUN`` (``|t| <= 1/16``) to
    degree 3 (``4.2e-6``) then two (each squares the error: below 1e-19 either way); so each
    value is within a few ulp of ``rsqrt``'s. Nearer 0, the formula per element. Each run's
    series is a polynomial in ``k`` with its coefficients (``scale``, ``amp``, ``y_m``, powers of
    ``1 / x_m``) folded in. The anchors' ``y_m`` are computed first, up to ``len(g) - KEY - RUN``
    of them in one loop that vectorises."""
    m = b.shape[0]
    half = RUN // 2
    hn = 0.5 * (1.0 / n)
    s0 = scale * base
    s1 = scale * amp
    g[0] = TAG_NONE
    for i in range(RUN):
        g[KEY + i] = float(i - half)
    at = KEY + RUN
    cap = g.shape[0] - at
    j = 0
    while j < m:
        a0 = (i0 + j) // RUN * RUN
        nrun = min(cap, (i0 + m - 1 - a0) // RUN + 1)
        for r in range(nrun):
            g[at + r] = rsqrt(ratio((float(a0 + r * RUN + half) - sub) - off, n))
        r = 0
        while r < nrun and j < m:
            a = a0 + r * RUN
            k0 = i0 + j - a
            ln = min(RUN - k0, m - j)
            xm = (float(a + half) - sub) - off
            gk = KEY + k0
            w = 1.0 / xm
            ym = g[at + r]
            w2 = w * w
            if xm >= 128.0 * RUN:
                sy = s1 * ym
                p0 = scale * (base + amp * ym)
                p1 = sy * -0.5 * w
                p2 = sy * 0.375 * w2
                p3 = sy * -0.3125 * (w2 * w)
                p4 = sy * 0.2734375 * (w2 * w2)
                p5 = sy * -0.24609375 * (w2 * w2 * w)
                p6 = sy * 0.2255859375 * (w2 * w2 * w2)
                for i in range(ln):
                    k = g[unsigned(gk + i)]
                    k2 = k * k
                    k4 = k2 * k2
                    b[unsigned(j + i)] = max(((p0 + p1 * k) + k2 * (p2 + p3 * k)) + k4 * ((p4 + p5 * k) + k2 * p6), flo)
            elif xm >= 8.0 * RUN:
                h0 = xm * hn
                q1 = ym * -0.5 * w
                q2 = ym * 0.375 * w2
                q3 = ym * -0.3125 * (w2 * w)
                if xm >= 32.0 * RUN:
                    q4 = ym * 0.2734375 * (w2 * w2)
                    for i in range(ln):
                        k = g[unsigned(gk + i)]
                        k2 = k * k
                        y = (ym + q1 * k) + k2 * ((q2 + q3 * k) + k2 * q4)
                        h = h0 + hn * k
                        y = y * (1.5 - h * (y * y))
                        b[unsigned(j + i)] = max(s0 + s1 * y, flo)
                else:
                    for i in range(ln):
                        k = g[unsigned(gk + i)]
                        y = (ym + q1 * k) + (k * k) * (q2 + q3 * k)
                        h = h0 + hn * k
                        y = y * (1.5 - h * (y * y))
                        y = y * (1.5 - h * (y * y))
                        b[unsigned(j + i)] = max(s0 + s1 * y, flo)
            else:
                for i in range(ln):
                    x = (float(a + k0 + i) - sub) - off
                    b[unsigned(j + i)] = max(scale * (base + amp * rsqrt(ratio(x, n))), flo)
            j += ln
            r += 1
