"""Schedules: a main curve with warmup, restarts, scale, floor and epoch granularity; sets of them.

The value of a :class:`Schedule` for optimizer step ``t`` is a closed form of ``(schedule, t)``:

1. main time ``tm = (t - shift) // steps_per_epoch`` (``shift`` is the warmup length for a
   shifted prefix warmup, else 0);
2. the curve at ``tm``; with :class:`Restarts`, at the time inside the current cycle, with the
   cycle's amplitude;
3. ``main(t) = max(scale * curve, floor)``;
4. during warmup (``t < warmup.steps``), with ``w`` the warmup's unit curve (0 -> 1):

   - ``prefix``: ``start + (main(target) - start) w``, the main curve waiting (or, with
     ``shift=False``, running underneath);
   - ``overlay``: ``main(t) (start + (1 - start) w)``, a factor multiplying the main curve;
   - ``blend``: ``start + (main(t) - start) w``, interpolating toward the current main value.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import weakref
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fastlr import _checks as ck
from fastlr._spec import Plottable, Schedulable, Spec
from fastlr.lowering import rows
from fastlr.lowering.segments import Seg, Segs, first_only

if TYPE_CHECKING:
    from numpy.typing import DTypeLike, NDArray

    from fastlr.lowering.program import Program

__all__ = ["Restarts", "Schedule", "ScheduleSet", "Shape", "Warmup"]

WARMUP_SHAPES, WARMUP_MODES = rows.WARMUP_SHAPES, rows.WARMUP_MODES


class Shape(Schedulable):
    """A curve in local time. Lowered to segments; used directly as a schedule.

    A shape is declared once, by its class: its parameters (the dataclass fields, validated in
    ``__post_init__``), its closed form (the docstring) and its lowering. Shapes of a fixed number
    of segments define ``lower_columns(**fields)``, which lowers whole columns of parameter values
    through :mod:`fastlr.lowering.segments`: the object lowers through it with one-row columns
    and a sweep of flat configs with N-row columns. Others define ``_segs()`` directly.

    Examples
    --------
    A shape is a schedule of its own (``at``, ``table``, ``to_dict``):

    >>> import fastlr
    >>> c = fastlr.Cosine(1.0, 0.0, 4)
    >>> c.at(2), c.start_value(), c.table(5).round(6).tolist()
    (0.5, 1.0, [1.0, 0.853553, 0.5, 0.146447, 0.0])
    """

    def _segs(self) -> Segs:
        """This shape's segments: its ``lower_columns`` with its fields as one-row columns."""
        lower = getattr(self, "lower_columns", None)
        if lower is None:
            raise NotImplementedError(f"{type(self).__name__} defines neither _segs nor lower_columns")
        return lower(**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)})  # type: ignore[arg-type]

    def _segments_array(self) -> Segs:
        """The lowered segments (cached per distinct shape, read-only)."""
        return _shape_segs(self)

    def _segments(self) -> list[Seg]:
        """The lowered segments, as a list."""
        return _shape_segs(self).row(0)

    #: Whether :class:`Restarts` may repeat this curve (a single decaying segment with a horizon).
    restartable = False

    def _user_shapes(self) -> list[Any]:
        """The users' functions (:class:`fastlr.Formula`) in this curve, in slot order (see
        ``lowering.segments.user_slots``): none for a built-in shape."""
        return []

    def _restart_fields(self) -> tuple[int, float]:
        """``(period, peak)`` when :class:`Restarts` repeat this curve: its ``steps`` and ``start``."""
        return int(getattr(self, "steps")), float(getattr(self, "start"))  # noqa: B009 - restartable shapes

    def _schedule(self) -> Any:
        return Schedule(self)

    def start_value(self) -> float:
        """The value at local step 0."""
        s = self._segments()[0]
        return s.value(-s.off)


