"""MMEngine dialect: ``mmengine.optim.scheduler`` param schedulers, chained as the runner steps them.

Matched against mmengine 0.10.7 (``mmengine/optim/scheduler/{param_scheduler,lr_scheduler,
momentum_scheduler}.py``, ``mmengine/hooks/param_scheduler_hook.py``,
``mmengine/runner/runner.py``). Every scheduler's constructor applies its step 0; the
``ParamSchedulerHook`` then steps the iteration-based ones (``by_epoch=False``) after each train
iteration and the epoch-based ones after each epoch, all of them, in list order. A scheduler
acts only while its own step count ``g`` is in ``[begin, end)``, at local step ``k = g - begin``;
outside its window the value it left (or the one before it) is held. Entry ``i`` of a table is
the value the optimizer uses for iteration ``i`` (an epoch-based scheduler has taken
``i // epoch_length`` steps by then).

Each scheduler here takes its own keyword arguments plus ``base_lr=`` (``base_momentum=`` for the
momentum ones, ``base_value=`` and ``param_name=`` for the generic ``*ParamScheduler``) and
``epoch_length=`` (iterations per epoch; needed for ``by_epoch=True``, 1 gives a table per
epoch), and returns a :class:`fastlr.Schedule`. :func:`from_config` takes the ``param_scheduler``
list of a config (dicts with ``type=``) and returns the chained table's schedule, or a
:class:`fastlr.ScheduleSet` (``"lr"``, ``"momentum"``, ...) when more than the lr is scheduled.

The schedulers update the current value recursively (``value *= ratio``); fastlr uses the closed
forms those recursions telescope to, starting from the value the scheduler finds at ``begin``.

Quirks reproduced
-----------------
- ``LinearLR``/``ConstantLR``/``PolyLR``: ``total_iters = end - begin - 1``, so the warmup
  reaches ``end_factor`` at the *last* step of its window (inclusive end); ``end=INF`` (the
  default, 1e9) makes them practically constant.
- ``ConstantLR`` divides its factor back out at ``k = end - begin - 1`` (``value / factor``); with
  a one-step window it never does.
- ``CosineAnnealingLR`` (``T_max`` defaults to ``end - begin``) keeps following the periodic
  cosine past ``T_max`` inside its window; at ``k = T_max + 1`` it restarts from the optimizer's
  *initial* lr, so a cosine that begins at a value other than ``base_lr`` (after a warmup that
  ended below it) follows ``base_lr``'s amplitude from there on. ``eta_min_ratio`` is relative to
  the initial lr.
- ``ExponentialLR`` converted with ``convert_to_iter_based`` keeps its ``gamma`` per
  *iteration*; ``StepLR``/``MultiStepLR`` count milestones from ``begin`` (a milestone 0 applies
  at its first step, k = 0; a repeated milestone applies twice).
- ``CosineRestartLR`` jumps to ``initial_lr * restart_weights[i]`` at each period start, whatever
  came before, and holds the last value after its periods.
- ``OneCycleLR`` (lr only) computes absolute values from ``eta_max``; its phase ends are
  ``pct_start * total_steps - 1`` (fractional); ``pct_start`` must be a float as in MMEngine.
- ``convert_to_iter_based=True`` multiplies ``begin``/``end`` by ``epoch_length`` with ``int()``,
  and ``T_max``, ``milestones``, ``step_size``, ``periods``, ``total_steps`` exactly.
- :func:`from_config` with ``max_epochs=``/``max_iters=`` sets a missing ``end`` as the runner
  does (the train loop's length, in the scheduler's own unit).

Refused (``ValueError``)
------------------------
- Schedulers of one parameter whose windows overlap where both change the value (the runner
  multiplies them: a product of curves). Step-like schedulers (``MultiStepLR``, ``StepLR``,
  ``ExponentialLR``, ``ConstantLR``) only count where they change the value, so the usual
  "iteration warmup + epoch ``MultiStepLR``" chain is accepted.
- An epoch-based ``LinearLR``/``CosineAnnealingLR``/``PolyLR``/``OneCycleLR``/``CosineRestartLR``
  chained with iteration-based schedulers (use ``convert_to_iter_based=True``, as the configs
  usually do).
- ``OneCycleLR`` chained with other lr schedulers, or with ``total_steps`` shorter than its window
  (MMEngine raises once it steps past ``total_steps``), or a phase of length 0 holding a step
  (MMEngine divides by zero).
- ``LinearLR`` with ``start_factor=0`` over more than one step, ``ConstantLR`` with ``factor=0``
  (MMEngine divides by them), ``PolyLR`` with ``power < 0``.
- ``ReduceOnPlateauLR`` (driven by a metric, not by the step).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

from fastlr import _checks as ck
from fastlr.presets._common import GROWTH_CAP, nonneg, staircase
from fastlr.schedule import Schedule, ScheduleSet
from fastlr.shapes import Constant, Cosine, Exponential, Join, Linear, Polynomial, Shape

__all__ = ["INF", "SCHEDULERS", "from_config"]

PEER = "mmengine"
PEER_VERSION = "0.10.7"

#: MMEngine's default ``end``.
INF = int(1e9)

_KINDS = ("Constant", "CosineAnnealing", "Exponential", "Linear", "MultiStep", "Step", "Poly", "CosineRestart")
_STEP_LIKE = ("Constant", "Exponential", "MultiStep", "Step")

_REQUIRED = inspect.Parameter.empty
#: Each kind's own keyword arguments and MMEngine's defaults (``_REQUIRED``: no default).
_PARAMS: dict[str, tuple[tuple[str, Any], ...]] = {
    "Constant": (("factor", 1.0 / 3),),
    "CosineAnnealing": (("T_max", None), ("eta_min", None), ("eta_min_ratio", None)),
    "Exponential": (("gamma", _REQUIRED),),
    "Linear": (("start_factor", 1.0 / 3), ("end_factor", 1.0)),
    "MultiStep": (("milestones", _REQUIRED), ("gamma", 0.1)),
    "Step": (("step_size", _REQUIRED), ("gamma", 0.1)),
    "Poly": (("eta_min", 0.0), ("power", 1.0)),
    "CosineRestart": (("periods", _REQUIRED), ("restart_weights", (1,)), ("eta_min", None), ("eta_min_ratio", None)),
    "OneCycle": (
        ("eta_max", 0.0),
        ("total_steps", None),
        ("pct_start", 0.3),
        ("anneal_strategy", "cos"),
        ("div_factor", 25.0),
        ("final_div_factor", 1e4),
        ("three_phase", False),
    ),
}

# piece of the value over time: (x0, kind, params); it holds until the next piece starts
Piece = tuple[int, str, tuple[Any, ...]]


class _Sched:
    """One scheduler, converted to steps of its own unit (iterations, or epochs)."""

    def __init__(self, kind: str, param: str, kw: dict[str, Any], where: str) -> None:
        self.kind, self.param, self.where = kind, param, where
        kw = dict(kw)
        self.by_epoch = ck.flag("by_epoch", kw.pop("by_epoch", True), where)
        self.begin = ck.integer("begin", kw.pop("begin", 0), where, lo=0)
        self.end = ck.integer("end", kw.pop("end", INF), where)
        kw.pop("last_step", None)
        kw.pop("verbose", None)
        if self.end <= self.begin:
            raise ValueError(f"{where}: end should be larger than begin, but got begin={self.begin}, end={self.end}")
        self.kw = kw

    def convert(self, L: int) -> None:
        """``build_iter_from_epoch``."""
        if not self.by_epoch:
            raise ValueError(
                f"{self.where}: only epoch-based schedulers (by_epoch=True) can be converted to iter-based"
            )
        self.by_epoch = False
        self.begin = int(self.begin * L)
        if self.end != INF:
            self.end = int(self.end * L)
        for name in ("T_max", "step_size", "total_steps"):
            if self.kw.get(name) is not None:
                self.kw[name] = self.kw[name] * L
        for name in ("milestones", "periods"):
            if name in self.kw:
                self.kw[name] = [m * L for m in self.kw[name]]


def _pos_int(name: str, v: Any, where: str) -> int:
    return ck.integer(name, v, where, lo=1)


def _active(s: _Sched, u: int) -> tuple[int, int]:
    """The steps (in the table's unit; ``u`` of them per scheduler step) where ``s`` may change
    the value: ``[first, last + 1)``."""
    b, e, kw, k = s.begin, s.end, s.kw, s.kind
    if k == "MultiStep":
        ms = [m for m in _milestones(s) if b + m < e]
        if not ms:
            return 0, 0
        return (b + min(ms)) * u, (b + max(ms)) * u + 1
    if k == "Step":
        ss = _pos_int("step_size", kw.get("step_size"), s.where)
        return (b + ss) * u, (e - 1) * u + 1 if e != INF else INF * u
    if k in ("Exponential", "CosineAnnealing", "Poly"):
        return (b + 1) * u, (e - 1) * u + 1 if e != INF else INF * u
    return b * u, (e - 1) * u + 1 if e != INF else INF * u


def _milestones(s: _Sched) -> list[int]:
    ms: Any = s.kw.get("milestones")
    if isinstance(ms, (str, bytes)) or not hasattr(ms, "__iter__"):
        raise TypeError(f"{s.where}: milestones must be a list of ints, got {ms!r}")
    return [ck.integer(f"milestones[{i}]", m, s.where, lo=0) for i, m in enumerate(ms)]


def _pieces(s: _Sched, v0: float, base: float, u: int) -> tuple[list[Piece], float]:
    """The pieces of ``s`` (in the table's unit, ``u`` per scheduler step) entered with value
    ``v0``, and the value it leaves behind."""
    w, kw, b, e = s.where, s.kw, s.begin, s.end
    last = e - 1 - b  # the last local step inside the window
    known = tuple(name for name, _ in _PARAMS[s.kind])
    extra = sorted(set(kw) - set(known))
    if extra:
        raise TypeError(f"{w}: unexpected keyword argument(s) {', '.join(extra)}")
    k = s.kind
    if k == "Linear":
        sf = ck.real("start_factor", kw.get("start_factor", 1.0 / 3), w)
        ef = ck.real("end_factor", kw.get("end_factor", 1.0), w)
        for name, f in (("start_factor", sf), ("end_factor", ef)):
            if not 0.0 <= f <= 1.0:
                raise ValueError(f"{w}: {name} must be between 0 and 1, got {f!r}")
        if last == 0:
            return [(b * u, "const", (v0 * sf,))], v0 * sf
        if sf == 0.0:
            raise ValueError(f"{w}: start_factor=0 over {last + 1} steps: MMEngine divides by it at the second step")
        if sf == ef:
            return [(b * u, "const", (v0 * sf,))], v0 * sf
        return [(b * u, "lin", (v0 * sf, v0 * ef, last, b))], v0 * ef
    if k == "Constant":
        f = ck.real("factor", kw.get("factor", 1.0 / 3), w)
        if not 0.0 <= f <= 1.0:
            raise ValueError(f"{w}: factor must be between 0 and 1, got {f!r}")
        if last == 0:
            return [(b * u, "const", (v0 * f,))], v0 * f
        if f == 0.0:
            raise ValueError(f"{w}: factor=0: MMEngine divides by it at step end - begin - 1 = {last}")
        back = v0 * f * (1.0 / f)
        return [(b * u, "const", (v0 * f,)), ((b + last) * u, "const", (back,))], back
    if k == "MultiStep":
        g = nonneg("gamma", kw.get("gamma", 0.1), w)
        ms = [m for m in _milestones(s) if b + m < e]
        out: list[Piece] = []
        v = v0
        for m in sorted(set(ms)):
            v = v * g ** ms.count(m)
            out.append(((b + m) * u, "const", (v,)))
        return out, v
    if k == "Step":
        ss = _pos_int("step_size", kw.get("step_size"), w)
        g = nonneg("gamma", kw.get("gamma", 0.1), w)
        if last < ss:
            return [], v0
        out = [((b + ss) * u, "stair", (v0 * g, g, ss * u))]
        return out, v0 * g ** (last // ss)
    if k == "Exponential":
        g = ck.real("gamma", kw.get("gamma"), w, lo=0.0)
        if last < 1:
            return [], v0
        if u > 1:
            return [((b + 1) * u, "stair", (v0 * g, g, u))], v0 * g**last
        return [((b + 1) * u, "exp", (v0 * g, g))], v0 * g**last
    if k == "Poly":
        eta = nonneg("eta_min", kw.get("eta_min", 0.0), w)
        p = nonneg("power", kw.get("power", 1.0), w, "0 ** power at the last step")
        if last < 1 or p == 0.0:
            return [], v0
        return [((b + 1) * u, "poly", (v0, eta, last, b, p))], eta
    if k == "CosineAnnealing":
        eta = _eta(kw, base, w)
        T = kw.get("T_max") or (e - b)
        T = _pos_int("T_max", T, w)
        if last < 1:
            return [], v0
        out = [((b + 1) * u, "cos", (v0, eta, T, b))]
        if last >= T + 1 and v0 != base:
            out.append(((b + T + 1) * u, "cos", (base, eta, T, b)))
        return out, _cos(base if last >= T + 1 else v0, eta, last / T)
    if k == "CosineRestart":
        periods = [_pos_int(f"periods[{i}]", p, w) for i, p in enumerate(kw.get("periods") or [])]
        weights = [
            ck.real(f"restart_weights[{i}]", x, w, lo=0.0) for i, x in enumerate(kw.get("restart_weights", (1,)))
        ]
        if not periods or len(periods) != len(weights):
            raise ValueError(f"{w}: periods and restart_weights should have the same (non-zero) length")
        eta = _eta(kw, base, w, default=False)
        out, x, v = [], 0, v0
        for P, wt in zip(periods, weights):
            if x > last:
                break
            out.append(((b + x) * u, "cos", (base * wt, eta, P, b + x)))
            k_end = min(x + P - 1, last)
            v = _cos(base * wt, eta, (k_end - x) / P)
            x += P
        if x <= last:  # after the last period the value holds
            out.append(((b + x) * u, "const", (v,)))
        return out, v
    return _one_cycle(s, u)


def _eta(kw: dict[str, Any], base: float, where: str, default: bool = True) -> float:
    eta, ratio = kw.get("eta_min"), kw.get("eta_min_ratio")
    if eta is None and ratio is None and default:
        eta = 0.0
    if (eta is None) == (ratio is None):
        raise ValueError(
            f"{where}: give exactly one of eta_min or eta_min_ratio, got eta_min={eta!r}, eta_min_ratio={ratio!r}"
        )
    if ratio is not None:
        return base * nonneg("eta_min_ratio", ratio, where)
    return nonneg("eta_min", eta, where)


def _cos(a: float, b: float, p: float) -> float:
    return b + (a - b) * (1 + math.cos(math.pi * p)) / 2


def _one_cycle(s: _Sched, u: int) -> tuple[list[Piece], float]:
    w, kw, b, e = s.where, s.kw, s.begin, s.end
    if s.param != "lr":
        raise ValueError(f"{w}: OneCycle only works for learning rate updating, but got param_name {s.param!r}")
    eta_max = nonneg("eta_max", kw.get("eta_max", 0.0), w)
    total = kw.get("total_steps")
    if total is None:
        total = e - b
    total = _pos_int("total_steps", total, w)
    if e - b > total:
        raise ValueError(
            f"{w}: total_steps={total} is shorter than the window end - begin = {e - b}; MMEngine raises once it "
            f"steps past total_steps (give end=begin + total_steps)"
        )
    pct = kw.get("pct_start", 0.3)
    if not isinstance(pct, float) or not 0.0 <= pct <= 1.0:
        raise ValueError(f"{w}: Expected float between 0 and 1 pct_start, but got {pct!r}")
    anneal = ck.choice("anneal_strategy", kw.get("anneal_strategy", "cos"), ("cos", "linear"), w)
    div = ck.real("div_factor", kw.get("div_factor", 25.0), w, lo=0.0, lo_open=True)
    fdiv = ck.real("final_div_factor", kw.get("final_div_factor", 1e4), w, lo=0.0, lo_open=True)
    init = eta_max / div
    low = init / fdiv
    if ck.flag("three_phase", kw.get("three_phase", False), w):
        phases = [
            (float(pct * total) - 1, init, eta_max),
            (float(2 * pct * total) - 2, eta_max, init),
            (total - 1, init, low),
        ]
    else:
        phases = [(float(pct * total) - 1, init, eta_max), (total - 1, eta_max, low)]
    last = e - 1 - b
    out: list[Piece] = []
    start, k0, v = 0.0, 0, init
    for i, (end_step, a, z) in enumerate(phases):
        final = i == len(phases) - 1
        k1 = last if final else min(last, math.floor(end_step))  # last integer step of this phase
        if k1 >= k0:
            n = end_step - start
            if n == 0:
                raise ValueError(
                    f"{w}: pct_start={pct!r} gives a phase of length 0 at step {k0}; MMEngine divides by zero"
                )
            kind = "cos" if anneal == "cos" else "lin1"
            out.append(((b + k0) * u, kind, (a, z, n, b + start)))
            pct_k1 = (k1 - start) / n
            v = _cos(a, z, pct_k1) if anneal == "cos" else (z - a) * pct_k1 + a
            k0 = k1 + 1
        start = end_step
    return out, v


def _piece_value(kind: str, p: tuple[Any, ...], x: int) -> float:
    a, z, n, origin = p[0], p[1], p[2], p[3]
    q = (x - origin) / n
    if kind in ("lin", "lin1"):
        return a + (z - a) * q
    if kind == "cos":
        return _cos(a, z, q)
    return z + (a - z) * (1 - q) ** p[4]


def _assemble(pieces: list[Piece]) -> Shape:
    """The pieces (in order of their first step) as one shape in table steps."""
    phases: list[tuple[int, Shape]] = []
    for i, (x0, kind, p) in enumerate(pieces):
        nxt = pieces[i + 1][0] if i + 1 < len(pieces) else None
        if nxt is not None and nxt <= x0:
            continue
        length = None if nxt is None else nxt - x0
        if kind == "const":
            shape: Shape = Constant(p[0])
        elif kind == "stair":
            shape = staircase(p[0], p[1], p[2])
        elif kind == "exp":
            v, g = p
            if g == 1.0 or v == 0.0:
                shape = Constant(v)
            elif g == 0.0:
                shape = Join((Constant(v), Constant(0.0)), (1,))
            else:
                shape = Exponential(v, g, 1.0, end=GROWTH_CAP if g > 1.0 else None)
        else:
            a, z, n, origin = p[0], p[1], p[2], p[3]
            off = float(origin - x0)
            reach = math.floor(n + origin - x0)  # last local step with progress <= 1
            steps = max(1, reach if length is None else min(length, reach))
            if length == 1 and reach < 1:
                shape = Constant(_piece_value(kind, p, x0))
            elif kind in ("lin", "lin1"):
                shape = Linear(a, z, steps, span=float(n), offset=off)
            elif kind == "cos":
                cont = length is None or length - 1 > reach
                shape = Cosine(
                    a,
                    z,
                    max(1, int(n)) if cont else steps,
                    after="continue" if cont else "hold",
                    span=float(n),
                    offset=off,
                )
            else:
                shape = Polynomial(a, z, steps, power=p[4], span=float(n), offset=off)
        if phases and isinstance(shape, Constant) and isinstance(phases[-1][1], Constant):
            if shape.value == phases[-1][1].value:
                continue
        phases.append((x0, shape))
    if len(phases) == 1:
        return phases[0][1]
    return Join(tuple(s for _, s in phases), tuple(t for t, _ in phases[1:]))


def _chain(scheds: list[_Sched], base: float, L: int | None, where: str) -> Schedule:
    """The runner's chain of one parameter's schedulers as one schedule."""
    if any(s.by_epoch for s in scheds) and L is None:
        raise ValueError(
            f"{where}: by_epoch=True schedulers need epoch_length= (iterations per epoch; 1 gives a table per epoch)"
        )
    all_epoch = all(s.by_epoch for s in scheds)
    if not all_epoch:
        for s in scheds:
            if s.by_epoch and s.kind not in _STEP_LIKE:
                raise ValueError(
                    f"{s.where}: an epoch-based {s.kind} (by_epoch=True) chained with iteration-based schedulers is a "
                    "staircase of its curve that fastlr does not express; use convert_to_iter_based=True"
                )
    if any(s.kind == "OneCycle" for s in scheds) and len(scheds) > 1:
        raise ValueError(f"{where}: OneCycleLR sets absolute values and its own initial lr; chain it alone")
    spe = L if all_epoch else 1

    def unit(s: _Sched) -> int:
        return L if (L is not None and s.by_epoch and not all_epoch) else 1

    spans = [(*_active(s, unit(s)), i) for i, s in enumerate(scheds)]
    spans = [x for x in spans if x[1] > x[0]]
    spans.sort(key=lambda x: (x[0], x[2]))
    for (_a0, a1, i), (b0, _b1, j) in zip(spans, spans[1:]):
        if b0 < a1:
            raise ValueError(
                f"{where}: {scheds[i].where} and {scheds[j].where} both change {scheds[i].param} over steps "
                f"[{b0}, {min(a1, _b1)}): MMEngine multiplies them (a product of curves), which fastlr does not "
                "express; make their begin/end windows disjoint"
            )
    pieces: list[Piece] = [(0, "const", (base,))]
    v = base
    for _a0, a1, i in spans:
        s = scheds[i]
        ps, v = _pieces(s, v, base, unit(s))
        pieces.extend(ps)
        if a1 < INF:
            pieces.append((a1, "const", (v,)))
    pieces = _ordered(pieces)
    curve = _assemble(pieces)
    return Schedule(curve, steps_per_epoch=spe) if spe and spe > 1 else Schedule(curve)


def _ordered(pieces: list[Piece]) -> list[Piece]:
    """Pieces sorted by start; of two starting at the same step the later one wins."""
    out: list[Piece] = []
    for p in sorted(enumerate(pieces), key=lambda ip: (ip[1][0], ip[0])):
        if out and out[-1][0] == p[1][0]:
            out[-1] = p[1]
        else:
            out.append(p[1])
    return out


# ---- the public call forms -----------------------------------------------------------------------

_PARAM_OF = {"LR": "lr", "Momentum": "momentum", "ParamScheduler": None}


def _split(name: str) -> tuple[str, str | None] | None:
    for suffix, param in _PARAM_OF.items():
        if name.endswith(suffix):
            kind = name[: -len(suffix)]
            if kind in (*_KINDS, "OneCycle") and not (kind == "OneCycle" and suffix == "Momentum"):
                return kind, param
    return None


#: MMEngine's param scheduler class names, each a function here.
SCHEDULERS = tuple(
    f"{k}{suffix}"
    for suffix in _PARAM_OF
    for k in (*_KINDS, "OneCycle")
    if not (k == "OneCycle" and suffix == "Momentum")
)


def _entry(type_: Any, kw: dict[str, Any], L: int | None, where: str, param: str | None = None) -> _Sched:
    if not isinstance(type_, str):
        raise TypeError(f"{where}: type must be a scheduler class name, got {type_!r}")
    if type_ in ("ReduceOnPlateauLR", "ReduceOnPlateauMomentum", "ReduceOnPlateauParamScheduler"):
        raise ValueError(f"{where}: {type_} depends on a metric, not on the step; it has no table")
    if type_.startswith("mmengine."):  # the registry's scope prefix
        type_ = type_[len("mmengine.") :]
    got = _split(type_)
    if got is None:
        raise ValueError(f"{where}: unknown scheduler type {type_!r}; known: {', '.join(SCHEDULERS)}")
    kind, p = got
    kw = dict(kw)
    kw.pop("_scope_", None)
    if p is None:
        p = kw.pop("param_name", param)
        if not isinstance(p, str) or not p:
            raise ValueError(f"{where}: {type_} needs param_name=")
    convert = ck.flag("convert_to_iter_based", kw.pop("convert_to_iter_based", False), where)
    s = _Sched(kind, p, kw, f"{where} {type_}")
    if convert:
        if L is None:
            raise ValueError(f"{s.where}: convert_to_iter_based=True needs epoch_length=")
        s.convert(L)
    return s


def _epoch_length(value: Any, where: str) -> int | None:
    return None if value is None else ck.integer("epoch_length", value, where, lo=1)


def _make(type_: str) -> Callable[..., Schedule]:
    kind, param = _split(type_)  # type: ignore[misc]
    base_name = {"lr": "base_lr", "momentum": "base_momentum", None: "base_value"}[param]

    def call(*, epoch_length: int | None = None, **kw: Any) -> Schedule:
        w = f"mmengine.{type_}"
        if base_name not in kw:
            raise TypeError(f"{w}: missing keyword argument {base_name}=")
        base = nonneg(base_name, kw.pop(base_name), w)
        L = _epoch_length(epoch_length, w)
        s = _entry(type_, kw, L, "mmengine")
        return _chain([s], base, L, w)

    call.__name__ = call.__qualname__ = type_
    kw_only = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter(n, kw_only, default=d) for n, d in _PARAMS[kind]]
    if param is None:
        params.append(inspect.Parameter("param_name", kw_only))
    params += [
        inspect.Parameter("begin", kw_only, default=0),
        inspect.Parameter("end", kw_only, default=INF),
        inspect.Parameter("by_epoch", kw_only, default=True),
        inspect.Parameter("convert_to_iter_based", kw_only, default=False),
        inspect.Parameter(base_name, kw_only),
        inspect.Parameter("epoch_length", kw_only, default=None),
    ]
    call.__signature__ = inspect.Signature(params, return_annotation=Schedule)  # type: ignore[attr-defined]
    what = {"lr": "the lr", "momentum": "the momentum", None: "``param_name``"}[param]
    call.__doc__ = (
        f"MMEngine's ``{type_}`` alone on {what}: its keyword arguments (``begin``, ``end``, ``by_epoch``,\n"
        f"``convert_to_iter_based`` included) plus ``{base_name}=`` and ``epoch_length=``; see the module docstring."
    )
    return call


for _name in SCHEDULERS:
    globals()[_name] = _make(_name)
__all__ += list(SCHEDULERS)


def from_config(
    param_scheduler: Any,
    base_lr: float,
    epoch_length: int | None = None,
    *,
    base_momentum: float | None = None,
    base_values: Mapping[str, float] | None = None,
    max_epochs: int | None = None,
    max_iters: int | None = None,
) -> Schedule | ScheduleSet:
    """The ``param_scheduler`` of an MMEngine config (a dict or a list of dicts with ``type=``),
    chained as the runner steps them.

    Parameters
    ----------
    param_scheduler : dict or list of dict
        The config entries, in order.
    base_lr : float
        The optimizer's lr.
    epoch_length : int, optional
        Iterations per epoch (``len(train_dataloader)``); needed for ``by_epoch=True``.
    base_momentum : float, optional
        The optimizer's momentum, needed when a momentum scheduler is in the list.
    base_values : mapping, optional
        Initial values of other parameters scheduled by ``*ParamScheduler`` entries.
    max_epochs, max_iters : int, optional
        The train loop's length: a missing ``end`` defaults to it, as in the runner.

    Returns
    -------
    Schedule or ScheduleSet
        The lr's schedule, or a set (``"lr"``, then the other parameters in order of appearance)
        when more than the lr is scheduled.

    Examples
    --------
    >>> import fastlr.presets.mmengine as mm
    >>> cfg = [dict(type="LinearLR", start_factor=0.25, by_epoch=False, begin=0, end=4),
    ...        dict(type="MultiStepLR", by_epoch=True, milestones=[2], gamma=0.1, begin=0, end=3)]
    >>> mm.from_config(cfg, base_lr=0.1, epoch_length=5).table(12).round(4).tolist()
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01]
    """
    w = "mmengine.from_config"
    entries = [param_scheduler] if isinstance(param_scheduler, Mapping) else list(param_scheduler)
    L = _epoch_length(epoch_length, w)
    bases: dict[str, float] = {"lr": nonneg("base_lr", base_lr, w)}
    if base_momentum is not None:
        bases["momentum"] = nonneg("base_momentum", base_momentum, w)
    for k, v in (base_values or {}).items():
        bases[str(k)] = nonneg(f"base_values[{k!r}]", v, w)
    by_param: dict[str, list[_Sched]] = {}
    for i, cfg in enumerate(entries):
        if not isinstance(cfg, Mapping) or "type" not in cfg:
            raise TypeError(f"{w}: param_scheduler[{i}] must be a dict with type=, got {cfg!r}")
        kw = {k: v for k, v in cfg.items() if k != "type"}
        if "end" not in kw:
            default_end = max_epochs if kw.get("by_epoch", True) else max_iters
            if default_end is not None:
                kw["end"] = default_end
        s = _entry(cfg["type"], kw, L, f"param_scheduler[{i}]")
        by_param.setdefault(s.param, []).append(s)
    if not by_param:
        raise ValueError(f"{w}: param_scheduler is empty")
    out: dict[str, Schedule] = {}
    for p in ["lr", *[q for q in by_param if q != "lr"]]:
        if p not in by_param:
            out[p] = Schedule(Constant(bases["lr"]))
            continue
        if p not in bases:
            hint = "base_momentum=" if p == "momentum" else f"base_values={{{p!r}: ...}}"
            raise ValueError(f"{w}: {p} is scheduled; give its initial value with {hint}")
        out[p] = _chain(by_param[p], bases[p], L, w)
    if len(out) == 1:
        return out["lr"]
    return ScheduleSet({k: [v] for k, v in out.items()})
