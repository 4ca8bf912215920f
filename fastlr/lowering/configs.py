"""Flat configs: the column vocabulary of sweeps, grids, and their lowering in one NumPy pass.

A *flat config* describes one warmup/decay schedule by named columns (the vocabulary sweep tools
use); :data:`COLUMNS` lists them with their defaults. Row ``i`` means::

    decay  = SHAPE(lr -> end over `steps`)      end = `end`, or lr * `end_ratio`
    curve  = Join([Constant(lr), decay], [hold])   when hold > 0
    Schedule(curve,
             warmup=Warmup(warmup, start=warmup_start, shape=warmup_shape, mode=warmup_mode),
             restarts=Restarts(mult=cycle_mult, decay=cycle_decay, limit=cycles) if cycles > 1,
             floor=floor or None, steps_per_epoch=steps_per_epoch)

:func:`config_schedule` builds that schedule object for one row; :func:`lower_columns` builds
the program for all rows at once with NumPy (no Python loop per row). Both are driven by one
table, :data:`FLAT_SHAPES`: each flat shape name maps to a shape class and its parameters as
columns, and the columnar path lowers through that class's ``lower_columns`` and
:func:`fastlr.lowering.rows.row_fields`, the same functions an object lowers through, so a row's
program is identical either way by construction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr._spec import Schedulable, from_dict
from fastlr.lowering import rows
from fastlr.lowering import segments as seg
from fastlr.lowering.program import Program, assemble, lower_schedules
from fastlr.schedule import WARMUP_MODES, WARMUP_SHAPES, Restarts, Schedule, Shape, Warmup
from fastlr.shapes import (
    Constant,
    Cosine,
    Exponential,
    InverseSqrt,
    Join,
    Linear,
    Polynomial,
    SqrtCooldown,
    StepDecay,
    Tanh,
)

__all__ = ["COLUMNS", "FLAT_SHAPES", "SHAPES", "config_schedule", "grid", "lower", "lower_columns"]

#: Decay shapes of a flat config: name -> (shape class, its parameters from the columns ``c``).
#: The parameters are arrays (one entry per row) or, for one row, numbers.
FLAT_SHAPES: dict[str, tuple[type[Shape], Any]] = {
    "constant": (Constant, lambda c: {"value": c["lr"]}),
    "linear": (Linear, lambda c: {"start": c["lr"], "end": c["end"], "steps": c["steps"]}),
    "cosine": (Cosine, lambda c: {"start": c["lr"], "end": c["end"], "steps": c["steps"], "exponent": c["exponent"]}),
    "polynomial": (
        Polynomial,
        lambda c: {"start": c["lr"], "end": c["end"], "steps": c["steps"], "power": c["power"]},
    ),
    "tanh": (Tanh, lambda c: {"start": c["lr"], "end": c["end"], "steps": c["steps"]}),
    "sqrt": (SqrtCooldown, lambda c: {"start": c["lr"], "end": c["end"], "steps": c["steps"]}),
    "exponential": (
        Exponential,
        lambda c: {
            "start": c["lr"],
            "rate": c["gamma"],
            "steps": _float(c["step_size"]),
            "end": np.where(np.asarray(c["end"]) > 0, c["end"], np.nan),
        },
    ),
    "step": (StepDecay, lambda c: {"start": c["lr"], "step_size": c["step_size"], "gamma": c["gamma"]}),
    "inverse_sqrt": (InverseSqrt, lambda c: {"start": c["lr"], "timescale": c["timescale"]}),
}
SHAPES = tuple(FLAT_SHAPES)
#: The flat shapes that decay over ``steps`` (they can restart, and need a ``steps`` column).
_HORIZON = tuple(k for k, (cls, _) in FLAT_SHAPES.items() if cls.__dict__.get("restartable"))


def _float(v: Any) -> Any:
    return np.asarray(v, dtype=np.float64) if np.ndim(v) else float(v)


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

# ---- one row ---------------------------------------------------------------------------------


def config_schedule(**params: Any) -> Schedule:
    """The :class:`fastlr.Schedule` that one flat config describes (see the module docstring).

    Examples
    --------
    >>> import fastlr
    >>> s = fastlr.config_schedule(lr=1.0, shape="linear", steps=4, warmup=2)
    >>> s == fastlr.Schedule(fastlr.Linear(1.0, 0.0, 4), warmup=fastlr.Warmup(2)), s.table(7).tolist()
    (True, [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0])
    """
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
    cls, shape_args = FLAT_SHAPES[shape]
    scalars = {"lr": lr, "end": end, "steps": steps, "exponent": float(p["exponent"]), "power": float(p["power"])}
    scalars.update(gamma=float(p["gamma"]), step_size=int(p["step_size"]), timescale=float(p["timescale"]))
    kwargs = {k: (v.item() if isinstance(v, np.ndarray) else v) for k, v in shape_args(scalars).items()}
    decay = cls(**{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in kwargs.items()})
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

    Examples
    --------
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
    # the columns (8 bytes a cell) and the repeat/tile temporaries, before allocating them
    what = f"a grid of {total:,} configs ({' x '.join(map(str, sizes))})"
    ck.guard_bytes(3 * 8 * total * len(names), what, floor=ck.SMALL_BYTES)
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

    def schedule(self, i: int) -> Schedule:
        """Row ``i`` as a schedule object."""
        return config_schedule(**self.row(i))

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


#: Bytes the vectorised lowering needs per config, at its peak (measured: about 1 kB; twice that
#: for restarts, holds and mixed shapes).
LOWER_BYTES_PER_ROW = 2048


def lower_columns(cols: _Cols) -> Program:
    """The program of validated flat-config columns: each shape's rows lowered together through
    the shape class's ``lower_columns``, schedule fields through :func:`rows.row_fields`."""
    c, n = cols.c, cols.n
    ck.guard_bytes(
        n * LOWER_BYTES_PER_ROW, f"lowering {n:,} configs", "lower fewer configs at a time", floor=ck.SMALL_BYTES
    )
    shape = c["shape"]
    present = np.unique(shape) if shape.strides != (0,) else shape[:1]
    parts = []
    for code in present.tolist():
        cls, shape_args = FLAT_SHAPES[SHAPES[code]]
        idx = None if len(present) == 1 else np.flatnonzero(shape == code)
        sub = c if idx is None else {k: v[idx] for k, v in c.items()}
        parts.append((idx, cls.lower_columns(**shape_args(sub))))  # type: ignore[attr-defined]
    if parts[0][0] is None:
        decay = parts[0][1]
    else:
        decay = seg.empty(n, max(p.start.shape[1] for _, p in parts))
        for idx, part in parts:
            kp = part.start.shape[1]
            decay.start[idx, :kp], decay.code[idx, :kp], decay.f[idx, :kp] = part.start, part.code, part.f
            decay.valid[idx, :kp] = part.valid
            decay.valid[idx, kp:] = False
    # a held start: Join([Constant(lr), decay], [hold]); hold = 0 leaves the decay alone
    holds = c["hold"]
    segs = seg.join([seg.constant(c["lr"]), decay], holds.reshape(n, 1)) if holds.any() else decay
    restarted = c["cycles"] > 1
    if restarted.any():
        segs = _first_only(segs, restarted)
    floor = np.where(c["floor"] > 0, c["floor"], -np.inf)
    warmup = rows.WarmupColumns(
        steps=c["warmup"],
        start=c["warmup_start"],
        shape=np.array([WARMUP_SHAPES[k] for k in _STR["warmup_shape"]])[c["warmup_shape"]],
        mode=np.array([WARMUP_MODES[k] for k in _STR["warmup_mode"]])[c["warmup_mode"]],
    )
    restarts = rows.RestartColumns(
        active=restarted,
        period=c["steps"],
        peak=c["lr"],
        mult=c["cycle_mult"],
        decay=c["cycle_decay"],
        limit=c["cycles"].astype(np.float64),
    )
    ci, cf = rows.row_fields(n, 1.0, floor, c["steps_per_epoch"], warmup, restarts)
    return assemble(ci, cf, segs, configs=cols)


