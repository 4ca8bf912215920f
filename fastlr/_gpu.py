"""CUDA entry points: tables and sweeps computed on an NVIDIA GPU with Numba's CUDA target.

Every value is ``formulas.value(row, step)`` evaluated in float64 on the device (the same
formula source as the CPU kernels, compiled by :mod:`fastlr.kernels.cuda`) and rounded once to
the output dtype, so CUDA tables equal the CPU ones to float64 rounding of the math library
(see ``docs/cuda.md`` for the measured bounds).

Where results go
----------------
- ``out=None`` (default): a new Numba device array, left on the GPU.
- ``out=`` an object with ``__cuda_array_interface__`` (a torch CUDA tensor, a CuPy array, a
  Numba device array): written in place on the GPU, no host round trip; ``out`` is returned.
- ``to_host=True`` or ``out=`` a NumPy array (a ``numpy.memmap`` works): computed in tiles
  that fit in GPU memory (two buffers, two streams, so one tile computes while the previous
  one copies back) and streamed into host memory; the NumPy array is returned.

Quirks
------
- ``import fastlr`` never imports ``numba.cuda``; this module imports it on the first call.
- Without a usable GPU these functions raise :class:`CudaUnavailableError` (a RuntimeError)
  that says why and how to run under Numba's CUDA simulator instead.
- Device results are complete when the call returns (the launching stream is synchronised),
  so a consumer on any stream may read them.
- A device output that does not fit in free GPU memory raises
  :class:`fastlr.MemoryLimitError` rather than failing inside the driver.
- A program with users' functions (``fastlr.Formula``) takes the build of its table of
  functions (:func:`fastlr.kernels.cuda.user_kernels`), each function first compiled to PTX
  (what ``numba.cuda`` cannot compile: :class:`fastlr.FormulaCompileError`); its values are
  checked finite and >= 0 after the kernel. With a cumulative function the serial kernel
  computes it (one thread per row, steps in order), over a copy of the rows asked for.
  ``jit=False`` functions are refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr._checks import FormulaCompileError, MemoryLimitError, check_dtype, check_out, check_T, guard_memory

__all__ = ["CudaUnavailableError", "is_available", "sweep_cuda", "table_cuda", "to_torch"]

#: Bytes per device buffer when streaming to host memory (two such buffers are used).
HOST_CHUNK_BYTES = 256 << 20
#: Fraction of free GPU memory a device output (or the pair of host-streaming buffers) may take.
DEVICE_MEMORY_FRACTION = 0.9

_SIM_HINT = (
    "To run the CUDA code path without a GPU (slow, for tests), set the environment variable "
    "NUMBA_ENABLE_CUDASIM=1 before numba is first imported; or use the CPU kernels (device='cpu')."
)


class CudaUnavailableError(RuntimeError):
    """``device='cuda'`` was asked for but no CUDA device (or simulator) is usable."""


def _sim_env_too_late() -> bool:
    """NUMBA_ENABLE_CUDASIM is set now but numba read its config before it was set."""
    if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") in ("", "0"):
        return False
    from numba.core import config

    return not getattr(config, "ENABLE_CUDASIM", 0)


def _cuda_module() -> Any:
    """``numba.cuda``, checked usable; else :class:`CudaUnavailableError` saying why."""
    try:
        from numba import cuda
    except Exception as exc:  # ImportError, or a broken numba-cuda install
        raise CudaUnavailableError(
            f"device='cuda' needs Numba's CUDA target, which failed to import ({exc!r}); "
            f"install it with: pip install 'fastlr-sched[cuda]'. {_SIM_HINT}"
        ) from exc
    if cuda.is_available():
        return cuda
    cuda_error = getattr(cuda, "cuda_error", None)
    reason = cuda_error() if cuda_error is not None else None
    detail = f" ({' '.join(str(reason).split())})" if reason else ""
    late = ""
    if _sim_env_too_late():
        late = " NUMBA_ENABLE_CUDASIM is set but numba was imported before it was, so the simulator is off."
    raise CudaUnavailableError(
        f"device='cuda' needs an NVIDIA GPU and its driver, but numba.cuda.is_available() is False: "
        f"no CUDA driver or device was found{detail}.{late} {_SIM_HINT}"
    )


def is_available() -> bool:
    """True when ``device='cuda'`` can run here (a GPU, or the CUDA simulator); never raises."""
    try:
        _cuda_module()
    except CudaUnavailableError:
        return False
    return True


# ---- argument checks ---------------------------------------------------------------------------


def _lower(program: Any) -> Any:
    """A Program as is, a schedule object through its ``program()``; :func:`fastlr.lower` first
    for anything else (``fastlr.cuda.sweep`` does that)."""
    from fastlr.lowering.program import Program

    if hasattr(program, "program") and not isinstance(program, Program):
        program = program.program()
    if isinstance(program, Program):
        if program.user is not None and not program.user.jit:
            names = ", ".join(sorted({f.label for f in program.user.functions if not f.jit}))
            raise ValueError(
                f"Formula ({names}) with jit=False runs per step in Python, which cannot run on the GPU: "
                "use device='cpu', or a Formula with jit=True (the default) for device='cuda'"
            )
        return program
    raise TypeError(
        f"expected a fastlr.Program or a schedule, got {type(program).__name__}; lower it with fastlr.lower"
    )


def _c_contiguous(shape: tuple[int, ...], strides: tuple[int, ...], itemsize: int) -> bool:
    expected = itemsize
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1 and s != expected:
            return False
        expected *= n
    return True


def check_device_out(out: Any, shape: tuple[int, ...], dt: np.dtype) -> None:
    """Validate a device output: shape, dtype, C-contiguous, writeable (no conversion)."""
    if getattr(out, "__cuda_ndarray__", False) and not hasattr(out, "__cuda_array_interface__"):
        got_shape = tuple(int(n) for n in out.shape)  # the simulator's device arrays
        got_dt, contiguous, readonly = np.dtype(out.dtype), bool(out.is_c_contiguous()), False
    else:
        cai = out.__cuda_array_interface__
        got_shape = tuple(int(n) for n in cai["shape"])
        got_dt = np.dtype(cai["typestr"])
        strides = cai.get("strides")
        contiguous = strides is None or _c_contiguous(got_shape, tuple(strides), got_dt.itemsize)
        readonly = bool(cai["data"][1])
        if cai.get("mask") is not None:
            raise ValueError("out must not be a masked array")
    if got_shape != shape:
        raise ValueError(f"out has shape {got_shape}, expected {shape}")
    if got_dt != dt:
        raise ValueError(f"out has dtype {got_dt.name}, expected {dt.name}")
    if not contiguous:
        raise ValueError("out must be C-contiguous")
    if readonly:
        raise ValueError("out must be writeable (its __cuda_array_interface__ is read-only)")


def _is_device_array(obj: Any) -> bool:
    return bool(getattr(obj, "__cuda_ndarray__", False)) or hasattr(obj, "__cuda_array_interface__")


def _check_rows(rows: Any, n_rows: int) -> np.ndarray:
    """Row indices into the program as a new int64 array (the caller's is never kept)."""
    if rows is None:
        return np.arange(n_rows, dtype=np.int64)
    arr = np.asarray(rows)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"rows must be a non-empty 1-D array of row indices, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"rows must be a 1-D integer array of row indices, got dtype {arr.dtype.name}")
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= n_rows:
        bad = lo if lo < 0 else hi
        raise ValueError(f"rows must lie in [0, {n_rows}) for this program of {n_rows} rows, got {bad}")
    return np.array(arr, dtype=np.int64)


def _device_free_bytes(cuda: Any) -> float:
    """Free GPU memory in bytes (infinite under the simulator)."""
    return float(cuda.current_context().get_memory_info()[0])


def _flush_deallocations(cuda: Any) -> None:
    """Free device arrays Numba has queued for deallocation (it frees them lazily, in batches)."""
    try:
        cuda.current_context().deallocations.clear()
    except Exception:  # the simulator, or an external memory manager: nothing queued here
        pass


def _guard_device(cuda: Any, nbytes: int, what: str, hint: str) -> None:
    free = _device_free_bytes(cuda)
    if nbytes > DEVICE_MEMORY_FRACTION * free:
        _flush_deallocations(cuda)
        free = _device_free_bytes(cuda)
    if nbytes > DEVICE_MEMORY_FRACTION * free:
        raise MemoryLimitError(
            f"{what} needs {nbytes:,} bytes of GPU memory but only {int(free):,} bytes are free; {hint}"
        )


def _program_to_device(cuda: Any, prog: Any) -> tuple[Any, Any, Any, Any]:
    return tuple(cuda.to_device(np.ascontiguousarray(a)) for a in prog.arrays())  # type: ignore[return-value]


# ---- users' functions (fastlr.Formula) ---------------------------------------------------------


def _user_kernels(cuda: Any, prog: Any) -> Any:
    """The CUDA build of ``prog``'s users' functions (None without any), each function first
    compiled to PTX for this GPU so that what ``numba.cuda`` cannot compile is a
    :class:`~fastlr.FormulaCompileError` naming it (the simulator compiles nothing)."""
    if prog.user is None:
        return None
    from numba.core import config, errors

    from fastlr.kernels import cuda as kernels

    if not getattr(config, "ENABLE_CUDASIM", 0):  # the simulator compiles nothing
        cc = _compute_capability(cuda)
        for f in prog.user.functions:
            try:
                kernels.check_user_function(f, cc)
            except (errors.NumbaError, NotImplementedError, TypeError) as exc:
                # TypeError: Numba's built-in CUDA target refuses the builtins max() and min()
                raise FormulaCompileError(_cuda_compile_message(f.fn, exc)) from None
    return kernels.user_kernels(prog.user)


def _compute_capability(cuda: Any) -> tuple[int, int]:
    major, minor = cuda.get_current_device().compute_capability
    return int(major), int(minor)


def _cuda_compile_message(fn: Any, exc: Exception) -> str:
    """Numba's error, cut to the construct and the line it names."""
    keep = [
        s
        for s in (line.strip() for line in str(exc).splitlines())
        if s and not s.startswith(("During:", "^", "[1]", "[2]", "- Resolution", "Enable logging"))
    ]
    where = f"{fn.__code__.co_filename}:{fn.__code__.co_firstlineno}"
    return (
        f"Formula: numba.cuda cannot compile the function {fn.__name__} ({where}) for device='cuda': "
        f"{' | '.join(keep[:6])}. The CPU build compiles it (device='cpu'); on the GPU use numbers, tuples "
        "and the math module (no NumPy array creation or other objects; Numba's deprecated built-in CUDA "
        "target also refuses max() and min(): the 'cuda' extra installs numba-cuda)."
    )


def _cumulative(prog: Any) -> bool:
    return prog.user is not None and any(f.cumulative for f in prog.user.functions)


def _serial_program(cuda: Any, prog: Any, row_idx: np.ndarray) -> tuple[Any, ...]:
    """``(ci, cf, si, sf, rows)`` on the device for the serial kernel: rows ``row_idx`` copied
    into distinct rows (a row listed twice gets two copies), with the columns in which
    cumulative functions carry their product (:func:`fastlr.kernels.user.memo_columns`)."""
    from fastlr.kernels import user

    ci, cf, si, sf = prog.arrays()
    arrays = (ci[row_idx], user.memo_columns(prog.user, cf[row_idx]), si, sf)
    dev = tuple(cuda.to_device(np.ascontiguousarray(a)) for a in arrays)
    return (*dev, cuda.to_device(np.arange(row_idx.shape[0], dtype=np.int64)))


class _ValueCheck:
    """For a program with users' functions: the first value that is not finite and >= 0, found on
    the device tile by tile (kernels never check what a user's function returns); a no-op
    without users' functions."""

    def __init__(self, cuda: Any, prog: Any, n_rows: int, T: int, t0: int) -> None:
        self.prog, self.n_rows, self.T, self.t0 = prog, n_rows, T, t0
        self.found = cuda.to_device(np.array([n_rows * T], dtype=np.int64)) if prog.user is not None else None

    def tile(self, dev: Any, r0: int, k0: int, stream: Any = None) -> None:
        """Check the device tile ``dev`` (rows ``r0 ..``, steps ``k0 ..``; 1-D: one row)."""
        if self.found is None:
            return
        from fastlr.kernels import cuda as kernels

        dev2 = dev.reshape(1, dev.shape[0]) if len(dev.shape) == 1 else dev
        kernels.launch_first_bad(dev2, r0, k0, self.T, self.found, stream)

    def raise_first(self, values: Any) -> None:
        """After the tiles' streams are synchronised: raise ValueError naming the first bad value
        (its output row and step), read from ``values`` (the device or host result)."""
        if self.found is None:
            return
        i = int(self.found.copy_to_host()[0])
        if i >= self.n_rows * self.T:
            return
        r, k = divmod(i, self.T)
        if len(values.shape) == 1:
            v = values[k : k + 1]
        else:
            v = values[r, k : k + 1]
        v = v if isinstance(v, np.ndarray) else v.copy_to_host()
        names = ", ".join(sorted({f.label for f in self.prog.user.functions}))
        raise ValueError(
            f"Formula ({names}): the value at step {self.t0 + k} (row {r}) is {float(v[0])!r}; a learning rate "
            "must be finite and >= 0"
        )


def _device_output(cuda: Any, out: Any, shape: tuple[int, ...], dt: np.dtype) -> tuple[Any, Any]:
    """``(device_view, returned_object)`` for a device result."""
    if out is None:
        _guard_device(
            cuda,
            int(np.prod(shape, dtype=np.float64)) * dt.itemsize,
            f"the output {shape} {dt.name}",
            "pass to_host=True (or a host numpy out=) to stream it to host memory in chunks, "
            "or compute fewer rows or steps",
        )
        dev = cuda.device_array(shape, dtype=dt)
        return dev, dev
    dev = out if getattr(out, "__cuda_ndarray__", False) else cuda.as_cuda_array(out)
    return dev, out


def _check_given_out(out: Any, host: bool, shape: tuple[int, ...], dt: np.dtype) -> None:
    """Validate a caller's ``out`` (host or device) before anything is allocated."""
    if out is None:
        return
    if host:
        check_out(out, shape, dt)
    else:
        check_device_out(out, shape, dt)


def _host_output(out: Any, shape: tuple[int, ...], dt: np.dtype) -> np.ndarray:
    if out is not None:
        return out  # already validated
    guard_memory(shape, dt)
    return np.empty(shape, dtype=dt)


def _check_out_kind(out: Any, to_host: bool) -> bool:
    """True for a host (NumPy) result, False for a device one; rejects anything else."""
    if not isinstance(to_host, (bool, np.bool_)):
        raise TypeError(f"to_host must be a bool, got {to_host!r}")
    if out is None:
        return bool(to_host)
    if isinstance(out, np.ndarray):
        return True
    if _is_device_array(out):
        if to_host:
            raise ValueError("to_host=True writes to host memory: pass out=None or a numpy array, not a device array")
        return False
    raise TypeError(
        "out must be a numpy array (host result) or a CUDA array with __cuda_array_interface__ "
        f"(a torch CUDA tensor, a CuPy or Numba device array), got {type(out).__name__}"
    )


# ---- host streaming ----------------------------------------------------------------------------

# A tile: (host view to fill, function launching the kernel into a device view on a stream).
_Tile = tuple[np.ndarray, Callable[[Any, Any], None]]


def _stream_to_host(cuda: Any, tiles: Iterator[_Tile], buf_elems: int, dt: np.dtype) -> None:
    """Compute tiles on the GPU and copy each back while the next one computes."""
    streams: list[Any] = []
    bufs: list[Any] = []
    pending: tuple[Any, np.ndarray, Any] | None = None
    for i, (host_view, fill) in enumerate(tiles):
        b = i % 2
        if b == len(bufs):
            streams.append(cuda.stream())
            bufs.append(cuda.device_array(buf_elems, dtype=dt, stream=streams[b]))
        dev = bufs[b][: host_view.size].reshape(host_view.shape)
        fill(dev, streams[b])
        if pending is not None:
            pending[0].copy_to_host(pending[1], stream=pending[2])
        pending = (dev, host_view, streams[b])
    if pending is not None:
        pending[0].copy_to_host(pending[1], stream=pending[2])
    for s in streams:
        s.synchronize()


def _tile_budget(cuda: Any, dt: np.dtype) -> int:
    """Elements per device buffer when streaming to host memory."""
    free = _device_free_bytes(cuda)
    budget = min(float(HOST_CHUNK_BYTES), DEVICE_MEMORY_FRACTION * free / 2.0)
    return max(1, int(budget) // dt.itemsize)


# ---- entry points ------------------------------------------------------------------------------


def table_cuda(
    program: Any, T: Any, dtype: Any = np.float64, out: Any = None, t0: Any = 0, *, to_host: bool = False
) -> Any:
    """Values of the program's first row for steps ``t0 .. t0 + T - 1``, computed on the GPU.

    Parameters
    ----------
    program : fastlr.Program or schedule
        A lowered program (its row 0 is used, as on the CPU) or a schedule to lower.
    T : int
        Number of steps, >= 1.
    dtype : float32 or float64
        Output dtype; every value is computed in float64 and rounded once.
    out : device array, numpy array, or None
        See the module docstring: a ``(T,)`` CUDA array is written on the GPU, a ``(T,)`` NumPy
        array receives the values through host streaming.
    t0 : int
        First step, >= 0.
    to_host : bool
        With ``out=None``, return a NumPy array instead of a device array.

    Returns
    -------
    numba device array, ``out``, or ndarray
    """
    prog = _lower(program)
    T = check_T(T)
    t0 = ck.check_t0(t0, T)
    dt = check_dtype(dtype)
    host = _check_out_kind(out, to_host)
    shape = (T,)
    _check_given_out(out, host, shape, dt)
    cuda = _cuda_module()
    if host:
        res = _host_output(out, shape, dt)
    from fastlr.kernels import cuda as kernels

    build = _user_kernels(cuda, prog)
    if _cumulative(prog):
        # one thread walks the steps in order (as a 1-row sweep)
        ci, cf, si, sf, rows_dev = _serial_program(cuda, prog, np.zeros(1, dtype=np.int64))

        def launch(dev: Any, t: int, stream: Any = None) -> None:
            kernels.launch_rows_serial(build, ci, cf, si, sf, rows_dev, t, dev.reshape(1, dev.shape[0]), stream)
            if stream is not None:
                stream.synchronize()  # the next tile continues this one's product: never concurrently

    else:
        ci, cf, si, sf = _program_to_device(cuda, prog)

        def launch(dev: Any, t: int, stream: Any = None) -> None:
            kernels.launch_steps(ci, cf, si, sf, 0, t, dev, stream, build)

    check = _ValueCheck(cuda, prog, 1, T, t0)
    if not host:
        dev, ret = _device_output(cuda, out, shape, dt)
        launch(dev, t0)
        check.tile(dev, 0, 0)
        cuda.synchronize()
        check.raise_first(dev)
        return ret

    per = min(T, _tile_budget(cuda, dt))

    def tiles() -> Iterator[_Tile]:
        for k0 in range(0, T, per):
            k1 = min(T, k0 + per)

            def fill(dev: Any, stream: Any, k0: int = k0) -> None:
                launch(dev, t0 + k0, stream)
                check.tile(dev, 0, k0, stream)

            yield res[k0:k1], fill

    _stream_to_host(cuda, tiles(), per, dt)
    check.raise_first(res)
    if isinstance(res, np.memmap):
        res.flush()
    return res


def sweep_cuda(
    program: Any,
    T: Any,
    dtype: Any = np.float32,
    out: Any = None,
    rows: Any = None,
    to_host: bool = False,
    chunk_rows: Any = None,
    *,
    t0: Any = 0,
) -> Any:
    """``(N, T)`` table of N schedule rows for steps ``t0 .. t0 + T - 1``, computed on the GPU.

    Parameters
    ----------
    program : fastlr.Program, or anything :func:`fastlr.lower` accepts
        The rows to evaluate (schedules or flat configs are lowered first).
    T : int
        Steps per row, >= 1.
    dtype : float32 (default) or float64
        Output dtype; every value is computed in float64 and rounded once.
    out : device array, numpy array, or None
        See the module docstring: an ``(N, T)`` CUDA array is written on the GPU; an ``(N, T)``
        NumPy array receives the values through host streaming.
    rows : 1-D int array, optional
        Program rows to evaluate, in output order (default: all); N is then ``len(rows)``.
    to_host : bool
        With ``out=None``, return a NumPy array (streamed in tiles) instead of a device array.
    chunk_rows : int, optional
        Host streaming only: rows per tile (default: as many as fit in ``HOST_CHUNK_BYTES``; a
        row longer than that is itself split along the steps).
    t0 : int
        First step, >= 0.

    Returns
    -------
    numba device array, ``out``, or ndarray
    """
    prog = _lower(program)
    T = check_T(T)
    t0 = ck.check_t0(t0, T)
    dt = check_dtype(dtype)
    row_idx = _check_rows(rows, prog.n_rows)
    host = _check_out_kind(out, to_host)
    if chunk_rows is not None:
        chunk_rows = ck.integer("chunk_rows", chunk_rows, lo=1)
        if not host:
            raise ValueError("chunk_rows applies to host output only (to_host=True or a numpy out=)")
    n = int(row_idx.shape[0])
    shape = (n, T)
    _check_given_out(out, host, shape, dt)
    cuda = _cuda_module()
    if host:
        res = _host_output(out, shape, dt)
    from fastlr.kernels import cuda as kernels

    build = _user_kernels(cuda, prog)
    if _cumulative(prog):
        # one thread per row walks its steps in order
        ci, cf, si, sf, rows_dev = _serial_program(cuda, prog, row_idx)

        def launch(rows: Any, t: int, dev: Any, stream: Any = None) -> None:
            kernels.launch_rows_serial(build, ci, cf, si, sf, rows, t, dev, stream)
            if stream is not None:
                stream.synchronize()  # the next tile continues this one's products: never concurrently

    else:
        ci, cf, si, sf = _program_to_device(cuda, prog)
        rows_dev = cuda.to_device(row_idx)

        def launch(rows: Any, t: int, dev: Any, stream: Any = None) -> None:
            kernels.launch_rows(ci, cf, si, sf, rows, t, dev, stream, build)

    check = _ValueCheck(cuda, prog, n, T, t0)
    if not host:
        dev, ret = _device_output(cuda, out, shape, dt)
        launch(rows_dev, t0, dev)
        check.tile(dev, 0, 0)
        cuda.synchronize()
        check.raise_first(dev)
        return ret

    if chunk_rows is not None:
        rows_per, steps_per = min(n, chunk_rows), T
        _guard_device(
            cuda,
            2 * rows_per * T * dt.itemsize,
            f"two buffers of chunk_rows={chunk_rows} rows",
            "pass a smaller chunk_rows",
        )
    else:
        budget = _tile_budget(cuda, dt)
        if T <= budget:
            rows_per, steps_per = max(1, min(n, budget // T)), T
        else:
            rows_per, steps_per = 1, budget

    def tiles() -> Iterator[_Tile]:
        for r0 in range(0, n, rows_per):
            r1 = min(n, r0 + rows_per)
            for k0 in range(0, T, steps_per):
                k1 = min(T, k0 + steps_per)

                def fill(dev: Any, stream: Any, r0: int = r0, r1: int = r1, k0: int = k0) -> None:
                    launch(rows_dev[r0:r1], t0 + k0, dev, stream)
                    check.tile(dev, r0, k0, stream)

                yield res[r0:r1, k0:k1], fill

    _stream_to_host(cuda, tiles(), rows_per * steps_per, dt)
    check.raise_first(res)
    if isinstance(res, np.memmap):
        res.flush()
    return res


def to_torch(array: Any) -> Any:
    """A torch CUDA tensor sharing ``array``'s GPU memory (no copy).

    Parameters
    ----------
    array : object with ``__cuda_array_interface__``
        E.g. the device array returned by :func:`sweep_cuda` or :func:`table_cuda`.

    Returns
    -------
    torch.Tensor
        On the device that holds ``array``; it keeps ``array`` alive.
    """
    if not hasattr(array, "__cuda_array_interface__"):
        raise TypeError(f"to_torch expects a CUDA array with __cuda_array_interface__, got {type(array).__name__}")
    try:
        import torch
    except ImportError as exc:
        raise ImportError("to_torch needs PyTorch: pip install 'fastlr-sched[torch]'") from exc
    cuda = _cuda_module()
    device = torch.device("cuda", int(cuda.current_context().device.id))
    return torch.as_tensor(array, device=device)
