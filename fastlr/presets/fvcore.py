"""fvcore / detectron2 dialect: fvcore's ParamSchedulers and detectron2's LR schedules
(matched: fvcore 0.1.5.post20221221, detectron2 ``solver/lr_scheduler.py`` and ``build.py`` at
02b5c4e2).

An fvcore scheduler is a function of ``where`` in ``[0, 1)``, the fraction of training done; the
trainer evaluates it at ``where = i / total_steps`` for optimizer step ``i`` (detectron2's
``LRMultiplier``: ``lr = base_lr * multiplier(i / max_iter)``). Every scheduler here takes the
keyword ``total_steps``: given, it returns the fastlr schedule whose ``table(T)[i]`` is
``scheduler(i / total_steps)``; omitted, it returns a :class:`ParamScheduler` description to
nest in :func:`CompositeParamScheduler` or :func:`WarmupParamScheduler` (children are built
without ``total_steps``)::

    import fastlr.presets.fvcore as fv
    warm = fv.WarmupParamScheduler(fv.CosineParamScheduler(1.0, 0.0), warmup_factor=0.001,
                                   warmup_length=0.01, total_steps=90_000)
    d2 = fv.WarmupMultiStepLR(base_lr=0.02, steps=(60_000, 80_000), total_steps=90_000)

fvcore's arithmetic is reproduced: ``where`` is a float (``i / total_steps``, then
``(where - start) / length`` inside a rescaled composite interval); every discrete decision
(the composite interval, the Step index ``int((where + 1e-6) * len(values))``, the MultiStep epoch
``int((where + 1e-6) * num_updates)``) is evaluated with those exact floats, and the integer step
at which it switches is found by bisection, so switch steps match fvcore bit for bit, including
its ``WHERE_EPSILON`` shifts. Inside an interval the smooth curves use the same closed forms
with progress ``(t - offset) / span``, equal to fvcore's to rounding. fvcore's rescaled
``(where - start) / length`` magnifies the rounding of ``where`` by ``1 / length``; a rescaled
interval shorter than 1e-3 of training is therefore laid out value by value (fvcore's exact
floats) when it spans at most 64 steps, and otherwise agrees to about ``1e-16 / length``
relative.

Quirks reproduced
-----------------
- ``WHERE_EPSILON = 1e-6``: a Step/MultiStep value and a composite interval switch as soon as
  ``where + 1e-6`` passes the threshold, so with ``total_steps > 1e6`` they switch one step
  early (detectron2's warmup ends at ``warmup_iters - 1`` then).
- ``StepParamScheduler``: ``num_updates`` is only validated; the values split ``where`` into
  equal parts whatever ``total_steps`` is.
- ``MultiStepParamScheduler``: default milestones ``ceil(num_updates / len(values)) * k``; with
  ``num_updates=None`` the last milestone is ``num_updates``; the epoch is
  ``int((where + 1e-6) * num_updates)``, so ``num_updates != total_steps`` rescales milestones.
- ``CompositeParamScheduler``: lengths within 1e-3 of summing to 1 are accepted and the last one
  adjusted (on a copy; fvcore edits the caller's list); ``"fixed"`` children see the global
  ``where``, ``"rescaled"`` ones ``(where - start) / length``.
- ``CosineParamScheduler`` keeps following the cosine past ``where = 1`` (it rises again);
  ``ExponentialParamScheduler`` keeps decaying.
- With ``total_steps > 1e6``, ``where + 1e-6`` reaches 1 before the last step, so a
  ``StepParamScheduler`` (and detectron2's ``WarmupStepWithFixedGammaLR``) raises ``IndexError``
  on the last step(s) of training in fvcore; fastlr holds the last value there.
- detectron2 ``WarmupParamScheduler``: warms from ``warmup_factor * S(0)`` to ``S(warmup_length)``
  (``S(0)`` with ``rescale_interval``) while, by default ("fixed"), the main scheduler keeps
  running on the global ``where`` underneath; ``WarmupMultiStepLR`` drops steps beyond
  ``max_iter`` and uses ``gamma ** k``; ``WarmupCosineLR`` decays to ``base_lr_end / base_lr``;
  ``warmup_length = min(warmup_iters / max_iter, 1)``.

Past the end (fvcore raises, extrapolates or fails)
----------------------------------------------------
fastlr tables are defined for every step. Where fvcore raises (``ConstantParamScheduler`` at
``where >= 1``, ``MultiStepParamScheduler`` at ``where > 1``, ``StepParamScheduler`` indexing
past its list at ``where >= 1 - 1e-6``, a zero-length rescaled last interval) or extrapolates
(``LinearParamScheduler`` beyond its end value, possibly negative; ``PolynomialDecayParamScheduler``
turns complex), fastlr holds the last value fvcore defines. detectron2 trains for
``max_iter`` steps, so steps ``0 .. total_steps - 1`` are always exact.

Rejected (fvcore checks, plus cases it would fail on): fvcore's own validation (milestones,
lengths, interval names, positive ``StepWithFixedGamma`` parameters) raises the same
``ValueError``; negative values, ``decay <= 0``, ``power < 0``, negative lengths, a warmup
scheduler that fvcore cannot evaluate at ``warmup_length``, and ``base_lr_end / base_lr``
outside ``[0, 1]`` (detectron2 asserts) raise ``ValueError``.

Examples
--------
Step ``i`` is fvcore's ``where = i / total_steps``:

>>> import fastlr.presets.fvcore as fv
>>> fv.CosineParamScheduler(1.0, 0.0, total_steps=4).table(5).round(6).tolist()
[1.0, 0.853553, 0.5, 0.146447, 0.0]
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule
from fastlr.shapes import (
    Constant,
    Cosine,
    Exponential,
    Join,
    Linear,
    PiecewiseConstant,
    Polynomial,
    Shape,
)

__all__ = [
    "CompositeParamScheduler",
    "ConstantParamScheduler",
    "CosineParamScheduler",
    "ExponentialParamScheduler",
    "LinearParamScheduler",
    "MultiStepParamScheduler",
    "ParamScheduler",
    "PolynomialDecayParamScheduler",
    "StepParamScheduler",
    "StepWithFixedGammaParamScheduler",
    "WarmupCosineLR",
    "WarmupMultiStepLR",
    "WarmupParamScheduler",
    "WarmupStepWithFixedGammaLR",
]

PEER = "fvcore"
PEER_VERSION = "0.1.5.post20221221"

#: fvcore's ``ParamScheduler.WHERE_EPSILON``.
WHERE_EPSILON = 1e-6
#: A rescaled interval shorter than this fraction of training magnifies float rounding in its
#: ``where`` (by 1/length); up to ``MAX_TABULATED`` steps of it are laid out value by value.
SHORT_INTERVAL = 1e-3
MAX_TABULATED = 64
#: Where fvcore's growing exponential would overflow, fastlr holds the largest float32.
FLOAT32_MAX = float(np.finfo(np.float32).max)


# ---- build context -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Ctx:
    """Where a scheduler is laid out: global steps ``[a, b)`` (``b=None``: unbounded), the
    exact fvcore ``where`` of a global step, and its affine form ``where ~ (t - off) / span``."""

    a: int
    b: int | None
    where: Callable[[int], float]
    off: float
    span: float
    scale: float = 1.0  # this where's unit as a fraction of the top-level where

    @property
    def local_off(self) -> float:
        """The progress origin in this piece's local time (``x = t - a``)."""
        return self.off - self.a


