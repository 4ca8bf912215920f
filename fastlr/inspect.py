"""Questions about schedules and sweeps that need no figure (no matplotlib is imported).

- :func:`boundaries`: the steps worth marking on a plot (warmup end, ``Join`` phase
  boundaries, restarts), each with its kind.
- :func:`cycle_starts`: the first step of each restart cycle after the first, located with
  the kernels' own cycle arithmetic, so a marker sits where the table restarts.
- :func:`horizon`: a natural number of steps to show; :func:`describe`: a short label.
- :func:`row_blocks` and :func:`sample_table`: a sweep's values a block of rows at a time,
  and at evenly spaced steps, without holding the whole ``(N, T)`` table.

``fastlr.plot`` draws with these; the command line prints with them.

Quirks
------
- The default horizon is the end of the last decay, phase or restart cycle plus 5 % (so a
  held tail shows); shapes without an end (``StepDecay``, ``InverseSqrt``, ...) have none.
  Unlimited restarts show three cycles, fractional periods (``cycles != 1``) one period.
- Phase boundaries come from ``Join`` (nested ones included), not from the pieces of a
  ``MultiStep`` or ``PiecewiseConstant``.
- Growing periods (``mult != 1``, ``exact=True``) start cycle ``k`` at the first step
  ``>= formulas.cycle_start(k)``, evaluated in Python, where ``mult ** k`` is ``pow``; the
  compiled kernels multiply ``mult`` by itself instead, so a start within rounding of a whole
  step can differ by one (``Cosine(1, 0, 100)``, ``mult=1.3``: step 399 here, 400 in the table).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr._spec import Schedulable
from fastlr.kernels import formulas
from fastlr.kernels import layout as L
from fastlr.schedule import ScheduleSet
from fastlr.shapes import Join
from fastlr.sweeps import lower, sweep

__all__ = [
    "boundaries",
    "cycle_starts",
    "describe",
    "horizon",
    "row_blocks",
    "sample_steps",
    "sample_table",
]

#: Output bytes computed per block by :func:`row_blocks` unless told otherwise.
BLOCK_BYTES = 32 << 20


def _as_schedule(spec: Any, where: str) -> Any:
    if not isinstance(spec, Schedulable):
        raise TypeError(f"{where}: expected a fastlr schedule or shape, got {type(spec).__name__}: {spec!r}")
    return spec._schedule()


# ---- restart cycles --------------------------------------------------------------------------


def _lowered(sched: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    """The schedule's program and its row of integer and float parameters."""
    prog = sched.program()
    return prog, prog.ci[0], prog.cf[0]


def _cycle_locator(ci: np.ndarray, cf: np.ndarray) -> Callable[[int], int]:
    """``first(k)``: the first integer main time of restart cycle ``k >= 1`` of a lowered row.

    The cycle of main time ``tm`` is the one ``formulas.curve_value`` computes: ``tm // period``
    for integer periods, ``floor(cycles * (tm / period))`` for fractional ones, and for growing
    periods the largest ``i`` with ``formulas.cycle_start(i) <= tm`` (``exact``) or the peers'
    logarithm (``exact=False``). Cycle ``k`` starts at the first step whose cycle reaches ``k``.
    """
    kind = int(ci[L.I_RS_KIND])
    period = float(cf[L.F_RS_PERIOD])
    cycles = float(cf[L.F_RS_CYCLES])
    mult = float(cf[L.F_RS_MULT])
    if kind == L.RS_INT:
        whole = int(ci[L.I_RS_PERIOD])
        return lambda k: k * whole
    if kind == L.RS_STRETCH:  # cycle k starts at the first step past k periods
        return lambda k: math.floor(k * period) + 1
    if kind == L.RS_GROW and ci[L.I_RS_EXACT]:
        return lambda k: math.ceil(formulas.cycle_start(k, period, mult))

    def index(tm: int) -> int:
        if kind == L.RS_FRAC:
            return math.floor(cycles * (float(tm) / period))
        return math.floor(math.log(1.0 + float(tm) / period * (mult - 1.0)) / math.log(mult))

    def first(k: int) -> int:
        # near the continuous start, then to the first step whose index reaches k
        tm = math.ceil(k * period / cycles if kind == L.RS_FRAC else formulas.cycle_start(k, period, mult))
        while tm > 0 and index(tm - 1) >= k:
            tm -= 1
        while index(tm) < k:
            tm += 1
        return tm

    return first


