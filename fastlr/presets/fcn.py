"""Dialect: the FCN/DeepLab "warmup + poly" LambdaLR and torchvision detection's warmup factor.

Sources
-------
- Seed 000: ``create_lr_scheduler`` from WZMIAOMIAO's *deep-learning-for-image-processing* FCN
  ``train_utils`` (quoted as a per-step loop in the seed), a ``torch.optim.lr_scheduler.LambdaLR``
  stepped once per iteration.
- Seed 004, first snippet: torchvision detection's legacy ``utils.warmup_lr_scheduler``, also a
  per-iteration ``LambdaLR``.

Both are LambdaLR schedules: the optimizer step ``t`` (0-based, ``optimizer.step();
scheduler.step()`` order) uses ``base_lr * f(t)``, so entry ``t`` of the table is
``base_lr * f(t)``.

Quirks reproduced (or decided)
------------------------------
- The FCN warmup is *inclusive*: ``x <= warmup_epochs * num_step`` is still warmup. Both
  branches give exactly 1.0 at that step, so the switch is invisible.
- ``warmup=False`` sets ``warmup_epochs = 0`` (as the original function does; the seed's loop
  omits this line, so with ``warmup = False`` it would decay over ``epochs - 1`` epochs from a
  factor above 1 during the first epoch).
- The seed's decay is ``(1 - (x - W) / D) ** 0.9``: past the horizon ``x > epochs * num_step``
  the base is negative and Python returns a *complex* number. fastlr holds 0 there.
- ``warmup=True`` with ``warmup_epochs=0`` divides 0 by 0 when LambdaLR evaluates ``f(0)`` at
  construction; fastlr raises ``ValueError``.
- ``warmup_epochs == epochs`` divides by zero at the first step after the warmup; fastlr holds
  the final warmup factor 1.0 there. ``warmup_epochs > epochs`` would grow the lr past the
  warmup and is rejected.
- ``warmup_epochs`` may be fractional: the warmup then covers ``t <= floor(W)`` and the poly
  decay measures progress from the float ``W`` (offset), exactly like the peer's comparisons.
- The printed values of seed 000 (``table[(e + 1) * num_step]`` for 30 epochs) are reproduced
  bit for bit: the decay is ``base_lr * (1.0 - x / D) ** 0.9`` with the same operations.
"""

from __future__ import annotations

import math

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, Warmup
from fastlr.shapes import Constant, Join, Polynomial, Shape

__all__ = ["create_lr_scheduler", "warmup_lr_scheduler"]

PEER = "WZMIAOMIAO/deep-learning-for-image-processing"
#: Seed 000 quotes the FCN ``train_utils`` without naming a commit, and the torchvision
#: detection ``utils.warmup_lr_scheduler`` of seed 004 is the legacy one (no release recorded).
PEER_VERSION = "unversioned"

POLY_POWER = 0.9


def create_lr_scheduler(
    num_step: int,
    epochs: int,
    warmup: bool = True,
    warmup_epochs: float = 1,
    warmup_factor: float = 1e-3,
    *,
    base_lr: float,
) -> Schedule:
    """FCN's per-iteration warmup + poly(0.9) schedule (seed 000).

    With ``W = warmup_epochs * num_step`` and ``D = (epochs - warmup_epochs) * num_step``, the
    lr for optimizer step ``t`` is ``base_lr * f(t)`` with

    .. math::

        f(t) = \\begin{cases}
            w (1 - \\alpha) + \\alpha, \\ \\alpha = t / W & t \\le W \\text{ (warmup)} \\\\
            (1 - (t - W) / D)^{0.9} & W < t \\le W + D \\\\
            0 & t > W + D
        \\end{cases}

    where ``w = warmup_factor``.

    Parameters
    ----------
    num_step : int
        Iterations per epoch, >= 1.
    epochs : int
        Number of epochs, >= 1.
    warmup : bool
        Whether to warm up; ``False`` sets ``warmup_epochs = 0``.
    warmup_epochs : float
        Warmup length in epochs, in ``(0, epochs]`` when ``warmup`` (may be fractional).
    warmup_factor : float
        Factor at step 0, >= 0.
    base_lr : float
        The optimizer's initial lr, >= 0.

    Returns
    -------
    Schedule
        Entry ``t`` is the lr LambdaLR gives optimizer step ``t``.

    Examples
    --------
    Two iterations per epoch, three epochs (one of warmup):

    >>> from fastlr.presets.fcn import create_lr_scheduler
    >>> create_lr_scheduler(2, 3, base_lr=1.0).table(8).round(6).tolist()
    [0.001, 0.5005, 1.0, 0.77189, 0.535887, 0.287175, 0.0, 0.0]
    """
    w = "fcn.create_lr_scheduler"
    num_step = ck.integer("num_step", num_step, w, lo=1)
    epochs = ck.integer("epochs", epochs, w, lo=1)
    ck.flag("warmup", warmup, w)
    we = nonneg("warmup_epochs", warmup_epochs, w)
    wf = nonneg("warmup_factor", warmup_factor, w)
    base_lr = nonneg("base_lr", base_lr, w)
    if not warmup:
        we = 0.0
    elif we == 0.0:
        raise ValueError(
            f"{w}: warmup_epochs must be > 0 when warmup=True (the peer computes 0/0 at step 0), got {warmup_epochs!r}"
        )
    if we > epochs:
        raise ValueError(f"{w}: warmup_epochs must be <= epochs={epochs}, got {warmup_epochs!r}")
    total = epochs * num_step
    W = we * num_step  # float, as the peer computes it
    D = (epochs - we) * num_step
    B = math.ceil(W)  # first step of the decay branch (t <= W is warmup; at t == W both give 1)
    decay: Shape
    if D == 0.0:
        decay = Constant(1.0)  # the peer divides by zero here; hold the final warmup factor
    elif total - B >= 1:
        decay = Polynomial(1.0, 0.0, total - B, power=POLY_POWER, span=D, offset=W - B)
    else:
        decay = Constant(0.0)
    if B == 0:
        return Schedule(decay, scale=base_lr)
    curve = Join((Constant(1.0), decay), (B,))
    return Schedule(curve, scale=base_lr, warmup=Warmup(B, start=wf, mode="overlay", span=W))


def warmup_lr_scheduler(warmup_iters: int, warmup_factor: float, *, base_lr: float) -> Schedule:
    """torchvision detection's legacy per-iteration warmup factor (seed 004).

    ``lr(t) = base_lr * (w (1 - t / W) + t / W)`` for ``t < W = warmup_iters``, then
    ``base_lr``; ``w = warmup_factor``.

    Parameters
    ----------
    warmup_iters : int
        Warmup length, >= 0 (0: no warmup; torchvision passes ``min(1000, len(loader) - 1)``).
    warmup_factor : float
        Factor at step 0, >= 0.
    base_lr : float
        The optimizer's lr, >= 0.
    """
    w = "fcn.warmup_lr_scheduler"
    warmup_iters = ck.integer("warmup_iters", warmup_iters, w, lo=0)
    wf = nonneg("warmup_factor", warmup_factor, w)
    base_lr = nonneg("base_lr", base_lr, w)
    wu = Warmup(warmup_iters, start=wf, mode="overlay") if warmup_iters > 0 else None
    return Schedule(Constant(1.0), scale=base_lr, warmup=wu)
