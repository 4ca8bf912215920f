"""Sweep config files: a grid of config columns or a list of configs, with the table's options.

:func:`load_sweep` reads one (format: ``docs/cli.md``) into a :class:`SweepJob`; errors are
:class:`fastlr.cli.spec.CLIError` naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

import fastlr
from fastlr._spec import Spec
from fastlr.cli.spec import CLIError, flat_schedule, from_dict_located, load_data, load_spec
from fastlr.lowering.configs import canonical

__all__ = ["AXIS_FORMS", "SAMPLE_FORMS", "SAMPLE_KEYS", "SWEEP_KEYS", "SweepJob", "load_sweep", "lower_job"]

SWEEP_KEYS = ("steps", "grid", "configs", "sample", "defaults", "dtype", "threshold", "title")
AXIS_FORMS = ("linspace", "geomspace", "range")
SAMPLE_KEYS = ("n", "seed", "method", "axes")
#: Sampled axes of a ``sample`` block: ``{form = [low, high]}`` (``intrange`` may add a step).
SAMPLE_FORMS = ("uniform", "loguniform", "intrange")


@dataclasses.dataclass
class SweepJob:
    """What a sweep config file asks for: configs (anything ``fastlr.lower`` accepts), T, options."""

    configs: Any
    steps: int
    dtype: np.dtype
    threshold: float | None
    title: str | None
    form: str  # "grid", "configs" or "sample"
    axes: tuple[str, ...] = ()


class _Header(NamedTuple):
    """The options of a sweep file, checked: everything but its grid or configs."""

    steps: int
    dtype: np.dtype
    threshold: float | None
    title: str | None
    defaults: Mapping[str, Any]


def load_sweep(path: str | Path, steps: int | None = None, dtype: str | None = None) -> SweepJob:
    """Read a sweep config file (see ``docs/cli.md``); ``steps``/``dtype`` override the file's."""
    where = str(path)
    data = load_data(path)
    head = _read_header(data, where, steps, dtype)
    if "grid" in data:
        return _grid_job(data["grid"], head, where)
    if "sample" in data:
        return _sample_job(data["sample"], head, where)
    return _configs_job(data["configs"], head, where)


def _read_header(data: Any, where: str, steps: int | None, dtype: str | None) -> _Header:
    """Check the file's keys and options; exactly one of ``grid`` and ``configs`` must be there."""
    if not isinstance(data, dict):
        raise CLIError(f"{where}: a sweep config is a mapping with keys {', '.join(SWEEP_KEYS)}")
    unknown = sorted(set(data) - set(SWEEP_KEYS))
    if unknown:
        raise CLIError(f"{where}: unknown key(s) {unknown}; valid keys: {', '.join(SWEEP_KEYS)}")
    T = data.get("steps") if steps is None else steps
    if T is None:
        raise CLIError(f"{where}: give 'steps' (the table length T) in the file or --steps")
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise CLIError(f"{where}: steps must be an integer >= 1 (the table length T), got {T!r}")
    dt = _dtype(data.get("dtype", "float32") if dtype is None else dtype, where)
    threshold = data.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
        raise CLIError(f"{where}: threshold must be a number, got {threshold!r}")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise CLIError(f"{where}: defaults must be a mapping of config columns, got {defaults!r}")
    defaults = _canonical(defaults, f"{where}: defaults")
    if sum(k in data for k in ("grid", "configs", "sample")) != 1:
        raise CLIError(
            f"{where}: give exactly one of 'grid' (axes to combine), 'configs' (a list) or 'sample' (axes to draw from)"
        )
    return _Header(T, dt, threshold, data.get("title"), defaults)