def _first_true(pred: Callable[[int], bool], lo: int, hi: int | None) -> int | None:
    """Smallest ``t`` in ``[lo, hi)`` with ``pred(t)`` for a monotone ``pred``; None if none."""
    if hi is not None and lo >= hi:
        return None
    if pred(lo):
        return lo
    if hi is None:  # grow an upper bound; where grows without bound, so this ends
        step = 1
        while not pred(lo + step):
            step *= 2
            if step > 1 << 62:
                return None
        top = lo + step
    else:
        if not pred(hi - 1):
            return None
        top = hi - 1
    bot = lo  # pred(bot) False, pred(top) True
    while top - bot > 1:
        mid = (bot + top) // 2
        if pred(mid):
            top = mid
        else:
            bot = mid
    return top


def _pieces(parts: list[tuple[int, Shape]]) -> Shape:
    """Join ``(local start, shape)`` parts (starts increasing, the first 0)."""
    parts = [p for i, p in enumerate(parts) if i + 1 == len(parts) or parts[i + 1][0] > p[0]]
    if not parts:  # a composite spanning no optimizer step: never evaluated
        return Constant(0.0)
    if len(parts) == 1:
        return parts[0][1]
    return Join(tuple(s for _, s in parts), tuple(a for a, _ in parts[1:]))


