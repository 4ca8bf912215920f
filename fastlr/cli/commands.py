"""The commands: ``table``, ``sweep``, ``plot``, ``presets`` and ``bench``.

Each takes the parsed arguments, prints what it did and returns the exit status; the reading,
writing and figures live in :mod:`~fastlr.cli.spec`, :mod:`~fastlr.cli.sweepfile`,
:mod:`~fastlr.cli.writers` and :mod:`~fastlr.cli.figures`, the benchmark in :mod:`fastlr._bench`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

import fastlr
from fastlr import evaluate
from fastlr._spec import Spec
from fastlr.cli.figures import (
    draws_table,
    load_matplotlib,
    schedule_set_figure,
    schedules_figure,
    sweep_figure,
    sweep_steps,
)
from fastlr.cli.notice import COMPILING, Background, notice_after
from fastlr.cli.spec import CLIError, load_spec, public_names
from fastlr.cli.sweepfile import load_sweep, lower_job
from fastlr.cli.writers import (
    FIGURE_SUFFIXES,
    TABLE_SUFFIXES,
    atomic_output,
    check_output,
    distinct_outputs,
    format_bytes,
    print_summary,
    write_summary,
    write_sweep,
    write_table,
)
from fastlr.evaluate import compile_reducers
from fastlr.inspect import horizon

__all__ = ["MAX_INFERRED_STEPS", "bench", "late_decays", "load_reducers", "plot", "presets", "sweep", "table"]

#: The longest plot whose length ``fastlr plot`` infers from the schedules (``--steps`` for more).
MAX_INFERRED_STEPS = 10_000_000


def table(args: argparse.Namespace) -> int:
    """One schedule's table: the first and last values printed, optionally written to a file."""
    out = check_output(args.output, TABLE_SUFFIXES, "-o")
    spec = load_spec(args.spec, args.steps)
    dtype = np.dtype(args.dtype)
    t0 = time.perf_counter()
    with notice_after(3.0, COMPILING):
        curves = _curves(spec, args.steps, dtype)
    elapsed = time.perf_counter() - t0
    if out is not None:
        write_table(out, curves, args.steps)
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


def _curves(spec: Spec, T: int, dtype: np.dtype) -> dict[str, np.ndarray]:
    """``{name: values}``: ``lr`` for a schedule, ``name[g]`` per group for a ScheduleSet."""
    if isinstance(spec, fastlr.ScheduleSet):
        out = {}
        for name, v in spec.table(T, dtype=dtype).items():
            for g in range(v.shape[0]):
                out[name if v.shape[0] == 1 else f"{name}[{g}]"] = np.ascontiguousarray(v[g])
        return out
    return {"value": spec.table(T, dtype=dtype)}  # type: ignore[attr-defined]


