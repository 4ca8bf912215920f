"""Dialect: YOLOv5's ``train.py`` schedule (seed 002; PEERS.md section 10).

YOLOv5 combines an epoch-wise ``LambdaLR(lf)`` with a per-iteration ``np.interp`` warmup that
overrides every param group's lr and momentum. With ``ni = i + nb * epoch`` the global
iteration (batch ``i`` of epoch ``epoch``, ``nb`` batches per epoch) and
``nw = max(round(warmup_epochs * nb), 100)``, iteration ``ni`` uses, for group ``j``:

- ``ni <= nw``: ``np.interp(ni, [0, nw], [warmup_bias_lr if j == bias_group else 0.0,
  lr0 * lf(epoch)])`` and momentum ``np.interp(ni, [0, nw], [warmup_momentum, momentum])``;
- afterwards: the value LambdaLR last set, and ``momentum``. ``train.py`` sets
  ``scheduler.last_epoch = start_epoch - 1`` after constructing the scheduler, so the
  ``scheduler.step()`` at the end of epoch ``e`` sets ``lr0 * lf(e)``, which epoch ``e + 1`` uses:
  past the warmup, epoch ``e`` runs with ``lr0 * lf(e - 1)`` (one epoch behind), except the rest
  of the epoch in which the warmup ends (``ew = nw // nb``), which keeps ``lr0 * lf(ew)``.

``lf`` is linear ``(1 - x / epochs) (1 - lrf) + lrf`` or, with ``--cos-lr``,
``one_cycle(1, lrf, epochs)`` = ``((1 - cos(pi x / epochs)) / 2) (lrf - 1) + 1``.

The tables are per iteration: entry ``t = ni``. Main curves use ``steps_per_epoch = nb`` and
the warmup is :class:`fastlr.Warmup` in ``blend`` mode (toward the current main value).

Quirks reproduced (or decided)
------------------------------
- Which group is the bias group: current YOLOv5 (``smart_optimizer`` creates the bias group
  first; ``train.py`` tests ``j == 0``) uses group 0, the default here. Seed 002 and YOLOv5
  up to v6.0 added the biases last (``pg2``, ``j == 2``): pass ``bias_group=2``.
- The warmup length: ``min_warmup_iters=100`` is YOLOv5's floor; seed 002 hard-codes
  ``xi = [0, 1000]`` (``warmup_epochs=0, min_warmup_iters=1000``). ``round`` is Python's
  (half to even: ``round(112.5) == 112``).
- ``ni == nw`` is still interpolated but ``np.interp`` returns the end value exactly there,
  so the warmup covers ``t < nw`` and ``nw = 0`` means no warmup at all.
- The warmup target ``lr0 * lf(epoch)`` moves at epoch boundaries (the interpolation aims at
  the current epoch's value, not the lagging one).
- The one-epoch lag above: with no warmup, epochs 0 and 1 both run with ``lr0 * lf(0)`` and the
  last epoch with ``lr0 * lf(epochs - 2)``; the main curve is ``lf(e)`` for ``e <= ew`` joined
  to ``lf(e - 1)`` afterwards.
- ``legacy_linear=True`` uses the v6.0-v6.1 ``--linear-lr`` lambda ``(1 - x / (epochs - 1))
  (1 - lrf) + lrf``.
- Momentum has one schedule per param group (the same curve), so ``table()["momentum"]`` has
  the shape of ``table()["lr"]``.
- Past the last epoch the linear lambda holds ``lrf``; ``one_cycle`` keeps its periodic formula
  (as the Python function does), but only epochs ``< epochs`` are ever used by YOLOv5.
"""

from __future__ import annotations

from typing import Any

from fastlr import _checks as ck
from fastlr.formula import Formula
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, ScheduleSet, Warmup
from fastlr.shapes import Constant, Cosine, Join, Linear, Shape

__all__ = ["one_cycle", "yolov5_schedule"]

PEER = "ultralytics/yolov5"
#: Seed 002 and the current ``train.py`` (``bias_group=0``); no commit is recorded, and
#: ``legacy_linear`` / ``bias_group=2`` select the v6.0-v6.1 behaviour.
PEER_VERSION = "unversioned"


def one_cycle(y1: float = 0.0, y2: float = 1.0, steps: int = 100) -> Shape:
    """YOLOv5's ``one_cycle`` lambda as a shape: ``((1 - cos(pi x / steps)) / 2) (y2 - y1) + y1``.

    A half cosine from ``y1`` (x = 0) to ``y2`` (x = steps), periodic beyond ``steps`` like the
    Python lambda (not the 1cycle policy).

    Parameters
    ----------
    y1, y2 : float
        Start and end values, >= 0.
    steps : int
        Half period, >= 1.

    Examples
    --------
    >>> from fastlr.presets.yolov5 import one_cycle
    >>> one_cycle(1.0, 0.1, 4).table(9).round(6).tolist()  # periodic past steps, as the lambda
    [1.0, 0.868198, 0.55, 0.231802, 0.1, 0.231802, 0.55, 0.868198, 1.0]
    """
    w = "yolov5.one_cycle"
    y1 = nonneg("y1", y1, w)
    y2 = nonneg("y2", y2, w)
    steps = ck.integer("steps", steps, w, lo=1)
    return Cosine(y1, y2, steps, after="continue")


