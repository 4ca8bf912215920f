"""optax dialect: ``optax.schedules`` by their own names and parameters (matched: optax 0.2.8).

Every function returns a fastlr *shape* (a schedule that can also be a phase of
:func:`join_schedules`); ``s.table(T)[i]`` is ``optax_schedule(i)``, the value that optax's
``scale_by_schedule`` (count starting at 0) uses for update ``i``::

    import fastlr.presets.optax as ox
    s = ox.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, warmup_steps=500,
                                        decay_steps=10_000, end_value=1e-5)
    s.table(10_000)

fastlr computes in float64, so tables equal optax run with ``jax_enable_x64`` (to rounding, 1e-12
relative); optax's default float32 arithmetic agrees within float32 rounding.

Quirks reproduced (optax 0.2.8)
-------------------------------
- ``polynomial_schedule`` / ``linear_schedule`` / ``warmup_constant_schedule`` with
  ``transition_steps <= 0`` (``warmup_steps <= 0``) are the constant ``init_value``: optax logs and
  degrades instead of raising. So ``warmup_constant_schedule(warmup_steps=0)`` is ``init_value``
  forever, never ``peak_value``.
- ``exponential_decay`` with ``transition_steps <= 0`` or ``decay_rate == 0`` is the constant
  ``init_value`` (optax logs and degrades); ``end_value`` clips every step, including those
  before ``transition_begin``.
- A negative ``transition_begin`` falls back to 0.
- Before ``transition_begin`` the polynomial value is ``(init - end) + end`` (the formula at
  progress 0), which can differ from ``init_value`` in the last bit.
- ``cosine_decay_schedule`` raises for ``decay_steps <= 0``; ``warmup_cosine_decay_schedule``'s
  ``decay_steps`` **includes** the warmup (the cosine lasts ``decay_steps - warmup_steps``; equal
  values raise), unlike Keras's ``CosineDecay``. Its ``alpha`` is ``end_value / peak_value``
  (0 when ``peak_value == 0``).
- ``piecewise_constant_schedule`` switches **at** ``t = boundary`` (optax and PyTorch; Keras one
  step later); scales multiply cumulatively in boundary order; boundaries ``<= 0`` apply from
  step 0.
- ``piecewise_interpolate_schedule`` interpolates between the cumulative products, not the
  scales; a boundary at 0 jumps at step 0.
- ``linear_onecycle_schedule`` and ``cosine_onecycle_schedule`` truncate ``int(pct * N)``; their
  boundaries are dict keys, so coinciding boundaries collapse (the later scale wins). The final
  value is reached **at** ``N`` (PyTorch's OneCycleLR reaches it at ``N - 1``).
- ``join_schedules`` gives every later schedule *local* time (``t - boundary``); where boundaries
  repeat or are out of order, the later schedule wins (optax's nested ``where``), so some
  schedules never show.

Rejected with a clear error (optax would produce inf, NaN or negative learning rates, or
misbehave silently): negative values, ``power < 0`` or a negative cosine ``exponent`` (infinite at
the end of the transition), ``decay_rate < 0`` (NaN), negative ``join_schedules`` boundaries, a
``boundaries`` list whose length is not ``len(schedules) - 1`` (optax silently truncates), and
non-integer step counts. A growing ``exponential_decay`` (``decay_rate > 1``) without
``end_value`` is held at the largest float32 (3.4e38) where optax overflows to inf.

Examples
--------
optax's ``decay_steps`` counts the warmup:

>>> import fastlr.presets.optax as ox
>>> s = ox.warmup_cosine_decay_schedule(init_value=0.0, peak_value=1.0, warmup_steps=2, decay_steps=6)
>>> s.table(8).round(6).tolist()
[0.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.shapes import (
    Constant,
    Cosine,
    Exponential,
    Join,
    Linear,
    PiecewiseConstant,
    PiecewiseInterp,
    Polynomial,
    Shape,
)

__all__ = [
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]

PEER = "optax"
PEER_VERSION = "0.2.8"

#: Where optax (float32) overflows to inf, fastlr holds the largest finite float32.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _boundaries_and_scales(bas: Any, where: str) -> list[tuple[int, float]]:
    """optax's ``{step: scale}`` dict as a sorted list, validated as optax does (scales >= 0)."""
    if bas is None:
        return []
    if not isinstance(bas, Mapping):
        raise TypeError(f"{where}: boundaries_and_scales must be a dict {{step: scale}} or None, got {bas!r}")
    items = []
    for k, s in bas.items():
        b = ck.integer("boundaries_and_scales key", k, where)
        scale = ck.real(f"boundaries_and_scales[{b}]", s, where)
        if scale < 0.0:
            raise ValueError(f"{where}: expects non-negative scale factors, got boundaries_and_scales[{b}]={s!r}")
        items.append((b, scale))
    return sorted(items)


