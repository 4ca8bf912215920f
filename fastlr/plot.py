"""Plots of schedules and sweeps with matplotlib (the ``plot`` extra, imported on first use).

- :func:`plot_schedule` draws one schedule (or each row of a :class:`fastlr.ScheduleSet`) over
  optimizer steps ``0 .. steps - 1`` and marks the warmup end, the phase boundaries of a
  :class:`fastlr.Join` curve and the restarts with vertical lines (from the spec, see
  :func:`fastlr.inspect.boundaries`).
- :func:`plot_sweep` summarises many configs: the median with a percentile band and the
  min-max range, bands per value of one config column (``group_by``), or a sample of curves
  coloured by one config column (``color_by``).

Both draw into ``ax`` when given (nothing else in the figure changes) and otherwise into a new
figure from ``matplotlib.pyplot``; they return the axes. What to mark, how many steps to show,
the default labels and the sampled values come from :mod:`fastlr.inspect`; this module draws.

Quirks
------
- ``log=True`` masks zero values (a warmup starting at 0 then starts at its first non-zero step).
- ``plot_sweep`` draws at most ``max_points`` evenly spaced steps per curve (always the first
  and last): a jump between two drawn steps shows as a slope at most ``steps / max_points``
  steps wide. Percentiles are computed at those steps only.
- The default horizon (``steps=None``) is :func:`fastlr.inspect.horizon`: the end of the last
  decay, phase or restart cycle plus 5 % (so a held tail shows); shapes without one
  (``StepDecay``, ``InverseSqrt``, ...) need ``steps``.
- Phase markers come from ``Join`` boundaries (nested ones included), not from the pieces of a
  ``MultiStep`` or ``PiecewiseConstant``; a restart marker is the first step of its cycle in
  the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastlr import _checks as ck
from fastlr._spec import Schedulable
from fastlr.inspect import boundaries, describe, horizon, sample_steps, sample_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MAX_GROUPS", "category_colors", "legend_entries", "plot_schedule", "plot_sweep", "spans_decades"]

#: Line styles of the markers, by kind.
MARKER_STYLES: dict[str, Any] = {"warmup": "--", "phase": ":", "restart": "-."}
_MARKER_NAMES = {"warmup": "warmup end", "phase": "phase boundary", "restart": "restart"}


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "plotting needs matplotlib: pip install 'fastlr-sched[plot]' (or pip install matplotlib)"
        ) from None
    return plt


def _new_axes(figsize: tuple[float, float] = (8.0, 4.5)) -> Axes:
    plt = _pyplot()
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


# ---- styling ---------------------------------------------------------------------------------


def _style(ax: Axes, log: bool, ylabel: str) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.set_xlabel("optimizer step")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    if log:
        ax.set_yscale("log", nonpositive="mask")
    else:
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
        # rescale to everything drawn so far (an earlier call fixed the limits), from 0 up
        ax.set_autoscaley_on(True)
        ax.autoscale_view(scalex=False)
        if ax.dataLim.y0 >= 0.0:
            ax.set_ylim(bottom=0.0)
    ax.grid(True, which="major", alpha=0.3, linewidth=0.6)
    ax.margins(x=0.01)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def legend_entries(ax: Axes) -> tuple[list[Any], list[str]]:
    """The axes' labelled lines plus one grey sample per marker kind drawn on it.

    For a legend placed elsewhere, e.g. ``fig.legend(*legend_entries(ax), loc="outside lower center")``.
    """
    from matplotlib.lines import Line2D

    kinds: set[str] = getattr(ax, "_fastlr_marker_kinds", set())
    handles, labels = ax.get_legend_handles_labels()
    for kind in ("warmup", "phase", "restart"):
        if kind in kinds:
            handles.append(Line2D([], [], color="0.45", linestyle=MARKER_STYLES[kind], linewidth=1.0))
            labels.append(_MARKER_NAMES[kind])
    return handles, labels


def _marker_legend(ax: Axes, kinds: set[str], draw: bool = True) -> None:
    """Record the marker kinds drawn on ``ax``; draw its legend (lines, then marker kinds)."""
    ax._fastlr_marker_kinds = kinds | getattr(ax, "_fastlr_marker_kinds", set())  # type: ignore[attr-defined]
    if draw:
        handles, labels = legend_entries(ax)
        if handles:
            ax.legend(handles, labels, fontsize="small", loc="best", framealpha=0.9, edgecolor="none")


# ---- one schedule ----------------------------------------------------------------------------


def plot_schedule(
    schedule: Any,
    ax: Axes | None = None,
    steps: int | None = None,
    *,
    label: str | None = None,
    log: bool = False,
    markers: bool = True,
    legend: bool = True,
    ylabel: str | None = None,
    **line_kwargs: Any,
) -> Axes:
    """Draw a schedule's values for optimizer steps ``0 .. steps - 1`` (its float64 table).

    Parameters
    ----------
    schedule : schedule, shape or ScheduleSet
        Anything with ``table(T)``; a ScheduleSet draws one line per hyperparameter and group.
    ax : matplotlib Axes, optional
        Draw here; default a new figure.
    steps : int, optional
        Number of steps; default :func:`fastlr.inspect.horizon` (a ValueError names ``steps``
        when the spec has no end).
    label : str, optional
        Legend entry (default :func:`fastlr.inspect.describe`); ``""`` for none.
    log : bool
        Logarithmic value axis (zeros masked).
    markers : bool
        Vertical lines at the warmup end, phase boundaries and restarts
        (:func:`fastlr.inspect.boundaries`), in the line's colour.
    legend : bool
        Draw the legend (lines and marker kinds).
    ylabel : str, optional
        Value axis label (default "learning rate"; a ScheduleSet's name when it has one
        hyperparameter, else "value").
    **line_kwargs
        Passed to ``ax.plot`` (``color``, ``linewidth``, ...).
    """
    from fastlr.schedule import ScheduleSet

    if not isinstance(schedule, (Schedulable, ScheduleSet)):
        raise TypeError(f"plot_schedule: expected a fastlr schedule, got {type(schedule).__name__}: {schedule!r}")
    if steps is None:
        steps = horizon(schedule)
        if steps is None:
            raise ValueError(f"steps: cannot infer how many steps to plot for {describe(schedule)}; pass steps=")
    steps = ck.integer("steps", steps, lo=1)
    if ax is None:
        ax = _new_axes()
    x = np.arange(steps)
    kinds: set[str] = set()
    if isinstance(schedule, ScheduleSet):
        values = schedule.table(steps)
        prefix = "" if not label else f"{label} "
        rows = [
            (f"{prefix}{k}[{g}]" if len(v) > 1 else f"{prefix}{k}", s, values[k][g])
            for k, v in schedule.hyperparams
            for g, s in enumerate(v)
        ]
    else:
        rows = [(describe(schedule) if label is None else label, schedule, schedule.table(steps))]
    line_kwargs.setdefault("linewidth", 1.8)
    for name, spec, vals in rows:
        (line,) = ax.plot(x, vals, label=name or None, **line_kwargs)
        if markers:
            for at, kind in boundaries(spec, steps):
                ax.axvline(at, color=line.get_color(), linestyle=MARKER_STYLES[kind], linewidth=1.0, alpha=0.55)
                kinds.add(kind)
    if ylabel is None:
        keys = schedule.keys() if isinstance(schedule, ScheduleSet) else ["learning rate"]
        ylabel = {"lr": "learning rate"}.get(keys[0], keys[0]) if len(keys) == 1 else "value"
    _style(ax, log, ylabel)
    _marker_legend(ax, kinds, draw=legend)
    return ax


# ---- sweeps ----------------------------------------------------------------------------------


def _column(source: Any, columns: Mapping[str, Any] | None, name: str, param: str = "color_by") -> np.ndarray:
    if columns is None:
        from fastlr.lowering.program import Program

        if not isinstance(source, Program) or source.configs is None:
            raise ValueError(
                f"{param}={name!r} names a config column, but these configs have no columns "
                "(pass flat configs, columns=, or an array of values)"
            )
        columns = source.columns()
    if name not in columns:
        raise ValueError(f"{param}={name!r} is not a config column; columns: {', '.join(columns)}")
    return np.asarray(columns[name])


def _per_config(by: Any, source: Any, columns: Mapping[str, Any] | None, n: int, param: str) -> tuple[np.ndarray, str]:
    """A column named ``by`` (or N values) as an array of N values, with its name."""
    if isinstance(by, str):
        values, name = _column(source, columns, by, param), by
    else:
        values, name = np.asarray(by), ""
    if values.ndim == 0:
        values = np.broadcast_to(values, (n,))
    if values.shape != (n,):
        raise ValueError(f"{param} must be a column name or {n} values, got shape {values.shape}")
    return values, name


#: The most groups ``group_by`` draws (each needs a colour of its own).
MAX_GROUPS = 20


def _categories(values: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """The distinct values of a column (sorted numbers, strings in order of first appearance)
    and each config's category index."""
    if values.dtype.kind in "biuf":
        cats, index = np.unique(values, return_inverse=True)
        return cats.tolist(), index.reshape(-1)
    keys = [str(v) for v in values.tolist()]
    order = list(dict.fromkeys(keys))
    pos = {k: i for i, k in enumerate(order)}
    return order, np.array([pos[k] for k in keys], dtype=np.int64)