@dataclasses.dataclass(frozen=True)
class Warmup(Spec):
    """A warmup over the first ``steps`` optimizer steps.

    Parameters
    ----------
    steps : int
        Number of steps in warmup (``t < steps``), >= 1.
    start : float
        Starting value: absolute for ``prefix`` and ``blend``; a factor of the main curve for
        ``overlay``.
    shape : {"linear", "constant", "exponential", "power", "cosine", "sqrt", "radam"}
        The unit curve ``w(p)``, ``p = (t - offset)/span``: ``p``; 0; ``1 - exp(-p)``; ``p^power``;
        ``(1 - cos(pi p))/2``; ``1 - sqrt(1 - p)``; for ``"radam"`` RAdam's rectification factor
        at ``x = t - offset`` steps (Liu et al. 2020; ``beta2`` required, ``span`` unused).
    mode : {"prefix", "overlay", "blend"}
        How warmup and main curve combine (see the module docstring).
    power : float
        Exponent of the ``power`` shape (2 gives YOLOX's quadratic warmup).
    span, offset : float
        Progress denominator (default ``steps``) and origin (default 0).
    beta2 : float, optional
        Adam's beta2 for ``shape="radam"`` (0.6 < beta2 < 1).
    shift : bool
        ``prefix`` only: the main curve starts after the warmup (True) or runs from step 0
        underneath it (False, timm's ``warmup_prefix=False``).
    target : {"start", "end"}
        ``prefix`` only: warm toward the main curve's value where it starts, or its value at
        step ``steps`` (differs only with ``shift=False``).

    Examples
    --------
    A prefix (the main curve starts after the warmup) and an overlay (a factor on the main curve,
    which runs from step 0):

    >>> import fastlr
    >>> line = fastlr.Linear(1.0, 0.0, 4)
    >>> fastlr.Schedule(line, warmup=fastlr.Warmup(2)).table(7).tolist()
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    >>> fastlr.Schedule(line, warmup=fastlr.Warmup(2, mode="overlay")).table(5).tolist()
    [0.0, 0.375, 0.5, 0.25, 0.0]
    >>> fastlr.Schedule(line, warmup=fastlr.Warmup(2, start=0.1, shape="constant")).table(4).tolist()
    [0.1, 0.1, 1.0, 0.75]
    """

    steps: int
    start: float = 0.0
    shape: str = "linear"
    mode: str = "prefix"
    power: float = 2.0
    span: float | None = None
    offset: float = 0.0
    shift: bool = True
    target: str = "start"
    beta2: float | None = None

    def __post_init__(self) -> None:
        w = "Warmup"
        self._set("steps", ck.step("steps", self.steps, w, lo=1))
        self._set("start", ck.lr("start", self.start, w))
        ck.choice("shape", self.shape, tuple(WARMUP_SHAPES), w)
        ck.choice("mode", self.mode, tuple(WARMUP_MODES), w)
        self._set("power", ck.real("power", self.power, w, lo=0.0, lo_open=True))
        if self.span is not None:
            self._set("span", ck.length("span", self.span, w))
        self._set("offset", ck.real("offset", self.offset, w, lo=-ck.MAX_STEP, hi=ck.MAX_STEP))
        if not isinstance(self.shift, bool):
            raise TypeError(f"{w}: shift must be a bool, got {self.shift!r}")
        ck.choice("target", self.target, ("start", "end"), w)
        if self.shape == "radam":
            if self.beta2 is None:
                raise ValueError(f"{w}: shape='radam' needs beta2")
            self._set("beta2", ck.real("beta2", self.beta2, w, lo=0.6, hi=1.0, lo_open=True, hi_open=True))
            if not self.rho(-self.offset) > 4.0:
                raise ValueError(
                    f"{w}: the RAdam factor is undefined at t=0 unless rho(-offset) > 4; got offset={self.offset!r} "
                    f"(rho={self.rho(-self.offset)!r}); pytorch_warmup starts at the first step where rho > 4"
                )
            return
        if self.beta2 is not None:
            raise ValueError(f"{w}: beta2 is only used with shape='radam', got beta2={self.beta2!r}")
        n = self.n
        p0, p1 = -self.offset / n, (self.steps - 1 - self.offset) / n
        if self.shape != "constant" and (p0 < 0.0 or (p1 > 1.0 and self.shape != "exponential")):
            raise ValueError(
                f"{w}: progress (t - offset)/span must stay in [0, 1] during warmup; got {p0!r} .. {p1!r} "
                f"(steps={self.steps}, span={n!r}, offset={self.offset!r})"
            )

    @property
    def rho_inf(self) -> float:
        """RAdam's ``2 / (1 - beta2) - 1``."""
        return 2.0 / (1.0 - float(self.beta2 or 0.0)) - 1.0

    def rho(self, x: float) -> float:
        """RAdam's ``rho(x) = rho_inf - 2 x beta2^x / (1 - beta2^x)``."""
        b = float(self.beta2 or 0.0)
        if x <= 0:
            return -math.inf
        return self.rho_inf - 2.0 * x * b**x / (1.0 - b**x)

    @property
    def n(self) -> float:
        """The progress denominator."""
        return float(self.steps) if self.span is None else float(self.span)


