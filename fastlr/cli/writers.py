"""Output files and printed summaries: tables, sweeps and per-config summaries.

Formats: ``.npy`` (a sweep is memory-mapped and written in place, any size), ``.csv`` (written
a block of rows at a time), ``.pt`` (needs torch) and ``.parquet`` (needs pyarrow). Output paths
are checked by :func:`check_output` before any work, including the optional dependency.
"""

from __future__ import annotations

import csv
import importlib
import json
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import fastlr
from fastlr.cli.spec import CLIError, MissingDependency
from fastlr.evaluate import SUMMARY_FIELDS
from fastlr.inspect import describe, row_blocks

__all__ = [
    "FIGURE_SUFFIXES",
    "TABLE_SUFFIXES",
    "check_output",
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
        _need("matplotlib", "plotting needs matplotlib: pip install 'fastlr[plot]' (or pip install matplotlib)")
    if p.parent != Path() and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    return p


def _need(module: str, message: str) -> Any:
    """Import an optional dependency, or stop with ``message`` (exit status 1)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependency(message) from None


def _fmt(dtype: np.dtype) -> str:
    """A CSV number format with enough digits to read ``dtype`` back exactly."""
    return "%.9g" if dtype == np.float32 else "%.17g"


def write_table(path: Path, columns: dict[str, np.ndarray], T: int) -> None:
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


def write_sweep(path: Path, prog: fastlr.Program, T: int, dtype: np.dtype, progress: bool | None) -> float:
    """Compute and write the (N, T) table; returns the seconds spent computing (and writing)."""
    suffix = path.suffix.lower()
    n = prog.n_rows
    t0 = time.perf_counter()
    if suffix == ".npy":
        out = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(n, T))
        fastlr.sweep(prog, T, dtype=dtype, out=out, progress=progress)
        del out
    elif suffix == ".csv":
        with path.open("w", newline="") as fh:
            fh.write("row," + ",".join(map(str, range(T))) + "\n")
            for lo, hi, block in row_blocks(prog, T, dtype, CSV_BLOCK_BYTES):
                rows = np.arange(lo, hi, dtype=np.float64).reshape(-1, 1)  # exact below 2**53
                body = np.hstack([rows, block.astype(np.float64)])
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


def write_summary(path: Path, prog: fastlr.Program, summary: dict[str, np.ndarray]) -> int:
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
