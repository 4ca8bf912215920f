"""PyTorch dialect: ``torch.optim.lr_scheduler`` classes by name, reproducing their learning rates.

Matched against torch 2.13 (closed forms and recursive ``get_lr`` of ``torch/optim/lr_scheduler.py``).
Each function takes the optimizer's learning rate as ``base_lr`` (``CyclicLR`` and ``OneCycleLR``
take their own lr arguments, as in torch) and returns a fastlr schedule whose ``table(T)[i]`` is
the lr that torch's optimizer uses for update ``i`` in the canonical loop
``optimizer.step(); scheduler.step()`` (the constructor applies ``f(0)``, so update ``i`` uses
``f(i)``). ``CyclicLR``/``OneCycleLR`` with ``cycle_momentum=True`` return a
:class:`fastlr.ScheduleSet` ``{"lr": [...], "momentum": [...]}`` (one entry per param group).

Torch steps most schedulers with a *recursive* form (each step multiplies the current lr); fastlr
evaluates the closed form. The two agree to rounding (a few ulp per step: ~1e-14 relative after
400 steps, well inside the test tolerance) except where the recursive form does something else,
which is reproduced:

Quirks reproduced
-----------------
- ``CosineAnnealingLR`` is periodic past ``T_max``: the lr rises back to ``base_lr`` at
  ``2 T_max`` (the recursive form, special-cased at ``t = T_max + 1``, follows the closed form).
- ``ConstantLR(total_iters=0)`` applies ``factor`` at step 0 and never restores it (the recursive
  form restores only when ``t == total_iters``), so the lr stays ``base_lr * factor``; the same
  object restarted at a ``SequentialLR`` milestone uses the closed form, giving ``base_lr``.
- ``LinearLR(total_iters=0)`` stays at ``base_lr * start_factor``; ``PolynomialLR(total_iters=0)``
  stays at ``base_lr``.
- ``MultiStepLR`` counts repeated milestones (``gamma**2`` for a milestone given twice), decays
  *at* the milestone, applies a milestone 0 at step 0, sorts milestones and ignores negative ones,
  except when a ``SequentialLR`` restarts it: torch's closed form then counts every milestone
  ``<= 0`` (``bisect_right(milestones, 0)``), so negative milestones decay the restarted child.
- ``CyclicLR`` ignores ``scale_mode`` for the built-in modes (``triangular``/``triangular2`` use
  the cycle count, ``exp_range`` the iteration count).
- ``OneCycleLR`` phase ends are floats (``pct_start * total_steps - 1``, ...), so the phase
  progress has fractional denominators and offsets, reproduced exactly. Torch's last scheduled
  value is at step ``N - 1 = total_steps - 1``; at ``N`` it extrapolates past the end (to a
  *negative* lr with ``anneal_strategy="linear"``) and at ``N + 1`` it raises. **fastlr holds the
  final value** ``f(N - 1)`` for every ``t >= N`` (a training loop of ``N`` updates never uses
  ``f(N)``).
- ``SequentialLR`` runs child ``k`` in local time ``t - milestones[k-1]``; a milestone of 0 skips
  the first child; with repeated milestones the last child at that milestone wins.
- ``ChainedScheduler`` multiplies its children's factors; several decays make a
  :class:`fastlr.Product`. A ``CosineAnnealingLR`` child resets the lr at ``t = T_max + 1`` to
  ``base_lr * cos-factor``, dropping the other children's accumulated factors; fastlr reproduces
  this when the other factors are constant from ``T_max`` on (and refuses otherwise). A
  ``CosineAnnealingLR(eta_min != 0)`` child steps by its affine recursive form; with
  piecewise-constant other children (MultiStepLR, ConstantLR) the recursion telescopes to
  cosines toward ``eta_min`` between the children's changes, reproduced (refused where torch's lr
  would turn negative, and with any other child).
- ``LambdaLR`` and ``MultiplicativeLR`` take the user's function and compile it
  (:class:`fastlr.Formula`); ``MultiplicativeLR`` multiplies its factors in step order, as torch.
  In ``ChainedScheduler`` ``MultiplicativeLR`` is one more factor (a :class:`fastlr.Product`
  with the other decays); as a later child of ``SequentialLR`` it multiplies on from the lr the
  previous child left: torch's ``step(0)`` multiplies it by ``lr_lambda(0)``, then each step by
  ``lr_lambda(1)``, ``lr_lambda(2)``, ...
- Growing schedules (``gamma > 1``) are capped at ``1e18``, where torch keeps multiplying until
  the lr overflows to ``inf``.

Refused (``ValueError``), because torch crashes or fastlr's core cannot express it
-----------------------------------------------------------------------------------
- ``ConstantLR(factor=0, total_iters>0)``: torch divides by zero when it restores the lr.
- ``PolynomialLR(power<0)``: torch raises ``ZeroDivisionError`` at ``total_iters``.
- ``OneCycleLR`` with ``pct_start * total_steps == 1`` (a zero-length first phase: 0/0).
- ``CosineAnnealingWarmRestarts`` with ``eta_min > base_lr`` (restarts need a decaying curve).
- ``CyclicLR(step_size_down=0)`` (zero-length falling half), custom ``scale_fn`` callables,
  ``exp_range`` with ``gamma > 1``.
- ``ChainedScheduler`` children that are not multiplicative (``CosineAnnealingWarmRestarts``,
  ``CyclicLR``, ``OneCycleLR``, composites; ``CosineAnnealingLR`` with ``eta_min != 0`` beside a
  child that is not piecewise constant: its affine recursion then sums over every step, no
  closed form), a cosine child beside a factor that keeps changing past ``T_max``, two cosine
  children; ``SequentialLR`` children that are ``CyclicLR``/``OneCycleLR`` (they rewrite
  the param group's ``lr``/``initial_lr`` at construction, changing the other children's base),
  composites (torch mis-steps nested ``SequentialLR``/``ChainedScheduler``), and more than one
  ``CosineAnnealingWarmRestarts`` child (a fastlr row restarts one curve).

Composites and their children
-----------------------------
Torch composes scheduler *objects*, and what a composite does with a child depends on its class
and arguments, not only on its lr curve: ``PolynomialLR(0.1, total_iters=-1)`` and
``StepLR(0.1, 5, gamma=1.0)`` both hold 0.1, yet restarted at a ``SequentialLR`` milestone the
first gives 0 and the second 0.1; ``LinearLR(1.0, 0.1, 0.0, 13)`` and ``LinearLR(0.1, 1.0, 0.0,
13)`` are the same ``Linear(0.1, 0.0, 13)`` but assume different optimizer lrs in a
``ChainedScheduler``. So every constructor here records a :class:`PresetInfo` (the torch class,
its base lr, its multiplicative factor as a small dataclass, its restart behaviour) for the
object it returns, keyed by that object's identity and dropped with it; the spec itself carries
nothing extra. ``SequentialLR`` and ``ChainedScheduler`` read it for their children. Any other
object, including an equal spec rebuilt with :func:`fastlr.from_dict`, is a plain fastlr shape
to them: ``SequentialLR`` uses it as it is, ``ChainedScheduler`` refuses it.

Examples
--------
Update ``i`` of torch's loop uses ``table[i]`` (the values torch 2.13 gives, to 1e-16 here):

>>> import fastlr.presets.torch as pt
>>> pt.CosineAnnealingLR(0.1, T_max=4).table(9).round(6).tolist()  # periodic past T_max, as torch
[0.1, 0.085355, 0.05, 0.014645, 0.0, 0.014645, 0.05, 0.085355, 0.1]
>>> pt.StepLR(0.1, step_size=2, gamma=0.5).table(6).tolist()
[0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from fastlr import _checks as ck
from fastlr.formula import Formula
from fastlr.presets._common import GROWTH_CAP, nonneg, staircase
from fastlr.schedule import Restarts, Schedule, ScheduleSet, Warmup
from fastlr.shapes import (
    Constant,
    Cosine,
    Cyclic,
    Exponential,
    Join,
    Linear,
    MultiStep,
    PiecewiseConstant,
    Polynomial,
    Product,
    Shape,
)

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "SequentialLR",
    "StepLR",
]

PEER = "torch"
PEER_VERSION = "2.13.0"

# ---- what torch knows about a built scheduler that its fastlr spec does not say --------------


@dataclasses.dataclass(frozen=True)
class Pieces:
    """Piecewise-constant factor: ``value`` from each ``(start, value)`` on (the first start 0).

    ``ConstantLR``, ``MultiStepLR`` and the constant factors of degenerate arguments.
    """

    pieces: tuple[tuple[int, float], ...]

    kind: ClassVar[str] = "pc"

    def at(self, t: int) -> float:
        """The factor at step ``t >= 0``."""
        value = self.pieces[0][1]
        for start, x in self.pieces:
            if start <= t:
                value = x
        return value

    def last_change(self) -> float:
        """The last step at which the factor changes."""
        return self.pieces[-1][0]


@dataclasses.dataclass(frozen=True)
class LinearFactor:
    """``start + (end - start) min(t, steps) / steps`` (``LinearLR``; ``steps >= 1``)."""

    start: float
    end: float
    steps: int

    kind: ClassVar[str] = "lin"

    def last_change(self) -> float:
        """The last step at which the factor changes."""
        return self.steps

    def shifted(self, a: int, b: int | None, scale: float) -> list[tuple[int, Shape]]:
        """``scale * factor(t)`` on ``[a, b)`` as Join phases ``(global start, shape in local time)``."""
        if a >= self.steps:
            return [(a, Constant(scale * self.end))]
        n = self.steps
        return [(a, Linear(scale * self.start, scale * self.end, n - a, span=float(n), offset=float(-a)))]


@dataclasses.dataclass(frozen=True)
class ExpFactor:
    """``gamma^t`` (``ExponentialLR``)."""

    gamma: float

    kind: ClassVar[str] = "exp"

    def last_change(self) -> float:
        """The factor changes at every step."""
        return math.inf

    def shifted(self, a: int, b: int | None, scale: float) -> list[tuple[int, Shape]]:
        """``scale * factor(t)`` on ``[a, b)`` as Join phases."""
        g = self.gamma
        return [(a, _exponential(scale * g**a, g))]


@dataclasses.dataclass(frozen=True)
class StepFactor:
    """``gamma^floor(t / size)`` (``StepLR``)."""

    gamma: float
    size: int

    kind: ClassVar[str] = "step"

    def last_change(self) -> float:
        """The factor changes at every multiple of ``size``."""
        return math.inf

    def shifted(self, a: int, b: int | None, scale: float) -> list[tuple[int, Shape]]:
        """``scale * factor(t)`` on ``[a, b)``: a constant up to the next multiple of ``size``
        when ``a`` falls inside a stair."""
        g, s = self.gamma, self.size
        k, r = divmod(a, s)
        if r == 0:
            return [(a, staircase(scale * g**k, g, s))]
        nxt = (k + 1) * s
        out: list[tuple[int, Shape]] = [(a, Constant(scale * g**k))]
        if b is None or nxt < b:
            out.append((nxt, staircase(scale * g ** (k + 1), g, s)))
        return out


@dataclasses.dataclass(frozen=True)
class PolyFactor:
    """``(1 - min(t, steps) / steps)^power`` (``PolynomialLR``; ``steps >= 1``)."""

    steps: int
    power: float

    kind: ClassVar[str] = "poly"

    def last_change(self) -> float:
        """The last step at which the factor changes."""
        return self.steps

    def shifted(self, a: int, b: int | None, scale: float) -> list[tuple[int, Shape]]:
        """``scale * factor(t)`` on ``[a, b)`` as Join phases."""
        n = self.steps
        if a >= n:
            return [(a, Constant(0.0))]
        return [(a, Polynomial(scale, 0.0, n - a, power=self.power, span=float(n), offset=float(-a)))]


@dataclasses.dataclass(frozen=True)
class CosFactor:
    """``(1 + cos(pi t / T_max)) / 2``, periodic (``CosineAnnealingLR`` with ``eta_min = 0``)."""

    T_max: int

    kind: ClassVar[str] = "cos"

    def last_change(self) -> float:
        """The factor changes at every step."""
        return math.inf

    def shifted(self, a: int, b: int | None, scale: float) -> list[tuple[int, Shape]]:
        """``scale * factor(t)`` on ``[a, b)`` as Join phases."""
        return [(a, Cosine(scale, 0.0, self.T_max, after="continue", offset=float(-a)))]


@dataclasses.dataclass(frozen=True, eq=False)
class CumFactor:
    """``g(1) * g(2) * ... * g(t)`` in step order (``MultiplicativeLR``): a cumulative
    :class:`fastlr.Formula` of the user's function ``g``."""

    formula: Formula

    kind: ClassVar[str] = "cum"

    def last_change(self) -> float:
        """The factor may change at every step."""
        return math.inf

    def shifted(self, a: int, b: int | None, scale: float) -> list[tuple[int, Shape]]:
        """``scale * factor(t)`` on ``[a, b)``: the product up to ``t``, in local time from ``a``."""
        f = self.formula
        return [(a, Formula(f.fn, scale=scale, cumulative=True, shift=a, jit=f.jit))]


