"""The figures ``fastlr plot`` and ``fastlr sweep --plot`` write (matplotlib, imported on use).

The drawing itself is :mod:`fastlr.plot`; this module lays out the figure: the legend below
the axes, one panel per hyperparameter of a ScheduleSet, a sweep's bands beside a sample of
curves coloured by a config column.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import fastlr
from fastlr._spec import Spec
from fastlr.cli.notice import COMPILING, notice_after
from fastlr.cli.spec import DATA_SUFFIXES, MissingDependency
from fastlr.cli.sweepfile import SweepJob
from fastlr.inspect import describe, sample_steps, sample_table

__all__ = [
    "NEEDS_MATPLOTLIB",
    "draws_table",
    "load_matplotlib",
    "schedule_set_figure",
    "schedules_figure",
    "sweep_figure",
    "sweep_steps",
]

#: What a figure's command says when matplotlib cannot be imported (exit status 1).
NEEDS_MATPLOTLIB = "plotting needs matplotlib: pip install 'fastlr-sched[plot]' (or pip install matplotlib)"


def load_matplotlib() -> Any:
    """Import what drawing a figure needs: ``matplotlib.figure.Figure`` (returned) and the Agg
    canvas that ``savefig`` writes a PNG with (together about half a second).

    ``fastlr sweep --plot`` calls it on a :class:`~fastlr.cli.notice.Background` thread while
    the kernels compile (:func:`~fastlr.cli.writers.check_output` only checks that matplotlib
    is installed). A matplotlib that fails to import raises
    :class:`~fastlr.cli.spec.MissingDependency` (exit status 1).
    """
    try:
        import matplotlib.backends.backend_agg  # noqa: F401  (savefig's canvas for .png)
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependency(NEEDS_MATPLOTLIB) from None
    return Figure


def schedules_figure(
    path: Path, texts: Sequence[str], specs: Sequence[Spec], steps: int, args: argparse.Namespace
) -> None:
    """Every schedule on one axes, labelled by ``--label`` or from its SPEC, legend below."""
    Figure = load_matplotlib()

    from fastlr.plot import plot_schedule

    fig = Figure(figsize=(9.0, 5.0), layout="constrained")
    ax = fig.subplots()
    with notice_after(3.0, COMPILING):
        for k, (text, spec) in enumerate(zip(texts, specs)):
            label = args.label[k] if args.label else _spec_label(text, spec)
            plot_schedule(spec, ax=ax, steps=steps, label=label, log=args.log, markers=not args.no_markers)
    if args.title:
        ax.set_title(args.title)
    _legend_below(fig, ax)
    save_once(fig, path, args.dpi)


def schedule_set_figure(out: Path, spec: Any, text: str, steps: int, args: argparse.Namespace) -> None:
    """One panel per hyperparameter of a ScheduleSet (its groups as lines), sharing the step axis."""
    Figure = load_matplotlib()

    from fastlr.plot import plot_schedule

    keys = spec.keys()
    fig = Figure(figsize=(9.0, 2.6 * len(keys) + 1.0), layout="constrained")
    axes = fig.subplots(len(keys), 1, sharex=True, squeeze=False)[:, 0]
    with notice_after(3.0, COMPILING):
        for ax, key in zip(axes, keys):
            part = fastlr.ScheduleSet({key: spec[key]})
            plot_schedule(part, ax=ax, steps=steps, log=args.log, markers=not args.no_markers, legend=True)
            if ax is not axes[-1]:
                ax.set_xlabel("")
    fig.suptitle(args.title or _spec_label(text, spec), fontsize="medium")
    save_once(fig, out, args.dpi)


def _legend_below(fig: Any, ax: Any) -> None:
    """Move the axes' legend (curves and marker kinds) below the axes."""
    from fastlr.plot import legend_entries

    handles, labels = legend_entries(ax)
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    if labels:
        ncols = 1 if max(map(len, labels)) > 45 else 2
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False, fontsize="small")


