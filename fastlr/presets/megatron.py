"""Megatron-LM dialect: megatron-core's ``OptimizerParamScheduler`` (lr and weight decay).

Matched against megatron-core 0.16.1 (``megatron/core/optimizer_param_scheduler.py``; the
training loop is Megatron-LM's ``megatron/training/training.py``). The scheduler counts
``num_steps``, sets every param group's ``lr`` and ``weight_decay`` from it, and the trainer calls
``step(increment)`` after each successful optimizer update; the constructor calls ``step(0)``.
So update ``i`` uses ``n = i * increment``. Megatron-LM counts in samples: ``increment`` is the
global batch size and the step arguments are iterations times it (``--lr-warmup-iters`` *
``global_batch_size``, ...); with ``increment=1`` and steps in iterations the table is the same.

With ``W = lr_warmup_steps``, ``D = lr_decay_steps``, ``max``/``min`` the group's ``max_lr`` /
``min_lr`` (per-group overrides, else the scheduler's) and ``init = init_lr``:

- ``n <= W`` (only when ``W > 0``): ``init + (max - init) n / W`` (the warmup's end is inclusive:
  update ``W`` already runs at ``max``);
- ``constant``: ``max`` (forever: ``D`` does not apply);
- ``n > D``: ``min``;
- ``inverse-square-root``: ``max(min, max sqrt(max(W, 1)) / sqrt(max(n, 1)))``;
- otherwise ``min + c (max - min)``, ``r = (n - W) / (D - W)``: ``c = 1 - r`` (``linear``),
  ``(1 + cos(pi r)) / 2`` (``cosine``); ``WSD``: ``c = 1`` while ``n <= D - wsd_decay_steps``,
  then with ``q = (n - D + wsd_decay_steps) / wsd_decay_steps`` (``lr_wsd_decay_style``)
  ``1 - q``, ``(1 + cos(pi q)) / 2``, ``2 * 0.5^q - 1`` (``exponential``), ``1 - sqrt(q)``
  (``minus_sqrt``).

Weight decay, with ``Wi = wd_incr_steps``: ``end_wd`` for ``n > Wi`` and for ``constant``;
otherwise ``start_wd + c (end_wd - start_wd)``, ``r = n / Wi``, ``c = r`` (``linear``) or
``(1 - cos(pi r)) / 2`` (``cosine``); times the group's ``wd_mult``.

Quirks reproduced
-----------------
- ``init_lr`` (``--lr-warmup-init``) is not per group: a group with its own ``max_lr`` warms up
  from the scheduler's ``init_lr`` to its own ``max_lr``.
- ``inverse-square-root`` drops to ``min`` after ``D`` (not the inverse square root), and with
  ``W = 0`` holds ``max`` at updates 0 and 1.
- ``WSD`` with ``wsd_decay_steps > D - W`` starts its decay part-way (``q > 0`` right after
  the warmup); past ``D`` every style but ``constant`` is ``min``.
- Weight decay is a function of the same ``n`` (its increments are in samples too).

Refused (``ValueError``)
------------------------
- What megatron-core asserts (``min_lr >= 0``, ``max_lr >= min_lr``, ``init_lr <= max_lr``,
  ``D > 0``, ``W < D``, ``start_wd >= 0``, ``end_wd >= start_wd``, WSD without
  ``wsd_decay_steps``, ``constant`` weight decay with ``start_wd != end_wd``, both
  ``override_opt_param_scheduler`` and ``use_checkpoint_opt_param_scheduler``) and what it
  fails on later (an unknown style, a WSD decay without ``lr_wsd_decay_style``, a weight-decay
  increment over ``wd_incr_steps = 0``, which divides by zero).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

from fastlr import _checks as ck
from fastlr.presets._common import nonneg
from fastlr.schedule import Schedule, ScheduleSet, Warmup
from fastlr.shapes import Asymptotic, Constant, Cosine, InverseSqrt, Join, Linear, Shape, SqrtCooldown

__all__ = ["DECAY_STYLES", "GROUP_KEYS", "WD_INCR_STYLES", "WSD_DECAY_STYLES", "OptimizerParamScheduler"]

PEER = "megatron-core"
PEER_VERSION = "0.16.1"

#: ``lr_decay_style`` values (``--lr-decay-style``).
DECAY_STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
#: ``lr_wsd_decay_style`` values (``--lr-wsd-decay-style``).
WSD_DECAY_STYLES = ("linear", "cosine", "exponential", "minus_sqrt")
#: ``wd_incr_style`` values (``--weight-decay-incr-style``).
WD_INCR_STYLES = ("constant", "linear", "cosine")
#: The param-group keys the scheduler reads (``ParamGroupOverride``).
GROUP_KEYS = ("max_lr", "min_lr", "start_wd", "end_wd", "wd_mult")

_W = "megatron.OptimizerParamScheduler"


def _last_le(x: float, G: int) -> int:
    """The last update ``i >= 0`` with ``i * G <= x`` (-1 when ``x < 0``), by exact comparison."""
    if x < 0:
        return -1
    i = int(x // G)
    while (i + 1) * G <= x:
        i += 1
    while i >= 0 and i * G > x:
        i -= 1
    return i


def _join(phases: list[tuple[int, Shape]], s: int) -> Shape:
    """The phases ``(first update, shape)`` (the first at ``s``) as one curve in time since ``s``."""
    if len(phases) == 1:
        return phases[0][1]
    return Join(tuple(p for _, p in phases), tuple(a - s for a, _ in phases[1:]))


def _ramp(kind: str, hi: float, lo: float, i1: int, kd: int, span: float, offset: float, exact: bool) -> list:
    """``lo + c(r) (hi - lo)`` with ``r = (t - offset) / span`` on updates ``i1..kd``, ``lo`` after
    (``exact``: ``r = 1`` at ``kd``, where the curve's hold already gives ``lo``)."""
    steps = kd - i1
    if steps == 0:  # one update before the end: the formula's value there
        r = -offset / span
        c = {"linear": 1.0 - r, "cosine": 0.5 * (math.cos(math.pi * r) + 1.0), "sqrt": 1.0 - math.sqrt(r)}[kind]
        return [(i1, Constant(lo if exact else lo + c * (hi - lo))), (kd + 1, Constant(lo))][: 1 if exact else 2]
    if kind == "linear":
        curve: Shape = Linear(hi, lo, steps, span=span, offset=offset)
    elif kind == "cosine":
        curve = Cosine(hi, lo, steps, span=span, offset=offset)
    else:
        curve = SqrtCooldown(hi, lo, steps, span=span, offset=offset)
    out: list[tuple[int, Shape]] = [(i1, curve)]
    if not exact:
        out.append((kd + 1, Constant(lo)))
    return out


@dataclasses.dataclass(frozen=True)
class _Args:
    """The scheduler's validated arguments (``n = i * G`` at update ``i``)."""

    G: int
    W: float
    D: int
    style: str
    wsd: int
    wsd_style: str | None
    init: float
    Wi: int
    wd_style: str


def _lr_phases(a: _Args, hi: float, lo: float, s: int) -> list[tuple[int, Shape]]:
    """The lr for updates ``i >= s`` (all past the warmup, or at its inclusive end)."""
    G, W, D, style = a.G, a.W, a.D, a.style
    if style == "constant":
        return [(s, Constant(hi))]
    kd = _last_le(D, G)
    if kd < s:
        return [(s, Constant(lo))]
    exact = kd * G == D
    if style in ("linear", "cosine"):
        return _ramp(style, hi, lo, s, kd, (D - W) / G, W / G - s, exact)
    if style == "inverse-square-root":
        if hi < lo:  # max(min, lr) with lr <= max < min
            return [(s, Constant(lo))]
        wc = max(W, 1.0)
        if s == 0:  # n = 0 counts as 1
            return [(0, Constant(hi))] + (_lr_phases(a, hi, lo, 1) if kd >= 1 else [(1, Constant(lo))])
        out: list[tuple[int, Shape]] = [(s, InverseSqrt(hi * math.sqrt(wc) / math.sqrt(s * G), float(s)))]
        return [*out, (kd + 1, Constant(lo))]
    # WSD
    wsd = a.wsd
    anneal = D - wsd
    ka = _last_le(anneal, G)
    out = []
    if ka >= s:
        out.append((s, Constant(hi)))
    i1 = max(s, ka + 1)
    if i1 > kd:
        return [*out, (kd + 1, Constant(lo))]
    span, offset = wsd / G, anneal / G - i1
    if a.wsd_style != "exponential":
        kind = {"linear": "linear", "cosine": "cosine", "minus_sqrt": "sqrt"}[str(a.wsd_style)]
        return out + _ramp(kind, hi, lo, i1, kd, span, offset, exact)
    e = 2.0 * lo - hi
    q1 = (i1 * G - anneal) / wsd
    # the asymptote 2 min - max is negative when 2 min < max (min_lr = 0 included): the phase
    # ends at kd, where q <= 1 and the curve is >= min_lr, so it has a horizon there
    out.append((i1, Asymptotic(e + 2.0 * (hi - lo) * 0.5**q1, e, 0.5, span, horizon=kd - i1)))
    return [*out, (kd + 1, Constant(lo))]


def _lr_schedule(a: _Args, hi: float, lo: float) -> Schedule:
    floor = lo if (a.style == "inverse-square-root" and hi >= lo) else None
    if a.W == 0:
        return Schedule(_join(_lr_phases(a, hi, lo, 0), 0), floor=floor)
    kw = _last_le(a.W, a.G)
    if kw >= 1 and kw * a.G == a.W:
        # canonical: warmup over updates 0..kw-1, the main curve from kw (the warmup's
        # inclusive end, where megatron gives max_lr)
        if a.style == "WSD" and _last_le(a.D - a.wsd, a.G) < kw:  # the decay formula at n = W is below max_lr
            phases = [(kw, Constant(hi)), *_lr_phases(a, hi, lo, kw + 1)]
        else:
            phases = _lr_phases(a, hi, lo, kw)
        return Schedule(_join(phases, kw), warmup=Warmup(kw, a.init), floor=floor)
    # the warmup ends between updates: it runs over 0..kw over the main curve's placeholder
    main = _join([(0, Constant(hi)), *_lr_phases(a, hi, lo, kw + 1)], 0)
    return Schedule(main, warmup=Warmup(kw + 1, a.init, span=a.W / a.G, shift=False), floor=floor)


def _wd_schedule(a: _Args, start: float, end: float, mult: float) -> Schedule:
    if a.wd_style == "constant":
        if start != end:
            raise ValueError(
                f"{_W}: wd_incr_style='constant' needs start_wd == end_wd, got {start!r} and {end!r} "
                "(megatron-core asserts it)"
            )
        return Schedule(Constant(end), scale=mult)
    Wi, G = a.Wi, a.G
    if Wi == 0:
        raise ValueError(f"{_W}: wd_incr_steps=0 with wd_incr_style={a.wd_style!r} divides by zero at step 0")
    ki = _last_le(Wi, G)
    if ki == 0:
        return Schedule(Join((Constant(start), Constant(end)), (1,)), scale=mult)
    span = Wi / G
    curve: Shape = Linear(start, end, ki, span=span) if a.wd_style == "linear" else Cosine(start, end, ki, span=span)
    if ki * G != Wi:
        curve = Join((curve, Constant(end)), (ki + 1,))
    return Schedule(curve, scale=mult)


def OptimizerParamScheduler(
    init_lr: float,
    max_lr: float,
    min_lr: float,
    lr_warmup_steps: float,
    lr_decay_steps: int,
    lr_decay_style: str,
    start_wd: float,
    end_wd: float,
    wd_incr_steps: int,
    wd_incr_style: str,
    use_checkpoint_opt_param_scheduler: bool = True,
    override_opt_param_scheduler: bool = False,
    wsd_decay_steps: int | None = None,
    lr_wsd_decay_style: str | None = None,
    *,
    param_groups: Sequence[Mapping[str, float]] | None = None,
    increment: int = 1,
) -> ScheduleSet:
    """megatron-core's ``OptimizerParamScheduler`` without the optimizer.

    Parameters
    ----------
    init_lr, max_lr, min_lr, lr_warmup_steps, lr_decay_steps, lr_decay_style, start_wd, end_wd,
    wd_incr_steps, wd_incr_style, wsd_decay_steps, lr_wsd_decay_style
        As megatron-core takes them (see the module docstring; ``lr_warmup_steps`` may be
        fractional, as ``--lr-warmup-fraction`` makes it).
    use_checkpoint_opt_param_scheduler, override_opt_param_scheduler : bool
        Only matter when loading a checkpoint; checked as megatron-core checks them.
    param_groups : sequence of mappings, optional
        One mapping per param group with the keys of :data:`GROUP_KEYS` that the group overrides
        (``{"max_lr": 1e-4}``, ``{"wd_mult": 0.0}``); default one group with none.
    increment : int
        What the trainer passes to ``step`` per update (Megatron-LM: the global batch size,
        with every step count in samples).

    Returns
    -------
    ScheduleSet
        ``{"lr": [...], "weight_decay": [...]}``, one schedule per param group.

    Examples
    --------
    >>> import fastlr.presets.megatron as meg
    >>> s = meg.OptimizerParamScheduler(0.0, 1e-3, 1e-4, 2, 6, "linear", 0.01, 0.1, 6, "linear")
    >>> [round(float(v), 6) for v in s.table(8)["lr"][0]]
    [0.0, 0.0005, 0.001, 0.000775, 0.00055, 0.000325, 0.0001, 0.0001]
    """
    w = _W
    init = nonneg("init_lr", init_lr, w)
    hi = ck.real("max_lr", max_lr, w)
    lo = nonneg("min_lr", min_lr, w, "megatron-core asserts it")
    if not hi >= lo:
        raise ValueError(f"{w}: max_lr must be >= min_lr, got max_lr={max_lr!r}, min_lr={min_lr!r}")
    if not init <= hi:
        raise ValueError(f"{w}: init_lr must be <= max_lr, got init_lr={init_lr!r}, max_lr={max_lr!r}")
    W = nonneg("lr_warmup_steps", lr_warmup_steps, w)
    D = ck.integer("lr_decay_steps", lr_decay_steps, w, lo=1)
    if not W < D:
        raise ValueError(f"{w}: lr_warmup_steps must be < lr_decay_steps, got {lr_warmup_steps!r} >= {D}")
    style = ck.choice("lr_decay_style", lr_decay_style, DECAY_STYLES, w)
    wsd, wsd_style = 0, None
    if style == "WSD":
        if wsd_decay_steps is None:
            raise ValueError(f"{w}: lr_decay_style='WSD' needs wsd_decay_steps")
        wsd = ck.integer("wsd_decay_steps", wsd_decay_steps, w, lo=0)
        if wsd > 0:
            if lr_wsd_decay_style is None:
                raise ValueError(f"{w}: a WSD decay (wsd_decay_steps={wsd}) needs lr_wsd_decay_style")
            wsd_style = ck.choice("lr_wsd_decay_style", lr_wsd_decay_style, WSD_DECAY_STYLES, w)
    s_wd = nonneg("start_wd", start_wd, w, "megatron-core asserts it")
    e_wd = ck.real("end_wd", end_wd, w)
    if not e_wd >= s_wd:
        raise ValueError(f"{w}: end_wd must be >= start_wd, got end_wd={end_wd!r}, start_wd={start_wd!r}")
    Wi = ck.integer("wd_incr_steps", wd_incr_steps, w, lo=0)
    wd_style = ck.choice("wd_incr_style", wd_incr_style, WD_INCR_STYLES, w)
    if ck.flag("override_opt_param_scheduler", override_opt_param_scheduler, w) and ck.flag(
        "use_checkpoint_opt_param_scheduler", use_checkpoint_opt_param_scheduler, w
    ):
        raise ValueError(f"{w}: both override_opt_param_scheduler and use_checkpoint_opt_param_scheduler are set")
    G = ck.integer("increment", increment, w, lo=1)
    groups = [{}] if param_groups is None else list(param_groups)
    if not groups:
        raise ValueError(f"{w}: param_groups must not be empty")
    a = _Args(G=G, W=W, D=D, style=style, wsd=wsd, wsd_style=wsd_style, init=init, Wi=Wi, wd_style=wd_style)
    lrs, wds = [], []
    for g, over in enumerate(groups):
        where = f"{w}: param_groups[{g}]"
        if not isinstance(over, Mapping):
            raise TypeError(f"{where} must be a mapping of {', '.join(GROUP_KEYS)}, got {over!r}")
        unknown = sorted(set(over) - set(GROUP_KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown keys {unknown}; the scheduler reads {', '.join(GROUP_KEYS)}")
        g_hi = nonneg("max_lr", over.get("max_lr", hi), where)
        g_lo = nonneg("min_lr", over.get("min_lr", lo), where)
        lrs.append(_lr_schedule(a, g_hi, g_lo))
        wds.append(
            _wd_schedule(
                a,
                nonneg("start_wd", over.get("start_wd", s_wd), where),
                nonneg("end_wd", over.get("end_wd", e_wd), where),
                nonneg("wd_mult", over.get("wd_mult", 1.0), where),
            )
        )
    return ScheduleSet({"lr": lrs, "weight_decay": wds})