def category_colors(k: int) -> list[Any]:
    """``k`` distinct colours, one per category: ``tab10`` up to 10, ``tab20`` up to 20, else
    evenly spaced along ``turbo`` (never a colour for two categories)."""
    from matplotlib import colormaps

    if k <= 10:
        return [colormaps["tab10"](i) for i in range(k)]
    if k <= 20:
        return [colormaps["tab20"](i) for i in range(k)]
    return [colormaps["turbo"](i / (k - 1)) for i in range(k)]


def _category_label(name: str, value: Any) -> str:
    text = _short(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    return f"{name}={text}" if name else text


def _bands(band: Any) -> list[tuple[float, float]]:
    if band is None:
        return []
    pairs = [band] if len(band) == 2 and all(isinstance(q, (int, float, np.number)) for q in band) else list(band)
    out = []
    for pair in pairs:
        try:
            lo, hi = (float(q) for q in pair)
        except (TypeError, ValueError):
            raise ValueError(f"band must be (lo, hi) percentiles or a list of them, got {band!r}") from None
        if not 0.0 <= lo < hi <= 100.0:
            raise ValueError(f"band percentiles must satisfy 0 <= lo < hi <= 100, got {band!r}")
        out.append((lo, hi))
    return sorted(out, key=lambda p: p[0] - p[1])  # widest first, so narrower bands draw on top


def plot_sweep(
    configs_or_table: Any,
    steps: int | None = None,
    *,
    ax: Axes | None = None,
    band: Any = (5, 95),
    color_by: str | Sequence[Any] | np.ndarray | None = None,
    group_by: str | Sequence[Any] | np.ndarray | None = None,
    columns: Mapping[str, Any] | None = None,
    x: Sequence[int] | np.ndarray | None = None,
    cmap: str = "viridis",
    max_curves: int = 200,
    max_points: int = 2000,
    log: bool | str = False,
    seed: int = 0,
    color: str = "C0",
    label: str | None = None,
    ylabel: str = "learning rate",
) -> Axes:
    """Draw many configs' curves: percentile bands, or a sample coloured by a config column.

    Parameters
    ----------
    configs_or_table : configs or ndarray
        Anything :func:`fastlr.lower` accepts (flat-config columns, schedules, a Program), with
        ``steps``; or a computed ``(N, T)`` table (e.g. ``np.load(path, mmap_mode="r")``, or
        the values of :func:`fastlr.inspect.sample_table` with its ``x``).
    steps : int
        Steps per curve (configs only; a table has its own).
    ax : matplotlib Axes, optional
        Draw here; default a new figure.
    band : (lo, hi) percentiles, a list of such pairs, or None
        Without ``color_by``: the median line, each percentile band (darker when narrower) and
        the min-max range in the lightest shade; ``None``: the median only.
    color_by : str or array, optional
        Draw up to ``max_curves`` configs (a seeded random sample, in row order) coloured by
        this config column (a name, or N values): a colormap and colorbar for numbers (log
        scale when positive over a decade or more), one colour per value for strings, with a
        legend ``name=value``.
    group_by : str or array, optional
        Instead of one set of bands over every config: one median line and percentile bands
        (``band``, no min-max range) per value of this config column (a name, or N values), each
        group in a colour of its own and named in the legend ``name=value (count)``. At most
        :data:`MAX_GROUPS` groups; not with ``color_by``.
    columns : mapping, optional
        Config columns of a table, for ``color_by`` or ``group_by`` by name.
    x : int array, optional
        The steps of a table's columns (default ``0 .. T-1``).
    cmap : str
        Colormap for numeric ``color_by``.
    max_curves, max_points : int
        Curves drawn with ``color_by``; steps drawn per curve (see the module's quirks).
    log : bool or "auto"
        Logarithmic value axis; ``"auto"``: when the configs' peaks span a decade or more
        (:func:`spans_decades`, what ``fastlr sweep --plot`` does by default).
    seed : int
        Seed of the curve sample.
    color : str
        Colour of the bands and median.
    label : str, optional
        Title of the axes (default: the number of configs).
    ylabel : str
        Value axis label.
    """
    bands = _bands(band)
    ck.integer("max_curves", max_curves, lo=1)
    if not (isinstance(log, bool) or log == "auto"):
        raise ValueError(f"log must be True, False or 'auto', got {log!r}")
    source: Any
    if isinstance(configs_or_table, np.ndarray):
        table = configs_or_table
        if table.ndim != 2 or table.shape[0] < 1 or table.shape[1] < 1:
            raise ValueError(f"a table must be 2-D (configs, steps) and non-empty, got shape {table.shape}")
        n, P = table.shape
        xs = np.arange(P) if x is None else np.asarray(x)
        if xs.shape != (P,):
            raise ValueError(f"x must hold the {P} steps of the table's columns, got shape {xs.shape}")
        if steps is not None and x is None and steps != P:
            raise ValueError(f"steps={steps!r} differs from the table's {P} steps")
        cols = sample_steps(P, max_points)
        xs = xs[cols]
        source = None
    else:
        if x is not None:
            raise ValueError("x applies to a table; configs are sampled at evenly spaced steps")
        if steps is None:
            raise ValueError("steps: give the number of steps per config")
        from fastlr.sweeps import lower

        source = lower(configs_or_table)
        xs, values = sample_table(source, steps, max_points)
        table, cols, n = values, np.arange(values.shape[1]), source.n_rows
    if color_by is not None and group_by is not None:
        raise ValueError("color_by and group_by are exclusive: colour sampled curves, or draw bands per group")
    values_by: np.ndarray | None = None
    by_name = ""
    if color_by is not None:
        values_by, by_name = _per_config(color_by, source, columns, n, "color_by")
    groups: tuple[list[Any], np.ndarray] | None = None
    if group_by is not None:
        values_group, by_name = _per_config(group_by, source, columns, n, "group_by")
        groups = _categories(values_group)
        if len(groups[0]) > MAX_GROUPS:
            raise ValueError(
                f"group_by={by_name or 'values'!r} has {len(groups[0])} distinct values, more than {MAX_GROUPS} "
                "groups; use color_by for a column with many values"
            )
    # the columns drawn (the whole table when every column is: no copy)
    drawn = table if np.array_equal(cols, np.arange(table.shape[1])) else table[:, cols]
    if log == "auto":
        log = spans_decades(drawn)
    if ax is None:
        ax = _new_axes()
    if groups is not None:
        every = np.asarray(drawn, dtype=np.float64)
        cats, index = groups
        for k, (cat, col) in enumerate(zip(cats, category_colors(len(cats)))):
            members = every[index == k]
            qs_k = _percentiles(members, [q for pair in bands for q in pair])
            for j in range(len(bands)):
                ax.fill_between(xs, qs_k[2 * j], qs_k[2 * j + 1], color=col, alpha=0.12 + 0.1 * j, linewidth=0)
            label_k = f"{_category_label(by_name, cat)} ({len(members):,})"
            ax.plot(xs, np.median(members, axis=0), color=col, linewidth=1.8, label=label_k)
        ax.legend(frameon=False, fontsize="small", loc="upper right")
        spread = ", ".join(f"{lo_q:g}–{hi_q:g} %" for lo_q, hi_q in bands)
        what = f"median{' and ' + spread if spread else ''} by {by_name or 'group'}"
        title = f"{n:,} configs: {what}" if label is None else label
    elif values_by is None:
        every = np.asarray(drawn, dtype=np.float64)
        if bands:
            ax.fill_between(
                xs, every.min(axis=0), every.max(axis=0), color=color, alpha=0.1, linewidth=0, label="range"
            )
        # every percentile in one pass over the sample (the median is the 50th)
        qs = _percentiles(every, [q for pair in bands for q in pair] + [50.0])
        for k, (lo_q, hi_q) in enumerate(bands):
            alpha = 0.22 + 0.18 * k
            ax.fill_between(
                xs, qs[2 * k], qs[2 * k + 1], color=color, alpha=alpha, linewidth=0, label=f"{lo_q:g}–{hi_q:g} %"
            )
        ax.plot(xs, qs[-1], color=color, linewidth=2.0, label="median")
        ax.legend(frameon=False, fontsize="small", loc="upper right")
        title = f"{n:,} configs" if label is None else label
    else:
        rng = np.random.default_rng(seed)
        rows = np.arange(n) if n <= max_curves else np.sort(rng.choice(n, size=max_curves, replace=False))
        chosen = np.asarray(table[rows][:, cols], dtype=np.float64)
        _colored_curves(ax, xs, chosen, values_by[rows], by_name, cmap)
        shown = len(rows)
        title = label if label is not None else (f"{shown:,} of {n:,} configs" if shown < n else f"{n:,} configs")
        if by_name and label is None:
            title += f", coloured by {by_name}"
    ax.set_title(title, fontsize="medium")
    _style(ax, bool(log), ylabel)
    return ax


def _percentiles(values: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """``np.percentile(values, q, axis=0)`` (the default ``"linear"`` method), bit for bit, faster.

    One sort of a transposed copy (each column's values contiguous) instead of a partition at
    every needed rank: NumPy's partition by several ranks at once along the first axis of a
    large sample costs several times a full sort. The interpolation is NumPy's own formula
    (``_lerp``: ``a + (b - a) * g``, or ``b - (b - a) * (1 - g)`` where ``g >= 0.5``), on the
    same ranks and weights.

    Parameters
    ----------
    values : ndarray
        ``(n, P)`` floating-point values: ``n`` samples of ``P`` columns.
    q : sequence of float
        Percentiles in ``[0, 100]``.

    Returns
    -------
    ndarray
        ``(len(q), P)``, the dtype ``np.percentile`` returns.

    Notes
    -----
    A sort and a partition may order ``-0.0`` and ``0.0`` (equal) differently; where a value
    taken is a zero and the input holds a ``-0.0``, and for NaN, integer or other input, this is
    ``np.percentile`` itself, so the result is always the same bits.
    """
    a = np.asarray(values)
    if a.ndim != 2 or a.shape[0] < 1 or a.dtype.kind != "f":
        return np.asarray(np.percentile(a, q, axis=0))
    n = a.shape[0]
    # NumPy's ranks and weights for method="linear" (_quantile, _get_indexes, _get_gamma)
    quantiles = np.true_divide(np.asarray(q), 100)
    if not (quantiles.ndim == 1 and bool(np.all((quantiles >= 0) & (quantiles <= 1)))):
        return np.asarray(np.percentile(a, q, axis=0))
    virtual = (n - 1) * quantiles
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    lo_i, hi_i = prev.astype(np.intp), nxt.astype(np.intp)
    gamma = np.asarray(virtual - lo_i, dtype=virtual.dtype).reshape(-1, 1)
    lanes = np.ascontiguousarray(a.T)  # (P, n): each column's samples contiguous
    lanes.sort(axis=-1)
    if bool(np.isnan(lanes[:, -1]).any()):  # NaN sorts last
        return np.asarray(np.percentile(a, q, axis=0))
    lo, hi = lanes[:, lo_i].T, lanes[:, hi_i].T
    if bool((lo == 0).any() or (hi == 0).any()) and bool((np.signbit(a) & (a == 0)).any()):
        return np.asarray(np.percentile(a, q, axis=0))
    diff = hi - lo
    out = np.add(lo, diff * gamma)
    np.subtract(hi, diff * (1 - gamma), out=out, where=gamma >= 0.5, casting="unsafe", dtype=type(out.dtype))
    return out


def spans_decades(values: Any, ratio: float = 10.0) -> bool:
    """Whether the curves' peaks span ``ratio`` (a decade) or more: a log value axis reads better.

    ``values`` is an ``(N, P)`` table (or sample) of N curves; the peaks are each row's maximum,
    and only positive peaks count. ``True`` when ``max(peaks) / min(peaks) >= ratio``.
    """
    arr = np.asarray(values)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    # each row's maximum in its own dtype, then widened: the same peaks, without a float64 copy
    peaks = (np.max(arr, axis=1) if arr.size else arr).astype(np.float64)
    peaks = peaks[np.isfinite(peaks) & (peaks > 0)]
    return bool(peaks.size) and float(peaks.max()) >= ratio * float(peaks.min())


def _colored_curves(ax: Axes, x: np.ndarray, ys: np.ndarray, by: np.ndarray, name: str, cmap: str) -> None:
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    from matplotlib.colors import LogNorm, Normalize

    segs = np.stack([np.broadcast_to(x, ys.shape), ys], axis=-1)
    if by.dtype.kind in "iuf":
        vals = by.astype(np.float64)
        lo, hi = float(vals.min()), float(vals.max())
        if hi == lo:
            lo, hi = lo - 0.5, hi + 0.5
        norm: Normalize = LogNorm(lo, hi) if lo > 0 and hi / lo >= 10 else Normalize(lo, hi)
        lc = LineCollection(list(segs), cmap=colormaps[cmap], norm=norm, linewidths=0.9, alpha=0.7)
        lc.set_array(vals)
        ax.add_collection(lc)
        bar = ax.figure.colorbar(lc, ax=ax, pad=0.01)
        bar.set_label(name or "value")
        distinct = np.unique(vals)
        if distinct.size <= 12:  # a grid axis: label each of its values
            bar.set_ticks(distinct.tolist(), labels=[_short(v) for v in distinct.tolist()])
            bar.ax.minorticks_off()
        if bar.solids is not None:
            bar.solids.set_alpha(1.0)
    else:
        cats, index = _categories(by)
        for k, (cat, col) in enumerate(zip(cats, category_colors(len(cats)))):
            mask = index == k
            ax.add_collection(LineCollection(list(segs[mask]), colors=[col], linewidths=0.9, alpha=0.6))
            ax.plot([], [], color=col, label=_category_label(name, cat))
        ax.legend(frameon=False, fontsize="small", loc="upper right")
    ax.autoscale_view()


def _short(v: float) -> str:
    """A compact tick label: ``3.0e-4`` for small or large magnitudes, else 3 significant digits."""
    if v != 0.0 and not 1e-2 <= abs(v) < 1e4:
        mantissa, exponent = f"{v:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{v:.3g}"