def _steps(ctx: _Ctx) -> Callable[[int], float]:
    return lambda x: (x - ctx.local_off) / ctx.span


def _unit_curve(ctx: _Ctx, make: Callable[[int, float, float], Shape], value: Callable[[float], float]) -> Shape:
    """A curve defined for progress in [0, 1]: leading steps with progress < 0 (a few at most,
    where fvcore's epsilon starts an interval early) take fvcore's exact value; the curve then
    runs to the last step with progress <= 1 and holds."""
    prog = _steps(ctx)
    parts: list[tuple[int, Shape]] = []
    j = 0
    while prog(j) < 0.0:
        parts.append((j, Constant(max(0.0, value(ctx.where(ctx.a + j))))))
        j += 1
    off = ctx.local_off - j  # origin relative to local step j
    last = math.floor(ctx.span + off)
    while (last + 1 - off) / ctx.span <= 1.0 + 1e-12:
        last += 1
    while last >= 1 and (last - off) / ctx.span > 1.0 + 1e-12:
        last -= 1
    if last >= 1:
        parts.append((j, make(last, ctx.span, off)))
    else:  # less than one step before progress 1: the value at min(where, 1)
        parts.append((j, Constant(max(0.0, value(min(ctx.where(ctx.a + j), 1.0))))))
    return _pieces(parts)


def _above(idx: Callable[[int], int], k: int, t: int) -> bool:
    return idx(t) > k


def _passes(where: Callable[[int], float], threshold: float, t: int) -> bool:
    """fvcore's interval test ``where + WHERE_EPSILON > running_total``."""
    return where(t) + WHERE_EPSILON > threshold


def _discrete(ctx: _Ctx, index: Callable[[float], int], lookup: Callable[[int], float], top: int) -> Shape:
    """A piecewise-constant child: ``lookup(index(where))`` with a monotone integer ``index``;
    indexes past ``top`` (where fvcore fails) hold ``lookup(top)``."""

    def idx(t: int) -> int:
        return min(index(ctx.where(t)), top)

    starts = [0]
    values = [lookup(idx(ctx.a))]
    k = idx(ctx.a)
    while k < top:
        t = _first_true(functools.partial(_above, idx, k), ctx.a, ctx.b)
        if t is None:
            break
        k = idx(t)
        v = lookup(k)
        if v != values[-1]:
            starts.append(t - ctx.a)
            values.append(v)
    if len(values) == 1:
        return Constant(values[0])
    return PiecewiseConstant(boundaries=tuple(starts[1:]), values=tuple(values))


# ---- scheduler descriptions ----------------------------------------------------------------


class ParamScheduler:
    """An fvcore scheduler description (what the functions return without ``total_steps``).

    ``s(where)`` evaluates fvcore's formula in Python (raising where fvcore raises);
    ``s.build(total_steps)`` gives the fastlr schedule.
    """

    name = "ParamScheduler"

    def __call__(self, where: float) -> float:
        raise NotImplementedError

    def _build(self, ctx: _Ctx) -> Shape:
        raise NotImplementedError

    def build(self, total_steps: int) -> Shape:
        """The fastlr schedule of ``self(i / total_steps)`` for steps ``i``."""
        n = ck.integer("total_steps", total_steps, self.name, lo=1)
        return self._build(_Ctx(0, None, lambda t: t / n, 0.0, float(n)))


def _where_error(where: float) -> RuntimeError:
    return RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")


@dataclasses.dataclass(frozen=True)
class _Constant(ParamScheduler):
    name = "ConstantParamScheduler"

    value: float

    def __call__(self, where: float) -> float:
        if where >= 1.0:
            raise _where_error(where)
        return self.value

    def _build(self, ctx: _Ctx) -> Shape:
        return Constant(self.value)


