"""Vectorisable replacements for the formula primitives (CPU only).

Current Numba has no vector math library: a loop calling ``math.cos`` or ``x ** y`` stays
scalar (~2e8 values/s). These functions compute the same values with polynomials, selects and
bit manipulation, all of which LLVM vectorises, in float64:

``ratio(x, n)``
    ``x * (1/n)``, the reciprocal hoisted out of the loop (divisions do not pipeline).
``cospi(y)``
    exact reduction of ``y`` modulo 2 (no ``pi`` in the argument), then a degree-22 even
    polynomial for ``cos(pi r)`` on ``|r| <= 1/2`` (Taylor, truncation < 1e-19).
``sinhalfpi(z)``
    ``sin(pi z / 2)`` on ``0 <= z <= 1`` (no reduction): the degree-21 odd Taylor polynomial,
    truncation ``(pi/2)^23 / 23! < 2e-18`` relative (``sinhalfpi(1) == 1`` exactly: a cosine
    rising from 0 starts at exactly 0). The fast builds write the cosine decay as
    ``sin^2(pi/2 (n - x)/n)``, which has no cancellation near the end of the decay.
``expr(x)``
    ``2^k exp(r)``, ``k = round(x / ln 2)``, Cody-Waite reduction, degree-14 Taylor on
    ``|r| <= ln2 / 2``, ``2^k`` built from the exponent bits; 0 below ``exp(-708)``.
``powr(x, y)``
    ``exp(y log x)`` with ``log`` from the exponent bits and an ``atanh`` series; ``0^y = 0``.
``tanhr(x)``
    ``sign(x) (1 - 2 / (exp(2|x|) + 1))``.
``rsqrt(x)``
    ``1 / sqrt(x)`` without a square root or a division (both are slow even vectorised): the
    exponent-halving bit trick (relative error <= 3.5e-2), then four Newton steps
    ``y (3/2 - x y^2 / 2)`` (each squares the error: 1.8e-3, 4.6e-6, 3.2e-11, 1.5e-21), so the
    result is within 3 ulp (4.5e-16 relative) of ``1.0 / math.sqrt(x)`` for normal ``x > 0``
    (the formulas' arguments: ``x / n`` with both positive); below that, ``x`` counts as the
    smallest normal number (a clamp: special-casing 0 and subnormals cost 60 % more time).

Accuracy against libm, measured in ``tests/test_fastmath.py``: ``cospi``/``expr`` within a few
ulp; ``powr`` within ~1e-15 relative while ``|y log x| < 1`` and ~``|y log x|`` ulp beyond;
``tanhr`` within 1e-16 absolute; ``rsqrt`` within 3 ulp. Everywhere the schedule formulas use them, tables stay within
1e-14 of the libm tables relative to the schedule's peak.
"""

from __future__ import annotations

import math
import operator
import struct
from typing import Any

import numpy as np

LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e00
RSQRT_MAGIC = 0x5FE6EB50C7B537A9  # exponent-halving first guess of 1/sqrt (Lomont)
TINY = 2.2250738585072014e-308  # smallest normal float64
SQRT2 = 1.4142135623730951
MANT_MASK = (1 << 52) - 1
EXP_ONE = 1023 << 52

# cos(pi r) = sum_k C[k] r^(2k)
C0 = 1.0
C1 = -4.934802200544679
C2 = 4.0587121264167685
C3 = -1.3352627688545895
C4 = 0.2353306303588932
C5 = -0.02580689139001406
C6 = 0.0019295743094039231
C7 = -0.0001046381049248457
C8 = 4.303069587032947e-06
C9 = -1.3878952462213771e-07
C10 = 3.604730797462501e-09
C11 = -7.700707130601354e-11

# sin(pi z / 2) = z sum_k S[k] z^(2k), S[k] = (-1)^k (pi/2)^(2k+1) / (2k+1)!
S0, S1, S2, S3, S4, S5, S6, S7, S8, S9, S10 = (
    (-1) ** k * (math.pi / 2) ** (2 * k + 1) / math.factorial(2 * k + 1) for k in range(11)
)

