"""Curve shapes: the leaves of a schedule, each a closed form of the local step ``t``.

Every shape here is an immutable, validated spec. Shapes with a horizon (``steps``) reach their
end at ``t = steps`` and hold the value reached there afterwards (``Cosine(after="continue")``
keeps following the periodic formula instead, as PyTorch's and transformers' cosines do).

Advanced fields shared by the horizon shapes:

``span``
    The progress denominator ``n`` (default: ``steps``). May be fractional: peers such as
    YOLOX, CAWB and torch's OneCycleLR divide by non-integer lengths.
``offset``
    Progress is measured from ``offset``: ``p = (t - offset) / span`` (default 0).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr.lowering import segments as seg
from fastlr.lowering.segments import Segs
from fastlr.schedule import Schedule, Shape

__all__ = [
    "Asymptotic",
    "Constant",
    "Cosine",
    "Cyclic",
    "Exponential",
    "InverseSqrt",
    "InverseTime",
    "Join",
    "Linear",
    "MultiStep",
    "OneCycle",
    "PiecewiseConstant",
    "PiecewiseInterp",
    "Polynomial",
    "Product",
    "Shape",
    "SqrtCooldown",
    "StepDecay",
    "Tanh",
]


def _span(steps: Any, span: Any) -> Any:
    """The progress denominator: ``span``, or ``steps`` where it is not given (None or NaN)."""
    steps = np.asarray(steps, dtype=np.float64)
    if span is None:
        return steps
    span = np.asarray(span, dtype=np.float64)
    return np.where(np.isnan(span), steps, span)


def _horizon(obj: Any, where: str) -> tuple[int, float, float]:
    steps = ck.step("steps", obj.steps, where, lo=1)
    span = float(steps) if obj.span is None else ck.length("span", obj.span, where)
    offset = ck.real("offset", obj.offset, where, lo=-ck.MAX_STEP, hi=ck.MAX_STEP)
    obj._set("steps", steps)
    obj._set("span", None if obj.span is None else span)
    obj._set("offset", offset)
    return steps, span, offset


def _nonneg(where: str, **values: float) -> None:
    for name, v in values.items():
        ck.real(name, v, where, lo=0.0)


@dataclasses.dataclass(frozen=True)
class Constant(Shape):
    """``f(t) = value``.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Constant(0.1).table(3).tolist()
    [0.1, 0.1, 0.1]
    """

    value: float

    def __post_init__(self) -> None:
        self._set("value", ck.lr("value", self.value, "Constant"))

    @staticmethod
    def lower_columns(value: Any) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.constant(value)


@dataclasses.dataclass(frozen=True)
class Linear(Shape):
    """``f(t) = start + (end - start) p`` with ``p = (t - offset)/span``, held after ``steps``.

    Rising curves are evaluated as ``start + (end - start) p``, falling ones as
    ``end + (start - end)(1 - p)``, so the value near a zero end keeps full relative accuracy.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Linear(1.0, 0.0, 4).table(6).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    restartable = True

    start: float
    end: float
    steps: int
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "Linear"
        self._set("start", ck.lr("start", self.start, w))
        self._set("end", ck.lr("end", self.end, w))
        _horizon(self, w)

    @staticmethod
    def lower_columns(start: Any, end: Any, steps: Any, span: Any = None, offset: Any = 0.0) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.linear(start, end, steps, _span(steps, span), offset)


