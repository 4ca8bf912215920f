"""Dialect: seed 003's TensorFlow warmups (warmup + piecewise constant; gradual; constant).

Update ``t`` of a TF1 training loop reads the lr with ``global_step = t`` (the optimizer
increments ``global_step`` after applying the gradients), so entry ``t`` of every table here is
the value at ``global_step = t``.

:func:`warmup_lr`
    The seed's ``warmup_lr(init_lr, global_step, warmup_step, num_gpu)``::

        tf.cond(global_step <= warmup_step,
                warmup: 0.1 init_lr + (init_lr - 0.1 init_lr) * global_step / warmup_step,
                decay:  tf.train.piecewise_constant(global_step,
                            boundaries=[DECAY_STEP[i] // num_gpu for i in 0..2],
                            values=[init_lr, init_lr/10, init_lr/100, init_lr/1000]))

    ``cfgs.DECAY_STEP`` is passed as ``decay_step``.
:func:`gradual_warmup`
    The seed's simulation: ``init_lr * t / warmup_steps`` while ``t < warmup_steps``.
:func:`constant_warmup`
    The ResNet paper's warmup that the seed describes: ``warmup_lr`` (e.g. 0.01) for the first
    ``warmup_steps`` steps (about 400), then the preset lr (0.1).

Both simple warmups continue with ``init_lr * main(t)``, ``main`` an optional factor curve in
global steps (default: constant 1; e.g. ``MultiStep(1.0, (32000, 48000), 0.1)`` for the
ResNet CIFAR recipe).

Quirks reproduced (or decided)
------------------------------
- The warmup is *inclusive*: ``global_step == warmup_step`` still warms up (and gives
  ``init_lr`` exactly, mathematically).
- ``piecewise_constant`` switches *after* a boundary: ``values[i]`` holds for
  ``b[i-1] < t <= b[i]`` (a boundary belongs to the earlier piece, unlike PyTorch/optax).
- The boundaries are ``DECAY_STEP[i] // num_gpu`` (integer division: 61 // 2 == 30). Equal
  boundaries after the division leave an empty piece, which is skipped; decreasing ones are
  rejected (TF's exclusive ``case`` would fail).
- Boundaries inside the warmup are invisible until the warmup ends (``tf.cond``).
- ``warmup_step = 0`` makes the seed compute ``0 / 0 = NaN`` at step 0; fastlr raises
  ``ValueError``.
- TF evaluates the warmup in float32; fastlr computes in float64 (``table(T,
  dtype=np.float32)`` rounds once and agrees with TF within 2 float32 ulp).
- The seed's gradual warmup loop continues with ``learning_rate ** 1.0001`` as a stand-in
  decay; that toy is not reproduced (pass ``main`` for a real decay).
"""

from __future__ import annotations

from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, Warmup
from fastlr.shapes import Constant, PiecewiseConstant, Shape

__all__ = ["constant_warmup", "gradual_warmup", "warmup_lr"]

PEER = "seed 003 (TensorFlow 1 warmup recipes)"
#: The seed's own code, transcribed (tests/data/peers/seeds.json: ``seed-003 (transcribed)``).
PEER_VERSION = "unversioned"


def _tf_piecewise(boundaries: tuple[int, ...], values: tuple[float, ...]) -> Shape:
    """``tf.train.piecewise_constant`` as a shape: ``values[i]`` for ``b[i-1] < t <= b[i]``."""
    starts: list[int] = []
    vals: list[float] = [values[0]]
    for b, v in zip(boundaries, values[1:]):
        s = b + 1  # first step of the next piece
        if starts and starts[-1] == s:  # empty piece (equal boundaries): the later value wins
            vals[-1] = v
        else:
            starts.append(s)
            vals.append(v)
    return PiecewiseConstant(tuple(starts), tuple(vals))