def _restartable() -> list[type[Shape]]:
    """The shapes :class:`Restarts` may repeat, in definition order."""
    found: list[type[Shape]] = []
    todo = list(Shape.__subclasses__())
    while todo:
        cls = todo.pop(0)
        if cls.__dict__.get("restartable") and cls not in found:
            found.append(cls)
        todo[:0] = cls.__subclasses__()
    return found


@dataclasses.dataclass(frozen=True)
class Restarts(Spec):
    """Warm restarts of a decaying curve (SGDR).

    The schedule's curve (one of Cosine, Linear, Polynomial, Tanh, SqrtCooldown) is one cycle
    of ``curve.steps`` steps. Cycle ``i`` lasts ``steps * mult^i``; its amplitude is
    ``amp * decay^i`` (``decay_mode="amplitude"``, above the curve's end: Keras, PyTorch
    CyclicLR) or its peak is ``start * decay^i`` (``decay_mode="peak"``: timm). After ``limit``
    cycles the curve holds its end value (with fractional periods ``limit`` may be fractional:
    the curve stops mid-cycle, as transformers' hard restarts do at the horizon).
    ``warmup_steps`` warms each cycle linearly from the end value to the cycle's peak.
    ``cycles`` fits that many cycles in ``curve.steps`` (fractional periods, as transformers'
    ``num_cycles``). ``exact=False`` locates cycles with the peers' floating-point logarithm,
    which can be off by one exactly at a cycle boundary. ``stretch=True`` is Keras's cycling
    decay: cycle ``i`` covers ``t in (i P, (i + 1) P]`` (``P = curve.steps``, step 0 in cycle
    0) and the curve runs at progress ``t / ((i + 1) P)`` (a stretched horizon, not a restart
    of the local time).

    Examples
    --------
    >>> import fastlr
    >>> fastlr.Schedule(fastlr.Linear(1.0, 0.0, 2), restarts=fastlr.Restarts(mult=2.0)).table(8).tolist()
    [1.0, 0.5, 1.0, 0.75, 0.5, 0.25, 1.0, 0.875]
    >>> fastlr.Schedule(fastlr.Linear(1.0, 0.0, 4), restarts=fastlr.Restarts(decay=0.5, limit=2)).table(10).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.5, 0.375, 0.25, 0.125, 0.0, 0.0]
    """

    mult: float = 1.0
    decay: float = 1.0
    limit: float | None = None
    decay_mode: str = "amplitude"
    warmup_steps: int = 0
    cycles: float = 1.0
    exact: bool = True
    stretch: bool = False

    def __post_init__(self) -> None:
        w = "Restarts"
        self._set("mult", ck.real("mult", self.mult, w, lo=1.0, hi=ck.MAX_STEP))
        self._set("decay", ck.real("decay", self.decay, w, lo=0.0, lo_open=True))
        self._set("cycles", ck.real("cycles", self.cycles, w, lo=0.0, hi=ck.MAX_STEP, lo_open=True))
        limit = self.limit
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        if isinstance(limit, float):
            limit = ck.real("limit", limit, w, lo=0.0, hi=ck.MAX_STEP, lo_open=True)
            if self.cycles == 1.0:
                raise ValueError(f"{w}: a fractional limit ({limit!r}) needs fractional periods (cycles != 1)")
        elif limit is not None:
            limit = ck.step("limit", limit, w, lo=1)
        elif self.decay > 1.0:
            raise ValueError(f"{w}: a growing amplitude (decay={self.decay!r} > 1) needs a cycle limit")
        self._set("limit", limit)
        ck.choice("decay_mode", self.decay_mode, ("amplitude", "peak"), w)
        self._set("warmup_steps", ck.step("warmup_steps", self.warmup_steps, w))
        if self.mult != 1.0 and self.cycles != 1.0:
            raise ValueError(f"{w}: cycles={self.cycles!r} needs mult=1, got mult={self.mult!r}")
        if self.cycles != 1.0 and self.warmup_steps:
            raise ValueError(f"{w}: warmup_steps needs whole cycles (cycles=1), got cycles={self.cycles!r}")
        if not isinstance(self.exact, bool):
            raise TypeError(f"{w}: exact must be a bool, got {self.exact!r}")
        if not isinstance(self.stretch, bool):
            raise TypeError(f"{w}: stretch must be a bool, got {self.stretch!r}")
        if self.stretch and (self.mult != 1.0 or self.cycles != 1.0 or self.warmup_steps):
            raise ValueError(
                f"{w}: stretch=True needs mult=1, cycles=1 and warmup_steps=0, got mult={self.mult!r}, "
                f"cycles={self.cycles!r}, warmup_steps={self.warmup_steps!r}"
            )