def _cycle_limit(ci: np.ndarray, cf: np.ndarray) -> float:
    """Cycles after which the curve holds its end value (``inf``: never)."""
    return float(ci[L.I_RS_LIMIT]) or float(cf[L.F_RS_LIMIT]) or math.inf


def _cycle_starts(sched: Any, steps: int | None, where: str) -> list[int]:
    """:func:`cycle_starts` of a checked schedule (``where`` names the caller in errors)."""
    _, ci, cf = _lowered(sched)
    if ci[L.I_RS_KIND] == L.RS_NONE:
        return []
    limit = _cycle_limit(ci, cf)
    if steps is None and limit == math.inf:
        raise ValueError(f"{where}: unlimited restarts need steps to stop at")
    end = math.inf if steps is None else steps
    shift, spe = int(ci[L.I_SHIFT]), int(ci[L.I_SPE])
    first = _cycle_locator(ci, cf)
    flimit = float(cf[L.F_RS_LIMIT])  # a fractional limit holds once the position reaches it
    cycles, period = float(cf[L.F_RS_CYCLES]), float(cf[L.F_RS_PERIOD])
    out: list[int] = []
    k = 1
    while k < limit:
        tm = first(k)
        at = shift + tm * spe
        if at >= end or (flimit > 0.0 and cycles * (float(tm) / period) >= flimit):
            break
        if not out or at > out[-1]:  # several cycles within one step start together
            out.append(at)
        k += 1
    return out


def cycle_starts(schedule: Any, steps: int | None = None) -> list[int]:
    """The global steps where restart cycles 1, 2, ... begin, in order; ``[]`` without restarts.

    Each is the first step the table computes in that cycle, for integer, fractional
    (``cycles != 1``) and growing (``mult != 1``) periods alike (one quirk: see the module).

    Parameters
    ----------
    schedule : schedule or shape
        One schedule.
    steps : int, optional
        Only starts ``< steps``; unlimited restarts need it to stop.

    Returns
    -------
    list of int
        Increasing steps; cycles that begin within one step share it.

    Examples
    --------
    Cycles of 4, 8, 16, ... steps after a warmup of 2:

    >>> import fastlr
    >>> from fastlr.inspect import cycle_starts
    >>> s = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 4), warmup=fastlr.Warmup(2), restarts=fastlr.Restarts(mult=2.0))
    >>> cycle_starts(s, 40)
    [6, 14, 30]
    """
    sched = _as_schedule(schedule, "cycle_starts")
    if steps is not None:
        steps = ck.integer("steps", steps, "cycle_starts", lo=0)
    return _cycle_starts(sched, steps, "cycle_starts")


# ---- marks, horizon, label -------------------------------------------------------------------


def _join_bounds(shape: Any, offset: int, end: float) -> list[int]:
    """Boundaries of (nested) Joins in curve time, those before ``end`` only."""
    if not isinstance(shape, Join):
        return []
    out: list[int] = []
    starts = (0, *shape.boundaries)
    stops = (*shape.boundaries, None)
    for phase, a, b in zip(shape.phases, starts, stops):
        stop = end if b is None else min(end, offset + b)
        if offset + a >= stop:
            break
        if a > 0:
            out.append(offset + a)
        out.extend(_join_bounds(phase, offset + a, stop))
    return out