def yolov5_schedule(
    lr0: float = 0.01,
    lrf: float = 0.01,
    *,
    epochs: int,
    nb: int,
    warmup_epochs: float = 3.0,
    warmup_bias_lr: float = 0.1,
    warmup_momentum: float = 0.8,
    momentum: float = 0.937,
    cos_lr: bool = False,
    bias_group: int = 0,
    num_groups: int = 3,
    min_warmup_iters: int = 100,
    legacy_linear: bool = False,
    lf: Any = None,
) -> ScheduleSet:
    """YOLOv5's per-iteration lr (per param group) and momentum.

    For iteration ``t`` in epoch ``e = t // nb``, with ``nw`` the warmup length, ``ew = nw // nb``
    and ``s_j`` the group's warmup start (``warmup_bias_lr`` for the bias group, else 0):

    - ``t < nw``: ``s_j + (lr0 lf(e) - s_j) t / nw``, momentum
      ``warmup_momentum + (momentum - warmup_momentum) t / nw``;
    - ``t >= nw``: ``lr0 lf(e)`` if ``e <= ew`` else ``lr0 lf(e - 1)``; momentum ``momentum``.

    Parameters
    ----------
    lr0, lrf : float
        ``hyp['lr0']`` and the final factor ``hyp['lrf']``, >= 0.
    epochs : int
        Number of epochs, >= 1 (>= 2 with ``legacy_linear``).
    nb : int
        Batches (optimizer iterations) per epoch, >= 1.
    warmup_epochs : float
        ``hyp['warmup_epochs']``, >= 0.
    warmup_bias_lr : float
        Start lr of the bias group, >= 0.
    warmup_momentum, momentum : float
        Momentum at iteration 0 and after the warmup, >= 0.
    cos_lr : bool
        ``--cos-lr``: ``one_cycle(1, lrf, epochs)`` instead of the linear lambda.
    bias_group : int
        Index of the bias group (0 in current YOLOv5, 2 in seed 002), in ``[0, num_groups)``.
    num_groups : int
        Number of param groups, >= 1.
    min_warmup_iters : int
        Floor of the warmup length, >= 0 (100 in YOLOv5).
    legacy_linear : bool
        Use ``epochs - 1`` in the linear lambda (YOLOv5 v6.0-v6.1).
    lf : function, optional
        Your own lambda of the epoch (``LambdaLR``'s ``lr_lambda``), instead of the linear or
        cosine one: compiled as a :class:`fastlr.Formula` (its numbers frozen now), with the
        same warmup and one-epoch lag.

    Returns
    -------
    ScheduleSet
        ``{"lr": [group 0, ..., group num_groups - 1], "momentum": [one per group]}``; entry
        ``t`` of each table is iteration ``ni = t``.
    """
    w = "yolov5.yolov5_schedule"
    lr0 = nonneg("lr0", lr0, w)
    lrf = nonneg("lrf", lrf, w)
    epochs = ck.integer("epochs", epochs, w, lo=1)
    nb = ck.integer("nb", nb, w, lo=1)
    warmup_epochs = nonneg("warmup_epochs", warmup_epochs, w)
    warmup_bias_lr = nonneg("warmup_bias_lr", warmup_bias_lr, w)
    warmup_momentum = nonneg("warmup_momentum", warmup_momentum, w)
    momentum = nonneg("momentum", momentum, w)
    ck.flag("cos_lr", cos_lr, w)
    ck.flag("legacy_linear", legacy_linear, w)
    num_groups = ck.integer("num_groups", num_groups, w, lo=1)
    bias_group = ck.integer("bias_group", bias_group, w, lo=0, hi=num_groups - 1)
    min_warmup_iters = ck.integer("min_warmup_iters", min_warmup_iters, w, lo=0)
    if legacy_linear and not cos_lr and epochs < 2:
        raise ValueError(f"{w}: legacy_linear divides by epochs - 1; epochs must be >= 2, got {epochs}")
    nw = max(round(warmup_epochs * nb), min_warmup_iters)
    ew = nw // nb  # the epoch in which the warmup ends (ni == nw)

    user = None if lf is None else Formula(lf)

    def lam(lag: int) -> Shape:
        """``lf(e - lag)`` in local epochs ``e``."""
        if user is not None:
            return Formula(user.fn, shift=-lag)
        if cos_lr:
            return Cosine(1.0, lrf, epochs, span=float(epochs), offset=float(lag), after="continue")
        n = epochs - 1 if legacy_linear else epochs
        if n + lag <= 0:
            return Constant(lrf)  # the linear lambda held past its end
        return Linear(1.0, lrf, n + lag, span=float(n), offset=float(lag))

    # epochs <= ew: the warmup aims at lf(epoch) and the rest of epoch ew keeps lf(ew); later epochs
    # run with the value LambdaLR set at the end of the previous epoch: lf(epoch - 1)
    curve = Join((lam(0), lam(-ew)), (ew + 1,))

    def warm(start: float) -> Warmup | None:
        return Warmup(nw, start=start, mode="blend") if nw > 0 else None

    lrs = [
        Schedule(curve, scale=lr0, steps_per_epoch=nb, warmup=warm(warmup_bias_lr if j == bias_group else 0.0))
        for j in range(num_groups)
    ]
    mom = Schedule(Constant(momentum), warmup=warm(warmup_momentum))
    return ScheduleSet({"lr": lrs, "momentum": [mom] * num_groups})