def _first_only(segs: seg.Segs, rows: np.ndarray) -> seg.Segs:
    """Keep only the first valid segment in ``rows`` (a restarted curve repeats its first)."""
    first = np.cumsum(segs.valid, axis=1) == 1
    segs.valid[rows] &= first[rows]
    return segs


def lower(configs: Any) -> Program:
    """Lower configs to a :class:`fastlr.Program` that :func:`fastlr.sweep` and
    :func:`fastlr.summarize` accept.

    Parameters
    ----------
    configs
        Flat-config columns (a mapping of equal-length arrays or scalars, e.g. from
        :func:`grid`; a pandas or polars DataFrame; a list of flat dicts) — lowered with NumPy
        in one pass; or a list of schedule objects / ``to_dict()`` dicts (any structure, presets
        included) — lowered one by one; or an existing Program (returned as is).

    Notes
    -----
    Row ``i`` of the result traces back to its config: ``program.config(i)`` and
    ``program.schedule(i)``.

    Examples
    --------
    >>> import fastlr
    >>> p = fastlr.lower([{"lr": 1.0, "shape": "linear", "steps": 4}, {"lr": 0.5, "shape": "cosine", "steps": 4}])
    >>> p.n_rows, p.config(1)["shape"], fastlr.sweep(p, 5, dtype="float64")[0].tolist()
    (2, 'cosine', [1.0, 0.75, 0.5, 0.25, 0.0])
    """
    if isinstance(configs, Program):
        return configs
    if isinstance(configs, Schedulable):
        configs = [configs]
    cols = _columns_from(configs)
    if cols is not None:
        return lower_columns(_Cols(cols))
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