@dataclasses.dataclass(frozen=True)
class ProductFactor:
    """The product of several continuous factors (``ChainedScheduler`` of several decays)."""

    factors: tuple[LinearFactor | ExpFactor | StepFactor | PolyFactor | CosFactor | CumFactor, ...]

    kind: ClassVar[str] = "prod"

    def last_change(self) -> float:
        """The last step at which one of the factors changes."""
        return max(f.last_change() for f in self.factors)

    def shifted(self, a: int, b: int | None, scale: float) -> list[tuple[int, Shape]]:
        """``scale * prod(factors(t))`` on ``[a, b)``: one :class:`fastlr.Product` of the factors'
        phases, each in local time from ``a``."""
        parts: list[Shape] = [Constant(scale)] if scale != 1.0 else []
        for f in self.factors:
            phases = f.shifted(a, b, 1.0)
            if len(phases) == 1:
                parts.append(phases[0][1])
            else:
                parts.append(Join(tuple(sh for _, sh in phases), tuple(s - a for s, _ in phases[1:])))
        return [(a, Product(tuple(parts)))]


Curve = LinearFactor | ExpFactor | StepFactor | PolyFactor | CosFactor | CumFactor | ProductFactor
Factor = Pieces | Curve


@dataclasses.dataclass(frozen=True)
class PresetInfo:
    """What ``SequentialLR`` and ``ChainedScheduler`` need to know about a built preset.

    Torch composes scheduler *objects*: two classes whose lrs are equal curves can compose
    differently (``LinearLR(1.0, start_factor=0.1, end_factor=0.0)`` and ``LinearLR(0.1,
    start_factor=1.0, end_factor=0.0)`` are the same ``Linear(0.1, 0.0, n)`` but assume different
    optimizer lrs), so this is a property of the built object, not of its spec.

    Attributes
    ----------
    call : str
        The torch class, for messages.
    base : float or None
        The optimizer lr the preset assumes (None: it sets its own, or a composite of shapes).
    factor : Factor or None
        The multiplicative factor ``lr / base`` for ``ChainedScheduler`` (None: not
        multiplicative).
    restart : Shape or None
        The schedule when a ``SequentialLR`` restarts the preset at a milestone (torch's closed
        form at local step 0), where it differs from the preset itself.
    restart_error : str
        Why torch fails when restarting it at a milestone ("" when it does not).
    carry : Formula or None
        ``MultiplicativeLR``'s cumulative function: restarted at a ``SequentialLR`` milestone it
        multiplies on from the lr the previous child left (torch's ``step(0)`` by ``g(0)``).
    own_lr : bool
        ``CyclicLR``/``OneCycleLR``: they rewrite the param group's lr at construction.
    composite : bool
        A ``SequentialLR`` or ``ChainedScheduler`` (or a preset that sets its own lr).
    affine : (int, float) or None
        ``(T_max, eta_min)`` of a ``CosineAnnealingLR`` with ``eta_min != 0``, whose chained
        (recursive) step is affine, not a factor.
    """

    call: str
    base: float | None
    factor: Factor | None = None
    restart: Shape | None = None
    restart_error: str = ""
    carry: Formula | None = None
    own_lr: bool = False
    composite: bool = False
    affine: tuple[int, float] | None = None