# exp(r) = sum r^k / k!
E2 = 1.0 / 2.0
E3 = 1.0 / 6.0
E4 = 1.0 / 24.0
E5 = 1.0 / 120.0
E6 = 1.0 / 720.0
E7 = 1.0 / 5040.0
E8 = 1.0 / 40320.0
E9 = 1.0 / 362880.0
E10 = 1.0 / 3628800.0
E11 = 1.0 / 39916800.0
E12 = 1.0 / 479001600.0
E13 = 1.0 / 6227020800.0
E14 = 1.0 / 87178291200.0

# inlined into their callers at Numba IR level (small, and in the common kernels)
INLINE_FUNCTIONS = ("fast_ratio", "fast_cospi_poly", "fast_cospi", "fast_sinhalfpi", "fast_rsqrt")
# compiled once each and inlined by LLVM (alwaysinline): inlining these larger bodies at every
# call site in Numba IR multiplied the compile time of the kernels that use powers and exponentials
CALLED_FUNCTIONS = ("fast_exp", "fast_log", "fast_pow", "fast_tanh")
FUNCTIONS = INLINE_FUNCTIONS + CALLED_FUNCTIONS
#: The formula primitive (the name :mod:`fastlr.kernels.formulas` calls) each function replaces.
PRIMITIVES = {
    "ratio": "fast_ratio",
    "cospi": "fast_cospi",
    "sinhalfpi": "fast_sinhalfpi",
    "powr": "fast_pow",
    "expr": "fast_exp",
    "tanhr": "fast_tanh",
    "rsqrt": "fast_rsqrt",
}


def i64_as_f64(i):
    """The float64 whose bits are the int64 ``i`` (plain Python; compiled as an LLVM bitcast)."""
    return struct.unpack("<d", struct.pack("<q", i))[0]


def f64_as_i64(x):
    """The int64 holding the bits of float64 ``x`` (plain Python; compiled as an LLVM bitcast)."""
    return struct.unpack("<q", struct.pack("<d", x))[0]


def fast_ratio(x, n):
    """``x * (1 / n)``: the reciprocal is hoisted out of loops (within 1 ulp of ``x / n``)."""
    return x * (1.0 / n)


def fast_cospi_poly(r):
    """``cos(pi r)`` for ``0 <= r <= 1/2``."""
    z = r * r
    # Estrin's scheme: a short dependency chain
    z2 = z * z
    z4 = z2 * z2
    z8 = z4 * z4
    return (
        (C0 + C1 * z)
        + z2 * (C2 + C3 * z)
        + z4 * ((C4 + C5 * z) + z2 * (C6 + C7 * z))
        + z8 * ((C8 + C9 * z) + z2 * (C10 + C11 * z))
    )


def fast_cospi(y):
    """``cos(pi y)``: exact reduction modulo 2, then symmetry into ``[0, 1/2]``."""
    a = abs(y)
    a = a - 2.0 * np.floor(a * 0.5)
    a = min(a, 2.0 - a)
    c = fast_cospi_poly(min(a, 1.0 - a))
    return -c if a > 0.5 else c


def fast_sinhalfpi(z):
    """``sin(pi z / 2)`` for ``0 <= z <= 1``."""
    u = z * z
    u2 = u * u
    u4 = u2 * u2
    u8 = u4 * u4
    return z * (
        ((S0 + S1 * u) + u2 * (S2 + S3 * u))
        + u4 * ((S4 + S5 * u) + u2 * (S6 + S7 * u))
        + u8 * ((S8 + S9 * u) + u2 * S10)
    )


def fast_rsqrt(x):
    """``1 / sqrt(x)`` for ``x >= TINY`` (within 3 ulp); smaller ``x`` counts as ``TINY``."""
    xs = max(x, TINY)  # a clamp, not a branch: selects for the special cases cost 60 %
    y = i64_as_f64(RSQRT_MAGIC - (f64_as_i64(xs) >> 1))
    h = 0.5 * xs
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    return y * (1.5 - h * y * y)


