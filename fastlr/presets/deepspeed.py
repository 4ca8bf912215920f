"""DeepSpeed dialect: ``deepspeed.runtime.lr_schedules`` and the config's ``"scheduler"`` block.

Matched against DeepSpeed 0.19.8 (``deepspeed/runtime/lr_schedules.py``; the engine loop in
``deepspeed/runtime/engine.py``, ``_take_model_step``). The engine calls ``optimizer.step()``
then ``lr_scheduler.step()`` (``last_batch_iteration += 1``) after every update that did not
overflow; the constructors (``last_batch_iteration=-1``) set the lr of update 0. So update
``i >= 1`` uses the scheduler at ``last_batch_iteration = i - 1`` and update 0 the constructor's
value. Here the classes take ``base_lr=`` (the optimizer's lr) instead of an optimizer.

Per-group values (lists, as DeepSpeed accepts for the lr bounds and ``base_lr``) give one
schedule per param group in a :class:`fastlr.ScheduleSet`; scalars give a :class:`fastlr.Schedule`
(``OneCycle`` with ``cycle_momentum`` always gives a set ``{"lr", "momentum"}``).

Quirks reproduced
-----------------
- ``WarmupLR``/``WarmupDecayLR``/``WarmupCosineLR``: the warmup lasts ``max(2,
  warmup_num_steps)`` steps (a silent minimum) and runs one update late: updates 0 and 1 both
  use the start value (``log(1) = 0``, ``0 / W = 0``) and the last warmup update ``W`` is at
  ``(W - 1) / W`` (linear) of the way; the peak comes at update ``W + 1``.
- The default ``warmup_type`` is ``"log"``: ``gamma = log(i) / log(W)``. An unknown
  ``warmup_type`` is ``"log"`` too (DeepSpeed only logs a warning; so does fastlr).
- ``WarmupLR`` reads the optimizer's lr (``base_lr``) only when ``warmup_max_lr`` is None;
  ``WarmupDecayLR``'s default ``warmup_max_lr`` is 0.001, whatever the optimizer's lr.
- ``WarmupDecayLR`` decays linearly to ``warmup_min_lr`` (not 0), reaching it at update
  ``total_num_steps + 1``.
- ``WarmupCosineLR`` scales ``base_lr``; update 0 runs at lr 0 (its constructor's
  ``last_batch_iteration < 0`` branch returns 0), and the cosine starts one step into its
  decay (update ``W + 1`` is at progress ``1 / (total - W)``), so the peak ``base_lr`` is never
  used; the progress is clamped at 1 (``cos_min_ratio`` after ``total_num_steps``).
- ``OneCycle``: update ``i`` uses the cycle at ``batch_iteration = i``; update 0 has
  ``cycle_min_lr`` and momentum ``cycle_min_mom`` (the constructor writes the lower bounds;
  the cycle formula would give ``cycle_max_mom``). Momentum is Adam's ``betas[0]`` (DeepSpeed
  also sets ``betas[1] = 0.99``; with an optimizer without ``betas`` it turns
  ``cycle_momentum`` off: pass ``cycle_momentum=False``). After the cycle:
  ``cycle_min_lr / (1 + decay_lr_rate k / decay_step_size)`` and momentum
  ``cycle_max_mom (1 + decay_mom_rate k / decay_step_size)`` (growing, past 1 eventually),
  ``k = i - total_size``; no decay when ``decay_step_size`` or the rate is 0. Stair counts
  floor the half-cycle progress into that many steps.
- ``LRRangeTest``: ``min_lr (1 + step_rate i / step_size)`` (floored ``i / step_size`` with
  ``lr_range_test_staircase``), unbounded.

Growing ramps (``LRRangeTest``, ``OneCycle``'s momentum decay) are linear over
``RAMP_HORIZON = 2**40`` updates and hold after (no run is that long). The ``"log"`` warmup is
tabulated (one piece per warmup update: fastlr has no logarithmic curve).

Refused (``ValueError``)
------------------------
- What DeepSpeed raises for (non-positive ``warmup_num_steps``, ``lr_range_test_step_size``,
  ``cycle_first_step_size``; list lengths that do not match).
- ``last_batch_iteration != -1`` (a resumed run: build the table from the start and slice it).
- Rates and ratios that drive the lr below 0: negative ``lr_range_test_step_rate``,
  ``decay_lr_rate``, ``decay_mom_rate``, ``cos_min_ratio`` or ``warmup_min_ratio``.
- ``"auto"`` values in :func:`from_config` (the Hugging Face integration fills them in first).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, ScheduleSet
from fastlr.shapes import Constant, Cosine, InverseTime, Join, Linear, PiecewiseConstant, Shape

__all__ = [
    "RAMP_HORIZON",
    "SCHEDULERS",
    "LRRangeTest",
    "OneCycle",
    "WarmupCosineLR",
    "WarmupDecayLR",
    "WarmupLR",
    "from_config",
]

PEER = "deepspeed"
PEER_VERSION = "0.19.8"

#: The DeepSpeed schedule names (``"type"`` in the config's ``"scheduler"`` block).
SCHEDULERS = ("LRRangeTest", "OneCycle", "WarmupLR", "WarmupDecayLR", "WarmupCosineLR")

#: Length of the linear pieces that stand for DeepSpeed's unbounded ramps.
RAMP_HORIZON = 2**40


def _resume(value: Any, where: str) -> None:
    if ck.integer("last_batch_iteration", value, where) != -1:
        raise ValueError(
            f"{where}: last_batch_iteration={value!r} resumes a run; fastlr tables start at update 0 "
            "(build with -1 and slice the table)"
        )


def _groups(where: str, lo: float | None = None, **values: Any) -> tuple[int, dict[str, list[float]]]:
    """Broadcast scalars and per-group lists (DeepSpeed's ``_format_param``) to one length."""
    n = 0
    for name, v in values.items():
        if isinstance(v, (list, tuple)):
            if n and len(v) != n:
                raise ValueError(f"{where}: expected {n} values for {name}, got {len(v)}")
            n = len(v)
            if n == 0:
                raise ValueError(f"{where}: {name} must not be empty")
    n = n or 1
    out = {}
    for name, v in values.items():
        seq = list(v) if isinstance(v, (list, tuple)) else [v] * n
        out[name] = [ck.real(f"{name}[{g}]" if n > 1 else name, x, where, lo=lo) for g, x in enumerate(seq)]
    return n, out


def _per_group(values: Any) -> bool:
    return any(isinstance(v, (list, tuple)) for v in values)


def _warmup_steps(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: warmup_num_steps must be a positive integer, got {value!r}")
    return max(2, value)


def _warmup_type(value: Any, where: str) -> str:
    if value not in ("log", "linear"):
        warnings.warn(f"{where}: unknown warmup_type {value!r}; DeepSpeed uses 'log' for it", UserWarning, stacklevel=3)
        return "log"
    return value


def _warm(first: float, lo: float, hi: float, W: int, kind: str, after: Shape | None) -> Shape:
    """Update 0 at ``first``, updates ``1..W`` at ``lo + (hi - lo) gamma(i - 1)``, then ``after``
    (``None``: hold ``hi``)."""
    delta = hi - lo
    if kind == "linear":
        phases: tuple[Shape, ...] = (Constant(first), Linear(lo, hi, W))
        bounds: tuple[int, ...] = (1,)
    else:
        inv = 1.0 / math.log(W)
        values = [first] + [lo + delta * (inv * math.log(k)) for k in range(1, W + 1)]
        if after is None:
            values.append(hi)
        phases, bounds = (PiecewiseConstant(tuple(range(1, len(values))), tuple(values)),), ()
    if after is not None:
        phases, bounds = (*phases, after), (*bounds, W + 1)
    return phases[0] if len(phases) == 1 else Join(phases, bounds)


def _result(lrs: list[Schedule], grouped: bool) -> Schedule | ScheduleSet:
    return ScheduleSet({"lr": lrs}) if grouped else lrs[0]


def WarmupLR(
    warmup_min_lr: float | list[float] = 0.0,
    warmup_max_lr: float | list[float] | None = None,
    warmup_num_steps: int = 1000,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
    *,
    base_lr: float | list[float] | None = None,
) -> Schedule | ScheduleSet:
    """``warmup_min_lr`` to ``warmup_max_lr`` over ``max(2, warmup_num_steps)`` steps, then held.

    Update ``i >= 1``: ``min + (max - min) gamma(i - 1)``, ``gamma(j) = log(j + 1) / log(W)``
    (``"log"``) or ``j / W`` (``"linear"``) for ``j < W``, then 1; update 0: ``min``.
    ``warmup_max_lr=None`` takes the optimizer's lr, ``base_lr``.

    Examples
    --------
    >>> import fastlr.presets.deepspeed as ds
    >>> [round(float(v), 4) for v in ds.WarmupLR(0.0, 1.0, 4, "linear").table(7)]
    [0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    w = "deepspeed.WarmupLR"
    _resume(last_batch_iteration, w)
    W = _warmup_steps(warmup_num_steps, w)
    kind = _warmup_type(warmup_type, w)
    if warmup_max_lr is None:
        if base_lr is None:
            raise ValueError(f"{w}: warmup_max_lr=None takes the optimizer's lr: pass base_lr")
        warmup_max_lr = base_lr
    _n, p = _groups(w, 0.0, warmup_min_lr=warmup_min_lr, warmup_max_lr=warmup_max_lr)
    lrs = [Schedule(_warm(lo, lo, hi, W, kind, None)) for lo, hi in zip(p["warmup_min_lr"], p["warmup_max_lr"])]
    return _result(lrs, _per_group((warmup_min_lr, warmup_max_lr)))


def WarmupDecayLR(
    total_num_steps: int,
    warmup_min_lr: float | list[float] = 0.0,
    warmup_max_lr: float | list[float] | None = 0.001,
    warmup_num_steps: int = 1000,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
    *,
    base_lr: float | list[float] | None = None,
) -> Schedule | ScheduleSet:
    """``WarmupLR``'s warmup, then ``min + (max - min) max(0, (N - i + 1) / max(1, N - W))`` for
    updates ``i > W`` (``N = total_num_steps``)."""
    w = "deepspeed.WarmupDecayLR"
    _resume(last_batch_iteration, w)
    N = ck.integer("total_num_steps", total_num_steps, w)
    W = _warmup_steps(warmup_num_steps, w)
    kind = _warmup_type(warmup_type, w)
    if warmup_max_lr is None:
        if base_lr is None:
            raise ValueError(f"{w}: warmup_max_lr=None takes the optimizer's lr: pass base_lr")
        warmup_max_lr = base_lr
    _n, p = _groups(w, 0.0, warmup_min_lr=warmup_min_lr, warmup_max_lr=warmup_max_lr)
    lrs = []
    for lo, hi in zip(p["warmup_min_lr"], p["warmup_max_lr"]):
        decay: Shape = Linear(hi, lo, N - W) if N > W else Constant(lo)
        lrs.append(Schedule(_warm(lo, lo, hi, W, kind, decay)))
    return _result(lrs, _per_group((warmup_min_lr, warmup_max_lr)))


def WarmupCosineLR(
    total_num_steps: int,
    warmup_min_ratio: float = 0.0,
    warmup_num_steps: int = 1000,
    cos_min_ratio: float = 0.0001,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
    *,
    base_lr: float | list[float],
) -> Schedule | ScheduleSet:
    """``base_lr`` times a ratio: 0 at update 0; ``wmr + (1 - wmr) gamma(i - 1)`` for
    ``1 <= i <= W``; then ``cmr + (1 - cmr)(1 + cos(pi p))/2``, ``p = min(1, (i - W) / max(1,
    N - W))``."""
    w = "deepspeed.WarmupCosineLR"
    _resume(last_batch_iteration, w)
    N = ck.integer("total_num_steps", total_num_steps, w)
    W = _warmup_steps(warmup_num_steps, w)
    kind = _warmup_type(warmup_type, w)
    wmr = nonneg("warmup_min_ratio", warmup_min_ratio, w, "a negative ratio is a negative lr")
    cmr = nonneg("cos_min_ratio", cos_min_ratio, w, "DeepSpeed clamps the ratio at 0; fastlr refuses")
    R = max(1, N - W)
    decay: Shape = Cosine(1.0, cmr, R - 1, span=float(R), offset=-1.0) if R > 1 else Constant(cmr)
    curve = _warm(0.0, wmr, 1.0, W, kind, decay)
    _n, p = _groups(w, 0.0, base_lr=base_lr)
    return _result([Schedule(curve, scale=b) for b in p["base_lr"]], _per_group((base_lr,)))


def _stairs(f: Any, s: int, e: int) -> Shape:
    """A piecewise constant of ``f(i)`` over updates ``s..e - 1`` (local time from ``s``)."""
    bounds, values = [], [f(s)]
    for i in range(s + 1, e):
        v = f(i)
        if v != values[-1]:
            bounds.append(i - s)
            values.append(v)
    return Constant(values[0]) if not bounds else PiecewiseConstant(tuple(bounds), tuple(values))


def _growth(start: float, rate: float, period: float) -> Shape:
    """``start (1 + rate k / period)`` for ``k < RAMP_HORIZON``."""
    if rate == 0.0 or start == 0.0:
        return Constant(start)
    return Linear(start, start * (1.0 + rate * RAMP_HORIZON / period), RAMP_HORIZON)


def _cycle(s: int, first: int, second: int, c1: int, c2: int, at: Any, linear: Any, after: Shape) -> Shape:
    """The 1cycle from update ``s`` (0 or 1): ``at(scale)`` with ``scale`` rising over ``first``
    steps and falling over ``second``, then ``after`` from ``first + second``."""
    total = first + second
    phases: list[tuple[int, Shape]] = []
    if s < first:
        if c1 > 0:
            phases.append((s, _stairs(lambda i: at(math.floor(i * c1 / first) / c1), s, first)))
        else:
            phases.append((s, linear(first - s, float(first), float(-s))))
    if second > 0:
        if c2 > 0:
            phases.append((first, _stairs(lambda i: at(math.floor((total - i) * c2 / second) / c2), first, total)))
        else:
            phases.append((first, linear(second, None, 0.0, down=True)))
    phases.append((total, after))
    if len(phases) == 1:
        return after
    return Join(tuple(p for _, p in phases), tuple(a - s for a, _ in phases[1:]))


def OneCycle(
    cycle_min_lr: float | list[float],
    cycle_max_lr: float | list[float],
    decay_lr_rate: float = 0.0,
    cycle_first_step_size: int = 2000,
    cycle_second_step_size: int | None = None,
    cycle_first_stair_count: int = 0,
    cycle_second_stair_count: int | None = None,
    decay_step_size: float = 0,
    cycle_momentum: bool = True,
    cycle_min_mom: float | list[float] = 0.8,
    cycle_max_mom: float | list[float] = 0.9,
    decay_mom_rate: float = 0.0,
    last_batch_iteration: int = -1,
    *,
    base_lr: Any = None,
) -> Schedule | ScheduleSet:
    """DeepSpeed's 1cycle: ``min + (max - min) scale(i)`` over ``first + second`` updates, then
    ``min / (1 + decay_lr_rate k / decay_step_size)``; momentum ``max_mom - (max_mom - min_mom)
    scale(i)`` (``base_lr`` is not read).

    Examples
    --------
    >>> import fastlr.presets.deepspeed as ds
    >>> s = ds.OneCycle(0.1, 1.0, cycle_first_step_size=2, cycle_second_step_size=2)
    >>> s.table(6)["lr"][0].round(3).tolist(), s.table(6)["momentum"][0].round(3).tolist()
    ([0.1, 0.55, 1.0, 0.55, 0.1, 0.1], [0.8, 0.85, 0.8, 0.85, 0.9, 0.9])
    """
    w = "deepspeed.OneCycle"
    _resume(last_batch_iteration, w)
    first = ck.integer("cycle_first_step_size", cycle_first_step_size, w, lo=1)
    second = (
        first
        if cycle_second_step_size is None
        else ck.integer("cycle_second_step_size", cycle_second_step_size, w, lo=0)
    )
    c1 = ck.integer("cycle_first_stair_count", cycle_first_stair_count, w, lo=0)
    c2 = (
        c1
        if cycle_second_stair_count is None
        else ck.integer("cycle_second_stair_count", cycle_second_stair_count, w, lo=0)
    )
    dss = nonneg("decay_step_size", decay_step_size, w)
    lr_rate = nonneg("decay_lr_rate", decay_lr_rate, w, "a negative rate grows the lr without bound")
    mom = ck.flag("cycle_momentum", cycle_momentum, w)
    n, p = _groups(w, 0.0, cycle_min_lr=cycle_min_lr, cycle_max_lr=cycle_max_lr)
    lrs = []
    for lo, hi in zip(p["cycle_min_lr"], p["cycle_max_lr"]):
        after: Shape = InverseTime(lo, lr_rate, dss) if (dss != 0.0 and lr_rate != 0.0) else Constant(lo)

        def lin(
            steps: int, span: float | None, offset: float, down: bool = False, lo: float = lo, hi: float = hi
        ) -> Shape:
            return Linear(hi, lo, steps) if down else Linear(lo, hi, steps, span=span, offset=offset)

        lrs.append(Schedule(_cycle(0, first, second, c1, c2, lambda sc, lo=lo, hi=hi: lo + (hi - lo) * sc, lin, after)))
    grouped = _per_group((cycle_min_lr, cycle_max_lr))
    if not mom:
        return _result(lrs, grouped)
    m_rate = nonneg("decay_mom_rate", decay_mom_rate, w, "momentum would fall below 0")
    nm, q = _groups(w, 0.0, cycle_min_mom=cycle_min_mom, cycle_max_mom=cycle_max_mom)
    if nm != n and nm > 1 and n > 1:
        raise ValueError(f"{w}: {n} lr groups but {nm} momentum groups")
    if nm == 1 and n > 1:
        q = {k: v * n for k, v in q.items()}
    elif n == 1 and nm > 1:
        lrs = lrs * nm
    moms = []
    for mlo, mhi in zip(q["cycle_min_mom"], q["cycle_max_mom"]):
        after_m: Shape = _growth(mhi, m_rate, dss) if (dss != 0.0 and m_rate != 0.0) else Constant(mhi)

        def lin_m(
            steps: int, span: float | None, offset: float, down: bool = False, a: float = mlo, b: float = mhi
        ) -> Shape:
            return Linear(a, b, steps) if down else Linear(b, a, steps, span=span, offset=offset)

        rest = _cycle(1, first, second, c1, c2, lambda sc, a=mlo, b=mhi: b - (b - a) * sc, lin_m, after_m)
        moms.append(Schedule(Join((Constant(mlo), rest), (1,))))
    return ScheduleSet({"lr": lrs, "momentum": moms})


def LRRangeTest(
    lr_range_test_min_lr: float | list[float] = 1e-3,
    lr_range_test_step_size: int = 2000,
    lr_range_test_step_rate: float = 1.0,
    lr_range_test_staircase: bool = False,
    last_batch_iteration: int = -1,
    *,
    base_lr: Any = None,
) -> Schedule | ScheduleSet:
    """``min_lr (1 + step_rate i / step_size)`` for update ``i`` (``floor(i / step_size)`` with
    the staircase); ``base_lr`` is not read.

    Examples
    --------
    >>> import fastlr.presets.deepspeed as ds
    >>> ds.LRRangeTest(0.1, 2, 1.0, True).table(6).round(3).tolist()
    [0.1, 0.1, 0.2, 0.2, 0.3, 0.3]
    """
    w = "deepspeed.LRRangeTest"
    _resume(last_batch_iteration, w)
    ss = lr_range_test_step_size
    if isinstance(ss, bool) or not isinstance(ss, int) or ss <= 0:
        raise ValueError(f"{w}: lr_range_test_step_size must be a positive integer, got {ss!r}")
    rate = nonneg("lr_range_test_step_rate", lr_range_test_step_rate, w, "the lr would fall below 0")
    stair = ck.flag("lr_range_test_staircase", lr_range_test_staircase, w)
    _n, p = _groups(w, 0.0, lr_range_test_min_lr=lr_range_test_min_lr)
    lrs = []
    for lo in p["lr_range_test_min_lr"]:
        if stair:
            H = RAMP_HORIZON // ss
            ramp: Shape = Linear(lo, lo * (1.0 + rate * H), H) if rate and lo else Constant(lo)
            lrs.append(Schedule(ramp, steps_per_epoch=ss))
        else:
            lrs.append(Schedule(_growth(lo, rate, float(ss))))
    return _result(lrs, _per_group((lr_range_test_min_lr,)))


_CLASSES: dict[str, Any] = {
    "LRRangeTest": LRRangeTest,
    "OneCycle": OneCycle,
    "WarmupLR": WarmupLR,
    "WarmupDecayLR": WarmupDecayLR,
    "WarmupCosineLR": WarmupCosineLR,
}


def from_config(scheduler: Mapping[str, Any], base_lr: float | list[float] | None = None) -> Any:
    """The ``"scheduler"`` block of a DeepSpeed config: ``{"type": NAME, "params": {...}}``.

    ``NAME`` is one of :data:`SCHEDULERS`, or a ``torch.optim.lr_scheduler`` class, which
    DeepSpeed builds with the same ``params`` and steps the same way (fastlr builds it with
    :mod:`fastlr.presets.torch`). ``base_lr`` is the optimizer's lr (the ``"optimizer"`` block's
    ``params.lr``).

    Examples
    --------
    >>> import fastlr.presets.deepspeed as ds
    >>> cfg = {"type": "WarmupDecayLR", "params": {"total_num_steps": 6, "warmup_min_lr": 0,
    ...        "warmup_max_lr": 0.4, "warmup_num_steps": 2, "warmup_type": "linear"}}
    >>> ds.from_config(cfg).table(8).round(3).tolist()
    [0.0, 0.0, 0.2, 0.4, 0.3, 0.2, 0.1, 0.0]
    """
    w = "deepspeed.from_config"
    if not isinstance(scheduler, Mapping) or "type" not in scheduler:
        raise ValueError(
            f"{w}: expected the config's scheduler block {{'type': ..., 'params': {{...}}}}, got {scheduler!r}"
        )
    name = scheduler["type"]
    params = dict(scheduler.get("params") or {})
    auto = sorted(k for k, v in params.items() if v == "auto")
    if auto:
        raise ValueError(f"{w}: params {auto} are 'auto'; resolve them first (the Hugging Face Trainer fills them in)")
    if name in _CLASSES:
        return _CLASSES[name](**params, base_lr=base_lr)
    from fastlr.presets import torch as torch_presets

    if isinstance(name, str) and name in torch_presets.__all__:
        import inspect

        fn: Any = getattr(torch_presets, name)
        if "base_lr" in inspect.signature(fn).parameters and "base_lr" not in params:
            if base_lr is None:
                raise ValueError(f"{w}: torch's {name} scales the optimizer's lr: pass base_lr")
            params["base_lr"] = base_lr
        return fn(**params)
    raise ValueError(
        f"{w}: unknown scheduler type {name!r}; DeepSpeed's are {', '.join(SCHEDULERS)}, or a torch scheduler"
    )
