"""Dialect: maskrcnn-benchmark's ``WarmupMultiStepLR`` (also detectron's and many forks').

Source: ``maskrcnn_benchmark/solver/lr_scheduler.py`` (PEERS.md section 10; seed 001 quotes its
call form). The trainer calls ``optimizer.step(); scheduler.step()`` every iteration, so
optimizer step ``t`` uses

``lr(t) = base_lr * wf(t) * gamma ** bisect_right(milestones, t)``

with ``wf(t) = warmup_factor`` (``"constant"``) or ``warmup_factor (1 - t/W) + t/W``
(``"linear"``) for ``t < W = warmup_iters``, and 1 afterwards.

Quirks reproduced (or decided)
------------------------------
- The warmup is an *overlay*: it multiplies the step decay, so a milestone inside the warmup
  already decays the warmed-up lr.
- A milestone ``m`` decays from step ``m`` on (``bisect_right``); a repeated milestone counts
  twice. The peer checks ``list(milestones) == sorted(milestones)``: non-decreasing is
  accepted (the message says "increasing"), anything else raises ``ValueError``, as here.
- ``warmup_iters=0`` means no warmup.
- ``gamma=0``: ``0 ** 0 = 1`` before the first milestone, so the lr drops to 0 at it.
"""

from __future__ import annotations

from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, Warmup
from fastlr.shapes import Constant, MultiStep, PiecewiseConstant, Shape

__all__ = ["WarmupMultiStepLR"]

PEER = "facebookresearch/maskrcnn-benchmark"
#: The commit of ``solver/lr_scheduler.py`` transcribed for tests/data/peers/seeds.json.
PEER_VERSION = "61ffdb38"

WARMUP_METHODS = ("constant", "linear")


def WarmupMultiStepLR(
    base_lr: float,
    milestones: Any,
    gamma: float = 0.1,
    warmup_factor: float = 1.0 / 3,
    warmup_iters: int = 500,
    warmup_method: str = "linear",
) -> Schedule:
    """maskrcnn-benchmark's multistep decay with a constant or linear warmup factor.

    Parameters
    ----------
    base_lr : float
        The optimizer's initial lr, >= 0.
    milestones : sequence of int
        Steps at which the lr is multiplied by ``gamma``; non-decreasing, >= 0.
    gamma : float
        Decay factor, >= 0 (0: ``base_lr`` before the first milestone, 0 from it on).
    warmup_factor : float
        Warmup factor at step 0, >= 0.
    warmup_iters : int
        Warmup length, >= 0.
    warmup_method : {"constant", "linear"}

    Returns
    -------
    Schedule
        Entry ``t`` is the lr of optimizer step ``t``.
    """
    w = "maskrcnn.WarmupMultiStepLR"
    base_lr = nonneg("base_lr", base_lr, w)
    ms = ck.int_tuple("milestones", milestones, w, lo=0)
    if list(ms) != sorted(ms):
        raise ValueError(f"{w}: milestones should be a list of increasing integers, got {list(ms)}")
    gamma = nonneg("gamma", gamma, w)
    wf = nonneg("warmup_factor", warmup_factor, w)
    warmup_iters = ck.integer("warmup_iters", warmup_iters, w, lo=0)
    ck.choice("warmup_method", warmup_method, WARMUP_METHODS, w)
    wu = None
    if warmup_iters > 0:
        shape = "constant" if warmup_method == "constant" else "linear"
        wu = Warmup(warmup_iters, start=wf, shape=shape, mode="overlay")
    curve: Shape
    if gamma > 0.0:
        curve = MultiStep(1.0, ms, gamma)
    elif not ms:
        curve = Constant(1.0)
    else:  # 0 ** 0 = 1 before the first milestone, 0 from it on
        curve = Constant(0.0) if ms[0] == 0 else PiecewiseConstant((ms[0],), (1.0, 0.0))
    return Schedule(curve, scale=base_lr, warmup=wu)
