"""Hugging Face transformers dialect: ``transformers.optimization`` schedules by name.

Matched against transformers 5.23 (``src/transformers/optimization.py``). Every transformers
schedule is ``LambdaLR(optimizer, lambda)``, so the lr of update ``t`` is ``base_lr * lambda(t)``
(PyTorch stepping: the constructor applies ``lambda(0)``). Here the functions take ``base_lr=``
instead of an optimizer and return a :class:`fastlr.Schedule` whose ``table(T)[i]`` is that lr.
The curves are unit-valued (``lambda``) with ``scale=base_lr``, mostly in transformers' own
arithmetic, so tables agree with transformers to a few ulp.

``W`` is ``num_warmup_steps`` and ``N`` is ``num_training_steps``.

Quirks reproduced
-----------------
- The warmup ``t / max(1, W)`` gives lr 0 at step 0 (transformers #34754), except in
  ``cosine_warmup_with_min_lr`` (``(t + 1)/W``, or ``warmup_lr_rate + (1 - warmup_lr_rate) t/(W-1)``,
  whose decay progress is also shifted by one: ``(t - W + 1)/max(1, N - W)``) and
  ``warmup_stable_decay`` (the warmup starts at ``min_lr_ratio``).
- ``cosine`` (and ``cosine_with_min_lr``, ``cosine_warmup_with_min_lr``) do not clamp the
  progress: past ``N`` the lr rises again (periodic). With ``W >= N`` the progress denominator is
  1, so after the warmup the lr alternates ``base_lr, 0, base_lr, ...`` (``num_cycles=0.5``).
- ``linear`` clamps at 0 past ``N``; with ``W >= N`` it is 0 right after the warmup.
- ``cosine_with_restarts`` is 0 from ``N`` on; with ``num_cycles=0`` the cosine never moves
  (``cos(pi (0 p mod 1)) = 1``), so the lr holds ``base_lr`` until ``N`` and is 0 after.
- ``polynomial`` holds ``lr_end`` past ``N``; ``lr_init`` is the optimizer's default lr (here
  ``base_lr``), and ``lr_end`` must be below it (transformers raises otherwise).
- ``constant`` ignores ``num_warmup_steps``; ``constant_with_warmup`` ignores
  ``scheduler_specific_kwargs`` in ``get_scheduler``; ``inverse_sqrt`` takes them (``timescale``,
  default ``W`` or 10 000 when ``W == 0``).
- ``cosine_with_min_lr``: ``min_lr`` is converted with the optimizer's default lr (``base_lr``).
- ``warmup_stable_decay``: ``num_stable_steps`` defaults to ``N - W - num_decay_steps`` (it may
  be negative: the decay then starts part-way); after the decay the lr holds
  ``base_lr * min_lr_ratio``.
- Unknown ``scheduler_specific_kwargs`` raise ``TypeError`` as in transformers.

Refused (``ValueError``)
------------------------
- ``polynomial`` with ``W == N`` (transformers divides by zero at step ``N``) or ``power < 0``.
- ``reduce_lr_on_plateau`` and ``greedy`` (driven by metrics, not by the step).

Examples
--------
>>> import fastlr.presets.transformers as hf
>>> hf.get_linear_schedule_with_warmup(base_lr=1.0, num_warmup_steps=2, num_training_steps=6).table(7).tolist()
[0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
>>> s = hf.get_scheduler("cosine", num_warmup_steps=2, num_training_steps=6, base_lr=1e-3)
>>> s.table(7).round(8).tolist()
[0.0, 0.0005, 0.001, 0.00085355, 0.0005, 0.00014645, 0.0]
"""

from __future__ import annotations

from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Restarts, Schedule, Warmup
from fastlr.shapes import (
    Constant,
    Cosine,
    InverseSqrt,
    Join,
    Linear,
    PiecewiseConstant,
    Polynomial,
    Shape,
    SqrtCooldown,
)

__all__ = [
    "TYPE_NAMES",
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_inverse_sqrt_schedule",
    "get_linear_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_scheduler",
    "get_wsd_schedule",
]

PEER = "transformers"
PEER_VERSION = "5.23.0"


def _warmup_steps(value: Any, where: str) -> int:
    return ck.integer("num_warmup_steps", value, where, lo=0)


def _training_steps(value: Any, where: str) -> int:
    return ck.integer("num_training_steps", value, where, lo=0)


