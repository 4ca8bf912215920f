"""Sweep tools in: random and quasi-random sampling of configs, and readers for the sweep tools'
own objects (Optuna, Weights & Biases, Ray Tune, Hydra/OmegaConf, pandas and polars frames).

Three entry points, each returning what the rest of fastlr already takes:

- :func:`sample`: ``n`` configs drawn from axes (:func:`uniform`, :func:`loguniform`,
  :func:`intrange`, a list of choices, a fixed value) by plain random numbers, a scrambled Sobol
  sequence or a Latin hypercube (``scipy.stats.qmc``), reproducible with a seed; the same column
  dict as :func:`fastlr.grid`.
- :func:`from_study`: the configs a sweep tool ran (Optuna trials or ``trials_dataframe()``,
  Ray Tune results, W&B run configs, Hydra job configs, frames with ``params_`` / ``config/``
  prefixes) as flat-config columns for :func:`fastlr.sweep`.
- :func:`search_space`: a tool's search space (W&B sweep ``parameters``, a Ray Tune
  ``param_space``, Optuna distributions, Hydra sweeper ``params``) as axes for :func:`sample`.

Names: a tool's prefixes (``params_``, ``config/``, ``config.``, ``params.``) are stripped and
nested keys (``optimizer.lr``) are named by their last part (``lr``); ``names={"peak_lr": "lr",
"batch_size": None}`` renames or leaves out the tool's own names. The columns are then checked
by :func:`fastlr.lower` (and so :func:`fastlr.sweep`), which names any column it does not know.
No tool is imported here: objects are recognised by their type's module, and scipy (for
``method="sobol"`` / ``"lhs"``) and hydra-core (for Hydra's sweep strings) are imported on use.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr.lowering.configs import COLUMNS, canonical

__all__ = [
    "METHODS",
    "PREFIXES",
    "IntRange",
    "Uniform",
    "from_study",
    "intrange",
    "loguniform",
    "sample",
    "search_space",
    "uniform",
]

#: Sampling methods of :func:`sample`.
METHODS = ("random", "sobol", "lhs")
#: Column prefixes the sweep tools put before their parameters' names (Optuna's
#: ``trials_dataframe()``, Ray Tune's results frame, a ``pandas.json_normalize`` of W&B run
#: configs, MLflow's ``search_runs``). A frame with any of them keeps only those columns.
PREFIXES = ("params_", "config/", "config.", "params.")


# ---- axes ------------------------------------------------------------------------------------


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
            return int(float(value))
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(value)


@dataclasses.dataclass(frozen=True)
class Uniform:
    """A real axis from ``low`` to ``high``: uniform in the value, or (``log=True``) in its logarithm.

    A point ``u`` of the unit interval maps to ``low + u (high - low)``, or with ``log`` to
    ``low (high / low)^u``; with ``step``, to the grid ``low + k step``, ``k = floor(u (K + 1))``,
    ``K = (high - low) / step`` (each grid value equally likely, both ends included).

    >>> Uniform(0.0, 1.0).values(np.array([0.0, 0.5]))
    array([0. , 0.5])
    >>> loguniform(1e-4, 1e-2).values(np.array([0.0, 0.5])).round(12).tolist()
    [0.0001, 0.001]
    """

    low: float
    high: float
    log: bool = False
    step: float | None = None

    def __post_init__(self) -> None:
        low, high = _number("low", self.low), _number("high", self.high)
        if high < low:
            raise ValueError(f"high must be >= low, got low={low!r}, high={high!r}")
        if self.log and low <= 0:
            raise ValueError(f"low must be > 0 for a log-uniform axis, got {low!r}")
        if self.step is not None:
            step = _number("step", self.step)
            if self.log:
                raise ValueError(f"step cannot be combined with log=True, got step={step!r}")
            if step <= 0:
                raise ValueError(f"step must be > 0, got {step!r}")
            k = (high - low) / step
            if abs(k - round(k)) > 1e-9 * max(1.0, k):
                raise ValueError(
                    f"high - low must be a multiple of step, got low={low!r}, high={high!r}, step={step!r}"
                )
            object.__setattr__(self, "step", step)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def values(self, u: np.ndarray) -> np.ndarray:
        """The axis values at points ``u`` of ``[0, 1)`` (float64)."""
        lo, hi = self.low, self.high
        if self.step is not None:
            k = round((hi - lo) / self.step)
            return lo + self.step * np.minimum(np.floor(u * (k + 1)), k)
        if self.log:
            v = np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        else:
            v = lo + u * (hi - lo)
        return np.clip(v, lo, hi)  # rounding of the last bits only: u < 1


@dataclasses.dataclass(frozen=True)
class IntRange:
    """An integer axis ``low, low + step, ..., high`` (``high`` included), each value equally
    likely; with ``log=True`` (``step`` 1, ``low >= 1``) uniform in the logarithm: ``u`` maps to
    ``round(exp(log(low - 1/2) + u (log(high + 1/2) - log(low - 1/2))))``.

    >>> intrange(0, 3).values(np.array([0.0, 0.3, 0.6, 0.99])).tolist()
    [0, 1, 2, 3]
    """

    low: int
    high: int
    log: bool = False
    step: int = 1

    def __post_init__(self) -> None:
        low, high, step = _integer("low", self.low), _integer("high", self.high), _integer("step", self.step)
        if high < low:
            raise ValueError(f"high must be >= low, got low={low!r}, high={high!r}")
        if step < 1:
            raise ValueError(f"step must be >= 1, got {step!r}")
        if (high - low) % step:
            raise ValueError(f"high - low must be a multiple of step, got low={low!r}, high={high!r}, step={step!r}")
        if self.log and (low < 1 or step != 1):
            raise ValueError(f"a log integer axis needs low >= 1 and step 1, got low={low!r}, step={step!r}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "step", step)

    def values(self, u: np.ndarray) -> np.ndarray:
        """The axis values at points ``u`` of ``[0, 1)`` (int64)."""
        lo, hi = self.low, self.high
        if self.log:
            a, b = math.log(lo - 0.5), math.log(hi + 0.5)
            v = np.rint(np.exp(a + u * (b - a)))
        else:
            k = (hi - lo) // self.step
            v = lo + self.step * np.minimum(np.floor(u * (k + 1)), k)
        return np.clip(v, lo, hi).astype(np.int64)


def uniform(low: float, high: float, *, step: float | None = None) -> Uniform:
    """A real axis uniform on ``[low, high]`` (on the grid ``low + k step`` with ``step``).

    Examples
    --------
    >>> import fastlr
    >>> c = fastlr.sample(4, seed=0, method="random", end_ratio=fastlr.uniform(0.0, 0.1, step=0.05), lr=1e-3)
    >>> sorted(set(c["end_ratio"].tolist()) - {0.0, 0.05, 0.1})
    []
    """
    return Uniform(low, high, step=step)


def loguniform(low: float, high: float) -> Uniform:
    """A real axis uniform in ``log(value)`` on ``[low, high]``, ``low > 0``: the usual lr axis.

    Examples
    --------
    >>> import fastlr
    >>> lr = fastlr.sample(8, seed=0, lr=fastlr.loguniform(1e-4, 1e-2))["lr"]
    >>> bool(((lr >= 1e-4) & (lr <= 1e-2)).all())
    True
    """
    return Uniform(low, high, log=True)


def intrange(low: int, high: int, *, step: int = 1, log: bool = False) -> IntRange:
    """An integer axis ``low .. high``, both ends included (Optuna's ``IntDistribution`` and
    W&B's ``int_uniform``; Ray Tune's ``randint(a, b)`` is ``intrange(a, b - 1)``).

    Examples
    --------
    >>> import fastlr
    >>> w = fastlr.sample(8, seed=0, method="lhs", lr=1e-3, warmup=fastlr.intrange(0, 1000, step=100))["warmup"]
    >>> w.dtype.kind, bool((w % 100 == 0).all())
    ('i', True)
    """
    return IntRange(low, high, log=log, step=step)


# ---- sampling --------------------------------------------------------------------------------


def _unit_points(n: int, d: int, method: str, seed: Any) -> np.ndarray:
    """``(n, d)`` points of ``[0, 1)^d``."""
    if d == 0:
        return np.empty((n, 0))
    if method == "random":
        return np.random.default_rng(seed).random((n, d))
    try:
        from scipy.stats import qmc
    except ImportError:
        raise ImportError(f"method={method!r} needs scipy (pip install scipy); method='random' does not") from None
    cls = qmc.Sobol if method == "sobol" else qmc.LatinHypercube
    try:
        engine = cls(d, rng=seed)
    except TypeError:  # scipy < 1.15 names the argument seed
        engine = cls(d, seed=seed)
    return np.asarray(engine.random(n), dtype=np.float64)


def sample(n: int, *, seed: Any = None, method: str = "sobol", **axes: Any) -> dict[str, np.ndarray]:
    """``n`` configs drawn from the axes, as flat-config columns (the same dict as :func:`fastlr.grid`).

    Parameters
    ----------
    n : int
        Number of configs, >= 1. Sobol points are balanced for powers of two (scipy warns
        otherwise).
    seed : int or numpy Generator, optional
        The same seed gives the same configs; ``None`` draws fresh entropy.
    method : {"sobol", "lhs", "random"}
        ``"sobol"``: scrambled Sobol points (``scipy.stats.qmc.Sobol(d, rng=seed)``); ``"lhs"``:
        a Latin hypercube (``qmc.LatinHypercube(d, rng=seed)``); ``"random"``: independent
        uniforms (``numpy.random.default_rng(seed).random((n, d))``).
    **axes
        Flat-config column (checked as :func:`fastlr.grid` checks its axes) ->
        :func:`uniform` / :func:`loguniform` / :func:`intrange` (one dimension of the unit
        cube each), a list or tuple of choices (one dimension: value ``floor(u k)`` of
        ``k``), or a fixed value (no dimension). The dimensions are the sampled axes in the
        order given.

    Returns
    -------
    dict of str to ndarray
        One column of length ``n`` per axis: float64 for real axes, int64 for integer axes,
        the choices' own dtype (object for strings) for choice axes.

    Examples
    --------
    >>> import fastlr as fl
    >>> c = fl.sample(8, seed=0, lr=fl.loguniform(1e-4, 1e-2), warmup=fl.intrange(0, 2000),
    ...               shape=["cosine", "linear"], steps=9000)
    >>> sorted(c), len(c["lr"]), c["steps"][:2].tolist()
    (['lr', 'shape', 'steps', 'warmup'], 8, [9000, 9000])
    >>> bool((c["lr"] >= 1e-4).all() and (c["lr"] <= 1e-2).all()), c["warmup"].dtype
    (True, dtype('int64'))
    >>> again = fl.sample(8, seed=0, lr=fl.loguniform(1e-4, 1e-2), warmup=fl.intrange(0, 2000),
    ...                   shape=["cosine", "linear"], steps=9000)
    >>> all((again[k] == c[k]).all() for k in c)
    True
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    n = int(n)
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}")
    if not axes:
        raise ValueError("sample needs at least one axis")
    axes = canonical(axes)  # the vocabulary of fastlr.grid, aliases resolved
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (numbers.Integral, np.random.Generator))):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    kinds: dict[str, Any] = {}
    for name, axis in axes.items():
        if isinstance(axis, (Uniform, IntRange)):
            kinds[name] = axis
        elif isinstance(axis, (list, tuple, np.ndarray)):
            seq = list(axis)
            if not seq:
                raise ValueError(f"axis {name!r} is an empty list of choices")
            kinds[name] = seq
        elif isinstance(axis, (Mapping, set, frozenset)):
            raise TypeError(
                f"axis {name!r} must be uniform()/loguniform()/intrange(), a list of choices or a value; got {axis!r}"
            )
        else:
            kinds[name] = axis
    sampled = [k for k, v in kinds.items() if isinstance(v, (Uniform, IntRange, list))]
    ck.guard_bytes(3 * 8 * n * len(kinds), f"sampling {n:,} configs", floor=ck.SMALL_BYTES)
    u = _unit_points(n, len(sampled), method, seed)
    out: dict[str, np.ndarray] = {}
    for name, axis in kinds.items():
        if isinstance(axis, (Uniform, IntRange)):
            out[name] = axis.values(u[:, sampled.index(name)])
        elif isinstance(axis, list):
            idx = np.minimum(np.floor(u[:, sampled.index(name)] * len(axis)).astype(np.int64), len(axis) - 1)
            choices = np.asarray(axis, dtype=object if any(isinstance(v, str) for v in axis) else None)
            out[name] = choices[idx]
        else:
            col = np.asarray(axis, dtype=object if isinstance(axis, str) else None)
            if col.ndim:
                raise TypeError(f"axis {name!r} must be a value, a list of choices or a distribution; got {axis!r}")
            out[name] = np.full(n, axis, dtype=col.dtype)
    return out