def fast_exp(x):
    """``exp(x)``; 0 below ``exp(-708)``."""
    xc = min(max(x, -708.0), 709.0)
    k = np.floor(xc * INV_LN2 + 0.5)
    r = (xc - k * LN2_HI) - k * LN2_LO
    r2 = r * r
    r4 = r2 * r2
    r8 = r4 * r4
    p = (
        (1.0 + r)
        + r2 * (E2 + E3 * r)
        + r4 * ((E4 + E5 * r) + r2 * (E6 + E7 * r))
        + r8 * ((E8 + E9 * r) + r2 * (E10 + E11 * r) + r4 * ((E12 + E13 * r) + r2 * E14))
    )
    scale = i64_as_f64((int(k) + 1023) << 52)
    v = p * scale
    return 0.0 if x < -708.0 else v


def fast_log(x):
    """``log(x)`` for normal ``x > 0``."""
    bits = f64_as_i64(x)
    e = (bits >> 52) - 1023
    m = i64_as_f64((bits & MANT_MASK) | EXP_ONE)
    big = m > SQRT2
    m = m * 0.5 if big else m
    e = e + 1 if big else e
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    series = 1.0 / 21.0
    series = series * z + 1.0 / 19.0
    series = series * z + 1.0 / 17.0
    series = series * z + 1.0 / 15.0
    series = series * z + 1.0 / 13.0
    series = series * z + 1.0 / 11.0
    series = series * z + 1.0 / 9.0
    series = series * z + 1.0 / 7.0
    series = series * z + 1.0 / 5.0
    series = series * z + 1.0 / 3.0
    series = series * z + 1.0
    fe = float(e)
    return fe * LN2_HI + (fe * LN2_LO + 2.0 * s * series)


def fast_pow(x, y):
    """``x ** y`` for ``x >= 0`` (``0 ** y = 0`` for ``y > 0``)."""
    v = fast_exp(y * fast_log(max(x, 1e-300)))
    return 0.0 if x == 0.0 else v


def fast_tanh(x):
    """``tanh(x)``."""
    e = fast_exp(2.0 * abs(x))
    t = 1.0 - 2.0 / (e + 1.0)
    return -t if x < 0.0 else t


def _bitcasts() -> tuple[Any, Any]:
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def i64_as_f64(typingctx: Any, x: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.bitcast(args[0], ir.DoubleType())

        return types.float64(types.int64), codegen

    @intrinsic
    def f64_as_i64(typingctx: Any, x: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.bitcast(args[0], ir.IntType(64))

        return types.int64(types.float64), codegen

    return i64_as_f64, f64_as_i64


def _unsigned() -> Any:
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def unsigned(typingctx: Any, i: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return args[0]  # the same 64 bits, typed unsigned

        return types.uint64(types.int64), codegen

    return unsigned


def cpu_primitives() -> dict[str, Any]:
    """Compiled fast functions under the primitive names ``cospi``, ``powr``, ``expr``, ``tanhr``,
    ``rsqrt`` (and ``ratio``, ``sinhalfpi``), and ``unsigned`` typed ``uint64``."""
    import sys

    import numba

    from fastlr.kernels.retarget import compile_functions

    i64_as_f64, f64_as_i64 = _bitcasts()
    ns: dict[str, Any] = {"i64_as_f64": i64_as_f64, "f64_as_i64": f64_as_i64}
    module = sys.modules[__name__]
    opts: dict[str, Any] = {"error_model": "numpy", "no_cpython_wrapper": True, "no_cfunc_wrapper": True}
    opts["forceinline"] = True  # LLVM's alwaysinline: inlined into the vectorised loops
    fns = compile_functions(
        module, INLINE_FUNCTIONS, numba.njit(inline="always", error_model="numpy"), ns, tag="fastmath."
    )
    fns.update(compile_functions(module, CALLED_FUNCTIONS, numba.njit(cache=True, **opts), ns, tag="fastmath."))
    out = {name: fns[fn] for name, fn in PRIMITIVES.items()}
    out["unsigned"] = _unsigned()  # formulas.unsigned, typed uint64 (its Python form is the identity)
    return out


def python_primitives() -> dict[str, Any]:
    """The same functions as plain Python, under the primitive names (the interpreter's fast
    build, :mod:`fastlr.kernels.interp`): the same operations in the same order, so the same
    values bit for bit (the bit casts through :mod:`struct`); ``unsigned`` is the identity
    (``operator.index``: a C call, which the runs' loops make twice a value)."""
    out = {name: globals()[fn] for name, fn in PRIMITIVES.items()}
    out["unsigned"] = operator.index
    return out
