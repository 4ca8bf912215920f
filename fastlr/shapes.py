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

from fastlr import _checks as ck
from fastlr._base import Schedulable, Seg
from fastlr.kernels import formulas
from fastlr.kernels import layout as L

__all__ = [
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
    "Shape",
    "SqrtCooldown",
    "StepDecay",
    "Tanh",
]


def seg_value(s: Seg, x: float) -> float:
    """A segment's value at local progress time ``x`` (plain-Python formula path)."""
    return s.base + s.amp * formulas.unit(s.code, x, s.n, s.q0, s.q1, s.q2, s.q3)


class Shape(Schedulable):
    """A curve in local time. Lowered to segments; used directly as a schedule."""

    def _segments(self) -> list[Seg]:
        raise NotImplementedError

    def _schedule(self) -> Any:
        from fastlr.schedule import Schedule

        return Schedule(self)

    def start_value(self) -> float:
        """The value at local step 0."""
        s = self._segments()[0]
        return seg_value(s, -s.off)


def _horizon(obj: Any, where: str) -> tuple[int, float, float]:
    steps = ck.integer("steps", obj.steps, where, lo=1)
    span = float(steps) if obj.span is None else ck.real("span", obj.span, where, lo=0.0, lo_open=True)
    offset = ck.real("offset", obj.offset, where)
    obj._set("steps", steps)
    obj._set("span", None if obj.span is None else span)
    obj._set("offset", offset)
    return steps, span, offset


def _with_tail(seg: Seg, steps: int, where: str, *, unit_interval: bool = False) -> list[Seg]:
    """The segment over ``[0, steps)`` and a constant tail holding its value at ``steps``.

    Checks the formula is finite (and, for shapes defined on ``p in [0, 1]``, in range) at both
    ends; the unit curves are monotone on their domain, so that bounds every value in between.
    """
    x0, x1 = -seg.off, steps - seg.off
    if unit_interval:
        p0, p1 = x0 / seg.n, x1 / seg.n
        if p0 < 0.0 or p1 > 1.0 + 1e-12:
            raise ValueError(
                f"{where}: progress (t - offset) / span must stay in [0, 1] over [0, steps]; "
                f"got {p0!r} .. {p1!r} (steps={steps}, span={seg.n!r}, offset={seg.off!r})"
            )
    v0, v1 = seg_value(seg, x0), seg_value(seg, min(x1, seg.n) if unit_interval else x1)
    for label, v in (("start", v0), ("end", v1)):
        if not math.isfinite(v):
            raise ValueError(f"{where}: the curve is not finite at its {label} ({v!r}); check span/offset")
    return [seg, Seg(steps, L.CONST, v1, 0.0, 1.0)]


def _nonneg(where: str, **values: float) -> None:
    for name, v in values.items():
        ck.real(name, v, where, lo=0.0)


@dataclasses.dataclass(frozen=True)
class Constant(Shape):
    """``f(t) = value``."""

    value: float

    def __post_init__(self) -> None:
        self._set("value", ck.real("value", self.value, "Constant", lo=0.0))

    def _segments(self) -> list[Seg]:
        return [Seg(0, L.CONST, self.value, 0.0, 1.0)]


@dataclasses.dataclass(frozen=True)
class Linear(Shape):
    """``f(t) = start + (end - start) p`` with ``p = (t - offset)/span``, held after ``steps``.

    Rising curves are evaluated as ``start + (end - start) p``, falling ones as
    ``end + (start - end)(1 - p)``, so the value near a zero end keeps full relative accuracy.
    """

    start: float
    end: float
    steps: int
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "Linear"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("end", ck.real("end", self.end, w, lo=0.0))
        _horizon(self, w)

    def _segments(self) -> list[Seg]:
        n = float(self.steps) if self.span is None else self.span
        if self.start <= self.end:
            seg = Seg(0, L.LIN_UP, self.start, self.end - self.start, n, self.offset)
        else:
            seg = Seg(0, L.LIN_DOWN, self.end, self.start - self.end, n, self.offset)
        return _with_tail(seg, self.steps, "Linear", unit_interval=True)