@dataclasses.dataclass(frozen=True)
class Cosine(Shape):
    """Cosine annealing from ``start`` to ``end`` over ``steps``.

    ``f(t) = end + (start - end) ((1 + cos(2 pi cycles p)) / 2)^exponent``,
    ``p = ((t - offset)/span)^k_decay`` (``(t^k)/(span^k)`` as timm computes it). ``cycles=0.5``
    is the half cosine that ends at ``end``. ``after="hold"`` holds the value reached at
    ``steps``; ``after="continue"`` keeps the periodic formula (PyTorch, transformers).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Cosine(1.0, 0.0, 4).table(6).round(6).tolist()
    [1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]
    >>> fastlr.Cosine(1.0, 0.0, 4, after="continue").table(9).round(6).tolist()
    [1.0, 0.853553, 0.5, 0.146447, 0.0, 0.146447, 0.5, 0.853553, 1.0]
    """

    restartable = True

    start: float
    end: float
    steps: int
    exponent: float = 1.0
    k_decay: float = 1.0
    cycles: float = 0.5
    after: str = "hold"
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "Cosine"
        self._set("start", ck.lr("start", self.start, w))
        self._set("end", ck.lr("end", self.end, w))
        self._set("exponent", ck.real("exponent", self.exponent, w, lo=0.0, lo_open=True))
        self._set("k_decay", ck.real("k_decay", self.k_decay, w, lo=0.0, lo_open=True))
        self._set("cycles", ck.real("cycles", self.cycles, w, lo=0.0, lo_open=True))
        ck.choice("after", self.after, ("hold", "continue"), w)
        _, span, offset = _horizon(self, w)
        if self.offset > 0.0 and (self.k_decay != 1.0 or self.exponent != 1.0):
            raise ValueError(f"{w}: offset must be <= 0 with k_decay or exponent != 1, got {self.offset!r}")
        if not ck.MIN_LENGTH <= span / self.cycles <= 4 * ck.MAX_STEP:
            raise ValueError(
                f"{w}: one period, span / cycles = {span / self.cycles:g} steps, must be within 2**-20 .. 2**52; "
                f"got cycles={self.cycles!r} with span={span!r}"
            )
        if self.after == "continue" and self.k_decay != 1.0:
            # the continued curve's progress ((t - offset) / span)^k_decay must stay finite up to
            # t = MAX_STEP, or cos(pi p) has no value
            x = ck.MAX_STEP - offset
            if x > span and self.k_decay * math.log2(x / span) > 1000.0:
                raise ValueError(
                    f"{w}: with after='continue', progress^k_decay overflows before t = 2**50 "
                    f"(k_decay={self.k_decay!r}, span={span!r}); use after='hold' or a smaller k_decay"
                )
        self._segments()

    @staticmethod
    def lower_columns(
        start: Any,
        end: Any,
        steps: Any,
        exponent: Any = 1.0,
        k_decay: Any = 1.0,
        cycles: Any = 0.5,
        after: Any = "hold",
        span: Any = None,
        offset: Any = 0.0,
    ) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        hold = np.asarray(after) == "hold"
        return seg.cosine(start, end, steps, exponent, k_decay, cycles, hold, _span(steps, span), offset)