# Built presets, by object identity: the entry goes when the object does. Keyed by identity, not
# by value, because equal specs can stand for torch schedulers that compose differently (see
# PresetInfo); an equal spec built any other way is a plain fastlr shape here.
_BUILT: dict[int, tuple[weakref.ref[Any], PresetInfo]] = {}


def _built(obj: Any, info: PresetInfo) -> Any:
    key = id(obj)

    def forget(_: weakref.ref[Any]) -> None:
        _BUILT.pop(key, None)

    _BUILT[key] = (weakref.ref(obj, forget), info)
    return obj


def _info(obj: Any) -> PresetInfo | None:
    """The :class:`PresetInfo` of an object this module built, None for any other object."""
    entry = _BUILT.get(id(obj))
    return entry[1] if entry is not None and entry[0]() is obj else None


def _pc(*pieces: tuple[int, float]) -> Pieces:
    return Pieces(tuple(pieces))


# ---- shapes shared by several classes --------------------------------------------------------


def _exponential(B: float, gamma: float) -> Shape:
    """``B * gamma^t``."""
    if gamma == 1.0 or B == 0.0:
        return Constant(B)
    if gamma == 0.0:
        return PiecewiseConstant((1,), (B, 0.0))
    return Exponential(B, gamma, 1.0, end=GROWTH_CAP if gamma > 1.0 else None)


def _pieces(boundaries: Sequence[int], values: Sequence[float]) -> Shape:
    if not boundaries:
        return Constant(values[0])
    return PiecewiseConstant(tuple(boundaries), tuple(values))


# ---- the classes -----------------------------------------------------------------------------


def StepLR(base_lr: float, step_size: int, gamma: float = 0.1) -> Shape:
    """``torch.optim.lr_scheduler.StepLR``: ``f(t) = base_lr * gamma^floor(t / step_size)``.

    Parameters
    ----------
    base_lr : float
        The optimizer's lr (torch's ``base_lrs``).
    step_size : int
        Decay period, >= 1 (torch divides by zero at 0).
    gamma : float
        Decay factor, >= 0 (``> 1`` grows, capped at 1e18).
    """
    w = "torch.StepLR"
    B = nonneg("base_lr", base_lr, w)
    s = ck.integer("step_size", step_size, w, lo=1)
    g = nonneg("gamma", gamma, w)
    factor: Factor
    if g == 1.0:
        factor = _pc((0, 1.0))
    elif g == 0.0:
        factor = _pc((0, 1.0), (s, 0.0))
    else:
        factor = StepFactor(g, s)
    return _built(staircase(B, g, s), PresetInfo("StepLR", B, factor))


def MultiStepLR(base_lr: float, milestones: Iterable[int], gamma: float = 0.1) -> Shape:
    """``torch.optim.lr_scheduler.MultiStepLR``: ``f(t) = base_lr * gamma^(#milestones <= t)``.

    Milestones are counted with multiplicity (torch keeps a ``Counter``) and sorted; negative ones
    are never reached, except by a ``SequentialLR`` restart (torch's closed form
    ``bisect_right(milestones, 0)`` counts every milestone ``<= 0`` at the restart).
    """
    w = "torch.MultiStepLR"
    B = nonneg("base_lr", base_lr, w)
    given = sorted(ck.int_tuple("milestones", milestones, w))
    g = nonneg("gamma", gamma, w)
    shape, factor = _multi_step(B, [m for m in given if m >= 0], g)
    restart = None
    if given and given[0] < 0:
        # restarted at a SequentialLR milestone, torch's closed form counts every milestone <= 0
        restart = _multi_step(B, [max(m, 0) for m in given], g)[0]
    return _built(shape, PresetInfo("MultiStepLR", B, factor, restart=restart))


