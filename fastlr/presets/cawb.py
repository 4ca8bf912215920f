"""Dialect: CAWB, ``CosineAnnealingWarmbootingLR`` (Huangdebo/CAWB ``cawb.py``; seed 004).

The class is stepped twice: ``step_batch()`` before every batch (linear warmup from 0 over the
first ``batchs * warmup_epoch`` batches) and ``step()`` at the end of every epoch (cosine
"warm booting" restarts). Its demo loop is::

    for epoch in range(epochs):
        for batch in range(batchs):
            scheduler.step_batch(); train()
        scheduler.step()

Table index
-----------
Per iteration: entry ``t`` is batch ``t % batchs`` of epoch ``t // batchs`` (the schedule has
``steps_per_epoch = batchs``). With ``batchs = 0`` (no batch warmup) the table is per epoch.

Values
------
With bounds ``b = [warmup_epoch] + sorted(s for s in steps if warmup_epoch < s < epochs) +
[epochs]``, ``step()`` after epoch ``j`` (its ``j``-th call, counting from 0) sets, for the first
``i`` with ``j <= b[i+1]``:

``lr = step_scale^i * base_lr * ((1 + cos(pi x / gap)) / 2 (1 - eta_min) + eta_min)``,
``x = j - b[i]``, ``gap = b[i+1] - b[i] + (epoch_scale unless i is the last segment)``; with
the user's ``lf``, ``lr = step_scale^i * base_lr * lf(x, gap)`` (``eta_min`` unused, as in
CAWB), ``lf`` compiled as a :class:`fastlr.Formula`.

Epoch ``e >= 1`` runs with the value set after epoch ``e - 1``; epoch 0 with ``base_lr``;
warmup batches ``k < batchs * warmup_epoch`` (global batch index) with ``base_lr * k /
(batchs * warmup_epoch)``.

Quirks reproduced (or decided)
------------------------------
- The first epoch after the warmup uses the value computed at ``j = warmup_epoch - 1``, i.e.
  local iteration ``x = -1`` of the first cosine (slightly below ``base_lr``).
- Epoch ``b[i+1] + 1`` still runs with the end of segment ``i`` (``j <= b[i+1]`` is
  inclusive); the restart is seen one epoch later.
- Past the last bound (``j > epochs``) no segment matches: the scale is
  ``step_scale^(number of segments)``, ``x = j`` is *not* reduced and ``gap`` is the stale last
  gap, so the cosine rises and falls periodically. Reproduced.
- A repeated entry in ``steps`` makes an empty segment that still multiplies the scale by
  ``step_scale``. Reproduced.
- The peer sorts the caller's ``steps`` list in place (a mutable default); fastlr copies it.
- ``warmup_epoch > epochs`` leaves one segment with a negative gap ``epochs - warmup_epoch``:
  the cosine runs at negative progress (``cos`` is even, so fastlr uses ``|gap|``), reproduced;
  ``warmup_epoch == epochs`` makes the gap 0 and CAWB divides by zero in its first ``step()``:
  refused (``ValueError``) without ``lf``; with ``lf`` the peer calls ``lf(x, 0)``, and so
  does fastlr (a non-finite value is then an error naming the step).
- ``lf(x, gap)`` sees the same ``x`` as CAWB, negative ones included (``x = -1`` in the first
  epoch after the warmup), and ``gap`` as a float (CAWB passes an int for the last segment and
  past the horizon, a float elsewhere: the parameter is one column of the compiled function).
- The ``last_epoch`` resume offset is not modelled (fastlr resumes by step index).
"""

from __future__ import annotations

import inspect
from typing import Any

from fastlr import _checks as ck
from fastlr.formula import Formula
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, Warmup
from fastlr.shapes import Constant, Cosine, Join, Shape

__all__ = ["CosineAnnealingWarmbootingLR"]

PEER = "Huangdebo/CAWB"
#: The commit of ``cawb.py`` transcribed for tests/data/peers/seeds.json (seed 004 quotes it).
PEER_VERSION = "222e859f"