@dataclasses.dataclass(frozen=True)
class Polynomial(Shape):
    """``f(t) = end + (start - end)(1 - p)^power``, ``p = ((t - offset)/span)^k_decay``.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Polynomial(1.0, 0.0, 4, power=2.0).table(6).tolist()
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    restartable = True

    start: float
    end: float
    steps: int
    power: float = 1.0
    k_decay: float = 1.0
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "Polynomial"
        self._set("start", ck.lr("start", self.start, w))
        self._set("end", ck.lr("end", self.end, w))
        self._set("power", ck.real("power", self.power, w, lo=0.0, lo_open=True))
        self._set("k_decay", ck.real("k_decay", self.k_decay, w, lo=0.0, lo_open=True))
        _horizon(self, w)
        self._segments()

    @staticmethod
    def lower_columns(
        start: Any, end: Any, steps: Any, power: Any = 1.0, k_decay: Any = 1.0, span: Any = None, offset: Any = 0.0
    ) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.polynomial(start, end, steps, power, k_decay, _span(steps, span), offset)


@dataclasses.dataclass(frozen=True)
class Tanh(Shape):
    """``f(t) = end + (start - end)(1 - tanh(lower (1 - p) + upper p)) / 2`` (timm's tanh).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Tanh(1.0, 0.0, 4).table(6).round(6).tolist()
    [0.999999, 0.999877, 0.982014, 0.268941, 0.002473, 0.002473]
    """

    restartable = True

    start: float
    end: float
    steps: int
    lower: float = -7.0
    upper: float = 3.0
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "Tanh"
        self._set("start", ck.lr("start", self.start, w))
        self._set("end", ck.lr("end", self.end, w))
        self._set("lower", ck.real("lower", self.lower, w))
        self._set("upper", ck.real("upper", self.upper, w))
        if not self.lower < self.upper:
            raise ValueError(f"Tanh: lower must be < upper, got lower={self.lower!r}, upper={self.upper!r}")
        _horizon(self, w)
        self._segments()

    @staticmethod
    def lower_columns(
        start: Any, end: Any, steps: Any, lower: Any = -7.0, upper: Any = 3.0, span: Any = None, offset: Any = 0.0
    ) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.tanh(start, end, steps, lower, upper, _span(steps, span), offset)


@dataclasses.dataclass(frozen=True)
class SqrtCooldown(Shape):
    """The 1-sqrt cooldown: ``f(t) = end + (start - end)(1 - sqrt(p))``.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.SqrtCooldown(1.0, 0.0, 4).table(6).round(6).tolist()
    [1.0, 0.5, 0.292893, 0.133975, 0.0, 0.0]
    """

    restartable = True

    start: float
    end: float
    steps: int
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "SqrtCooldown"
        self._set("start", ck.lr("start", self.start, w))
        self._set("end", ck.lr("end", self.end, w))
        _horizon(self, w)
        self._segments()

    @staticmethod
    def lower_columns(start: Any, end: Any, steps: Any, span: Any = None, offset: Any = 0.0) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.sqrt_cooldown(start, end, steps, _span(steps, span), offset)


@dataclasses.dataclass(frozen=True)
class Exponential(Shape):
    """``f(t) = start * rate^((t - begin)/steps)`` for ``t >= begin``, ``start`` before.

    ``staircase`` floors the exponent; ``end`` clips the curve (a minimum when ``rate < 1``, a
    maximum when ``rate > 1``; a growing curve needs one so it stays finite).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Exponential(1.0, 0.5, 2.0).table(5).round(6).tolist()
    [1.0, 0.707107, 0.5, 0.353553, 0.25]
    >>> fastlr.Exponential(1.0, 0.5, 2.0, staircase=True).table(5).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25]
    >>> fastlr.Exponential(1.0, 0.5, 1.0, end=0.2).table(5).tolist()
    [1.0, 0.5, 0.25, 0.2, 0.2]
    """

    start: float
    rate: float
    steps: float
    staircase: bool = False
    begin: int = 0
    end: float | None = None

    def __post_init__(self) -> None:
        w = "Exponential"
        self._set("start", ck.lr("start", self.start, w))
        self._set("rate", ck.real("rate", self.rate, w, lo=0.0, lo_open=True))
        self._set("steps", ck.length("steps", self.steps, w))
        if not isinstance(self.staircase, bool):
            raise TypeError(f"{w}: staircase must be a bool, got {self.staircase!r}")
        self._set("begin", ck.step("begin", self.begin, w))
        if self.end is not None:
            # a clip: up to float32's largest value, where the float32 peers (Keras, optax) saturate
            self._set("end", ck.real("end", self.end, w, lo=0.0, hi=ck.FLOAT32_MAX))
        elif self.rate > 1.0:
            raise ValueError(f"{w}: a growing curve (rate={self.rate!r} > 1) needs end= to stay finite")

    @staticmethod
    def lower_columns(
        start: Any, rate: Any, steps: Any, staircase: Any = False, begin: Any = 0, end: Any = None
    ) -> Segs:
        """Segments for columns of this shape's parameters (``end`` None or NaN: no clip)."""
        return seg.exponential(start, rate, steps, staircase, begin, math.nan if end is None else end)


