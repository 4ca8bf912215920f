"""pytorch_warmup dialect: Tony-Y's warmup schedules dampening a main schedule (matched:
pytorch-warmup 0.2.0; the formulas are unchanged in 0.3.0.dev0).

pytorch_warmup multiplies whatever the LR scheduler produced by a warmup factor ``omega(t)``::

    with warmup.dampening():
        lr_scheduler.step()          # update t uses lr_scheduler's value times omega(t)

Here the main schedule is a fastlr schedule (a torch preset, or any core schedule) and the
result is that schedule with an overlay warmup (``Warmup(mode="overlay")``), so
``s.table(T)[i] = main.table(T)[i] * omega(i)``::

    import fastlr
    import fastlr.presets.pytorch_warmup as pw
    main = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 10_000, after="continue"), scale=3e-4)
    s = pw.UntunedLinearWarmup(main, beta2=0.999)     # omega(t) = min(1, (t + 1) / 1999)

Quirks reproduced (pytorch-warmup 0.2.0)
----------------------------------------
- The factor uses ``t + 1`` with ``t`` the 0-based update: ``LinearWarmup`` gives ``1/P`` (not 0)
  on the first update and reaches 1 at ``t = P - 1`` (the README's 1-based ``min(1, t/P)``).
- ``ExponentialWarmup``: ``1 - exp(-(t + 1)/P)`` never reaches 1 mathematically; it rounds to
  exactly 1.0 in float64 once ``(t + 1)/P >= 38``, where fastlr's overlay ends.
- The untuned periods truncate: ``int(2 / (1 - beta2))`` and ``int(1 / (1 - beta2))`` in floating
  point, so ``beta2 = 0.999`` gives 1999 and 999 (not 2000 and 1000), ``beta2 = 0.98`` 99 and 49.
- The factor multiplies the main schedule at the *same* global step (overlay, not prefix), so the
  main schedule keeps running during the warmup.
- Without an LR scheduler (``with warmup.dampening(): pass``), pass ``main_schedule=None`` and
  ``base_lr``: the optimizer's constant lr is dampened.
- A ScheduleSet main schedule (``OneCycleLR``/``CyclicLR`` with momentum, several groups):
  pytorch_warmup dampens each group's lr; the momentum the LR scheduler sets is not dampened.
- ``delayed=True`` is the README's delayed LR scheduler (``if warmup_scheduler.last_step + 1 >=
  warmup_period: lr_scheduler.step()``): the main schedule (lr and momentum) waits
  ``warmup_period - 1`` updates at its first value, then runs (``main(max(0, t - P + 1))``).

fastlr limits and errors
------------------------
- ``RAdamWarmup`` checks ``beta2 > 0.6`` as pytorch_warmup does and uses the core's
  ``Warmup(shape="radam")`` overlay, applied for every step (the factor tends to 1 without
  reaching it); :func:`radam_factor` gives the factor in plain Python.
- fastlr schedules carry one warmup, so a main schedule that already has one is rejected
  (``ValueError``). Per-group ``warmup_period`` lists are not taken: build one preset per param
  group. ``warmup_period`` must be a positive int (``TypeError``/``ValueError`` as the peer);
  ``beta2`` must be in ``[0, 1)`` as torch's Adam requires.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, ScheduleSet, Warmup
from fastlr.shapes import Constant, Join, Shape

__all__ = [
    "ExponentialWarmup",
    "LinearWarmup",
    "RAdamWarmup",
    "UntunedExponentialWarmup",
    "UntunedLinearWarmup",
    "radam_factor",
]

PEER = "pytorch_warmup"
PEER_VERSION = "0.2.0"

#: ``1 - exp(-x)`` rounds to exactly 1.0 in float64 for ``x >= 54 ln 2 ~ 37.4``; 38 is safe.
EXP_SATURATION = 38


def _build(main_schedule: Any, base_lr: Any, where: str, warmup: Warmup | None, delay: int) -> Any:
    """The dampened schedule: ``warmup`` overlaid on the (delayed) main schedule. A ScheduleSet's
    ``"lr"`` schedules are dampened and every hyperparameter delayed (the LR scheduler also sets
    the momentum it cycles; pytorch_warmup dampens only the lr)."""
    if isinstance(main_schedule, ScheduleSet):
        if base_lr is not None:
            raise TypeError(f"{where}: base_lr is only used with main_schedule=None, got base_lr={base_lr!r}")
        return ScheduleSet(
            {
                name: [
                    _dampened(_delayed(_main(s, None, where), delay, where), warmup if name == "lr" else None)
                    for s in main_schedule[name]
                ]
                for name in main_schedule.keys()
            }
        )
    return _dampened(_delayed(_main(main_schedule, base_lr, where), delay, where), warmup)


def _delayed(main: Schedule, delay: int, where: str) -> Schedule:
    """``main(max(0, t - delay))``: the LR scheduler stepped only from update ``delay`` on."""
    if delay == 0:
        return main
    if main.steps_per_epoch != 1:
        raise ValueError(f"{where}: delayed=True needs a main schedule stepped per update (steps_per_epoch=1)")
    curve: Any = main.curve
    first = Constant(curve.start_value())
    if main.restarts is not None:
        new = Join((first, Schedule(curve, restarts=main.restarts)), (delay,))
    elif isinstance(curve, Join):
        new = Join((first, *curve.phases), (delay, *(b + delay for b in curve.boundaries)))
    else:
        new = Join((first, curve), (delay,))
    return dataclasses.replace(main, curve=new, restarts=None)


def _main(main_schedule: Any, base_lr: Any, where: str) -> Schedule:
    if main_schedule is None:
        if base_lr is None:
            raise TypeError(f"{where}: pass main_schedule (a fastlr schedule), or main_schedule=None with base_lr")
        return Schedule(Constant(nonneg("base_lr", base_lr, where)))
    if base_lr is not None:
        raise TypeError(f"{where}: base_lr is only used with main_schedule=None, got base_lr={base_lr!r}")
    if isinstance(main_schedule, Shape):
        return Schedule(main_schedule)
    if isinstance(main_schedule, Schedule):
        if main_schedule.warmup is not None:
            raise ValueError(
                f"{where}: main_schedule already has a warmup ({main_schedule.warmup!r}); a fastlr schedule "
                "carries one warmup, so the dampening cannot be added on top"
            )
        return main_schedule
    raise TypeError(f"{where}: main_schedule must be a fastlr Schedule, shape or ScheduleSet, got {main_schedule!r}")


def _period(warmup_period: Any, where: str) -> int:
    if isinstance(warmup_period, list):
        raise TypeError(
            f"{where}: per-group warmup_period lists are not supported; build one preset per param group "
            f"(got {warmup_period!r})"
        )
    if isinstance(warmup_period, bool) or not isinstance(warmup_period, int):
        raise TypeError(
            f"{where}: warmup_period must be an int, got {warmup_period!r} ({type(warmup_period).__name__})"
        )
    if warmup_period <= 0:
        raise ValueError(f"{where}: warmup_period must be a positive integer, got {warmup_period!r}")
    return warmup_period


def _beta2(beta2: Any, where: str) -> float:
    b = ck.real("beta2", beta2, where)
    if not 0.0 <= b < 1.0:
        raise ValueError(f"{where}: beta2 must be in [0, 1) as torch's Adam requires, got {beta2!r}")
    return b


def _dampened(main: Schedule, warmup: Warmup | None) -> Schedule:
    return main if warmup is None else dataclasses.replace(main, warmup=warmup)


def LinearWarmup(
    main_schedule: Any = None, *, warmup_period: int, base_lr: float | None = None, delayed: bool = False
) -> Any:
    """``main(t) * min(1, (t + 1) / P)``.

    Parameters
    ----------
    main_schedule : fastlr Schedule, shape or ScheduleSet, optional
        The schedule being dampened (None: the constant ``base_lr``). In a ScheduleSet (e.g.
        ``OneCycleLR`` with momentum) the ``"lr"`` schedules are dampened, the others kept.
    warmup_period : int
        ``P`` >= 1.
    base_lr : float, optional
        The optimizer lr when there is no main schedule.
    delayed : bool
        The README's delayed LR scheduler (``if warmup_scheduler.last_step + 1 >=
        warmup_period: lr_scheduler.step()``): update ``t`` uses ``main(max(0, t - P + 1))``.

    Returns
    -------
    Schedule or ScheduleSet

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.presets.pytorch_warmup import LinearWarmup
    >>> LinearWarmup(fastlr.Constant(1.0), warmup_period=4).table(6).tolist()
    [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    """
    w = "LinearWarmup"
    p = _period(warmup_period, w)
    delay = p - 1 if ck.flag("delayed", delayed, w) else 0
    # factor (t + 1) / P for t < P - 1, then 1
    warm = Warmup(steps=p - 1, start=0.0, shape="linear", mode="overlay", span=float(p), offset=-1.0) if p > 1 else None
    return _build(main_schedule, base_lr, w, warm, delay)


def ExponentialWarmup(
    main_schedule: Any = None, *, warmup_period: int, base_lr: float | None = None, delayed: bool = False
) -> Any:
    """``main(t) * (1 - exp(-(t + 1) / P))`` (``main(max(0, t - P + 1))`` when ``delayed``; see
    :func:`LinearWarmup` for the parameters)."""
    w = "ExponentialWarmup"
    p = _period(warmup_period, w)
    delay = p - 1 if ck.flag("delayed", delayed, w) else 0
    steps = EXP_SATURATION * p  # from here on the factor is exactly 1.0
    warm = Warmup(steps=steps, start=0.0, shape="exponential", mode="overlay", span=float(p), offset=-1.0)
    return _build(main_schedule, base_lr, w, warm, delay)


def UntunedLinearWarmup(
    main_schedule: Any = None, *, beta2: float = 0.999, base_lr: float | None = None, delayed: bool = False
) -> Any:
    """:func:`LinearWarmup` with ``P = int(2 / (1 - beta2))`` (``beta2``: Adam's second beta)."""
    b = _beta2(beta2, "UntunedLinearWarmup")
    return LinearWarmup(main_schedule, warmup_period=int(2.0 / (1.0 - b)), base_lr=base_lr, delayed=delayed)


def UntunedExponentialWarmup(
    main_schedule: Any = None, *, beta2: float = 0.999, base_lr: float | None = None, delayed: bool = False
) -> Any:
    """:func:`ExponentialWarmup` with ``P = int(1 / (1 - beta2))``."""
    b = _beta2(beta2, "UntunedExponentialWarmup")
    return ExponentialWarmup(main_schedule, warmup_period=int(1.0 / (1.0 - b)), base_lr=base_lr, delayed=delayed)


def _radam_offset(beta2: float) -> tuple[float, int]:
    rho_inf = 2.0 / (1 - beta2) - 1
    offset = 1
    while not _rho(offset, beta2, rho_inf) > 4:
        offset += 1
    return rho_inf, offset


def _rho(t: int, beta2: float, rho_inf: float) -> float:
    b2t = beta2**t
    return rho_inf - 2 * t * b2t / (1 - b2t)


def radam_factor(t: int, beta2: float = 0.999) -> float:
    """pytorch_warmup's RAdam factor for update ``t`` (0-based), in Python floats.

    ``rho(s) = rho_inf - 2 s beta2^s / (1 - beta2^s)``, ``rho_inf = 2/(1 - beta2) - 1``,
    ``delta`` the smallest ``s >= 1`` with ``rho(s) > 4``;
    ``omega(t) = sqrt((rho - 4)(rho - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho))`` with
    ``rho = rho(t + delta)``.
    """
    w = "radam_factor"
    b = _beta2(beta2, w)
    if not b > 0.6:
        raise ValueError(f"{w}: beta2 ({beta2}) must be greater than 0.6")
    rho_inf, offset = _radam_offset(b)
    rho = _rho(ck.integer("t", t, w, lo=0) + offset, b, rho_inf)
    return math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))


def RAdamWarmup(main_schedule: Any = None, *, beta2: float = 0.999, base_lr: float | None = None) -> Any:
    """``main(t) * omega(t)``, RAdam's rectification (see :func:`radam_factor`), applied forever.

    Raises
    ------
    ValueError
        For ``beta2 <= 0.6`` (as pytorch_warmup) and invalid arguments.
    """
    w = "RAdamWarmup"
    b = _beta2(beta2, w)
    if not b > 0.6:
        raise ValueError(f"{w}: beta2 ({beta2}) must be greater than 0.6")
    _, offset = _radam_offset(b)
    # the factor multiplies every step (to 2**50, the longest schedule): it tends to 1 without reaching it
    warm = Warmup(steps=ck.MAX_STEP, start=0.0, shape="radam", mode="overlay", beta2=b, offset=-float(offset))
    return _build(main_schedule, base_lr, w, warm, 0)