def _check_growth(rs: Restarts, curve: Any, where: str) -> None:
    """Restarts with a growing amplitude (``decay > 1``, a limit given): the last cycle's
    amplitude (or peak) must stay within ``MAX_VALUE``, so no value overflows."""
    last = math.ceil(float(rs.limit or 1)) - 1
    size = curve.start if rs.decay_mode == "peak" else curve.start - curve.end
    if size > 0.0 and last * math.log(rs.decay) + math.log(size) > math.log(ck.MAX_VALUE):
        raise ValueError(
            f"{where}: restarts grow the curve to {size!r} * decay**{last} (decay={rs.decay!r}, limit={rs.limit!r}), "
            f"beyond {ck.MAX_VALUE:g}; lower decay or limit"
        )


@dataclasses.dataclass(frozen=True)
class Schedule(Schedulable):
    """One learning-rate (or other hyperparameter) curve: the full composition.

    Parameters
    ----------
    curve : Shape
        The main curve (any shape, or a :class:`fastlr.Join` of shapes).
    warmup : Warmup, optional
    restarts : Restarts, optional
        Repeats ``curve`` (which must then be a single decaying shape).
    scale : float
        Multiplies the curve (a base lr for factor-style curves, LambdaLR's ``B * lambda(t)``).
    floor : float, optional
        Absolute minimum of the scaled main curve: ``max(scale * curve, floor)``.
    floor_ratio : float, optional
        Relative minimum: ``floor = floor_ratio * scale * curve(0)``.
    steps_per_epoch : int
        The main curve advances once per ``steps_per_epoch`` steps (its lengths count epochs)
        while the warmup runs per step.

    Examples
    --------
    >>> import numpy as np, fastlr
    >>> s = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 4), warmup=fastlr.Warmup(2), scale=0.1)
    >>> s.table(7).round(6).tolist()
    [0.0, 0.05, 0.1, 0.085355, 0.05, 0.014645, 0.0]
    >>> s.at(4), s.at(np.array([0, 1, 4])).tolist()
    (0.05, [0.0, 0.05, 0.05])
    >>> fastlr.from_dict(s.to_dict()) == s, len(s.fingerprint())
    (True, 32)
    >>> fastlr.Schedule(fastlr.Linear(1.0, 0.0, 2), steps_per_epoch=2).table(6).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.0, 0.0]
    """

    curve: Shape
    warmup: Warmup | None = None
    restarts: Restarts | None = None
    scale: float = 1.0
    floor: float | None = None
    floor_ratio: float | None = None
    steps_per_epoch: int = 1

    def __post_init__(self) -> None:
        w = "Schedule"
        if not isinstance(self.curve, Shape):
            hint = " (pass its .curve, or the shape itself)" if isinstance(self.curve, Schedule) else ""
            raise TypeError(f"{w}: curve must be a shape such as Cosine or Join, got {type(self.curve).__name__}{hint}")
        if self.warmup is not None and not isinstance(self.warmup, Warmup):
            raise TypeError(f"{w}: warmup must be a fastlr.Warmup or None, got {type(self.warmup).__name__}")
        curve: Any = self.curve  # a restartable shape has start, end, steps, span and offset
        if self.restarts is not None and getattr(self.curve, "_restart_phase", lambda: None)() is not None:
            raise ValueError(f"{w}: the curve is a Join with a restarted phase; restarts must be given once, there")
        if self.restarts is not None:
            if not isinstance(self.restarts, Restarts):
                raise TypeError(f"{w}: restarts must be a fastlr.Restarts or None, got {type(self.restarts).__name__}")
        own = getattr(self.curve, "_check_restarts", None)  # a curve with rules of its own (Formula)
        if self.restarts is not None and own is not None:
            own(self.restarts, w)
        elif self.restarts is not None:
            if not getattr(self.curve, "restartable", False):
                names = ", ".join(c.__name__ for c in _restartable())
                raise ValueError(f"{w}: restarts repeat one of {names}; got curve {type(self.curve).__name__}")
            if curve.start < curve.end:
                raise ValueError(
                    f"{w}: restarts repeat a decaying curve; got start={curve.start!r} < end={curve.end!r}"
                )
            after = getattr(self.curve, "after", "hold")
            if after != "hold":
                raise ValueError(f"{w}: a restarted {type(self.curve).__name__} must have after='hold', got {after!r}")
            if curve.span is not None or curve.offset != 0.0:
                raise ValueError(
                    f"{w}: a restarted curve's period is its steps; span must be None and offset 0, "
                    f"got span={curve.span!r}, offset={curve.offset!r}"
                )
            if curve.steps / self.restarts.cycles < 2.0**-10:
                raise ValueError(
                    f"{w}: restarts.cycles={self.restarts.cycles!r} packs more than 1024 cycles into each of the "
                    f"curve's {curve.steps} steps"
                )
            if self.restarts.warmup_steps >= curve.steps:
                raise ValueError(
                    f"{w}: restarts.warmup_steps={self.restarts.warmup_steps} must be < the cycle length "
                    f"curve.steps={curve.steps}"
                )
        self._set("scale", ck.lr("scale", self.scale, w))
        if self.floor is not None and self.floor_ratio is not None:
            raise ValueError(
                f"{w}: give floor or floor_ratio, not both (floor={self.floor!r}, floor_ratio={self.floor_ratio!r})"
            )
        if self.floor is not None:
            self._set("floor", ck.lr("floor", self.floor, w))
        if self.floor_ratio is not None:
            self._set("floor_ratio", ck.lr("floor_ratio", self.floor_ratio, w))
        self._set("steps_per_epoch", ck.step("steps_per_epoch", self.steps_per_epoch, w, lo=1))
        if self.restarts is not None and self.restarts.decay > 1.0 and own is None:
            _check_growth(self.restarts, curve, w)
        self._lowered()

    def _schedule(self) -> Schedule:
        return self

    # ---- lowering (one row) ------------------------------------------------------------------
    def _lowered(self) -> tuple[np.ndarray, np.ndarray, Segs]:
        """This schedule's program row ``(ci, cf, segments)``, through the same columnar functions
        that lower a sweep of flat configs (:mod:`fastlr.lowering`); kept while the schedule
        lives (the constructor lowers it to validate, a sweep of many schedules again: a cache
        of the last rows alone missed every one of 10,000 Formulas)."""
        row = _ROWS.get(self)
        if row is None:
            row = _ROWS[self] = _lower_one(self)
        return row