# ---- names -----------------------------------------------------------------------------------


def _strip(key: str) -> str:
    for p in PREFIXES:
        if key.startswith(p):
            return key[len(p) :]
    return key


def _leaf(key: str) -> str:
    """The last part of a nested name: ``optimizer.lr`` and ``optimizer/lr`` are ``lr``."""
    return key.replace("/", ".").rsplit(".", 1)[-1]


def _columns_for(keys: Sequence[str], names: Mapping[str, Any] | None, what: str) -> dict[str, str]:
    """``{tool key: fastlr column}``: prefixes stripped, nested keys by their last part, ``names``
    applied (matched on the full key, the stripped key or the last part; ``None`` leaves a key
    out). Two keys landing on one column, or an entry of ``names`` matching no key, is an error."""
    names = dict(names or {})
    for k, v in names.items():
        if not isinstance(k, str) or not (v is None or isinstance(v, str)):
            raise TypeError(f"names must map a parameter name to a column name or None, got {k!r}: {v!r}")
    used: set[str] = set()
    out: dict[str, str] = {}
    for key in keys:
        target: str | None = _leaf(_strip(key))
        for cand in (key, _strip(key), _leaf(_strip(key))):
            if cand in names:
                target = names[cand]
                used.add(cand)
                break
        if target is not None:
            out[key] = target
    unused = sorted(set(names) - used)
    if unused:
        raise ValueError(f"names: {unused} match no parameter of the {what}; its parameters: {list(keys)}")
    seen: dict[str, str] = {}
    for key, col in out.items():
        if col in seen:
            raise ValueError(
                f"parameters {seen[col]!r} and {key!r} of the {what} both name column {col!r}; "
                f"rename one with names={{{key!r}: ...}} or leave it out with names={{{key!r}: None}}"
            )
        seen[col] = key
    if not out:
        raise ValueError(f"the {what} has no parameters (after names={names!r}); its keys: {list(keys)}")
    return out


