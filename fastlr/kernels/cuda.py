"""CUDA kernels: the formula source compiled as CUDA device functions, and grid-stride loops.

The device functions are not written here: :func:`fastlr.kernels.retarget.compile_functions`
compiles every function of :mod:`fastlr.kernels.formulas` with ``numba.cuda.jit(device=True)``,
exactly as :mod:`fastlr.kernels.cpu` compiles them with ``numba.njit``. The two kernels below
only loop; every value is ``formulas.value(ci, cf, si, sf, row, step)`` in float64, rounded
once when stored into a float32 output (as on the CPU).

Quirks
------
- Importing this module imports ``numba.cuda`` and compiles nothing; kernels compile on their
  first launch, one specialisation per output dtype (and array layout). There is no on-disk
  cache (``cache=False``): a new process pays the NVVM compile again.
- Launch geometry is read from the module constants at each launch, so tests can shrink
  :data:`THREADS_PER_BLOCK` and :data:`MAX_BLOCKS` to exercise several blocks, the grid-stride
  wrap-around and ragged tails.
- Kernels assume a validated program and valid row indices; all checks live in
  :mod:`fastlr._gpu`.
- Under the CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) the same code runs as Python threads.
- Users' functions (``fastlr.Formula``): :func:`user_kernels` compiles the formula source and
  the loops again with ``formulas.user_value`` bound to a dispatcher calling the functions as
  device functions (:func:`fastlr.kernels.user.device_source`), one build per table of
  functions, in memory. A cumulative function carries its product in the row's ``cf``, which
  only :func:`_fill_rows_serial` (one thread per row) may use. The built-in kernels above are
  not touched.
- Importing this module restores ``numpy.row_stack`` (an alias of ``numpy.vstack``) where NumPy
  2.5+ removed it: numba-cuda 0.30.x registers an overload of it when it loads its typing
  registries at the first kernel compile, so without the alias every compile fails with
  ``AttributeError: module 'numpy' has no attribute 'row_stack'`` (seen on an H200 with
  numba-cuda 0.30.4 and NumPy 2.5.2; NVIDIA/numba-cuda#907, which its maintainers do not plan
  to fix).
"""

from __future__ import annotations

import functools
import math
import sys
import warnings
from typing import Any

import numpy as np
from numba import cuda

from fastlr.kernels import formulas, layout, user
from fastlr.kernels.retarget import compile_functions

#: Threads per block (a multiple of the warp size, 32, on a real device).
THREADS_PER_BLOCK = 256
#: Most blocks in one launch; larger problems are covered by the grid-stride loops.
MAX_BLOCKS = 1 << 16
#: CUDA's limit on ``gridDim.y`` (rows beyond it are covered by the row grid-stride loop).
MAX_GRID_Y = 65535


def restore_numpy_row_stack() -> bool:
    """Alias ``numpy.row_stack`` to ``numpy.vstack`` if NumPy lacks it; True if it was added.

    numba-cuda 0.30.x (``numba/cuda/np/arrayobj.py``) runs ``overload(np.row_stack)`` for every
    NumPy >= 2.0 when the first kernel compiles; NumPy 2.5 removed the name (2.0-2.4 exported a
    deprecated wrapper of ``vstack`` under it). Restoring it lets the registration succeed; fastlr's
    kernels never call it.
    """
    if "row_stack" in vars(np):
        return False
    np.row_stack = np.vstack  # type: ignore[attr-defined]  # noqa: NPY201 (restoring it is the point)
    return True


restore_numpy_row_stack()

# every feature switch on: one build that runs every program
DEVICE_FUNCTIONS = compile_functions(
    formulas, formulas.KERNEL_FUNCTIONS, cuda.jit(device=True), layout.switches(layout.ALL_FEATURES)
)
_value = DEVICE_FUNCTIONS["value"]


# The loops, as plain functions calling ``_value``: compiled below for the built-in formulas, and
# by :func:`user_kernels` again with ``_value`` bound to a build that calls users' functions.