def _sched(curve: Shape, B: float, W: int, **kw: Any) -> Schedule:
    """``B * curve`` after transformers' warmup ``t / max(1, W)`` (when ``W > 0``).

    The core's prefix warmup rises toward the main curve's first value; where that is not 1
    (e.g. ``linear`` with ``W >= N``) the warmup is a joined ``Linear`` phase instead.
    """
    if W == 0:
        return Schedule(curve, scale=B, **kw)
    if curve.start_value() == 1.0:
        return Schedule(curve, warmup=Warmup(W, 0.0), scale=B, **kw)
    return Schedule(Join((Linear(0.0, 1.0, W), curve), (W,)), scale=B, **kw)


def _cycles(value: Any, where: str) -> float:
    # cos is even: a negative num_cycles gives the same curve as its absolute value
    return abs(ck.real("num_cycles", value, where))


def _min_lr_cosine(start: float, r: float, n: int, nc: float, offset: float = 0.0) -> Shape:
    """``r + (start - r)(1 + cos(2 pi nc p))/2``, ``p = (x - offset)/n``, unclamped."""
    if nc == 0.0:
        return Constant(start)
    return Cosine(start, r, n, cycles=nc, after="continue", offset=offset)


def get_constant_schedule(base_lr: float) -> Schedule:
    """``lambda(t) = 1``."""
    return Schedule(Constant(1.0), scale=nonneg("base_lr", base_lr, "transformers.get_constant_schedule"))


def get_constant_schedule_with_warmup(base_lr: float, num_warmup_steps: int) -> Schedule:
    """``lambda(t) = t / max(1, W)`` for ``t < W``, then 1."""
    w = "transformers.get_constant_schedule_with_warmup"
    return _sched(Constant(1.0), nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w))


def get_linear_schedule_with_warmup(base_lr: float, num_warmup_steps: int, num_training_steps: int) -> Schedule:
    """Warmup, then ``lambda(t) = max(0, (N - t) / max(1, N - W))``."""
    w = "transformers.get_linear_schedule_with_warmup"
    B, W, N = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w), _training_steps(num_training_steps, w)
    curve: Shape = Linear(1.0, 0.0, N - W) if N > W else Constant(0.0)
    return _sched(curve, B, W)


def get_cosine_schedule_with_warmup(
    base_lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> Schedule:
    """Warmup, then ``lambda(t) = max(0, (1 + cos(2 pi num_cycles p)) / 2)`` with
    ``p = (t - W) / max(1, N - W)`` (not clamped: rises again past ``N``)."""
    w = "transformers.get_cosine_schedule_with_warmup"
    B, W, N = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w), _training_steps(num_training_steps, w)
    return _sched(_min_lr_cosine(1.0, 0.0, max(1, N - W), _cycles(num_cycles, w)), B, W)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    base_lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1
) -> Schedule:
    """Warmup, then ``lambda(t) = (1 + cos(pi ((num_cycles p) mod 1))) / 2`` for ``p < 1`` and 0
    from ``p >= 1``, ``p = (t - W) / max(1, N - W)`` (a fractional last cycle stops at ``N``)."""
    w = "transformers.get_cosine_with_hard_restarts_schedule_with_warmup"
    B, W, N = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w), _training_steps(num_training_steps, w)
    nc = ck.real("num_cycles", num_cycles, w, lo=0.0)
    if nc == 0.0:
        # (0 p) mod 1 = 0: lambda is 1 until the progress reaches 1, then 0
        return _sched(PiecewiseConstant((max(1, N - W),), (1.0, 0.0)), B, W)
    rs = Restarts(cycles=nc, limit=nc)
    return _sched(Cosine(1.0, 0.0, max(1, N - W)), B, W, restarts=rs)


def get_polynomial_decay_schedule_with_warmup(
    base_lr: float, num_warmup_steps: int, num_training_steps: int, lr_end: float = 1e-7, power: float = 1.0
) -> Schedule:
    """Warmup, then ``lr_end + (base_lr - lr_end)(1 - (t - W)/(N - W))^power`` up to ``N`` and
    ``lr_end`` after (``lr_init`` is the optimizer's default lr, here ``base_lr``)."""
    w = "transformers.get_polynomial_decay_schedule_with_warmup"
    B, W, N = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w), _training_steps(num_training_steps, w)
    end = nonneg("lr_end", lr_end, w)
    p = nonneg("power", power, w, "transformers divides by zero at step N")
    if not B > end:
        raise ValueError(f"{w}: lr_end ({lr_end!r}) must be smaller than initial lr ({base_lr!r})")
    if W == N:
        raise ValueError(
            f"{w}: num_warmup_steps == num_training_steps ({N}) makes transformers divide by zero at step {N}"
        )
    e = end / B
    if W > N:
        curve: Shape = Constant(e)
    elif p == 0.0:
        curve = PiecewiseConstant((N - W + 1,), (1.0, e))
    else:
        curve = Polynomial(1.0, e, N - W, power=p)
    return _sched(curve, B, W)


