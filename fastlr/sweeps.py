"""Sweeps at scale: flat configs, grids, vectorised lowering, chunked fills, summaries.

A *flat config* describes one warmup/decay schedule by named columns (the vocabulary sweep tools
use); :data:`COLUMNS` lists them with their defaults. Row ``i`` means::

    decay  = SHAPE(lr -> end over `steps`)      end = `end`, or lr * `end_ratio`
    curve  = Join([Constant(lr), decay], [hold])   when hold > 0
    Schedule(curve,
             warmup=Warmup(warmup, start=warmup_start, shape=warmup_shape, mode=warmup_mode),
             restarts=Restarts(mult=cycle_mult, decay=cycle_decay, limit=cycles) if cycles > 1,
             floor=floor or None, steps_per_epoch=steps_per_epoch)

:func:`config_schedule` builds that schedule object for one row; :func:`lower` builds the
program for all rows at once with NumPy (no Python loop per row) and produces exactly the arrays
the objects would lower to, so a row's table is bit-identical either way.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr import _engine
from fastlr._base import Schedulable, from_dict
from fastlr._lower import Program, lower_schedules
from fastlr.kernels import formulas
from fastlr.kernels import layout as L
from fastlr.schedule import WARMUP_MODES, WARMUP_SHAPES, Restarts, Schedule, Warmup
from fastlr.shapes import (
    Constant,
    Cosine,
    Exponential,
    InverseSqrt,
    Join,
    Linear,
    Polynomial,
    Shape,
    SqrtCooldown,
    StepDecay,
    Tanh,
)

__all__ = ["COLUMNS", "SHAPES", "config_schedule", "grid", "lower", "summarize", "sweep"]

#: Decay shapes of a flat config.
SHAPES = ("constant", "linear", "cosine", "polynomial", "tanh", "sqrt", "exponential", "step", "inverse_sqrt")
_HORIZON = ("linear", "cosine", "polynomial", "tanh", "sqrt")

#: Flat-config columns and their defaults (``None``: required).
COLUMNS: dict[str, Any] = {
    "lr": None,
    "shape": "cosine",
    "steps": 1,  # required by the decaying shapes (linear, cosine, polynomial, tanh, sqrt)
    "end": None,
    "end_ratio": 0.0,
    "warmup": 0,
    "warmup_shape": "linear",
    "warmup_mode": "prefix",
    "warmup_start": 0.0,
    "hold": 0,
    "power": 1.0,
    "exponent": 1.0,
    "gamma": 0.1,
    "step_size": 1,
    "timescale": 1000.0,
    "floor": 0.0,
    "cycles": 1,
    "cycle_mult": 1.0,
    "cycle_decay": 1.0,
    "steps_per_epoch": 1,
}
_STR = {"shape": SHAPES, "warmup_shape": tuple(WARMUP_SHAPES), "warmup_mode": tuple(WARMUP_MODES)}
_INT = ("steps", "warmup", "hold", "step_size", "cycles", "steps_per_epoch")

# unit value of each horizon shape at the end of its decay (the held tail), from the formulas
_TAIL_UNIT = {
    "linear": 0.0,
    "cosine": formulas.cosine_down(1.0, 1.0, 1.0, 1.0, 1.0),
    "polynomial": 0.0,
    "tanh": formulas.tanh_decay(1.0, 1.0, -7.0, 3.0),
    "sqrt": formulas.sqrt_down(1.0, 1.0),
}


# ---- one row ---------------------------------------------------------------------------------


def config_schedule(**params: Any) -> Schedule:
    """The :class:`fastlr.Schedule` that one flat config describes (see the module docstring)."""
    unknown = sorted(set(params) - set(COLUMNS))
    if unknown:
        raise ValueError(f"unknown config column(s) {unknown}; valid columns: {sorted(COLUMNS)}")
    p = {k: (params[k] if k in params else v) for k, v in COLUMNS.items()}
    if p["lr"] is None:
        raise ValueError("config needs 'lr'")
    if p["end"] is not None and "end_ratio" in params:
        raise ValueError("give 'end' or 'end_ratio', not both")
    lr = float(p["lr"])
    end = float(p["end"]) if p["end"] is not None else lr * float(p["end_ratio"])
    shape = p["shape"]
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(map(repr, SHAPES))}; got {shape!r}")
    if shape in _HORIZON and "steps" not in params:
        raise ValueError(f"shape {shape!r} decays over 'steps', which the config does not give")
    steps, hold = int(p["steps"]), int(p["hold"])
    decay: Shape
    if shape == "constant":
        decay = Constant(lr)
    elif shape == "linear":
        decay = Linear(lr, end, steps)
    elif shape == "cosine":
        decay = Cosine(lr, end, steps, exponent=float(p["exponent"]))
    elif shape == "polynomial":
        decay = Polynomial(lr, end, steps, power=float(p["power"]))
    elif shape == "tanh":
        decay = Tanh(lr, end, steps)
    elif shape == "sqrt":
        decay = SqrtCooldown(lr, end, steps)
    elif shape == "exponential":
        decay = Exponential(lr, float(p["gamma"]), float(int(p["step_size"])), end=end if end > 0 else None)
    elif shape == "step":
        decay = StepDecay(lr, int(p["step_size"]), float(p["gamma"]))
    else:
        decay = InverseSqrt(lr, float(p["timescale"]))
    curve: Shape = Join((Constant(lr), decay), (hold,)) if hold > 0 else decay
    restarts = None
    if int(p["cycles"]) > 1:
        if shape not in _HORIZON or hold > 0:
            raise ValueError(f"cycles > 1 needs a decaying shape ({', '.join(_HORIZON)}) and hold=0")
        restarts = Restarts(mult=float(p["cycle_mult"]), decay=float(p["cycle_decay"]), limit=int(p["cycles"]))
    warmup = None
    if int(p["warmup"]) > 0:
        warmup = Warmup(
            int(p["warmup"]), start=float(p["warmup_start"]), shape=p["warmup_shape"], mode=p["warmup_mode"]
        )
    floor = float(p["floor"])
    return Schedule(
        curve,
        warmup=warmup,
        restarts=restarts,
        floor=floor if floor > 0 else None,
        steps_per_epoch=int(p["steps_per_epoch"]),
    )


# ---- columns ---------------------------------------------------------------------------------


def grid(**axes: Any) -> dict[str, np.ndarray]:
    """The cartesian product of axis values, as flat-config columns.

    Order: the first axis varies slowest, the last fastest (C order, like ``itertools.product``
    over the axes in the order given). Each axis is a value or a sequence of values.

    >>> g = grid(lr=[1e-3, 3e-4], warmup=[0, 100], shape=["cosine", "linear"])
    >>> len(g["lr"]), list(g["shape"][:2]), g["warmup"][:4].tolist()
    (8, ['cosine', 'linear'], [0, 0, 100, 100])
    """
    if not axes:
        raise ValueError("grid needs at least one axis")
    names = list(axes)
    _check_names(names)
    values = []
    for name in names:
        v = axes[name]
        seq = list(v) if isinstance(v, (list, tuple, np.ndarray, range)) else [v]
        if not seq:
            raise ValueError(f"grid axis {name!r} is empty")
        values.append(seq)
    sizes = [len(v) for v in values]
    total = math.prod(sizes)
    out: dict[str, np.ndarray] = {}
    for k, (name, seq) in enumerate(zip(names, values)):
        inner = math.prod(sizes[k + 1 :])
        outer = total // (inner * sizes[k])
        col = np.asarray(seq, dtype=object if isinstance(seq[0], str) else None)
        out[name] = np.tile(np.repeat(col, inner), outer)
    return out


def _check_names(names: Sequence[str]) -> None:
    unknown = sorted(set(names) - set(COLUMNS))
    if unknown:
        raise ValueError(f"unknown config column(s) {unknown}; valid columns: {sorted(COLUMNS)}")


def _columns_from(configs: Any) -> dict[str, np.ndarray] | None:
    """Columns of a mapping / DataFrame / list of flat dicts, or None for other inputs."""
    if isinstance(configs, Mapping):
        return {str(k): np.asarray(v) for k, v in configs.items()}
    mod = type(configs).__module__.split(".")[0]
    if mod == "pandas" and hasattr(configs, "columns"):
        return {str(c): configs[c].to_numpy() for c in configs.columns}
    if mod == "polars" and hasattr(configs, "columns"):
        return {str(c): configs[c].to_numpy() for c in configs.columns}
    if isinstance(configs, Sequence) and configs and all(isinstance(c, Mapping) and "type" not in c for c in configs):
        keys: list[str] = []
        for c in configs:
            for k in c:
                if k not in keys:
                    keys.append(k)
        _check_names(keys)
        cols = {}
        for k in keys:
            col = [c.get(k, COLUMNS[k]) for c in configs]
            if COLUMNS[k] is None and any(v is None for v in col):
                i = next(i for i, v in enumerate(col) if v is None)
                raise ValueError(f"row {i}: missing required column {k!r}")
            cols[k] = np.asarray(col, dtype=object if k in _STR else None)
        return cols
    return None


def _codes(name: str, col: Any, n: int) -> np.ndarray:
    valid = _STR[name]
    lookup = {v: i for i, v in enumerate(valid)}
    arr = np.asarray(col)
    if arr.ndim == 0:
        v = arr.item()
        if v not in lookup:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, valid))}; got {v!r}")
        return np.broadcast_to(np.int64(lookup[v]), (n,))
    codes = np.fromiter((lookup.get(v, -1) for v in arr.tolist()), dtype=np.int64, count=n)
    bad = codes < 0
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"row {i}: {name} must be one of {', '.join(map(repr, valid))}; got {_py(arr[i])!r}")
    return codes


def _numeric(name: str, col: Any, n: int) -> np.ndarray:
    arr = np.asarray(col)
    if arr.dtype.kind not in "iuf":
        if arr.dtype.kind == "b":
            raise TypeError(f"column {name!r} must be numeric, got booleans")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"column {name!r} must be numeric, got dtype {arr.dtype}") from None
    if arr.ndim == 0:
        arr = np.broadcast_to(arr, (n,))
    if name in _INT:
        if arr.dtype.kind == "f":
            bad = ~np.isfinite(arr) | (arr != np.floor(arr))
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(f"row {i}: {name} must be an integer, got {_py(arr[i])!r}")
        return arr.astype(np.int64)
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"row {i}: {name} must be finite, got {_py(arr[i])!r}")
    return arr


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _require(mask: np.ndarray, name: str, values: np.ndarray, rule: str) -> None:
    if mask.any():
        i = int(np.argmax(mask))
        raise ValueError(f"row {i}: {name} must be {rule}, got {_py(values[i])!r}")


class _Cols:
    """Validated, broadcast columns of a flat-config batch."""

    def __init__(self, raw: dict[str, Any]):
        _check_names(list(raw))
        if "lr" not in raw:
            raise ValueError(f"configs need an 'lr' column; got columns {sorted(raw)}")
        if "end" in raw and "end_ratio" in raw:
            raise ValueError("give an 'end' or an 'end_ratio' column, not both")
        lengths = {k: np.asarray(v).shape[0] for k, v in raw.items() if np.asarray(v).ndim > 0}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns have different lengths (ragged): {lengths}")
        if any(np.asarray(v).ndim > 1 for v in raw.values()):
            raise ValueError("columns must be one-dimensional")
        n = next(iter(lengths.values()), 1)
        if n == 0:
            raise ValueError("configs are empty")
        self.n = n
        self.raw = raw
        c: dict[str, np.ndarray] = {}
        for k, default in COLUMNS.items():
            if k == "end":
                continue
            v = raw.get(k, default)
            c[k] = _codes(k, v, n) if k in _STR else _numeric(k, v, n)
        lr = c["lr"]
        c["end"] = _numeric("end", raw["end"], n) if "end" in raw else lr * c["end_ratio"]
        self.c = c
        self._validate()

    def _validate(self) -> None:
        c = self.c
        shape = c["shape"]
        horizon = np.isin(shape, [SHAPES.index(s) for s in _HORIZON])
        if "steps" not in self.raw and horizon.any():
            i = int(np.argmax(horizon))
            raise ValueError(
                f"row {i}: shape {SHAPES[int(shape[i])]!r} decays over 'steps', which the configs do not give; "
                "add a 'steps' column (the decay length)"
            )
        _require(c["lr"] < 0, "lr", c["lr"], ">= 0")
        _require(c["end"] < 0, "end", c["end"], ">= 0")
        _require(horizon & (c["steps"] < 1), "steps", c["steps"], ">= 1")
        for k in ("warmup", "hold"):
            _require(c[k] < 0, k, c[k], ">= 0")
        for k in ("power", "exponent", "timescale", "cycle_decay"):
            _require(c[k] <= 0, k, c[k], "> 0")
        _require(c["warmup_start"] < 0, "warmup_start", c["warmup_start"], ">= 0")
        _require(c["floor"] < 0, "floor", c["floor"], ">= 0")
        _require(c["steps_per_epoch"] < 1, "steps_per_epoch", c["steps_per_epoch"], ">= 1")
        _require(c["cycles"] < 1, "cycles", c["cycles"], ">= 1")
        _require(c["cycle_mult"] < 1, "cycle_mult", c["cycle_mult"], ">= 1")
        uses_gamma = np.isin(shape, [SHAPES.index("step"), SHAPES.index("exponential")])
        _require(uses_gamma & (c["gamma"] <= 0), "gamma", c["gamma"], "> 0")
        _require(uses_gamma & (c["step_size"] < 1), "step_size", c["step_size"], ">= 1")
        _require((shape == SHAPES.index("step")) & (c["gamma"] > 1), "gamma", c["gamma"], "<= 1 for shape 'step'")
        grow = (shape == SHAPES.index("exponential")) & (c["gamma"] > 1) & (c["end"] <= 0)
        _require(grow, "end", c["end"], "> 0 for a growing exponential (gamma > 1)")
        restarted = c["cycles"] > 1
        _require(
            restarted & ~horizon, "shape", np.array(SHAPES, dtype=object)[shape], f"one of {_HORIZON} when cycles > 1"
        )
        _require(restarted & (c["hold"] > 0), "hold", c["hold"], "0 when cycles > 1")
        # warmup progress stays in [0, 1] by construction (span = steps, offset = 0)

    def subset(self, start: int, stop: int) -> _Cols:
        sub = object.__new__(_Cols)
        sub.n = stop - start
        sub.raw = {k: (np.asarray(v)[start:stop] if np.ndim(v) else v) for k, v in self.raw.items()}
        sub.c = {k: v[start:stop] for k, v in self.c.items()}
        return sub

    def named_columns(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for k in COLUMNS:
            if (k == "end" and "end" not in self.raw) or (k == "end_ratio" and "end" in self.raw):
                continue
            v = self.c[k]
            out[k] = np.array(_STR[k], dtype=object)[v] if k in _STR else v
        return out

    def row(self, i: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in COLUMNS:
            if k == "end" and "end" not in self.raw:
                continue
            if k == "end_ratio" and "end" in self.raw:
                continue
            v = self.c[k][i]
            out[k] = _STR[k][int(v)] if k in _STR else v.item()
        return out


# ---- vectorised lowering ---------------------------------------------------------------------


def _lower_columns(cols: _Cols) -> Program:
    c, n = cols.c, cols.n
    shape = c["shape"]
    lr, end = c["lr"], c["end"]
    hold = c["hold"]
    ci = np.zeros((n, L.CI_WIDTH), dtype=np.int64)
    cf = np.zeros((n, L.CF_WIDTH), dtype=np.float64)
    # segments: [hold?] + decay + [tail?]; counts per row, then CSR
    has_hold = hold > 0
    restarted = c["cycles"] > 1
    horizon = np.isin(shape, [SHAPES.index(s) for s in _HORIZON])
    has_tail = horizon & ~restarted
    count = 1 + has_hold.astype(np.int64) + has_tail.astype(np.int64)
    hi = np.cumsum(count)
    lo = hi - count
    ci[:, L.I_SEG_LO] = lo
    ci[:, L.I_SEG_HI] = hi
    S = int(hi[-1])
    si = np.zeros((S, L.SI_WIDTH), dtype=np.int64)
    sf = np.zeros((S, L.SF_WIDTH), dtype=np.float64)
    sf[:, L.S_N] = 1.0
    sf[:, L.S_Q0] = 1.0
    sf[:, L.S_Q1] = 1.0
    sf[:, L.S_Q2] = 1.0
    # hold segment (Constant(lr)) at local 0
    h = lo[has_hold]
    si[h, L.S_CODE] = L.CONST
    sf[h, L.S_BASE] = lr[has_hold]
    sf[h, L.S_AMP] = 0.0
    # decay segment
    d = lo + has_hold.astype(np.int64)
    si[d, L.S_START] = np.where(has_hold, hold, 0)
    steps_f = c["steps"].astype(np.float64)
    code = np.full(n, L.CONST, dtype=np.int64)
    base = lr.copy()
    amp = np.zeros(n)
    nn = np.ones(n)
    q0, q1, q2, q3 = np.ones(n), np.ones(n), np.ones(n), np.zeros(n)

    present = set(np.unique(shape).tolist()) if shape.strides != (0,) else {int(shape[0])}

    def sel(name: str) -> np.ndarray:
        if SHAPES.index(name) not in present:
            return np.zeros(n, dtype=bool)
        return np.asarray(shape == SHAPES.index(name))

    m = sel("linear")
    up = m & (lr <= end)
    down = m & ~(lr <= end)
    code[up], base[up], amp[up] = L.LIN_UP, lr[up], end[up] - lr[up]
    code[down], base[down], amp[down] = L.LIN_DOWN, end[down], lr[down] - end[down]
    nn[m] = steps_f[m]
    m = sel("cosine")
    plain = m & (c["exponent"] == 1.0) & (lr <= end)
    down = m & ~plain
    code[plain], base[plain], amp[plain] = L.COS_UP, lr[plain], end[plain] - lr[plain]
    code[down], base[down], amp[down] = L.COS_DOWN, end[down], lr[down] - end[down]
    q0[down], q1[down], q2[down] = c["exponent"][down], 1.0, 2.0 * 0.5
    nn[m] = steps_f[m]
    for name, kcode in (("polynomial", L.POLY_DOWN), ("tanh", L.TANH), ("sqrt", L.SQRT_DOWN)):
        m = sel(name)
        code[m], base[m], amp[m], nn[m] = kcode, end[m], lr[m] - end[m], steps_f[m]
    m = sel("polynomial")
    q0[m], q1[m] = c["power"][m], 1.0
    m = sel("tanh")
    q0[m], q1[m] = -7.0, 3.0
    m = sel("exponential")
    has_clip = m & (end > 0) & (lr > 0)
    code[m], base[m], amp[m], nn[m] = L.EXP, 0.0, lr[m], c["step_size"][m].astype(np.float64)
    q0[m], q1[m] = c["gamma"][m], 0.0
    q2[m] = 0.0
    q2[has_clip] = end[has_clip] / lr[has_clip]
    q3[m] = has_clip[m].astype(np.float64)
    m = sel("step")
    code[m], base[m], amp[m], nn[m] = L.EXP, 0.0, lr[m], c["step_size"][m].astype(np.float64)
    q0[m], q1[m], q2[m], q3[m] = c["gamma"][m], 1.0, 0.0, 0.0
    m = sel("inverse_sqrt")
    code[m], base[m], amp[m], nn[m] = L.INV_SQRT, 0.0, lr[m], c["timescale"][m]
    off = np.where(m, -c["timescale"], 0.0)
    si[d, L.S_CODE] = code
    for col, val in ((L.S_BASE, base), (L.S_AMP, amp), (L.S_N, nn), (L.S_OFF, off)):
        sf[d, col] = val
    for col, val in ((L.S_Q0, q0), (L.S_Q1, q1), (L.S_Q2, q2), (L.S_Q3, q3)):
        sf[d, col] = val
    # held tail: the decay's value at `steps` (as Shape._segments computes it)
    t = hi[has_tail] - 1
    dt = d[has_tail]
    unit_end = np.zeros(n)
    for name, u in _TAIL_UNIT.items():
        unit_end[sel(name)] = u
    linear_up_end = sel("linear") & (lr <= end)
    unit_end[linear_up_end] = 1.0
    cos_up_end = sel("cosine") & (si[d, L.S_CODE] == L.COS_UP)
    unit_end[cos_up_end] = formulas.cosine_up(1.0, 1.0, 1.0)
    si[t, L.S_START] = si[dt, L.S_START] + c["steps"][has_tail]
    si[t, L.S_CODE] = L.CONST
    sf[t, L.S_BASE] = sf[dt, L.S_BASE] + sf[dt, L.S_AMP] * unit_end[has_tail]
    sf[t, L.S_AMP] = 0.0
    sf[t, L.S_Q3] = 0.0
    # schedule-level fields
    cf[:, L.F_SCALE] = 1.0
    cf[:, L.F_FLOOR] = np.where(c["floor"] > 0, c["floor"], -np.inf)
    ci[:, L.I_SPE] = c["steps_per_epoch"]
    w = c["warmup"] > 0
    mode = np.array([WARMUP_MODES[k] for k in _STR["warmup_mode"]])[c["warmup_mode"]]
    wcode = np.array([WARMUP_SHAPES[k] for k in _STR["warmup_shape"]])[c["warmup_shape"]]
    ci[w, L.I_WU_MODE] = mode[w]
    ci[w, L.I_WU_LEN] = c["warmup"][w]
    ci[w, L.I_WU_CODE] = wcode[w]
    cf[w, L.F_WU_BASE] = c["warmup_start"][w]
    cf[w, L.F_WU_N] = c["warmup"][w].astype(np.float64)
    cf[w, L.F_WU_OFF] = 0.0
    power_shape = _STR["warmup_shape"].index("power")
    cf[w, L.F_WU_Q0] = np.where(c["warmup_shape"][w] == power_shape, 2.0, 1.0)
    cf[w, L.F_WU_Q1] = 1.0
    cf[w, L.F_WU_Q2] = 1.0
    prefix = w & (mode == L.WU_PREFIX)
    ci[prefix, L.I_SHIFT] = c["warmup"][prefix]
    ci[prefix, L.I_WU_TARGET] = c["warmup"][prefix]
    r = restarted
    mult = c["cycle_mult"]
    ci[r, L.I_RS_KIND] = np.where(mult[r] != 1.0, L.RS_GROW, L.RS_INT)
    ci[r, L.I_RS_PERIOD] = c["steps"][r]
    ci[r, L.I_RS_LIMIT] = c["cycles"][r]
    ci[r, L.I_RS_MODE] = L.RS_AMPLITUDE
    ci[r, L.I_RS_EXACT] = 1
    cf[r, L.F_RS_PERIOD] = steps_f[r]
    cf[r, L.F_RS_MULT] = mult[r]
    cf[r, L.F_RS_DECAY] = c["cycle_decay"][r]
    cf[r, L.F_RS_CYCLES] = 1.0
    cf[r, L.F_RS_PEAK] = lr[r]
    return Program(ci, cf, si, sf, configs=cols)


# ---- public entry points ---------------------------------------------------------------------


def lower(configs: Any) -> Program:
    """Lower configs to a :class:`fastlr.Program` that :func:`sweep` and :func:`summarize` accept.

    Parameters
    ----------
    configs
        Flat-config columns (a mapping of equal-length arrays or scalars, e.g. from
        :func:`grid`; a pandas or polars DataFrame; a list of flat dicts) — lowered with NumPy
        in one pass; or a list of schedule objects / ``to_dict()`` dicts (any structure, presets
        included) — lowered one by one; or an existing Program (returned as is).

    Row ``i`` of the result traces back to its config: ``program.config(i)`` and
    ``program.schedule(i)``.
    """
    if isinstance(configs, Program):
        return configs
    if isinstance(configs, Schedulable):
        configs = [configs]
    cols = _columns_from(configs)
    if cols is not None:
        return _lower_columns(_Cols(cols))
    if isinstance(configs, Sequence) and not isinstance(configs, (str, bytes)):
        if not configs:
            raise ValueError("configs are empty")
        scheds, items = [], []
        for i, item in enumerate(configs):
            if isinstance(item, Mapping) and "type" in item:
                item = from_dict(dict(item))
            if not isinstance(item, Schedulable):
                raise TypeError(f"configs[{i}] must be a schedule, a to_dict() dict or a flat config; got {item!r}")
            items.append(item)
            scheds.append(item._schedule())
        return lower_schedules(scheds, items)
    raise TypeError(
        "configs must be columns (mapping, DataFrame), a list of dicts or schedules, or a Program; "
        f"got {type(configs).__name__}"
    )


def _progress(total: int, enabled: bool | None) -> Callable[[int], None]:
    """A progress callback: tqdm when installed, else a one-line stderr bar; off off-terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return lambda k: None
    try:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="rows", desc="fastlr sweep", leave=False)

        def update(k: int) -> None:
            bar.update(k)
            if bar.n >= total:
                bar.close()

        return update
    except ImportError:
        done = [0]

        def update(k: int) -> None:
            done[0] += k
            frac = done[0] / total
            sys.stderr.write(f"\rfastlr sweep [{'#' * int(30 * frac):<30}] {done[0]}/{total} rows")
            if done[0] >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        return update


