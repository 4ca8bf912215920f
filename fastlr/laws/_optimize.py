"""Schedule optimisation: minimise a law's predicted final loss over non-increasing schedules."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr.laws._laws import AnnealingLaw, Law, MultiPowerLaw, lr_table
from fastlr.laws._lbfgs import minimize

__all__ = ["Optimized", "optimize"]


@dataclasses.dataclass(frozen=True)
class Optimized:
    """An optimised schedule: the per-step ``lr`` table, its predicted ``final_loss``, the run."""

    lr: np.ndarray
    final_loss: float
    seconds: float
    iterations: int
    evaluations: int
    converged: bool
    message: str


def optimize(
    law: Law,
    T: int,
    peak: float,
    warmup: Any = 0,
    *,
    init: Any = None,
    min_ratio: float = 1e-4,
    maxiter: int = 3000,
) -> Optimized:
    r"""The schedule minimising ``law``'s predicted final loss ``L(T-1)``.

    The schedule is the warmup, then ``T - W`` steps non-increasing from at most ``peak``:
    ``lr[W + i] = peak * max(exp(rho_0 + ... + rho_i), min_ratio)`` with every ``rho_j <= 0``,
    so every candidate is non-increasing and within ``[min_ratio * peak, peak]``. The final loss
    and its gradient in ``lr`` are exact and O(T) (suffix sums,
    :meth:`MultiPowerLaw.final_loss_grad`); the gradient in ``rho`` is a suffix sum of it; a
    projected L-BFGS (:mod:`fastlr.laws._lbfgs`, the bound ``rho <= 0``) minimises.

    Parameters
    ----------
    law : MultiPowerLaw or AnnealingLaw
    T : int
        Steps of the run.
    peak : float
        The largest lr after the warmup (> 0).
    warmup : int or array
        An int W: the paper's warmup ``numpy.linspace(0, peak, W)`` (step W-1 reaches the peak);
        or the warmup's own per-step table.
    init : array, optional
        A starting post-warmup table (non-increasing, in ``(0, peak]``); default: constant
        ``peak`` for 80% of the steps, then a linear decay to ``peak / 10``.
    min_ratio : float
        The smallest lr is ``min_ratio * peak`` (each ``rho_j >= log(min_ratio)``), in (0, 1).
    maxiter : int
        L-BFGS iterations.

    Returns
    -------
    Optimized
        ``lr`` (the whole table, warmup included), ``final_loss`` and the run's time and status.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlr.laws import MultiPowerLaw, optimize
    >>> law = MultiPowerLaw(3.04045406, 0.52468604, 0.50786857, 363.78751622, 2.06560812, 0.58279013, 0.64142257)
    >>> res = optimize(law, 1000, 3e-4, 100, maxiter=200)
    >>> constant = np.concatenate([np.linspace(0, 3e-4, 100), np.full(900, 3e-4)])
    >>> bool((np.diff(res.lr[100:]) <= 0).all() and res.final_loss < law.final_loss(constant))
    True
    """
    if not isinstance(law, (MultiPowerLaw, AnnealingLaw)):
        raise TypeError(f"law must be a MultiPowerLaw or an AnnealingLaw, got {type(law).__name__}")
    started = time.perf_counter()
    T = ck.check_T(T)
    peak = ck.real("peak", peak, lo=0.0, lo_open=True)
    min_ratio = ck.real("min_ratio", min_ratio, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    maxiter = ck.integer("maxiter", maxiter, lo=1)
    if isinstance(warmup, (int, np.integer)) and not isinstance(warmup, bool):
        W = ck.integer("warmup", warmup, lo=0, hi=T - 1)
        head = np.linspace(0.0, peak, W)
    else:
        head = lr_table(warmup, name="warmup")
        if head.size >= T:
            raise ValueError(f"warmup has {head.size} steps, which leaves none of T = {T} to optimise")
        W = head.size
    n = T - W
    if init is None:
        k = int(0.8 * n)
        start = np.concatenate([np.full(k, peak), np.linspace(peak, peak / 10, n - k + 1)[1:]])
    else:
        start = lr_table(init, name="init")
        if start.size != n:
            raise ValueError(f"init must have T - warmup = {n} entries, got {start.size}")
        if (np.diff(start) > 0).any() or start[0] > peak or start[-1] < peak * min_ratio:
            raise ValueError(f"init must be non-increasing within [{peak * min_ratio:g}, {peak:g}]")
    rho0 = np.diff(np.log(start / peak), prepend=0.0)
    lo = float(np.log(min_ratio))
    table = np.empty(T)
    table[:W] = head

    def value(rho: np.ndarray) -> tuple[float, np.ndarray]:
        c = np.cumsum(rho)
        tail = peak * np.exp(np.maximum(c, lo))
        table[W:] = tail
        f, g = law.final_loss_grad(table)  # type: ignore[attr-defined]
        gc = np.where(c > lo, g[W:] * tail, 0.0)
        return f, np.cumsum(gc[::-1])[::-1]

    res = minimize(value, rho0, maxiter=maxiter, upper=np.zeros(n))
    f, _ = value(res.x)
    return Optimized(
        lr=table.copy(),
        final_loss=float(f),
        seconds=time.perf_counter() - started,
        iterations=int(res.nit),
        evaluations=res.nfev,
        converged=bool(res.success),
        message=str(res.message),
    )