@dataclasses.dataclass(frozen=True)
class _Cosine(ParamScheduler):
    name = "CosineParamScheduler"

    start: float
    end: float

    def __call__(self, where: float) -> float:
        return self.end + 0.5 * (self.start - self.end) * (1 + math.cos(math.pi * where))

    def _build(self, ctx: _Ctx) -> Shape:
        return Cosine(self.start, self.end, steps=1, after="continue", span=ctx.span, offset=ctx.local_off)


@dataclasses.dataclass(frozen=True)
class _Linear(ParamScheduler):
    name = "LinearParamScheduler"

    start: float
    end: float

    def __call__(self, where: float) -> float:
        return self.end * where + self.start * (1 - where)

    def _build(self, ctx: _Ctx) -> Shape:
        return _unit_curve(
            ctx, lambda n, span, off: Linear(self.start, self.end, steps=n, span=span, offset=off), self.__call__
        )


@dataclasses.dataclass(frozen=True)
class _Exponential(ParamScheduler):
    name = "ExponentialParamScheduler"

    start: float
    decay: float

    def __call__(self, where: float) -> float:
        return self.start * (self.decay**where)

    def _build(self, ctx: _Ctx) -> Shape:
        # start * decay^((x - off) / span) = (start * decay^(-off / span)) * decay^(x / span)
        off = ctx.local_off
        start = self.start if off == 0.0 else self.start * self.decay ** (-off / ctx.span)
        cap = FLOAT32_MAX if self.decay > 1.0 else None
        return Exponential(start=start, rate=self.decay, steps=ctx.span, end=cap)


@dataclasses.dataclass(frozen=True)
class _Poly(ParamScheduler):
    name = "PolynomialDecayParamScheduler"

    base: float
    power: float

    def __call__(self, where: float) -> float:
        return self.base * (1 - where) ** self.power

    def _build(self, ctx: _Ctx) -> Shape:
        if self.power == 0.0:
            return Constant(self.base)
        return _unit_curve(
            ctx,
            lambda n, span, off: Polynomial(self.base, 0.0, steps=n, power=self.power, span=span, offset=off),
            self.__call__,
        )


@dataclasses.dataclass(frozen=True)
class _Step(ParamScheduler):
    name = "StepParamScheduler"

    values: tuple[float, ...]

    def _index(self, where: float) -> int:
        return int((where + WHERE_EPSILON) * len(self.values))

    def __call__(self, where: float) -> float:
        return self.values[self._index(where)]

    def _lookup(self, i: int) -> float:
        n = len(self.values)
        return self.values[i] if -n <= i else self.values[0]  # python indexing; -n-1 and below: hold

    def _build(self, ctx: _Ctx) -> Shape:
        return _discrete(ctx, self._index, self._lookup, len(self.values) - 1)


@dataclasses.dataclass(frozen=True)
class _MultiStep(ParamScheduler):
    name = "MultiStepParamScheduler"

    values: tuple[float, ...]
    num_updates: int
    milestones: tuple[int, ...]

    def _index(self, where: float) -> int:
        epoch = int((where + WHERE_EPSILON) * self.num_updates)
        return bisect.bisect_right(self.milestones, epoch)

    def __call__(self, where: float) -> float:
        if where > 1.0:
            raise _where_error(where)
        return self.values[self._index(where)]

    def _build(self, ctx: _Ctx) -> Shape:
        return _discrete(ctx, self._index, lambda i: self.values[i], len(self.values) - 1)


