"""Sweeps as Dask arrays: the ``(N, T)`` table of N configs, computed block by block on workers.

:func:`sweep` returns a lazy :class:`dask.array.Array`; each block is filled by the fastlr
kernels on a worker from the lowered configs of that block's rows. :func:`summarize` returns the
per-config summaries of :func:`fastlr.summarize` as 1-D Dask arrays without ever holding a full
row. Both build their task graphs explicitly (one task per block, no dummy input array)::

    import fastlr as fl
    import fastlr.dask as fld

    configs = fl.grid(lr=[1e-3, 3e-4], warmup=[0, 500], shape=["cosine", "linear"], steps=[10_000])
    table = fld.sweep(configs, 10_000, chunks=(2, 4096))   # dask.array<(8, 10000) float32>
    table.to_zarr("sweep.zarr")                            # or .persist() on a distributed Client
    stats = fld.summarize(configs, 10_000, threshold=1e-4, chunks=(2, 4096))
    peak = stats["peak"].compute()

Block ``(i, j)`` of rows ``r0 .. r1 - 1`` and steps ``s0 .. s1 - 1`` is
``fastlr.sweep(program.subset(r0, r1), s1 - s0, t0=s0)``: computed directly at those steps,
never sliced out of a longer row, so every value is bit-identical to :func:`fastlr.sweep` for
any chunking (the kernels evaluate each (row, step) independently in float64 and round once).

Quirks
------
- All configs are lowered once on the client (vectorised for flat configs), which validates
  them eagerly: bad configs raise here, not on a worker. A task then carries only the program
  arrays of its own rows (``ci, cf, si, sf``: about 50 numbers, ~400 bytes, per row), never a
  table, the spec objects or other rows' configs. Its size grows with the rows of its block and
  is independent of ``T`` and of the number of step chunks (see :func:`task_nbytes`).
- Workers need ``fastlr`` (and Numba) importable; each worker process compiles or loads the
  kernels from ``NUMBA_CACHE_DIR`` on its first block.
- Numba's ``workqueue`` threading layer aborts when parallel kernels are launched from several
  threads at once (the threaded scheduler, a worker with ``threads_per_worker > 1``). The first
  kernel call of a process is serialised; if the layer turns out to be ``workqueue`` all calls
  stay serialised, with ``omp`` or ``tbb`` they run concurrently.
- ``summarize(sequential_sum=True)`` (the default) is bit-identical to :func:`fastlr.summarize`
  for every field: the step chunks of one row block form a chain that carries the running
  float64 sum, so only row blocks run in parallel and each task materialises its block in
  float64 (with the primitives :func:`fastlr.summarize` uses). With ``sequential_sum=False`` step
  chunks are summarised in parallel by the fused summary kernel and then combined; ``sum`` and
  ``mean`` then differ from the in-memory pass by rounding only (partial sums are added), the
  other fields are still bit-identical.
"""

from __future__ import annotations

import contextlib
import operator
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import dask.array as da
import numpy as np
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph

from fastlr import _checks as ck
from fastlr import evaluate
from fastlr.evaluate import SUMMARY_FIELDS, summary_arrays
from fastlr.kernels import layout as L
from fastlr.lowering.configs import lower_for
from fastlr.lowering.program import Program

__all__ = ["SUMMARY_FIELDS", "summarize", "sweep", "task_nbytes"]

# ---- on the workers --------------------------------------------------------------------------

_LOCK = threading.Lock()
_CONCURRENT_OK: bool | None = None  # None: not known until the first parallel kernel has run


@contextlib.contextmanager
def _kernel_slot() -> Iterator[None]:
    """Serialise kernel launches until the threading layer is known to be thread-safe."""
    global _CONCURRENT_OK
    if _CONCURRENT_OK:
        yield
        return
    with _LOCK:
        yield
        if _CONCURRENT_OK is None:
            import numba

            try:
                _CONCURRENT_OK = numba.threading_layer() != "workqueue"
            except ValueError:  # pragma: no cover - no parallel kernel ran yet
                pass


def _fill_block(prog: Program, t0: int, n_steps: int, dtype: np.dtype, exact: bool) -> np.ndarray:
    """One block of the table: the rows of ``prog`` at steps ``t0 .. t0 + n_steps - 1``."""
    with _kernel_slot():
        return evaluate.sweep(prog, n_steps, dtype, t0=t0, progress=False, exact=exact)