@dataclasses.dataclass(frozen=True)
class Cosine(Shape):
    """Cosine annealing from ``start`` to ``end`` over ``steps``.

    ``f(t) = end + (start - end) ((1 + cos(2 pi cycles p)) / 2)^exponent``,
    ``p = ((t - offset)/span)^k_decay`` (``(t^k)/(span^k)`` as timm computes it). ``cycles=0.5``
    is the half cosine that ends at ``end``. ``after="hold"`` holds the value reached at
    ``steps``; ``after="continue"`` keeps the periodic formula (PyTorch, transformers).
    """

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
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("end", ck.real("end", self.end, w, lo=0.0))
        self._set("exponent", ck.real("exponent", self.exponent, w, lo=0.0, lo_open=True))
        self._set("k_decay", ck.real("k_decay", self.k_decay, w, lo=0.0, lo_open=True))
        self._set("cycles", ck.real("cycles", self.cycles, w, lo=0.0, lo_open=True))
        ck.choice("after", self.after, ("hold", "continue"), w)
        _horizon(self, w)
        if self.offset > 0.0 and (self.k_decay != 1.0 or self.exponent != 1.0):
            raise ValueError(f"{w}: offset must be <= 0 with k_decay or exponent != 1, got {self.offset!r}")
        self._segments()

    def _segment(self) -> Seg:
        n = float(self.steps) if self.span is None else self.span
        plain = self.exponent == 1.0 and self.k_decay == 1.0 and self.cycles == 0.5
        if plain and self.start <= self.end and self.after == "hold":
            return Seg(0, L.COS_UP, self.start, self.end - self.start, n, self.offset, 1.0)
        return Seg(
            0,
            L.COS_DOWN,
            self.end,
            self.start - self.end,
            n,
            self.offset,
            self.exponent,
            self.k_decay,
            2.0 * self.cycles,
        )

    def _segments(self) -> list[Seg]:
        seg = self._segment()
        if self.after == "continue":
            return [seg]
        return _with_tail(seg, self.steps, "Cosine", unit_interval=self.k_decay != 1.0 or self.exponent != 1.0)


@dataclasses.dataclass(frozen=True)
class Polynomial(Shape):
    """``f(t) = end + (start - end)(1 - p)^power``, ``p = ((t - offset)/span)^k_decay``."""

    start: float
    end: float
    steps: int
    power: float = 1.0
    k_decay: float = 1.0
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "Polynomial"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("end", ck.real("end", self.end, w, lo=0.0))
        self._set("power", ck.real("power", self.power, w, lo=0.0, lo_open=True))
        self._set("k_decay", ck.real("k_decay", self.k_decay, w, lo=0.0, lo_open=True))
        _horizon(self, w)
        self._segments()

    def _segments(self) -> list[Seg]:
        n = float(self.steps) if self.span is None else self.span
        seg = Seg(0, L.POLY_DOWN, self.end, self.start - self.end, n, self.offset, self.power, self.k_decay)
        return _with_tail(seg, self.steps, "Polynomial", unit_interval=True)


@dataclasses.dataclass(frozen=True)
class Tanh(Shape):
    """``f(t) = end + (start - end)(1 - tanh(lower (1 - p) + upper p)) / 2`` (timm's tanh)."""

    start: float
    end: float
    steps: int
    lower: float = -7.0
    upper: float = 3.0
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "Tanh"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("end", ck.real("end", self.end, w, lo=0.0))
        self._set("lower", ck.real("lower", self.lower, w))
        self._set("upper", ck.real("upper", self.upper, w))
        if not self.lower < self.upper:
            raise ValueError(f"Tanh: lower must be < upper, got lower={self.lower!r}, upper={self.upper!r}")
        _horizon(self, w)
        self._segments()

    def _segments(self) -> list[Seg]:
        n = float(self.steps) if self.span is None else self.span
        seg = Seg(0, L.TANH, self.end, self.start - self.end, n, self.offset, self.lower, self.upper)
        return _with_tail(seg, self.steps, "Tanh", unit_interval=True)


@dataclasses.dataclass(frozen=True)
class SqrtCooldown(Shape):
    """The 1-sqrt cooldown: ``f(t) = end + (start - end)(1 - sqrt(p))``."""

    start: float
    end: float
    steps: int
    span: float | None = None
    offset: float = 0.0

    def __post_init__(self) -> None:
        w = "SqrtCooldown"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("end", ck.real("end", self.end, w, lo=0.0))
        _horizon(self, w)
        self._segments()

    def _segments(self) -> list[Seg]:
        n = float(self.steps) if self.span is None else self.span
        seg = Seg(0, L.SQRT_DOWN, self.end, self.start - self.end, n, self.offset)
        return _with_tail(seg, self.steps, "SqrtCooldown", unit_interval=True)