def _spec_label(text: str, spec: Spec) -> str:
    """A legend label: the file name and the shape, the shape of inline JSON, or the SPEC."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        return describe(spec)
    path = Path(text)
    if path.suffix.lower() in DATA_SUFFIXES or path.exists():
        return f"{path.name}: {describe(spec)}"
    return stripped if len(stripped) <= 90 else stripped[:89] + "…"


def sweep_figure(
    path: Path,
    prog: fastlr.Program,
    T: int,
    job: SweepJob,
    args: argparse.Namespace,
    table: Path | None,
    sample: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Bands of every config beside a sample coloured by one column.

    The values drawn: ``sample`` (``(steps, values)``, the table at :func:`sweep_steps`, kept
    while the table was written), else read from the ``.npy`` table if written, else computed.
    """
    Figure = load_matplotlib()

    from fastlr.plot import legend_entries, plot_schedule, plot_sweep, spans_decades

    n = prog.n_rows
    title = job.title or f"{Path(args.config).name}: {n:,} configs"
    suptitle = f"{title}  ({T:,} steps, {job.dtype.name})"
    if not draws_table(prog):  # a few schedules: one line each, named
        fig = Figure(figsize=(9.0, 5.0), layout="constrained")
        ax = fig.subplots()
        specs = [prog.schedule(i) for i in range(n)]
        log = spans_decades([s.table(T) for s in specs]) if args.log == "auto" else args.log
        for i, spec in enumerate(specs):
            plot_schedule(spec, ax=ax, steps=T, label=f"row {i}: {describe(spec)}", log=log, legend=False)
        fig.legend(*legend_entries(ax), loc="outside lower center", ncols=2, frameon=False, fontsize="small")
        fig.suptitle(suptitle, fontsize="large")
        save_once(fig, path, args.dpi)
        return
    if sample is not None:
        x, values = sample
    elif table is not None and table.suffix.lower() == ".npy":
        # the steps drawn, read from the written table once (a gather over the whole file)
        cols = sweep_steps(T)
        values, x = np.ascontiguousarray(np.load(table, mmap_mode="r")[:, cols]), cols
    else:
        x, values = sample_table(prog, T)
    columns = prog.columns() if prog.configs is not None else {"row": np.arange(n)}
    color_by = _default_color_by(prog, args.color_by)
    panels = 2 if color_by is not None else 1
    fig = Figure(figsize=(6.6 * panels, 4.8), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    log = spans_decades(values) if args.log == "auto" else args.log
    if args.group_by is not None:  # a median and a 25-75 % band per value of the column
        plot_sweep(values, x=x, ax=axes[0], band=(25, 75), group_by=args.group_by, columns=columns, log=log)
    else:
        plot_sweep(values, x=x, ax=axes[0], band=[(5, 95), (25, 75)], log=log, label=f"all {n:,} configs")
    if color_by is not None:
        plot_sweep(values, x=x, ax=axes[1], color_by=color_by, columns=columns, log=log, max_curves=args.curves)
        axes[1].set_ylim(axes[0].get_ylim())
    fig.suptitle(suptitle, fontsize="large")
    save_once(fig, path, args.dpi)


def save_once(fig: Any, path: Path, dpi: float) -> None:
    """``fig.savefig(path, dpi=dpi)`` with its layout engine run once, at ``dpi``: ``savefig``
    runs it twice (a dry-run draw, then the drawing), each pass measuring every tick label
    (about 0.4 s of the sweep figure)."""
    fig.set_dpi(dpi)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
    fig.savefig(path, dpi=dpi)


def draws_table(prog: fastlr.Program) -> bool:
    """Whether :func:`sweep_figure` draws ``prog``'s table (bands and a sample of its rows at
    :func:`sweep_steps`), not a few schedules (at most 12, one line each)."""
    return not (prog.configs is None and prog.n_rows <= 12)


def sweep_steps(T: int) -> np.ndarray:
    """The steps :func:`sweep_figure` draws of a ``T``-step table (at most 2,000, evenly spaced)."""
    return sample_steps(T, 2000)


def _default_color_by(prog: fastlr.Program, chosen: str | None) -> str | None:
    """The column colouring the curves: ``--color-by``, else ``lr`` or the first that varies."""
    if chosen == "none":
        return None
    if prog.configs is None:
        return "row"
    cols = prog.columns()
    if chosen is not None:
        return chosen
    varying = [k for k, v in cols.items() if _varies(v)]
    if "lr" in varying:
        return "lr"
    return varying[0] if varying else None


def _varies(values: Any) -> bool:
    """Whether a column holds more than one value as text (``np.unique(values.astype(str))``),
    without formatting its numbers: distinct numbers print differently, a ``-0.0`` and a
    ``0.0`` too, every NaN as ``nan``."""
    v = np.asarray(values).reshape(-1)
    if v.size == 0:
        return False
    if v.dtype.kind in "biu":
        return bool((v != v[0]).any())
    if v.dtype.kind == "f":
        nan = np.isnan(v)
        if nan.any():
            return not bool(nan.all())
        return not bool(((v == v[0]) & (np.signbit(v) == np.signbit(v[0]))).all())
    return len(np.unique(v.astype(str))) > 1
