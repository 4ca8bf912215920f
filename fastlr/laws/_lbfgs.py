"""A small unconstrained L-BFGS minimiser (two-loop recursion, backtracking Armijo line search).

Self-contained (NumPy only): the fits have a handful of parameters and the schedule optimiser
tens of thousands, where each iteration here costs O(n m) array operations (m = ``memory``).
Reference: Nocedal & Wright, *Numerical Optimization* (2006), algorithms 7.4 and 3.1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

__all__ = ["Result", "minimize"]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a . b`` without BLAS (a threaded BLAS call can cost milliseconds on a busy machine)."""
    return float(np.einsum("i,i->", a, b))


def _project(x: np.ndarray, lower: np.ndarray | None, upper: np.ndarray | None) -> np.ndarray:
    if upper is not None:
        x = np.minimum(x, upper)
    if lower is not None:
        x = np.maximum(x, lower)
    return x


@dataclasses.dataclass(frozen=True)
class Result:
    """The minimiser's outcome: ``x``, ``fun``, iterations, evaluations, ``success``, ``message``."""

    x: np.ndarray
    fun: float
    nit: int
    nfev: int
    success: bool
    message: str


def minimize(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    *,
    maxiter: int = 1000,
    memory: int = 10,
    ftol: float = 1e-13,
    gtol: float = 1e-12,
    patience: int = 5,
    upper: np.ndarray | None = None,
    lower: np.ndarray | None = None,
) -> Result:
    """Minimise ``fun`` (returning value and gradient) from ``x0``.

    Stops when the largest gradient entry is below ``gtol`` or when ``patience`` iterations in
    a row reduce the value by less than ``ftol * max(1, |f|)`` (``success``), or when the line
    search finds no decrease, after ``maxiter`` iterations, or at a non-finite start (not).

    ``upper`` and ``lower`` bound ``x`` (projected L-BFGS: the coordinates held at a bound by
    the gradient are left out of the step, and the start and each trial point are projected).
    """
    x = _project(np.array(x0, dtype=np.float64), lower, upper)
    f, g = fun(x)
    nfev = 1
    if not np.isfinite(f):
        return Result(x, float(f), 0, nfev, False, "the starting point has a non-finite value")
    S: list[np.ndarray] = []
    Y: list[np.ndarray] = []
    slow = 0
    for it in range(1, maxiter + 1):
        free = np.ones(x.shape, dtype=bool)
        if upper is not None:
            free &= ~((x >= upper) & (g < 0))
        if lower is not None:
            free &= ~((x <= lower) & (g > 0))
        pg = np.where(free, g, 0.0)
        if float(np.max(np.abs(pg))) <= gtol:
            return Result(x, f, it - 1, nfev, True, "gradient below gtol")
        # two-loop recursion: d = -H g (on the free coordinates)
        q = pg.copy()
        alphas = []
        for s, y in zip(reversed(S), reversed(Y)):
            a = _dot(s, q) / _dot(y, s)
            alphas.append(a)
            q -= a * y
        if S:
            q *= _dot(S[-1], Y[-1]) / _dot(Y[-1], Y[-1])
        else:
            q *= 1.0 / max(_dot(g, g) ** 0.5, 1e-300)
        for (s, y), a in zip(zip(S, Y), reversed(alphas)):
            b = _dot(y, q) / _dot(y, s)
            q += (a - b) * s
        d = np.where(free, -q, 0.0)
        slope = _dot(g, d)
        if slope >= 0:  # not a descent direction: restart from the gradient
            S.clear()
            Y.clear()
            d = -pg / max(_dot(pg, pg) ** 0.5, 1e-300)
            slope = _dot(g, d)
        step = 1.0
        for _ in range(60):
            xn = _project(x + step * d, lower, upper)
            fn, gn = fun(xn)
            nfev += 1
            if np.isfinite(fn) and fn <= f + 1e-4 * _dot(g, xn - x):
                break
            step *= 0.5
        else:
            return Result(x, f, it, nfev, False, "line search found no decrease")
        s_, y_ = xn - x, gn - g
        if _dot(s_, y_) > 1e-300:
            S.append(s_)
            Y.append(y_)
            if len(S) > memory:
                S.pop(0)
                Y.pop(0)
        slow = slow + 1 if f - fn < ftol * max(1.0, abs(f)) else 0
        x, f, g = xn, fn, gn
        if slow >= patience:
            return Result(x, f, it, nfev, True, "relative decrease below ftol")
    return Result(x, f, maxiter, nfev, False, "iteration limit reached")