def get_inverse_sqrt_schedule(base_lr: float, num_warmup_steps: int, timescale: float | None = None) -> Schedule:
    """Warmup, then ``lambda(t) = 1 / sqrt((t + timescale - W) / timescale)``
    (``timescale`` defaults to ``W``, or 10 000 when ``W == 0``)."""
    w = "transformers.get_inverse_sqrt_schedule"
    B, W = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w)
    ts = (W or 10_000) if timescale is None else ck.real("timescale", timescale, w, lo=0.0, lo_open=True)
    return _sched(InverseSqrt(1.0, float(ts)), B, W)


def _min_lr_rate(B: float, min_lr: Any, min_lr_rate: Any, where: str) -> float:
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError(f"{where}: only one of min_lr or min_lr_rate should be set, got both")
    if min_lr is not None:
        m = nonneg("min_lr", min_lr, where)
        if B == 0.0:
            raise ValueError(f"{where}: min_lr needs base_lr > 0 (transformers divides min_lr by it)")
        return m / B
    if min_lr_rate is None:
        raise ValueError(f"{where}: one of min_lr or min_lr_rate should be set")
    return nonneg("min_lr_rate", min_lr_rate, where)


def get_cosine_with_min_lr_schedule_with_warmup(
    base_lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> Schedule:
    """Warmup, then ``lambda(t) = c (1 - r) + r`` with ``c`` the cosine factor of
    ``get_cosine_schedule_with_warmup`` and ``r = min_lr_rate`` (or ``min_lr / base_lr``)."""
    w = "transformers.get_cosine_with_min_lr_schedule_with_warmup"
    B, W, N = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w), _training_steps(num_training_steps, w)
    r = _min_lr_rate(B, min_lr, min_lr_rate, w)
    return _sched(_min_lr_cosine(1.0, r, max(1, N - W), _cycles(num_cycles, w)), B, W)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    base_lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> Schedule:
    """``cosine_warmup_with_min_lr``: for ``t < W``, ``lambda = (t + 1) / max(1, W)`` (or
    ``wr + (1 - wr) t / max(1, W - 1)`` with ``warmup_lr_rate=wr``); then ``c (1 - r) + r`` with
    the cosine at ``p = (t - W + 1) / max(1, N - W)`` (shifted by one step)."""
    w = "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
    B, W, N = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w), _training_steps(num_training_steps, w)
    r = _min_lr_rate(B, min_lr, min_lr_rate, w)
    main = _min_lr_cosine(1.0, r, max(1, N - W), _cycles(num_cycles, w), offset=-1.0)
    if W == 0:
        return Schedule(main, scale=B)
    if warmup_lr_rate is None:
        warm: Shape = Linear(0.0, 1.0, W - 1, span=float(W), offset=-1.0) if W > 1 else Constant(1.0)
    else:
        wr = nonneg("warmup_lr_rate", warmup_lr_rate, w)
        warm = Linear(wr, 1.0, W - 1) if W > 1 else Constant(wr)
    return Schedule(Join((warm, main), (W,)), scale=B)


_WSD_TYPES = ("linear", "cosine", "1-sqrt")


