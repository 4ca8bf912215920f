"""timm dialect: ``timm.scheduler`` classes by name, with per-update (``t_in_epochs=False``) semantics.

Matched against timm 1.0.31 (``timm/scheduler/*.py``). timm schedulers are closed forms ``_get_lr(t)``
of an explicit counter: ``train.py`` calls ``step_update(num_updates)`` after each optimizer
update, so update ``t`` uses ``f(t)`` for ``t >= 1``, while update 0 uses the value the
*constructor* wrote: ``base_lr``, or ``warmup_lr_init`` when ``warmup_t > 0``. Each function takes
the optimizer's lr as ``base_lr`` and returns a :class:`fastlr.Schedule` (or shape) whose
``table(T)[i]`` is the lr of update ``i``. ``t_in_epochs`` is accepted for convenience: the
values are the same function of timm's counter, whichever unit it counts.

Warmup (every class): for ``t < warmup_t``, ``warmup_lr_init + t (target - warmup_lr_init) /
warmup_t`` with ``target = base_lr`` (``TanhLRScheduler`` without prefix: ``f(warmup_t)``). With
``warmup_prefix`` the main curve starts after the warmup (``t - warmup_t``); without, it runs at
the global ``t`` underneath (jump or overlap at the end of the warmup). Defaults differ: Cosine,
Poly and Tanh use ``warmup_prefix=False``, Step and MultiStep ``True``; WSD always prefixes.

Cycles (Cosine, Poly, Tanh): cycle ``i`` lasts ``t_initial * cycle_mul^i`` (located with timm's
floating-point logarithm), peaks at ``base_lr * cycle_decay^i``; from cycle ``cycle_limit`` on the
lr is ``lr_min``.

Quirks reproduced
-----------------
- ``MultiStepLRScheduler`` decays one step early: ``bisect_right(decay_t, t + 1)`` (timm PRs
  #2745, #2753, kept on purpose), so a milestone ``m`` applies from ``t = m - 1``.
- Update 0 uses the constructor's value, not ``f(0)``: ``TanhLRScheduler`` (``f(0) < base_lr``),
  ``MultiStepLRScheduler`` with a milestone at 0 or 1, ``cycle_limit=0`` and WSD with
  ``lr_min > base_lr`` start at ``base_lr`` and jump at update 1.
- Past the last cycle the lr is ``lr_min`` (clamped, unlike torch/transformers cosines); with
  ``cycle_limit=1`` the Tanh curve drops from its end value to ``lr_min`` at ``t_initial``.
- Without prefix and ``warmup_t >= t_initial`` the warmup ends directly in ``lr_min``.
- ``StepLRScheduler`` accepts a fractional ``decay_t`` (``t // decay_t``).
- ``WSDLRScheduler`` holds ``max(base_lr, lr_min)`` in the stable phase and reaches ``lr_min`` at
  ``warmup_t + t_initial``.

Refused (``ValueError``)
------------------------
- Noise (``noise_range_t`` not None): timm's per-step noise comes from a ``torch.Generator``
  seeded with ``noise_seed + t``; fastlr does not reproduce it.
- ``cycle_mul < 1`` (timm fails with a math domain error), ``cycle_decay <= 0``,
  ``k_decay <= 0``, ``PolyLRScheduler(power <= 0)``, unsorted ``decay_t``.
- Restarts (``cycle_limit > 1``) with ``lr_min > base_lr`` (fastlr restarts repeat a decaying curve).
- ``WSDLRScheduler`` with ``stable_fn`` ``"rsqrt"``/``"power"`` and ``lr_min > 0``: the decay
  phase is ``lr_min + (stable - lr_min) decay``, a sum of products of curves (with ``lr_min = 0``
  it is the :class:`fastlr.Product` ``stable * decay``, supported). ``decay_fn="exp"`` is
  ``lr_min + (S - lr_min)(r^frac - r)/(1 - r)``, an exponential toward ``lr_min - (S - lr_min)
  r/(1 - r)``: :class:`fastlr.Asymptotic`, with a ``horizon`` at the decay's end when that
  asymptote is below 0. A callable ``decay_fn`` cannot be lowered.

Examples
--------
timm's warmup (``warmup_prefix=False``) replaces the first ``warmup_t`` steps of a cosine that
runs from step 0: after the warmup the lr is the cosine's value at step ``warmup_t``, not
``base_lr``:

>>> import fastlr.presets.timm as tm
>>> tm.CosineLRScheduler(1.0, t_initial=4, warmup_t=2, warmup_lr_init=0.0).table(6).round(6).tolist()
[0.0, 0.5, 0.5, 0.146447, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg, staircase
from fastlr.schedule import Restarts, Schedule, Warmup
from fastlr.shapes import (
    Asymptotic,
    Constant,
    Cosine,
    InverseSqrt,
    Join,
    Linear,
    MultiStep,
    PiecewiseConstant,
    Polynomial,
    Product,
    Shape,
    SqrtCooldown,
    Tanh,
)

__all__ = [
    "CosineLRScheduler",
    "MultiStepLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "TanhLRScheduler",
    "WSDLRScheduler",
]

PEER = "timm"
PEER_VERSION = "1.0.31"


def _noise(where: str, noise_range_t: Any) -> None:
    if noise_range_t is not None:
        raise ValueError(
            f"{where}: lr noise (noise_range_t={noise_range_t!r}) is not supported: timm draws it per step from a "
            "torch.Generator seeded with noise_seed + t, which fastlr does not reproduce; pass noise_range_t=None"
        )


def _common(
    where: str, base_lr: Any, warmup_t: Any, warmup_lr_init: Any, warmup_prefix: Any, t_in_epochs: Any
) -> tuple[float, int, float]:
    B = nonneg("base_lr", base_lr, where)
    W = ck.integer("warmup_t", warmup_t, where, lo=0)
    init = nonneg("warmup_lr_init", warmup_lr_init, where)
    ck.flag("warmup_prefix", warmup_prefix, where)
    ck.flag("t_in_epochs", t_in_epochs, where)
    return B, W, init


def _finish(
    where: str,
    curve: Shape,
    B: float,
    W: int,
    init: float,
    prefix: bool,
    *,
    restarts: Restarts | None = None,
    target_end: bool = False,
) -> Any:
    """Attach timm's warmup (or its constructor value at update 0) to the main curve.

    The core's prefix warmup warms toward the main curve's value where it starts (``target_end``:
    at ``warmup_t``); timm warms toward ``base_lr``. When the two differ the warmup is a joined
    ``Linear`` phase, or (with restarts) a warmup whose progress denominator is rescaled so that
    the line is timm's: ``init + (B - init) t / W``.
    """
    if W == 0:
        if curve.start_value() == B and restarts is None:
            return curve
        if curve.start_value() == B:
            return Schedule(curve, restarts=restarts)
        return Schedule(curve, warmup=Warmup(1, B, shape="constant", shift=False), restarts=restarts)
    if target_end:
        return Schedule(curve, warmup=Warmup(W, init, shift=False, target="end"), restarts=restarts)
    core = curve.start_value()
    if core == B:
        return Schedule(curve, warmup=Warmup(W, init, shift=prefix), restarts=restarts)
    if restarts is None:
        main = curve if prefix else _shift(curve, W)
        if main is not None:
            return Join((Linear(init, B, W), main), (W,))
    elif prefix:
        # the cycles start after the warmup: a restarted Join phase
        return Join((Linear(init, B, W), Schedule(curve, restarts=restarts)), (W,))
    if B == init:
        return Schedule(curve, warmup=Warmup(W, init, shape="constant", shift=prefix), restarts=restarts)
    ratio = (core - init) / (B - init)
    span = W * ratio
    if not (ratio > 0.0 and span >= W - 1):
        raise ValueError(
            f"{where}: a warmup from warmup_lr_init={init!r} to base_lr={B!r} followed by a main curve starting at "
            f"{core!r} is not expressible"
        )
    return Schedule(curve, warmup=Warmup(W, init, shift=prefix, span=span), restarts=restarts)


def _shift(curve: Shape, W: int) -> Shape | None:
    """``curve(t + W)`` in local time, for the curves that start below ``base_lr`` (else None)."""
    if isinstance(curve, Constant):
        return curve
    if isinstance(curve, MultiStep):
        return MultiStep(curve.start, tuple(max(m - W, 0) for m in curve.milestones), curve.gamma)
    if isinstance(curve, PiecewiseConstant):
        rest = [(b - W, v) for b, v in zip(curve.boundaries, curve.values[1:]) if b > W]
        first = curve.values[len(curve.boundaries) - len(rest)]
        if not rest:
            return Constant(first)
        return PiecewiseConstant(tuple(b for b, _ in rest), (first, *(v for _, v in rest)))
    return None


def _cycles(
    where: str,
    shape: Shape,
    B: float,
    lr_min: float,
    t_initial: int,
    cycle_mul: Any,
    cycle_decay: Any,
    cycle_limit: Any,
    W: int,
    init: float,
    prefix: bool,
    *,
    tail: bool = False,
    target_end: bool = False,
) -> Any:
    """The cycle machinery shared by Cosine, Poly and Tanh."""
    mult = ck.real("cycle_mul", cycle_mul, where)
    if mult < 1.0:
        raise ValueError(f"{where}: cycle_mul must be >= 1 (timm hits a math domain error below 1), got {cycle_mul!r}")
    decay = ck.real("cycle_decay", cycle_decay, where, lo=0.0, lo_open=True)
    limit = ck.integer("cycle_limit", cycle_limit, where)
    if limit <= 0:
        return _finish(where, Constant(lr_min), B, W, init, prefix, target_end=target_end)
    if limit == 1:
        curve: Shape = Join((shape, Constant(lr_min)), (t_initial,)) if tail else shape
        return _finish(where, curve, B, W, init, prefix, target_end=target_end)
    if lr_min > B:
        raise ValueError(
            f"{where}: lr_min={lr_min!r} > base_lr={B!r} with cycle_limit={limit} is not supported "
            "(fastlr restarts repeat a decaying curve)"
        )
    rs = Restarts(mult=mult, decay=decay, limit=limit, decay_mode="peak", exact=False)
    return _finish(where, shape, B, W, init, prefix, restarts=rs, target_end=target_end)


def CosineLRScheduler(
    base_lr: float,
    t_initial: int,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = False,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    k_decay: float = 1.0,
) -> Any:
    """``timm.scheduler.CosineLRScheduler``: in cycle ``i``,
    ``lr_min + (lr_max_i - lr_min)(1 + cos(pi t_cur^k / t_i^k)) / 2``, ``lr_max_i = base_lr cycle_decay^i``."""
    w = "timm.CosineLRScheduler"
    _noise(w, noise_range_t)
    B, W, init = _common(w, base_lr, warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs)
    n = ck.integer("t_initial", t_initial, w, lo=1)
    lo = nonneg("lr_min", lr_min, w)
    k = ck.real("k_decay", k_decay, w, lo=0.0, lo_open=True)
    shape = Cosine(B, lo, n, k_decay=k)
    return _cycles(w, shape, B, lo, n, cycle_mul, cycle_decay, cycle_limit, W, init, warmup_prefix)


def PolyLRScheduler(
    base_lr: float,
    t_initial: int,
    power: float = 0.5,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = False,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    k_decay: float = 1.0,
) -> Any:
    """``timm.scheduler.PolyLRScheduler``: in cycle ``i``,
    ``lr_min + (lr_max_i - lr_min)(1 - t_cur^k / t_i^k)^power``."""
    w = "timm.PolyLRScheduler"
    _noise(w, noise_range_t)
    B, W, init = _common(w, base_lr, warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs)
    n = ck.integer("t_initial", t_initial, w, lo=1)
    lo = nonneg("lr_min", lr_min, w)
    p = ck.real("power", power, w, lo=0.0, lo_open=True)
    k = ck.real("k_decay", k_decay, w, lo=0.0, lo_open=True)
    shape = Polynomial(B, lo, n, power=p, k_decay=k)
    return _cycles(w, shape, B, lo, n, cycle_mul, cycle_decay, cycle_limit, W, init, warmup_prefix)


def TanhLRScheduler(
    base_lr: float,
    t_initial: int,
    lb: float = -7.0,
    ub: float = 3.0,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = False,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> Any:
    """``timm.scheduler.TanhLRScheduler``: in cycle ``i``, with ``r = t_cur / t_i``,
    ``lr_min + (lr_max_i - lr_min)(1 - tanh(lb (1 - r) + ub r)) / 2``."""
    w = "timm.TanhLRScheduler"
    _noise(w, noise_range_t)
    B, W, init = _common(w, base_lr, warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs)
    n = ck.integer("t_initial", t_initial, w, lo=1)
    lo = nonneg("lr_min", lr_min, w)
    lower, upper = ck.real("lb", lb, w), ck.real("ub", ub, w)
    if not lower < upper:
        raise ValueError(f"{w}: lb must be < ub, got lb={lb!r}, ub={ub!r}")
    shape = Tanh(B, lo, n, lower=lower, upper=upper)
    return _cycles(
        w,
        shape,
        B,
        lo,
        n,
        cycle_mul,
        cycle_decay,
        cycle_limit,
        W,
        init,
        warmup_prefix,
        tail=True,
        target_end=W > 0 and not warmup_prefix,
    )


def StepLRScheduler(
    base_lr: float,
    decay_t: float,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = False,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> Any:
    """``timm.scheduler.StepLRScheduler``: ``base_lr * decay_rate^(t // decay_t)``."""
    w = "timm.StepLRScheduler"
    _noise(w, noise_range_t)
    B, W, init = _common(w, base_lr, warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs)
    period = ck.real("decay_t", decay_t, w, lo=0.0, lo_open=True)
    rate = nonneg("decay_rate", decay_rate, w)
    return _finish(w, staircase(B, rate, period), B, W, init, warmup_prefix)


def MultiStepLRScheduler(
    base_lr: float,
    decay_t: Sequence[int],
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = False,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> Any:
    """``timm.scheduler.MultiStepLRScheduler``: ``base_lr * decay_rate^bisect_right(decay_t, t + 1)``
    (each milestone ``m`` applies from ``t = m - 1``, one step early)."""
    w = "timm.MultiStepLRScheduler"
    _noise(w, noise_range_t)
    B, W, init = _common(w, base_lr, warmup_t, warmup_lr_init, warmup_prefix, t_in_epochs)
    ms = ck.int_tuple("decay_t", decay_t, w)
    if list(ms) != sorted(ms):
        raise ValueError(f"{w}: decay_t must be sorted (timm locates it by bisection), got {list(ms)}")
    rate = nonneg("decay_rate", decay_rate, w)
    early = tuple(max(m - 1, 0) for m in ms)
    if rate > 0.0:
        curve: Shape = MultiStep(B, early, rate)
    else:
        first = early[0] if early else None
        if first is None:
            curve = Constant(B)
        elif first == 0:
            curve = Constant(0.0)
        else:
            curve = PiecewiseConstant((first,), (B, 0.0))
    return _finish(w, curve, B, W, init, warmup_prefix)


_STABLE_FNS = ("constant", "rsqrt", "power")
_DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def WSDLRScheduler(
    base_lr: float,
    t_initial: int,
    decay_t: int,
    lr_min: float = 0.0,
    stable_fn: str = "constant",
    stable_timescale: float | None = None,
    stable_power: float = 0.5,
    decay_fn: Any = "1-sqrt",
    decay_power: float = 0.5,
    decay_ratio: float = 0.1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    t_in_epochs: bool = False,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> Any:
    """``timm.scheduler.WSDLRScheduler`` (warmup, stable, decay; the warmup is always a prefix).

    After the warmup, with ``t_s = t - warmup_t``, ``S = max(base_lr, lr_min)`` and
    ``frac = min((t_s - (t_initial - decay_t)) / decay_t, 1)``: ``S`` while ``frac <= 0``, then
    ``lr_min + (S - lr_min) d(frac)`` with ``d`` = ``1 - frac`` (linear), ``1 - sqrt(frac)``
    (1-sqrt), ``(1 + cos(pi frac))/2`` (cosine) or ``1 - frac^decay_power`` (power).
    ``stable_fn="rsqrt"``/``"power"`` (with ``lr_min = 0``) multiply the decay by
    ``base_lr (1 + t_s / stable_timescale)^-p`` (``p = 0.5`` or ``stable_power``): a
    :class:`fastlr.Product`.
    """
    w = "timm.WSDLRScheduler"
    _noise(w, noise_range_t)
    B, W, init = _common(w, base_lr, warmup_t, warmup_lr_init, True, t_in_epochs)
    n = ck.integer("t_initial", t_initial, w, lo=1)
    d = ck.integer("decay_t", decay_t, w)
    if not 0 < d <= n:
        raise ValueError(f"{w}: decay_t must be in (0, t_initial] with t_initial={n}, got {decay_t!r}")
    lo = nonneg("lr_min", lr_min, w)
    ck.choice("stable_fn", stable_fn, _STABLE_FNS, w)
    if not callable(decay_fn):
        ck.choice("decay_fn", decay_fn, _DECAY_FNS, w)
    ratio = ck.real("decay_ratio", decay_ratio, w, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    dp = ck.real("decay_power", decay_power, w, lo=0.0, lo_open=True)
    ck.real("stable_power", stable_power, w, lo=0.0, lo_open=True)
    sp = ck.real("stable_power", stable_power, w, lo=0.0, lo_open=True)
    ts = 0.0
    if stable_fn != "constant":
        ts = ck.real("stable_timescale", W if stable_timescale is None else stable_timescale, w, lo=0.0, lo_open=True)
        if lo > 0.0:
            raise ValueError(
                f"{w}: stable_fn={stable_fn!r} with lr_min={lr_min!r} > 0 is not supported: timm's decay phase is "
                "lr_min + (stable - lr_min) * decay, a sum of products of curves; use lr_min=0"
            )
    if callable(decay_fn):
        raise ValueError(f"{w}: decay_fn=a callable is not supported (it cannot be lowered); use one of {_DECAY_FNS}")
    stable = n - d
    if stable_fn != "constant":
        # lr = stable(t_s) * decay(frac) with lr_min = 0: a product of the two curves
        unit = _wsd_decay(decay_fn, 1.0, 0.0, d, dp, ratio)
        factor = Join((Constant(1.0), unit), (stable,)) if stable > 0 else unit
        power = 0.5 if stable_fn == "rsqrt" else sp
        return _finish(w, Product((InverseSqrt(B, ts, power=power), factor)), B, W, init, True)
    S = max(B, lo)
    dec = _wsd_decay(decay_fn, S, lo, d, dp, ratio)
    curve = Join((Constant(S), dec), (stable,)) if stable > 0 else dec
    return _finish(w, curve, B, W, init, True)


def _wsd_decay(decay_fn: str, S: float, lo: float, d: int, dp: float, r: float) -> Shape:
    """WSD's decay from ``S`` to ``lo`` over ``d`` steps (then ``lo``)."""
    if decay_fn == "exp":
        # lo + (S - lo)(r^f - r)/(1 - r) = E + (S - E) r^f with E = lo - (S - lo) r/(1 - r); below
        # lr_min = r S the asymptote E is negative: the curve stops at d, where it is lo >= 0
        E = lo - (S - lo) * r / (1.0 - r)
        horizon = d if E < 0.0 else None
        return Join((Asymptotic(S, E if horizon else max(E, 0.0), r, float(d), horizon=horizon), Constant(lo)), (d,))
    if decay_fn == "linear":
        return Linear(S, lo, d)
    if decay_fn == "1-sqrt":
        return SqrtCooldown(S, lo, d)
    if decay_fn == "cosine":
        return Cosine(S, lo, d)
    return Polynomial(S, lo, d, power=1.0, k_decay=dp)
