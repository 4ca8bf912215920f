"""Output files and printed summaries: tables, sweeps and per-config summaries.

Formats: ``.npy`` (a sweep is memory-mapped, any size), ``.csv`` (written a block of rows at a
time), ``.pt`` (needs torch) and ``.parquet`` (needs pyarrow). Output paths are checked by
:func:`check_output` before any work, including the optional dependency; nothing is created
before the input is validated.

Every file is written atomically (:func:`atomic_output`): into a hidden temporary file
``.NAME.partial-XXXXXXXX.SUFFIX`` next to the target, renamed onto the target only when
complete. An interrupted run (Ctrl-C, SIGTERM: the temporary file is removed; SIGKILL, power
loss: it stays, named ``partial``) never leaves a file under the requested name that looks
complete. A ``.npy`` memmap is fully allocated on disk before any value is computed, so a full
disk is an error at the start (exit status 1), not a SIGBUS midway.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import importlib
import importlib.util
import json
import os
import shutil
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import fastlr
from fastlr import _checks as ck
from fastlr import evaluate
from fastlr.cli.spec import CLIError, MissingDependency
from fastlr.inspect import describe, row_blocks

__all__ = [
    "FIGURE_SUFFIXES",
    "TABLE_SUFFIXES",
    "OutputError",
    "atomic_output",
    "check_output",
    "distinct_outputs",
    "format_bytes",
    "print_summary",
    "write_summary",
    "write_sweep",
    "write_table",
]

TABLE_SUFFIXES = (".npy", ".csv", ".pt", ".parquet")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
#: Bytes of a sweep computed per block when writing CSV.
CSV_BLOCK_BYTES = 32 << 20
#: Bytes of a sweep computed per block when writing .npy (a block stays in the CPU's caches).
NPY_BLOCK_BYTES = 8 << 20
#: Rows of a one-schedule table formatted per block when writing CSV.
CSV_TABLE_ROWS = 1 << 16


class OutputError(OSError):
    """An output file cannot be written (no space, read-only, no permission): exit status 1."""

    def __str__(self) -> str:
        return str(self.strerror)


def check_output(path: str | None, suffixes: Sequence[str], what: str) -> Path | None:
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
        # found, not imported (half a second): the figure imports it (`sweep`: while compiling)
        if importlib.util.find_spec("matplotlib") is None:
            raise MissingDependency(
                "plotting needs matplotlib: pip install 'fastlr-sched[plot]' (or pip install matplotlib)"
            )
    if p.is_dir():
        raise CLIError(f"{what} {path!r} is a directory; name a file")
    base = _existing_ancestor(p.parent)
    if not base.is_dir():
        raise OutputError(errno.ENOTDIR, f"{what} {path!r}: {base} is not a directory")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputError(errno.EACCES, f"{what} {path!r}: cannot write in {base} (read-only or no permission)")
    return p


def _existing_ancestor(d: Path) -> Path:
    """``d`` or its nearest existing ancestor (the directory that output directories go in)."""
    d = Path(os.path.abspath(d))
    while not d.exists() and d != d.parent:
        d = d.parent
    return d


def distinct_outputs(**paths: Path | None) -> None:
    """Refuse two options naming the same file (``-o x.csv --summary x.csv``)."""
    seen: dict[str, str] = {}
    for option, p in paths.items():
        if p is None:
            continue
        key = os.path.normcase(os.path.realpath(p))
        if key in seen:
            raise CLIError(f"{seen[key]} and {option} name the same file {str(p)!r}; give each output its own path")
        seen[key] = option


def check_space(path: Path, nbytes: int) -> None:
    """Refuse to start a write of about ``nbytes`` where the file system has less free."""
    base = _existing_ancestor(path.parent)
    try:
        free = shutil.disk_usage(base).free
    except OSError:  # pragma: no cover - a file system that does not say
        return
    if nbytes > free:
        raise OutputError(
            errno.ENOSPC,
            f"{path}: the output needs about {format_bytes(nbytes)} but {base} has {format_bytes(free)} free; "
            "nothing was written",
        )


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` when the block completes.

    The output's directories are created here (after the input was validated). On any error or
    interruption the temporary file is removed and nothing exists under ``path`` that was not
    there before; an ``OSError`` (a full disk, a read-only file system) becomes an
    :class:`OutputError` naming the file.
    """
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.partial-", suffix=path.suffix, dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        yield tmp
        os.replace(tmp, path)
        tmp = None
    except OutputError:
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise OutputError(errno.ENOSPC, f"{path}: no space left on the device; nothing was written") from None
        reason = exc.strerror or str(exc)
        raise OutputError(exc.errno or errno.EIO, f"{path}: cannot write: {reason}; nothing was written") from None
    except RuntimeError as exc:  # torch.save reports file errors as RuntimeError
        if "No space left" in str(exc):
            raise OutputError(errno.ENOSPC, f"{path}: no space left on the device; nothing was written") from None
        raise
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _preallocate(path: Path) -> None:
    """Reserve a file's blocks (a memmap on a full disk fails here, not with SIGBUS later)."""
    if not hasattr(os, "posix_fallocate"):  # pragma: no cover - macOS, Windows
        return
    size = path.stat().st_size
    fd = os.open(path, os.O_RDWR)
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            raise
    finally:
        os.close(fd)