def CosineAnnealingWarmbootingLR(
    base_lr: float,
    epochs: int,
    eta_min: float = 0.05,
    steps: Any = (),
    step_scale: float = 0.8,
    batchs: int = 0,
    warmup_epoch: int = 0,
    epoch_scale: float = 1.0,
    lf: Any = None,
    *,
    jit: bool = True,
) -> Schedule:
    """CAWB's warm-booting cosine with batch warmup, per iteration (see the module docstring).

    Parameters
    ----------
    base_lr : float
        The optimizer's lr, >= 0.
    epochs : int
        Number of epochs, != ``warmup_epoch``.
    eta_min : float
        Floor as a fraction of each segment's peak, >= 0.
    steps : sequence of int
        Restart epochs (any order; those outside ``(warmup_epoch, epochs)`` are dropped).
    step_scale : float
        Peak factor per segment, >= 0.
    batchs : int
        Batches per epoch, >= 0 (0: per-epoch table, no batch warmup).
    warmup_epoch : int
        Warmup epochs, >= 0.
    epoch_scale : float
        Added to the length of every segment but the last, >= 0.
    lf : function, optional
        CAWB's ``lf(x, gap)``: the user's curve of the epoch ``x`` inside a segment of length
        ``gap``, instead of the cosine toward ``eta_min`` (compiled as a :class:`fastlr.Formula`,
        its numbers frozen now).
    jit : bool
        Compile ``lf`` (default); ``False`` calls it per step in Python.

    Examples
    --------
    >>> import math
    >>> from fastlr.presets import cawb
    >>> lf = lambda x, y: ((1 + math.cos(x * math.pi / y)) / 2) * 0.9 + 0.1
    >>> cawb.CosineAnnealingWarmbootingLR(1.0, 4, steps=[2], lf=lf).table(6).round(4).tolist()
    [1.0, 1.0, 0.775, 0.325, 0.44, 0.08]
    """
    w = "cawb.CosineAnnealingWarmbootingLR"
    base_lr = nonneg("base_lr", base_lr, w)
    epochs = ck.integer("epochs", epochs, w, lo=1)
    eta = nonneg("eta_min", eta_min, w)
    st = ck.int_tuple("steps", steps, w)
    ss = nonneg("step_scale", step_scale, w)
    batchs = ck.integer("batchs", batchs, w, lo=0)
    we = ck.integer("warmup_epoch", warmup_epoch, w, lo=0)
    es = nonneg("epoch_scale", epoch_scale, w)
    gap_name = None if lf is None else _second_parameter(lf, w)
    if we == epochs and lf is None:
        raise ValueError(
            f"{w}: warmup_epoch must differ from epochs={epochs} (CAWB divides by the gap epochs - warmup_epoch = 0 "
            "in its first step())"
        )
    b = [we] + [s for s in sorted(st) if we < s < epochs] + [epochs]
    nseg = len(b) - 1

    def segment(scale: float, gap: float, offset: float, after: str, steps_: int) -> Shape:
        if gap_name is not None:  # lf(x, gap), x = t - offset
            return Formula(lf, scale=scale, shift=-int(offset), jit=jit, params={gap_name: gap})
        # cos is even: cos(pi x / gap) = cos(pi x / |gap|) (the gap is negative when warmup_epoch > epochs)
        return Cosine(scale, scale * eta, steps_, span=abs(gap), offset=offset, after=after)

    # main curve in epochs e; epoch e >= 1 uses the value of step() call j = e - 1
    phases: list[Shape] = [Constant(1.0)]  # epoch 0: the optimizer's initial lr
    bounds: list[int] = []
    for i in range(nseg):
        lo = 1 if i == 0 else b[i] + 2  # first epoch e whose j = e - 1 falls in segment i
        hi = b[i + 1] + 2  # first epoch of the next segment
        if hi <= lo:
            continue  # empty segment (repeated step): only its scale factor counts
        gap = b[i + 1] - b[i] + (es if i != nseg - 1 else 0.0)
        # local time t' = e - lo; x = j - b[i] = t' + lo - 1 - b[i]
        phases.append(segment(ss**i, gap, float(b[i] + 1 - lo), "hold", hi - lo))
        bounds.append(lo)
    # past the horizon: j = e - 1 > epochs, x = j unreduced, stale gap of the last segment
    last_gap = float(b[-1] - b[-2])
    lo = b[-1] + 2
    phases.append(segment(ss**nseg, last_gap, float(1 - lo), "continue", 1))
    bounds.append(lo)
    wu = None
    if batchs > 0 and we > 0:
        wu = Warmup(batchs * we, start=0.0, mode="prefix", shift=False)
    return Schedule(Join(tuple(phases), tuple(bounds)), scale=base_lr, warmup=wu, steps_per_epoch=max(batchs, 1))


def _second_parameter(lf: Any, where: str) -> str:
    """The name of ``lf``'s second parameter (CAWB calls ``lf(x, gap)``; a Formula passes the
    gap by name)."""
    try:
        params = list(inspect.signature(lf).parameters.values())
    except (TypeError, ValueError):
        raise TypeError(f"{where}: lf must be a Python function lf(x, gap), got {lf!r}") from None
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD,)
    if len(params) < 2 or params[0].kind not in kinds or params[1].kind not in kinds:
        raise TypeError(
            f"{where}: lf must take (x, gap) as its first two parameters, got {lf!r}{inspect.signature(lf)}"
        )
    return params[1].name