def warmup_lr(init_lr: float, warmup_step: int, decay_step: Any, num_gpu: int = 1) -> Schedule:
    """Seed 003's TF warmup followed by ``tf.train.piecewise_constant`` decay.

    .. math::

        lr(t) = \\begin{cases}
            0.1\\,l + 0.9\\,l \\cdot t / W & t \\le W \\\\
            l \\cdot 10^{-k(t)} & t > W
        \\end{cases}

    with ``l = init_lr``, ``W = warmup_step`` and ``k(t)`` the number of boundaries
    ``b_i = decay_step[i] // num_gpu`` with ``b_i < t``.

    Parameters
    ----------
    init_lr : float
        >= 0.
    warmup_step : int
        Last warmup step (inclusive), >= 1.
    decay_step : sequence of int
        ``cfgs.DECAY_STEP``: decay steps before the division by ``num_gpu``, >= 0; the seed reads
        the first three (at least three are needed) and ignores the others.
    num_gpu : int
        >= 1.
    """
    w = "tf.warmup_lr"
    init_lr = nonneg("init_lr", init_lr, w)
    warmup_step = ck.integer("warmup_step", warmup_step, w, lo=0)
    if warmup_step == 0:
        raise ValueError(f"{w}: warmup_step must be >= 1 (the seed computes 0/0 = NaN at step 0), got 0")
    ds = ck.int_tuple("decay_step", decay_step, w, lo=0)
    if len(ds) < 3:
        raise ValueError(
            f"{w}: decay_step must have at least 3 entries (the seed reads cfgs.DECAY_STEP[0..2]), got {list(ds)}"
        )
    ds = ds[:3]  # the seed reads the first three and ignores the rest
    num_gpu = ck.integer("num_gpu", num_gpu, w, lo=1)
    b = tuple(d // num_gpu for d in ds)
    if list(b) != sorted(b):
        raise ValueError(f"{w}: decay_step // num_gpu must be non-decreasing, got {list(b)} from {list(ds)}")
    values = (init_lr, init_lr / 10.0, init_lr / 100.0, init_lr / 1000.0)
    wu = Warmup(warmup_step + 1, start=0.1 * init_lr, span=warmup_step, mode="prefix", shift=False)
    return Schedule(_tf_piecewise(b, values), warmup=wu)


def _main(main: Any, where: str) -> Shape:
    if main is None:
        return Constant(1.0)
    if not isinstance(main, Shape):
        raise TypeError(f"{where}: main must be a fastlr shape (a factor curve) or None, got {type(main).__name__}")
    return main


def gradual_warmup(init_lr: float, warmup_steps: int, main: Shape | None = None) -> Schedule:
    """Gradual (linear from 0) warmup: ``init_lr * t / W`` for ``t < W``, then ``init_lr * main(t)``.

    The warmup aims at ``init_lr * main(0)``.

    Parameters
    ----------
    init_lr : float
        >= 0.
    warmup_steps : int
        ``W``, >= 0 (0: no warmup).
    main : Shape, optional
        Factor curve after the warmup, in global steps (default constant 1).
    """
    w = "tf.gradual_warmup"
    init_lr = nonneg("init_lr", init_lr, w)
    warmup_steps = ck.integer("warmup_steps", warmup_steps, w, lo=0)
    curve = _main(main, w)
    wu = Warmup(warmup_steps, start=0.0, mode="prefix", shift=False) if warmup_steps > 0 else None
    return Schedule(curve, scale=init_lr, warmup=wu)


def constant_warmup(init_lr: float, warmup_lr: float, warmup_steps: int, main: Shape | None = None) -> Schedule:
    """The ResNet paper's constant warmup: ``warmup_lr`` for ``t < W``, then ``init_lr * main(t)``.

    Parameters
    ----------
    init_lr : float
        The preset lr, >= 0.
    warmup_lr : float
        The small warmup lr, >= 0.
    warmup_steps : int
        ``W``, >= 0 (0: no warmup).
    main : Shape, optional
        Factor curve after the warmup, in global steps (default constant 1).
    """
    w = "tf.constant_warmup"
    init_lr = nonneg("init_lr", init_lr, w)
    warmup_lr = nonneg("warmup_lr", warmup_lr, w)
    warmup_steps = ck.integer("warmup_steps", warmup_steps, w, lo=0)
    curve = _main(main, w)
    wu = Warmup(warmup_steps, start=warmup_lr, shape="constant", mode="blend") if warmup_steps > 0 else None
    return Schedule(curve, scale=init_lr, warmup=wu)
