"""Evaluation entry points: argument checks, memory guard, dispatch to the CPU kernels."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr._lower import Program

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# one table up to this many steps is filled on one thread (about a millisecond); longer ones in
# parallel over chunks of steps
SERIAL_STEPS = 1 << 22


class MemoryLimitError(MemoryError):
    """The requested output would not fit in available memory (pass ``out=`` instead)."""


def check_dtype(dtype: Any) -> np.dtype:
    """float32 or float64, else an error naming the valid choices."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in _DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dt.name!r}")
    return dt


def available_memory() -> int:
    """Bytes of memory available to allocate now (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 1 << 62


def guard_memory(shape: tuple[int, ...], dt: np.dtype) -> None:
    """Refuse an allocation that would not fit in 90 % of available memory."""
    nbytes = int(np.prod(shape, dtype=np.float64)) * dt.itemsize
    avail = available_memory()
    if nbytes > 0.9 * avail:
        raise MemoryLimitError(
            f"the output {shape} {dt.name} needs {nbytes:,} bytes but only {avail:,} bytes are available; "
            "pass out= (for example a numpy.memmap) to write it elsewhere, or compute fewer steps or rows"
        )


def check_out(out: Any, shape: tuple[int, ...], dt: np.dtype) -> np.ndarray:
    """Validate a caller's output array: ndarray, exact shape and dtype, C-contiguous, writeable."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array (or memmap), got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape}, expected {shape}")
    if out.dtype != dt:
        raise ValueError(f"out has dtype {out.dtype.name}, expected {dt.name}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError("out must be writeable")
    return out


def check_T(T: Any) -> int:
    """A number of steps, an integer >= 1."""
    return ck.integer("T", T, lo=1)


def prepare(shape: tuple[int, ...], dtype: Any, out: Any, default: Any = np.float32) -> np.ndarray:
    """The output array: ``out`` checked, or a new one (memory guard first).

    ``dtype=None`` means ``out``'s dtype when ``out`` is given, else ``default``.
    """
    if dtype is None:
        dtype = out.dtype if isinstance(out, np.ndarray) else default
    dt = check_dtype(dtype)
    if out is not None:
        return check_out(out, shape, dt)
    guard_memory(shape, dt)
    return np.empty(shape, dtype=dt)


def cuda_dtype(device: Any, dtype: Any, out: Any, exact: Any, default: Any) -> Any:
    """Check ``device``; for ``"cuda"`` return the output dtype (``dtype``, ``out``'s, or the
    default), for ``"cpu"`` None."""
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    if device == "cpu":
        return None
    if exact is False:
        raise ValueError("exact=False (the CPU's vectorised primitives) has no CUDA version")
    if dtype is not None:
        return dtype
    if out is None:
        return default
    return np.dtype(str(getattr(out, "dtype", np.dtype(default).name)).replace("torch.", ""))


def use_exact(exact: Any, dt: np.dtype) -> bool:
    """Exact (libm) primitives: by default for float64 output, fast ones for float32."""
    if exact is None:
        return bool(dt == np.float64)
    if not isinstance(exact, bool):
        raise TypeError(f"exact must be True, False or None, got {exact!r}")
    return exact


def table(
    prog: Program, T: Any, dtype: Any = None, out: Any = None, t0: int = 0, exact: bool | None = None
) -> np.ndarray:
    """One row's values for steps ``t0 .. t0 + T - 1`` (float64 unless ``out`` says otherwise)."""
    T = check_T(T)
    res = prepare((T,), dtype, out, default=np.float64)
    from fastlr.kernels import cpu

    ci, cf, si, sf = prog.arrays()
    k = cpu.kernels(use_exact(exact, res.dtype), (ci, cf, si, sf))
    if T <= SERIAL_STEPS:
        k["fill_span"](ci, cf, si, sf, 0, t0, res, *cpu.scratch())
    else:
        k["fill_steps"](ci, cf, si, sf, 0, t0, res, cpu.n_chunks())
    return res


def check_steps(t: Any) -> np.ndarray:
    """Integer step(s) >= 0 as an int64 array (a copy; the caller's array is untouched)."""
    if isinstance(t, bool) or isinstance(t, np.bool_):
        raise TypeError(f"t must be an integer step or an integer array, got {t!r}")
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"t must be an integer step or an integer array, got dtype {arr.dtype.name} ({t!r})")
    if arr.size and (arr.min() < 0):
        raise ValueError(f"t must be >= 0, got {int(arr.min())}")
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(f"t must fit in int64, got {int(arr.max())}")
    return np.array(arr, dtype=np.int64)


def at_steps(prog: Program, t: Any, row: int = 0) -> Any:
    """Values of one row at integer step(s) ``t``: a float for a scalar, else an array."""
    steps = check_steps(t)
    flat = np.ascontiguousarray(steps.reshape(-1))
    out = np.empty(flat.shape, dtype=np.float64)
    from fastlr.kernels import cpu

    ci, cf, si, sf = prog.arrays()
    rows = np.full(flat.shape, row, dtype=np.int64)
    cpu.kernels(True, (ci, cf, si, sf))["eval_points"](ci, cf, si, sf, rows, flat, out)
    if steps.ndim == 0:
        return float(out[0])
    return out.reshape(steps.shape)