# Summary state of a row block: (fsum, isum) with the float64 and int64 columns layout.SUM_*
# (final, peak, min, sum; peak step (absolute), count above, count below).
_State = tuple[np.ndarray, np.ndarray]
# the fields of fastlr.summarize by array and column (mean is derived from the sum)
_FLOAT_FIELDS = {"final": L.SUM_FINAL, "peak": L.SUM_PEAK, "min": L.SUM_MIN, "sum": L.SUM_SUM}
_INT_FIELDS = {"peak_step": L.SUM_PEAK_STEP, "above": L.SUM_ABOVE, "below": L.SUM_BELOW}


def _summary_chain(prev: _State | None, prog: Program, t0: int, n_steps: int, threshold: float) -> _State:
    """Exact summary of steps ``.. t0 + n_steps - 1``: continue ``prev`` with this step block.

    The summary kernel continues the previous block's running sum value by value, in step
    order, exactly as :func:`fastlr.summarize` does over the whole row.
    """
    sum0 = None if prev is None else prev[0][:, L.SUM_SUM]
    with _kernel_slot():
        part = summary_arrays(prog, n_steps, threshold, t0, sum0=sum0)
    return part if prev is None else _merge(prev, part, sum_done=True)


def _summary_part(prog: Program, t0: int, n_steps: int, threshold: float) -> _State:
    """Summary of one block by the fused kernel (no table), for ``sequential_sum=False``."""
    with _kernel_slot():
        return summary_arrays(prog, n_steps, threshold, t0)


@dataclass(frozen=True)
class _Reducers:
    """Users' reducers ``{name: fn}`` carried by a task (opaque to Dask's graph traversal)."""

    funcs: tuple[tuple[str, Any], ...]


def _reduce_block(prog: Program, t0: int, n_steps: int, reducers: _Reducers) -> dict[str, np.ndarray]:
    """The reducers over whole rows of one row block (compiled once per worker process)."""
    compiled = evaluate.compile_reducers(dict(reducers.funcs))
    with _kernel_slot():
        return evaluate.reduce_arrays(prog, n_steps, t0, compiled)


def _merge(a: _State, b: _State, sum_done: bool = False) -> _State:
    """Combine the summaries of an earlier (``a``) and a later (``b``) run of steps."""
    fa, ia = a
    fb, ib = b
    f = np.empty_like(fa)
    i = np.empty_like(ia)
    f[:, L.SUM_FINAL] = fb[:, L.SUM_FINAL]
    later = fb[:, L.SUM_PEAK] > fa[:, L.SUM_PEAK]  # ties keep the earlier step
    f[:, L.SUM_PEAK] = np.where(later, fb[:, L.SUM_PEAK], fa[:, L.SUM_PEAK])
    i[:, L.SUM_PEAK_STEP] = np.where(later, ib[:, L.SUM_PEAK_STEP], ia[:, L.SUM_PEAK_STEP])
    f[:, L.SUM_MIN] = np.minimum(fa[:, L.SUM_MIN], fb[:, L.SUM_MIN])
    f[:, L.SUM_SUM] = fb[:, L.SUM_SUM] if sum_done else fa[:, L.SUM_SUM] + fb[:, L.SUM_SUM]
    for col in (L.SUM_ABOVE, L.SUM_BELOW):
        i[:, col] = ia[:, col] + ib[:, col]
    return f, i


def _merge_all(parts: list[_State]) -> _State:
    out = parts[0]
    for p in parts[1:]:
        out = _merge(out, p)
    return out


def _pick(state: _State, field: str, T: int) -> np.ndarray:
    f, i = state
    if field == "mean":
        return f[:, L.SUM_SUM] / T
    if field in _FLOAT_FIELDS:
        return f[:, _FLOAT_FIELDS[field]].copy()
    return i[:, _INT_FIELDS[field]].copy()


# ---- on the client ---------------------------------------------------------------------------


def _normalize(chunks: Any, shape: tuple[int, int], dtype: np.dtype) -> tuple[tuple[int, ...], tuple[int, ...]]:
    try:
        norm = da.core.normalize_chunks(chunks, shape=shape, dtype=dtype)
    except (ValueError, TypeError, ZeroDivisionError) as exc:
        raise ValueError(
            f"chunks must be 'auto', an int, (rows, steps) or explicit block sizes per axis; got {chunks!r} ({exc})"
        ) from None
    if any(c < 1 for axis in norm for c in axis):
        raise ValueError(f"chunks must be >= 1 along both axes, got {chunks!r}")
    return tuple(int(c) for c in norm[0]), tuple(int(c) for c in norm[1])


def _starts(sizes: tuple[int, ...]) -> list[int]:
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64).tolist()


def _row_programs(prog: Program, rows: tuple[int, ...]) -> list[Program]:
    """The program of each row block, as bare arrays (no specs, no config columns)."""
    out = []
    for lo, n in zip(_starts(rows), rows):
        sub = prog.subset(lo, lo + n)
        out.append(Program(*sub.arrays(), user=sub.user))
    return out


