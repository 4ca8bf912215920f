"""The ``fastlr`` command line (also ``python -m fastlr``). Reference: ``docs/cli.md``.

Commands::

    fastlr table SPEC --steps T [-o out.npy|.csv|.pt|.parquet]
    fastlr sweep CONFIG.{toml,json,yaml} [-o table.npy] [--summary summary.csv] [--plot sweep.png]
    fastlr plot SPEC [SPEC ...] -o lr.png [--steps T] [--log]
    fastlr presets [DIALECT]
    fastlr bench [--configs N] [--steps T]

A SPEC is one schedule, given as

- a file (``.json``, ``.toml``, ``.yaml``/``.yml``) or inline JSON (``'{...}'``) holding a
  schedule's ``to_dict()`` (it has a ``"type"`` key) or a flat config (``fastlr.sweeps.COLUMNS``);
- a dialect call ``module:function,arg,key=value,...`` such as
  ``optax:warmup_cosine_decay_schedule,init_value=0.0,peak_value=1e-3,warmup_steps=100,decay_steps=1000``
  (a module of ``fastlr.presets``; values are Python literals, or bare words taken as strings;
  when ``function`` is not one of the module's names and the module has ``get_scheduler``, it is
  that function's first argument: ``transformers:cosine,num_warmup_steps=100,...``).

Quirks
------
- A flat config without ``steps`` (the decay length) decays over the rest of the table:
  ``steps = T - warmup - hold`` (``T - hold`` for overlay or blend warmups), at least 1. The
  Python API's default is ``steps=1``; the command line knows T, so it fills the table.
- Exit status: 0 on success, 2 for bad arguments, SPECs or config files (the message names the
  field), 1 for a missing optional dependency, memory or file-system errors.
- YAML needs PyYAML (not a dependency of fastlr); TOML needs Python >= 3.11 or ``tomli``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import dataclasses
import importlib
import inspect
import json
import os
import re
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import fastlr
from fastlr._base import Spec, from_dict
from fastlr._engine import MemoryLimitError
from fastlr.sweeps import COLUMNS, SUMMARY_FIELDS

__all__ = ["CLIError", "SweepJob", "load_data", "load_spec", "load_sweep", "main"]

DATA_SUFFIXES = (".json", ".toml", ".yaml", ".yml")
TABLE_SUFFIXES = (".npy", ".csv", ".pt", ".parquet")
SWEEP_KEYS = ("steps", "grid", "configs", "defaults", "dtype", "threshold", "title")
AXIS_FORMS = ("linspace", "geomspace", "range")


_COMPILING = "loading the kernels (the first run compiles them, up to a minute; cached afterwards)..."


class CLIError(ValueError):
    """Bad user input (exit status 2); ``text``/``span`` locate the offending field."""

    def __init__(
        self, message: str, text: str | None = None, span: tuple[int, int] | None = None, field: str | None = None
    ):
        super().__init__(message)
        self.text = text
        self.span = span
        self.field = field

    def render(self) -> str:
        """The message, then the SPEC with carets under the offending field."""
        msg = str(self)
        if self.text is None or self.span is None or "\n" in self.text:
            return msg
        a, b = self.span
        return f"{msg}\n  {self.text}\n  {' ' * a}{'^' * max(1, b - a)}"


class MissingDependency(ImportError):
    """An optional dependency is needed for what was asked (exit status 1)."""


# ---- reading files ---------------------------------------------------------------------------


def load_data(path: str | Path) -> Any:
    """Parse a JSON, TOML or YAML file (by suffix) into plain Python data."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise CLIError(f"{p}: unknown file type {p.suffix!r}; use one of {', '.join(DATA_SUFFIXES)}")
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CLIError(f"{p}: no such file") from None
    except OSError as exc:
        raise CLIError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if suffix == ".json":
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CLIError(f"{p}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if suffix == ".toml":
        toml = _toml()
        try:
            return toml.loads(raw.decode())
        except toml.TOMLDecodeError as exc:
            raise CLIError(f"{p}: invalid TOML: {exc}") from None
    try:
        import yaml
    except ImportError:
        raise MissingDependency(
            f"{p}: reading YAML needs PyYAML (pip install pyyaml); or write the file as JSON or TOML"
        ) from None
    try:
        return yaml.load(raw, Loader=_yaml_loader(yaml))  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CLIError(f"{p}: invalid YAML: {exc}") from None


def _yaml_loader(yaml: Any) -> Any:
    """PyYAML's SafeLoader that also reads ``3e-4`` as a float (YAML 1.1 wants ``3.0e-4``)."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc, name-defined]
        pass

    number = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", number, list("-+0123456789"))
    return Loader


def _toml() -> Any:
    try:
        import tomllib

        return tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli

            return tomli
        except ImportError:
            raise MissingDependency(
                "reading TOML on Python 3.10 needs tomli (pip install tomli); or write the file as JSON"
            ) from None


# ---- SPECs -----------------------------------------------------------------------------------


_DIALECT = re.compile(r"([A-Za-z_]\w*):(.*)", re.S)
_BARE = re.compile(r"[A-Za-z_][\w.\-]*")


def load_spec(text: str, steps: int | None = None) -> Spec:
    """Build the schedule a SPEC names (see the module docstring for the three forms).

    ``steps`` (the table length T) fills a flat config's missing ``steps`` column.
    """
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            lead = len(text) - len(text.lstrip())
            raise CLIError(f"SPEC is not valid JSON: {exc.msg}", text, (lead + exc.pos, lead + exc.pos + 1)) from None
        try:
            return spec_from_data(data, "SPEC", steps)
        except CLIError as exc:
            if exc.field is not None and text.count(f'"{exc.field}"') == 1:
                a = text.index(f'"{exc.field}"')
                raise CLIError(str(exc), text, (a, a + len(exc.field) + 2)) from None
            raise
    path = Path(text)
    if path.suffix.lower() in DATA_SUFFIXES or path.exists():
        if path.is_dir():
            raise CLIError(f"SPEC {text!r} is a directory, not a file")
        return spec_from_data(load_data(path), str(path), steps)
    m = _DIALECT.fullmatch(stripped)
    if m:
        return _dialect_call(stripped, m.group(1), m.group(2), len(m.group(1)) + 1)
    raise CLIError(
        f"SPEC {text!r} is not a file, inline JSON or a dialect call; forms: schedule.json|.toml|.yaml, "
        '\'{"type": "Schedule", ...}\', module:function,key=value,... (see `fastlr presets`)'
    )


def spec_from_data(data: Any, where: str, steps: int | None = None) -> Spec:
    """A schedule from parsed data: a ``to_dict()`` (with ``"type"``) or a flat config."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise CLIError(
            f"{where}: a SPEC holds one schedule (a mapping), got {kind}; for several, use `fastlr sweep` "
            "with a configs list"
        )
    if "type" in data:
        return _from_dict_located(data, where, "")
    return flat_schedule(data, where, steps)