@dataclasses.dataclass(frozen=True)
class _Composite(ParamScheduler):
    name = "CompositeParamScheduler"

    schedulers: tuple[ParamScheduler, ...]
    lengths: tuple[float, ...]
    interval_scaling: tuple[str, ...]

    def _interval(self, where: float) -> tuple[int, float]:
        """fvcore's interval search: the index and the running total that ends it."""
        i = 0
        running = self.lengths[0]
        while where + WHERE_EPSILON > running and i < len(self.schedulers) - 1:
            i += 1
            running += self.lengths[i]
        return i, running

    def __call__(self, where: float) -> float:
        i, running = self._interval(where)
        child_where = where
        if self.interval_scaling[i] == "rescaled":
            start = running - self.lengths[i]
            child_where = (where - start) / self.lengths[i]
        return self.schedulers[i](child_where)

    def _build(self, ctx: _Ctx) -> Shape:
        n = len(self.schedulers)
        totals = []
        running = 0.0
        for i, length in enumerate(self.lengths):
            running = length if i == 0 else running + length
            totals.append(running)
        # interval k starts at the first step whose where + eps passes totals[k-1] (totals never decrease)
        starts: list[int | None] = [ctx.a]
        for k in range(1, n):
            prev = starts[-1]
            th = totals[k - 1]
            passed = functools.partial(_passes, ctx.where, th)
            found = None if prev is None else _first_true(passed, prev, ctx.b)
            starts.append(found)
        parts: list[tuple[int, Shape]] = []
        for k in range(n):
            s = starts[k]
            if s is None:
                continue
            e = starts[k + 1] if k + 1 < n and starts[k + 1] is not None else ctx.b
            if e is not None and e <= s:
                continue
            length = self.lengths[k]
            if self.interval_scaling[k] == "rescaled":
                if length == 0.0:  # fvcore divides by zero here (only reachable as the last interval)
                    continue
                begin = totals[k] - length

                def child_where(
                    t: int, outer: Callable[[int], float] = ctx.where, b0: float = begin, L: float = length
                ) -> float:
                    return (outer(t) - b0) / L

                sub = _Ctx(s, e, child_where, ctx.off + begin * ctx.span, ctx.span * length, ctx.scale * length)
                if sub.scale < SHORT_INTERVAL:
                    table = _tabulate(self.schedulers[k], sub, ctx)
                    if table is not None:
                        parts.append((s - ctx.a, table))
                        continue
                    if length < 0.0:  # the tiny negative last length fvcore's adjustment can leave
                        continue
            else:
                sub = _Ctx(s, e, ctx.where, ctx.off, ctx.span, ctx.scale)
            parts.append((s - ctx.a, self.schedulers[k]._build(sub)))
        return _pieces(parts)


def _tabulate(child: ParamScheduler, sub: _Ctx, parent: _Ctx) -> Shape | None:
    """fvcore's exact values over a short rescaled interval (up to where the parent's where
    passes 1); None when it is long or fvcore does not give real values there."""
    end = sub.b if sub.b is not None else _first_true(lambda t: parent.where(t) > 1.0, sub.a, None)
    if end is None or not 0 < end - sub.a <= MAX_TABULATED:
        return None
    try:
        vals = [child(sub.where(t)) for t in range(sub.a, end)]
    except (RuntimeError, IndexError, ZeroDivisionError):
        return None
    if not all(isinstance(v, float | int) and math.isfinite(v) and v >= 0 for v in vals):
        return None
    starts = [i for i in range(len(vals)) if i == 0 or vals[i] != vals[i - 1]]
    if len(starts) == 1:
        return Constant(float(vals[0]))
    return PiecewiseConstant(boundaries=tuple(starts[1:]), values=tuple(float(vals[i]) for i in starts))


# ---- public constructors (fvcore names) ----------------------------------------------------


def _done(sched: ParamScheduler, total_steps: int | None) -> ParamScheduler | Shape:
    return sched if total_steps is None else sched.build(total_steps)


def ConstantParamScheduler(value: float, *, total_steps: int | None = None) -> ParamScheduler | Shape:
    """``value`` (fvcore raises at ``where >= 1``; fastlr holds it)."""
    return _done(_Constant(nonneg("value", value, "ConstantParamScheduler")), total_steps)


def CosineParamScheduler(
    start_value: float, end_value: float, *, total_steps: int | None = None
) -> ParamScheduler | Shape:
    """``end + (start - end)(1 + cos(pi where)) / 2``, periodic past ``where = 1``."""
    w = "CosineParamScheduler"
    return _done(_Cosine(nonneg("start_value", start_value, w), nonneg("end_value", end_value, w)), total_steps)


def ExponentialParamScheduler(
    start_value: float, decay: float, *, total_steps: int | None = None
) -> ParamScheduler | Shape:
    """``start * decay^where``."""
    w = "ExponentialParamScheduler"
    d = ck.real("decay", decay, w)
    if d <= 0.0:
        raise ValueError(f"{w}: decay must be > 0, got {decay!r} (fvcore's decay ** where is complex or 0)")
    return _done(_Exponential(nonneg("start_value", start_value, w), d), total_steps)