@dataclasses.dataclass(frozen=True)
class Asymptotic(Shape):
    """An exponential with an asymptote: ``f(t) = end + (start - end) rate^(t/steps)``.

    From ``start`` toward ``end`` (``rate < 1``), which it approaches and never reaches;
    ``staircase`` floors the exponent. ``end = 0`` is :class:`Exponential`'s plain decay.

    With a ``horizon`` ``h`` the curve stops at ``t = h`` and holds ``f(h)`` from there on, like
    the decays with ``steps``; the asymptote ``end`` may then be negative as long as the curve is
    not: ``f(h) >= 0`` (Megatron-LM's exponential WSD decay, ``2 min_lr - max_lr + 2 (max_lr -
    min_lr) 0.5^q``, is such a curve). A value at ``h`` within ``1e-12 |start - end|`` below zero
    is rounding of an exact 0 and is held as 0.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Asymptotic(1.0, 0.1, 0.5, 10.0).table(21)[[0, 10, 20]].tolist()
    [1.0, 0.55, 0.325]
    >>> fastlr.Asymptotic(1.0, -1.0, 0.5, 10.0, horizon=10).table(12, dtype="float64")[[0, 5, 10, 11]].round(6).tolist()
    [1.0, 0.414214, 0.0, 0.0]
    """

    start: float
    end: float
    rate: float
    steps: float
    staircase: bool = False
    horizon: int | None = None

    def __post_init__(self) -> None:
        w = "Asymptotic"
        self._set("start", ck.lr("start", self.start, w))
        if self.horizon is None:
            self._set("end", ck.lr("end", self.end, w))
        else:
            self._set("horizon", ck.step("horizon", self.horizon, w))
            self._set("end", ck.real("end", self.end, w, lo=-ck.MAX_VALUE, hi=ck.MAX_VALUE))
        self._set("rate", ck.real("rate", self.rate, w, lo=0.0, hi=1.0, lo_open=True, hi_open=True))
        self._set("steps", ck.length("steps", self.steps, w))
        if not isinstance(self.staircase, bool):
            raise TypeError(f"{w}: staircase must be a bool, got {self.staircase!r}")
        if self.horizon is not None and self.end < 0.0:
            h = float(self.horizon)
            e = math.floor(h / self.steps) if self.staircase else h / self.steps
            at_h = self.end + (self.start - self.end) * self.rate**e
            if at_h < -1e-12 * (self.start - self.end):
                raise ValueError(
                    f"{w}: the curve is negative at its horizon: f({self.horizon}) = {at_h!r} "
                    f"(end={self.end!r}); an lr is never negative"
                )

    @staticmethod
    def lower_columns(start: Any, end: Any, rate: Any, steps: Any, staircase: Any = False, horizon: Any = None) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.asymptotic(start, end, rate, steps, staircase, -1 if horizon is None else horizon)


@dataclasses.dataclass(frozen=True)
class StepDecay(Shape):
    """``f(t) = start * gamma^floor(t / step_size)`` (decay every ``step_size`` steps).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.StepDecay(1.0, 2, gamma=0.5).table(6).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    start: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        w = "StepDecay"
        self._set("start", ck.lr("start", self.start, w))
        self._set("step_size", ck.step("step_size", self.step_size, w, lo=1))
        self._set("gamma", ck.real("gamma", self.gamma, w, lo=0.0, hi=1.0, lo_open=True))

    @staticmethod
    def lower_columns(start: Any, step_size: Any, gamma: Any = 0.1) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.step_decay(start, np.asarray(step_size, dtype=np.float64), gamma)


@dataclasses.dataclass(frozen=True)
class MultiStep(Shape):
    """``f(t) = start * gamma^(number of milestones <= t)``; a repeated milestone counts twice.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.MultiStep(1.0, (2, 4), gamma=0.5).table(6).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    >>> fastlr.MultiStep(1.0, (2, 2), gamma=0.5).table(4).tolist()
    [1.0, 1.0, 0.25, 0.25]
    """

    start: float
    milestones: Sequence[int]
    gamma: float = 0.1

    def __post_init__(self) -> None:
        w = "MultiStep"
        self._set("start", ck.lr("start", self.start, w))
        ms = ck.int_tuple("milestones", self.milestones, w, lo=0)
        if list(ms) != sorted(ms):
            raise ValueError(f"{w}: milestones must be sorted ascending, got {list(ms)}")
        self._set("milestones", ms)
        self._set("gamma", ck.real("gamma", self.gamma, w, lo=0.0, lo_open=True))
        if self.gamma > 1.0 and len(ms) * math.log(self.gamma) + math.log(max(self.start, 1e-300)) > math.log(
            ck.MAX_VALUE
        ):
            raise ValueError(
                f"{w}: start * gamma**{len(ms)} exceeds {ck.MAX_VALUE:g} (start={self.start!r}, gamma={self.gamma!r}); "
                "a learning rate that large is not a learning rate"
            )

    def _segs(self) -> Segs:
        return seg.multi_step(self.start, tuple(self.milestones), self.gamma)


@dataclasses.dataclass(frozen=True)
class PiecewiseConstant(Shape):
    """``values[i]`` for ``boundaries[i-1] <= t < boundaries[i]`` (switches at the boundary).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.PiecewiseConstant((2, 4), (1.0, 0.5, 0.25)).table(6).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    boundaries: Sequence[int]
    values: Sequence[float]

    def __post_init__(self) -> None:
        w = "PiecewiseConstant"
        b = ck.int_tuple("boundaries", self.boundaries, w, lo=1)
        v = ck.real_tuple("values", self.values, w, lo=0.0, hi=ck.MAX_VALUE)
        if any(b2 <= b1 for b1, b2 in zip(b, b[1:])):
            raise ValueError(f"{w}: boundaries must be strictly increasing, got {list(b)}")
        if len(v) != len(b) + 1:
            raise ValueError(f"{w}: need len(values) == len(boundaries) + 1, got {len(v)} values, {len(b)} boundaries")
        self._set("boundaries", b)
        self._set("values", v)

    def _segs(self) -> Segs:
        return seg.piecewise_constant(tuple(self.boundaries), tuple(self.values))