@dataclasses.dataclass(frozen=True)
class Exponential(Shape):
    """``f(t) = start * rate^((t - begin)/steps)`` for ``t >= begin``, ``start`` before.

    ``staircase`` floors the exponent; ``end`` clips the curve (a minimum when ``rate < 1``, a
    maximum when ``rate > 1``; a growing curve needs one so it stays finite).
    """

    start: float
    rate: float
    steps: float
    staircase: bool = False
    begin: int = 0
    end: float | None = None

    def __post_init__(self) -> None:
        w = "Exponential"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("rate", ck.real("rate", self.rate, w, lo=0.0, lo_open=True))
        self._set("steps", ck.real("steps", self.steps, w, lo=0.0, lo_open=True))
        if not isinstance(self.staircase, bool):
            raise TypeError(f"{w}: staircase must be a bool, got {self.staircase!r}")
        self._set("begin", ck.integer("begin", self.begin, w, lo=0))
        if self.end is not None:
            self._set("end", ck.real("end", self.end, w, lo=0.0))
        elif self.rate > 1.0:
            raise ValueError(f"{w}: a growing curve (rate={self.rate!r} > 1) needs end= to stay finite")

    def _segments(self) -> list[Seg]:
        has = self.end is not None and self.start > 0.0
        clip = self.end / self.start if has and self.end is not None else 0.0
        seg = Seg(0, L.EXP, 0.0, self.start, self.steps, 0.0, self.rate, float(self.staircase), clip, float(has))
        if self.begin == 0:
            return [seg]
        return [Seg(0, L.CONST, self.start, 0.0, 1.0), seg._replace(start=self.begin, off=0.0)]


@dataclasses.dataclass(frozen=True)
class StepDecay(Shape):
    """``f(t) = start * gamma^floor(t / step_size)`` (decay every ``step_size`` steps)."""

    start: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        w = "StepDecay"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("step_size", ck.integer("step_size", self.step_size, w, lo=1))
        self._set("gamma", ck.real("gamma", self.gamma, w, lo=0.0, hi=1.0, lo_open=True))

    def _segments(self) -> list[Seg]:
        return [Seg(0, L.EXP, 0.0, self.start, float(self.step_size), 0.0, self.gamma, 1.0, 0.0, 0.0)]


@dataclasses.dataclass(frozen=True)
class MultiStep(Shape):
    """``f(t) = start * gamma^(number of milestones <= t)``; a repeated milestone counts twice."""

    start: float
    milestones: Sequence[int]
    gamma: float = 0.1

    def __post_init__(self) -> None:
        w = "MultiStep"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        ms = ck.int_tuple("milestones", self.milestones, w, lo=0)
        if list(ms) != sorted(ms):
            raise ValueError(f"{w}: milestones must be sorted ascending, got {list(ms)}")
        self._set("milestones", ms)
        self._set("gamma", ck.real("gamma", self.gamma, w, lo=0.0, lo_open=True))

    def _segments(self) -> list[Seg]:
        segs = [Seg(0, L.CONST, self.start, 0.0, 1.0)]
        count = 0
        for i, m in enumerate(self.milestones):
            count += 1
            if i + 1 < len(self.milestones) and self.milestones[i + 1] == m:
                continue
            v = self.start * self.gamma**count
            if m == 0:
                segs[0] = Seg(0, L.CONST, v, 0.0, 1.0)
            else:
                segs.append(Seg(m, L.CONST, v, 0.0, 1.0))
        return segs


@dataclasses.dataclass(frozen=True)
class PiecewiseConstant(Shape):
    """``values[i]`` for ``boundaries[i-1] <= t < boundaries[i]`` (switches at the boundary)."""

    boundaries: Sequence[int]
    values: Sequence[float]

    def __post_init__(self) -> None:
        w = "PiecewiseConstant"
        b = ck.int_tuple("boundaries", self.boundaries, w, lo=1)
        v = ck.real_tuple("values", self.values, w, lo=0.0)
        if any(b2 <= b1 for b1, b2 in zip(b, b[1:])):
            raise ValueError(f"{w}: boundaries must be strictly increasing, got {list(b)}")
        if len(v) != len(b) + 1:
            raise ValueError(f"{w}: need len(values) == len(boundaries) + 1, got {len(v)} values, {len(b)} boundaries")
        self._set("boundaries", b)
        self._set("values", v)

    def _segments(self) -> list[Seg]:
        starts = (0, *self.boundaries)
        return [Seg(s, L.CONST, v, 0.0, 1.0) for s, v in zip(starts, self.values)]