def get_wsd_schedule(
    base_lr: float,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0,
    num_cycles: float = 0.5,
) -> Schedule:
    """Warmup-stable-decay. With ``r = min_lr_ratio``: warmup ``f_w(t/max(1, W)) (1 - r) + r``
    (``f_w`` is ``p``, ``(1 - cos(pi p))/2`` or ``1 - sqrt(1 - p)``); 1 for
    ``t < W + S``; decay ``f_d(p) (1 - r) + r`` with ``p = (t - W - S)/max(1, D)`` (``f_d`` is
    ``1 - p``, ``(1 + cos(2 pi num_cycles p))/2`` or ``1 - sqrt(p)``); then ``r``."""
    w = "transformers.get_wsd_schedule"
    B, W = nonneg("base_lr", base_lr, w), _warmup_steps(num_warmup_steps, w)
    D = ck.integer("num_decay_steps", num_decay_steps, w, lo=0)
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError(f"{w}: either num_training_steps or num_stable_steps must be specified")
    ck.choice("warmup_type", warmup_type, _WSD_TYPES, w)
    ck.choice("decay_type", decay_type, _WSD_TYPES, w)
    if num_stable_steps is None:
        S = _training_steps(num_training_steps, w) - W - D
    else:
        S = ck.integer("num_stable_steps", num_stable_steps, w)
    r = nonneg("min_lr_ratio", min_lr_ratio, w)
    nc = _cycles(num_cycles, w)
    # main curve in time since the end of warmup: 1 on [0, S), decay on [S, S + D), then r
    phases: list[tuple[int, Shape]] = []
    if S > 0:
        phases.append((0, Constant(1.0)))
    d0 = max(S, 0)
    length = S + D - d0
    if length > 0:
        span, off = float(max(1, D)), float(min(S, 0))
        if decay_type == "linear":
            dec: Shape = Linear(1.0, r, length, span=span, offset=off)
        elif decay_type == "cosine":
            dec = (
                Constant(1.0)
                if nc == 0.0
                else Cosine(1.0, r, length, cycles=nc, after="continue", span=span, offset=off)
            )
        else:
            dec = SqrtCooldown(1.0, r, length, span=span, offset=off)
        phases.append((d0, dec))
    phases.append((max(S + D, 0), Constant(r)))
    while len(phases) > 1 and phases[0][0] >= phases[1][0]:
        phases.pop(0)
    main = phases[0][1] if len(phases) == 1 else Join(tuple(s for _, s in phases), tuple(a for a, _ in phases[1:]))
    if W == 0:
        return Schedule(main, scale=B)
    if warmup_type == "1-sqrt":
        if main.start_value() == 1.0:
            return Schedule(main, warmup=Warmup(W, B * r, shape="sqrt"), scale=B)
        # the warmup must rise to base_lr, not to the main curve's first value: run the main
        # curve underneath a unit placeholder, which the warmup targets
        under = Join((Constant(1.0), main), (W,))
        return Schedule(under, warmup=Warmup(W, B * r, shape="sqrt", shift=False), scale=B)
    warm = Linear(r, 1.0, W) if warmup_type == "linear" else Cosine(r, 1.0, W)
    return Schedule(Join((warm, main), (W,)), scale=B)


TYPE_NAMES = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "reduce_lr_on_plateau",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
    "warmup_stable_decay",
    "greedy",
)

_FUNCS = {
    "linear": get_linear_schedule_with_warmup,
    "cosine": get_cosine_schedule_with_warmup,
    "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": get_polynomial_decay_schedule_with_warmup,
    "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
}


def get_scheduler(
    name: str,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    scheduler_specific_kwargs: dict[str, Any] | None = None,
    *,
    base_lr: float,
) -> Schedule:
    """``transformers.get_scheduler`` with ``base_lr=`` in place of the optimizer.

    Parameters
    ----------
    name : str
        One of :data:`TYPE_NAMES` (``reduce_lr_on_plateau`` and ``greedy`` are refused: they follow
        a metric, not the step).
    num_warmup_steps, num_training_steps : int, optional
        Required as transformers requires them (``constant`` needs neither, ``constant_with_warmup``
        and ``inverse_sqrt`` only the first; ``warmup_stable_decay`` accepts
        ``num_stable_steps`` in ``scheduler_specific_kwargs`` instead of ``num_training_steps``).
    scheduler_specific_kwargs : dict, optional
        Passed to the schedule function (``num_cycles``, ``lr_end``, ``power``, ``min_lr``, ...).
    base_lr : float
        The optimizer's lr.
    """
    w = "transformers.get_scheduler"
    name = getattr(name, "value", name)  # a SchedulerType member works too
    ck.choice("name", name, TYPE_NAMES, w)
    if name in ("reduce_lr_on_plateau", "greedy"):
        raise ValueError(f"{w}: {name!r} depends on a metric, not on the step; it has no table")
    if name == "constant":
        return get_constant_schedule(base_lr)
    sk = {} if scheduler_specific_kwargs is None else dict(scheduler_specific_kwargs)
    if num_warmup_steps is None:
        raise ValueError(f"{w}: {name} requires `num_warmup_steps`, please provide that argument")
    if name == "constant_with_warmup":
        return get_constant_schedule_with_warmup(base_lr, num_warmup_steps)
    if name == "inverse_sqrt":
        return get_inverse_sqrt_schedule(base_lr, num_warmup_steps, **sk)
    if name == "warmup_stable_decay":
        return get_wsd_schedule(base_lr, num_warmup_steps, num_training_steps=num_training_steps, **sk)
    if num_training_steps is None:
        raise ValueError(f"{w}: {name} requires `num_training_steps`, please provide that argument")
    return _FUNCS[name](base_lr, num_warmup_steps, num_training_steps, **sk)