@dataclasses.dataclass(frozen=True)
class PiecewiseInterp(Shape):
    """Interpolation through ``(knots[i], values[i])``, linear or cosine; holds the last value.

    ``knots`` start at 0 and increase strictly. Linear: ``v0 + (v1 - v0) p``; cosine:
    ``v1 + (v0 - v1)(1 + cos(pi p))/2`` with ``p`` the progress within the piece.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.PiecewiseInterp((0, 4, 6), (0.0, 1.0, 0.5)).table(8).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.5]
    >>> fastlr.PiecewiseInterp((0, 4), (1.0, 0.0), kind="cosine").table(5).round(6).tolist()
    [1.0, 0.853553, 0.5, 0.146447, 0.0]
    """

    knots: Sequence[int]
    values: Sequence[float]
    kind: str = "linear"

    def __post_init__(self) -> None:
        w = "PiecewiseInterp"
        k = ck.int_tuple("knots", self.knots, w, lo=0)
        v = ck.real_tuple("values", self.values, w, lo=0.0, hi=ck.MAX_VALUE)
        if not k or k[0] != 0:
            raise ValueError(f"{w}: knots must start at 0, got {list(k)}")
        if any(b <= a for a, b in zip(k, k[1:])):
            raise ValueError(f"{w}: knots must be strictly increasing, got {list(k)}")
        if len(v) != len(k):
            raise ValueError(f"{w}: need len(values) == len(knots), got {len(v)} values, {len(k)} knots")
        ck.choice("kind", self.kind, ("linear", "cosine"), w)
        self._set("knots", k)
        self._set("values", v)

    def _segs(self) -> Segs:
        return seg.interpolation(tuple(self.knots), tuple(self.values), self.kind)


@dataclasses.dataclass(frozen=True)
class InverseSqrt(Shape):
    """``f(t) = start / sqrt((t + timescale) / timescale)`` (equals ``start`` at t = 0).

    ``power`` generalises the square root: ``f(t) = start ((t + timescale) / timescale)^-power``
    (timm's WSD ``stable_fn="power"``, the Power scheduler).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.InverseSqrt(1.0, timescale=4.0).table(13)[[0, 12]].tolist()
    [1.0, 0.5]
    """

    start: float
    timescale: float
    power: float = 0.5

    def __post_init__(self) -> None:
        w = "InverseSqrt"
        self._set("start", ck.lr("start", self.start, w))
        self._set("timescale", ck.length("timescale", self.timescale, w))
        self._set("power", ck.real("power", self.power, w, lo=0.0))

    @staticmethod
    def lower_columns(start: Any, timescale: Any, power: Any = 0.5) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.inverse_sqrt(start, timescale, power)