def boundaries(schedule: Any, steps: int | None = None) -> list[tuple[int, str]]:
    """The steps to mark on a schedule's plot: ``[(step, kind), ...]`` sorted by step.

    Parameters
    ----------
    schedule : schedule or shape
        One schedule (not a ScheduleSet: ask each of its rows).
    steps : int, optional
        Only marks ``< steps``; unlimited restarts need it to stop.

    Returns
    -------
    list of (int, str)
        ``kind`` is ``"warmup"`` (the first step after the warmup, ``warmup.steps``),
        ``"phase"`` (a :class:`fastlr.Join` boundary, nested Joins included, at global step
        ``shift + boundary * steps_per_epoch`` where ``shift`` is the length of a shifted
        prefix warmup) or ``"restart"`` (:func:`cycle_starts`).

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.inspect import boundaries
    >>> s = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 4), warmup=fastlr.Warmup(2), restarts=fastlr.Restarts(mult=2.0))
    >>> boundaries(s, 20)
    [(2, 'warmup'), (6, 'restart'), (14, 'restart')]
    >>> held = fastlr.Join((fastlr.Constant(1.0), fastlr.Linear(1.0, 0.0, 100)), (50,))
    >>> boundaries(fastlr.Schedule(held, warmup=fastlr.Warmup(10)))
    [(10, 'warmup'), (60, 'phase')]
    """
    sched = _as_schedule(schedule, "boundaries")
    end_step = math.inf if steps is None else steps
    marks: list[tuple[int, str]] = []
    if sched.warmup is not None and sched.warmup.steps < end_step:
        marks.append((sched.warmup.steps, "warmup"))
    if sched.restarts is not None:
        marks += [(at, "restart") for at in _cycle_starts(sched, steps, "boundaries")]
    else:
        _, ci, _ = _lowered(sched)
        shift, spe = int(ci[L.I_SHIFT]), int(ci[L.I_SPE])
        end_main = math.inf if steps is None else max(0.0, (steps - shift) / spe)
        marks += [(shift + c * spe, "phase") for c in _join_bounds(sched.curve, 0, end_main)]
    return sorted(m for m in marks if m[0] < end_step)


def horizon(schedule: Any) -> int | None:
    """A natural number of steps to show: past the last decay, phase or cycle by 5 %.

    Returns
    -------
    int or None
        ``None`` when the spec has no end (a curve without a held tail or phase, such as
        ``StepDecay`` or ``InverseSqrt``, without warmup). A ScheduleSet's is the largest of
        its rows'.

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.inspect import horizon
    >>> horizon(fastlr.Schedule(fastlr.Cosine(3e-4, 0.0, 9000), warmup=fastlr.Warmup(1000)))  # 1.05 * 10,000
    10500
    >>> horizon(fastlr.StepDecay(1.0, 10)) is None
    True
    """
    if isinstance(schedule, ScheduleSet):
        ends = [horizon(s) for _, group in schedule.hyperparams for s in group]
        known = [e for e in ends if e is not None]
        return max(known) if known else None
    sched = _as_schedule(schedule, "horizon")
    prog, ci, cf = _lowered(sched)
    kind = ci[L.I_RS_KIND]
    if kind == L.RS_FRAC:
        end_main = float(cf[L.F_RS_PERIOD])
    elif kind != L.RS_NONE:
        limit = _cycle_limit(ci, cf)
        end_main = float(_cycle_locator(ci, cf)(3 if limit == math.inf else int(limit)))
    else:
        lo, hi = int(ci[L.I_SEG_LO]), int(ci[L.I_SEG_HI])
        end_main = float(prog.si[lo:hi, L.S_START].max())
    end = int(ci[L.I_SHIFT]) + end_main * int(ci[L.I_SPE])
    if sched.warmup is not None:
        end = max(end, float(sched.warmup.steps))
    if end <= 0:
        return None
    end = math.ceil(end)
    return int(end + max(1, round(0.05 * end)))


def describe(schedule: Any) -> str:
    """A short label: the curve's shape(s), then warmup, restarts and epochs.

    For example ``"Cosine, linear warmup 1,000"``; a ScheduleSet is ``"ScheduleSet(lr, ...)"``.

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.inspect import describe
    >>> describe(fastlr.Schedule(fastlr.Cosine(3e-4, 0.0, 9000), warmup=fastlr.Warmup(1000)))
    'Cosine, linear warmup 1,000'
    """
    if isinstance(schedule, ScheduleSet):
        return "ScheduleSet(" + ", ".join(schedule.keys()) + ")"
    sched = _as_schedule(schedule, "describe")

    def kind(shape: Any) -> str:
        linear = type(shape).__name__ == "Polynomial" and shape.power == 1.0 and shape.k_decay == 1.0
        return "Linear" if linear else type(shape).__name__

    def name(shape: Any) -> str:
        if isinstance(shape, Join):
            first, rest = shape.phases[0], shape.phases[1:]
            start, end = getattr(first, "start", None), getattr(first, "end", None)
            if rest and isinstance(start, float) and isinstance(end, float) and start < end:
                # a rising first phase is a warmup written as a Join (optax, Keras, timm ...)
                tail = " → ".join(name(p) for p in rest)
                return f"{tail}, {kind(first).lower()} warmup {shape.boundaries[0]:,}"
            return " → ".join(name(p) for p in shape.phases)
        return kind(shape)

    parts = [name(sched.curve)]
    if sched.warmup is not None:
        wu = sched.warmup
        mode = "" if wu.mode == "prefix" else f" {wu.mode}"
        parts.append(f"{wu.shape}{mode} warmup {wu.steps:,}")
    if sched.restarts is not None:
        lim = sched.restarts.limit
        parts.append("restarts" + (f" ×{lim}" if lim else ""))
    if sched.steps_per_epoch != 1:
        parts.append(f"{sched.steps_per_epoch:,} steps/epoch")
    return ", ".join(parts)