def _grid_job(grid: Any, head: _Header, where: str) -> SweepJob:
    """Every combination of the grid's axes, the defaults added, ``steps`` filling the table."""
    if not isinstance(grid, Mapping) or not grid:
        raise CLIError(f"{where}: grid must be a non-empty mapping of column -> values, got {grid!r}")
    grid = _canonical(grid, f"{where}: grid")
    both = sorted(set(grid) & set(head.defaults))
    if both:
        raise CLIError(f"{where}: column(s) {both} are both grid axes and defaults")
    axes = {k: _axis(k, v, where) for k, v in grid.items()}
    try:
        cols: dict[str, Any] = dict(fastlr.grid(**axes))
    except (ValueError, TypeError) as exc:
        raise CLIError(f"{where}: grid: {exc}") from None
    cols.update(head.defaults)
    return SweepJob(cols, head.steps, head.dtype, head.threshold, head.title, "grid", tuple(grid))


def _sample_job(block: Any, head: _Header, where: str) -> SweepJob:
    """``n`` configs drawn from the axes (``fastlr.sample``), the defaults added."""
    if not isinstance(block, Mapping) or not isinstance(block.get("axes"), Mapping) or not block["axes"]:
        raise CLIError(f"{where}: sample must be a mapping with 'n' and a non-empty 'axes' mapping, got {block!r}")
    unknown = sorted(set(block) - set(SAMPLE_KEYS))
    if unknown:
        raise CLIError(f"{where}: sample: unknown key(s) {unknown}; valid keys: {', '.join(SAMPLE_KEYS)}")
    axes_in = _canonical(block["axes"], f"{where}: sample.axes")
    both = sorted(set(axes_in) & set(head.defaults))
    if both:
        raise CLIError(f"{where}: column(s) {both} are both sample axes and defaults")
    axes = {k: _sample_axis(k, v, where) for k, v in axes_in.items()}
    n: Any = block.get("n")
    try:
        cols: dict[str, Any] = dict(
            fastlr.sample(n, seed=block.get("seed"), method=block.get("method", "sobol"), **axes)
        )
    except (ValueError, TypeError) as exc:
        raise CLIError(f"{where}: sample: {exc}") from None
    cols.update(head.defaults)
    return SweepJob(cols, head.steps, head.dtype, head.threshold, head.title, "sample", tuple(axes_in))


def _sample_axis(name: str, value: Any, where: str) -> Any:
    """One sampled axis: a list of choices, a value, or {uniform|loguniform|intrange: [low, high(, step)]}."""
    if not isinstance(value, Mapping):
        return value
    if len(value) != 1 or next(iter(value)) not in SAMPLE_FORMS:
        raise CLIError(
            f"{where}: sample.axes.{name}: a mapping axis has one key of {', '.join(SAMPLE_FORMS)}; got {dict(value)}"
        )
    form, spec = next(iter(value.items()))
    sizes = (2, 3) if form == "intrange" else (2,)
    if not (isinstance(spec, list) and len(spec) in sizes and all(isinstance(v, (int, float)) for v in spec)):
        want = "[low, high] or [low, high, step]" if form == "intrange" else "[low, high]"
        raise CLIError(f"{where}: sample.axes.{name}.{form} must be {want}; got {spec!r}")
    try:
        if form == "intrange":
            return fastlr.intrange(spec[0], spec[1], step=spec[2] if len(spec) == 3 else 1)
        return (fastlr.uniform if form == "uniform" else fastlr.loguniform)(spec[0], spec[1])
    except ValueError as exc:
        raise CLIError(f"{where}: sample.axes.{name}.{form}: {exc}") from None


def _configs_job(items: Any, head: _Header, where: str) -> SweepJob:
    """A list of flat configs (one table of columns) or of schedules in any SPEC form."""
    if not isinstance(items, list) or not items:
        raise CLIError(f"{where}: configs must be a non-empty list, got {items!r}")
    if all(isinstance(c, Mapping) and "type" not in c for c in items):
        configs: Any = _flat_rows(items, head, where)
    else:
        configs = _schedules(items, head, where)
    return SweepJob(configs, head.steps, head.dtype, head.threshold, head.title, "configs")


def _flat_rows(items: list[Mapping[str, Any]], head: _Header, where: str) -> list[dict[str, Any]]:
    """Flat configs with the defaults (a config's own value wins); checked by ``fastlr.lower``."""
    return [{**head.defaults, **_canonical(c, f"{where}: configs[{i}]")} for i, c in enumerate(items)]