def _flatten(obj: Mapping[Any, Any], path: str = "") -> dict[str, Any]:
    """Nested mappings as ``{"a.b": leaf}``; a W&B ``{"value": x, "desc": ...}`` entry is ``x``;
    keys starting with ``_`` (W&B's ``_wandb``, Hydra's ``_target_``) and W&B's ``wandb_version``
    are left out."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        k = str(k)
        if k.startswith("_") or k == "wandb_version":
            continue
        key = f"{path}.{k}" if path else k
        if isinstance(v, Mapping) and set(v) <= {"value", "desc"} and "value" in v:
            v = v["value"]
        if isinstance(v, Mapping):
            out.update(_flatten(v, key))
        else:
            out[key] = v
    return out


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


# ---- configs a tool ran ----------------------------------------------------------------------


def _parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """Hydra override strings (``["optimizer.lr=1e-3", "warmup=100"]``) as one config."""
    try:
        from hydra.core.override_parser.overrides_parser import OverridesParser
    except ImportError:
        raise ImportError("reading Hydra override strings needs hydra-core (pip install hydra-core)") from None
    out: dict[str, Any] = {}
    for item in items:
        (o,) = OverridesParser.create().parse_overrides([item])
        if o.is_sweep_override():
            raise ValueError(f"override {item!r} is a sweep, not one job's value; read sweeps with search_space()")
        out[o.key_or_group.lstrip("+~")] = o.value()
    return out


def _params_of(item: Any, i: int | None = None) -> dict[str, Any]:
    """One config's parameters, flattened, from a mapping or a tool's trial/result/run/config."""
    at = "" if i is None else f"[{i}]"
    mod = _module(item)
    if isinstance(item, Mapping):
        return _flatten(item)
    if mod == "omegaconf":
        from omegaconf import OmegaConf

        data = OmegaConf.to_container(item, resolve=True)
        if isinstance(data, Mapping):
            return _flatten(data)
    if mod == "optuna" and hasattr(item, "params"):  # Trial, FrozenTrial, FixedTrial
        return _flatten(item.params)
    if mod == "ray" and hasattr(item, "config"):  # tune Result
        return _flatten(item.config or {})
    if mod == "wandb":
        if hasattr(item, "as_dict"):  # wandb.Config (run.config)
            return _flatten(item.as_dict())
        if isinstance(getattr(item, "config", None), Mapping):  # wandb.apis.public Run
            return _flatten(item.config)
    if isinstance(item, Sequence) and not isinstance(item, (str, bytes)) and all(isinstance(s, str) for s in item):
        return _flatten(_parse_overrides(item))
    raise TypeError(
        f"configs{at}: expected a mapping, an Optuna trial, a Ray Tune result, a W&B run or config, an "
        f"OmegaConf config or a list of Hydra overrides; got {type(item).__name__}"
    )


def _frame_columns(frame: Any) -> dict[str, np.ndarray]:
    # Optuna's trials_dataframe(multi_index=True) names columns ("params", "lr"): params_lr
    cols = {"_".join(c) if isinstance(c, tuple) else str(c): frame[c].to_numpy() for c in frame.columns}
    prefixed = {k: v for k, v in cols.items() if k.startswith(PREFIXES)}
    return prefixed or cols


def _rows(obj: Any) -> list[Any]:
    """The items of a collection of configs (an Optuna study's trials, a Ray ResultGrid, W&B runs)."""
    mod = _module(obj)
    if mod == "optuna" and hasattr(obj, "get_trials"):
        return list(obj.get_trials(deepcopy=False))
    if mod == "omegaconf":
        from omegaconf import OmegaConf

        return list(OmegaConf.to_container(obj, resolve=True))  # type: ignore[arg-type]
    if mod == "ray" and hasattr(obj, "get_dataframe"):  # ResultGrid: indexable results
        return [obj[i] for i in range(len(obj))]
    return list(obj)


def from_study(configs: Any, *, names: Mapping[str, str | None] | None = None) -> dict[str, np.ndarray]:
    """The configs a sweep tool ran, as flat-config columns for :func:`fastlr.sweep`.

    Parameters
    ----------
    configs
        One of:

        - a pandas or polars frame: Optuna's ``study.trials_dataframe()`` (``params_lr``), Ray
          Tune's ``ResultGrid.get_dataframe()`` (``config/lr``), a ``pandas.json_normalize``
          of W&B run configs (``config.lr``), MLflow's runs (``params.lr``). Where some columns
          carry one of :data:`PREFIXES`, only those are read; otherwise every column is;
        - an Optuna ``Study`` (every trial, in order, failed and pruned ones included: pass
          ``study.get_trials(states=...)`` to choose), ``Trial`` / ``FrozenTrial`` (its
          ``params``), or a list of trials;
        - a Ray Tune ``ResultGrid`` or ``Result`` (each result's ``config``);
        - a W&B ``run.config`` (``wandb.Config``), a public-API run or runs, or a run's
          ``config.yaml`` loaded as a dict (``{"lr": {"value": 0.001}}`` reads as 0.001);
        - an OmegaConf ``DictConfig`` (a Hydra job's config, resolved), or a list of them;
        - a list of Hydra override strings (a multirun job's ``.hydra/overrides.yaml``) or a
          list of such lists (needs hydra-core);
        - a mapping (one config; nested mappings are read by their leaves; keys starting
          with ``_``, such as W&B's ``_wandb`` and Hydra's ``_target_``, are left out) or a
          list of them.
    names : mapping, optional
        Tool name -> fastlr column (``{"peak_lr": "lr"}``), or ``None`` to leave a parameter
        out (``{"batch_size": None}``). Keys may be a full nested name (``optimizer.lr``), the
        name without its prefix, or the last part.

    Returns
    -------
    dict of str to ndarray
        One column per parameter, named by its last part without the tool's prefix; rows in
        the tool's order. A cell some configs lack (a conditional parameter: missing, None or
        NaN) takes the column's default from ``fastlr.sweeps.COLUMNS``; a column without a
        default (``lr``, ``end``, or a name fastlr does not know) must be complete.
        :func:`fastlr.lower` / :func:`fastlr.sweep` validate them and name any column they do
        not know.

    Examples
    --------
    >>> import fastlr as fl
    >>> trials = [{"optimizer": {"lr": 1e-3}, "warmup": 100}, {"optimizer": {"lr": 3e-4}, "warmup": 0}]
    >>> c = fl.from_study(trials)
    >>> c["lr"].tolist(), c["warmup"].tolist()
    ([0.001, 0.0003], [100, 0])
    >>> import pandas as pd
    >>> df = pd.DataFrame({"number": [0, 1], "value": [0.3, 0.2], "params_lr": [1e-3, 3e-4],
    ...                    "params_sched": ["cosine", "linear"], "params_batch": [32, 64]})
    >>> c = fl.from_study(df, names={"sched": "shape", "batch": None})
    >>> sorted(c), c["shape"].tolist()
    (['lr', 'shape'], ['cosine', 'linear'])
    >>> fl.sweep({**c, "steps": 100}, 100).shape
    (2, 100)
    """
    mod = _module(configs)
    if mod in ("pandas", "polars") and hasattr(configs, "columns"):
        cols = _frame_columns(configs)
        if not cols or not len(next(iter(cols.values()))):
            raise ValueError("the frame has no rows or no columns")
        mapping = _columns_for(list(cols), names, "frame")
        return {col: _filled(col, key, cols[key]) for key, col in mapping.items()}
    single = (
        isinstance(configs, Mapping)
        or (mod == "omegaconf" and type(configs).__name__ == "DictConfig")
        or (mod == "optuna" and hasattr(configs, "params"))
        or (mod == "ray" and hasattr(configs, "config") and not hasattr(configs, "get_dataframe"))
        or (mod == "wandb" and (hasattr(configs, "as_dict") or hasattr(configs, "config")))
        or (isinstance(configs, list) and configs and all(isinstance(s, str) for s in configs))
    )
    if single:
        rows = [_params_of(configs)]
    elif isinstance(configs, (str, bytes)) or not any(
        hasattr(configs, a)
        for a in ("__iter__", "get_trials", "get_dataframe")  # Optuna Study, Ray ResultGrid
    ):
        raise TypeError(
            "configs must be a frame, a tool's study/trials/results/runs/config, a mapping or a list of them; "
            f"got {type(configs).__name__}"
        )
    else:
        rows = [_params_of(item, i) for i, item in enumerate(_rows(configs))]
    if not rows:
        raise ValueError(f"no configs: the {type(configs).__name__} is empty")
    mapping = _columns_for(list(dict.fromkeys(k for r in rows for k in r)), names, "configs")
    return {col: _filled(col, key, [r.get(key) for r in rows]) for key, col in mapping.items()}


def _filled(col: str, key: str, vals: Any) -> np.ndarray:
    """A column whose absent cells (a conditional parameter some trials lack: missing, None or
    NaN) take the column's fastlr default; a column without a default must be complete."""
    if isinstance(vals, np.ndarray):
        if vals.dtype.kind in "iu" or (vals.dtype.kind == "f" and not np.isnan(vals).any()):
            return vals  # a frame's complete numeric column, as it is
        vals = vals.tolist()
    absent = [v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)) for v in vals]
    if any(absent):
        default = COLUMNS.get(col)
        if default is None:
            i = absent.index(True)
            raise ValueError(
                f"config {i} has no value for {key!r} (column {col!r}, which has no default): fill it in, or "
                f"leave the parameter out with names={{{key!r}: None}}"
            )
        vals = [default if a else v for v, a in zip(vals, absent)]
    if any(isinstance(v, str) for v in vals):
        return np.asarray(vals, dtype=object)
    return np.asarray(vals)


