"""Flat configs: the column vocabulary of sweeps, grids, and their lowering in one NumPy pass.

A *flat config* describes one warmup/decay schedule by named columns (the vocabulary sweep tools
use); :data:`VOCABULARY` lists them with their defaults and aliases (``learning_rate`` for
``lr``, ``num_warmup_steps`` for ``warmup``, ...; docs/configs.md is generated from it). Row
``i`` means::

    decay  = SHAPE(lr -> end over `steps`)      end = `end`, or lr * `end_ratio`
             (or Formula(fn, scale=lr, **params) for a row with a `formula` cell; its
             parameters are the columns of their names)
    curve  = Join([Constant(lr), decay], [hold])   when hold > 0
    Schedule(curve,
             warmup=Warmup(warmup, start=warmup_start, shape=warmup_shape, mode=warmup_mode),
             restarts=Restarts(mult=cycle_mult, decay=cycle_decay, limit=cycles) if cycles > 1,
             floor=floor or None, steps_per_epoch=steps_per_epoch)

What a row leaves out is derived from the run's length ``total_steps`` (``fastlr.sweep``'s
``T``): ``steps = total_steps - warmup - hold``, the ratio columns, and an exponential's
``gamma`` from ``end``.

One validation, :class:`_Cols`, checks and resolves every column of every row with NumPy:
:func:`lower_columns` builds the program of all rows at once (no Python loop per row), and
:func:`config_schedule` is the same validation on one row followed by the schedule objects, so
both accept and refuse the same configs. Both are driven by one table, :data:`FLAT_SHAPES`:
each flat shape name maps to a shape class and its parameters as columns, and the columnar path
lowers through that class's ``lower_columns`` and :func:`fastlr.lowering.rows.row_fields`, the
same functions an object lowers through, so a row's program is identical either way by
construction.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr._spec import Schedulable, from_dict
from fastlr.formula import Formula
from fastlr.kernels import layout as L
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

__all__ = [
    "ALIASES",
    "COLUMNS",
    "FLAT_SHAPES",
    "SHAPES",
    "VOCABULARY",
    "Column",
    "canonical",
    "canonical_name",
    "config_schedule",
    "grid",
    "lower",
    "lower_columns",
    "lower_for",
    "vocabulary_table",
]

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


def _float(v: Any) -> Any:
    return np.asarray(v, dtype=np.float64) if np.ndim(v) else float(v)


@dataclasses.dataclass(frozen=True)
class Column:
    """One flat-config column: its canonical name, kind, default, meaning and accepted aliases.

    ``kind`` is ``"real"``, ``"int"`` (an integer; an integral float such as ``100.0`` is
    accepted) or ``"name"`` (one of a few strings); ``default`` None means the column is required
    (``lr``) or derived per row, as ``meaning`` says.
    """

    name: str
    kind: str
    default: Any
    meaning: str
    aliases: tuple[str, ...] = ()


#: The flat shapes whose curve decays over ``steps`` (they can restart; they need a length).
_HORIZON = tuple(k for k, (cls, _) in FLAT_SHAPES.items() if cls.__dict__.get("restartable"))
_IS_HORIZON = np.array([k in _HORIZON for k in SHAPES])
#: The warmup shapes a flat config can name (``radam`` needs a ``beta2`` the vocabulary lacks).
FLAT_WARMUP_SHAPES = tuple(k for k in WARMUP_SHAPES if k != "radam")

#: The flat-config vocabulary, one entry per column (docs/configs.md is generated from it).
VOCABULARY: tuple[Column, ...] = (
    Column(
        "lr",
        "real",
        None,
        "the peak value, where the decay starts (required)",
        ("learning_rate", "base_lr", "peak_lr", "max_lr", "peak_value", "initial_learning_rate"),
    ),
    Column("shape", "name", "cosine", "the decay: " + ", ".join(SHAPES), ("lr_scheduler_type", "decay_type")),
    Column(
        "steps",
        "int",
        None,
        "the decay's length; absent: `total_steps - warmup - hold` (an overlay or blend warmup is not "
        "subtracted), at least 1",
        ("decay_steps", "num_decay_steps", "T_max", "T_0"),
    ),
    Column(
        "total_steps",
        "int",
        None,
        "the run's length, which an absent `steps` and the ratios are taken from; default: the `T` of "
        "`fastlr.sweep`/`summarize` (with `t0 = 0`) or the CLI's table length",
        ("num_training_steps", "max_steps", "training_steps", "total_num_steps"),
    ),
    Column(
        "end",
        "real",
        None,
        "the decay's end value; absent: `lr * end_ratio`",
        ("min_lr", "lr_min", "eta_min", "end_lr", "end_value", "end_learning_rate", "final_lr"),
    ),
    Column(
        "end_ratio",
        "real",
        0.0,
        "the end value as a fraction of `lr`",
        ("min_lr_ratio", "min_lr_rate", "min_lr_factor"),
    ),
    Column("warmup", "int", 0, "warmup steps", ("warmup_steps", "num_warmup_steps", "warmup_iters")),
    Column("warmup_ratio", "real", None, "`warmup = ceil(warmup_ratio * total_steps)` (transformers' rule), in [0, 1]"),
    Column("warmup_shape", "name", "linear", "the warmup curve: " + ", ".join(FLAT_WARMUP_SHAPES)),
    Column("warmup_mode", "name", "prefix", "how warmup and decay combine: " + ", ".join(WARMUP_MODES)),
    Column(
        "warmup_start",
        "real",
        0.0,
        "the warmup's first value (a factor of the curve for `overlay`)",
        ("warmup_lr_init", "warmup_init_lr"),
    ),
    Column("hold", "int", 0, "steps held at `lr` before the decay", ("hold_steps", "stable_steps", "num_stable_steps")),
    Column("hold_ratio", "real", None, "`hold = ceil(hold_ratio * total_steps)`, in [0, 1]"),
    Column("decay_ratio", "real", None, "`steps = ceil(decay_ratio * total_steps)`, in (0, 1]"),
    Column("power", "real", 1.0, "the polynomial's power"),
    Column("exponent", "real", 1.0, "the cosine's exponent"),
    Column(
        "gamma",
        "real",
        None,
        "the factor per `step_size` steps: required for `step`; for `exponential`, absent: "
        "`(end / lr) ^ (step_size / steps)`, so the curve reaches `end` after `steps` and holds it",
        ("decay_rate",),
    ),
    Column(
        "step_size",
        "int",
        1,
        "steps per factor `gamma`: required for `step` (steps between drops)",
        ("transition_steps",),
    ),
    Column("timescale", "real", 1000.0, "the inverse_sqrt timescale"),
    Column("floor", "real", 0.0, "an absolute lower bound (0: none)"),
    Column("cycles", "int", 1, "the number of decay cycles (restarts when > 1)", ("cycle_limit",)),
    Column("cycle_mult", "real", 1.0, "each cycle's length, times the previous one's", ("cycle_mul", "T_mult")),
    Column("cycle_decay", "real", 1.0, "each cycle's peak, times the previous one's"),
    Column(
        "formula",
        "formula",
        None,
        "a `fastlr.Formula`, the curve instead of `shape`: `lr` (default: the Formula's scale) times its "
        "function; each of its parameters is the column of that name (absent: the Formula's own value); "
        "`warmup`, `hold`, `floor` and `steps_per_epoch` apply around it",
    ),
    Column(
        "steps_per_epoch",
        "int",
        1,
        "the decay advances once per epoch of this many steps (the warmup per step); `steps` and `hold` "
        "then count epochs and are not derived",
    ),
)

#: Flat-config columns and their defaults (``None``: required or derived; see :data:`VOCABULARY`).
COLUMNS: dict[str, Any] = {c.name: c.default for c in VOCABULARY}
#: Alias -> canonical column name (``learning_rate`` -> ``lr``, ...).
ALIASES: dict[str, str] = {a: c.name for c in VOCABULARY for a in c.aliases}
_KIND = {c.name: c.kind for c in VOCABULARY}
_STR = {"shape": SHAPES, "warmup_shape": FLAT_WARMUP_SHAPES, "warmup_mode": tuple(WARMUP_MODES)}
_INT = tuple(c.name for c in VOCABULARY if c.kind == "int")
#: Ratio columns and the column each one gives (as a fraction of ``total_steps``).
_RATIOS = {"warmup_ratio": "warmup", "hold_ratio": "hold", "decay_ratio": "steps"}
#: Columns that only feed the derivation of others (not part of a row's schedule).
_INPUTS = ("total_steps", *_RATIOS)
#: The largest integer a column may hold (a step count; beyond it int64 arithmetic is not safe).
MAX_INT = 2**50


def vocabulary_table() -> str:
    """The vocabulary as a Markdown table (column, default, aliases, meaning): docs/configs.md."""
    lines = ["| column | default | aliases | meaning |", "|---|---|---|---|"]
    for c in VOCABULARY:
        default = "—" if c.default is None else f"`{c.default!r}`".replace("'", '"')
        aliases = ", ".join(f"`{a}`" for a in c.aliases) or "—"
        lines.append(f"| `{c.name}` | {default} | {aliases} | {c.meaning} |")
    return "\n".join(lines) + "\n"


# ---- names -----------------------------------------------------------------------------------


def canonical_name(name: Any) -> str:
    """The canonical column a name or alias stands for.

    >>> canonical_name("learning_rate"), canonical_name("warmup_steps"), canonical_name("lr")
    ('lr', 'warmup', 'lr')
    """
    if name in COLUMNS:
        return str(name)
    if name in ALIASES:
        return ALIASES[name]
    raise ValueError(_unknown([name]))


def _unknown(names: Sequence[Any], where: str = "") -> str:
    return (
        f"{where}unknown config column(s) {sorted(map(str, names))}; valid columns: {sorted(COLUMNS)} "
        "(or an alias, fastlr.lowering.configs.ALIASES; with a 'formula' column, also its parameters)"
    )


def _with_formula(names: Any) -> bool:
    """Whether the columns include ``formula`` (whose parameters are columns of their own names)."""
    return any(ALIASES.get(k, k) == "formula" for k in names)


def _rename(config: Mapping[Any, Any], where: str = "") -> tuple[dict[str, Any], dict[str, str]]:
    """``config`` with canonical keys, and each canonical key's name as given (for messages).
    Beside a ``formula`` column, other names are kept as its parameters (checked by :class:`_Cols`)."""
    unknown = [k for k in config if k not in COLUMNS and k not in ALIASES]
    if unknown and not _with_formula(config):
        raise ValueError(_unknown(unknown, where))
    out: dict[str, Any] = {}
    label: dict[str, str] = {}
    for k, v in config.items():
        c = ALIASES.get(k, k)
        if c in out:
            raise ValueError(f"{where}{label[c]!r} and {k!r} both give column {c!r}; give one of them")
        out[c], label[c] = v, str(k)
    return out, label


def _frame(configs: Any) -> dict[str, Any] | None:
    """The columns of a pandas or polars DataFrame, else None."""
    mod = type(configs).__module__.split(".")[0]
    if mod in ("pandas", "polars") and hasattr(configs, "columns"):
        return {str(c): configs[c].to_numpy() for c in configs.columns}
    return None


def _is_flat_list(configs: Any) -> bool:
    return (
        isinstance(configs, Sequence)
        and not isinstance(configs, (str, bytes))
        and bool(configs)
        and all(isinstance(c, Mapping) and "type" not in c for c in configs)
    )


def canonical(configs: Any) -> Any:
    """Flat configs with every column under its canonical name (aliases resolved, values kept).

    ``configs`` is one config or columns (a mapping; returned as a new dict), a pandas or polars
    DataFrame (returned as a dict of column arrays) or a list of flat dicts (returned as a new
    list of dicts). Unknown names, and a column given twice (``lr`` and ``learning_rate``), raise
    ``ValueError`` naming them. This is the name map every flat-config reader shares.

    >>> canonical({"learning_rate": 3e-4, "num_warmup_steps": 100, "min_lr": 1e-5})
    {'lr': 0.0003, 'warmup': 100, 'end': 1e-05}
    >>> canonical([{"lr": 1e-3, "warmup_ratio": 0.1}, {"base_lr": 3e-4}])
    [{'lr': 0.001, 'warmup_ratio': 0.1}, {'lr': 0.0003}]
    """
    if isinstance(configs, Mapping):
        return _rename(configs)[0]
    frame = _frame(configs)
    if frame is not None:
        return _rename(frame)[0]
    if _is_flat_list(configs):
        return [_rename(c, f"configs[{i}]: ")[0] for i, c in enumerate(configs)]
    raise TypeError(f"flat configs are a mapping, a DataFrame or a list of dicts; got {type(configs).__name__}")


# ---- one row ---------------------------------------------------------------------------------


def config_schedule(**params: Any) -> Schedule:
    """The :class:`fastlr.Schedule` that one flat config describes (see the module docstring).

    The config is checked by the same code as a column of configs (:func:`lower`), so both
    accept and refuse the same values. Aliases are accepted (:func:`canonical`); an absent
    ``steps`` is derived from ``total_steps``.

    >>> s = config_schedule(learning_rate=1e-3, warmup_ratio=0.1, total_steps=1000, shape="linear")
    >>> s.warmup.steps, s.curve.steps, s.at(100)
    (100, 900, 0.001)
    """
    for k, v in params.items():
        if np.ndim(v) != 0 or isinstance(v, (list, tuple)):
            raise TypeError(f"config_schedule takes one config: {k} must be a single value, got {v!r}")
    try:
        cols = _Cols(params)
    except (ValueError, TypeError) as exc:
        raise type(exc)(str(exc).removeprefix("row 0: ")) from None
    return cols.schedule(0)


# ---- columns ---------------------------------------------------------------------------------


def grid(**axes: Any) -> dict[str, np.ndarray]:
    """The cartesian product of axis values, as flat-config columns (canonical names).

    Order: the first axis varies slowest, the last fastest (C order, like ``itertools.product``
    over the axes in the order given). Each axis is a value or a sequence of values; aliases are
    accepted (``learning_rate=[...]`` is the ``lr`` axis).

    Examples
    --------
    >>> g = grid(lr=[1e-3, 3e-4], warmup=[0, 100], shape=["cosine", "linear"])
    >>> len(g["lr"]), list(g["shape"][:2]), g["warmup"][:4].tolist()
    (8, ['cosine', 'linear'], [0, 0, 100, 100])
    """
    if not axes:
        raise ValueError("grid needs at least one axis")
    axes, label = _rename(axes, "grid: ")
    names = list(axes)
    values = []
    for name in names:
        v = axes[name]
        seq = list(v) if isinstance(v, (list, tuple, np.ndarray, range)) else [v]
        if not seq:
            raise ValueError(f"grid axis {label[name]!r} is empty")
        for x in seq:
            _check_cell(name, f"grid axis {label[name]!r}: ", x)
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
        if _KIND.get(name) in ("name", "formula"):
            col = np.empty(len(seq), dtype=object)
            col[:] = seq
        else:
            col = np.asarray(seq)
        out[name] = np.tile(np.repeat(col, inner), outer)
    return out


def _check_cell(name: str, where: str, v: Any) -> None:
    """One value of column ``name``: a string for a name column, a Formula for ``formula``, else
    a real number (no bool; a Formula's parameter too)."""
    if _KIND.get(name) == "formula":
        if not isinstance(v, Formula):
            raise TypeError(f"{where}{name} must be a fastlr.Formula, got {v!r}")
    elif _KIND.get(name) == "name":
        if not isinstance(v, str):
            raise TypeError(f"{where}{name} must be a name ({', '.join(map(repr, _STR[name]))}), got {v!r}")
    elif isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise TypeError(f"{where}{name} must be a number, got {v!r} ({type(v).__name__})")


def _columns_from(configs: Any) -> tuple[dict[str, Any], dict[str, str]] | None:
    """Canonical columns of a mapping / DataFrame / list of flat dicts (and the names as given),
    or None for other inputs. In a list of dicts a missing cell is None (the column's default,
    or derived)."""
    if isinstance(configs, Mapping):
        return _rename(configs)
    frame = _frame(configs)
    if frame is not None:
        return _rename(frame)
    if _is_flat_list(configs):
        return _list_columns(configs)
    return None


def _list_columns(configs: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Object columns of a list of flat dicts (a missing cell None); names resolved once over the
    union of keys, rows checked one by one only where a column is named twice."""
    names = list(dict.fromkeys(k for c in configs for k in c))
    unknown = [k for k in names if k not in COLUMNS and k not in ALIASES]
    if unknown and not _with_formula(names):
        i = next(i for i, c in enumerate(configs) if any(k in c for k in unknown))
        raise ValueError(_unknown([k for k in unknown if k in configs[i]], f"row {i}: "))
    variants: dict[str, list[str]] = {}
    for k in names:
        variants.setdefault(ALIASES.get(k, k), []).append(k)
    cols: dict[str, Any] = {}
    for canon, ks in variants.items():
        col = np.empty(len(configs), dtype=object)
        if len(ks) == 1:
            col[:] = [c.get(ks[0]) for c in configs]
        else:
            for i, c in enumerate(configs):
                present = [k for k in ks if k in c]
                if len(present) > 1:
                    raise ValueError(
                        f"row {i}: {present[0]!r} and {present[1]!r} both give column {canon!r}; give one of them"
                    )
                col[i] = c[present[0]] if present else None
        cols[canon] = col
    return cols, {canon: ks[0] for canon, ks in variants.items()}


def _cells(name: str, label: str, col: Any, n: int, kind: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Column ``name`` checked: its values (missing cells 0 or '') and which cells were given.

    Numbers must be real (not bool, not strings); integer columns take integral values within
    :data:`MAX_INT`; every given value is finite.
    """
    arr = np.asarray(col, dtype=object) if isinstance(col, (list, tuple)) else np.asarray(col)
    kind = kind or _KIND[name]
    if arr.ndim == 0:  # one value for every row: checked once
        v, _ = _cells(name, label, np.array([arr.item()], dtype=object), 1, kind)
        g = np.full(n, arr.item() is not None)
        return (np.broadcast_to(v, (n,)) if kind == "name" else np.full(n, v[0], dtype=v.dtype)), g
    given = np.ones(n, dtype=bool)
    if arr.dtype.kind == "O":
        cells = arr.tolist()
        types = set(map(type, cells))
        if type(None) in types:
            given = np.fromiter((v is not None for v in cells), dtype=bool, count=n)
        if not all(_cell_type_ok(kind, t) for t in types):  # find the first bad cell, for the message
            for i, v in enumerate(cells):
                if v is not None:
                    _check_cell(name, f"row {i}: ", v)
        if kind == "name":
            return (arr if given.all() else np.where(given, arr, "")), given
        try:
            arr = np.array([0.0 if v is None else v for v in cells] if not given.all() else cells, dtype=np.float64)
        except OverflowError:
            i = next(i for i, v in enumerate(cells) if v is not None and abs(v) > 1e308)
            raise ValueError(f"row {i}: {label} must be finite, got {cells[i]!r}") from None
    elif kind == "name":
        if arr.dtype.kind not in "US":
            raise TypeError(f"column {label!r} must hold names ({', '.join(map(repr, _STR[name]))}), got {arr.dtype}")
        return arr.astype(object), given
    elif arr.dtype.kind == "b":
        raise TypeError(f"column {label!r} must be numeric, got booleans")
    elif arr.dtype.kind not in "iuf":
        i = 0
        raise TypeError(f"column {label!r} must be numeric, got {arr.dtype} (row {i}: {_py(arr[i])!r})")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"row {i}: {label} must be finite, got {_py(arr[i])!r}")
    if kind != "int":
        return arr.astype(np.float64), given
    if arr.dtype.kind == "f":
        bad = arr != np.floor(arr)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"row {i}: {label} must be an integer, got {_py(arr[i])!r}")
    big = np.abs(arr.astype(np.float64)) > MAX_INT
    if big.any():
        i = int(np.argmax(big))
        raise ValueError(f"row {i}: {label} must be <= 2**50 ({MAX_INT:,}), got {_py(arr[i])!r}")
    return arr.astype(np.int64), given


