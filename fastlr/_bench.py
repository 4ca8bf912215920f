"""The benchmark workload and the baselines fastlr is timed against, in one place.

``fastlr bench`` (a small run with a ratio table) and ``benchmarks/report.py`` (the headline
report, ``benchmarks/RESULTS.md``) both build the workload with :func:`workload`, time with
:func:`median_time`, and run the methods of :data:`COMPARISONS`; each prints its own table.
The registry follows numbagg's benchmark ``COMPARISONS``: a name maps to a *setup* that takes
the workload's columns and an output array and returns the zero-argument call to time.

The workload is N configs of a linear warmup from 0 (``warmup`` steps) followed by a cosine over
``steps`` steps from ``lr`` down to ``lr * end_ratio``, never below the config's ``floor``. Every
method computes exactly that schedule for the first ``out.shape[0]`` configs and steps
``0 .. out.shape[1] - 1`` into ``out`` (except ``"floor"``, which only fills it).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import fastlr

Columns = Mapping[str, np.ndarray]
Setup = Callable[[Columns, np.ndarray], Callable[[], Any]]

__all__ = ["COMPARISONS", "median_time", "workload"]


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``repeats`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def workload(n: int, t: int, seed: int = 0, max_warmup: int = 2000) -> dict[str, np.ndarray]:
    """Flat-config columns of the headline workload: ``n`` configs over ``t`` steps.

    Parameters
    ----------
    n, t : int
        Configs, and the cosine's length in steps.
    seed : int
        Seed of the random columns.
    max_warmup : int
        Warmups are drawn from ``0 .. max_warmup``.

    Returns
    -------
    dict
        ``lr`` uniform in [1e-4, 1e-3), ``warmup`` in ``0 .. max_warmup``, ``floor`` uniform in
        [0, 1e-6), ``steps = t`` and ``end_ratio = 0.01``; one value per config.
    """
    rng = np.random.default_rng(seed)
    return {
        "lr": rng.uniform(1e-4, 1e-3, n),
        "warmup": rng.integers(0, max_warmup + 1, n),
        "floor": rng.uniform(0.0, 1e-6, n),
        "steps": np.full(n, t),
        "end_ratio": np.full(n, 0.01),
    }


def _fill(cols: Columns, out: np.ndarray) -> Callable[[], Any]:
    """``np.fill`` of the output: the memory-write floor every method is compared with."""
    return lambda: out.fill(0.5)


def _fastlr(cols: Columns, out: np.ndarray) -> Callable[[], Any]:
    """``fastlr.sweep`` of the lowered cosine configs into ``out``."""
    n, t = out.shape
    prog = fastlr.lower({**{k: v[:n] for k, v in cols.items()}, "shape": "cosine"})
    return lambda: fastlr.sweep(prog, t, out=out, progress=False)


def _numpy(cols: Columns, out: np.ndarray) -> Callable[[], Any]:
    """NumPy vectorised over (configs, steps) in ``out``'s dtype, in row chunks of ~16 M values."""
    n, t = out.shape
    dtype = out.dtype.type
    chunk = max(1, (16 << 20) // t)
    steps = np.arange(t, dtype=dtype)

    def run() -> None:
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            lr, w, floor, decay, ratio = (
                cols[k][lo:hi, None].astype(dtype) for k in ("lr", "warmup", "floor", "steps", "end_ratio")
            )
            end = lr * ratio
            p = np.clip((steps - w) / decay, 0, 1)
            main = np.maximum(end + (lr - end) * dtype(0.5) * (1 + np.cos(np.pi * p)), floor)
            warm = lr * steps / np.maximum(w, 1)
            out[lo:hi] = np.where(steps < w, warm, main)

    return run


def _per_step(lr: float, w: int, floor: float, steps: int, end: float) -> Callable[[int], float]:
    """One config as the per-step Python function users write today."""

    def f(step: int) -> float:
        if step < w:
            return lr * step / w
        p = min(step - w, steps) / steps
        return max(end + (lr - end) * 0.5 * (1 + math.cos(math.pi * p)), floor)

    return f


def _python(cols: Columns, out: np.ndarray) -> Callable[[], Any]:
    """A Python function per config, called once per step (too slow for the full workload:
    time a few rows and scale)."""
    n, t = out.shape
    fns = [
        _per_step(
            float(cols["lr"][i]),
            int(cols["warmup"][i]),
            float(cols["floor"][i]),
            int(cols["steps"][i]),
            float(cols["lr"][i]) * float(cols["end_ratio"][i]),
        )
        for i in range(n)
    ]

    def run() -> None:
        for f, row in zip(fns, out):
            for s in range(t):
                row[s] = f(s)

    return run


#: Method name -> setup ``(columns, out) -> call to time``.
COMPARISONS: dict[str, Setup] = {
    "floor": _fill,
    "fastlr": _fastlr,
    "numpy": _numpy,
    "python": _python,
}