def _fill_steps(ci, cf, si, sf, c, t0, out):  # pragma: no cover - compiled
    """``out[k] = value(c, t0 + k)``: one row, one thread per step (grid-stride)."""
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for k in range(start, out.shape[0], stride):
        out[k] = _value(ci, cf, si, sf, c, t0 + k)


def _fill_rows(ci, cf, si, sf, rows, t0, out):  # pragma: no cover - compiled
    """``out[r, k] = value(rows[r], t0 + k)``: x over steps (coalesced stores), y over rows."""
    n_rows = out.shape[0]
    n_steps = out.shape[1]
    k_start = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
    k_stride = cuda.gridDim.x * cuda.blockDim.x
    for r in range(cuda.blockIdx.y, n_rows, cuda.gridDim.y):
        c = rows[r]
        for k in range(k_start, n_steps, k_stride):
            out[r, k] = _value(ci, cf, si, sf, c, t0 + k)


def _fill_rows_serial(ci, cf, si, sf, rows, t0, out):  # pragma: no cover - compiled
    """``out[r, k] = value(rows[r], t0 + k)``, one thread per row walking its steps in order
    (users' cumulative functions carry their product from step to step in the row's ``cf``)."""
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for r in range(start, out.shape[0], stride):
        c = rows[r]
        for k in range(out.shape[1]):
            out[r, k] = _value(ci, cf, si, sf, c, t0 + k)


def _first_bad(out, r0, k0, width, found):  # pragma: no cover - compiled
    """``found[0] = min(found[0], (r0 + r) * width + k0 + k)`` over the values ``out[r, k]`` of
    the ``(n, m)`` array ``out`` (a tile at row ``r0``, step ``k0`` of a ``width``-step table)
    that are not finite and >= 0 (what a user's function may return; NaN fails ``v >= 0``)."""
    n_steps = out.shape[1]
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, out.shape[0] * n_steps, stride):
        r = i // n_steps
        k = i - r * n_steps
        v = out[r, k]
        if not (v >= 0.0 and v < math.inf):
            cuda.atomic.min(found, 0, (r0 + r) * width + k0 + k)


fill_steps = cuda.jit(_fill_steps)
fill_rows = cuda.jit(_fill_rows)
first_bad = cuda.jit(_first_bad)

KERNELS = {"fill_steps": fill_steps, "fill_rows": fill_rows}


# ---- users' functions (fastlr.Formula) ------------------------------------------------------


@functools.cache
def user_function(f: user.UserFunction) -> Any:
    """The frozen function of ``f`` as a CUDA device function (compiled when a kernel calls it)."""
    return cuda.jit(device=True)(f.fn)


@functools.cache
def check_user_function(f: user.UserFunction, cc: tuple[int, int]) -> None:
    """Compile ``f`` to PTX for compute capability ``cc`` now, for an int64 step and its
    parameters' kinds; raises Numba's error where ``numba.cuda`` cannot compile it."""
    from numba import types

    source, consts = user.device_call_source(f)
    ns: dict[str, Any] = {"f0": user_function(f), **consts}
    exec(source, ns)
    sig = (types.int64, *(types.int64 if i else types.float64 for i in f.ints))
    cuda.compile_ptx(ns["call"], sig, device=True, cc=cc)