def _cell_type_ok(kind: str, t: type) -> bool:
    if t is type(None):
        return True
    if kind == "name":
        return issubclass(t, str)
    return issubclass(t, numbers.Real) and not issubclass(t, (bool, np.bool_))


def _codes(name: str, label: str, arr: np.ndarray) -> np.ndarray:
    valid = _STR[name]
    lookup = {v: i for i, v in enumerate(valid)}
    codes = _few_codes(lookup, arr)
    if codes is None:
        codes = np.fromiter((lookup.get(v, -1) for v in arr.tolist()), dtype=np.int64, count=arr.shape[0])
    bad = codes < 0
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"row {i}: {label} must be one of {', '.join(map(repr, valid))}; got {_py(arr[i])!r}")
    return codes


def _few_codes(lookup: dict[str, int], arr: np.ndarray, most: int = 4) -> np.ndarray | None:
    """``lookup.get(v, -1)`` per element by whole-column comparisons (one per distinct value, a
    C loop each: a column of 1e6 names in ~30 ms rather than ~200 ms); None where the column
    holds more than ``most`` distinct values or a value that does not compare element-wise."""
    codes = np.full(arr.shape[0], -1, np.int64)
    left = np.ones(arr.shape[0], bool)
    for _ in range(most):
        rest = np.flatnonzero(left)
        if rest.shape[0] == 0:
            return codes
        v = arr[rest[0]]
        if not isinstance(v, str):
            return None
        eq = arr == v
        if not isinstance(eq, np.ndarray) or eq.dtype != bool or eq.shape != arr.shape:
            return None
        codes[eq] = lookup.get(v, -1)
        left &= ~eq
    return codes if not left.any() else None


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _raise_first(mask: np.ndarray, message: str, values: np.ndarray | None = None) -> None:
    """``ValueError("row i: message")`` for the first row in ``mask`` (with its value, if given)."""
    if mask.any():
        i = int(np.argmax(mask))
        got = "" if values is None else f" {_py(values[i])!r}"
        raise ValueError(f"row {i}: {message}{got}")