def _multi_step(B: float, ms: list[int], g: float) -> tuple[Shape, Pieces]:
    """``B * g^(#milestones <= t)`` for sorted milestones ``>= 0``, and its factor."""
    bounds: list[int] = []
    counts: list[int] = [0]
    for m in ms:
        if m == 0:
            counts[0] += 1
        elif bounds and bounds[-1] == m:
            counts[-1] += 1
        else:
            bounds.append(m)
            counts.append(counts[-1] + 1)
    factors = [g**c for c in counts]
    factor = Pieces(tuple(zip((0, *bounds), factors)))
    if g > 0.0:
        return MultiStep(B, tuple(ms), g), factor
    return _pieces(bounds, [B * f for f in factors]), factor


def ConstantLR(base_lr: float, factor: float = 1.0 / 3, total_iters: int = 5) -> Shape:
    """``torch.optim.lr_scheduler.ConstantLR``: ``base_lr * factor`` for ``t < total_iters``, then
    ``base_lr``.

    ``total_iters <= 0`` keeps ``base_lr * factor`` for ever (torch's recursive form never
    restores it); restarted at a ``SequentialLR`` milestone it gives ``base_lr`` (closed form).
    """
    w = "torch.ConstantLR"
    B = nonneg("base_lr", base_lr, w)
    f = ck.real("factor", factor, w, lo=0.0, hi=1.0)
    n = ck.integer("total_iters", total_iters, w)
    if n <= 0:
        restart = Constant(B * (f + (1.0 - f)))
        return _built(Constant(B * f), PresetInfo("ConstantLR", B, _pc((0, f)), restart=restart))
    if f == 0.0:
        raise ValueError(
            f"{w}: factor=0 with total_iters={n} makes torch divide by zero when it restores the lr at step {n}"
        )
    return _built(PiecewiseConstant((n,), (B * f, B)), PresetInfo("ConstantLR", B, _pc((0, f), (n, 1.0))))


def LinearLR(base_lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5) -> Shape:
    """``torch.optim.lr_scheduler.LinearLR``:
    ``f(t) = base_lr * (sf + (ef - sf) * min(t, total_iters) / total_iters)``.

    ``total_iters <= 0`` stays at ``base_lr * start_factor`` (recursive form).
    """
    w = "torch.LinearLR"
    B = nonneg("base_lr", base_lr, w)
    sf = ck.real("start_factor", start_factor, w, lo=0.0, hi=1.0, lo_open=True)
    ef = ck.real("end_factor", end_factor, w, lo=0.0, hi=1.0)
    n = ck.integer("total_iters", total_iters, w)
    if n == 0:
        why = "LinearLR(total_iters=0) at a SequentialLR milestone: torch's closed form divides 0 by 0"
        return _built(Constant(B * sf), PresetInfo("LinearLR", B, _pc((0, sf)), restart_error=why))
    if n < 0:
        restart = Constant(B * (sf + (ef - sf) * n / n))
        return _built(Constant(B * sf), PresetInfo("LinearLR", B, _pc((0, sf)), restart=restart))
    return _built(Linear(B * sf, B * ef, n), PresetInfo("LinearLR", B, LinearFactor(sf, ef, n)))


def ExponentialLR(base_lr: float, gamma: float) -> Shape:
    """``torch.optim.lr_scheduler.ExponentialLR``: ``f(t) = base_lr * gamma^t``."""
    w = "torch.ExponentialLR"
    B = nonneg("base_lr", base_lr, w)
    g = nonneg("gamma", gamma, w)
    factor: Factor
    if g == 1.0:
        factor = _pc((0, 1.0))
    elif g == 0.0:
        factor = _pc((0, 1.0), (1, 0.0))
    else:
        factor = ExpFactor(g)
    return _built(_exponential(B, g), PresetInfo("ExponentialLR", B, factor))


def LambdaLR(base_lr: float, lr_lambda: Any, *, jit: bool = True) -> Formula:
    """``torch.optim.lr_scheduler.LambdaLR``: ``f(t) = base_lr * lr_lambda(t)``, the user's
    function compiled as a :class:`fastlr.Formula` (``jit=False``: called per step in Python).

    The function's numbers, tuples and arrays are frozen when this is called. Inside
    ``SequentialLR`` a later child restarts in local time (torch's ``step(0)`` gives
    ``base_lr * lr_lambda(0)``); ``ChainedScheduler`` refuses it (LambdaLR overwrites the lr).
    """
    w = "torch.LambdaLR"
    B = nonneg("base_lr", base_lr, w)
    if isinstance(lr_lambda, (list, tuple)):
        raise TypeError(f"{w}: one lr_lambda per param group is not supported; build one LambdaLR per group")
    return _built(Formula(lr_lambda, scale=B, jit=jit), PresetInfo("LambdaLR", B))


def MultiplicativeLR(base_lr: float, lr_lambda: Any, *, jit: bool = True) -> Formula:
    """``torch.optim.lr_scheduler.MultiplicativeLR``: ``f(0) = base_lr`` and
    ``f(t) = f(t - 1) * lr_lambda(t)`` for ``t >= 1``.

    A cumulative :class:`fastlr.Formula`: the factors are multiplied in step order with torch's
    arithmetic (``((base_lr * g(1)) * g(2)) ...``), so values match torch bit for bit; a table
    of ``T`` steps costs one call per step, ``at(t)`` costs ``t`` calls. As a later child of
    ``SequentialLR`` it multiplies on from the lr the previous child left at the milestone
    (torch's ``step(0)`` multiplies it by ``g(0)``, the later steps by ``g(1)``, ``g(2)``, ...);
    in ``ChainedScheduler`` it is one more factor, ``g(1) ... g(t)``.
    """
    w = "torch.MultiplicativeLR"
    B = nonneg("base_lr", base_lr, w)
    if isinstance(lr_lambda, (list, tuple)):
        raise TypeError(f"{w}: one lr_lambda per param group is not supported; build one MultiplicativeLR per group")
    f = Formula(lr_lambda, scale=B, cumulative=True, jit=jit)
    unit = Formula(f.fn, cumulative=True, jit=jit)
    return _built(f, PresetInfo("MultiplicativeLR", B, CumFactor(unit), carry=unit))