def sweep(args: argparse.Namespace) -> int:
    """A sweep file's configs: the table, summaries (file or printed) and a figure, with throughput."""
    out = check_output(args.output, TABLE_SUFFIXES, "-o")
    summary_path = check_output(args.summary, (".csv",), "--summary")
    plot_path = check_output(args.plot, FIGURE_SUFFIXES, "--plot")
    distinct_outputs(**{"-o": out, "--summary": summary_path, "--plot": plot_path})
    where = args.config
    job = load_sweep(where, args.steps, args.dtype)
    reducers = load_reducers(args.reducer or [])
    T, dtype = job.steps, job.dtype
    prog = lower_job(job, where)
    n = prog.n_rows
    valid = list(prog.columns()) if prog.configs is not None else ["row"]
    if args.color_by not in (None, "none") and args.color_by not in valid:
        raise CLIError(f"--color-by {args.color_by!r} is not a config column; columns: {', '.join(valid)}, none")
    if args.group_by is not None and args.group_by not in valid:
        raise CLIError(f"--group-by {args.group_by!r} is not a config column; columns: {', '.join(valid)}")
    if args.group_by is not None:
        from fastlr.plot import MAX_GROUPS

        column = prog.columns()[args.group_by] if prog.configs is not None else np.arange(n)
        groups = len(np.unique(np.asarray(column).astype(str)))
        if groups > MAX_GROUPS:
            raise CLIError(
                f"--group-by {args.group_by!r} has {groups} distinct values, more than {MAX_GROUPS} groups; "
                "use --color-by for a column with many values"
            )
    print(f"sweep: {n:,} configs × {T:,} steps = {n * T:,} values ({dtype.name}) from {where}")
    late = late_decays(prog, T)
    if late:
        print(
            f"warning: {late:,} of {n:,} configs never start their decay within {T:,} steps "
            "(warmup + hold >= T): their tables end at the peak; lower warmup/hold or raise --steps",
            file=sys.stderr,
        )
    t0 = time.perf_counter()
    with notice_after(3.0, COMPILING):
        # one step of every config: the kernels compiled are the ones the whole grid needs; the
        # summaries' kernel compiles in a second process meanwhile (on another core), and is
        # waited for only before the summaries (the table is written meanwhile)
        child = evaluate.compile_summaries_elsewhere(prog, T)
        # matplotlib (half a second of imports) too, on a thread: the compile leaves it time
        drawing = Background(lambda stop: load_matplotlib(), name="fastlr-matplotlib") if plot_path else None
        evaluate.compile_for(prog, T, dtype)
    ready = time.perf_counter() - t0
    if ready > 0.5:
        print(f"table kernel ready in {ready:.1f} s (compiled on first use, then cached)")
    if drawing is not None:
        drawing.result()  # a matplotlib that fails to import stops the job here, before any output
    sample: tuple[np.ndarray, np.ndarray] | None = None
    if plot_path is not None and out is not None and out.suffix.lower() == ".npy" and draws_table(prog):
        # the values the figure draws, kept while the table is written (not read back)
        steps = sweep_steps(T)
        sample = (steps, np.empty((n, len(steps)), dtype=dtype))
    if out is not None:
        elapsed = write_sweep(out, prog, T, dtype, args.progress, sample)
        size = out.stat().st_size
        print(f"table: wrote {out} ({format_bytes(size)}, rows = configs, columns = steps) in {elapsed:.2f} s")
        print(f"throughput: {n * T / elapsed:,.0f} configs×steps per second ({n * T / elapsed:.2g}/s)")
    # the summaries (waiting for their kernel, computing, writing) on a thread while the figure
    # draws here: their kernel releases the GIL. Printed in the same order as one after the other.
    summaries = Background(_summaries, child, prog, T, job.threshold, reducers, summary_path, name="fastlr-summaries")
    try:
        if plot_path is not None:
            with atomic_output(plot_path) as tmp:
                try:
                    sweep_figure(tmp, prog, T, job, args, out, sample)
                except Exception:  # the figure failed: the summaries are written all the same
                    _report_summaries(summaries.result(), prog, T, out is None, summary_path)
                    raise
                # the figure stays a temporary file until the summaries are written: a failed
                # summary leaves no figure, as when the figure was drawn after them
                done = summaries.result()
            _report_summaries(done, prog, T, out is None, summary_path)
            print(f"plot: wrote {plot_path}")
        else:
            _report_summaries(summaries.result(), prog, T, out is None, summary_path)
    except BaseException:
        summaries.cancel()  # no-op once it ended; else nothing written under --summary's name
        raise
    return 0


def _summaries(
    stop: threading.Event,
    child: Any,
    prog: fastlr.Program,
    T: int,
    threshold: float | None,
    reducers: dict[str, Any],
    path: Path | None,
) -> tuple[float, float, dict[str, np.ndarray], int]:
    """``sweep``'s summaries (a :class:`Background` step): wait for their kernel (compiled by
    ``child``), compute them and write them to ``path`` when given; returns the seconds waited
    for the kernel and spent computing, the summaries and the number of CSV columns."""
    t0 = time.perf_counter()
    with notice_after(3.0, COMPILING):
        if child is not None:
            child.wait()
        Background.check(stop)
        evaluate.compile_for(prog, T, summaries=True)
        if reducers:
            fastlr.summarize(prog, 1, reducers=reducers)
    ready = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = fastlr.summarize(prog, T, threshold=threshold, reducers=reducers or None)
    elapsed = time.perf_counter() - t0
    Background.check(stop)
    ncols = 0
    if path is not None:
        ncols = write_summary(path, prog, summary, before_rename=lambda: Background.check(stop))
    return ready, elapsed, summary, ncols


def _report_summaries(
    done: tuple[float, float, dict[str, np.ndarray], int],
    prog: fastlr.Program,
    T: int,
    no_table: bool,
    path: Path | None,
) -> None:
    """Print what :func:`_summaries` did: its kernel's wait, the throughput without a table, the
    file written (or a few summaries)."""
    ready, elapsed, summary, ncols = done
    n = prog.n_rows
    if ready > 0.5:
        print(f"summary kernel ready in {ready:.1f} s more (compiled on first use, then cached)")
    if no_table:
        print(f"summaries: {n * T / elapsed:,.0f} configs×steps per second ({n * T / elapsed:.2g}/s, no table)")
    if path is not None:
        print(f"summaries: wrote {path} ({n:,} rows × {ncols} columns: row, config, {', '.join(summary)})")
    else:
        print_summary(prog, summary)