@dataclasses.dataclass(frozen=True)
class InverseTime(Shape):
    """``f(t) = start / (1 + rate * t / steps)`` (``floor(t / steps)`` when staircase).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.InverseTime(1.0, rate=1.0, steps=2.0).table(5).tolist()
    [1.0, 0.6666666666666666, 0.5, 0.4, 0.3333333333333333]
    >>> fastlr.InverseTime(1.0, rate=1.0, steps=2.0, staircase=True).table(5).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.3333333333333333]
    """

    start: float
    rate: float
    steps: float
    staircase: bool = False

    def __post_init__(self) -> None:
        w = "InverseTime"
        self._set("start", ck.lr("start", self.start, w))
        self._set("rate", ck.real("rate", self.rate, w, lo=0.0))
        self._set("steps", ck.length("steps", self.steps, w))
        if not isinstance(self.staircase, bool):
            raise TypeError(f"{w}: staircase must be a bool, got {self.staircase!r}")

    @staticmethod
    def lower_columns(start: Any, rate: Any, steps: Any, staircase: Any = False) -> Segs:
        """Segments for columns of this shape's parameters (see :class:`fastlr.Shape`)."""
        return seg.inverse_time(start, rate, steps, staircase)


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


@dataclasses.dataclass(frozen=True)
class Cyclic(Shape):
    """Cyclical learning rate (Smith 2017) between ``low`` and ``high``.

    ``f(t) = low + (high - low) s(t) g(t)`` with ``s`` the triangle rising over
    ``step_size_up`` and falling over ``step_size_down``; ``g`` is 1 (``triangular``),
    halved each cycle (``triangular2``) or ``gamma^t`` (``exp_range``).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Cyclic(0.1, 1.0, 2).table(9).round(6).tolist()
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.55, 1.0, 0.55, 0.1]
    >>> fastlr.Cyclic(0.0, 1.0, 2, mode="triangular2").table(9).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0]
    """

    low: float
    high: float
    step_size_up: float
    step_size_down: float | None = None
    mode: str = "triangular"
    gamma: float = 1.0

    def __post_init__(self) -> None:
        w = "Cyclic"
        self._set("low", ck.lr("low", self.low, w))
        self._set("high", ck.lr("high", self.high, w))
        self._set("step_size_up", ck.length("step_size_up", self.step_size_up, w))
        if self.step_size_down is not None:
            self._set("step_size_down", ck.length("step_size_down", self.step_size_down, w))
        ck.choice("mode", self.mode, _CYCLIC_MODES, w)
        self._set("gamma", ck.real("gamma", self.gamma, w, lo=0.0, hi=1.0, lo_open=True))

    def _segs(self) -> Segs:
        down = self.step_size_up if self.step_size_down is None else self.step_size_down
        mode = float(_CYCLIC_MODES.index(self.mode))
        return seg.cyclic(self.low, self.high, self.step_size_up, down, mode, self.gamma)


@dataclasses.dataclass(frozen=True)
class OneCycle(Shape):
    """The 1cycle policy: ``peak/div_factor`` up to ``peak``, then down to
    ``peak/(div_factor*final_div_factor)`` at ``total_steps``, held afterwards.

    Two phases: up over ``round(pct_start * total_steps)`` steps, then down. Three phases: up,
    back down to the initial value over the same length, then down to the minimum.
    ``anneal`` is ``"cos"`` or ``"linear"``.

    Examples
    --------
    >>> import fastlr
    >>> fastlr.OneCycle(1.0, 10).table(11).round(6).tolist()  # up over round(0.3 * 10) = 3 steps
    [0.04, 0.28, 0.76, 1.0, 0.950485, 0.811746, 0.611262, 0.388742, 0.188258, 0.049519, 4e-06]
    """

    peak: float
    total_steps: int
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    anneal: str = "cos"

    def __post_init__(self) -> None:
        w = "OneCycle"
        self._set("peak", ck.lr("peak", self.peak, w))
        self._set("total_steps", ck.step("total_steps", self.total_steps, w, lo=2))
        self._set("pct_start", ck.real("pct_start", self.pct_start, w, lo=0.0, hi=1.0, lo_open=True, hi_open=True))
        self._set("div_factor", ck.real("div_factor", self.div_factor, w, lo=0.0, lo_open=True))
        self._set("final_div_factor", ck.real("final_div_factor", self.final_div_factor, w, lo=0.0, lo_open=True))
        if not isinstance(self.three_phase, bool):
            raise TypeError(f"{w}: three_phase must be a bool, got {self.three_phase!r}")
        ck.choice("anneal", self.anneal, ("cos", "linear"), w)
        init = self.peak / self.div_factor
        if init > ck.MAX_VALUE or init / self.final_div_factor > ck.MAX_VALUE:
            raise ValueError(
                f"{w}: the initial value peak / div_factor = {init!r} and the final value "
                f"initial / final_div_factor = {init / self.final_div_factor!r} must be <= {ck.MAX_VALUE:g} "
                f"(peak={self.peak!r}, div_factor={self.div_factor!r}, final_div_factor={self.final_div_factor!r})"
            )
        up = self._up()
        last = 2 * up if self.three_phase else up
        if last >= self.total_steps:
            raise ValueError(
                f"{w}: pct_start={self.pct_start!r} leaves no room for the phases in total_steps={self.total_steps}"
            )

    def _up(self) -> int:
        return max(1, round(self.pct_start * self.total_steps))

    def _segs(self) -> Segs:
        init = self.peak / self.div_factor
        low = init / self.final_div_factor
        up = self._up()
        knots = (0, up, 2 * up, self.total_steps) if self.three_phase else (0, up, self.total_steps)
        values = (init, self.peak, init, low) if self.three_phase else (init, self.peak, low)
        return seg.interpolation(knots, values, "linear_split" if self.anneal == "linear" else "cosine")