def _formula_cells(label: str, col: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``formula`` column: an object array of :class:`fastlr.Formula` (None: a shape row)."""
    out = np.empty(n, dtype=object)
    if col is None:
        return out, np.zeros(n, bool)
    if isinstance(col, Formula) or np.ndim(col) == 0:
        cell = col.item() if isinstance(col, np.ndarray) else col
        out[:] = [cell] * n
    else:
        out[:] = list(col)
    for i, v in enumerate(out.tolist()):
        if v is not None and not isinstance(v, Formula):
            raise TypeError(f"row {i}: {label} must be a fastlr.Formula, got {v!r}")
    return out, np.fromiter((v is not None for v in out.tolist()), bool, n)


def _integral(col: Any) -> bool:
    """Whether a parameter column holds integers only (then passed to the function as ints)."""
    arr = np.asarray(col, dtype=object) if isinstance(col, (list, tuple)) else np.asarray(col)
    if arr.dtype.kind in "iu":
        return True
    if arr.dtype.kind != "O":
        return False
    return all(v is None or (isinstance(v, numbers.Integral) and not isinstance(v, bool)) for v in arr.ravel().tolist())


class _Cols:
    """Flat-config columns, checked and resolved: every row's schedule fields, one array each.

    ``raw`` maps column names (canonical or aliases) to arrays, sequences or scalars; a None
    cell is an absent value. ``total_steps`` is the default of the ``total_steps`` column.
    This is the one validation of flat configs: :func:`config_schedule` runs it on one row.
    """

    def __init__(self, raw: Mapping[str, Any], label: Mapping[str, str] | None = None, total_steps: Any = None):
        if label is None:
            raw, label = _rename(raw)
        self.label = dict(label)
        if "lr" not in raw and "formula" not in raw:
            raise ValueError(f"configs need an 'lr' column; got columns {sorted(raw)}")
        if any(np.ndim(v) > 1 for v in raw.values()):
            raise ValueError("columns must be one-dimensional")
        lengths = {self.label[k]: len(v) for k, v in raw.items() if np.ndim(v) > 0}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns have different lengths (ragged): {lengths}")
        n = next(iter(lengths.values()), 1)
        if n == 0:
            raise ValueError("configs are empty")
        self.n = n
        c: dict[str, np.ndarray] = {}
        given: dict[str, np.ndarray] = {}
        for k, default in COLUMNS.items():
            if k == "formula":
                c[k], given[k] = _formula_cells(self._name(k), raw.get(k), n)
                continue
            if k in _STR and k not in raw:
                c[k], given[k] = np.full(n, _STR[k].index(default), dtype=np.int64), np.zeros(n, bool)
                continue
            dt = object if k in _STR else np.int64 if k in _INT else np.float64
            if k not in raw:
                c[k], given[k] = np.full(n, 0 if default is None else default, dtype=dt), np.zeros(n, bool)
                continue
            v, g = _cells(k, self._name(k), raw[k], n)
            if default is not None and not g.all():
                v = np.where(g, v, default)
            c[k], given[k] = v, g
        for k in _STR:
            if k in raw:
                c[k] = _codes(k, self._name(k), c[k])
        c["total_steps"] = c["total_steps"].astype(np.int64)
        # a Formula's parameters: the other columns (integral columns stay ints)
        self.params: dict[str, np.ndarray] = {}
        for k in raw:
            if k not in COLUMNS:
                kind = "int" if _integral(raw[k]) else "real"
                c[k], given[k] = _cells(k, self._name(k), raw[k], n, kind)
                self.params[k] = c[k]
        self.c, self.given = c, given
        self._formulas()
        self._resolve(total_steps)
        self._validate()

    def _formulas(self) -> None:
        """Formula rows: ``lr`` defaults to the Formula's scale; no ``shape``, no restarts; each
        parameter column given on a row is a parameter of that row's Formula, and no given
        config column has the name of one of its parameters. ``distinct`` lists the distinct
        Formula objects (by first row), ``inv`` each row's index there (-1: a shape row)."""
        c, g, n = self.c, self.given, self.n
        rows = g["formula"]
        self.distinct: list[Formula] = []
        self.inv = np.full(n, -1, dtype=np.int64)
        if rows.any():
            ids = np.array([id(x) for x in c["formula"].tolist()], dtype=np.int64)
            _, first, inv = np.unique(ids, return_index=True, return_inverse=True)
            order = np.argsort(first)
            rank = np.empty_like(order)
            rank[order] = np.arange(order.size)
            inv = rank[np.asarray(inv).reshape(-1)]
            found = [c["formula"][first[j]] for j in order]
            if None in found:  # the shape rows' None: not a Formula
                none = found.index(None)
                found.pop(none)
                inv = np.where(inv == none, -1, np.where(inv > none, inv - 1, inv))
            self.distinct = found
            self.inv = inv
        self._fail(rows & g["shape"], lambda i: f"give {self._name('shape')!r} or {self._name('formula')!r}, not both")
        self._fail(
            rows & (c["cycles"] > 1),
            lambda i: (
                "cycles > 1 with a formula: restart it with "
                "fastlr.Schedule(Formula(..., period=...), restarts=fastlr.Restarts(...)) instead"
            ),
        )
        if not self.distinct:
            return
        scale = np.array([f.scale for f in self.distinct])
        c["lr"] = np.where(rows & ~g["lr"], scale[self.inv], c["lr"])
        g["lr"] = g["lr"] | rows
        names = {k for f in self.distinct for k, _ in f.params}
        for k in sorted(names & (set(COLUMNS) | set(self.params))):
            has = np.array([k in dict(f.params) for f in self.distinct])[self.inv] & rows
            if k in COLUMNS and (has & g[k]).any():
                f = c["formula"][int(np.argmax(has & g[k]))]
                raise ValueError(
                    f"column {self._name(k)!r} is a config column and a parameter of {f!r}; a parameter named like a "
                    "config column cannot be a column: set it in the Formula, or rename it in the function"
                )
        for k in self.params:
            owner = np.array([k in dict(f.params) for f in self.distinct])[self.inv] & rows
            self._fail(
                g[k] & ~owner,
                lambda i, k=k: (
                    _unknown([self._name(k)])
                    + (f" ({self._name(k)!r} is not a parameter of {c['formula'][i]!r})" if rows[i] else "")
                ),
            )

    def _name(self, k: str) -> str:
        return self.label.get(k, k)

    def _fail(self, mask: np.ndarray, message: Any) -> None:
        """Raise ``ValueError("row i: " + message(i))`` for the first row in ``mask``."""
        if mask.any():
            i = int(np.argmax(mask))
            raise ValueError(f"row {i}: {message(i)}")

    def _require(self, mask: np.ndarray, name: str, rule: str) -> None:
        values = self.c[name]
        self._fail(mask, lambda i: f"{self._name(name)} must be {rule}, got {_py(values[i])!r}")

    def _resolve(self, default_total: Any) -> None:
        """Derive what a row leaves out: ``end``, the ratio columns, ``steps`` and ``gamma``."""
        c, g = self.c, self.given
        lr, shape = c["lr"], c["shape"]
        self._fail(~g["lr"], lambda i: "missing required column 'lr'")
        self._fail(
            g["end"] & g["end_ratio"], lambda i: f"give {self._name('end')!r} or {self._name('end_ratio')!r}, not both"
        )
        c["end"] = np.where(g["end"], c["end"], lr * c["end_ratio"])
        # the run's length: the column, else the caller's T
        has_T = g["total_steps"].copy()
        if default_total is not None:
            c["total_steps"] = np.where(has_T, c["total_steps"], ck.integer("total_steps", default_total, lo=1))
            has_T[:] = True
        self._require(has_T & (c["total_steps"] < 1), "total_steps", ">= 1")
        T = c["total_steps"]
        epochs = c["steps_per_epoch"] != 1
        for ratio, target in _RATIOS.items():
            r, gr, rn, tn = c[ratio], g[ratio], self._name(ratio), self._name(target)
            if not gr.any():
                continue
            _raise_first(gr & g[target], f"give {tn!r} or {rn!r}, not both")
            _raise_first(gr & ~has_T, f"{rn} needs 'total_steps' (the run's length) to count from")
            low = (r <= 0.0) if ratio == "decay_ratio" else (r < 0.0)
            rng = "(0, 1]" if ratio == "decay_ratio" else "[0, 1]"
            _raise_first(gr & (low | (r > 1.0)), f"{rn} must be in {rng}, got", r)
            if target != "warmup":
                _raise_first(gr & epochs, f"{rn} with steps_per_epoch > 1: give {tn!r} (in epochs) instead")
            c[target] = np.where(gr, np.ceil(r * T).astype(np.int64), c[target])
            g[target] = g[target] | gr
        # steps: given, else what the run leaves after the warmup (prefix) and the hold
        exp_rows = shape == SHAPES.index("exponential")
        step_rows = shape == SHAPES.index("step")
        horizon = _IS_HORIZON[shape] & ~g["formula"]
        derive_gamma = exp_rows & ~g["gamma"]
        needs = (horizon | derive_gamma) & ~g["steps"]
        self._fail(
            needs & ~has_T,
            lambda i: (
                f"shape {SHAPES[int(shape[i])]!r} decays over 'steps', which the config does not give; "
                "give 'steps' (the decay length), or 'total_steps' (the run's length; fastlr.sweep passes its T) "
                "to derive it" + (", or 'gamma'" if exp_rows[i] else "")
            ),
        )
        self._fail(needs & epochs, lambda i: "give 'steps' (the decay length in epochs) when steps_per_epoch > 1")
        fill = ~g["steps"] & has_T & ~epochs
        prefix = np.where(c["warmup_mode"] == list(WARMUP_MODES).index("prefix"), c["warmup"], 0)
        c["steps"] = np.where(fill, np.maximum(1, T - prefix - c["hold"]), np.where(g["steps"], c["steps"], 1))
        # gamma: required for 'step'; for 'exponential' the factor that reaches `end` at `steps`
        self._fail(step_rows & ~g["gamma"], lambda i: "shape 'step' needs 'gamma' (the factor at each drop)")
        self._fail(step_rows & ~g["step_size"], lambda i: "shape 'step' needs 'step_size' (the steps between drops)")
        end = c["end"]
        self._fail(
            derive_gamma & ((end <= 0) | (lr <= 0)),
            lambda i: (
                "shape 'exponential' needs 'gamma', or lr > 0 and an end > 0 ('end' or 'end_ratio') to "
                f"derive it from; got lr={_py(lr[i])!r}, end={_py(end[i])!r}"
            ),
        )
        uses = exp_rows | step_rows
        c["gamma"] = np.where(uses | g["gamma"], c["gamma"], np.nan)
        if derive_gamma.any():
            d = derive_gamma
            with np.errstate(over="ignore", under="ignore"):  # a non-finite gamma is refused below
                c["gamma"][d] = (end[d] / lr[d]) ** (np.maximum(c["step_size"][d], 1) / np.maximum(c["steps"][d], 1))

    def _validate(self) -> None:
        c, req = self.c, self._require
        shape = c["shape"]
        horizon = _IS_HORIZON[shape]
        exp_rows = shape == SHAPES.index("exponential")
        req(c["lr"] < 0, "lr", ">= 0")
        req(c["end"] < 0, "end", ">= 0")
        req(self.given["end_ratio"] & (c["end_ratio"] < 0), "end_ratio", ">= 0")
        req(c["steps"] < 1, "steps", ">= 1")
        for k in ("warmup", "hold"):
            req(c[k] < 0, k, ">= 0")
        for k in ("power", "exponent", "timescale", "cycle_decay"):
            req(c[k] <= 0, k, "> 0")
        req(c["warmup_start"] < 0, "warmup_start", ">= 0")
        req(c["floor"] < 0, "floor", ">= 0")
        req(c["steps_per_epoch"] < 1, "steps_per_epoch", ">= 1")
        req(c["cycles"] < 1, "cycles", ">= 1")
        req(c["cycle_mult"] < 1, "cycle_mult", ">= 1")
        uses_gamma = (shape == SHAPES.index("step")) | (shape == SHAPES.index("exponential"))
        req(uses_gamma & ~(c["gamma"] > 0), "gamma", "> 0")
        req(uses_gamma & ~np.isfinite(c["gamma"]), "gamma", "finite")
        req(uses_gamma & (c["step_size"] < 1), "step_size", ">= 1")
        req((shape == SHAPES.index("step")) & (c["gamma"] > 1), "gamma", "<= 1 for shape 'step'")
        req(exp_rows & (c["gamma"] > 1) & (c["end"] <= 0), "end", "> 0 for a growing exponential (gamma > 1)")
        restarted = c["cycles"] > 1
        names = np.array(SHAPES, dtype=object)
        self._fail(
            restarted & ~horizon,
            lambda i: f"shape must be one of {_HORIZON} when cycles > 1, got {names[shape[i]]!r}",
        )
        req(restarted & (c["hold"] > 0), "hold", "0 when cycles > 1")
        req(restarted & (c["end"] > c["lr"]), "end", "<= lr when cycles > 1 (restarts repeat a decaying curve)")
        # warmup progress stays in [0, 1] by construction (span = steps, offset = 0)

    def subset(self, start: int, stop: int) -> _Cols:
        sub = object.__new__(_Cols)
        sub.n = stop - start
        sub.label = self.label
        sub.c = {k: v[start:stop] for k, v in self.c.items()}
        sub.given = {k: v[start:stop] for k, v in self.given.items()}
        sub.params = {k: sub.c[k] for k in self.params}
        sub.distinct, sub.inv = self.distinct, self.inv[start:stop]
        return sub

    def named_columns(self) -> dict[str, np.ndarray]:
        """The resolved columns, for display (names as strings); ``end`` and ``end_ratio`` as
        given, and the input columns (``total_steps``, ratios) where any row gives them."""
        out: dict[str, np.ndarray] = {}
        g = self.given
        for k in (*COLUMNS, *self.params):
            v = self.c[k]
            if k == "formula" or k in self.params:
                if g[k].any():
                    out[k] = v
                continue
            if k == "end_ratio":
                if g["end"].all():
                    continue
                v = np.where(g["end"], np.nan, v)
            elif k == "end" and not g["end"].any():
                continue
            elif k in _INPUTS and not g[k].any():
                continue
            elif k in _RATIOS:
                v = np.where(g[k], v, np.nan)
            out[k] = np.array(_STR[k], dtype=object)[v] if k in _STR else v
            if k == "shape" and g["formula"].any():
                out[k] = np.where(g["formula"], "formula", out[k])
        return out

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i``'s resolved config: what :func:`config_schedule` rebuilds it from."""
        out: dict[str, Any] = {}
        for k in (*COLUMNS, *self.params):
            if k == "formula" or k in self.params:
                if self.given[k][i]:
                    out[k] = self.c[k][i] if k == "formula" else self.c[k][i].item()
                continue
            if k == "shape" and self.given["formula"][i]:
                continue
            if k in _INPUTS or (k == "end" and not self.given["end"][i]):
                continue
            if k == "end_ratio" and self.given["end"][i]:
                continue
            v = self.c[k][i]
            if k == "gamma" and math.isnan(v):
                continue
            out[k] = _STR[k][int(v)] if k in _STR else v.item()
        return out

    def schedule(self, i: int) -> Schedule:
        """Row ``i`` as a schedule object (its lowering equals row ``i`` of the columns')."""
        c = self.c
        lr, hold = float(c["lr"][i]), int(c["hold"][i])
        decay: Shape
        f = c["formula"][i]
        if f is not None:
            params = dict(f.params)
            params.update({k: c[k][i].item() for k in self.params if self.given[k][i]})
            decay = Formula(
                f.fn, jit=f.jit, scale=lr, cumulative=f.cumulative, shift=f.shift, period=f.period, params=params
            )
        else:
            cls, shape_args = FLAT_SHAPES[SHAPES[int(c["shape"][i])]]
            scalars = {
                k: c[k][i].item()
                for k in ("lr", "end", "steps", "exponent", "power", "gamma", "step_size", "timescale")
            }
            kwargs = {k: (v.item() if isinstance(v, np.ndarray) else v) for k, v in shape_args(scalars).items()}
            decay = cls(**{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in kwargs.items()})
        curve: Shape = Join((Constant(lr), decay), (hold,)) if hold > 0 else decay
        restarts = None
        if int(c["cycles"][i]) > 1:
            restarts = Restarts(
                mult=float(c["cycle_mult"][i]), decay=float(c["cycle_decay"][i]), limit=int(c["cycles"][i])
            )
        warmup = None
        if int(c["warmup"][i]) > 0:
            warmup = Warmup(
                int(c["warmup"][i]),
                start=float(c["warmup_start"][i]),
                shape=_STR["warmup_shape"][int(c["warmup_shape"][i])],
                mode=_STR["warmup_mode"][int(c["warmup_mode"][i])],
            )
        floor = float(c["floor"][i])
        return Schedule(
            curve,
            warmup=warmup,
            restarts=restarts,
            floor=floor if floor > 0 else None,
            steps_per_epoch=int(c["steps_per_epoch"][i]),
        )


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
    formula = cols.given["formula"]
    present = np.unique(shape) if shape.strides != (0,) else shape[:1]
    if formula.any():
        present = np.unique(shape[~formula])
    parts = []
    for code in present.tolist():
        cls, shape_args = FLAT_SHAPES[SHAPES[code]]
        idx = None if len(present) == 1 and not formula.any() else np.flatnonzero((shape == code) & ~formula)
        sub = c if idx is None else {k: v[idx] for k, v in c.items()}
        parts.append((idx, cls.lower_columns(**shape_args(sub))))  # type: ignore[attr-defined]
    if formula.any():
        parts.append(_formula_segments(cols))
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
    if not formula.any():
        return assemble(ci, cf, segs, configs=cols)
    cf, table = _formula_columns(cols, cf, segs)
    return dataclasses.replace(assemble(ci, cf, segs, configs=cols), user=table)


def _formula_segments(cols: _Cols) -> tuple[np.ndarray, seg.Segs]:
    """The formula rows' segments: one ``USER`` segment each (what ``Formula._segs`` gives, with
    the row's ``lr`` as its scale); :func:`_formula_columns` points them at their parameters."""
    idx = np.flatnonzero(cols.given["formula"])
    shift = np.array([f.shift for f in cols.c["formula"][idx].tolist()], dtype=np.float64)
    return idx, seg.one(0, L.USER, 0.0, cols.c["lr"][idx], 1.0, -shift, 0.0, 0.0, 0.0)


def _formula_columns(cols: _Cols, cf: np.ndarray, segs: seg.Segs) -> tuple[np.ndarray, Any]:
    """The formula rows' parameters as ``cf`` columns past ``CF_WIDTH`` (a column each, the
    Formula's own value where the row does not give it), their USER segments pointed at them
    and at their function's entry of the program's :class:`~fastlr.kernels.user.UserTable`
    (Formulas of one function share it, as in :func:`fastlr.lowering.program.user_columns`)."""
    from fastlr.kernels.user import UserTable

    c, g, n = cols.c, cols.given, cols.n
    rows, inv, distinct = g["formula"], cols.inv, cols.distinct
    groups: dict[Any, list[int]] = {}
    for d, f in enumerate(distinct):
        groups.setdefault(f._user_group(), []).append(d)
    extra = np.zeros((n, max(len(f.params) for f in distinct)))
    entry = np.zeros(n)
    table = []
    for gi, members in enumerate(groups.values()):
        in_group = np.isin(inv, members) & rows
        entry[in_group] = gi
        ints = []
        for j, (name, _) in enumerate(distinct[members[0]].params):
            own = np.zeros(len(distinct))
            own[members] = [distinct[d].params[j][1] for d in members]
            given = (g[name] & in_group) if name in cols.params else np.zeros(n, bool)
            col = c[name] if name in cols.params else own[inv]
            extra[:, j] = np.where(in_group, np.where(given, col, own[inv]), extra[:, j])
            own_int = all(isinstance(distinct[d].params[j][1], int) for d in members)
            ints.append((not given.any() or col.dtype.kind in "iu") and (own_int or given[in_group].all()))
        table.append(distinct[members[0]]._user_function(tuple(ints)))
    keep = segs.valid & (segs.code == L.USER)
    segs.f[..., L.S_Q0] = np.where(keep, 0.0, segs.f[..., L.S_Q0])
    segs.f[..., L.S_Q1] = np.where(keep, entry[:, None], segs.f[..., L.S_Q1])
    cf = cf.copy()
    # no floor of 0 hides what a user's function returns (as lower_schedules)
    cf[:, L.F_FLOOR] = np.where(g["formula"] & ~(c["floor"] > 0), -np.inf, cf[:, L.F_FLOOR])
    return np.ascontiguousarray(np.hstack([cf, extra])), UserTable(tuple(table))


def _first_only(segs: seg.Segs, rows: np.ndarray) -> seg.Segs:
    """Keep only the first valid segment in ``rows`` (a restarted curve repeats its first)."""
    first = np.cumsum(segs.valid, axis=1) == 1
    segs.valid[rows] &= first[rows]
    return segs


def lower(configs: Any, total_steps: int | None = None) -> Program:
    """Lower configs to a :class:`fastlr.Program` that :func:`fastlr.sweep` and
    :func:`fastlr.summarize` accept.

    Parameters
    ----------
    configs
        Flat-config columns (a mapping of equal-length arrays or scalars, e.g. from
        :func:`grid`; a pandas or polars DataFrame; a list of flat dicts) — lowered with NumPy
        in one pass; or a list of schedule objects / ``to_dict()`` dicts (any structure, presets
        included) — lowered one by one; or an existing Program (returned as is).

    total_steps : int, optional
        The run's length for flat configs that leave out ``steps`` or give ratio columns (the
        default of their ``total_steps`` column); :func:`fastlr.sweep` passes its ``T``.

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
        return lower_columns(_Cols(cols[0], cols[1], total_steps))
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


def lower_for(configs: Any, T: Any, t0: Any = 0) -> Any:
    """``fastlr.lower(configs)`` for a run of ``T`` steps: the ``total_steps`` of flat configs
    that do not give it (their absent ``steps`` and their ratio columns count from it).

    With ``t0 > 0`` the steps computed are a block of a longer run whose length fastlr cannot
    know: such configs must give ``steps`` or ``total_steps`` themselves.
    """
    T = ck.check_T(T)
    t0 = ck.integer("t0", t0, lo=0)
    return lower(configs, T if t0 == 0 else None)
