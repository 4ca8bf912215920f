"""Checks and curve builders that several dialect modules share.

Generic validators (integers, choices, bools, sequences) live in :mod:`fastlr._checks`; this
module holds what only the dialects need.
"""

from __future__ import annotations

import math
from typing import Any

from fastlr import _checks as ck
from fastlr.shapes import Constant, Exponential, PiecewiseConstant, Shape, StepDecay

#: Ceiling of growing schedules (``gamma > 1``): the peers keep multiplying until the lr
#: overflows to inf; fastlr holds this finite value instead (the largest value a spec may hold,
#: so even a float32 table stays finite).
GROWTH_CAP = ck.MAX_VALUE


def nonneg(name: str, value: Any, where: str, why: str = "") -> float:
    """A finite real ``>= 0`` as a float: learning rates, factors, decay rates.

    Parameters
    ----------
    name, value, where
        As :func:`fastlr._checks.real`.
    why : str, optional
        The peer's reason for the bound, appended to the error in parentheses.
    """
    v = ck.real(name, value, where)
    if v < 0.0:
        reason = f" ({why})" if why else ""
        raise ValueError(f"{where}: {name} must be >= 0, got {value!r}{reason}")
    return v


def staircase(base: float, rate: float, period: float) -> Shape:
    """``base * rate^floor(t / period)`` for ``rate >= 0`` (``period > 0`` may be fractional).

    The simplest exact shape: a constant when nothing changes, one drop to 0 at the first
    multiple of ``period`` for ``rate = 0``, :class:`~fastlr.StepDecay` for an integer period,
    a staircase :class:`~fastlr.Exponential` otherwise (capped at :data:`GROWTH_CAP` when
    ``rate > 1``).
    """
    if rate == 1.0 or base == 0.0:
        return Constant(base)
    if rate == 0.0:
        return PiecewiseConstant((math.ceil(period),), (base, 0.0))
    if rate > 1.0:
        return Exponential(base, rate, float(period), staircase=True, end=GROWTH_CAP)
    if float(period).is_integer():
        return StepDecay(base, int(period), rate)
    return Exponential(base, rate, float(period), staircase=True)
