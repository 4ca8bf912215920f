"""Dialect: ``utils.lr_scheduler.WarmupMultiFactorScheduler`` (seed 001).

Seed 001 describes a "PyTorch" ``utils.lr_scheduler.WarmupMultiFactorScheduler``. No such
PyTorch class exists: ``utils/lr_scheduler.py`` with that class is the MXNet scheduler of
Deformable-ConvNets (and its forks: FPN, mx-rcnn, insightface ...). The seed's prose and its
example disagree with each other and with that class, so this module offers two readings.

:func:`WarmupMultiFactorScheduler` -- the MXNet class
    ``WarmupMultiFactorScheduler(step, factor=1, warmup=False, warmup_lr=0, warmup_step=0)``.
    MXNet optimizers increment the update count *before* reading the lr, so update ``t``
    (0-based) calls ``scheduler(num_update = t + 1)``:

    - constant warmup: ``warmup_lr`` while ``num_update < warmup_step``, i.e. for the first
      ``warmup_step - 1`` updates (``warmup_step = 1`` has no effect);
    - then ``base_lr * factor^k`` with ``k`` the number of ``step`` entries ``s`` with
      ``num_update > s``: update ``t`` is decayed from ``t = s`` on. The class multiplies its
      ``base_lr`` in place (``base_lr *= factor``), so the values are ``base_lr * factor *
      factor ...`` rounded step by step; fastlr uses the same products.
    - Validation as the peer: ``step`` strictly increasing and >= 1, ``factor <= 1``.

:func:`warmup_multi_factor` -- what the seed describes (decision, see below)
    The seed's example call is
    ``WarmupMultiFactorScheduler(optimizer, milestones=[50, 100], gamma=0.1,
    warmup_factor=0.1, warmup_iters=10)`` stepped after every ``optimizer.step()`` (PyTorch
    order: update ``t`` uses the value at ``t``). Its prose gives

    - warmup: ``lr = base_lr * t / warmup_iterations`` for ``t < warmup_iterations``;
    - decay: ``lr = base_lr * gamma^floor((t - warmup_iterations) / step_iterations)``.

    Decisions: the warmup is linear from ``warmup_factor * base_lr`` to ``base_lr`` (the
    prose's formula is ``warmup_factor = 0``, which is the default); it is a prefix (the prose
    says the decay counts from the end of the warmup). The decay is the prose's periodic
    formula when ``step_iterations`` is given, else the example's multi-factor milestones
    (absolute steps, ``base_lr * gamma^(number of milestones <= t)``, PyTorch MultiStepLR
    convention). A milestone inside the warmup takes effect when the warmup ends.
"""

from __future__ import annotations

from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, Warmup
from fastlr.shapes import Constant, MultiStep, PiecewiseConstant, Shape, StepDecay

__all__ = ["WarmupMultiFactorScheduler", "warmup_multi_factor"]

PEER = "Deformable-ConvNets"
#: Seed 001 quotes ``utils/lr_scheduler.py`` without naming a repository commit.
PEER_VERSION = "unversioned"