def _canonical(config: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``config`` with canonical column names (aliases resolved); an error names ``where``."""
    try:
        return dict(canonical(config))
    except ValueError as exc:
        raise CLIError(f"{where}: {exc}") from None


def _schedules(items: list[Any], head: _Header, where: str) -> list[Spec]:
    """Each item a SPEC string, a ``to_dict()`` mapping or a flat config (with the defaults)."""
    scheds: list[Spec] = []
    for i, c in enumerate(items):
        at = f"{where}: configs[{i}]"
        if isinstance(c, str):
            try:
                scheds.append(load_spec(c, head.steps))
            except CLIError as exc:
                raise CLIError(f"{at}: {exc}", exc.text, exc.span) from None
        elif isinstance(c, Mapping) and "type" in c:
            scheds.append(from_dict_located(dict(c), at, ""))
        elif isinstance(c, Mapping):
            scheds.append(flat_schedule({**head.defaults, **_canonical(c, at)}, at, head.steps))
        else:
            raise CLIError(f"{at}: expected a flat config, a to_dict() mapping or a SPEC string, got {c!r}")
    return scheds


def _axis(name: str, value: Any, where: str) -> Any:
    """One grid axis: a list, a scalar, or {linspace|geomspace: [a, b, n]} / {range: [a, b, step]}."""
    if isinstance(value, Mapping):
        if len(value) != 1 or next(iter(value)) not in AXIS_FORMS:
            raise CLIError(
                f"{where}: grid.{name}: a mapping axis has one key of {', '.join(AXIS_FORMS)}; got {dict(value)}"
            )
        form, spec = next(iter(value.items()))
        if not (isinstance(spec, list) and len(spec) == 3 and all(isinstance(v, (int, float)) for v in spec)):
            raise CLIError(f"{where}: grid.{name}.{form} must be three numbers [start, stop, num|step]; got {spec!r}")
        a, b, c = spec
        if form == "range":
            if c == 0:
                raise CLIError(f"{where}: grid.{name}.range step must not be 0")
            vals: np.ndarray = np.arange(a, b, c)
            if all(isinstance(v, int) for v in spec):
                vals = vals.astype(np.int64)
        else:
            if not isinstance(c, int) or c < 1:
                raise CLIError(f"{where}: grid.{name}.{form} count must be an integer >= 1; got {c!r}")
            if form == "geomspace" and (a <= 0 or b <= 0):
                raise CLIError(f"{where}: grid.{name}.geomspace needs positive start and stop; got {a!r}, {b!r}")
            vals = (np.linspace if form == "linspace" else np.geomspace)(a, b, c)
        if vals.size == 0:
            raise CLIError(f"{where}: grid.{name}.{form} {spec!r} is empty")
        return vals.tolist()
    if isinstance(value, list) and not value:
        raise CLIError(f"{where}: grid.{name} is empty")
    return value


def _dtype(value: Any, where: str) -> np.dtype:
    """The table dtype a file or ``--dtype`` names."""
    if value not in ("float32", "float64"):
        raise CLIError(f"{where}: dtype must be 'float32' or 'float64', got {value!r}")
    return np.dtype(value)


def lower_job(job: SweepJob, where: str) -> fastlr.Program:
    """``fastlr.lower`` of the job's configs over its T steps; an error names the grid axis or
    the config."""
    try:
        return fastlr.lower(job.configs, job.steps)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        m = re.match(r"row (\d+): (.*)", msg, re.S)
        if m and job.form in ("grid", "sample"):
            row, rest = m.groups()
            col = rest.split(" ", 1)[0]
            label = {"grid": f"grid.{col}: ", "sample": f"sample.axes.{col}: "}[job.form] if col in job.axes else ""
            raise CLIError(f"{where}: {label}{rest} ({job.form} row {row})") from None
        if m:
            raise CLIError(f"{where}: configs[{m.group(1)}]: {m.group(2)}") from None
        raise CLIError(f"{where}: {msg}") from None