def _setup(configs: Any, T: Any, t0: Any, chunks: Any, dtype: np.dtype) -> tuple[Program, int, int, tuple, tuple]:
    prog = lower_for(configs, T, t0)
    T = ck.check_T(T)
    t0 = ck.check_t0(t0, T)
    rows, steps = _normalize(chunks, (prog.n_rows, T), dtype)
    return prog, T, t0, rows, steps


def sweep(
    configs: Any, T: int, dtype: Any = np.float32, *, chunks: Any = "auto", t0: int = 0, exact: bool | None = None
) -> da.Array:
    """The ``(N, T)`` table of :func:`fastlr.sweep` as a lazy Dask array.

    Parameters
    ----------
    configs
        Anything :func:`fastlr.lower` accepts (flat-config columns, a DataFrame, a list of
        schedules or ``to_dict()`` dicts, a Program). Lowered and validated here, once.
    T : int
        Steps per row, >= 1.
    dtype : float32 (default) or float64
        Computation is float64; each value is rounded once.
    chunks
        Block shape, as for :func:`dask.array.from_array`: ``"auto"`` (Dask's
        ``array.chunk-size``), an int for both axes, ``(rows, steps)`` (``-1`` for a whole
        axis), or explicit block sizes per axis. The last block along an axis may be shorter.
    t0 : int
        First step: column ``k`` holds step ``t0 + k``.
    exact : bool, optional
        libm (True) or the fast primitives (False), as for :func:`fastlr.sweep`; default: exact
        for float64, fast for float32.

    Returns
    -------
    dask.array.Array
        Block ``(i, j)`` is ``fastlr.sweep(program.subset(r0, r1), s1 - s0, dtype, t0=t0 + s0)``,
        bit-identical to the same block of ``fastlr.sweep(configs, T, dtype, t0=t0, exact=exact)``.

    Examples
    --------
    >>> import numpy as np, fastlr, fastlr.dask
    >>> configs = fastlr.grid(lr=[1.0, 0.5], shape=["linear"], steps=[4])
    >>> table = fastlr.dask.sweep(configs, 6, chunks=(1, 3))  # 2 x 2 blocks, nothing computed yet
    >>> table.shape, table.numblocks, table.dtype
    ((2, 6), (2, 2), dtype('float32'))
    >>> table[1].compute().tolist()
    [0.5, 0.375, 0.25, 0.125, 0.0, 0.0]
    >>> np.array_equal(table.compute(), fastlr.sweep(configs, 6))
    True
    """
    dt = ck.check_dtype(dtype)
    use_exact = evaluate.use_exact(exact, dt)
    prog, T, t0, rows, steps = _setup(configs, T, t0, chunks, dt)
    name = "fastlr-sweep-" + tokenize(*prog.arrays(), T, t0, dt.str, use_exact, rows, steps)
    dsk: dict[Any, Any] = {}
    step_starts = _starts(steps)
    for i, sub in enumerate(_row_programs(prog, rows)):
        for j, (s0, n) in enumerate(zip(step_starts, steps)):
            dsk[(name, i, j)] = (_fill_block, sub, t0 + s0, n, dt, use_exact)
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
    return da.Array(graph, name, (rows, steps), meta=np.empty((0, 0), dtype=dt))