def PolynomialLR(base_lr: float, total_iters: int = 5, power: float = 1.0) -> Shape:
    """``torch.optim.lr_scheduler.PolynomialLR``:
    ``f(t) = base_lr * (1 - min(t, total_iters) / total_iters)^power`` (reaches 0, no end value).

    ``total_iters <= 0`` or ``power == 0`` stays at ``base_lr``.
    """
    w = "torch.PolynomialLR"
    B = nonneg("base_lr", base_lr, w)
    n = ck.integer("total_iters", total_iters, w)
    p = nonneg("power", power, w, "torch raises ZeroDivisionError at total_iters")
    if n == 0:
        why = "PolynomialLR(total_iters=0) at a SequentialLR milestone: torch's closed form divides 0 by 0"
        return _built(Constant(B), PresetInfo("PolynomialLR", B, _pc((0, 1.0)), restart_error=why))
    if n < 0:
        restart = Constant(B * (1.0 - n / n) ** p)
        return _built(Constant(B), PresetInfo("PolynomialLR", B, _pc((0, 1.0)), restart=restart))
    if p == 0.0:
        return _built(Constant(B), PresetInfo("PolynomialLR", B, _pc((0, 1.0))))
    return _built(Polynomial(B, 0.0, n, power=p), PresetInfo("PolynomialLR", B, PolyFactor(n, p)))


def CosineAnnealingLR(base_lr: float, T_max: int, eta_min: float = 0.0) -> Shape:
    """``torch.optim.lr_scheduler.CosineAnnealingLR``:
    ``f(t) = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2``, periodic past ``T_max``."""
    w = "torch.CosineAnnealingLR"
    B = nonneg("base_lr", base_lr, w)
    n = ck.integer("T_max", T_max, w, lo=1)
    e = nonneg("eta_min", eta_min, w)
    factor = CosFactor(n) if e == 0.0 else None
    affine = (n, e) if e != 0.0 else None
    return _built(Cosine(B, e, n, after="continue"), PresetInfo("CosineAnnealingLR", B, factor, affine=affine))


def CosineAnnealingWarmRestarts(base_lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0) -> Schedule:
    """``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`` (SGDR):
    ``f(t) = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2``, cycle ``i`` lasting
    ``T_0 * T_mult^i`` steps (integers, located exactly)."""
    w = "torch.CosineAnnealingWarmRestarts"
    B = nonneg("base_lr", base_lr, w)
    t0 = ck.integer("T_0", T_0, w, lo=1)
    mult = ck.integer("T_mult", T_mult, w, lo=1)
    e = nonneg("eta_min", eta_min, w)
    if e > B:
        raise ValueError(
            f"{w}: eta_min={eta_min!r} > base_lr={base_lr!r} is not supported (fastlr restarts repeat a decaying curve)"
        )
    sched = Schedule(Cosine(B, e, t0), restarts=Restarts(mult=float(mult)))
    return _built(sched, PresetInfo("CosineAnnealingWarmRestarts", B))


# ---- per-group parameters (CyclicLR, OneCycleLR) ---------------------------------------------


def _groups(where: str, **params: Any) -> tuple[int, dict[str, list[float]]]:
    """torch's ``_format_param``: a scalar applies to every group, a list gives one per group."""
    n = 1
    lists = {k: v for k, v in params.items() if isinstance(v, (list, tuple))}
    for k, v in lists.items():
        if len(v) == 0:
            raise ValueError(f"{where}: {k} must not be an empty list")
        if n != 1 and len(v) != n:
            lens = {kk: len(vv) for kk, vv in lists.items()}
            raise ValueError(f"{where}: per-group lists must have one length (one value per param group), got {lens}")
        n = max(n, len(v))
    out = {}
    for k, v in params.items():
        if isinstance(v, (list, tuple)):
            out[k] = [nonneg(f"{k}[{i}]", x, where) for i, x in enumerate(v)]
        else:
            out[k] = [nonneg(k, v, where)] * n
    return n, out


def _result(call: str, lrs: list[Any], moms: list[Any] | None) -> Any:
    info = PresetInfo(call, None, own_lr=True, composite=True)
    if moms is not None:
        return _built(ScheduleSet({"lr": lrs, "momentum": moms}), info)
    if len(lrs) == 1:
        return _built(lrs[0], info)
    return _built(ScheduleSet({"lr": lrs}), info)


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


def CyclicLR(
    base_lr: float | Sequence[float],
    max_lr: float | Sequence[float],
    step_size_up: float = 2000,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_fn: Any = None,
    scale_mode: str = "cycle",
    cycle_momentum: bool = True,
    base_momentum: float | Sequence[float] = 0.8,
    max_momentum: float | Sequence[float] = 0.9,
) -> Any:
    """``torch.optim.lr_scheduler.CyclicLR``: ``lr = base_lr + (max_lr - base_lr) s(t) g(t)``.

    ``C = up + down``, ``cycle = floor(1 + t/C)``, ``x = 1 + t/C - cycle``, ``r = up/C``;
    ``s = x/r`` if ``x <= r`` else ``(x - 1)/(r - 1)``; ``g`` is 1, ``2^(1 - cycle)`` or
    ``gamma^t`` (triangular, triangular2, exp_range). Momentum runs inversely:
    ``max_momentum - (max_momentum - base_momentum) s g``.

    Returns
    -------
    Shape or ScheduleSet
        A ``ScheduleSet`` ``{"lr", "momentum"}`` when ``cycle_momentum``; a ``ScheduleSet``
        ``{"lr"}`` for several groups; else the lr shape.
    """
    w = "torch.CyclicLR"
    up = ck.real("step_size_up", step_size_up, w, lo=0.0, lo_open=True)
    down = up if step_size_down is None else nonneg("step_size_down", step_size_down, w)
    if down == 0.0:
        raise ValueError(f"{w}: step_size_down=0 (a zero-length falling half) is not supported")
    if scale_fn is not None:
        raise ValueError(f"{w}: custom scale_fn callables are not supported; use mode= one of {_CYCLIC_MODES}")
    ck.choice("mode", mode, _CYCLIC_MODES, w)
    ck.choice("scale_mode", scale_mode, ("cycle", "iterations"), w)
    g = nonneg("gamma", gamma, w)
    if mode == "exp_range" and g > 1.0:
        raise ValueError(f"{w}: exp_range with gamma={gamma!r} > 1 grows without bound; not supported")
    ck.flag("cycle_momentum", cycle_momentum, w)
    gg = g if mode == "exp_range" else 1.0
    params: dict[str, Any] = {"base_lr": base_lr, "max_lr": max_lr}
    if cycle_momentum:
        params.update(base_momentum=base_momentum, max_momentum=max_momentum)
    n, p = _groups(w, **params)

    def curve(low: float, high: float) -> Shape:
        # exp_range with gamma = 0: the scale 0^t is 1 at t = 0, where the triangle is 0, then 0
        return Constant(low) if gg == 0.0 else Cyclic(low, high, up, down, mode, gg)

    lrs = [curve(p["base_lr"][i], p["max_lr"][i]) for i in range(n)]
    moms = None
    if cycle_momentum:
        moms = [curve(p["max_momentum"][i], p["base_momentum"][i]) for i in range(n)]
    return _result("CyclicLR", lrs, moms)