def constant_schedule(value: float) -> Shape:
    """``f(t) = value``."""
    return Constant(nonneg("value", value, "constant_schedule"))


def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Shape:
    """Polynomial transition from ``init_value`` to ``end_value``.

    ``f(t) = (I - E) (1 - c / T)^P + E`` with ``c = clip(t - B, 0, T)``: constant before ``B``,
    ``E`` from ``B + T`` on. ``T <= 0`` gives the constant ``I``; ``B < 0`` counts as 0.

    Parameters
    ----------
    init_value, end_value : float
        ``I`` and ``E`` (>= 0).
    power : float
        ``P`` (>= 0; 0 gives the constant ``I - E + E``).
    transition_steps : int
        ``T``.
    transition_begin : int
        ``B``.
    """
    w = "polynomial_schedule"
    init = nonneg("init_value", init_value, w)
    end = nonneg("end_value", end_value, w)
    p = ck.real("power", power, w)
    steps = ck.integer("transition_steps", transition_steps, w)
    begin = ck.integer("transition_begin", transition_begin, w)
    if steps <= 0:
        return Constant(init)
    if p < 0.0:
        raise ValueError(f"{w}: power must be >= 0, got {power!r} (a negative power is infinite at the end)")
    begin = max(begin, 0)
    held = (init - end) * 1.0 + end  # the formula at progress 0
    curve: Shape = Constant(held) if p == 0.0 else Polynomial(start=init, end=end, steps=steps, power=p)
    if begin == 0 or p == 0.0:
        return curve
    return Join((Constant(held), curve), (begin,))