# ---- a sweep's values without the whole table ------------------------------------------------


def row_blocks(
    configs: Any, steps: int, dtype: Any = np.float32, max_bytes: int = BLOCK_BYTES
) -> Iterator[tuple[int, int, np.ndarray]]:
    """The ``(N, steps)`` sweep of ``configs``, a block of rows at a time.

    Parameters
    ----------
    configs
        Anything :func:`fastlr.lower` accepts, or a Program.
    steps : int
        Steps per row (``T``).
    dtype : float32 or float64
        Dtype of the values.
    max_bytes : int
        Size of one block (at least one row).

    Yields
    ------
    (int, int, ndarray)
        ``(lo, hi, values)``: rows ``lo .. hi - 1`` as a ``(hi - lo, steps)`` view of one
        buffer that the next block overwrites. The values are those of ``fastlr.sweep``.

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.inspect import row_blocks
    >>> configs = fastlr.grid(lr=[1.0, 0.5, 0.25], shape=["linear"], steps=[4])
    >>> for lo, hi, values in row_blocks(configs, 5, max_bytes=40):  # two float32 rows of 5 steps
    ...     print(lo, hi, values.tolist())
    0 2 [[1.0, 0.75, 0.5, 0.25, 0.0], [0.5, 0.375, 0.25, 0.125, 0.0]]
    2 3 [[0.25, 0.1875, 0.125, 0.0625, 0.0]]
    """
    prog = lower(configs)
    T = ck.integer("steps", steps, lo=1)
    ck.integer("max_bytes", max_bytes, lo=1)
    dt = np.dtype(dtype)
    n = prog.n_rows
    chunk = max(1, min(n, max_bytes // (T * dt.itemsize)))
    buf = np.empty((chunk, T), dtype=dt)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        part = buf[: hi - lo]
        sweep(prog.subset(lo, hi), T, dtype=dt, out=part, progress=False)
        yield lo, hi, part


def sample_steps(steps: int, max_points: int) -> np.ndarray:
    """Up to ``max_points`` evenly spaced steps of ``0 .. steps - 1`` (first and last
    included), as int64.

    Examples
    --------
    >>> from fastlr.inspect import sample_steps
    >>> sample_steps(10, 4).tolist(), sample_steps(1000, 5).tolist()
    ([0, 3, 6, 9], [0, 250, 500, 749, 999])
    """
    if steps <= max_points:
        return np.arange(steps)
    return np.unique(np.linspace(0, steps - 1, max_points).round().astype(np.int64))


def sample_table(
    configs: Any, steps: int, max_points: int = 2000, dtype: Any = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """Every config's values at up to ``max_points`` evenly spaced steps (first and last included).

    Returns
    -------
    x : ndarray
        The int64 steps, shape ``(P,)`` (:func:`sample_steps`).
    values : ndarray
        The ``(N, P)`` values, those of ``fastlr.sweep(configs, steps)[:, x]``, computed by
        :func:`row_blocks` (about 32 MB at a time), so the full table is never held.
        ``fastlr.plot.plot_sweep(values, x=x, ...)`` then draws without computing again.

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.inspect import sample_table
    >>> x, values = sample_table(fastlr.grid(lr=[1.0, 0.5], shape=["linear"], steps=[8]), 9, max_points=3)
    >>> x.tolist(), values.tolist()
    ([0, 4, 8], [[1.0, 0.5, 0.0], [0.5, 0.25, 0.0]])
    """
    prog = lower(configs)
    T = ck.integer("steps", steps, lo=1)
    idx = sample_steps(T, ck.integer("max_points", max_points, lo=2))
    values = np.empty((prog.n_rows, idx.size), dtype=np.dtype(dtype))
    for lo, hi, block in row_blocks(prog, T, dtype, BLOCK_BYTES):
        values[lo:hi] = block[:, idx]
    return idx, values