def WarmupMultiFactorScheduler(
    base_lr: float,
    step: Any,
    factor: float = 1.0,
    warmup: bool = False,
    warmup_lr: float = 0.0,
    warmup_step: int = 0,
) -> Schedule:
    """The MXNet (Deformable-ConvNets) ``WarmupMultiFactorScheduler``, per update.

    ``lr(t) = warmup_lr`` if ``warmup`` and ``t + 1 < warmup_step``, else
    ``base_lr * factor^#{s in step : t >= s}`` (``t`` the 0-based update index).

    Parameters
    ----------
    base_lr : float
        The optimizer's ``learning_rate`` (MXNet sets the scheduler's ``base_lr`` to it), >= 0.
    step : sequence of int
        Update counts after which the lr is multiplied by ``factor``; strictly increasing, >= 1.
    factor : float
        In ``[0, 1]``.
    warmup : bool
        Enable the constant warmup.
    warmup_lr : float
        The warmup lr, >= 0.
    warmup_step : int
        The warmup ends when ``num_update`` reaches it, >= 0.
    """
    w = "mxnet.WarmupMultiFactorScheduler"
    base_lr = nonneg("base_lr", base_lr, w)
    steps = ck.int_tuple("step", step, w)
    if not steps:
        raise ValueError(f"{w}: step must be a non-empty list of integers, got {step!r}")
    for i, s in enumerate(steps):
        if i and s <= steps[i - 1]:
            raise ValueError(f"{w}: step must be an increasing integer list, got {list(steps)}")
        if s < 1:
            raise ValueError(f"{w}: step entries must be >= 1, got {list(steps)}")
    factor = ck.real("factor", factor, w, lo=0.0, hi=1.0)
    ck.flag("warmup", warmup, w)
    warmup_lr = nonneg("warmup_lr", warmup_lr, w)
    warmup_step = ck.integer("warmup_step", warmup_step, w, lo=0)
    values = [base_lr]
    for _ in steps:
        values.append(values[-1] * factor)  # the peer's in-place base_lr *= factor
    curve = PiecewiseConstant(steps, values)
    wu = None
    if warmup and warmup_step >= 2:
        wu = Warmup(warmup_step - 1, start=warmup_lr, shape="constant", mode="blend")
    return Schedule(curve, warmup=wu)


def warmup_multi_factor(
    base_lr: float,
    milestones: Any = (),
    gamma: float = 0.1,
    warmup_factor: float = 0.0,
    warmup_iters: int = 0,
    step_iterations: int | None = None,
) -> Schedule:
    """Seed 001's described schedule: linear warmup prefix, then multi-factor or periodic decay.

    With ``W = warmup_iters``, ``w = warmup_factor``:

    - ``t < W``: ``base_lr * (w + (1 - w) t / W)``;
    - ``t >= W``: ``base_lr * gamma^floor((t - W) / step_iterations)`` when
      ``step_iterations`` is given, else ``base_lr * gamma^#{m in milestones : m <= t}``.

    Parameters
    ----------
    base_lr : float
        >= 0.
    milestones : sequence of int
        Absolute steps (non-decreasing, >= 1; a repeat counts twice). Ignored with
        ``step_iterations``.
    gamma : float
        Decay factor, > 0.
    warmup_factor : float
        Warmup start as a fraction of ``base_lr``, >= 0 (0 is the seed's formula).
    warmup_iters : int
        Warmup length, >= 0.
    step_iterations : int, optional
        Period of the prose's decay formula, counted from the end of the warmup, >= 1.
    """
    w = "mxnet.warmup_multi_factor"
    base_lr = nonneg("base_lr", base_lr, w)
    ms = ck.int_tuple("milestones", milestones, w, lo=1)
    if list(ms) != sorted(ms):
        raise ValueError(f"{w}: milestones must be non-decreasing, got {list(ms)}")
    gamma = ck.real("gamma", gamma, w, lo=0.0, lo_open=True)
    wf = nonneg("warmup_factor", warmup_factor, w)
    warmup_iters = ck.integer("warmup_iters", warmup_iters, w, lo=0)
    curve: Shape
    if step_iterations is not None:
        step_iterations = ck.integer("step_iterations", step_iterations, w, lo=1)
        curve = StepDecay(1.0, step_iterations, gamma)
    elif ms:
        curve = MultiStep(1.0, ms, gamma)
    else:
        curve = Constant(1.0)
    wu = None
    if warmup_iters > 0:
        # prefix: the periodic decay starts after the warmup; milestones stay absolute
        wu = Warmup(warmup_iters, start=wf * base_lr, mode="prefix", shift=step_iterations is not None)
    return Schedule(curve, scale=base_lr, warmup=wu)