def _anneal(kind: str, a: float, b: float, pct: float) -> float:
    """torch's OneCycleLR interpolation from ``a`` to ``b`` at progress ``pct`` (plain Python)."""
    if kind == "cos":
        return b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (b - a) * pct + a


def _onecycle_curve(kind: str, ends: list[float], points: list[tuple[float, float]], n: int) -> Shape:
    """The phases of torch's OneCycleLR as a Join; the last phase holds ``f(n - 1)``."""
    phases: list[tuple[int, Shape]] = []
    for k, (e, (a, b)) in enumerate(zip(ends, points)):
        last = k == len(ends) - 1
        s = 0.0 if k == 0 else ends[k - 1]
        lo = 0 if k == 0 else max(0, math.floor(max(ends[:k])) + 1)
        hi = n - 1 if last else min(n - 1, math.floor(e))
        if lo > hi:
            continue
        den = e - s
        if den == 0.0:
            raise ValueError(
                "torch.OneCycleLR: the first phase has zero length (pct_start * total_steps == 1), "
                "which makes torch divide 0 by 0 at step 0"
            )
        if hi == lo or a == b:
            shape: Shape = Constant(max(0.0, _anneal(kind, a, b, (lo - s) / den)))
        elif kind == "cos":
            # inner phases keep the formula up to the next boundary; the last one holds its end
            shape = Cosine(a, b, hi - lo, after="hold" if last else "continue", span=den, offset=s - lo)
        else:
            shape = Linear(a, b, hi - lo, span=den, offset=s - lo)
        phases.append((lo, shape))
    if len(phases) == 1:
        return phases[0][1]
    return Join(tuple(sh for _, sh in phases), tuple(lo for lo, _ in phases[1:]))