def flat_schedule(config: Mapping[str, Any], where: str, steps: int | None = None) -> Spec:
    """``fastlr.config_schedule`` of a flat config, its missing ``steps`` filled from ``steps``."""
    unknown = sorted(set(config) - set(COLUMNS))
    if unknown:
        raise CLIError(
            f"{where}: unknown config column(s) {unknown}; valid columns: {', '.join(COLUMNS)} "
            "(a schedule's to_dict() has a 'type' key instead)"
        )
    params = dict(config)
    if "steps" not in params:
        if steps is None:
            raise CLIError(f"{where}: the flat config has no 'steps' (decay length); add it or pass --steps")
        params["steps"] = int(_decay_steps(params, steps))
    try:
        return fastlr.config_schedule(**params)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"{where}: {exc}", field=_named_field(str(exc), config)) from None


def _named_field(message: str, keys: Any) -> str | None:
    """The first of ``keys`` that the message names (as a whole word)."""
    return next((k for k in keys if k != "type" and re.search(rf"\b{re.escape(str(k))}\b", message)), None)


def _decay_steps(cols: Mapping[str, Any], T: int) -> Any:
    """``T - warmup (prefix mode) - hold``, at least 1: the decay fills the table."""
    warmup = np.asarray(cols.get("warmup", COLUMNS["warmup"]))
    hold = np.asarray(cols.get("hold", COLUMNS["hold"]))
    mode = np.asarray(cols.get("warmup_mode", COLUMNS["warmup_mode"]), dtype=object)
    try:
        prefix = np.where(mode == "prefix", warmup.astype(np.int64), 0)
        return np.maximum(1, T - prefix - hold.astype(np.int64))
    except (TypeError, ValueError):
        return T  # bad columns: validation reports them


def _from_dict_located(data: dict[str, Any], where: str, path: str) -> Spec:
    """``fastlr.from_dict``, nested specs first, so an error names the innermost bad spec."""

    def walk(value: Any, sub: str) -> None:
        if isinstance(value, dict) and "type" in value:
            _from_dict_located(value, where, sub)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{sub}.{k}" if sub else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{sub}[{i}]")

    for key, value in data.items():
        if key != "type":
            walk(value, f"{path}.{key}" if path else key)
    try:
        return from_dict(data)
    except (ValueError, TypeError) as exc:
        at = f" at {path}" if path else ""
        raise CLIError(f"{where}{at}: {exc}", field=_named_field(str(exc), data)) from None