@dataclasses.dataclass(frozen=True)
class PiecewiseInterp(Shape):
    """Interpolation through ``(knots[i], values[i])``, linear or cosine; holds the last value.

    ``knots`` start at 0 and increase strictly. Linear: ``v0 + (v1 - v0) p``; cosine:
    ``v1 + (v0 - v1)(1 + cos(pi p))/2`` with ``p`` the progress within the piece.
    """

    knots: Sequence[int]
    values: Sequence[float]
    kind: str = "linear"

    def __post_init__(self) -> None:
        w = "PiecewiseInterp"
        k = ck.int_tuple("knots", self.knots, w, lo=0)
        v = ck.real_tuple("values", self.values, w, lo=0.0)
        if not k or k[0] != 0:
            raise ValueError(f"{w}: knots must start at 0, got {list(k)}")
        if any(b <= a for a, b in zip(k, k[1:])):
            raise ValueError(f"{w}: knots must be strictly increasing, got {list(k)}")
        if len(v) != len(k):
            raise ValueError(f"{w}: need len(values) == len(knots), got {len(v)} values, {len(k)} knots")
        ck.choice("kind", self.kind, ("linear", "cosine"), w)
        self._set("knots", k)
        self._set("values", v)

    def _segments(self) -> list[Seg]:
        segs = []
        for (a, b), (va, vb) in zip(zip(self.knots, self.knots[1:]), zip(self.values, self.values[1:])):
            if self.kind == "linear":
                segs.append(Seg(a, L.LIN_UP, va, vb - va, float(b - a)))
            else:
                segs.append(Seg(a, L.COS_DOWN, vb, va - vb, float(b - a), 0.0, 1.0, 1.0, 1.0))
        segs.append(Seg(self.knots[-1], L.CONST, self.values[-1], 0.0, 1.0))
        return segs


@dataclasses.dataclass(frozen=True)
class InverseSqrt(Shape):
    """``f(t) = start / sqrt((t + timescale) / timescale)`` (equals ``start`` at t = 0)."""

    start: float
    timescale: float

    def __post_init__(self) -> None:
        w = "InverseSqrt"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("timescale", ck.real("timescale", self.timescale, w, lo=0.0, lo_open=True))

    def _segments(self) -> list[Seg]:
        return [Seg(0, L.INV_SQRT, 0.0, self.start, self.timescale, -self.timescale)]


@dataclasses.dataclass(frozen=True)
class InverseTime(Shape):
    """``f(t) = start / (1 + rate * t / steps)`` (``floor(t / steps)`` when staircase)."""

    start: float
    rate: float
    steps: float
    staircase: bool = False

    def __post_init__(self) -> None:
        w = "InverseTime"
        self._set("start", ck.real("start", self.start, w, lo=0.0))
        self._set("rate", ck.real("rate", self.rate, w, lo=0.0))
        self._set("steps", ck.real("steps", self.steps, w, lo=0.0, lo_open=True))
        if not isinstance(self.staircase, bool):
            raise TypeError(f"{w}: staircase must be a bool, got {self.staircase!r}")

    def _segments(self) -> list[Seg]:
        return [Seg(0, L.INV_TIME, 0.0, self.start, self.steps, 0.0, self.rate, float(self.staircase))]


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


