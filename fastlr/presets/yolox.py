"""Dialect: YOLOX's ``yolox/utils/lr_scheduler.py`` and the ``get_lr_scheduler`` of seed 004.

Sources
-------
- Megvii YOLOX: ``yolox_warm_cos_lr``, ``warm_cos_lr``, ``cos_lr``, ``multistep_lr`` and the
  ``LRScheduler(name, lr, iters_per_epoch, total_epochs, **kwargs)`` that picks one
  (PEERS.md section 10).
- Seed 004: ``get_lr_scheduler(lr_decay_type, lr, min_lr, total_iters, ...)`` from
  bubbliiiing's yolox-pytorch, whose ``yolox_warm_cos_lr`` takes an absolute ``min_lr``, and
  which clamps the warmup and no-aug lengths to *floats*.

Table index
-----------
Every function here is a pure function of an integer ``iters``; entry ``i`` of the table is
the function at ``iters = i``. That is the lr of optimizer step ``i`` in both loops:

- YOLOX's trainer calls ``update_lr(progress_in_iter + 1)`` *after* step ``i - 1``, so step
  ``i >= 1`` uses ``f(i)``; step 0 uses the optimizer's initial lr, which YOLOX sets to
  ``warmup_lr`` (= ``f(0)``) when there is a warmup and to ``lr`` otherwise. With no warmup
  ``f(0)`` would divide 0 by 0, so entry 0 is ``lr`` there (also for ``multistep`` with a
  milestone that converts to iteration 0: it takes effect at step 1).
- bubbliiiing's ``fit`` calls ``set_optimizer_lr(optimizer, func, epoch)`` at the start of each
  epoch (``total_iters`` is the number of epochs there): entry ``i`` is epoch ``i``.

Quirks reproduced (or decided)
------------------------------
- The warmup is quadratic, ``(lr - s)(i / W)^2 + s``, and *inclusive*: ``i <= W``. With a float
  ``W`` (the seed's ``min(max(0.1 * total, 1), 3)``) the warmup covers ``i <= floor(W)``.
- The no-aug tail starts at the first ``i >= total - no_aug`` (float comparison) and holds
  ``min_lr`` forever; a warmup that reaches into it wins (the warmup test comes first).
- The cosine measures progress from the float ``W`` over ``total - W - no_aug``.
- ``step`` decay: ``lr * decay_rate ** (i // step_size)`` with a *float* ``step_size =
  total / step_num``; Python's float ``//`` is the exact floor (``10 // (10/3) == 2.0`` while
  ``floor(10 / (10/3)) == 3``), so the switch steps are derived exactly. They are exact for
  ``i < 4 * total_iters``; the table holds the value reached there afterwards (the peer keeps
  decaying, beyond anything its loop uses).
- ``step_num = 1`` divides by zero and ``step_size < 1`` raises at every call in the seed;
  both raise ``ValueError`` here. Any ``lr_decay_type`` other than "cos" is "step" in the
  seed; fastlr accepts only the two names.
- ``warmcos`` and ``cos`` continue their periodic cosine past ``total_iters`` (as the
  functions do); ``yoloxwarmcos`` holds ``min_lr``.
- ``warmcos`` with ``warmup_epochs > total_epochs`` divides by the negative ``N - W`` after the
  warmup: reproduced (``cos`` is even). With ``warmup_epochs == total_epochs`` the peer divides
  by zero at the first step past the warmup (never reached in a run of ``N`` updates); fastlr
  holds ``lr`` there.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, Warmup
from fastlr.shapes import Constant, Cosine, Join, PiecewiseConstant, Shape

__all__ = ["LRScheduler", "get_lr_scheduler", "yolox_warm_cos_lr"]

PEER = "Megvii-BaseDetection/YOLOX"
#: The YOLOX commit transcribed for tests/data/peers/seeds.json; seed 004's ``get_lr_scheduler``
#: (bubbliiiing's yolox-pytorch) is reproduced from the seed's quotation, which names no version.
PEER_VERSION = "390ec1ae"

LR_DECAY_TYPES = ("cos", "step")
SCHEDULER_NAMES = ("cos", "warmcos", "yoloxwarmcos", "multistep")
STEP_HORIZON = 4  # step decay: switch steps derived exactly for i < STEP_HORIZON * total_iters


def _counted(switches: list[int], values: list[float]) -> Shape:
    """``values[k]`` where ``k`` is the number of ``switches`` (sorted, repeats allowed) ``<= t``."""
    bounds: list[int] = []
    vals = [values[0]]
    for k, s in enumerate(switches, start=1):
        if s <= 0:
            vals[0] = values[k]
        elif bounds and bounds[-1] == s:
            vals[-1] = values[k]
        else:
            bounds.append(s)
            vals.append(values[k])
    if not bounds:
        return Constant(vals[0])
    return PiecewiseConstant(tuple(bounds), tuple(vals))


def _first_int_after(w: float) -> int:
    """The first integer ``i`` with ``i > w`` (``i <= w`` is the inclusive warmup)."""
    return math.floor(w) + 1


def yolox_warm_cos_lr(
    *,
    lr: float,
    total_iters: float,
    warmup_total_iters: float,
    warmup_lr_start: float,
    no_aug_iter: float,
    min_lr: float | None = None,
    min_lr_ratio: float | None = None,
) -> Schedule:
    """YOLOX's quadratic warmup, cosine to ``min_lr``, flat no-aug tail.

    .. math::

        f(i) = \\begin{cases}
            (lr - s)(i / W)^2 + s & i \\le W \\\\
            lr_{min} & i \\ge N - A \\\\
            lr_{min} + \\tfrac12 (lr - lr_{min})(1 + \\cos(\\pi (i - W) / (N - W - A))) & \\text{else}
        \\end{cases}

    with ``N = total_iters``, ``W = warmup_total_iters``, ``A = no_aug_iter``,
    ``s = warmup_lr_start``.

    Parameters
    ----------
    lr : float
        Peak lr, >= 0.
    total_iters : float
        ``N`` > 0.
    warmup_total_iters : float
        ``W`` >= 0 (may be fractional; 0: no warmup, entry 0 is ``lr``).
    warmup_lr_start : float
        ``s`` >= 0.
    no_aug_iter : float
        ``A`` >= 0.
    min_lr, min_lr_ratio : float
        Give exactly one: the absolute floor (seed 004) or ``min_lr = lr * min_lr_ratio``
        (YOLOX).

    Examples
    --------
    >>> from fastlr.presets.yolox import yolox_warm_cos_lr
    >>> s = yolox_warm_cos_lr(
    ...     lr=1.0, total_iters=10, warmup_total_iters=2, warmup_lr_start=0.0, no_aug_iter=2, min_lr=0.0
    ... )
    >>> s.table(11).round(6).tolist()
    [0.0, 0.25, 1.0, 0.933013, 0.75, 0.5, 0.25, 0.066987, 0.0, 0.0, 0.0]
    """
    w = "yolox.yolox_warm_cos_lr"
    lr = nonneg("lr", lr, w)
    total = ck.real("total_iters", total_iters, w, lo=0.0, lo_open=True)
    W = nonneg("warmup_total_iters", warmup_total_iters, w)
    s = nonneg("warmup_lr_start", warmup_lr_start, w)
    A = nonneg("no_aug_iter", no_aug_iter, w)
    if (min_lr is None) == (min_lr_ratio is None):
        raise ValueError(
            f"{w}: give exactly one of min_lr and min_lr_ratio, got min_lr={min_lr!r}, min_lr_ratio={min_lr_ratio!r}"
        )
    if min_lr is None:
        lo = lr * nonneg("min_lr_ratio", min_lr_ratio, w)
    else:
        lo = nonneg("min_lr", min_lr, w)
    B = _first_int_after(W) if W > 0.0 else 1  # the first cosine step; [0, B) is warmup (or step 0)
    C = max(math.ceil(total - A), B)  # the first tail step
    phases: list[Shape] = [Constant(lr)]
    bounds = [B]
    if C > B:
        span = total - W - A
        phases.append(Cosine(lr, lo, C - B, span=span, offset=W - B))
        bounds.append(C)
    phases.append(Constant(lo))
    wu = None
    if W > 0.0:
        wu = Warmup(B, start=s, shape="power", power=2.0, span=W, mode="prefix", shift=False)
    return Schedule(Join(tuple(phases), tuple(bounds)), warmup=wu)


def get_lr_scheduler(
    lr_decay_type: str,
    lr: float,
    min_lr: float,
    total_iters: int,
    warmup_iters_ratio: float = 0.1,
    warmup_lr_ratio: float = 0.1,
    no_aug_iter_ratio: float = 0.3,
    step_num: int = 10,
) -> Schedule:
    """Seed 004's ``get_lr_scheduler`` (bubbliiiing yolox-pytorch).

    ``"cos"``: :func:`yolox_warm_cos_lr` with ``W = min(max(warmup_iters_ratio * N, 1), 3)``,
    ``s = max(warmup_lr_ratio * lr, 1e-6)``, ``A = min(max(no_aug_iter_ratio * N, 1), 15)``.
    ``"step"``: ``lr * d ** (i // (N / step_num))`` with ``d = (min_lr / lr) ** (1 / (step_num - 1))``.

    Parameters
    ----------
    lr_decay_type : {"cos", "step"}
    lr, min_lr : float
        Peak (> 0 for "step") and final lr, >= 0.
    total_iters : int
        ``N`` >= 1 (the number of epochs in the seed's loop).
    warmup_iters_ratio, warmup_lr_ratio, no_aug_iter_ratio : float
        >= 0.
    step_num : int
        Number of steps of the "step" decay, >= 2, with ``N / step_num >= 1``.
    """
    w = "yolox.get_lr_scheduler"
    ck.choice("lr_decay_type", lr_decay_type, LR_DECAY_TYPES, w)
    lr = nonneg("lr", lr, w)
    min_lr = nonneg("min_lr", min_lr, w)
    total_iters = ck.integer("total_iters", total_iters, w, lo=1)
    wr = nonneg("warmup_iters_ratio", warmup_iters_ratio, w)
    lrr = nonneg("warmup_lr_ratio", warmup_lr_ratio, w)
    nar = nonneg("no_aug_iter_ratio", no_aug_iter_ratio, w)
    step_num = ck.integer("step_num", step_num, w)
    if lr_decay_type == "cos":
        return yolox_warm_cos_lr(
            lr=lr,
            min_lr=min_lr,
            total_iters=total_iters,
            warmup_total_iters=min(max(wr * total_iters, 1), 3),
            warmup_lr_start=max(lrr * lr, 1e-6),
            no_aug_iter=min(max(nar * total_iters, 1), 15),
        )
    if step_num < 2:
        raise ValueError(f"{w}: step_num must be >= 2 (the seed divides by step_num - 1), got {step_num}")
    if lr == 0.0:
        raise ValueError(f"{w}: lr must be > 0 for 'step' (the seed divides min_lr by it), got {lr!r}")
    decay_rate = (min_lr / lr) ** (1 / (step_num - 1))
    step_size = total_iters / step_num
    if step_size < 1:
        raise ValueError(f"{w}: step_size = total_iters / step_num must be >= 1, got {step_size!r}")
    exact = Fraction(step_size)
    switches: list[int] = []
    values = [lr * decay_rate**0.0]
    for k in range(1, STEP_HORIZON * step_num + 2):
        s = math.ceil(k * exact)  # first i with i // step_size >= k
        if s >= STEP_HORIZON * total_iters:
            break
        switches.append(s)
        values.append(lr * decay_rate ** float(k))
    return Schedule(_counted(switches, values))


def LRScheduler(
    name: str,
    lr: float,
    iters_per_epoch: int,
    total_epochs: int,
    *,
    warmup_epochs: float | None = None,
    warmup_lr_start: float | None = None,
    no_aug_epochs: float | None = None,
    min_lr_ratio: float = 0.2,
    milestones: Any = None,
    gamma: float = 0.1,
) -> Schedule:
    """YOLOX's ``LRScheduler`` as its trainer uses it (per iteration; see the module docstring).

    Names: ``"cos"`` (``lr (1 + cos(pi i / N)) / 2``), ``"warmcos"`` (linear warmup from
    ``warmup_lr_start``, default 1e-6, then cosine to 0 over ``N - W``), ``"yoloxwarmcos"``
    (:func:`yolox_warm_cos_lr`; ``warmup_lr_start`` default 0, ``min_lr_ratio`` default 0.2)
    and ``"multistep"`` (``lr gamma^#{m <= i}`` with the epoch milestones converted by
    ``int(N * m / total_epochs)``). ``N = iters_per_epoch * total_epochs``,
    ``W = iters_per_epoch * warmup_epochs``.
    """
    w = "yolox.LRScheduler"
    ck.choice("name", name, SCHEDULER_NAMES, w)
    lr = nonneg("lr", lr, w)
    ipe = ck.integer("iters_per_epoch", iters_per_epoch, w, lo=1)
    epochs = ck.integer("total_epochs", total_epochs, w, lo=1)
    total = ipe * epochs

    def need(pname: str, value: Any) -> float:
        if value is None:
            raise ValueError(f"{w}: name={name!r} needs {pname}")
        return nonneg(pname, value, w)

    if name == "cos":
        return Schedule(Cosine(lr, 0.0, total, after="continue"))
    if name == "multistep":
        if milestones is None:
            raise ValueError(f"{w}: name='multistep' needs milestones")
        ms = ck.real_tuple("milestones", milestones, w, lo=0.0)
        gamma = nonneg("gamma", gamma, w)
        # step 0 runs with the optimizer's initial lr, so a milestone at 0 is seen from step 1
        switches = sorted(max(int(total * m / epochs), 1) for m in ms)
        values = [lr]
        for _ in switches:
            values.append(values[-1] * gamma)  # the peer's lr *= gamma per passed milestone
        return Schedule(_counted(switches, values))
    W = ipe * need("warmup_epochs", warmup_epochs)
    if name == "yoloxwarmcos":
        return yolox_warm_cos_lr(
            lr=lr,
            min_lr_ratio=nonneg("min_lr_ratio", min_lr_ratio, w),
            total_iters=total,
            warmup_total_iters=W,
            warmup_lr_start=0.0 if warmup_lr_start is None else nonneg("warmup_lr_start", warmup_lr_start, w),
            no_aug_iter=ipe * need("no_aug_epochs", no_aug_epochs),
        )
    # warmcos: linear warmup (inclusive), then lr * (1 + cos(pi (i - W) / (N - W))) / 2, periodic
    s = 1e-6 if warmup_lr_start is None else nonneg("warmup_lr_start", warmup_lr_start, w)
    B = _first_int_after(W) if W > 0.0 else 0
    cos: Shape
    if W == total:
        cos = Constant(lr)  # the peer divides by N - W = 0 past the warmup; fastlr holds lr
    else:
        # W > N: the denominator N - W is negative; cos is even, so its magnitude gives the same curve
        cos = Cosine(lr, 0.0, max(total - B, 1), span=abs(total - W), offset=W - B, after="continue")
    if B == 0:
        return Schedule(cos)
    wu = Warmup(B, start=s, span=W, mode="prefix", shift=False)
    return Schedule(Join((Constant(lr), cos), (B,)), warmup=wu)