def _split_items(body: str, base: int) -> list[tuple[str, int, int]]:
    """Top-level comma-separated items of ``body`` with their spans in the whole SPEC."""
    items: list[tuple[str, int, int]] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(body):
        if quote:
            if ch == quote and body[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append((body[start:i], base + start, base + i))
            start = i + 1
    items.append((body[start:], base + start, base + len(body)))
    out = []
    for raw, a, _ in items:
        lead = len(raw) - len(raw.lstrip())
        out.append((raw.strip(), a + lead, a + lead + len(raw.strip())))
    return [it for it in out if it[0]]


def _literal(value: str, text: str, span: tuple[int, int]) -> Any:
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        if _BARE.fullmatch(value):
            return value
        raise CLIError(
            f"cannot read the value {value!r}: use a Python literal (0.1, 100, 'name', [30, 60], True, None)",
            text,
            span,
        ) from None


def _dialect_call(text: str, module: str, body: str, base: int) -> Spec:
    from fastlr.presets import MODULES

    if module not in MODULES:
        raise CLIError(f"unknown dialect {module!r}; dialects: {', '.join(MODULES)}", text, (0, len(module)))
    try:
        mod = importlib.import_module(f"fastlr.presets.{module}")
    except Exception as exc:  # a dialect that fails to import is reported, not fatal to the CLI
        raise CLIError(
            f"dialect {module!r} is not available: {type(exc).__name__}: {exc}", text, (0, len(module))
        ) from None
    items = _split_items(body, base)
    if not items:
        raise CLIError(f"name a function of dialect {module!r}: {', '.join(_public(mod))}", text, (0, len(text)))
    head, ha, hb = items[0]
    names = _public(mod)
    args: list[Any] = []
    if head in names:
        func, fname = getattr(mod, head), f"{module}.{head}"
    elif hasattr(mod, "get_scheduler") and "=" not in head:
        func, fname = mod.get_scheduler, f"{module}.get_scheduler"
        args.append(_literal(head, text, (ha, hb)))
    else:
        raise CLIError(f"{head!r} is not a name of dialect {module!r}; names: {', '.join(names)}", text, (ha, hb))
    kwargs: dict[str, Any] = {}
    spans: dict[str, tuple[int, int]] = {}
    for item, a, b in items[1:]:
        key, eq, value = item.partition("=")
        key = key.strip()
        if eq and key.isidentifier():
            if key in kwargs:
                raise CLIError(f"{key!r} is given twice", text, (a, b))
            vstart = a + item.index("=") + 1
            kwargs[key] = _literal(value.strip(), text, (vstart, b))
            spans[key] = (a, b)
        else:
            if kwargs:
                raise CLIError("a positional value follows key=value items", text, (a, b))
            args.append(_literal(item, text, (a, b)))
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        sig = None
    if sig is not None:
        params = [p.name for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        takes_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
        if fname.endswith(".get_scheduler") and "scheduler_specific_kwargs" in params:
            # transformers' get_scheduler: other keywords go to the named schedule
            extra = {k: kwargs.pop(k) for k in list(kwargs) if k not in params}
            if extra:
                kwargs["scheduler_specific_kwargs"] = {**kwargs.get("scheduler_specific_kwargs", {}), **extra}
                spans.update({"scheduler_specific_kwargs": (0, len(text))})
        for key in kwargs:
            if key not in params and not takes_any:
                raise CLIError(f"{fname} has no parameter {key!r}; parameters: {', '.join(params)}", text, spans[key])
        try:
            sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise CLIError(f"{fname}: {exc}; parameters: {', '.join(params)}", text, (0, len(text))) from None
    try:
        result = func(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        named = _named_field(message, kwargs)
        span = spans[named] if named is not None else (ha, hb)
        short = fname.split(".")[-1]
        prefix = f"{module}." if message.startswith(f"{short}:") or message.startswith(f"{short}(") else f"{fname}: "
        raise CLIError(f"{prefix}{message}", text, span) from None
    if not isinstance(result, Spec) or not hasattr(result, "table"):
        raise CLIError(f"{fname} returned {type(result).__name__}, not a schedule", text, (ha, hb))
    return result


def _public(mod: Any) -> list[str]:
    return [n for n in getattr(mod, "__all__", []) if callable(getattr(mod, n, None))]


# ---- sweep config files ----------------------------------------------------------------------


@dataclasses.dataclass
class SweepJob:
    """What a sweep config file asks for: configs (anything ``fastlr.lower`` accepts), T, options."""

    configs: Any
    steps: int
    dtype: np.dtype
    threshold: float | None
    title: str | None
    form: str  # "grid" or "configs"
    axes: tuple[str, ...] = ()


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


def load_sweep(path: str | Path, steps: int | None = None, dtype: str | None = None) -> SweepJob:
    """Read a sweep config file (see ``docs/cli.md``); ``steps``/``dtype`` override the file's."""
    where = str(path)
    data = load_data(path)
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
    title = data.get("title")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise CLIError(f"{where}: defaults must be a mapping of config columns, got {defaults!r}")
    bad = sorted(set(defaults) - set(COLUMNS))
    if bad:
        raise CLIError(f"{where}: defaults: unknown column(s) {bad}; valid columns: {', '.join(COLUMNS)}")
    if ("grid" in data) == ("configs" in data):
        raise CLIError(f"{where}: give exactly one of 'grid' (axes to combine) or 'configs' (a list)")
    if "grid" in data:
        g = data["grid"]
        if not isinstance(g, Mapping) or not g:
            raise CLIError(f"{where}: grid must be a non-empty mapping of column -> values, got {g!r}")
        bad = sorted(set(g) - set(COLUMNS))
        if bad:
            raise CLIError(f"{where}: grid: unknown column(s) {bad}; valid columns: {', '.join(COLUMNS)}")
        both = sorted(set(g) & set(defaults))
        if both:
            raise CLIError(f"{where}: column(s) {both} are both grid axes and defaults")
        axes = {k: _axis(k, v, where) for k, v in g.items()}
        try:
            cols: dict[str, Any] = dict(fastlr.grid(**axes))
        except (ValueError, TypeError) as exc:
            raise CLIError(f"{where}: grid: {exc}") from None
        cols.update(defaults)
        if "steps" not in cols:
            cols["steps"] = _decay_steps(cols, T)
        return SweepJob(cols, T, dt, threshold, title, "grid", tuple(g))
    items = data["configs"]
    if not isinstance(items, list) or not items:
        raise CLIError(f"{where}: configs must be a non-empty list, got {items!r}")
    flat = all(isinstance(c, Mapping) and "type" not in c for c in items)
    if flat:
        rows = []
        for i, c in enumerate(items):
            row = {**defaults, **c}
            bad = sorted(set(row) - set(COLUMNS))
            if bad:
                raise CLIError(f"{where}: configs[{i}]: unknown column(s) {bad}; valid columns: {', '.join(COLUMNS)}")
            if "lr" not in row:
                raise CLIError(f"{where}: configs[{i}]: missing required column 'lr'")
            if "steps" not in row:
                row["steps"] = int(_decay_steps(row, T))
            rows.append(row)
        keys = list(dict.fromkeys(k for r in rows for k in r))
        if "end" in keys and "end_ratio" in keys:
            both = [i for i, r in enumerate(rows) if "end" in r and "end_ratio" in r]
            if both:
                raise CLIError(f"{where}: configs[{both[0]}]: give 'end' or 'end_ratio', not both")
            raise CLIError(
                f"{where}: configs mix 'end' and 'end_ratio' columns; use one of them in every config "
                "(or a list of schedules)"
            )
        return SweepJob(rows, T, dt, threshold, title, "configs")
    scheds: list[Spec] = []
    for i, c in enumerate(items):
        at = f"{where}: configs[{i}]"
        if isinstance(c, str):
            try:
                scheds.append(load_spec(c, T))
            except CLIError as exc:
                raise CLIError(f"{at}: {exc}", exc.text, exc.span) from None
        elif isinstance(c, Mapping) and "type" in c:
            scheds.append(_from_dict_located(dict(c), at, ""))
        elif isinstance(c, Mapping):
            scheds.append(flat_schedule({**defaults, **c}, at, T))
        else:
            raise CLIError(f"{at}: expected a flat config, a to_dict() mapping or a SPEC string, got {c!r}")
    return SweepJob(scheds, T, dt, threshold, title, "configs")


def _dtype(value: Any, where: str) -> np.dtype:
    if value not in ("float32", "float64"):
        raise CLIError(f"{where}: dtype must be 'float32' or 'float64', got {value!r}")
    return np.dtype(value)


def _lower_job(job: SweepJob, where: str) -> fastlr.Program:
    try:
        return fastlr.lower(job.configs)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        m = re.match(r"row (\d+): (\w+) (.*)", msg, re.S)
        if m and job.form == "grid":
            col = m.group(2)
            label = f"grid.{col}" if col in job.axes else col
            raise CLIError(f"{where}: {label}: {col} {m.group(3)} (grid row {m.group(1)})") from None
        if m:
            raise CLIError(f"{where}: configs[{m.group(1)}]: {m.group(2)} {m.group(3)}") from None
        raise CLIError(f"{where}: {msg}") from None


# ---- writing tables --------------------------------------------------------------------------


def _check_output(path: str | None, suffixes: Sequence[str], what: str) -> Path | None:
    """Validate an output path's suffix and its optional dependency before any work."""
    if path is None:
        return None
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in suffixes:
        raise CLIError(f"{what} {path!r}: unknown format {p.suffix or '(none)'!r}; use one of {', '.join(suffixes)}")
    if suffix == ".pt":
        _need("torch", "writing .pt needs torch (pip install torch); or use .npy")
    elif suffix == ".parquet":
        _need("pyarrow", "writing .parquet needs pyarrow (pip install pyarrow); or use .npy or .csv")
    elif suffix in (".png", ".svg", ".pdf", ".jpg", ".jpeg"):
        _need("matplotlib", "plotting needs matplotlib: pip install 'fastlr[plot]' (or pip install matplotlib)")
    if p.parent != Path() and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    return p


def _need(module: str, message: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependency(message) from None


def _fmt(dtype: np.dtype) -> str:
    return "%.9g" if dtype == np.float32 else "%.17g"


def _write_table(path: Path, columns: dict[str, np.ndarray], T: int) -> None:
    """One schedule (or a ScheduleSet's rows) as ``step`` plus one column per curve."""
    suffix = path.suffix.lower()
    names = list(columns)
    if suffix == ".npy":
        arr = next(iter(columns.values())) if len(names) == 1 else np.stack(list(columns.values()))
        np.save(path, arr)
    elif suffix == ".csv":
        with path.open("w", newline="") as fh:
            fh.write(",".join(["step", *names]) + "\n")
            texts = [[str(v) for v in col] for col in columns.values()]  # shortest round-trip digits
            fh.writelines(f"{i},{','.join(row)}\n" for i, row in enumerate(zip(*texts)))
    elif suffix == ".pt":
        import torch

        if len(names) == 1:
            torch.save(torch.from_numpy(np.ascontiguousarray(columns[names[0]])), path)
        else:
            torch.save({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in columns.items()}, path)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({"step": np.arange(T, dtype=np.int64), **columns})
        pq.write_table(table, path)


def _curves(spec: Spec, T: int, dtype: np.dtype) -> dict[str, np.ndarray]:
    """``{name: values}``: ``lr`` for a schedule, ``name[g]`` per group for a ScheduleSet."""
    if isinstance(spec, fastlr.ScheduleSet):
        out = {}
        for name, v in spec.table(T, dtype=dtype).items():
            for g in range(v.shape[0]):
                out[name if v.shape[0] == 1 else f"{name}[{g}]"] = np.ascontiguousarray(v[g])
        return out
    return {"value": spec.table(T, dtype=dtype)}  # type: ignore[attr-defined]


def _write_sweep(path: Path, prog: fastlr.Program, T: int, dtype: np.dtype, progress: bool | None) -> float:
    """Compute and write the (N, T) table; returns the seconds spent computing (and writing)."""
    suffix = path.suffix.lower()
    n = prog.n_rows
    t0 = time.perf_counter()
    if suffix == ".npy":
        out = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(n, T))
        fastlr.sweep(prog, T, dtype=dtype, out=out, progress=progress)
        del out
    elif suffix == ".csv":
        chunk = max(1, min(n, (32 << 20) // (T * dtype.itemsize)))
        buf = np.empty((chunk, T), dtype=dtype)
        with path.open("w", newline="") as fh:
            fh.write("row," + ",".join(map(str, range(T))) + "\n")
            for lo in range(0, n, chunk):
                hi = min(n, lo + chunk)
                part = buf[: hi - lo]
                fastlr.sweep(prog.subset(lo, hi), T, dtype=dtype, out=part, progress=False)
                rows = np.arange(lo, hi, dtype=np.float64).reshape(-1, 1)  # exact below 2**53
                body = np.hstack([rows, part.astype(np.float64)])
                np.savetxt(fh, body, delimiter=",", fmt=["%d"] + [_fmt(dtype)] * T)
    else:
        table = fastlr.sweep(prog, T, dtype=dtype, progress=progress)
        if suffix == ".pt":
            import torch

            torch.save(torch.from_numpy(table), path)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            cols: dict[str, Any] = {"row": np.arange(n, dtype=np.int64)}
            if prog.configs is not None:
                cols.update({k: (v.tolist() if v.dtype == object else v) for k, v in prog.columns().items()})
            values = pa.FixedSizeListArray.from_arrays(pa.array(table.reshape(-1)), T)
            pq.write_table(pa.table({**cols, "values": values}), path)
    return time.perf_counter() - t0


def _write_summary(path: Path, prog: fastlr.Program, summary: dict[str, np.ndarray]) -> int:
    """Row, config columns and summaries as CSV; returns the number of columns."""
    n = prog.n_rows
    if prog.configs is not None:
        config_cols = {k: np.asarray(v).tolist() for k, v in prog.columns().items()}
    else:
        config_cols = {
            "spec": [json.dumps(prog.config(i), separators=(",", ":")) for i in range(n)],
            "fingerprint": [prog.schedule(i).fingerprint() for i in range(n)],
        }
    cols = {"row": list(range(n)), **config_cols, **{k: summary[k].tolist() for k in SUMMARY_FIELDS if k in summary}}
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(cols))
        w.writerows(zip(*cols.values()))
    return len(cols)


# ---- commands --------------------------------------------------------------------------------


def _cmd_table(args: argparse.Namespace) -> int:
    out = _check_output(args.output, TABLE_SUFFIXES, "-o")
    spec = load_spec(args.spec, args.steps)
    dtype = np.dtype(args.dtype)
    t0 = time.perf_counter()
    with _notice_after(3.0, _COMPILING):
        curves = _curves(spec, args.steps, dtype)
    elapsed = time.perf_counter() - t0
    if out is not None:
        _write_table(out, curves, args.steps)
        print(f"wrote {args.steps:,} steps × {len(curves)} curve(s) ({dtype.name}) to {out}")
    name, values = next(iter(curves.items()))
    if len(curves) > 1:
        print(f"{name} (first of {', '.join(curves)}):")
    shown = min(len(values), 5)
    for i in range(shown):
        print(f"{i}\t{float(values[i])!r}")
    if len(values) > shown:
        print(f"...\n{len(values) - 1}\t{float(values[-1])!r}")
    print(f"{args.steps:,} steps in {elapsed * 1e3:.1f} ms (including compilation on first use)")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    out = _check_output(args.output, TABLE_SUFFIXES, "-o")
    summary_path = _check_output(args.summary, (".csv",), "--summary")
    plot_path = _check_output(args.plot, (".png", ".svg", ".pdf"), "--plot")
    where = args.config
    job = load_sweep(where, args.steps, args.dtype)
    T, dtype = job.steps, job.dtype
    prog = _lower_job(job, where)
    n = prog.n_rows
    valid = list(prog.columns()) if prog.configs is not None else ["row"]
    if args.color_by not in (None, "none") and args.color_by not in valid:
        raise CLIError(f"--color-by {args.color_by!r} is not a config column; columns: {', '.join(valid)}, none")
    print(f"sweep: {n:,} configs × {T:,} steps = {n * T:,} values ({dtype.name}) from {where}")
    t0 = time.perf_counter()
    with _notice_after(3.0, _COMPILING):
        # one step of every config: the kernels compiled are the ones the whole grid needs
        fastlr.sweep(prog, 1, dtype=dtype, progress=False)
        fastlr.summarize(prog, 1)
    ready = time.perf_counter() - t0
    if ready > 0.5:
        print(f"kernels ready in {ready:.1f} s (compiled on first use, then cached)")
    if out is not None:
        elapsed = _write_sweep(out, prog, T, dtype, args.progress)
        size = out.stat().st_size
        print(f"table: wrote {out} ({_bytes(size)}, rows = configs, columns = steps) in {elapsed:.2f} s")
        print(f"throughput: {n * T / elapsed:,.0f} configs×steps per second ({n * T / elapsed:.2g}/s)")
    t0 = time.perf_counter()
    summary = fastlr.summarize(prog, T, threshold=job.threshold)
    elapsed_s = time.perf_counter() - t0
    if out is None:
        print(f"summaries: {n * T / elapsed_s:,.0f} configs×steps per second ({n * T / elapsed_s:.2g}/s, no table)")
    if summary_path is not None:
        ncols = _write_summary(summary_path, prog, summary)
        print(f"summaries: wrote {summary_path} ({n:,} rows × {ncols} columns: row, config, {', '.join(summary)})")
    else:
        _print_summary(prog, summary)
    if plot_path is not None:
        _plot_sweep_figure(plot_path, prog, T, job, args, out)
        print(f"plot: wrote {plot_path}")
    return 0


@contextlib.contextmanager
def _notice_after(seconds: float, message: str) -> Iterator[None]:
    """Print ``message`` if the block is still running after ``seconds`` (a slow first compile)."""
    timer = threading.Timer(seconds, lambda: print(message, flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _bytes(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def _print_summary(prog: fastlr.Program, summary: dict[str, np.ndarray]) -> None:
    """A few rows of the summaries (the lowest and highest area under the curve)."""
    order = np.argsort(summary["sum"], kind="stable")
    picks = list(dict.fromkeys([*order[:2].tolist(), *order[-2:].tolist()]))
    print("summaries (no --summary file): lowest and highest area under the curve")
    from fastlr.inspect import describe

    varying: list[str] = []
    if prog.configs is not None:
        cols = prog.columns()
        varying = [k for k, v in cols.items() if len(np.unique(np.asarray(v).astype(str))) > 1] or list(cols)
    for i in picks:
        if prog.configs is not None:
            desc = ", ".join(f"{k}={v}" for k, v in prog.config(i).items() if k in varying)
        else:
            desc = describe(prog.schedule(i))
        fields = ", ".join(f"{k}={float(summary[k][i]):.4g}" for k in ("peak", "final", "mean"))
        print(f"  row {i}: {fields} | {textwrap.shorten(desc, 90)}")


def _default_color_by(prog: fastlr.Program, chosen: str | None) -> str | None:
    if chosen == "none":
        return None
    if prog.configs is None:
        return "row"
    cols = prog.columns()
    if chosen is not None:
        return chosen
    varying = [k for k, v in cols.items() if len(np.unique(np.asarray(v).astype(str))) > 1]
    if "lr" in varying:
        return "lr"
    return varying[0] if varying else None


def _plot_sweep_figure(
    path: Path, prog: fastlr.Program, T: int, job: SweepJob, args: argparse.Namespace, table: Path | None
) -> None:
    """Bands of every config beside a sample coloured by one column; reads the .npy table if written."""
    from matplotlib.figure import Figure

    from fastlr.inspect import describe, sample_table
    from fastlr.plot import legend_entries, plot_schedule, plot_sweep

    n = prog.n_rows
    title = job.title or f"{Path(args.config).name}: {n:,} configs"
    suptitle = f"{title}  ({T:,} steps, {job.dtype.name})"
    if prog.configs is None and n <= 12:  # a few schedules: one line each, named
        fig = Figure(figsize=(9.0, 5.0), layout="constrained")
        ax = fig.subplots()
        for i in range(n):
            spec = prog.schedule(i)
            plot_schedule(spec, ax=ax, steps=T, label=f"row {i}: {describe(spec)}", log=args.log, legend=False)
        fig.legend(*legend_entries(ax), loc="outside lower center", ncols=2, frameon=False, fontsize="small")
        fig.suptitle(suptitle, fontsize="large")
        fig.savefig(path, dpi=args.dpi)
        return
    if table is not None and table.suffix.lower() == ".npy":
        values, x = np.load(table, mmap_mode="r"), None
    else:
        x, values = sample_table(prog, T)
    columns = prog.columns() if prog.configs is not None else {"row": np.arange(n)}
    color_by = _default_color_by(prog, args.color_by)
    panels = 2 if color_by is not None else 1
    fig = Figure(figsize=(6.6 * panels, 4.8), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    plot_sweep(values, x=x, ax=axes[0], band=[(5, 95), (25, 75)], log=args.log, label=f"all {n:,} configs")
    if color_by is not None:
        plot_sweep(values, x=x, ax=axes[1], color_by=color_by, columns=columns, log=args.log, max_curves=args.curves)
        axes[1].set_ylim(axes[0].get_ylim())
    fig.suptitle(suptitle, fontsize="large")
    fig.savefig(path, dpi=args.dpi)


def _spec_label(text: str, spec: Spec) -> str:
    from fastlr.inspect import describe

    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        return describe(spec)
    path = Path(text)
    if path.suffix.lower() in DATA_SUFFIXES or path.exists():
        return f"{path.name}: {describe(spec)}"
    return stripped if len(stripped) <= 90 else stripped[:89] + "…"


def _cmd_plot(args: argparse.Namespace) -> int:
    out = _check_output(args.output, (".png", ".svg", ".pdf"), "-o")
    assert out is not None
    if args.label and len(args.label) != len(args.spec):
        raise CLIError(f"--label given {len(args.label)} time(s) for {len(args.spec)} SPEC(s); give one per SPEC")
    specs = []
    for text in args.spec:
        try:
            specs.append(load_spec(text, args.steps))
        except CLIError as exc:
            if exc.span is None and not str(exc).startswith(text):
                raise CLIError(f"SPEC {text!r}: {exc}") from None
            raise
    from matplotlib.figure import Figure

    from fastlr.inspect import horizon
    from fastlr.plot import plot_schedule

    steps = args.steps
    if steps is None:
        ends = [horizon(s) for s in specs]
        missing = [t for t, e in zip(args.spec, ends) if e is None]
        if missing:
            raise CLIError(f"cannot infer how many steps to plot for {missing[0]!r}; pass --steps")
        steps = max(e for e in ends if e is not None)
    if len(specs) == 1 and isinstance(specs[0], fastlr.ScheduleSet) and len(specs[0].keys()) > 1:
        _plot_schedule_set(out, specs[0], args.spec[0], steps, args)
        print(f"plot: wrote {out} ({', '.join(specs[0].keys())}, {steps:,} steps)")
        return 0
    fig = Figure(figsize=(9.0, 5.0), layout="constrained")
    ax = fig.subplots()
    with _notice_after(3.0, _COMPILING):
        for k, (text, spec) in enumerate(zip(args.spec, specs)):
            label = args.label[k] if args.label else _spec_label(text, spec)
            plot_schedule(spec, ax=ax, steps=steps, label=label, log=args.log, markers=not args.no_markers)
    if args.title:
        ax.set_title(args.title)
    _legend_below(fig, ax)
    fig.savefig(out, dpi=args.dpi)
    print(f"plot: wrote {out} ({len(specs)} schedule(s), {steps:,} steps)")
    return 0


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


def _plot_schedule_set(out: Path, spec: Any, text: str, steps: int, args: argparse.Namespace) -> None:
    """One panel per hyperparameter of a ScheduleSet (its groups as lines), sharing the step axis."""
    from matplotlib.figure import Figure

    from fastlr.plot import plot_schedule

    keys = spec.keys()
    fig = Figure(figsize=(9.0, 2.6 * len(keys) + 1.0), layout="constrained")
    axes = fig.subplots(len(keys), 1, sharex=True, squeeze=False)[:, 0]
    with _notice_after(3.0, _COMPILING):
        for ax, key in zip(axes, keys):
            part = fastlr.ScheduleSet({key: spec[key]})
            plot_schedule(part, ax=ax, steps=steps, log=args.log, markers=not args.no_markers, legend=True)
            if ax is not axes[-1]:
                ax.set_xlabel("")
    fig.suptitle(args.title or _spec_label(text, spec), fontsize="medium")
    fig.savefig(out, dpi=args.dpi)


def _plain_signature(obj: Any) -> str:
    """``(a, b=1, *, c)`` without annotations."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return "(...)"
    params = [p.replace(annotation=p.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=sig.empty))


def _cmd_presets(args: argparse.Namespace) -> int:
    from fastlr.presets import MODULES

    if args.dialect is not None:
        if args.dialect not in MODULES:
            raise CLIError(f"unknown dialect {args.dialect!r}; dialects: {', '.join(MODULES)}")
        try:
            mod = importlib.import_module(f"fastlr.presets.{args.dialect}")
        except Exception as exc:
            print(f"fastlr: dialect {args.dialect!r} is not available: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        doc = (mod.__doc__ or "").strip().splitlines()
        print(f"fastlr.presets.{args.dialect}: {doc[0] if doc else ''}")
        for name in _public(mod):
            obj = getattr(mod, name)
            para = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("``", "")
            print(f"\n  {name}{_plain_signature(obj)}")
            if para:
                print(textwrap.indent(textwrap.fill(textwrap.shorten(para, 240, placeholder=" …"), 96), "      "))
        print(f"\nSPEC form: {args.dialect}:NAME,key=value,...  (e.g. fastlr plot '{args.dialect}:NAME,...' -o lr.png)")
        return 0
    print("dialects (fastlr.presets.<dialect>; SPEC form dialect:name,key=value,...):")
    width = max(map(len, MODULES))
    for name in MODULES:
        try:
            mod = importlib.import_module(f"fastlr.presets.{name}")
        except Exception as exc:
            print(f"  {name:<{width}}  (not available: {type(exc).__name__}: {exc})")
            continue
        names = ", ".join(_public(mod))
        lines = textwrap.wrap(names, 100 - width) or ["(no public names)"]
        print(f"  {name:<{width}}  {lines[0]}")
        for line in lines[1:]:
            print(f"  {'':<{width}}  {line}")
    print("details: fastlr presets DIALECT")
    return 0


# ---- bench -----------------------------------------------------------------------------------


def _cmd_bench(args: argparse.Namespace) -> int:
    """Time the headline workload (:mod:`fastlr._bench`) four ways and print the ratio table."""
    from fastlr._bench import COMPARISONS, median_time, workload

    N, T, R = args.configs, args.steps, args.repeat
    if N < 1 or T < 2 or R < 1:
        raise CLIError(f"--configs >= 1, --steps >= 2, --repeat >= 1; got {N}, {T}, {R}")
    cols = workload(N, T, max_warmup=T // 5)
    print(
        f"bench: {N:,} configs × {T:,} steps, float32: linear warmup (0..{T // 5}) then cosine over {T:,} steps "
        "to lr/100, per-config floors"
    )
    out = np.empty((N, T), dtype=np.float32)
    out.fill(1.0)  # pre-touched: every method writes into resident pages
    run_fastlr = COMPARISONS["fastlr"](cols, out)
    t0 = time.perf_counter()
    with _notice_after(3.0, _COMPILING):
        run_fastlr()
    first = time.perf_counter() - t0
    t_fastlr = median_time(run_fastlr, R)
    t_floor = median_time(COMPARISONS["floor"](cols, out), R)
    t_numpy = median_time(COMPARISONS["numpy"](cols, out), max(1, R // 2))
    k = min(N, args.python_subset)
    numpy_rows = out[:k].copy()
    py = np.empty((k, T), dtype=np.float32)
    t_python = median_time(COMPARISONS["python"](cols, py), 3) * N / k
    run_fastlr()
    lr = cols["lr"][:k, None]
    err_fastlr = float(np.max(np.abs(out[:k] - py) / lr))
    err_numpy = float(np.max(np.abs(numpy_rows - py) / lr))
    rows = [
        ("np.fill of the output (floor)", t_floor),
        ("fastlr.sweep", t_fastlr),
        ("NumPy vectorised (float32)", t_numpy),
        (f"Python lambda per step (×{N // k if N % k == 0 else N / k:g} from {k} configs)", t_python),
    ]
    print(f"first fastlr call (includes compiling or loading the kernels): {first:.2f} s")
    print(f"\n{'method':<52}{'median':>12}{'vs floor':>10}{'vs fastlr':>11}")
    for name, t in rows:
        print(f"{name:<52}{_ms(t):>12}{t / t_floor:>10.3g}{t / t_fastlr:>11.3g}")
    print(f"\nfastlr: {N * T / t_fastlr:,.0f} configs×steps per second")
    print(f"max |error| / lr vs the float64 Python lambda: fastlr {err_fastlr:.1e}, NumPy float32 {err_numpy:.1e}")
    return 0


def _ms(t: float) -> str:
    return f"{t * 1e3:,.1f} ms" if t < 1 else f"{t:,.2f} s"


# ---- parser ----------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``fastlr --help``)."""
    parser = argparse.ArgumentParser(
        prog="fastlr",
        description="JIT-compiled learning-rate schedules: tables, sweeps, plots. Reference: docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"fastlr {fastlr.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    spec_help = "a schedule: file (.json/.toml/.yaml), inline JSON, or dialect:function,key=value,..."
    p = sub.add_parser("table", help="one schedule's table", description="Compute one schedule's table.")
    p.add_argument("spec", metavar="SPEC", help=spec_help)
    p.add_argument("--steps", "-T", type=_positive_int, required=True, help="number of steps T")
    p.add_argument("-o", "--output", help="write .npy, .csv (step,lr), .pt (torch) or .parquet (pyarrow)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="default float64")
    p.set_defaults(func=_cmd_table)

    p = sub.add_parser(
        "sweep",
        help="a grid or list of configs from a file: table, summaries, plot",
        description="Sweep the configs of a TOML/JSON/YAML file (format: docs/cli.md).",
    )
    p.add_argument("config", metavar="CONFIG", help="sweep config file (.toml, .json, .yaml)")
    p.add_argument("-o", "--output", help="table (N, T): .npy (memory-mapped, any size), .csv, .pt, .parquet")
    p.add_argument("--summary", help="per-config summaries with their config columns (.csv)")
    p.add_argument("--plot", help="figure of the sweep (.png, .svg, .pdf; needs matplotlib)")
    p.add_argument("--steps", "-T", type=_positive_int, help="table length T (overrides the file's 'steps')")
    p.add_argument("--dtype", choices=("float32", "float64"), help="table dtype (default: the file's, else float32)")
    p.add_argument("--color-by", help="config column colouring the plot's curves (default lr; 'none': band only)")
    p.add_argument("--curves", type=_positive_int, default=200, help="curves drawn when colouring (default 200)")
    p.add_argument("--log", action="store_true", help="logarithmic value axis in the plot")
    p.add_argument("--dpi", type=_positive_int, default=150, help="plot resolution (default 150)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    g.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser("plot", help="plot schedules on one figure", description="Plot one or several schedules.")
    p.add_argument("spec", metavar="SPEC", nargs="+", help=spec_help)
    p.add_argument("-o", "--output", required=True, help="figure file (.png, .svg, .pdf)")
    p.add_argument("--steps", "-T", type=_positive_int, help="steps to plot (default: past the longest schedule)")
    p.add_argument("--log", action="store_true", help="logarithmic value axis")
    p.add_argument("--label", action="append", help="legend label, once per SPEC (default: from the SPEC)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--no-markers", action="store_true", help="no warmup/phase/restart lines")
    p.add_argument("--dpi", type=_positive_int, default=150, help="resolution (default 150)")
    p.set_defaults(func=_cmd_plot)

    p = sub.add_parser("presets", help="list the dialects and their schedules", description="List the dialects.")
    p.add_argument("dialect", nargs="?", help="show one dialect's functions with their signatures")
    p.set_defaults(func=_cmd_presets)

    p = sub.add_parser(
        "bench",
        help="quick benchmark: fastlr vs Python lambdas, NumPy and the write floor",
        description="Time a float32 warmup+cosine sweep four ways and print medians and ratios.",
    )
    p.add_argument("--configs", "-N", type=_positive_int, default=1000, help="configs (default 1000)")
    p.add_argument("--steps", "-T", type=_positive_int, default=10_000, help="steps (default 10000)")
    p.add_argument("--repeat", type=_positive_int, default=7, help="timed repeats (default 7)")
    p.add_argument("--python-subset", type=_positive_int, default=20, help="configs timed with Python (default 20)")
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse exits 2 itself on bad arguments)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CLIError as exc:
        print(f"fastlr: error: {exc.render()}", file=sys.stderr)
        return 2
    except MissingDependency as exc:
        print(f"fastlr: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except MemoryLimitError as exc:
        print(f"fastlr: error: {exc} (with `fastlr sweep`, write the table to a .npy file)", file=sys.stderr)
        return 1
    except (ValueError, TypeError) as exc:
        print(f"fastlr: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"fastlr: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fastlr: interrupted", file=sys.stderr)
        return 130