@dataclasses.dataclass(frozen=True)
class Join(Shape):
    """Phases joined in local time: phase k runs on ``[boundaries[k-1], boundaries[k])`` and
    sees ``t - boundaries[k-1]`` (optax's ``join_schedules``).

    One phase may be a :class:`fastlr.Schedule` with :class:`fastlr.Restarts` (and nothing
    else: no warmup, scale 1, no floor): its cycles start at the phase's start (SGDR after a
    warmup or any other phase, torch's ``SequentialLR`` with a ``CosineAnnealingWarmRestarts``
    child).

    Examples
    --------
    >>> import fastlr
    >>> sgdr = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 4), restarts=fastlr.Restarts())
    >>> j = fastlr.Join((fastlr.Linear(0.5, 1.0, 2), sgdr), (3,))
    >>> j.table(9).tolist()
    [0.5, 0.75, 1.0, 1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 1.0, 0.8535533905932737]
    """

    phases: Sequence[Shape | Schedule]
    boundaries: Sequence[int]

    def __post_init__(self) -> None:
        w = "Join"
        one = isinstance(self.phases, (Shape, Schedule))
        phases = (self.phases,) if one else tuple(self.phases)
        restarted = 0
        for i, p in enumerate(phases):
            if isinstance(p, Schedule):
                _check_restart_phase(p, i, w)
                restarted += 1
            elif not isinstance(p, Shape):
                raise TypeError(
                    f"{w}: phases[{i}] must be a shape (Cosine, Linear, ...) or a Schedule with restarts, "
                    f"got {type(p).__name__}"
                )
            elif isinstance(p, Join) and p._restart_phase() is not None:
                raise ValueError(f"{w}: phases[{i}] is a Join with restarts; put its phases in this Join instead")
        if restarted > 1:
            raise ValueError(f"{w}: at most one phase may have restarts, got {restarted}")
        _check_depth(phases, w, "phases")
        b = ck.int_tuple("boundaries", self.boundaries, w, lo=1)
        if len(phases) < 1:
            raise ValueError(f"{w}: phases must not be empty")
        if len(b) != len(phases) - 1:
            raise ValueError(
                f"{w}: need len(boundaries) == len(phases) - 1, got {len(b)} boundaries for {len(phases)} phases"
            )
        if any(y <= x for x, y in zip(b, b[1:])):
            raise ValueError(f"{w}: boundaries must be strictly increasing, got {list(b)}")
        self._set("phases", phases)
        self._set("boundaries", b)

    def _restart_phase(self) -> tuple[int, Schedule] | None:
        """``(k, phase)`` for the phase with restarts, None when there is none."""
        for k, p in enumerate(self.phases):
            if isinstance(p, Schedule):
                return k, p
        return None

    def _segs(self) -> Segs:
        parts = []
        for p in self.phases:
            if isinstance(p, Schedule):
                parts.append(seg.first_only(p.curve._segments_array()))  # the restarted curve
            else:
                parts.append(p._segments_array())
        counts = [len(_curve(p)._user_shapes()) for p in self.phases]
        return seg.join(seg.user_slots(parts, counts), [self.boundaries])

    def _user_shapes(self) -> list[Any]:
        return [f for p in self.phases for f in _curve(p)._user_shapes()]


