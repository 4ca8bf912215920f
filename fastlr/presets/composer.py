"""MosaicML Composer dialect: ``composer.optim.scheduler`` schedulers as the Trainer steps them.

Matched against mosaicml 0.32.1 (``composer/optim/scheduler.py``, ``composer/core/time.py``,
``composer/trainer/trainer.py``). A Composer scheduler is a function ``f(state, ssr)`` of the
training timestamp returning a multiplier of the optimizer's lr; the Trainer wraps it in a
``LambdaLR`` whose lambda ignores its argument and reads ``state.timestamp``. Here each scheduler
takes its own keyword arguments plus ``base_lr=`` (the optimizer's lr), ``max_duration=`` (the
Trainer's, a time string or an int of epochs), ``dataloader_len=`` (batches per epoch; needed
for ``"ep"`` times), ``scale_schedule_ratio=`` and ``step_schedulers_every_batch=`` (the
Trainer's arguments, default 1.0 and True as for Composer schedulers), and returns a
:class:`fastlr.Schedule` whose ``table(T)[i]`` is the lr the optimizer uses for batch ``i``.

Time strings: ``"<value><unit>"`` with unit ``ba`` (batches), ``ep`` (epochs, ``x dataloader_len``
batches) or ``dur`` (a fraction of ``max_duration``); everything is converted to batches the way
``_convert_time`` does (``int()`` truncation included).

Quirks reproduced
-----------------
- The Trainer steps the schedulers *before* it advances the batch counter: after batch ``i`` the
  lambda sees ``timestamp.batch == i``, so batch ``i >= 1`` uses ``f(i - 1)`` and batch 0 uses
  the value the ``LambdaLR`` constructor computed, ``f(0)``: the first value is used twice (a
  one-step prefix in the returned schedule).
- ``step_schedulers_every_batch=False``: the lambda runs at the end of each epoch (again before
  the epoch counter moves), so epoch ``e`` uses ``f(e * dataloader_len)``.
- The constructor's ``f(0)`` is computed before the Trainer rescales ``max_duration`` by
  ``scale_schedule_ratio`` (``"dur"`` times and the ``t_max >= max_duration`` check use the
  unscaled duration there; later steps the scaled one, ``int(max_duration * ssr)``).
- ``scale_schedule_ratio`` scales ``"ba"``/``"ep"`` times (``int(batches * ssr)``) but not
  ``"dur"`` ones, and never ``t_warmup`` (unless ``scale_warmup=True``, which scales only the
  warmup ramp: the warmup still lasts the unscaled ``t_warmup``, holding its end value, or is
  cut short before reaching it when ``ssr > 1``).
- Warmups rise linearly from 0 to ``alpha`` over ``t_warmup`` (0 at batch 0 and 1); the decay's
  progress is ``(t - t_warmup) / (t_max - t_warmup)`` (0 when ``t_max <= t_warmup``), clamped
  at 1: the warmup schedulers hold their final value after ``t_max``.
- ``CosineAnnealingScheduler``/``LinearScheduler``/``PolynomialScheduler`` hold ``alpha_f`` after
  ``t_max``; ``ExponentialScheduler`` decays continuously (``gamma ** (t / decay_period)``);
  ``StepScheduler`` as a staircase; ``MultiStepScheduler`` counts the milestones reached (in any
  order); ``ConstantScheduler`` is ``alpha`` before ``t_max`` and 1 after.
- ``CosineAnnealingWarmRestartsScheduler`` truncates each interval, ``int(t_mult * len)``: a
  non-integer ``t_mult`` gives explicit cycles (up to :data:`RESTART_HORIZON` batches, then
  ``alpha_f``), or equal intervals where the truncation never lets them grow.
- ``MultiStepWithWarmupScheduler`` counts its milestones from batch 0, not from the end of the
  warmup, and ignores them during the warmup.
- The warmup schedulers raise (as Composer does) when ``t_max`` is shorter than
  ``max_duration``; with ``scale_schedule_ratio < 1`` a ``t_max`` in batches equal to
  ``max_duration`` is scaled below the unscaled duration that the constructor's check sees and
  raises too.

Refused (``ValueError``)
------------------------
- ``"sp"`` and ``"tok"`` times (they need the samples or tokens per batch, which a table indexed
  by batch does not know), ``"sec"`` and wall-clock strings (not a function of the step),
  ``"iter"``; ``"ep"`` without ``dataloader_len``.
- A ``t_max``, ``decay_period``, ``step_size`` or ``t_0`` that converts to 0 batches (Composer
  divides by zero), and the warmup ramp converted to 0 batches with ``scale_warmup=True``.
- ``CosineAnnealingWarmRestartsScheduler`` with ``t_mult < 1`` (the intervals shrink to 0 and
  Composer raises) or ``alpha_f > 1``; with ``step_schedulers_every_batch=False``, intervals that
  are not whole epochs.
- Negative multipliers and ``power < 0`` (0 ** negative at ``t_max``).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
from collections.abc import Callable
from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import GROWTH_CAP, nonneg, staircase
from fastlr.schedule import Restarts, Schedule, Warmup
from fastlr.shapes import Constant, Cosine, Exponential, Join, Linear, Polynomial, Shape

__all__ = [
    "RESTART_HORIZON",
    "SCHEDULERS",
    "ConstantScheduler",
    "ConstantWithWarmupScheduler",
    "CosineAnnealingScheduler",
    "CosineAnnealingWarmRestartsScheduler",
    "CosineAnnealingWithWarmupScheduler",
    "ExponentialScheduler",
    "LinearScheduler",
    "LinearWithWarmupScheduler",
    "MultiStepScheduler",
    "MultiStepWithWarmupScheduler",
    "PolynomialScheduler",
    "PolynomialWithWarmupScheduler",
    "StepScheduler",
]

PEER = "mosaicml (Composer)"
PEER_VERSION = "0.32.1"

_TIME = re.compile(r"^(.+?)(iter|ep|ba|sp|tok|dur|sec)$", re.IGNORECASE)
_WALL = re.compile(r"^(\d+h)?(\d+m)?(\d+s)?$")


def _parse(name: str, value: Any, where: str) -> tuple[float, str]:
    """A Composer time string as ``(value, unit)``; the units fastlr cannot convert are refused."""
    if not isinstance(value, str):
        raise TypeError(f"{where}: {name} must be a time string such as '100ba', '2ep' or '0.1dur', got {value!r}")
    s = value.strip()
    if s and _WALL.match(s) and any(_WALL.match(s).groups()):  # type: ignore[union-attr]
        raise ValueError(f"{where}: {name}={value!r} is wall-clock time, not a function of the step")
    m = _TIME.match(s)
    if m is None:
        raise ValueError(f"{where}: {name}={value!r} is not a Composer time string (e.g. '100ba', '2ep', '0.1dur')")
    try:
        v = float(m.group(1))
    except ValueError:
        raise ValueError(f"{where}: {name}={value!r} has no number before its unit") from None
    unit = m.group(2).lower()
    if unit in ("sp", "tok"):
        kind = "samples" if unit == "sp" else "tokens"
        raise ValueError(
            f"{where}: {name}={value!r} is in {kind}; a table indexed by batch cannot convert it "
            f"(it needs the {kind} per batch): give it in 'ba', 'ep' or 'dur'"
        )
    if unit in ("sec", "iter"):
        raise ValueError(f"{where}: {name}={value!r}: unit {unit!r} is not supported; use 'ba', 'ep' or 'dur'")
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{where}: {name}={value!r} must be a finite time >= 0")
    if unit != "dur" and not v.is_integer():
        raise TypeError(f"{where}: {name}={value!r}: units {unit!r} require integer values")
    return v, unit


@dataclasses.dataclass(frozen=True)
class _State:
    """What the scheduler functions read: the dataloader length and max_duration in batches."""

    where: str
    L: int | None
    max_value: int  # max_duration in its own unit (ba or ep)
    max_unit: str
    ssr: float

    @property
    def max_batches(self) -> int:
        return self.max_value if self.max_unit == "ba" else self.max_value * self._need_L("max_duration")

    def _need_L(self, name: str) -> int:
        if self.L is None:
            raise ValueError(f"{self.where}: {name} in epochs needs dataloader_len= (batches per epoch)")
        return self.L

    def batches(self, name: str, time: Any, ssr: float = 1.0) -> int:
        """``_convert_time(time, state, ssr)`` in batches."""
        v, unit = _parse(name, time, self.where)
        if unit == "dur":
            if self.max_unit == "ep":
                return int(v * self._need_L("max_duration") * self.max_value)
            return int(v * self.max_value)
        n = int(v)
        if unit == "ep":
            n *= self._need_L(name)
        return int(n * ssr)


# pieces of f(x), x in batches: (x_start, kind, params); each holds until the next piece
Piece = tuple[int, str, tuple[float, ...]]


def _value(pieces: list[Piece], x: int) -> float:
    """f(x) from the pieces (Composer's closed forms)."""
    xa, kind, p = next(pc for pc in reversed(pieces) if pc[0] <= x)
    if kind == "const":
        return p[0]
    if kind == "exp":
        return min(p[0] ** (x / p[1]), GROWTH_CAP)
    if kind == "step":
        return min(p[0] ** int(x / p[1]), GROWTH_CAP)
    if kind == "restarts":
        t0, mult, af = p
        length, end = t0, t0
        while end <= x:
            length = int(mult * length)
            end += length
        return af + (1.0 - af) * (1 + math.cos(math.pi * (x - (end - length)) / length)) / 2
    a, b, n = p[0], p[1], p[2]
    frac = min(1.0, (x - xa) / n)
    if kind == "lin":
        return a + frac * (b - a)
    if kind == "cos":
        return b + (a - b) * (1 + math.cos(frac * math.pi)) / 2
    return b + (a - b) * (1 - frac) ** p[3]  # poly


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _assemble(pieces: list[Piece], u: int, t0: int) -> Shape:
    """The curve ``g(t) = f(u (t + t0))`` (``u`` batches per curve step) as one shape."""
    kind0 = pieces[0][1]
    if kind0 in ("exp", "step"):
        gamma, period = pieces[0][2]
        per = period / u
        if kind0 == "step":
            return staircase(1.0, gamma, per)
        if gamma == 1.0:
            return Constant(1.0)
        return Exponential(1.0, gamma, per, end=GROWTH_CAP if gamma > 1.0 else None)
    starts = [max(0, _ceil_div(xa - u * t0, u)) for xa, _, _ in pieces]
    phases: list[tuple[int, Shape]] = []
    for k, ((xa, kind, p), ta) in enumerate(zip(pieces, starts)):
        nxt = min(starts[k + 1 :], default=None)
        if nxt is not None and nxt <= ta:
            continue  # empty in curve time
        length = None if nxt is None else nxt - ta
        if kind == "const" or length == 1:
            shape: Shape = Constant(p[0] if kind == "const" else _value(pieces, u * (ta + t0)))
        else:
            a, b, n = p[0], p[1], int(p[2])
            span = n / u
            off = -(ta + t0 - xa / u)
            reach = (xa + n - u * (ta + t0)) // u  # last local step with progress <= 1
            steps = max(1, reach if length is None else min(length, reach))
            if kind == "lin":
                shape = Linear(a, b, steps, span=span, offset=off)
            elif kind == "cos":
                shape = Cosine(a, b, steps, span=span, offset=off)
            else:
                shape = Constant(a) if p[3] == 0.0 else Polynomial(a, b, steps, power=p[3], span=span, offset=off)
        if phases and isinstance(shape, Constant) and isinstance(phases[-1][1], Constant):
            if shape.value == phases[-1][1].value:
                continue
        phases.append((ta, shape))
    if len(phases) == 1:
        return phases[0][1]
    return Join(tuple(s for _, s in phases), tuple(t for t, _ in phases[1:]))


# ---- scheduler functions of a state ------------------------------------------------------------


def _nonneg_alpha(name: str, value: Any, where: str) -> float:
    return nonneg(name, value, where, "a multiplier of the lr")


def _positive(name: str, n: int, where: str, time: Any) -> int:
    if n <= 0:
        raise ValueError(f"{where}: {name}={time!r} converts to {n} batches; Composer divides by it")
    return n


def _decay_pieces(kind: str, params: tuple[float, ...], tw: int, tmax: int) -> list[Piece]:
    """The decay after a warmup ``tw``: progress ``(x - tw)/(tmax - tw)`` clamped at 1, or 0 when
    ``tmax <= tw``."""
    a, b = params[0], params[1]
    if tmax <= tw:
        return [(tw, "const", (a,))]
    end = b if kind != "poly" or params[2] != 0.0 else a
    return [(tw, kind, (a, b, float(tmax - tw), *params[2:])), (tmax, "const", (end,))]


def _warmup_pieces(st: _State, t_warmup: Any, alpha: float, scale_warmup: bool) -> tuple[int, list[Piece]]:
    """Composer's ``LinearScheduler(0, alpha, t_warmup)`` while ``timestamp < t_warmup``."""
    tw = st.batches("t_warmup", t_warmup)
    if tw == 0:
        return 0, []
    ramp = st.batches("t_warmup", t_warmup, st.ssr) if scale_warmup else tw
    if ramp == 0:
        raise ValueError(
            f"{st.where}: t_warmup={t_warmup!r} scaled by scale_schedule_ratio={st.ssr!r} is 0 batches "
            "(scale_warmup=True); Composer divides by it"
        )
    out: list[Piece] = [(0, "lin", (0.0, alpha, float(ramp)))]
    if ramp < tw:
        out.append((ramp, "const", (alpha,)))
    return tw, out


def _check_t_max(st: _State, tmax: int, t_max: Any) -> None:
    """``_raise_if_max_duration_exceeds_t_max`` (t_max converted, in batches)."""
    if tmax < st.max_batches:
        raise ValueError(
            f"{st.where}: t_max {t_max!r} ({tmax} batches) must be greater than or equal to max_duration "
            f"({st.max_batches} batches); Composer raises: the LR schedule would not be defined for the whole run"
        )


@dataclasses.dataclass(frozen=True)
class _Sched:
    where: str
    fn: Any  # (state) -> pieces
    restarts: tuple[Any, float, float] | None = None  # (t_0, t_mult, alpha_f)


# ---- the driver --------------------------------------------------------------------------------


def _build(
    sched: _Sched,
    base_lr: Any,
    max_duration: Any,
    dataloader_len: Any,
    scale_schedule_ratio: Any,
    step_schedulers_every_batch: Any,
) -> Schedule:
    w = sched.where
    B = nonneg("base_lr", base_lr, w)
    L = None if dataloader_len is None else ck.integer("dataloader_len", dataloader_len, w, lo=1)
    ssr = ck.real("scale_schedule_ratio", scale_schedule_ratio, w, lo=0.0, lo_open=True)
    every_batch = ck.flag("step_schedulers_every_batch", step_schedulers_every_batch, w)
    if isinstance(max_duration, bool):
        raise TypeError(f"{w}: max_duration must be a time string or an int of epochs, got {max_duration!r}")
    if isinstance(max_duration, int):
        max_duration = f"{max_duration}ep"  # the Trainer reads an int as epochs
    mv, mu = _parse("max_duration", max_duration, w)
    if mu == "dur":
        raise ValueError(f"{w}: max_duration={max_duration!r} must be in 'ba' or 'ep', not a fraction of itself")
    if mv == 0:
        raise ValueError(f"{w}: max_duration={max_duration!r} must be > 0")
    if mu == "ep" and L is None:
        raise ValueError(f"{w}: max_duration={max_duration!r} is in epochs and needs dataloader_len=")
    if not every_batch and L is None:
        raise ValueError(f"{w}: step_schedulers_every_batch=False steps per epoch and needs dataloader_len=")
    scaled = int(int(mv) * ssr)
    if scaled == 0:
        raise ValueError(
            f"{w}: scale_schedule_ratio={ssr!r} reduces max_duration={max_duration!r} to 0; Composer raises"
        )
    init = _State(w, L, int(mv), mu, ssr)  # the LambdaLR constructor runs before the rescale
    run = dataclasses.replace(init, max_value=scaled)
    if sched.restarts is not None:
        return _restarts(sched, init, run, B, every_batch)
    f0 = _value(sched.fn(init), 0)
    pieces = sched.fn(run)
    if every_batch:
        curve = _assemble(pieces, 1, 0)
        return Schedule(curve, warmup=Warmup(1, start=B * f0), scale=B)
    assert L is not None
    curve = _assemble(pieces, L, 0)
    if f0 == _value(pieces, 0):
        return Schedule(curve, scale=B, steps_per_epoch=L)
    return Schedule(curve, warmup=Warmup(L, start=B * f0, shape="constant", shift=False), scale=B, steps_per_epoch=L)


#: Explicit restart cycles (non-integer ``t_mult``) are built up to this many batches.
RESTART_HORIZON = 2**40


def _restarts(sched: _Sched, init: _State, run: _State, B: float, every_batch: bool) -> Schedule:
    """SGDR: whole-number ``t_mult`` (or intervals that never grow) through :class:`fastlr.Restarts`;
    otherwise Composer's truncated intervals ``int(t_mult * len)`` as explicit cycles, up to
    :data:`RESTART_HORIZON` batches (held at ``alpha_f`` after)."""
    w = sched.where
    assert sched.restarts is not None
    t_0, mult, af = sched.restarts
    for st in (init, run):
        _positive("t_0", st.batches("t_0", t_0, st.ssr), w, t_0)
    n = run.batches("t_0", t_0, run.ssr)
    u = 1 if every_batch else run.L
    assert u is not None
    periodic = mult.is_integer() or int(mult * n) == n
    lengths, total = [n], n
    while not periodic and total < RESTART_HORIZON:
        lengths.append(int(mult * lengths[-1]))
        total += lengths[-1]
    if any(x % u for x in lengths):
        raise ValueError(
            f"{w}: t_0={t_0!r} gives restart intervals ({', '.join(map(str, lengths[:4]))}, ... batches) that are not "
            f"whole epochs of {u} batches; with step_schedulers_every_batch=False fastlr cannot express the restarts"
        )
    rs: Restarts | None = None
    if periodic:
        curve: Shape = Cosine(1.0, af, n // u)
        rs = Restarts(mult=mult if mult.is_integer() else 1.0)
    else:
        starts = [sum(lengths[:i]) // u for i in range(1, len(lengths))]
        curve = Join(tuple(Cosine(1.0, af, x // u) for x in lengths), tuple(starts))
    if every_batch:
        return Schedule(curve, warmup=Warmup(1, start=B), restarts=rs, scale=B)
    return Schedule(curve, restarts=rs, scale=B, steps_per_epoch=u)


# ---- the schedulers: each its own parameters, then the Trainer's --------------------------------

#: The Trainer's arguments, keyword-only after each scheduler's own (Composer's defaults).
_TRAINER = tuple(
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
    for name, default, annotation in (
        ("base_lr", inspect.Parameter.empty, "float"),
        ("max_duration", inspect.Parameter.empty, "Any"),
        ("dataloader_len", None, "int | None"),
        ("scale_schedule_ratio", 1.0, "float"),
        ("step_schedulers_every_batch", True, "bool"),
    )
)


def _scheduler(body: Callable[..., Any]) -> Callable[..., Schedule]:
    """A Composer scheduler from ``body(where, *own parameters)``, which checks its parameters and
    returns the scheduler function ``fn(state) -> pieces`` (or a ``_Sched`` with restarts).

    The public function takes the body's parameters (without ``where``) and then the Trainer's
    (:data:`_TRAINER`), keeps the body's name and docstring, and shows that signature."""
    where = f"composer.{body.__name__}"
    own = list(inspect.signature(body).parameters.values())[1:]
    signature = inspect.Signature([*own, *_TRAINER], return_annotation="Schedule")

    def scheduler(*args: Any, **kwargs: Any) -> Schedule:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{where}: {exc}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        trainer = {p.name: values.pop(p.name) for p in _TRAINER}
        made = body(where, **values)
        sched = made if isinstance(made, _Sched) else _Sched(where, made)
        return _build(sched, **trainer)

    scheduler.__name__ = scheduler.__qualname__ = body.__name__
    scheduler.__doc__ = body.__doc__
    scheduler.__signature__ = signature  # type: ignore[attr-defined]
    return scheduler


@_scheduler
def StepScheduler(where: str, step_size: Any, gamma: float = 0.1) -> Any:
    """``f(t) = gamma ** floor(t / step_size)``."""
    g = nonneg("gamma", gamma, where)

    def fn(st: _State) -> list[Piece]:
        n = _positive("step_size", st.batches("step_size", step_size, st.ssr), where, step_size)
        return [(0, "step", (g, float(n)))]

    return fn


@_scheduler
def MultiStepScheduler(where: str, milestones: Any, gamma: float = 0.1) -> Any:
    """``f(t) = gamma ** (number of milestones <= t)``."""
    g = nonneg("gamma", gamma, where)
    ms = _time_list("milestones", milestones, where)

    def fn(st: _State) -> list[Piece]:
        return _multistep(st, ms, g, 0)

    return fn


def _time_list(name: str, values: Any, where: str) -> list[Any]:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise TypeError(f"{where}: {name} must be a list of time strings, got {values!r}")
    return list(values)


def _multistep(st: _State, ms: list[Any], g: float, frm: int) -> list[Piece]:
    xs = sorted(st.batches(f"milestones[{i}]", m, st.ssr) for i, m in enumerate(ms))
    out: list[Piece] = [(frm, "const", (g ** sum(1 for x in xs if x <= frm),))]
    for x in sorted(set(xs)):
        if x > frm:
            out.append((x, "const", (g ** sum(1 for y in xs if y <= x),)))
    return out


@_scheduler
def ConstantScheduler(where: str, alpha: float = 1.0, t_max: Any = "1dur") -> Any:
    """``f(t) = alpha`` for ``t < t_max``, 1 after."""
    a = _nonneg_alpha("alpha", alpha, where)

    def fn(st: _State) -> list[Piece]:
        tm = st.batches("t_max", t_max, st.ssr)
        return [(0, "const", (a,)), (tm, "const", (1.0,))] if tm > 0 else [(0, "const", (1.0,))]

    return fn


def _decay(where: str, t_max: Any, kind: str, params: tuple[float, ...], end: float) -> Any:
    """A decay from ``x = 0`` over ``t_max``, holding ``end`` after (the schedulers without warmup)."""

    def fn(st: _State) -> list[Piece]:
        tm = _positive("t_max", st.batches("t_max", t_max, st.ssr), where, t_max)
        return [(0, kind, (params[0], params[1], float(tm), *params[2:])), (tm, "const", (end,))]

    return fn


@_scheduler
def LinearScheduler(where: str, alpha_i: float = 1.0, alpha_f: float = 0.0, t_max: Any = "1dur") -> Any:
    """``f(t) = alpha_i + min(1, t / t_max) (alpha_f - alpha_i)``."""
    ai, af = _nonneg_alpha("alpha_i", alpha_i, where), _nonneg_alpha("alpha_f", alpha_f, where)
    return _decay(where, t_max, "lin", (ai, af), af)


@_scheduler
def ExponentialScheduler(where: str, gamma: float, decay_period: Any = "1ep") -> Any:
    """``f(t) = gamma ** (t / decay_period)`` (continuous; capped at 1e18 when ``gamma > 1``)."""
    g = ck.real("gamma", gamma, where, lo=0.0, lo_open=True)

    def fn(st: _State) -> list[Piece]:
        p = _positive("decay_period", st.batches("decay_period", decay_period, st.ssr), where, decay_period)
        return [(0, "exp", (g, float(p)))]

    return fn


@_scheduler
def CosineAnnealingScheduler(where: str, t_max: Any = "1dur", alpha_f: float = 0.0) -> Any:
    """``f(t) = alpha_f + (1 - alpha_f)(1 + cos(pi x))/2``, ``x = min(1, t / t_max)``."""
    af = _nonneg_alpha("alpha_f", alpha_f, where)
    return _decay(where, t_max, "cos", (1.0, af), af)


@_scheduler
def CosineAnnealingWarmRestartsScheduler(where: str, t_0: Any, t_mult: float = 1.0, alpha_f: float = 0.0) -> Any:
    """Cosine from 1 to ``alpha_f`` over intervals ``t_0``, ``int(t_mult t_0)``, ... restarting
    at 1 (SGDR)."""
    af = _nonneg_alpha("alpha_f", alpha_f, where)
    m = ck.real("t_mult", t_mult, where)
    if m < 1.0:
        raise ValueError(
            f"{where}: t_mult={t_mult!r} < 1 shrinks the intervals (int(t_mult * len)) to 0 batches, where "
            "Composer raises"
        )
    if af > 1.0:
        raise ValueError(
            f"{where}: alpha_f={alpha_f!r} > 1 makes each cycle rise; fastlr restarts decaying curves only"
        )
    return _Sched(where, None, (t_0, m, af))


@_scheduler
def PolynomialScheduler(where: str, power: float, t_max: Any = "1dur", alpha_f: float = 0.0) -> Any:
    """``f(t) = alpha_f + (1 - x)^power (1 - alpha_f)``, ``x = min(1, t / t_max)``."""
    p = nonneg("power", power, where, "0 ** power at t_max")
    af = _nonneg_alpha("alpha_f", alpha_f, where)
    return _decay(where, t_max, "poly", (1.0, af, p), af if p != 0.0 else 1.0)


@_scheduler
def MultiStepWithWarmupScheduler(
    where: str, t_warmup: Any, milestones: Any, gamma: float = 0.1, scale_warmup: bool = False
) -> Any:
    """Linear warmup 0 -> 1 over ``t_warmup``, then ``gamma ** (number of milestones <= t)``."""
    g = nonneg("gamma", gamma, where)
    ms = _time_list("milestones", milestones, where)
    sw = ck.flag("scale_warmup", scale_warmup, where)

    def fn(st: _State) -> list[Piece]:
        tw, warm = _warmup_pieces(st, t_warmup, 1.0, sw)
        return warm + _multistep(st, ms, g, tw)

    return fn


def _with_warmup(
    where: str, kind: str, params: tuple[float, ...], alpha: float, t_warmup: Any, t_max: Any, scale_warmup: Any
) -> Any:
    """A linear warmup 0 -> ``alpha`` over ``t_warmup``, then a decay to ``t_max``."""
    sw = ck.flag("scale_warmup", scale_warmup, where)

    def fn(st: _State) -> list[Piece]:
        tw, warm = _warmup_pieces(st, t_warmup, alpha, sw)
        tm = st.batches("t_max", t_max, st.ssr)
        _check_t_max(st, tm, t_max)
        return warm + _decay_pieces(kind, params, tw, tm)

    return fn


@_scheduler
def ConstantWithWarmupScheduler(
    where: str, t_warmup: Any, alpha: float = 1.0, t_max: Any = "1dur", scale_warmup: bool = False
) -> Any:
    """Linear warmup 0 -> ``alpha`` over ``t_warmup``, then ``alpha``."""
    a = _nonneg_alpha("alpha", alpha, where)
    return _with_warmup(where, "lin", (a, a), a, t_warmup, t_max, scale_warmup)


@_scheduler
def LinearWithWarmupScheduler(
    where: str,
    t_warmup: Any,
    alpha_i: float = 1.0,
    alpha_f: float = 0.0,
    t_max: Any = "1dur",
    scale_warmup: bool = False,
) -> Any:
    """Linear warmup 0 -> ``alpha_i`` over ``t_warmup``, then ``alpha_i + x (alpha_f - alpha_i)``,
    ``x = min(1, (t - t_warmup)/(t_max - t_warmup))``."""
    ai, af = _nonneg_alpha("alpha_i", alpha_i, where), _nonneg_alpha("alpha_f", alpha_f, where)
    return _with_warmup(where, "lin", (ai, af), ai, t_warmup, t_max, scale_warmup)


@_scheduler
def CosineAnnealingWithWarmupScheduler(
    where: str, t_warmup: Any, t_max: Any = "1dur", alpha_f: float = 0.0, scale_warmup: bool = False
) -> Any:
    """Linear warmup 0 -> 1 over ``t_warmup``, then ``alpha_f + (1 - alpha_f)(1 + cos(pi x))/2``,
    ``x = min(1, (t - t_warmup)/(t_max - t_warmup))``.

    Examples
    --------
    >>> import fastlr.presets.composer as cp
    >>> s = cp.CosineAnnealingWithWarmupScheduler("2ba", base_lr=1.0, max_duration="6ba")
    >>> s.table(6).round(4).tolist()   # batch 0 and 1 share f(0): the Trainer steps before counting
    [0.0, 0.0, 0.5, 1.0, 0.8536, 0.5]
    """
    af = _nonneg_alpha("alpha_f", alpha_f, where)
    return _with_warmup(where, "cos", (1.0, af), 1.0, t_warmup, t_max, scale_warmup)


@_scheduler
def PolynomialWithWarmupScheduler(
    where: str,
    t_warmup: Any,
    power: float = 2.0,
    t_max: Any = "1dur",
    alpha_f: float = 0.0,
    scale_warmup: bool = False,
) -> Any:
    """Linear warmup 0 -> 1 over ``t_warmup``, then ``alpha_f + (1 - x)^power (1 - alpha_f)``,
    ``x = min(1, (t - t_warmup)/(t_max - t_warmup))``."""
    p = nonneg("power", power, where, "0 ** power at t_max")
    af = _nonneg_alpha("alpha_f", alpha_f, where)
    return _with_warmup(where, "poly", (1.0, af, p), 1.0, t_warmup, t_max, scale_warmup)


#: Composer's scheduler class names, each a function here.
SCHEDULERS = tuple(n for n in __all__ if n.endswith("Scheduler"))