def _need(module: str, message: str) -> Any:
    """Import an optional dependency, or stop with ``message`` (exit status 1)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependency(message) from None


def _fmt(dtype: np.dtype) -> str:
    """A CSV number format with enough digits to read ``dtype`` back exactly."""
    return "%.9g" if dtype == np.float32 else "%.17g"


def table_bytes(suffix: str, n_values: int, itemsize: int) -> int:
    """A lower estimate of an output file's size (the free-space check before writing)."""
    if suffix == ".csv":
        return n_values * 4  # at least a digit, a separator and some digits per value
    return n_values * itemsize


def write_table(path: Path, columns: dict[str, np.ndarray], T: int) -> None:
    """One schedule (or a ScheduleSet's rows) as ``step`` plus one column per curve (atomically)."""
    suffix = path.suffix.lower()
    names = list(columns)
    itemsize = next(iter(columns.values())).itemsize
    check_space(path, table_bytes(suffix, T * len(names), itemsize))
    if suffix == ".parquet":  # pyarrow copies the columns, and adds the steps
        ck.guard_bytes(T * (8 + itemsize * len(names)), f"the .parquet table ({T:,} steps)", "write .npy or .csv")
    with atomic_output(path) as tmp:
        if suffix == ".npy":
            arr = next(iter(columns.values())) if len(names) == 1 else np.stack(list(columns.values()))
            np.save(tmp, arr)
        elif suffix == ".csv":
            with tmp.open("w", newline="") as fh:
                fh.write(",".join(["step", *names]) + "\n")
                for lo in range(0, T, CSV_TABLE_ROWS):  # a block at a time: no text buffer of the whole table
                    hi = min(T, lo + CSV_TABLE_ROWS)
                    texts = [[str(v) for v in col[lo:hi].tolist()] for col in columns.values()]
                    fh.writelines(f"{lo + i},{','.join(row)}\n" for i, row in enumerate(zip(*texts)))
        elif suffix == ".pt":
            import torch

            if len(names) == 1:
                torch.save(torch.from_numpy(np.ascontiguousarray(columns[names[0]])), tmp)
            else:
                torch.save({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in columns.items()}, tmp)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.table({"step": np.arange(T, dtype=np.int64), **columns})
            pq.write_table(table, tmp)