@dataclasses.dataclass(frozen=True)
class Cyclic(Shape):
    """Cyclical learning rate (Smith 2017) between ``low`` and ``high``.

    ``f(t) = low + (high - low) s(t) g(t)`` with ``s`` the triangle rising over
    ``step_size_up`` and falling over ``step_size_down``; ``g`` is 1 (``triangular``),
    halved each cycle (``triangular2``) or ``gamma^t`` (``exp_range``).
    """

    low: float
    high: float
    step_size_up: float
    step_size_down: float | None = None
    mode: str = "triangular"
    gamma: float = 1.0

    def __post_init__(self) -> None:
        w = "Cyclic"
        self._set("low", ck.real("low", self.low, w, lo=0.0))
        self._set("high", ck.real("high", self.high, w, lo=0.0))
        self._set("step_size_up", ck.real("step_size_up", self.step_size_up, w, lo=0.0, lo_open=True))
        if self.step_size_down is not None:
            self._set("step_size_down", ck.real("step_size_down", self.step_size_down, w, lo=0.0, lo_open=True))
        ck.choice("mode", self.mode, _CYCLIC_MODES, w)
        self._set("gamma", ck.real("gamma", self.gamma, w, lo=0.0, hi=1.0, lo_open=True))

    def _segments(self) -> list[Seg]:
        down = self.step_size_up if self.step_size_down is None else self.step_size_down
        mode = float(_CYCLIC_MODES.index(self.mode))
        return [Seg(0, L.CYCLIC, self.low, self.high - self.low, 1.0, 0.0, self.step_size_up, down, mode, self.gamma)]


@dataclasses.dataclass(frozen=True)
class OneCycle(Shape):
    """The 1cycle policy: ``peak/div_factor`` up to ``peak``, then down to
    ``peak/(div_factor*final_div_factor)`` at ``total_steps``, held afterwards.

    Two phases: up over ``round(pct_start * total_steps)`` steps, then down. Three phases: up,
    back down to the initial value over the same length, then down to the minimum.
    ``anneal`` is ``"cos"`` or ``"linear"``.
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
        self._set("peak", ck.real("peak", self.peak, w, lo=0.0))
        self._set("total_steps", ck.integer("total_steps", self.total_steps, w, lo=2))
        self._set("pct_start", ck.real("pct_start", self.pct_start, w, lo=0.0, hi=1.0, lo_open=True, hi_open=True))
        self._set("div_factor", ck.real("div_factor", self.div_factor, w, lo=0.0, lo_open=True))
        self._set("final_div_factor", ck.real("final_div_factor", self.final_div_factor, w, lo=0.0, lo_open=True))
        if not isinstance(self.three_phase, bool):
            raise TypeError(f"{w}: three_phase must be a bool, got {self.three_phase!r}")
        ck.choice("anneal", self.anneal, ("cos", "linear"), w)
        up = self._up()
        last = 2 * up if self.three_phase else up
        if last >= self.total_steps:
            raise ValueError(
                f"{w}: pct_start={self.pct_start!r} leaves no room for the phases in total_steps={self.total_steps}"
            )

    def _up(self) -> int:
        return max(1, round(self.pct_start * self.total_steps))

    def _segments(self) -> list[Seg]:
        init = self.peak / self.div_factor
        low = init / self.final_div_factor
        up = self._up()
        knots = [0, up, 2 * up, self.total_steps] if self.three_phase else [0, up, self.total_steps]
        values = [init, self.peak, init, low] if self.three_phase else [init, self.peak, low]
        segs = []
        for (a, b), (va, vb) in zip(zip(knots, knots[1:]), zip(values, values[1:])):
            n = float(b - a)
            if self.anneal == "linear":
                segs.append(Seg(a, L.LIN_UP, va, vb - va, n) if va <= vb else Seg(a, L.LIN_DOWN, vb, va - vb, n))
            else:
                segs.append(Seg(a, L.COS_DOWN, vb, va - vb, n, 0.0, 1.0, 1.0, 1.0))
        segs.append(Seg(self.total_steps, L.CONST, low, 0.0, 1.0))
        return segs


@dataclasses.dataclass(frozen=True)
class Join(Shape):
    """Phases joined in local time: phase k runs on ``[boundaries[k-1], boundaries[k])`` and
    sees ``t - boundaries[k-1]`` (optax's ``join_schedules``)."""

    phases: Sequence[Shape]
    boundaries: Sequence[int]

    def __post_init__(self) -> None:
        w = "Join"
        phases = tuple(self.phases) if not isinstance(self.phases, Shape) else (self.phases,)
        for i, p in enumerate(phases):
            if not isinstance(p, Shape):
                raise TypeError(f"{w}: phases[{i}] must be a shape (Cosine, Linear, ...), got {type(p).__name__}")
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

    def _segments(self) -> list[Seg]:
        out: list[Seg] = []
        starts = (0, *self.boundaries)
        ends = (*self.boundaries, None)
        for phase, a, b in zip(self.phases, starts, ends):
            for s in phase._segments():
                if b is not None and a + s.start >= b:
                    break
                out.append(s._replace(start=a + s.start))
        return out
