"""torchtitan dialect: the ``[lr_scheduler]`` config (linear warmup, optional stable phase, decay).

Matched against torchtitan 0.3.0 (``torchtitan/components/optimizer/lr_scheduler.py``,
``LRSchedulersContainer.Config.build``; the trainer in ``torchtitan/trainer.py``). torchtitan
wraps every optimizer in ``LambdaLR(optimizer, lr_lambda)``; its trainer calls
``optimizers.step()`` then ``lr_schedulers.step()`` once per training step, so update ``i``
(trainer step ``i + 1``) uses ``base_lr * lambda(i)``.

With ``N = total_steps`` (default ``training_steps``), ``W = min(warmup_steps, N)``,
``D = round(N * decay_ratio)`` capped at ``N - W`` (``N - W`` when ``decay_ratio`` is None),
``S = N + 1 - W - D`` and ``m = min_lr_factor``:

- ``lambda(i) = (i + 1) / W`` for ``i < W`` (the warmup never starts at 0 and reaches 1 on its
  last step);
- 1 for ``W <= i < W + S``;
- ``m + (1 - m) f(p)`` with ``p = (i + 1 - W - S) / D`` after, ``f`` being ``1 - p``,
  ``1 - sqrt(p)`` or ``(1 + cos(pi p)) / 2``.

Quirks reproduced
-----------------
- The "virtual last step" ``S = N + 1 - W - D``: without ``decay_ratio`` the stable phase is
  one step (``lambda(W) = 1``), and the decay reaches ``m`` at ``i = N``, one update after the
  run's last (``i = N - 1``): the last update's lr is above ``base_lr * m``.
- ``warmup_steps > N`` is silently cut to ``N`` (torchtitan logs a warning); so is a decay that
  does not fit after the warmup. ``round`` is Python's (half to even: ``round(2.5) == 2``).
- ``cosine`` keeps the periodic formula past ``p = 1`` (it rises again).

Refused (``ValueError``)
------------------------
- A run longer than the schedule (``training_steps > total_steps + 1``) with ``linear`` or
  ``sqrt`` decay, or with no decay phase: torchtitan's factor then goes below ``m`` (negative
  for ``m = 0``), or its lambda fails an assertion (``decay_steps != 0``). fastlr's curves hold
  their end value instead, so it refuses rather than differ.
- Negative ``warmup_steps``, ``decay_ratio`` or ``min_lr_factor``.

Past the run (``i >= training_steps``) the table holds ``base_lr * m`` (linear, sqrt) or keeps
the cosine formula; torchtitan computes no lr there.
"""

from __future__ import annotations

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, Warmup
from fastlr.shapes import Constant, Cosine, Join, Linear, Shape, SqrtCooldown

__all__ = ["DECAY_TYPES", "lr_scheduler"]

PEER = "torchtitan"
PEER_VERSION = "0.3.0"

#: ``decay_type`` values torchtitan accepts.
DECAY_TYPES = ("linear", "sqrt", "cosine")


def lr_scheduler(
    base_lr: float,
    training_steps: int,
    warmup_steps: int = 200,
    decay_ratio: float | None = None,
    decay_type: str = "linear",
    min_lr_factor: float = 0.0,
    total_steps: int | None = None,
) -> Schedule:
    """torchtitan's ``[lr_scheduler]`` section, for a run of ``training_steps`` steps.

    Parameters
    ----------
    base_lr : float
        The optimizer's lr (``[optimizer] lr``).
    training_steps : int
        ``[training] steps``: the run's length, and ``total_steps`` by default.
    warmup_steps, decay_ratio, decay_type, min_lr_factor, total_steps
        As in torchtitan's ``LRSchedulersContainer.Config`` (defaults too).

    Returns
    -------
    Schedule
        ``table(T)[i]`` is the lr of update ``i`` (trainer step ``i + 1``); see the module
        docstring for the closed form.

    Examples
    --------
    >>> import fastlr.presets.torchtitan as tt
    >>> s = tt.lr_scheduler(1e-3, training_steps=10, warmup_steps=2)
    >>> [round(float(v), 6) for v in s.table(10)]
    [0.0005, 0.001, 0.001, 0.000875, 0.00075, 0.000625, 0.0005, 0.000375, 0.00025, 0.000125]
    """
    w = "torchtitan.lr_scheduler"
    B = nonneg("base_lr", base_lr, w)
    R = ck.integer("training_steps", training_steps, w, lo=1)
    N = R if total_steps is None else ck.integer("total_steps", total_steps, w, lo=1)
    W = min(ck.integer("warmup_steps", warmup_steps, w, lo=0), N)
    ck.choice("decay_type", decay_type, DECAY_TYPES, w)
    m = nonneg("min_lr_factor", min_lr_factor, w)
    if decay_ratio is None:
        D = N - W
    else:
        D = min(round(nonneg("decay_ratio", decay_ratio, w) * N), N - W)
    S = N + 1 - W - D
    if R > N + 1 and (D == 0 or decay_type != "cosine"):
        why = "its lambda asserts decay_steps != 0" if D == 0 else f"its {decay_type} factor falls below min_lr_factor"
        raise ValueError(
            f"{w}: training_steps={R} runs past total_steps={N} + 1, where {why}; "
            "fastlr holds the end value instead, so it refuses"
        )
    # main curve in time since the warmup: 1 on [0, S - 1], then the decay with p = t' / D
    # (t' counts from the last stable step, where p = 0 gives 1 as well)
    if D == 0:
        main: Shape = Constant(1.0)
    else:
        if decay_type == "linear":
            dec: Shape = Linear(1.0, m, D)
        elif decay_type == "sqrt":
            dec = SqrtCooldown(1.0, m, D)
        else:
            dec = Cosine(1.0, m, D, after="continue")
        main = dec if S == 1 else Join((Constant(1.0), dec), (S - 1,))
    if W == 0:
        return Schedule(main, scale=B)
    return Schedule(main, warmup=Warmup(W, 0.0, offset=-1.0), scale=B)