def _chunk_rows(n: int, T: int, itemsize: int, chunk_rows: int | None) -> int:
    if chunk_rows is not None:
        return ck.integer("chunk_rows", chunk_rows, lo=1)
    # ~64 MB of output per chunk keeps progress lively and memmap writes streaming
    return max(1, min(n, (64 << 20) // max(1, T * itemsize)))


def sweep(
    configs: Any,
    T: int,
    dtype: Any = None,
    out: np.ndarray | None = None,
    *,
    chunk_rows: int | None = None,
    progress: bool | None = None,
    t0: int = 0,
    exact: bool | None = None,
    device: str = "cpu",
    to_host: bool = False,
) -> Any:
    """The ``(N, T)`` table of N configs: row i holds config i's values for steps ``t0 ..``.

    Parameters
    ----------
    configs
        Anything :func:`lower` accepts, or a Program (lowering is then skipped).
    T : int
        Steps per row, >= 1.
    dtype : float32 or float64, optional
        Default: ``out``'s dtype, else float32. Computation is float64; each value is rounded
        once.
    out : ndarray, optional
        Any C-contiguous ``(N, T)`` array of that dtype, e.g. an ``np.memmap`` for results
        larger than memory (written chunk by chunk). Without ``out`` a result that would not fit
        in available memory raises :class:`fastlr.MemoryLimitError`.
    chunk_rows : int, optional
        Rows per kernel call (default: about 64 MB of output). Results do not depend on it.
    progress : bool, optional
        Show a progress bar (default: only on a terminal, once a sweep runs over ~2 s).
    t0 : int
        First step (a block of steps ``t0 .. t0 + T - 1`` is computed directly).
    exact : bool, optional
        Evaluate transcendental functions with libm (True) or with the vectorised
        approximations, within 1e-14 relative (False). Default: exact for float64 output,
        fast for float32 (where the difference is far below the float32 rounding).
    device : {"cpu", "cuda"}
        ``"cuda"`` computes on the GPU (the same formulas, libdevice math) and returns a
        device array, or writes into ``out`` (a torch CUDA tensor, a CuPy array, anything with
        ``__cuda_array_interface__``); see ``docs/cuda.md``.
    to_host : bool
        With ``device="cuda"``: stream the result back to a host array in tiles (sweeps
        larger than GPU memory).

    Rows are bit-identical whatever the batch, chunking or thread count.
    """
    dt = _engine.cuda_dtype(device, dtype, out, exact, np.float32)
    if dt is not None:
        from fastlr._cuda import sweep_cuda

        return sweep_cuda(configs, T, dt, out=out, to_host=to_host, chunk_rows=chunk_rows, t0=t0)
    prog = lower(configs)
    T = _engine.check_T(T)
    t0 = ck.integer("t0", t0, lo=0)
    res = _engine.prepare((prog.n_rows, T), dtype, out)
    from fastlr.kernels import cpu

    ci, cf, si, sf = prog.arrays()
    fill_rows = cpu.kernels(_engine.use_exact(exact, res.dtype), (ci, cf, si, sf))["fill_rows"]
    step = _chunk_rows(prog.n_rows, T, res.itemsize, chunk_rows)
    report: Callable[[int], None] | None = None
    started = time.perf_counter()
    for lo in range(0, prog.n_rows, step):
        hi = min(prog.n_rows, lo + step)
        rows = np.arange(lo, hi, dtype=np.int64)
        fill_rows(ci, cf, si, sf, rows, t0, res[lo:hi], cpu.n_chunks())
        if report is None and (progress or (progress is None and time.perf_counter() - started > 2.0)):
            report = _progress(prog.n_rows, progress)
            report(hi)
        elif report is not None:
            report(hi - lo)
    if isinstance(res, np.memmap):
        res.flush()
    return res


#: Names of the per-config summaries.
SUMMARY_FIELDS = ("final", "peak", "peak_step", "min", "sum", "mean", "above", "below")


def summarize(
    configs: Any, T: int, *, threshold: float | None = None, t0: int = 0, chunk_rows: int | None = None
) -> dict[str, np.ndarray]:
    """Per-config summaries over steps ``t0 .. t0 + T - 1``, without materialising the table.

    Returns a dict of arrays of length N: ``final`` (last value), ``peak`` and ``peak_step``
    (first step reaching it), ``min``, ``sum`` (area under the curve, float64 sequential sum),
    ``mean``, and with ``threshold`` the counts of steps ``above`` (>) and ``below`` (<) it.
    Values are float64 from the fast primitives (within 1e-14 relative of libm).
    """
    prog = lower(configs)
    T = _engine.check_T(T)
    t0 = ck.integer("t0", t0, lo=0)
    thr = math.nan if threshold is None else ck.real("threshold", threshold)
    fsum, isum = summary_arrays(prog, T, thr, t0, chunk_rows)
    out = {
        "final": fsum[:, 0],
        "peak": fsum[:, 1],
        "peak_step": isum[:, 0],
        "min": fsum[:, 2],
        "sum": fsum[:, 3],
        "mean": fsum[:, 3] / T,
    }
    if threshold is not None:
        out["above"] = isum[:, 1]
        out["below"] = isum[:, 2]
    return out


def summary_arrays(
    prog: Program, T: int, threshold: float, t0: int, chunk_rows: int | None = None, sum0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The summary kernel on validated arguments: ``(fsum, isum)`` with float64 columns final,
    peak, min, sum and int64 columns peak step (absolute), count above, count below.

    ``sum0`` starts each row's running sum (to continue a summary over an earlier block of
    steps, value by value, as one pass over the whole row would).
    """
    from fastlr.kernels import cpu

    n = prog.n_rows
    fsum = np.empty((n, 4), dtype=np.float64)
    isum = np.empty((n, 3), dtype=np.int64)
    start = np.zeros(n) if sum0 is None else np.ascontiguousarray(sum0, dtype=np.float64)
    ci, cf, si, sf = prog.arrays()
    summarize_rows = cpu.kernels(False, (ci, cf, si, sf))["summarize_rows"]
    step = max(1, min(n, 1 << 16)) if chunk_rows is None else ck.integer("chunk_rows", chunk_rows, lo=1)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        rows = np.arange(lo, hi, dtype=np.int64)
        summarize_rows(ci, cf, si, sf, rows, t0, T, threshold, start[lo:hi], fsum[lo:hi], isum[lo:hi], cpu.n_chunks())
    isum[:, 0] += t0
    return fsum, isum
