"""The formula source run by the Python interpreter: small tables without a compile.

Both CPU builds compute every value with operations the interpreter can repeat exactly:

- the exact build (:mod:`fastlr.kernels.cpu`, libm primitives, no fast-math) computes each
  element with exactly the floating-point operations of the scalar
  :func:`~fastlr.kernels.formulas.value`; the same plain-Python function, run here, calls the
  same libm functions in the same order;
- the fast build (anchored runs, the polynomial primitives of :mod:`fastlr.kernels.fastmath`)
  is compiled without fast-math flags, so no operation is fused or reordered: its whole
  evaluator (:func:`~fastlr.kernels.retarget.compile_cpu`: runs, pieces, row drivers), run here
  with the primitives as plain Python, writes the same float64 or float32 values.

So both give the kernels' values bit for bit, without the seconds the first compile of a kernel
takes (``tests/test_interp.py`` checks every shape and composition against both compiled builds,
tables in float32 and float64 and summaries). :mod:`fastlr.evaluate` uses it for tables, sweeps,
summaries and points of at most :data:`MAX_VALUES` values, until the process has spent
:data:`BUDGET_S` seconds here or the compiled kernel of the program's variant is already in use;
everything else goes to the kernels.

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
interpreter, about 6 µs per exact value and 1–1.5 µs per fast one for a warmup + cosine.

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
>>> out32 = np.empty((1, 11), dtype=np.float32)  # the fast build, row 0 at steps 0 .. 10
>>> interp.fill_rows(prog.arrays(), range(1), 0, out32, exact=False)
True
>>> out32[0, [0, 5, 10]].tolist()
[0.0, 1.0, 0.5]
"""

from __future__ import annotations

import functools
import math
import time
from typing import Any

import numpy as np

from fastlr.kernels import fastmath, formulas, layout
from fastlr.kernels.retarget import as_python, compile_cpu, compile_functions

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
def _functions(exact: bool = True) -> dict[str, Any]:
    """Plain-Python copies of the formula source with every feature switch on: the exact build's
    scalar formulas, or the fast build's whole CPU evaluator (anchored runs, pieces, row drivers)
    with the fast primitives as plain Python (:func:`fastlr.kernels.fastmath.python_primitives`)."""
    switches = layout.switches(layout.ALL_FEATURES)
    if exact:
        return compile_functions(formulas, formulas.KERNEL_FUNCTIONS, as_python, switches, {"powr": powr, "expr": expr})
    switches["ANCHORED_RUNS"] = True
    prims = fastmath.python_primitives()
    return compile_cpu(as_python, as_python, as_python, switches, prims, aliases=formulas.WELL_CONDITIONED)


def worth(n_values: int) -> bool:
    """Whether to evaluate ``n_values`` values of a program here rather than compile a kernel."""
    return 0 < n_values <= MAX_VALUES and _spent < BUDGET_S


def _run(call: Any, *args: Any) -> bool:
    """``call(*args)`` timed against the budget; False where Python raised (the kernel then
    computes the values)."""
    global _spent
    started = time.perf_counter()
    try:
        with np.errstate(all="ignore"):
            call(*args)
    except (ArithmeticError, ValueError, TypeError):  # TypeError: a complex power of a negative base
        return False
    finally:
        _spent += time.perf_counter() - started
    return True


def _points(value: Any, arrays: tuple[np.ndarray, ...], rows: Any, steps: Any, out: np.ndarray) -> None:
    ci, cf, si, sf = arrays
    for j, (c, t) in enumerate(zip(rows, steps)):
        out[j] = value(ci, cf, si, sf, c, t)


def fill(arrays: tuple[np.ndarray, ...], rows: Any, steps: Any, out: np.ndarray) -> bool:
    """Exact values ``out[j] = value(rows[j], steps[j])`` (``out`` flat, any float dtype,
    rounded once); False, with ``out`` partly written, where Python raised (the kernel then
    fills it)."""
    return _run(_points, _functions()["value"], arrays, rows, steps, out)


def fill_rows(arrays: tuple[np.ndarray, ...], rows: range, t0: int, out: np.ndarray, exact: bool = True) -> bool:
    """``out[r, k] = value(rows[r], t0 + k)`` for a ``(len(rows), T)`` ``out`` (a C-contiguous
    one for ``exact``), by the exact or the fast build: the values its kernel's ``fill_rows``
    writes."""
    if not exact:
        return _run(_functions(False)["fill_rows"], *arrays, np.asarray(rows, dtype=np.int64), t0, out)
    T = out.shape[1]
    flat = out.reshape(-1)
    steps = range(t0, t0 + T)
    return all(fill(arrays, [r] * T, steps, flat[i * T : (i + 1) * T]) for i, r in enumerate(rows))


def summarize_rows(
    arrays: tuple[np.ndarray, ...],
    rows: np.ndarray,
    t0: int,
    n_steps: int,
    threshold: float,
    sum0: np.ndarray,
    fsum: np.ndarray,
    isum: np.ndarray,
) -> bool:
    """The fast build's ``summarize_rows`` (:mod:`fastlr.kernels.drivers`), same arguments and
    values."""
    return _run(_functions(False)["summarize_rows"], *arrays, rows, t0, n_steps, threshold, sum0, fsum, isum)