def write_sweep(
    path: Path,
    prog: fastlr.Program,
    T: int,
    dtype: np.dtype,
    progress: bool | None,
    sample: tuple[np.ndarray, np.ndarray] | None = None,
) -> float:
    """Compute and write the (N, T) table atomically; returns the seconds spent computing (and
    writing).

    A ``.npy`` table is computed a block of rows at a time (:data:`NPY_BLOCK_BYTES`) into one
    buffer and written from it, into a file allocated in full first. ``sample=(steps, values)``
    (``.npy`` only): ``values[:, k]`` is set to the table's column ``steps[k]`` meanwhile (a
    figure's sample, without reading the file back).
    """
    suffix = path.suffix.lower()
    n = prog.n_rows
    check_space(path, table_bytes(suffix, n * T, dtype.itemsize))
    if suffix == ".parquet":  # the table, then pyarrow's copy of it
        ck.guard_bytes(2 * n * T * dtype.itemsize, f"the .parquet sweep ({n:,} x {T:,})", "write .npy (any size)")
    t0 = time.perf_counter()
    with atomic_output(path) as tmp:
        if suffix == ".npy":
            # the header NumPy writes, the file at its full length (reserved: a full disk fails
            # here), then the values a block at a time at the header's end
            header = np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype, shape=(n, T))
            offset = header.offset
            del header
            _preallocate(tmp)
            with tmp.open("r+b") as fh:
                fh.seek(offset)
                for lo, hi, block in evaluate.sweep_blocks(prog, T, dtype, NPY_BLOCK_BYTES, progress):
                    fh.write(block.data)
                    if sample is not None:
                        sample[1][lo:hi] = block[:, sample[0]]
        elif suffix == ".csv":
            with tmp.open("w", newline="") as fh:
                fh.write("row," + ",".join(map(str, range(T))) + "\n")
                for lo, hi, block in row_blocks(prog, T, dtype, CSV_BLOCK_BYTES):
                    rows = np.arange(lo, hi, dtype=np.float64).reshape(-1, 1)  # exact below 2**53
                    body = np.hstack([rows, block.astype(np.float64)])
                    np.savetxt(fh, body, delimiter=",", fmt=["%d"] + [_fmt(dtype)] * T)
        else:
            table = fastlr.sweep(prog, T, dtype=dtype, progress=progress)
            if suffix == ".pt":
                import torch

                torch.save(torch.from_numpy(table), tmp)
            else:
                import pyarrow as pa
                import pyarrow.parquet as pq

                cols: dict[str, Any] = {"row": np.arange(n, dtype=np.int64)}
                if prog.configs is not None:
                    cols.update({k: (v.tolist() if v.dtype == object else v) for k, v in prog.columns().items()})
                values = pa.FixedSizeListArray.from_arrays(pa.array(table.reshape(-1)), T)
                pq.write_table(pa.table({**cols, "values": values}), tmp)
    return time.perf_counter() - t0


def write_summary(
    path: Path,
    prog: fastlr.Program,
    summary: dict[str, np.ndarray],
    before_rename: Callable[[], None] | None = None,
) -> int:
    """Row, config columns and summaries as CSV (atomically); returns the number of columns.

    ``before_rename`` is called once the temporary file is complete, before it is renamed onto
    ``path``: an exception there (a cancelled :class:`~fastlr.cli.notice.Background` step)
    removes the temporary file and leaves nothing under ``path``.
    """
    n = prog.n_rows
    if prog.configs is not None:
        config_cols = {k: np.asarray(v).tolist() for k, v in prog.columns().items()}
    else:
        config_cols = {
            "spec": [json.dumps(prog.config(i), separators=(",", ":")) for i in range(n)],
            "fingerprint": [prog.schedule(i).fingerprint() for i in range(n)],
        }
    cols = {"row": list(range(n)), **config_cols, **{k: v.tolist() for k, v in summary.items()}}
    check_space(path, n * len(cols) * 2)
    with atomic_output(path) as tmp, tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(cols))
        w.writerows(zip(*cols.values()))
        if before_rename is not None:
            before_rename()
    return len(cols)


def format_bytes(n: int) -> str:
    """``n`` bytes in B, kB, MB, GB or TB (powers of 1000)."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def print_summary(prog: fastlr.Program, summary: dict[str, np.ndarray]) -> None:
    """A few rows of the summaries (the lowest and highest area under the curve)."""
    order = np.argsort(summary["sum"], kind="stable")
    picks = list(dict.fromkeys([*order[:2].tolist(), *order[-2:].tolist()]))
    print("summaries (no --summary file): lowest and highest area under the curve")
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