def LinearParamScheduler(
    start_value: float, end_value: float, *, total_steps: int | None = None
) -> ParamScheduler | Shape:
    """``end * where + start * (1 - where)``, held at ``end`` past ``where = 1``."""
    w = "LinearParamScheduler"
    return _done(_Linear(nonneg("start_value", start_value, w), nonneg("end_value", end_value, w)), total_steps)


def PolynomialDecayParamScheduler(
    base_value: float, power: float, *, total_steps: int | None = None
) -> ParamScheduler | Shape:
    """``base * (1 - where)^power`` (no floor; 0 at ``where = 1``)."""
    w = "PolynomialDecayParamScheduler"
    p = nonneg("power", power, w, "fvcore divides by zero at where = 1")
    return _done(_Poly(nonneg("base_value", base_value, w), p), total_steps)


def StepParamScheduler(
    num_updates: float, values: Sequence[float], *, total_steps: int | None = None
) -> ParamScheduler | Shape:
    """``values[int((where + 1e-6) * len(values))]``: equal parts of ``where``."""
    w = "StepParamScheduler"
    nu = ck.real("num_updates", num_updates, w)
    if nu <= 0:
        raise ValueError(f"{w}: number of updates must be larger than 0, got num_updates={num_updates!r}")
    if isinstance(values, str) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"{w}: requires a list of at least one param value, got values={values!r}")
    return _done(_Step(ck.real_tuple("values", values, w, lo=0.0)), total_steps)


def MultiStepParamScheduler(
    values: Sequence[float],
    num_updates: int | None = None,
    milestones: Sequence[int] | None = None,
    *,
    total_steps: int | None = None,
) -> ParamScheduler | Shape:
    """``values[bisect_right(milestones, int((where + 1e-6) * num_updates))]``."""
    w = "MultiStepParamScheduler"
    vals = ck.real_tuple("values", values, w, lo=0.0)
    if not vals:
        raise ValueError(f"{w}: values must not be empty")
    if num_updates is None and milestones is None:
        raise ValueError(f"{w}: num_updates and milestones cannot both be None")
    nu = None if num_updates is None else ck.integer("num_updates", num_updates, w)
    if milestones is None:
        assert nu is not None
        width = math.ceil(nu / float(len(vals)))
        ms = [width * (k + 1) for k in range(len(vals) - 1)]
    else:
        ms = list(ck.int_tuple("milestones", milestones, w))
        need = len(vals) - int(nu is not None)
        if len(ms) != need:
            raise ValueError(f"{w}: requires a list of {need} milestones, got milestones={list(milestones)!r}")
    if nu is None:
        nu, ms = ms[-1], ms[:-1]
    if nu < len(vals):
        raise ValueError(f"{w}: total num_updates must be >= the number of values, got num_updates={nu}")
    prev = 0
    for m in ms:
        if m >= nu:
            raise ValueError(
                f"{w}: milestone must be smaller than total number of updates: num_updates={nu}, milestone={m}"
            )
        if prev >= m:
            raise ValueError(f"{w}: milestones must be positive and strictly increasing, got {ms}")
        prev = m
    return _done(_MultiStep(vals, nu, tuple(ms)), total_steps)