def load_reducers(items: list[str]) -> dict[str, Any]:
    """``--reducer NAME=MODULE:FUNCTION`` options as ``{NAME: function}``: MODULE is an
    importable module or a ``.py`` file (relative to the working directory)."""
    out: dict[str, Any] = {}
    for item in items:
        name, eq, target = item.partition("=")
        where, colon, func = target.rpartition(":")
        if not (eq and colon and name.strip() and where and func):
            raise CLIError(f"--reducer {item!r}: expected NAME=MODULE:FUNCTION, e.g. auc=my_reducers.py:auc")
        name = name.strip()
        if name in out:
            raise CLIError(f"--reducer {item!r}: the name {name!r} is given twice")
        try:
            if where.endswith(".py"):
                path = Path(where)
                spec = importlib.util.spec_from_file_location(f"fastlr_reducers_{path.stem}", path)
                if not path.is_file() or spec is None or spec.loader is None:
                    raise CLIError(f"--reducer {item!r}: no such file {where}")
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            else:
                module = importlib.import_module(where)
        except CLIError:
            raise
        except Exception as exc:  # whatever importing the user's module raises
            raise CLIError(f"--reducer {item!r}: cannot import {where}: {type(exc).__name__}: {exc}") from None
        if not hasattr(module, func):
            raise CLIError(f"--reducer {item!r}: {where} has no function {func!r}")
        out[name] = getattr(module, func)
    try:  # checked and compiled before anything is computed or written
        compile_reducers(out or None)
    except (TypeError, ValueError) as exc:
        raise CLIError(f"--reducer: {exc}") from None
    return out


def late_decays(prog: fastlr.Program, T: int) -> int:
    """How many flat configs of ``prog`` start their decay at or after step ``T``.

    The decay of a flat config starts at step ``warmup + hold * steps_per_epoch`` (the warmup
    counts only as a prefix, ``warmup_mode="prefix"``); a ``constant`` shape has no decay. Schedule
    objects (``prog.configs is None``) are not counted.
    """
    if prog.configs is None:
        return 0
    cols = prog.columns()
    warmup = np.where(cols["warmup_mode"] == "prefix", cols["warmup"].astype(np.int64), 0)
    start = warmup + cols["hold"].astype(np.int64) * cols["steps_per_epoch"].astype(np.int64)
    return int(np.count_nonzero((start >= T) & (cols["shape"] != "constant")))


def plot(args: argparse.Namespace) -> int:
    """Several schedules on one figure (a ScheduleSet: one panel per hyperparameter)."""
    out = check_output(args.output, FIGURE_SUFFIXES, "-o")
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
    steps = args.steps
    if steps is None:
        ends = [horizon(s) for s in specs]
        missing = [t for t, e in zip(args.spec, ends) if e is None]
        if missing:
            raise CLIError(f"cannot infer how many steps to plot for {missing[0]!r}; pass --steps")
        steps = max(e for e in ends if e is not None)
        if steps > MAX_INFERRED_STEPS:
            longest = args.spec[ends.index(steps)]
            raise CLIError(
                f"{longest!r} runs {steps:,} steps; pass --steps to plot it (a length is inferred only up to "
                f"{MAX_INFERRED_STEPS:,} steps)"
            )
    if len(specs) == 1 and isinstance(specs[0], fastlr.ScheduleSet) and len(specs[0].keys()) > 1:
        with atomic_output(out) as tmp:
            schedule_set_figure(tmp, specs[0], args.spec[0], steps, args)
        print(f"plot: wrote {out} ({', '.join(specs[0].keys())}, {steps:,} steps)")
        return 0
    with atomic_output(out) as tmp:
        schedules_figure(tmp, args.spec, specs, steps, args)
    print(f"plot: wrote {out} ({len(specs)} schedule(s), {steps:,} steps)")
    return 0


def _plain_signature(obj: Any) -> str:
    """``(a, b=1, *, c)`` without annotations."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return "(...)"
    params = [p.replace(annotation=p.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=sig.empty))


def presets(args: argparse.Namespace) -> int:
    """The dialects and their public names, or one dialect's functions with signatures."""
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
        for name in public_names(mod):
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
        names = ", ".join(public_names(mod))
        lines = textwrap.wrap(names, 100 - width) or ["(no public names)"]
        print(f"  {name:<{width}}  {lines[0]}")
        for line in lines[1:]:
            print(f"  {'':<{width}}  {line}")
    print("details: fastlr presets DIALECT")
    return 0


def bench(args: argparse.Namespace) -> int:
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
    with notice_after(3.0, COMPILING):
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
    """Seconds as ``12.3 ms`` below a second, else ``1.23 s``."""
    return f"{t * 1e3:,.1f} ms" if t < 1 else f"{t:,.2f} s"