def linear_schedule(
    init_value: float,
    end_value: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Shape:
    """Linear transition: :func:`polynomial_schedule` with ``power=1``.

    ``f(t) = (I - E)(1 - c/T) + E``, ``c = clip(t - B, 0, T)``.
    """
    return polynomial_schedule(init_value, end_value, 1.0, transition_steps, transition_begin)


def exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Shape:
    """Exponential decay (or growth) after ``transition_begin``.

    ``f(t) = I`` for ``d = t - B <= 0``, else ``I r^(d/T)`` (``floor(d/T)`` when
    ``staircase``); ``end_value`` clips: a minimum when ``r < 1``, a maximum otherwise.
    ``T <= 0`` or ``r == 0`` give the constant ``I``.
    """
    w = "exponential_decay"
    init = nonneg("init_value", init_value, w)
    steps = ck.integer("transition_steps", transition_steps, w)
    rate = ck.real("decay_rate", decay_rate, w)
    begin = ck.integer("transition_begin", transition_begin, w)
    ck.flag("staircase", staircase, w)
    end = None if end_value is None else nonneg("end_value", end_value, w)
    if steps <= 0 or rate == 0.0:
        return Constant(init)
    if rate < 0.0:
        raise ValueError(f"{w}: decay_rate must be >= 0, got {decay_rate!r} (a negative rate gives NaN)")
    begin = max(begin, 0)
    if end is not None:
        first = max(init, end) if rate < 1.0 else min(init, end)
    else:
        first = init
    if init == 0.0:
        return Constant(first)
    cap = end if end is not None else (FLOAT32_MAX if rate > 1.0 else None)
    curve = Exponential(start=init, rate=rate, steps=float(steps), staircase=staircase, end=cap)
    if begin == 0:
        return curve
    return Join((Constant(first), curve), (begin,))


def cosine_decay_schedule(
    init_value: float,
    decay_steps: int,
    alpha: float = 0.0,
    exponent: float = 1.0,
) -> Shape:
    """Cosine decay, held after ``decay_steps``.

    ``f(t) = I ((1 - a) ((1 + cos(pi c / T)) / 2)^e + a)``, ``c = min(t, T)``.

    Parameters
    ----------
    init_value : float
        ``I``.
    decay_steps : int
        ``T`` (> 0, as optax requires).
    alpha : float
        ``a``: the final value is ``a I`` (>= 0).
    exponent : float
        ``e`` (>= 0).
    """
    w = "cosine_decay_schedule"
    init = nonneg("init_value", init_value, w)
    steps = ck.integer("decay_steps", decay_steps, w)
    if not steps > 0:
        raise ValueError(f"{w}: requires positive decay_steps, got decay_steps={decay_steps!r}")
    a = nonneg("alpha", alpha, w, "the final value is alpha * init_value")
    e = nonneg("exponent", exponent, w, "a negative exponent is infinite at the end")
    if e == 0.0:
        return Constant(init * ((1.0 - a) * 1.0 + a))
    return Cosine(start=init, end=init * a, steps=steps, exponent=e)


def join_schedules(schedules: Sequence[Shape], boundaries: Sequence[int]) -> Shape:
    """Sequence schedules: ``schedules[k]`` runs from ``boundaries[k-1]`` in local time.

    ``f(t) = s_k(t - b_{k-1})`` with ``k`` the *last* index whose boundary ``b_{k-1} <= t``
    (``k = 0`` when none): repeated or unsorted boundaries hide the earlier schedules, as in
    optax's nested ``jnp.where``.

    Parameters
    ----------
    schedules : sequence of shapes
        Results of this module's functions (or any fastlr shape).
    boundaries : sequence of int
        ``len(schedules) - 1`` integers >= 0.
    """
    w = "join_schedules"
    if isinstance(schedules, Shape) or not isinstance(schedules, Iterable):
        raise TypeError(f"{w}: schedules must be a list of fastlr shapes, got {schedules!r}")
    phases = list(schedules)
    if not phases:
        raise ValueError(f"{w}: schedules must not be empty")
    for i, s in enumerate(phases):
        if not isinstance(s, Shape):
            raise TypeError(f"{w}: schedules[{i}] must be a fastlr shape (from this module), got {type(s).__name__}")
    bs = list(ck.int_tuple("boundaries", boundaries, w))
    if len(bs) != len(phases) - 1:
        raise ValueError(
            f"{w}: need len(boundaries) == len(schedules) - 1, got {len(bs)} boundaries for {len(phases)} schedules"
        )
    if any(b < 0 for b in bs):
        raise ValueError(f"{w}: boundaries must be >= 0, got {bs}")
    starts = [0, *bs]
    # schedule k shows on [starts[k], min(starts[k+1:])): the later where wins
    alive: list[tuple[int, Shape]] = []
    for k, (a, s) in enumerate(zip(starts, phases)):
        later = starts[k + 1 :]
        if not later or a < min(later):
            alive.append((a, s))
    # the first alive schedule starts at 0 (schedule 0, or the last one with boundary 0)
    if len(alive) == 1:
        return alive[0][1]
    return Join(tuple(s for _, s in alive), tuple(a for a, _ in alive[1:]))


def piecewise_constant_schedule(init_value: float, boundaries_and_scales: Mapping[int, float] | None = None) -> Shape:
    """Piecewise constant with cumulative scales.

    ``f(t) = I * prod(s_i for b_i <= t)``: the scale of boundary ``b`` applies **from** step ``b``.
    """
    w = "piecewise_constant_schedule"
    init = nonneg("init_value", init_value, w)
    v = init
    bounds: list[int] = []
    values: list[float] = [init]
    for b, s in _boundaries_and_scales(boundaries_and_scales, w):
        v = s * v
        if b <= 0:
            values[0] = v
        else:
            bounds.append(b)
            values.append(v)
    if not bounds:
        return Constant(values[0])
    return PiecewiseConstant(boundaries=tuple(bounds), values=tuple(values))


def piecewise_interpolate_schedule(
    interpolate_type: str,
    init_value: float,
    boundaries_and_scales: Mapping[int, float] | None = None,
) -> Shape:
    """Interpolation between cumulative products of the scales.

    Knots ``b_0 = 0 < b_1 < ...`` (the sorted boundaries), values ``v_0 = I``,
    ``v_k = v_{k-1} s_k``. On ``[b_{k-1}, b_k)`` with ``p = (t - b_{k-1}) / (b_k - b_{k-1})``:
    linear ``(v_k - v_{k-1}) p + v_{k-1}``, cosine ``v_k + (v_{k-1} - v_k)(1 + cos(pi p))/2``.
    From the last boundary on: ``v_last``.
    """
    w = "piecewise_interpolate_schedule"
    if interpolate_type not in ("linear", "cosine"):
        raise ValueError(f"{w}: interpolate_type must be either 'cosine' or 'linear'; got {interpolate_type!r}")
    init = nonneg("init_value", init_value, w)
    items = _boundaries_and_scales(boundaries_and_scales, w)
    bounds = [0] + [b for b, _ in items]
    vals = [init]
    for _, s in items:
        vals.append(vals[-1] * s)
    # intervals [bounds[k-1], bounds[k]) that contain steps >= 0
    live = [(k, bounds[k - 1], bounds[k]) for k in range(1, len(bounds)) if bounds[k] > max(bounds[k - 1], 0)]
    if not live:
        return Constant(vals[-1])
    k0, lo0, hi0 = live[0]
    if lo0 >= 0:
        knots = [lo0] + [hi for _, _, hi in live]
        return PiecewiseInterp(knots=tuple(knots), values=tuple(vals[k0 - 1 :]), kind=interpolate_type)
    # a negative boundary: the first piece starts part-way (progress (t - lo0) / (hi0 - lo0))
    make = Linear if interpolate_type == "linear" else Cosine
    first = make(start=vals[k0 - 1], end=vals[k0], steps=hi0, span=float(hi0 - lo0), offset=float(lo0))
    knots = [0] + [hi - hi0 for _, _, hi in live[1:]]
    rest = PiecewiseInterp(knots=tuple(knots), values=tuple(vals[k0:]), kind=interpolate_type)
    return Join((first, rest), (hi0,))


def linear_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Shape:
    """Three linear phases: ``peak/div -> peak -> peak/div -> peak/(div*final_div)``.

    Knots at ``int(pct_start N)``, ``int(pct_final N)`` and ``N``
    (:func:`piecewise_interpolate_schedule` with scales ``div``, ``1/div``, ``1/final_div``).
    """
    w = "linear_onecycle_schedule"
    n = ck.integer("transition_steps", transition_steps, w, lo=1)
    peak = nonneg("peak_value", peak_value, w)
    ps = ck.real("pct_start", pct_start, w)
    pf = ck.real("pct_final", pct_final, w)
    div = ck.real("div_factor", div_factor, w, lo=0.0, lo_open=True)
    fdiv = ck.real("final_div_factor", final_div_factor, w, lo=0.0, lo_open=True)
    bas: dict[int, float] = {}
    bas[int(ps * n)] = div
    bas[int(pf * n)] = 1.0 / div
    bas[n] = 1.0 / fdiv
    return piecewise_interpolate_schedule("linear", peak / div, bas)


def cosine_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Shape:
    """Cosine 1cycle: ``peak/div -> peak`` over ``int(pct_start N)`` steps, then down to
    ``peak/(div*final_div)`` at ``N``, held afterwards."""
    w = "cosine_onecycle_schedule"
    n = ck.integer("transition_steps", transition_steps, w, lo=1)
    peak = nonneg("peak_value", peak_value, w)
    ps = ck.real("pct_start", pct_start, w)
    div = ck.real("div_factor", div_factor, w, lo=0.0, lo_open=True)
    fdiv = ck.real("final_div_factor", final_div_factor, w, lo=0.0, lo_open=True)
    bas: dict[int, float] = {}
    bas[int(ps * n)] = div
    bas[n] = 1.0 / (div * fdiv)
    return piecewise_interpolate_schedule("cosine", peak / div, bas)


def warmup_constant_schedule(init_value: float, peak_value: float, warmup_steps: int) -> Shape:
    """Linear warmup ``init -> peak`` over ``warmup_steps``, then ``peak``
    (``warmup_steps <= 0``: the constant ``init_value``)."""
    return linear_schedule(init_value, peak_value, warmup_steps)


def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Shape:
    """Linear warmup, then cosine decay to ``end_value``; ``decay_steps`` includes the warmup.

    ``f(t) = init + (peak - init) t / W`` for ``t < W``; then
    ``peak ((1 - a) ((1 + cos(pi c / D'))/2)^e + a)``, ``c = min(t - W, D')``,
    ``D' = decay_steps - W``, ``a = end_value / peak_value`` (0 if ``peak_value == 0``).
    """
    w = "warmup_cosine_decay_schedule"
    ws = ck.integer("warmup_steps", warmup_steps, w, lo=0)
    ds = ck.integer("decay_steps", decay_steps, w)
    peak = nonneg("peak_value", peak_value, w)
    end = nonneg("end_value", end_value, w)
    if not ds - ws > 0:
        raise ValueError(
            f"{w}: decay_steps={decay_steps!r} must exceed warmup_steps={warmup_steps!r} "
            "(decay_steps includes the warmup; optax's cosine_decay_schedule raises too)"
        )
    alpha = 0.0 if peak == 0.0 else end / peak
    warm = linear_schedule(init_value, peak, ws)
    cos = cosine_decay_schedule(peak, ds - ws, alpha, exponent)
    return join_schedules([warm, cos], [ws])


def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Shape:
    """Linear warmup ``init -> peak`` over ``warmup_steps``, then
    :func:`exponential_decay` from ``peak_value`` in local time ``t - warmup_steps``."""
    w = "warmup_exponential_decay_schedule"
    ws = ck.integer("warmup_steps", warmup_steps, w, lo=0)
    warm = linear_schedule(init_value, peak_value, ws)
    dec = exponential_decay(peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value)
    return join_schedules([warm, dec], [ws])


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]]) -> Shape:
    """SGD with warm restarts: :func:`warmup_cosine_decay_schedule` cycles joined end to end.

    Cycle ``k`` is ``warmup_cosine_decay_schedule(**cosine_kwargs[k])`` and lasts its
    ``decay_steps``; after the last cycle its end value is held.
    """
    w = "sgdr_schedule"
    if isinstance(cosine_kwargs, Mapping) or not isinstance(cosine_kwargs, Iterable):
        raise TypeError(f"{w}: cosine_kwargs must be a list of dicts, got {cosine_kwargs!r}")
    cycles, bounds, step = [], [], 0
    for i, kw in enumerate(cosine_kwargs):
        if not isinstance(kw, Mapping):
            raise TypeError(f"{w}: cosine_kwargs[{i}] must be a dict, got {kw!r}")
        cycles.append(warmup_cosine_decay_schedule(**kw))
        step += kw["decay_steps"]
        bounds.append(step)
    if not cycles:
        raise ValueError(f"{w}: cosine_kwargs must not be empty")
    return join_schedules(cycles, bounds[:-1])