def StepWithFixedGammaParamScheduler(
    base_value: float, num_decays: int, gamma: float, num_updates: int, *, total_steps: int | None = None
) -> ParamScheduler | Shape:
    """Step over ``[base, base*gamma, base*gamma^2, ...]`` (``num_decays + 1`` values, each the
    previous times ``gamma``)."""
    w = "StepWithFixedGammaParamScheduler"
    for name, v in (("base_value", base_value), ("gamma", gamma)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
            raise ValueError(f"{w}: base_value and gamma must be positive numbers, got {name}={v!r}")
    for name, v in (("num_decays", num_decays), ("num_updates", num_updates)):
        if isinstance(v, bool) or not isinstance(v, int) or not v > 0:
            raise ValueError(f"{w}: num_decays and num_updates must be positive integers, got {name}={v!r}")
    vals = [float(base_value)]
    for _ in range(num_decays):
        vals.append(vals[-1] * gamma)
    return _done(_Step(tuple(vals)), total_steps)


def CompositeParamScheduler(
    schedulers: Sequence[ParamScheduler],
    lengths: Sequence[float],
    interval_scaling: Sequence[str],
    *,
    total_steps: int | None = None,
) -> ParamScheduler | Shape:
    """Schedulers over consecutive intervals of ``where`` of the given ``lengths``.

    Interval ``i`` holds while ``where + 1e-6 <= l_0 + ... + l_i``; a ``"rescaled"`` child sees
    ``(where - start_i) / l_i``, a ``"fixed"`` one the global ``where``.

    Parameters
    ----------
    schedulers : sequence of ParamScheduler
        Children built **without** ``total_steps``.
    lengths : sequence of float
        Non-negative; their sum within 1e-3 of 1 (the last is adjusted, on a copy).
    interval_scaling : sequence of {"rescaled", "fixed"}
    """
    w = "CompositeParamScheduler"
    if isinstance(schedulers, ParamScheduler) or not isinstance(schedulers, Sequence):
        raise TypeError(f"{w}: schedulers must be a list of ParamScheduler descriptions, got {schedulers!r}")
    scheds = tuple(schedulers)
    lens = list(ck.real_tuple("lengths", lengths, w))
    if len(scheds) != len(lens):
        raise ValueError(f"{w}: schedulers and lengths must be same length, got {len(scheds)} and {len(lens)}")
    if not scheds:
        raise ValueError(f"{w}: there must be at least one scheduler in the composite scheduler")
    for i, s in enumerate(scheds):
        if not isinstance(s, ParamScheduler):
            raise TypeError(
                f"{w}: schedulers[{i}] must be a ParamScheduler built without total_steps, got {type(s).__name__}"
            )
    if any(x < 0 for x in lens):
        raise ValueError(f"{w}: lengths must be >= 0, got {lens}")
    if abs(sum(lens) - 1.0) >= 1e-3:
        raise ValueError(f"{w}: the sum of all values in lengths must be 1, got {sum(lens)!r}")
    if sum(lens) != 1.0:
        lens[-1] = 1.0 - sum(lens[:-1])
    scaling = tuple(interval_scaling) if not isinstance(interval_scaling, str) else (interval_scaling,)
    for mode in scaling:
        if mode not in ("rescaled", "fixed"):
            raise ValueError(f"{w}: unsupported interval_scaling {mode!r}; valid: 'rescaled', 'fixed'")
    if len(scaling) != len(scheds):
        raise ValueError(f"{w}: need one interval_scaling per scheduler, got {len(scaling)} for {len(scheds)}")
    return _done(_Composite(scheds, tuple(lens), scaling), total_steps)


def WarmupParamScheduler(
    scheduler: ParamScheduler,
    warmup_factor: float,
    warmup_length: float,
    warmup_method: str = "linear",
    rescale_interval: bool = False,
    *,
    total_steps: int | None = None,
) -> ParamScheduler | Shape:
    """detectron2's warmup: ``Composite([warmup, S], [L, 1 - L], ["rescaled", "fixed"])``.

    The warmup is ``Constant(f S(0))`` or ``Linear(f S(0) -> S(L))`` (``S(0)`` as end with
    ``rescale_interval``, which also rescales ``S`` onto ``[L, 1]``).
    """
    w = "WarmupParamScheduler"
    if not isinstance(scheduler, ParamScheduler):
        raise TypeError(f"{w}: scheduler must be a ParamScheduler built without total_steps, got {scheduler!r}")
    wf = nonneg("warmup_factor", warmup_factor, w)
    length = ck.real("warmup_length", warmup_length, w, lo=0.0, hi=1.0)
    ck.choice("warmup_method", warmup_method, ("constant", "linear"), w)
    ck.flag("rescale_interval", rescale_interval, w)
    try:
        end_value = scheduler(0.0) if rescale_interval else scheduler(length)
        start_value = wf * scheduler(0.0)
    except (RuntimeError, IndexError, ZeroDivisionError) as e:
        raise ValueError(
            f"{w}: fvcore cannot evaluate the scheduler at warmup_length={warmup_length!r} ({e}); detectron2 fails here"
        ) from None
    warm: ParamScheduler = _Constant(start_value) if warmup_method == "constant" else _Linear(start_value, end_value)
    comp = CompositeParamScheduler(
        [warm, scheduler],
        lengths=[length, 1 - length],
        interval_scaling=["rescaled", "rescaled" if rescale_interval else "fixed"],
    )
    assert isinstance(comp, ParamScheduler)
    return _done(comp, total_steps)


# ---- detectron2's named LR schedules (build_lr_scheduler) -----------------------------------


def _d2(
    name: str,
    sched: ParamScheduler,
    total_steps: int,
    base_lr: float,
    warmup_factor: float,
    warmup_iters: int,
    warmup_method: str,
    rescale_interval: bool,
) -> Schedule:
    max_iter = ck.integer("total_steps", total_steps, name, lo=1)
    lr = nonneg("base_lr", base_lr, name)
    wi = ck.integer("warmup_iters", warmup_iters, name, lo=0)
    mult = WarmupParamScheduler(sched, warmup_factor, min(wi / max_iter, 1.0), warmup_method, rescale_interval)
    assert isinstance(mult, ParamScheduler)
    return Schedule(mult.build(max_iter), scale=lr)


def WarmupMultiStepLR(
    *,
    total_steps: int,
    base_lr: float = 0.001,
    steps: Sequence[int] = (30000,),
    gamma: float = 0.1,
    warmup_factor: float = 0.001,
    warmup_iters: int = 1000,
    warmup_method: str = "linear",
    rescale_interval: bool = False,
) -> Schedule:
    """detectron2 ``SOLVER.LR_SCHEDULER_NAME = "WarmupMultiStepLR"`` as ``build_lr_scheduler``
    builds it: ``base_lr * gamma^k`` after the k-th of ``steps <= max_iter``, under the warmup.

    ``total_steps`` is ``SOLVER.MAX_ITER``; the other defaults are detectron2's config defaults.
    """
    w = "WarmupMultiStepLR"
    n = ck.integer("total_steps", total_steps, w, lo=1)
    kept = [x for x in ck.int_tuple("steps", steps, w) if x <= n]
    g = nonneg("gamma", gamma, w)
    sched = MultiStepParamScheduler(values=[g**k for k in range(len(kept) + 1)], milestones=kept, num_updates=n)
    assert isinstance(sched, ParamScheduler)
    return _d2(w, sched, n, base_lr, warmup_factor, warmup_iters, warmup_method, rescale_interval)


def WarmupCosineLR(
    *,
    total_steps: int,
    base_lr: float = 0.001,
    base_lr_end: float = 0.0,
    warmup_factor: float = 0.001,
    warmup_iters: int = 1000,
    warmup_method: str = "linear",
    rescale_interval: bool = False,
) -> Schedule:
    """detectron2 ``"WarmupCosineLR"``: ``base_lr * Cosine(1 -> base_lr_end / base_lr)`` under the
    warmup."""
    w = "WarmupCosineLR"
    lr = nonneg("base_lr", base_lr, w)
    end = nonneg("base_lr_end", base_lr_end, w)
    if lr == 0.0:
        raise ValueError(f"{w}: base_lr must be > 0 (detectron2 divides base_lr_end by it), got {base_lr!r}")
    ratio = end / lr
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"{w}: base_lr_end / base_lr must be in [0, 1] (detectron2 asserts), got {ratio!r}")
    sched = CosineParamScheduler(1, ratio)
    assert isinstance(sched, ParamScheduler)
    return _d2(w, sched, total_steps, lr, warmup_factor, warmup_iters, warmup_method, rescale_interval)


def WarmupStepWithFixedGammaLR(
    *,
    total_steps: int,
    base_lr: float = 0.001,
    gamma: float = 0.1,
    num_decays: int = 3,
    warmup_factor: float = 0.001,
    warmup_iters: int = 1000,
    warmup_method: str = "linear",
    rescale_interval: bool = False,
) -> Schedule:
    """detectron2 ``"WarmupStepWithFixedGammaLR"``: ``num_decays + 1`` equal steps of ``gamma``
    over ``max_iter``, under the warmup."""
    w = "WarmupStepWithFixedGammaLR"
    n = ck.integer("total_steps", total_steps, w, lo=1)
    sched = StepWithFixedGammaParamScheduler(base_value=1.0, gamma=gamma, num_decays=num_decays, num_updates=n)
    assert isinstance(sched, ParamScheduler)
    return _d2(w, sched, n, base_lr, warmup_factor, warmup_iters, warmup_method, rescale_interval)