def OneCycleLR(
    max_lr: float | Sequence[float],
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    cycle_momentum: bool = True,
    base_momentum: float | Sequence[float] = 0.85,
    max_momentum: float | Sequence[float] = 0.95,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Any:
    """``torch.optim.lr_scheduler.OneCycleLR`` (the 1cycle policy).

    ``initial = max_lr / div_factor``, ``min = initial / final_div_factor``. Two phases end at
    ``e1 = pct_start * N - 1`` (initial -> max) and ``N - 1`` (max -> min); three phases at
    ``e1``, ``2 pct_start N - 2`` (max -> initial) and ``N - 1`` (initial -> min). In phase ``k``
    ``p = (t - e_{k-1}) / (e_k - e_{k-1})`` and the lr is ``b + (a - b)(1 + cos(pi p))/2``
    (``"cos"``) or ``a + (b - a) p`` (``"linear"``). Momentum runs inversely
    (max -> base -> max). Values for ``t >= N`` hold ``f(N - 1)`` (torch extrapolates at ``N`` and
    raises past it).

    Returns
    -------
    Shape or ScheduleSet
        ``{"lr", "momentum"}`` when ``cycle_momentum``; else the lr (a set for several groups).
    """
    w = "torch.OneCycleLR"
    if total_steps is not None:
        N = ck.integer("total_steps", total_steps, w, lo=1)
    elif epochs is not None and steps_per_epoch is not None:
        N = ck.integer("epochs", epochs, w, lo=1) * ck.integer("steps_per_epoch", steps_per_epoch, w, lo=1)
    else:
        raise ValueError(f"{w}: define either total_steps or (epochs and steps_per_epoch)")
    if not isinstance(pct_start, float) or not 0.0 <= pct_start <= 1.0:
        raise ValueError(f"{w}: pct_start must be a float between 0 and 1 (as torch requires), got {pct_start!r}")
    ck.choice("anneal_strategy", anneal_strategy, ("cos", "linear"), w)
    ck.flag("cycle_momentum", cycle_momentum, w)
    ck.flag("three_phase", three_phase, w)
    div = ck.real("div_factor", div_factor, w, lo=0.0, lo_open=True)
    fdiv = ck.real("final_div_factor", final_div_factor, w, lo=0.0, lo_open=True)
    params: dict[str, Any] = {"max_lr": max_lr}
    if cycle_momentum:
        params.update(base_momentum=base_momentum, max_momentum=max_momentum)
    n, p = _groups(w, **params)
    if three_phase:
        ends = [float(pct_start * N) - 1, float(2 * pct_start * N) - 2, float(N - 1)]
    else:
        ends = [float(pct_start * N) - 1, float(N - 1)]
    lrs, moms = [], []
    for i in range(n):
        peak = p["max_lr"][i]
        init = peak / div
        low = init / fdiv
        lr_pts = [(init, peak), (peak, init), (init, low)] if three_phase else [(init, peak), (peak, low)]
        lrs.append(_onecycle_curve(anneal_strategy, ends, lr_pts, N))
        if cycle_momentum:
            mx, mb = p["max_momentum"][i], p["base_momentum"][i]
            m_pts = [(mx, mb), (mb, mx), (mx, mx)] if three_phase else [(mx, mb), (mb, mx)]
            moms.append(_onecycle_curve(anneal_strategy, ends, m_pts, N))
    return _result("OneCycleLR", lrs, moms if cycle_momentum else None)


# ---- composites ------------------------------------------------------------------------------


def _child_list(schedulers: Any, where: str) -> list[Any]:
    if isinstance(schedulers, (str, bytes)) or not isinstance(schedulers, Iterable):
        raise TypeError(f"{where}: schedulers must be a list of built presets, got {schedulers!r}")
    children = list(schedulers)
    if not children:
        raise ValueError(f"{where}: expects at least one scheduler, got none")
    return children


def _check_child(child: Any, i: int, where: str) -> PresetInfo | None:
    info = _info(child)
    if isinstance(child, ScheduleSet) or (info is not None and info.own_lr):
        name = info.call if info is not None else "ScheduleSet"
        raise ValueError(
            f"{where}: schedulers[{i}] is {name}, which is not supported inside a composite "
            "(torch's CyclicLR/OneCycleLR rewrite the param group's lr and initial_lr at construction)"
        )
    if info is not None and info.composite:
        raise ValueError(
            f"{where}: schedulers[{i}] is a {info.call}; nested composites are not supported "
            "(torch mis-steps them: NotImplementedError at a milestone, an extra step at construction)"
        )
    if not isinstance(child, (Shape, Schedule)):
        raise TypeError(f"{where}: schedulers[{i}] must be a fastlr preset or shape, got {type(child).__name__}")
    return info


def _same_base(infos: Sequence[PresetInfo | None], where: str) -> float | None:
    bases = {i.base for i in infos if i is not None and i.base is not None}
    if len(bases) > 1:
        raise ValueError(
            f"{where}: the children were built with different base_lr values {sorted(bases)}; torch's children share "
            "one optimizer, so give them the same base_lr"
        )
    return bases.pop() if bases else None


def SequentialLR(schedulers: Sequence[Any], milestones: Sequence[int]) -> Any:
    """``torch.optim.lr_scheduler.SequentialLR``: child ``k`` runs on
    ``[milestones[k-1], milestones[k])`` in local time ``t - milestones[k-1]``.

    Parameters
    ----------
    schedulers : list
        Built presets of this module (or fastlr shapes, used as they are). A child restarted at
        a milestone follows torch's closed form at local step 0 (see the module docstring).
    milestones : list of int
        Sorted, ``len(schedulers) - 1`` of them.
    """
    w = "torch.SequentialLR"
    children = _child_list(schedulers, w)
    ms = ck.int_tuple("milestones", milestones, w)
    if len(ms) != len(children) - 1:
        raise ValueError(
            f"{w}: expects one milestone fewer than schedulers, got {len(children)} schedulers and {len(ms)} milestones"
        )
    if any(b < a for a, b in zip(ms, ms[1:])):
        raise ValueError(f"{w}: milestones must be sorted (torch locates them by bisection), got {list(ms)}")
    infos = [_check_child(c, i, w) for i, c in enumerate(children)]
    base = _same_base(infos, w)
    idx = bisect_right(ms, 0)
    used: list[tuple[int, int]] = [(0, idx)]
    for k in range(idx + 1, len(children)):
        start = ms[k - 1]
        if used[-1][0] == start:
            used[-1] = (start, k)
        else:
            used.append((start, k))
    phases: list[Any] = []
    for j, (_, k) in enumerate(used):
        child, info = children[k], infos[k]
        if j > 0 and info is not None:
            if info.restart_error:
                raise ValueError(f"{w}: schedulers[{k}]: {info.restart_error}")
            if info.restart is not None:
                child = info.restart
            if info.carry is not None:
                # torch's step(0) multiplies the lr the previous child set for the step before by
                # g(0), then each step by g(1), g(2), ... (in that order: the scale first)
                (prev_start, _), start = used[j - 1], used[j][0]
                lr = float(phases[-1].at(start - 1 - prev_start)) * float(info.carry.fn(0))
                child = Formula(info.carry.fn, scale=lr, cumulative=True, jit=info.carry.jit)
        phases.append(child)
    made = PresetInfo("SequentialLR", base, composite=True)
    if len(phases) == 1:
        return _built(dataclasses.replace(phases[0]), made)  # a new object: the child keeps its own info
    restarted = [j for j, p in enumerate(phases) if isinstance(p, Schedule)]
    for j in restarted:
        p = phases[j]
        if p.restarts is None or p.warmup is not None or p.scale != 1.0 or p.floor is not None:
            raise ValueError(
                f"{w}: schedulers[{used[j][1]}] is a schedule with a warmup, scale or floor; only shapes and "
                "schedules with restarts alone (CosineAnnealingWarmRestarts) can be children"
            )
    if len(restarted) > 1:
        raise ValueError(
            f"{w}: at most one child may have restarts (a fastlr row restarts one curve), got {len(restarted)}"
        )
    return _built(Join(tuple(phases), tuple(s for s, _ in used[1:])), made)


# ---- ChainedScheduler: products of multiplicative factors -------------------------------------


def _chain_info(child: Any, i: int, where: str) -> PresetInfo:
    info = _info(child)
    if info is None:
        raise TypeError(f"{where}: schedulers[{i}] must be a preset built by fastlr.presets.torch, got {child!r}")
    if info.factor is None:
        raise ValueError(
            f"{where}: schedulers[{i}] ({info.call}) is not multiplicative (it overwrites or mixes the lr), so the "
            "chain has no fastlr closed form; multiplicative children: StepLR, MultiStepLR, ConstantLR, "
            "LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR(eta_min=0), MultiplicativeLR"
        )
    return info


def _overlay(curves: list[Curve]) -> LinearFactor | None:
    """The LinearLR factor that acts as an overlay warmup on the other curves: the first with
    ``end_factor > 0``, when there are other curves."""
    if len(curves) < 2:
        return None
    return next((f for f in curves if isinstance(f, LinearFactor) and f.end > 0.0), None)


def _one_curve(curves: list[Curve], where: str) -> Curve | None:
    """The product of the decaying factors (None for none): exponentials merge into one, and so do
    steps of one size; several other curves make a :class:`ProductFactor`."""
    exps = [f for f in curves if isinstance(f, ExpFactor)]
    if len(exps) > 1:
        curves = [f for f in curves if not isinstance(f, ExpFactor)] + [ExpFactor(math.prod(f.gamma for f in exps))]
    steps = [f for f in curves if isinstance(f, StepFactor)]
    if len(steps) > 1 and len({f.size for f in steps}) == 1:
        merged = StepFactor(math.prod(f.gamma for f in steps), steps[0].size)
        curves = [f for f in curves if not isinstance(f, StepFactor)] + [merged]
    if len(curves) > 1:
        return ProductFactor(tuple(curves))  # type: ignore[arg-type]
    return curves[0] if curves else None


def _pieces_product(pcs: list[Pieces]) -> list[tuple[int, float]]:
    """The product of piecewise-constant factors, as ``(start, value)`` from step 0."""
    starts = sorted({s for f in pcs for s, _ in f.pieces} | {0})
    out = []
    for s in starts:
        v = 1.0
        for f in pcs:
            v *= f.at(s)
        out.append((s, v))
    return out


def ChainedScheduler(schedulers: Sequence[Any]) -> Any:
    """``torch.optim.lr_scheduler.ChainedScheduler``: every child steps the same lr, so for
    multiplicative children ``f(t) = base_lr * prod_k factor_k(t)``.

    Multiplicative children: ``StepLR``, ``MultiStepLR``, ``ConstantLR``, ``LinearLR``,
    ``ExponentialLR``, ``PolynomialLR``, ``CosineAnnealingLR(eta_min=0)``, ``MultiplicativeLR``
    (its running product of the user's factors). The product must be
    one decaying curve times piecewise-constant factors, optionally times one ``LinearLR`` warmup
    (an overlay warmup); a cosine child must see the other factors constant from ``T_max`` on.
    A single child of any kind is returned as it is.
    """
    w = "torch.ChainedScheduler"
    children = _child_list(schedulers, w)
    if len(children) == 1:
        if _info(children[0]) is None:
            raise TypeError(f"{w}: schedulers[0] must be a preset built by fastlr.presets.torch")
        return children[0]
    affine = [i for i, c in enumerate(children) if (info := _info(c)) is not None and info.affine is not None]
    if len(affine) == 1:
        return _affine_chain(children, affine[0], w)
    infos = [_chain_info(c, i, w) for i, c in enumerate(children)]
    B = _same_base(infos, w)
    assert B is not None
    factors = [i.factor for i in infos if i.factor is not None]
    pcs = [f for f in factors if isinstance(f, Pieces)]
    curves = [f for f in factors if not isinstance(f, Pieces)]
    overlay = _overlay(curves)
    if overlay is not None:
        curves.remove(overlay)
        pcs.append(_pc((0, overlay.end)))
    curve = _one_curve(curves, w)
    tail: list[tuple[int, Shape]] = []
    inner = curve.factors if isinstance(curve, ProductFactor) else (curve,) if curve is not None else ()
    cosines = [f for f in inner if isinstance(f, CosFactor)]
    if len(cosines) > 1:
        raise ValueError(
            f"{w}: several CosineAnnealingLR children each reset the lr at their own T_max + 1; not supported"
        )
    if cosines:
        n = cosines[0].T_max
        others: list[Factor] = [*pcs, *([overlay] if overlay else []), *(f for f in inner if f is not cosines[0])]
        late = max((f.last_change() for f in others), default=0)
        if late > n:
            raise ValueError(
                f"{w}: a CosineAnnealingLR child (T_max={n}) resets the lr at T_max + 1, dropping the other "
                f"factors; supported only when they stop changing by T_max (one changes at {late})"
            )
        tail = [(n + 1, Cosine(B, 0.0, n, after="continue", offset=float(-(n + 1))))]
    pieces = _pieces_product(pcs)
    phases: list[tuple[int, Shape]] = []
    for j, (a, k) in enumerate(pieces):
        if tail and a >= tail[0][0]:
            break
        b = pieces[j + 1][0] if j + 1 < len(pieces) else None
        phases.extend([(a, Constant(B * k))] if curve is None else curve.shifted(a, b, B * k))
    phases.extend(tail)
    shape = phases[0][1] if len(phases) == 1 else Join(tuple(s for _, s in phases), tuple(a for a, _ in phases[1:]))
    made = PresetInfo("ChainedScheduler", B, composite=True)
    if overlay is None:
        return _built(shape, made)
    warm = Warmup(overlay.steps, overlay.start / overlay.end, mode="overlay")
    return _built(Schedule(shape, warmup=warm), made)


def _affine_chain(children: list[Any], k: int, where: str) -> Any:
    """A chain of one ``CosineAnnealingLR(eta_min != 0)`` (child ``k``) and piecewise-constant
    children, stepped as torch does.

    In a chain the cosine steps by its recursive form ``lr <- eta + (lr - eta) c_t / c_{t-1}``
    (``c_t = 1 + cos(pi t / T_max)``), and at ``t = (2j + 1) T_max + 1`` by
    ``lr <- lr + (B - eta)(1 - cos(pi / T_max)) / 2``; the other children multiply the lr by
    their ratio where they change. Between two such events the lr is ``eta + A c_t`` for one
    ``A`` (the recursion telescopes), so the chain is a Join of cosines toward ``eta``; ``A`` is
    carried across each event by one step of torch's arithmetic, in the children's order. After
    the first reset that follows the last change the lr is the cosine's own closed form.
    """
    infos = [_info(c) for c in children]
    for i, info in enumerate(infos):
        if i != k and (info is None or not isinstance(info.factor, Pieces)):
            name = info.call if info is not None else type(children[i]).__name__
            raise ValueError(
                f"{where}: schedulers[{k}] is a CosineAnnealingLR with eta_min != 0, which is not multiplicative: in a "
                f"chain torch steps it by its affine recursive form, which has a closed form only with "
                f"piecewise-constant other children (MultiStepLR, ConstantLR); schedulers[{i}] is {name}"
            )
    B = _same_base(infos, where)
    assert B is not None
    cos_info = infos[k]
    assert cos_info is not None and cos_info.affine is not None
    n, eta = cos_info.affine

    def c(t: int) -> float:
        return 1 + math.cos(math.pi * t / n)

    def reset(t: int) -> bool:
        return (t - 1 - n) % (2 * n) == 0

    pieces = [
        (i, f) for i, info in enumerate(infos) if i != k and info is not None and isinstance(f := info.factor, Pieces)
    ]
    changes = sorted({s for _, f in pieces for s, _ in f.pieces if s > 0})
    last = changes[-1] if changes else 0
    first = n + 1 + 2 * n * max(0, -(-(last + 1 - n - 1) // (2 * n)))  # the first reset after last
    events = sorted({*changes, *range(n + 1, first + 2 * n + 1, 2 * n)})
    lr = B * math.prod(f.at(0) for _, f in pieces)  # each child's initial step
    phases: list[tuple[int, Constant | Cosine]] = []

    def cosine_from(t0: int, value: float) -> None:
        ct = c(t0)
        if ct == 0.0:  # a trough: the value cannot be written eta + A c_t; one step, then a reset
            phases.append((t0, Constant(value)))
            return
        start = eta + 2.0 * ((value - eta) / ct)
        if start < 0.0:
            raise ValueError(
                f"{where}: from step {t0} the chained cosine eta_min + A c_t would need eta_min + 2A < 0 (torch's lr "
                "can turn negative there); not supported"
            )
        phases.append((t0, Cosine(start, eta, n, after="continue", offset=-float(t0))))

    cosine_from(0, lr)
    final = events[-1]
    for t in events:
        prev = phases[-1][1]
        if t >= first and reset(t) and not isinstance(prev, Constant):
            final = t  # the trough before this reset is exactly eta: torch's closed form from here
            break
        lr_prev = prev.value if isinstance(prev, Constant) else eta + (prev.start - eta) / 2.0 * c(t - 1)
        lr = lr_prev
        for i in range(len(children)):
            if i == k:
                if reset(t):
                    lr = lr + (B - eta) * (1 - math.cos(math.pi / n)) / 2
                else:
                    lr = c(t) / c(t - 1) * (lr - eta) + eta
            else:
                f = infos[i].factor  # type: ignore[union-attr]
                before, after = f.at(t - 1), f.at(t)  # type: ignore[union-attr]
                if after != before:
                    lr = lr * (after / before) if before != 0.0 else 0.0
        cosine_from(t, lr)
    phases.append((final, Cosine(B, eta, n, after="continue", offset=-float(final))))
    shape = Join(tuple(sh for _, sh in phases), tuple(t for t, _ in phases[1:]))
    return _built(shape, PresetInfo("ChainedScheduler", B, composite=True))