# ---- search spaces ---------------------------------------------------------------------------

#: W&B sweep distributions with a fastlr axis (the others, normal, q_*, inv_log_*, beta, raise).
WANDB_DISTRIBUTIONS = ("constant", "categorical", "int_uniform", "uniform", "log_uniform_values", "log_uniform")
_HYDRA_SWEEP = ("choice(", "range(", "interval(", "tag(", "int(", "float(", "shuffle(", "sort(")


def _wandb_axis(spec: Any, key: str) -> Any:
    """One entry of a W&B sweep's ``parameters`` (the distribution inferred as W&B does)."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"parameters.{key}: a W&B parameter is a mapping (value/values/distribution), got {spec!r}")
    dist = spec.get("distribution")
    if dist is None:
        if "value" in spec:
            dist = "constant"
        elif "values" in spec:
            dist = "categorical"
        elif isinstance(spec.get("min"), int) and isinstance(spec.get("max"), int):
            dist = "int_uniform"
        else:
            dist = "uniform"
    if dist not in WANDB_DISTRIBUTIONS:
        raise ValueError(
            f"parameters.{key}: W&B distribution {dist!r} has no fastlr axis; "
            f"supported: {', '.join(WANDB_DISTRIBUTIONS)}"
        )
    try:
        if dist == "constant":
            return spec["value"]
        if dist == "categorical":
            if "probabilities" in spec:
                raise ValueError(
                    f"parameters.{key}: categorical probabilities are not supported (choices are equally likely)"
                )
            return list(spec["values"])
        lo, hi = spec["min"], spec["max"]
    except KeyError as exc:
        raise ValueError(f"parameters.{key}: distribution {dist!r} needs {exc.args[0]!r}") from None
    if dist == "int_uniform":
        return IntRange(lo, hi)
    if dist == "log_uniform":  # min and max are natural logarithms of the bounds
        return Uniform(math.exp(_number("min", lo)), math.exp(_number("max", hi)), log=True)
    return Uniform(lo, hi, log=dist == "log_uniform_values")


def _wandb_space(params: Any, path: str = "") -> dict[str, Any]:
    if not isinstance(params, Mapping):
        raise ValueError(f"W&B sweep 'parameters' must be a mapping, got {params!r}")
    out: dict[str, Any] = {}
    for k, spec in params.items():
        key = f"{path}.{k}" if path else str(k)
        if isinstance(spec, Mapping) and "parameters" in spec:
            out.update(_wandb_space(spec["parameters"], key))
        else:
            out[key] = _wandb_axis(spec, key)
    return out


def _hydra_axis(key: str, text: str) -> Any:
    """A Hydra sweeper parameter (``"1e-4,3e-4"``, ``"choice(a,b)"``, ``"range(0,2000,500)"``,
    ``"tag(log, interval(1e-4, 1e-2))"``, ``"int(interval(0, 2000))"``), parsed by Hydra."""
    try:
        from hydra.core.override_parser.overrides_parser import OverridesParser
    except ImportError:
        raise ImportError(f"{key}: reading Hydra sweep strings needs hydra-core (pip install hydra-core)") from None
    (o,) = OverridesParser.create().parse_overrides([f"{key}={text}"])
    v = o.value()
    kind = type(v).__name__
    if kind == "ChoiceSweep":
        return list(v.list)
    if kind == "RangeSweep":
        vals = list(o.sweep_iterator())
        return sorted(vals) if v.shuffle else vals
    if kind == "IntervalSweep":
        log = "log" in v.tags
        if isinstance(v.start, int) and isinstance(v.end, int):
            return IntRange(v.start, v.end, log=log)
        return Uniform(v.start, v.end, log=log)
    if o.is_sweep_override():
        raise ValueError(f"{key}: Hydra sweep {text!r} ({kind}) has no fastlr axis")
    return v


def _optuna_axis(dist: Any, key: str) -> Any:
    if hasattr(dist, "choices"):
        return list(dist.choices)
    if "Int" in type(dist).__name__:
        return IntRange(dist.low, dist.high, log=bool(getattr(dist, "log", False)), step=getattr(dist, "step", 1) or 1)
    if hasattr(dist, "low"):
        step = getattr(dist, "step", None) or getattr(dist, "q", None)
        return Uniform(dist.low, dist.high, log=bool(getattr(dist, "log", False)), step=step)
    raise ValueError(f"{key}: Optuna distribution {dist!r} has no fastlr axis")


def _ray_axis(dom: Any, key: str) -> Any:
    kind, sampler = type(dom).__name__, type(getattr(dom, "sampler", None)).__name__.replace("NoneType", "no")
    if kind == "Categorical" and sampler in ("_Uniform", "no"):
        return list(dom.categories)
    if kind in ("Float", "Integer") and sampler in ("_Uniform", "_LogUniform"):
        log = sampler == "_LogUniform"
        if kind == "Integer":  # tune.randint / lograndint: upper excluded
            return IntRange(dom.lower, dom.upper - 1, log=log)
        return Uniform(dom.lower, dom.upper, log=log)
    raise ValueError(
        f"{key}: Ray Tune {kind} with {sampler.strip('_')} sampling has no fastlr axis; supported: tune.uniform, "
        "loguniform, randint, lograndint, choice, grid_search"
    )


def _space(obj: Mapping[Any, Any], path: str = "") -> dict[str, Any]:
    """A mapping of axes: each value a tool's distribution, a fastlr axis, choices, a Hydra sweep
    string, a nested mapping, or a fixed value."""
    out: dict[str, Any] = {}
    for k, v in obj.items():
        key = f"{path}.{k}" if path else str(k)
        mod = type(v).__module__
        if isinstance(v, (Uniform, IntRange)):
            out[key] = v
        elif mod.startswith("optuna") and type(v).__name__.endswith("Distribution"):
            out[key] = _optuna_axis(v, key)
        elif mod.startswith("ray.tune"):
            out[key] = _ray_axis(v, key)
        elif isinstance(v, Mapping) and set(v) == {"grid_search"}:  # tune.grid_search: its values as choices
            out[key] = list(v["grid_search"])
        elif isinstance(v, Mapping):
            out.update(_space(v, key))
        elif isinstance(v, (list, tuple)):
            out[key] = list(v)
        elif isinstance(v, str) and ("," in v or v.replace(" ", "").startswith(_HYDRA_SWEEP)):
            out[key] = _hydra_axis(key, v)
        else:
            out[key] = v
    return out


def search_space(space: Any, *, names: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """A sweep tool's search space as axes for :func:`sample` (``fastlr.sample(n, **axes)``).

    Parameters
    ----------
    space
        One of:

        - a W&B sweep config (a mapping with ``parameters``; nested ``parameters`` read by
          their leaves): ``value`` -> a fixed value, ``values`` -> choices, ``int_uniform`` ->
          :func:`intrange`, ``uniform`` -> :func:`uniform`, ``log_uniform_values`` ->
          :func:`loguniform`, ``log_uniform`` (bounds are natural logs) -> :func:`loguniform`
          of ``exp(min), exp(max)``; other distributions raise;
        - a Ray Tune ``param_space``: ``tune.uniform`` / ``loguniform`` -> real axes,
          ``tune.randint(a, b)`` / ``lograndint`` -> ``intrange(a, b - 1)`` (Ray excludes
          ``b``), ``tune.choice`` and ``tune.grid_search`` -> choices, constants kept;
        - Optuna distributions (``{name: FloatDistribution | IntDistribution |
          CategoricalDistribution}``, e.g. ``trial.distributions``), or a ``Study`` / trial
          (the distributions of its trials);
        - Hydra sweeper params (``{"lr": "tag(log, interval(1e-4, 1e-2))", "warmup":
          "range(0, 2000, 500)", "shape": "cosine,linear"}``, parsed by hydra-core), a config
          with ``hydra.sweeper.params``, or an OmegaConf ``DictConfig`` of either;
        - a mapping of fastlr axes, lists and values.
    names : mapping, optional
        Tool name -> fastlr column, or ``None`` to leave a parameter out (as in
        :func:`from_study`).

    Examples
    --------
    >>> import fastlr as fl
    >>> sweep_config = {"method": "random", "parameters": {
    ...     "learning_rate": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2},
    ...     "warmup": {"min": 0, "max": 2000}, "shape": {"values": ["cosine", "linear"]},
    ...     "epochs": {"value": 10}}}
    >>> axes = fl.search_space(sweep_config, names={"learning_rate": "lr", "epochs": None})
    >>> for name, axis in axes.items():
    ...     print(name, axis)
    lr Uniform(low=0.0001, high=0.01, log=True, step=None)
    warmup IntRange(low=0, high=2000, log=False, step=1)
    shape ['cosine', 'linear']
    >>> c = fl.sample(4, seed=1, **axes, steps=5000)
    >>> fl.sweep(c, 7000).shape
    (4, 7000)
    """
    mod = _module(space)
    if mod == "omegaconf":
        from omegaconf import OmegaConf

        space = OmegaConf.to_container(space, resolve=True)
    what = "search space"
    if mod == "optuna" and hasattr(space, "get_trials"):
        space = {k: d for t in space.get_trials(deepcopy=False) for k, d in t.distributions.items()}
    elif mod == "optuna" and hasattr(space, "distributions"):
        space = dict(space.distributions)
    if not isinstance(space, Mapping):
        raise TypeError(
            "space must be a W&B sweep config, a Ray Tune param_space, Optuna distributions or a study, Hydra "
            f"sweeper params or a mapping of axes; got {type(space).__name__}"
        )
    if "parameters" in space and isinstance(space["parameters"], Mapping):
        axes = _wandb_space(space["parameters"])
        what = "W&B sweep"
    elif isinstance(space.get("hydra"), Mapping):
        params = space["hydra"].get("sweeper", {}).get("params")
        if not isinstance(params, Mapping):
            raise ValueError(f"the config's hydra.sweeper.params must be a mapping, got {params!r}")
        axes = _space(params)
        what = "Hydra sweeper params"
    else:
        axes = _space(space)
    if not axes:
        raise ValueError(f"the {what} has no parameters")
    keys = _columns_for(list(axes), names, what)
    return {col: axes[key] for key, col in keys.items()}