def summarize(
    configs: Any,
    T: int,
    *,
    threshold: float | None = None,
    chunks: Any = "auto",
    t0: int = 0,
    sequential_sum: bool = True,
    reducers: Mapping[str, Callable[..., Any]] | None = None,
) -> dict[str, da.Array]:
    """Per-config summaries of :func:`fastlr.summarize` as lazy 1-D Dask arrays.

    Parameters
    ----------
    configs, T, t0
        As for :func:`sweep`.
    threshold : float, optional
        With it, ``above`` and ``below`` count the steps with a value ``> threshold`` and
        ``< threshold``.
    chunks
        Blocks of the (virtual) ``(N, T)`` float64 table that tasks summarise, as for
        :func:`sweep`; the results are chunked along configs by its row chunks.
    sequential_sum : bool
        True (default): step chunks of a row block are chained and carry the running sum, so
        every field is bit-identical to :func:`fastlr.summarize` (each task holds its block in
        float64). False: step chunks are summarised in parallel by the fused kernel (no table)
        and combined; ``sum`` and ``mean`` then agree with the in-memory pass to rounding only.
    reducers : mapping of str to function, optional
        Custom summaries of whole rows, as for :func:`fastlr.summarize` (checked and compiled
        here first, so a bad reducer fails on the client). A reducer needs a whole row, so it
        runs in one task per row block over all ``T`` steps (one row buffer per thread, the
        step chunks do not apply); its values are identical to :func:`fastlr.summarize`'s.

    Returns
    -------
    dict of dask.array.Array
        ``final`` (value at the last step), ``peak`` and ``peak_step`` (first step reaching
        the peak, absolute), ``min``, ``sum`` (float64 sum over the steps), ``mean``
        (``sum / T``) and, with ``threshold``, ``above`` and ``below``; each of length N.
        Combined across step chunks as: final from the last chunk, peak from the earliest chunk
        holding the maximum, min of mins, sums and counts added. Then one entry per reducer.

    Examples
    --------
    >>> import fastlr, fastlr.dask
    >>> s = fastlr.dask.summarize(fastlr.grid(lr=[1.0, 0.5], shape=["linear"], steps=[4]), 6, chunks=(1, 3))
    >>> s["sum"].compute().tolist(), s["peak"].compute().tolist()
    ([2.5, 1.25], [1.0, 0.5])
    """
    if not isinstance(sequential_sum, (bool, np.bool_)):
        raise TypeError(f"sequential_sum must be True or False, got {sequential_sum!r}")
    thr = np.nan if threshold is None else ck.real("threshold", threshold)
    compiled = evaluate.compile_reducers(reducers)
    prog, T, t0, rows, steps = _setup(configs, T, t0, chunks, np.dtype(np.float64))
    token = tokenize(*prog.arrays(), T, t0, thr, rows, steps, bool(sequential_sum))
    state = f"fastlr-summary-state-{token}"
    dsk: dict[Any, Any] = {}
    step_starts = _starts(steps)
    last = len(steps) - 1
    for i, sub in enumerate(_row_programs(prog, rows)):
        if sequential_sum:
            for j, (s0, n) in enumerate(zip(step_starts, steps)):
                prev = (state, i, j - 1) if j else None
                dsk[(state, i, j)] = (_summary_chain, prev, sub, t0 + s0, n, thr)
        else:
            part = f"fastlr-summary-part-{token}"
            for j, (s0, n) in enumerate(zip(step_starts, steps)):
                dsk[(part, i, j)] = (_summary_part, sub, t0 + s0, n, thr)
            dsk[(state, i, last)] = (_merge_all, [(part, i, j) for j in range(len(steps))])
    fields = [f for f in SUMMARY_FIELDS if threshold is not None or f not in ("above", "below")]
    out: dict[str, da.Array] = {}
    for field in fields:
        name = f"fastlr-summary-{field}-{token}"
        layer: dict[Any, Any] = {(name, i): (_pick, (state, i, last), field, T) for i in range(len(rows))}
        graph = HighLevelGraph({state: dsk, name: layer}, {state: set(), name: {state}})
        kind = np.int64 if field in _INT_FIELDS else np.float64
        out[field] = da.Array(graph, name, (rows,), meta=np.empty((0,), dtype=kind))
    if compiled:
        funcs = _Reducers(tuple((r.name, r.func) for r in compiled))
        rtoken = tokenize(token, [(r.name, r.func.py_func) for r in compiled])
        red = f"fastlr-summary-reduce-{rtoken}"
        rdsk: dict[Any, Any] = {
            (red, i): (_reduce_block, sub, t0, T, funcs) for i, sub in enumerate(_row_programs(prog, rows))
        }
        for r in compiled:
            name = f"fastlr-summary-{r.name}-{rtoken}"
            layer = {(name, i): (operator.getitem, (red, i), r.name) for i in range(len(rows))}
            graph = HighLevelGraph({red: rdsk, name: layer}, {red: set(), name: {red}})
            kind = np.int64 if r.integer else np.float64
            out[r.name] = da.Array(graph, name, (rows,), meta=np.empty((0,), dtype=kind))
    return out


def task_nbytes(array: da.Array, index: tuple[int, ...] | None = None) -> int:
    """Pickled size in bytes of one task of a graph built here (default: its first block).

    What the scheduler ships to a worker for that block, the function reference included.

    Examples
    --------
    >>> import fastlr, fastlr.dask
    >>> table = fastlr.dask.sweep(fastlr.grid(lr=[1.0, 0.5], shape=["linear"], steps=[4]), 6, chunks=(1, 3))
    >>> fastlr.dask.task_nbytes(table) < 2000  # a row's program arrays and three integers
    True
    """
    import pickle

    key = (array.name, *(index if index is not None else (0,) * array.ndim))
    graph = dict(array.__dask_graph__())
    if key not in graph:
        raise ValueError(f"index {index!r} is not a block of this array (numblocks {array.numblocks})")
    return len(pickle.dumps(graph[key], protocol=pickle.HIGHEST_PROTOCOL))
