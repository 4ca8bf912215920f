"""Keras dialect: ``keras.optimizers.schedules`` by their own names and parameters (matched: Keras 3.15.1).

Each function returns a fastlr schedule; ``s.table(T)[i]`` is ``schedule(i)``, the value a Keras
optimizer uses for update ``i`` (it evaluates the schedule at ``iterations`` before incrementing)::

    import fastlr.presets.keras as ks
    s = ks.CosineDecay(initial_learning_rate=0.0, decay_steps=9_000, warmup_target=1e-3, warmup_steps=1_000)
    s.table(10_000)

Keras computes in ``floatx`` (float32 by default); fastlr computes in float64, so tables equal
Keras run with float64 (to 1e-12 relative) and agree with float32 Keras within float32 rounding.
Keras 3.15.1's jax backend computes ``ops.cos`` and ``ops.floor`` in float32 even with
``floatx="float64"`` (its ``result_type(float64, float)`` is float32), so its cosine schedules
are float32-accurate whatever ``floatx`` says; fastlr does not copy that rounding. The ``name``
argument is accepted and ignored.

Quirks reproduced (Keras 3.15.1)
--------------------------------
- ``PiecewiseConstantDecay``: a boundary belongs to the **earlier** piece (``t <= b``), so the
  value switches at ``b + 1``, one step later than optax and PyTorch. Out-of-order boundaries
  add the overlapping pieces, as Keras's sum of indicators does.
- ``CosineDecay``: ``decay_steps`` **excludes** the warmup (the cosine runs over
  ``[warmup_steps, warmup_steps + decay_steps]``), unlike optax. The warmup only happens when
  ``warmup_target`` is given (``warmup_steps`` alone is ignored); with ``warmup_target`` and
  ``warmup_steps=0`` the decay starts from ``warmup_target``. ``alpha`` is a fraction of the
  value decayed from (``warmup_target`` or ``initial_learning_rate``), not an absolute floor.
- ``CosineDecayRestarts``: the ``alpha`` floor is **not** scaled by ``m_mul ** i``; with
  ``t_mul != 1`` the restart index is ``floor(log(1 - f (1 - t_mul)) / log(t_mul))`` in floating
  point, reproduced as computed (it can land one step off an exact cycle boundary).
- ``PolynomialDecay(cycle=True)`` stretches the horizon to ``decay_steps * ceil(t / decay_steps)``
  (1 at ``t = 0``): every cycle ends at ``end_learning_rate`` at a multiple of ``decay_steps``
  and restarts *below* the initial value. Without ``cycle`` the value is held after
  ``decay_steps``.
- ``ExponentialDecay`` and ``InverseTimeDecay`` never stop (no horizon); ``staircase`` floors
  ``t / decay_steps``. Non-integer ``decay_steps`` are used as given (``PolynomialDecay`` and
  ``CosineDecay`` clamp at the fractional horizon).

fastlr limits and errors
------------------------
- ``PolynomialDecay(cycle=True)`` is a ``Schedule`` with ``Restarts(stretch=True)`` (the
  stretched horizon), exact at every step; it needs an integer ``decay_steps``, and
  ``end_learning_rate <= initial_learning_rate`` unless the fastlr-only ``horizon=`` (the steps
  to lay out as explicit phases, exact for ``t < horizon``) is given.
- A growing ``ExponentialDecay`` (``decay_rate > 1``) is held at the largest float32 (3.4e38)
  where float32 Keras overflows to inf.
- Rejected with a clear error (Keras would produce NaN, inf or negative rates): negative values,
  ``decay_rate < 0``; ``power < 0``; ``alpha < 0``; ``alpha > 1`` or ``m_mul > 1`` or
  ``t_mul < 1`` in ``CosineDecayRestarts``; negative ``warmup_steps``. Keras's own checks
  (``decay_steps <= 0``, ``first_decay_steps <= 0``, boundary/value lengths) raise the same
  ``ValueError``.

Examples
--------
>>> import fastlr.presets.keras as ks
>>> s = ks.CosineDecay(initial_learning_rate=0.0, decay_steps=4, warmup_target=1.0, warmup_steps=2)
>>> s.table(8).round(6).tolist()
[0.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Restarts, Schedule, Warmup
from fastlr.shapes import (
    Constant,
    Cosine,
    Exponential,
    InverseTime,
    Join,
    PiecewiseConstant,
    Polynomial,
    Shape,
)

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
]

PEER = "keras"
PEER_VERSION = "3.15.1"

#: Where float32 Keras overflows to inf, fastlr holds the largest finite float32.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _decay_steps(name: str, v: Any, where: str) -> float:
    d = ck.real(name, v, where)
    if d <= 0:
        raise ValueError(f"{where}: argument `{name}` must be > 0, got {name}={v!r}")
    return d


def _clamped(make: Any, d: float, end_value: float) -> Shape:
    """A curve of progress ``min(t, d) / d`` for a possibly fractional horizon ``d``.

    ``make(steps, span)`` builds the shape; with a fractional ``d`` its formula runs up to
    ``floor(d)`` and ``end_value`` (the value at progress 1) holds from ``floor(d) + 1``.
    """
    whole = math.floor(d)
    if whole == d:
        return make(int(whole), None)
    head = make(int(whole), d) if whole >= 1 else Constant(make(1, None).start_value())
    return Join((head, Constant(end_value)), (int(whole) + 1,))


def ExponentialDecay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str = "ExponentialDecay",
) -> Shape:
    """``f(t) = lr0 * rate^(t / decay_steps)`` (``floor(t / decay_steps)`` with ``staircase``)."""
    w = "ExponentialDecay"
    lr0 = nonneg("initial_learning_rate", initial_learning_rate, w)
    d = _decay_steps("decay_steps", decay_steps, w)
    rate = nonneg("decay_rate", decay_rate, w, "a negative rate gives NaN")
    sc = ck.flag("staircase", staircase, w)
    if rate == 0.0:  # 0^0 = 1, then 0
        first = 1 if not sc else _first_at_least_one(d)
        return PiecewiseConstant(boundaries=(first,), values=(lr0, 0.0))
    return Exponential(start=lr0, rate=rate, steps=d, staircase=sc, end=FLOAT32_MAX if rate > 1.0 else None)


def _first_at_least_one(d: float) -> int:
    """The first integer ``t`` with ``floor(t / d) >= 1`` in floating point."""
    t = max(1, math.ceil(d))
    while t > 1 and (t - 1) / d >= 1.0:
        t -= 1
    return t


def PiecewiseConstantDecay(
    boundaries: Sequence[int],
    values: Sequence[float],
    name: str = "PiecewiseConstant",
) -> Shape:
    """``values[0]`` for ``t <= b_0``, ``values[i]`` for ``b_{i-1} < t <= b_i``, ``values[-1]``
    for ``t > b_last``: the switch happens at ``b + 1``."""
    w = "PiecewiseConstantDecay"
    bs = list(ck.int_tuple("boundaries", boundaries, w))
    vs = list(ck.real_tuple("values", values, w, lo=0.0))
    if len(bs) != len(vs) - 1:
        raise ValueError(
            f"{w}: the length of boundaries should be 1 less than the length of values; got boundaries={bs} "
            f"of length {len(bs)} and values of length {len(vs)}"
        )
    if not bs:
        raise ValueError(f"{w}: needs at least one boundary (Keras indexes boundaries[0]), got boundaries=[]")

    def keras_value(t: int) -> float:
        v = 0.0
        v += float(t <= bs[0]) * vs[0]
        v += float(t > bs[-1]) * vs[-1]
        for lo, hi, val in zip(bs[:-1], bs[1:], vs[1:-1]):
            v += float(lo < t <= hi) * val
        return v

    starts = sorted({0} | {b + 1 for b in bs if b + 1 > 0})
    out_b: list[int] = []
    out_v: list[float] = []
    for s in starts:
        v = keras_value(s)
        if out_v and v == out_v[-1]:
            continue
        if out_v:
            out_b.append(s)
        out_v.append(v)
    if len(out_v) == 1:
        return Constant(out_v[0])
    return PiecewiseConstant(boundaries=tuple(out_b), values=tuple(out_v))


def PolynomialDecay(
    initial_learning_rate: float,
    decay_steps: float,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
    name: str = "PolynomialDecay",
    *,
    horizon: int | None = None,
) -> Shape | Schedule:
    """``f(t) = (lr0 - end)(1 - t'/D')^power + end``.

    Without ``cycle``: ``t' = min(t, D)``, ``D' = D``. With ``cycle``: ``t' = t`` and
    ``D' = D ceil(t / D)`` (``D`` at ``t = 0``).

    With ``cycle`` the curve is ``Polynomial(lr0, end, D)`` with ``Restarts(stretch=True)``
    (the horizon stretches by ``D`` per cycle): a Schedule, exact for every step.

    Parameters
    ----------
    horizon : int, optional
        fastlr only, with ``cycle=True``: lay the cycles covering steps ``0 .. horizon - 1`` out
        as a ``Join`` of plain shapes instead (exact there; later steps hold the last cycle's end
        value). Needed when ``end_learning_rate > initial_learning_rate`` (restarts repeat a
        decaying curve).
    """
    w = "PolynomialDecay"
    lr0 = nonneg("initial_learning_rate", initial_learning_rate, w)
    d = _decay_steps("decay_steps", decay_steps, w)
    end = nonneg("end_learning_rate", end_learning_rate, w)
    p = nonneg("power", power, w, "a negative power is infinite at the end")
    ck.flag("cycle", cycle, w)
    if p == 0.0:
        return Constant((lr0 - end) * 1.0 + end)
    if not cycle:
        if horizon is not None:
            raise TypeError(f"{w}: horizon= is only used with cycle=True, got horizon={horizon!r}")
        return _clamped(lambda n, span: Polynomial(start=lr0, end=end, steps=n, power=p, span=span), d, end)
    if d != math.floor(d):
        raise ValueError(f"{w}: cycle=True needs an integer decay_steps in fastlr, got decay_steps={decay_steps!r}")
    di = int(d)
    if horizon is None:
        if lr0 < end:
            raise ValueError(
                f"{w}: cycle=True with end_learning_rate={end_learning_rate!r} > initial_learning_rate="
                f"{initial_learning_rate!r} needs horizon= (fastlr only: the steps to lay out), since restarts "
                "repeat a decaying curve"
            )
        return Schedule(Polynomial(start=lr0, end=end, steps=di, power=p), restarts=Restarts(stretch=True))
    hz = ck.integer("horizon", horizon, w, lo=1)
    phases: list[Shape] = [Polynomial(start=lr0, end=end, steps=di, power=p)]  # t in [0, D], progress t / D
    starts: list[int] = []
    k = 2
    while di > 1 and (k - 1) * di + 1 < hz:
        s = (k - 1) * di + 1  # cycle k: t in [s, k D], progress t / (k D)
        phases.append(Polynomial(start=lr0, end=end, steps=di - 1, power=p, span=float(k * di), offset=-float(s)))
        starts.append(s)
        k += 1
    if len(phases) == 1:  # one cycle (or D = 1: progress t / t = 1 for every t >= 1)
        return phases[0]
    return Join(tuple(phases), tuple(starts))


def InverseTimeDecay(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
    name: str = "InverseTimeDecay",
) -> Shape:
    """``f(t) = lr0 / (1 + rate * t / decay_steps)`` (``floor`` of the ratio with ``staircase``)."""
    w = "InverseTimeDecay"
    lr0 = nonneg("initial_learning_rate", initial_learning_rate, w)
    d = _decay_steps("decay_steps", decay_steps, w)
    rate = nonneg("decay_rate", decay_rate, w, "the denominator would reach 0")
    sc = ck.flag("staircase", staircase, w)
    return InverseTime(start=lr0, rate=rate, steps=d, staircase=sc)


def CosineDecay(
    initial_learning_rate: float,
    decay_steps: float,
    alpha: float = 0.0,
    name: str = "CosineDecay",
    warmup_target: float | None = None,
    warmup_steps: int = 0,
) -> Schedule:
    """Cosine decay, optionally after a linear warmup (``decay_steps`` excludes the warmup).

    Without ``warmup_target``: ``f(t) = lr0 ((1 - a)(1 + cos(pi t'/D))/2 + a)``,
    ``t' = min(t, D)``. With it (``W = warmup_steps``): ``lr0 + (target - lr0) t / W`` for
    ``t < W``, then ``target ((1 - a)(1 + cos(pi t'/D))/2 + a)`` with ``t' = min(t - W, D)``.
    """
    w = "CosineDecay"
    lr0 = nonneg("initial_learning_rate", initial_learning_rate, w)
    d = _decay_steps("decay_steps", decay_steps, w)
    a = nonneg("alpha", alpha, w, "a fraction of the decayed-from value")
    ws = ck.integer("warmup_steps", warmup_steps, w, lo=0)
    curve = _clamped(lambda n, span: Cosine(start=1.0, end=a, steps=n, span=span), d, a)
    if warmup_target is None:
        return Schedule(curve, scale=lr0)
    target = nonneg("warmup_target", warmup_target, w)
    if ws == 0:
        return Schedule(curve, scale=target)
    return Schedule(curve, scale=target, warmup=Warmup(steps=ws, start=lr0, shape="linear", mode="prefix"))


def CosineDecayRestarts(
    initial_learning_rate: float,
    first_decay_steps: int,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
    name: str = "SGDRDecay",
) -> Schedule:
    """SGDR: cosine cycles of length ``first * t_mul^i``, amplitude ``m_mul^i``.

    ``f(t) = lr0 ((1 - a) m_mul^i (1 + cos(pi f_i))/2 + a)``, ``i`` the cycle of ``t`` and
    ``f_i`` the fraction of it done (Keras's closed form with ``log``).
    """
    w = "CosineDecayRestarts"
    lr0 = nonneg("initial_learning_rate", initial_learning_rate, w)
    first = ck.integer("first_decay_steps", first_decay_steps, w)
    if first <= 0:
        raise ValueError(f"{w}: argument `first_decay_steps` must be > 0, got first_decay_steps={first_decay_steps!r}")
    tm = ck.real("t_mul", t_mul, w)
    if tm < 1.0:
        raise ValueError(f"{w}: t_mul must be >= 1, got {t_mul!r} (shrinking cycles run out: Keras's log turns NaN)")
    mm = ck.real("m_mul", m_mul, w)
    if not 0.0 <= mm <= 1.0:
        raise ValueError(f"{w}: m_mul must be in [0, 1], got {m_mul!r} (m_mul > 1 grows without bound)")
    a = nonneg("alpha", alpha, w, "a fraction of the decayed-from value")
    if a > 1.0:
        raise ValueError(f"{w}: alpha must be <= 1, got {alpha!r} (fastlr restarts a decaying curve)")
    # m_mul = 0: the first cycle, then alpha * lr0 forever (0^i = 0 for i >= 1)
    rs = Restarts(mult=tm, decay=mm if mm > 0.0 else 1.0, limit=None if mm > 0.0 else 1, exact=tm == 1.0)
    return Schedule(Cosine(start=1.0, end=a, steps=first), restarts=rs, scale=lr0)
