"""The formula source run by the Python interpreter: small exact tables without a compile.

The exact CPU build (:mod:`fastlr.kernels.cpu`, libm primitives, no fast-math) computes every
element with exactly the floating-point operations of the scalar
:func:`~fastlr.kernels.formulas.value`. The same plain-Python function, run by the interpreter,
calls the same libm functions in the same order, so it gives the same values bit for bit, without
the seconds the first compile of a kernel takes (``tests/test_interp.py`` checks every shape and
composition against the compiled kernel). :mod:`fastlr.evaluate` uses it for exact (float64)
tables, sweeps and points of at most :data:`MAX_VALUES` values, until the process has spent
:data:`BUDGET_S` seconds here or the compiled exact kernel of the program's variant is already in
use; everything else goes to the kernels.

Two places where the interpreter and Numba's code differ are handled here:

- Numba raises a float to an *integer* power by repeated squaring, Python by ``pow()``; the
  copy of :func:`~fastlr.kernels.formulas.powr` bound here does what Numba does (an exponential
  staircase reaches ``powr`` with an integer exponent). Restart cycles raise their decay and
  growth factors to ``float(i)``: ``pow()`` on both sides.
- Python raises on an overflow, a division by zero or a math domain error where the kernel
  gives an IEEE infinity or NaN: the copies of ``powr`` and ``expr`` here return libm's
  infinity; any other such error makes the call return False, and the kernel computes the
  values instead.

Imports nothing heavy (no Numba): the first table of a schedule costs the import and the
interpreter, about 6 µs per value for a warmup + cosine.

Examples
--------
>>> import numpy as np
>>> import fastlr as fl
>>> from fastlr.kernels import interp
>>> prog = fl.lower([fl.Schedule(fl.Cosine(1.0, 0.0, 10), warmup=fl.Warmup(5))])
>>> out = np.empty(3)
>>> interp.fill(prog.arrays(), [0, 0, 0], [0, 5, 10], out)  # row 0 at steps 0, 5, 10
True
>>> out.tolist()
[0.0, 1.0, 0.5]
"""

from __future__ import annotations

import functools
import math
import time
from typing import Any

import numpy as np

from fastlr.kernels import formulas, layout
from fastlr.kernels.retarget import compile_functions

#: The most values one call evaluates here (about 0.2 s for a warmup + cosine).
MAX_VALUES = 1 << 15
#: Interpreter time a process may spend here before the compiled kernels take over.
BUDGET_S = 1.0
_spent = 0.0


def _int_power(a: float, b: int) -> float:
    """``a ** b`` for an integer ``b`` as Numba compiles it: repeated squaring (``pow`` above
    2^16)."""
    exp = -b if b < 0 else b
    if exp > 0x10000:
        return math.pow(a, float(b))
    r = 1.0
    while exp != 0:
        if exp & 1:
            r *= a
        exp >>= 1
        a *= a
    return 1.0 / r if b < 0 else r


def powr(x: Any, y: Any) -> Any:
    """:func:`fastlr.kernels.formulas.powr` (``x >= 0``) as compiled: Numba's integer powers,
    and libm's infinity where Python raises on an overflow or a zero to a negative power."""
    if isinstance(y, (int, np.integer)):
        return _int_power(x, int(y))
    try:
        return x**y
    except (OverflowError, ZeroDivisionError):
        return math.inf


def expr(x: Any) -> Any:
    """:func:`fastlr.kernels.formulas.expr` with libm's infinity on an overflow."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


@functools.cache
def _functions() -> dict[str, Any]:
    """Plain-Python copies of the formula source with every feature switch on."""
    switches = layout.switches(layout.ALL_FEATURES)
    return compile_functions(formulas, formulas.KERNEL_FUNCTIONS, lambda f: f, switches, {"powr": powr, "expr": expr})


def worth(n_values: int) -> bool:
    """Whether to evaluate ``n_values`` values of a program here rather than compile a kernel."""
    return 0 < n_values <= MAX_VALUES and _spent < BUDGET_S


def fill(arrays: tuple[np.ndarray, ...], rows: Any, steps: Any, out: np.ndarray) -> bool:
    """``out[j] = value(rows[j], steps[j])`` (``out`` flat, any float dtype, rounded once);
    False, with ``out`` partly written, where Python raised (the kernel then fills it)."""
    global _spent
    value = _functions()["value"]
    ci, cf, si, sf = arrays
    started = time.perf_counter()
    try:
        with np.errstate(all="ignore"):
            for j, (c, t) in enumerate(zip(rows, steps)):
                out[j] = value(ci, cf, si, sf, c, t)
    except (ArithmeticError, ValueError, TypeError):  # TypeError: a complex power of a negative base
        return False
    finally:
        _spent += time.perf_counter() - started
    return True


def fill_rows(arrays: tuple[np.ndarray, ...], rows: range, t0: int, out: np.ndarray) -> bool:
    """``out[r, k] = value(rows[r], t0 + k)`` for a C-contiguous ``(len(rows), T)`` ``out``."""
    T = out.shape[1]
    flat = out.reshape(-1)
    steps = range(t0, t0 + T)
    return all(fill(arrays, [r] * T, steps, flat[i * T : (i + 1) * T]) for i, r in enumerate(rows))