# each live schedule's row (by value: equal schedules share it), dropped with the schedule; the
# spec itself stays its fields alone
_ROWS: weakref.WeakKeyDictionary[Schedule, tuple[np.ndarray, np.ndarray, Segs]] = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=4096)
def _shape_segs(shape: Shape) -> Segs:
    """A shape's segments, lowered once per distinct shape (constructors validate by lowering,
    schedules and joins lower again); read-only, since every program shares them."""
    segs = shape._segs()
    for a in (segs.start, segs.code, segs.f, segs.valid):
        a.flags.writeable = False
    return segs


def _lower_one(s: Schedule) -> tuple[np.ndarray, np.ndarray, Segs]:
    segs = _shape_segs(s.curve)
    if s.floor is not None:
        floor = s.floor
    elif s.floor_ratio is not None:
        floor = s.floor_ratio * s.scale * s.curve.start_value()
    else:
        floor = -math.inf
    wu = s.warmup
    warmup = rows.WarmupColumns(steps=0)
    if wu is not None:
        warmup = rows.WarmupColumns(
            steps=wu.steps,
            start=wu.start,
            shape=WARMUP_SHAPES[wu.shape],
            mode=WARMUP_MODES[wu.mode],
            power=wu.power,
            span=math.nan if wu.span is None else wu.span,
            offset=wu.offset,
            shift=wu.shift,
            target_end=wu.target == "end",
            beta2=float(wu.beta2 or 0.0),
        )
    rs, curve, at = s.restarts, s.curve, 0
    restarts = rows.RestartColumns(active=False, period=0, peak=0.0)
    if rs is not None:
        segs = first_only(segs)  # a restarted curve repeats its first segment
    joined = getattr(s.curve, "_restart_phase", lambda: None)()
    if joined is not None:  # a Join phase with restarts: they run from the phase's first segment
        k, phase = joined
        rs, curve = phase.restarts, phase.curve
        if k > 0:
            begin = getattr(s.curve, "boundaries")[k - 1]  # noqa: B009 - a Join (shapes import this module)
            at = int(np.count_nonzero(segs.valid[0] & (segs.start[0] < begin)))
    if rs is not None:
        period, peak = curve._restart_fields()
        restarts = rows.RestartColumns(
            active=True,
            period=period,
            peak=peak,
            mult=rs.mult,
            decay=rs.decay,
            limit=math.nan if rs.limit is None else float(rs.limit),
            decay_mode=rows.RESTART_DECAY_MODES[rs.decay_mode],
            warmup_steps=rs.warmup_steps,
            cycles=rs.cycles,
            exact=rs.exact,
            seg=at,
            stretch=rs.stretch,
        )
    ci, cf = rows.row_fields(1, s.scale, floor, s.steps_per_epoch, warmup, restarts)
    for a in (ci, cf, segs.start, segs.code, segs.f, segs.valid):
        a.flags.writeable = False  # cached: shared by every program this schedule is lowered into
    return ci, cf, segs