def _curve(phase: Shape | Schedule) -> Shape:
    """A Join phase's curve (a restarted phase's repeated curve)."""
    return phase.curve if isinstance(phase, Schedule) else phase


#: How deeply Join and Product may nest (each level a phase or factor of the next).
MAX_DEPTH = 100


def _depth(shape: Any) -> int:
    """Nesting depth of a shape: 1, plus the deepest phase or factor of a Join or Product
    (those were checked when they were built, so this recursion is at most MAX_DEPTH deep)."""
    inner = getattr(shape, "phases", None) or getattr(shape, "factors", None) or ()
    if isinstance(shape, Schedule):
        inner = (shape.curve,)
    return 1 + max((_depth(p) for p in inner), default=0)


def _check_depth(parts: tuple[Any, ...], where: str, name: str) -> None:
    depth = 1 + max(_depth(p) for p in parts)
    if depth > MAX_DEPTH:
        raise ValueError(
            f"{where}: {name} nested {depth} levels deep; at most {MAX_DEPTH} (flatten the phases or factors)"
        )


def _check_restart_phase(p: Schedule, i: int, where: str) -> None:
    """A Join phase that is a Schedule: restarts and nothing else."""
    if p.restarts is None:
        raise ValueError(f"{where}: phases[{i}] is a Schedule without restarts; pass its curve instead")
    extra = {
        "warmup": p.warmup is not None,
        "scale": p.scale != 1.0,
        "floor": p.floor is not None,
        "floor_ratio": p.floor_ratio is not None,
        "steps_per_epoch": p.steps_per_epoch != 1,
    }
    bad = [k for k, v in extra.items() if v]
    if bad:
        raise ValueError(
            f"{where}: phases[{i}] is a Schedule with restarts; as a Join phase it may set restarts only, "
            f"got {', '.join(bad)}"
        )


@dataclasses.dataclass(frozen=True)
class Product(Shape):
    """The pointwise product of shapes: ``f(t) = factors[0](t) * factors[1](t) * ...``.

    Every factor runs in the same local time and follows its own rules (holds, periodic
    continuation). Piecewise-constant factors (Constant, PiecewiseConstant, MultiStep, the
    pieces of a Join) cost nothing: the product splits the other factors at their boundaries and
    scales them. Two or more continuous factors on a piece become one product segment, evaluated
    as the product of the factors' values (a cosine times an exponential, torch's chained decays,
    timm's decaying stable phase times its cooldown).

    Examples
    --------
    >>> import fastlr
    >>> p = fastlr.Product((fastlr.Cosine(1.0, 0.0, 4), fastlr.Exponential(2.0, 0.5, 1.0)))
    >>> p.table(5).tolist()
    [2.0, 0.8535533905932737, 0.25, 0.03661165235168157, 0.0]
    """

    factors: Sequence[Shape]

    def __post_init__(self) -> None:
        w = "Product"
        fs = (self.factors,) if isinstance(self.factors, Shape) else tuple(self.factors)
        if not fs:
            raise ValueError(f"{w}: factors must not be empty")
        for i, f in enumerate(fs):
            if not isinstance(f, Shape):
                raise TypeError(f"{w}: factors[{i}] must be a shape (Cosine, Exponential, ...), got {type(f).__name__}")
            if isinstance(f, Join) and f._restart_phase() is not None:
                raise ValueError(f"{w}: factors[{i}] is a Join with restarts, which cannot be a factor")
        _check_depth(fs, w, "factors")
        self._set("factors", fs)
        self._segments()

    def _segs(self) -> Segs:
        parts = [f._segments_array() for f in self.factors]
        return seg.product(seg.user_slots(parts, [len(f._user_shapes()) for f in self.factors]))

    def _user_shapes(self) -> list[Any]:
        return [u for f in self.factors for u in f._user_shapes()]

    def start_value(self) -> float:
        """The value at local step 0: the product of the factors' start values."""
        return math.prod(f.start_value() for f in self.factors)