@functools.cache
def user_kernels(table: user.UserTable) -> dict[str, Any]:
    """The kernels of a program calling ``table``'s functions: the formula source compiled again
    with ``user_value`` bound to :func:`fastlr.kernels.user.device_source` (one build per table,
    cached by the functions' keys; compiled on first launch)."""
    ns: dict[str, Any] = {"CF_WIDTH": layout.CF_WIDTH, "math": math}
    for i, f in enumerate(table.functions):
        ns[f"f{i}"] = user_function(f)
    source, consts = user.device_source(table)
    ns.update(consts)
    exec(compile(source, "<fastlr.kernels.cuda user_value>", "exec"), ns)
    device = cuda.jit(device=True)
    funcs = compile_functions(
        formulas,
        formulas.KERNEL_FUNCTIONS,
        device,
        layout.switches(layout.ALL_FEATURES),
        overrides={"user_value": device(ns["user_value"])},
    )
    loops = compile_functions(
        sys.modules[__name__], ("_fill_steps", "_fill_rows", "_fill_rows_serial"), cuda.jit, {"_value": funcs["value"]}
    )
    return {name.lstrip("_"): kernel for name, kernel in loops.items()}


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def steps_geometry(n_steps: int) -> tuple[int, int]:
    """``(blocks, threads)`` for :func:`fill_steps` over ``n_steps`` steps."""
    tpb = THREADS_PER_BLOCK
    return max(1, min(MAX_BLOCKS, _ceil_div(n_steps, tpb))), tpb


def rows_geometry(n_rows: int, n_steps: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """``((blocks_x, blocks_y), (threads, 1))`` for :func:`fill_rows`.

    One block row (``y``) per schedule row up to ``min(MAX_GRID_Y, MAX_BLOCKS)``; the blocks
    left over go along the steps (``x``), at most enough to give each thread one step.
    """
    tpb = THREADS_PER_BLOCK
    gy = max(1, min(n_rows, MAX_GRID_Y, MAX_BLOCKS))
    gx = max(1, min(_ceil_div(n_steps, tpb), MAX_BLOCKS // gy))
    return (gx, gy), (tpb, 1)


def _quiet_launch(kernel: Any, grid: Any, block: Any, stream: Any, *args: Any) -> None:
    """Launch without Numba's low-occupancy warning (small tables are legitimately small grids)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Gg]rid size.*")
        configured = kernel[grid, block] if stream is None else kernel[grid, block, stream]
        configured(*args)


def launch_steps(
    ci: Any, cf: Any, si: Any, sf: Any, c: int, t0: int, out: Any, stream: Any = None, kernels: Any = None
) -> None:
    """Fill the 1-D device array ``out`` with row ``c`` for steps ``t0 ..`` (``kernels``: a
    :func:`user_kernels` build, else the built-in one)."""
    blocks, threads = steps_geometry(int(out.shape[0]))
    kernel = fill_steps if kernels is None else kernels["fill_steps"]
    _quiet_launch(kernel, blocks, threads, stream, ci, cf, si, sf, c, t0, out)


def launch_rows(
    ci: Any, cf: Any, si: Any, sf: Any, rows: Any, t0: int, out: Any, stream: Any = None, kernels: Any = None
) -> None:
    """Fill the 2-D device array ``out`` (rows ``rows``, steps ``t0 ..``)."""
    grid, block = rows_geometry(int(out.shape[0]), int(out.shape[1]))
    kernel = fill_rows if kernels is None else kernels["fill_rows"]
    _quiet_launch(kernel, grid, block, stream, ci, cf, si, sf, rows, t0, out)


def launch_rows_serial(
    kernels: Any, ci: Any, cf: Any, si: Any, sf: Any, rows: Any, t0: int, out: Any, stream: Any = None
) -> None:
    """Fill the 2-D device array ``out`` with a :func:`user_kernels` build's serial kernel: one
    thread per row, steps in order (the rows must be distinct rows of the program)."""
    blocks, threads = steps_geometry(int(out.shape[0]))
    _quiet_launch(kernels["fill_rows_serial"], blocks, threads, stream, ci, cf, si, sf, rows, t0, out)


def launch_first_bad(out: Any, r0: int, k0: int, width: int, found: Any, stream: Any = None) -> None:
    """Lower ``found[0]`` (a device int64 array) to the first index ``row * width + step`` of a
    value of the ``(n, m)`` device array ``out`` (rows ``r0 ..``, steps ``k0 ..`` of a table
    ``width`` steps wide) that is not finite and >= 0."""
    blocks, threads = steps_geometry(int(out.shape[0]) * int(out.shape[1]))
    _quiet_launch(first_bad, blocks, threads, stream, out, r0, k0, width, found)