@dataclasses.dataclass(frozen=True)
class ScheduleSet(Spec, Plottable):
    """Curves for several hyperparameters and param groups, e.g. YOLOv5's three lr groups and
    their momentum.

    Parameters
    ----------
    hyperparams : mapping of str to sequence of schedules
        ``{"lr": [group0, group1, ...], "momentum": [...]}``; each entry a Schedule or a shape.
        A hyperparameter with one schedule applies it to every group.

    Examples
    --------
    >>> import fastlr
    >>> groups = [fastlr.Linear(0.1, 0.0, 4), fastlr.Linear(0.01, 0.0, 4)]
    >>> ss = fastlr.ScheduleSet({"lr": groups, "momentum": [fastlr.Constant(0.9)]})
    >>> t = ss.table(5)
    >>> ss.keys(), t["lr"].shape, t["lr"][1].tolist(), t["momentum"].tolist()
    (['lr', 'momentum'], (2, 5), [0.01, 0.0075, 0.005, 0.0025, 0.0], [[0.9, 0.9, 0.9, 0.9, 0.9]])
    >>> ss.at(2)["lr"].tolist()
    [0.05, 0.005]
    """

    hyperparams: Any

    def __post_init__(self) -> None:
        w = "ScheduleSet"
        items = self.hyperparams.items() if isinstance(self.hyperparams, Mapping) else self.hyperparams
        norm: list[tuple[str, tuple[Schedulable, ...]]] = []
        try:
            pairs = list(items)
        except TypeError:
            raise TypeError(
                f"{w}: hyperparams must be a mapping of name -> schedules, got {self.hyperparams!r}"
            ) from None
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise TypeError(f"{w}: hyperparams must be a mapping of name -> schedules, got item {pair!r}")
            name, scheds = pair
            if not isinstance(name, str) or not name:
                raise TypeError(f"{w}: hyperparameter names must be non-empty strings, got {name!r}")
            seq = (scheds,) if isinstance(scheds, Schedulable) else tuple(scheds)
            if not seq:
                raise ValueError(f"{w}: hyperparams[{name!r}] has no schedules")
            for i, s in enumerate(seq):
                if not isinstance(s, Schedulable):
                    raise TypeError(f"{w}: hyperparams[{name!r}][{i}] must be a schedule, got {type(s).__name__}")
            norm.append((name, seq))
        if not norm:
            raise ValueError(f"{w}: hyperparams must not be empty")
        self._set("hyperparams", tuple(norm))

    def __getitem__(self, name: str) -> tuple[Schedulable, ...]:
        for k, v in self.hyperparams:
            if k == name:
                return v
        raise KeyError(f"{name!r}; this set has {self.keys()}")

    def keys(self) -> list[str]:
        """The hyperparameter names, in order."""
        return [k for k, _ in self.hyperparams]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "ScheduleSet", "hyperparams": {name: [schedule dicts]}}``."""
        return {"type": "ScheduleSet", "hyperparams": {k: [s.to_dict() for s in v] for k, v in self.hyperparams}}

    def _schedules(self) -> list[Schedule]:
        return [s._schedule() for _, v in self.hyperparams for s in v]

    def program(self) -> Program:
        """One program row per (hyperparameter, group), in order."""
        from fastlr.lowering.program import lower_schedules

        return lower_schedules(self._schedules())

    def table(self, T: int, dtype: DTypeLike = np.float64) -> dict[str, NDArray[Any]]:
        """``{name: array (groups, T)}``, each row the table of one group's schedule."""
        from fastlr import evaluate

        full = evaluate.sweep(self.program(), T, dtype=dtype)
        out, r = {}, 0
        for k, v in self.hyperparams:
            out[k] = full[r : r + len(v)]
            r += len(v)
        return out

    def at(self, t: Any) -> dict[str, Any]:
        """``{name: values}``: for each hyperparameter, the groups' values at step(s) ``t``."""
        return {k: np.stack([np.asarray(s.at(t), dtype=np.float64) for s in v]) for k, v in self.hyperparams}
