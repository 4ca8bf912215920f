"""Evaluation: the one entry to the kernels for ``at``, ``table``, ``sweep`` and ``summarize``.

Every evaluation of a lowered :class:`~fastlr.lowering.program.Program` passes through here:
argument checks (``T``, ``t0``, dtype, ``out``), the memory guard, the choice of exact or fast
primitives, device dispatch (``"cpu"`` to :mod:`fastlr.kernels.cpu`, ``"cuda"`` to
:mod:`fastlr._gpu`), chunking and progress. The CPU kernels run chunks of rows (or of one long table's steps) on
Python worker threads (:func:`fastlr.kernels.cpu.in_parallel`; the kernels release the GIL), so
threads may call any entry concurrently. The public functions (``Schedule.table``,
``fastlr.sweep``, ``fastlr.summarize``, the Dask and torch faces) lower their input and call these.
"""

from __future__ import annotations

import functools
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr._checks import check_dtype, check_out, check_steps, check_T, guard_memory
from fastlr.kernels import interp
from fastlr.kernels import layout as L
from fastlr.lowering.program import Program

# one table up to this many steps is filled on one thread; longer ones on the worker threads,
# over chunks of whole blocks
SERIAL_STEPS = 1 << 22
# the same for the exact build (libm) and users' functions, some 10x more per value
SERIAL_STEPS_SLOW = 1 << 17


def _interpret(n_values: int, arrays: tuple[np.ndarray, ...], prog: Program, exact: bool = True) -> bool:
    """Whether to evaluate ``n_values`` values of a program with the interpreter
    (:mod:`fastlr.kernels.interp`: the exact or fast kernel's values bit for bit, no compile)
    rather than that kernel: a small call, and the kernel not already in use in this process."""
    if prog.user is not None or not interp.worth(n_values):
        return False
    cpu = sys.modules.get("fastlr.kernels.cpu")  # not imported yet: no kernel is compiled
    return cpu is None or not cpu.in_use(exact, arrays)


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


def device_dtype(device: Any, dtype: Any, out: Any, exact: Any, default: Any) -> Any:
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


def _kernels(exact: bool, prog: Program) -> dict[str, Any]:
    """The CPU kernels for ``prog``: its users' functions' build (exact primitives either way),
    else the built-in variant that covers its features."""
    if prog.user is not None:
        from fastlr.kernels import user

        return user.kernels(prog.user, prog.arrays())
    from fastlr.kernels import cpu

    return cpu.kernels(exact, prog.arrays())


def table(
    prog: Program,
    T: Any,
    dtype: Any = None,
    out: Any = None,
    t0: int = 0,
    exact: bool | None = None,
    device: str = "cpu",
    to_host: bool = False,
) -> Any:
    """Row 0's values for steps ``t0 .. t0 + T - 1`` (float64 unless ``dtype``/``out`` say
    otherwise); with ``device="cuda"`` a device array (see :func:`fastlr._gpu.table_cuda`)."""
    dt = device_dtype(device, dtype, out, exact, np.float64)
    if dt is not None:
        from fastlr import _gpu

        return _gpu.table_cuda(prog, T, dt, out=out, t0=t0, to_host=to_host)
    T = check_T(T)
    t0 = ck.check_t0(t0, T)
    res = prepare((T,), dtype, out, default=np.float64)
    arrays = prog.arrays()
    ex = use_exact(exact, res.dtype)
    if _interpret(T, arrays, prog, ex) and interp.fill_rows(arrays, range(1), t0, res[None, :], ex):
        check_user_values(prog, res, t0)
        return res
    from fastlr.kernels import cpu

    ci, cf, si, sf = arrays
    k = _kernels(ex, prog)
    fill_span = k["fill_span"]
    # a long table: chunks of whole blocks on the worker threads (the same values as one call)
    block = cpu.blocks.BLOCK
    nb = (T + block - 1) // block
    python = prog.user is not None and not prog.user.jit
    serial = T <= (SERIAL_STEPS_SLOW if ex or prog.user is not None else SERIAL_STEPS) or python
    chunks = 1 if serial else None

    def fill(lo: int, hi: int) -> None:
        k0, k1 = lo * block, min(T, hi * block)
        fill_span(ci, cf, si, sf, 0, t0 + k0, res[k0:k1], *cpu.scratch())

    with cpu.compile_notice(fill_span, "fill_span", ex, res.dtype):
        cpu.in_parallel(fill, nb, chunks, block)
    check_user_values(prog, res, t0)
    return res


def at(prog: Program, t: Any, row: int = 0) -> Any:
    """Values of one row at integer step(s) ``t``: a float for a scalar, else an array."""
    steps = check_steps(t)
    flat = np.ascontiguousarray(steps.reshape(-1))
    out = np.empty(flat.shape, dtype=np.float64)
    arrays = prog.arrays()
    n = flat.shape[0]
    if not (_interpret(n, arrays, prog) and interp.fill(arrays, [row] * n, flat.tolist(), out)):
        from fastlr.kernels import cpu

        ci, cf, si, sf = arrays
        rows = np.full(flat.shape, row, dtype=np.int64)
        eval_points = _kernels(True, prog)["eval_points"]
        with cpu.compile_notice(eval_points, "eval_points", True, out.dtype):
            eval_points(ci, cf, si, sf, rows, flat, out)
    check_user_values(prog, out, 0, flat)
    if steps.ndim == 0:
        return float(out[0])
    return out.reshape(steps.shape)


def _progress(total: int, enabled: bool | None) -> Callable[[int], None]:
    """A progress callback: tqdm when installed, else a one-line stderr bar; off off-terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return lambda k: None
    try:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="rows", desc="fastlr sweep", leave=False)

        def update(k: int) -> None:
            bar.update(k)
            if bar.n >= total:
                bar.close()

        return update
    except ImportError:
        done = [0]

        def update(k: int) -> None:
            done[0] += k
            frac = done[0] / total
            sys.stderr.write(f"\rfastlr sweep [{'#' * int(30 * frac):<30}] {done[0]}/{total} rows")
            if done[0] >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        return update


def _chunk_rows(n: int, T: int, itemsize: int, chunk_rows: int | None) -> int:
    if chunk_rows is not None:
        return ck.integer("chunk_rows", chunk_rows, lo=1)
    # ~64 MB of output per chunk keeps progress lively and memmap writes streaming
    return max(1, min(n, (64 << 20) // max(1, T * itemsize)))


def sweep(
    prog: Program,
    T: int,
    dtype: Any = None,
    out: np.ndarray | None = None,
    *,
    chunk_rows: int | None = None,
    progress: bool | None = None,
    t0: int = 0,
    exact: bool | None = None,
    device: str = "cpu",
    to_host: bool = False,
    rows: tuple[int, int] | None = None,
    kernel: Any = None,
) -> Any:
    """The ``(N, T)`` table of a program's rows (the arguments of :func:`fastlr.sweep`).

    ``rows=(lo, hi)`` (CPU only): the ``(hi - lo, T)`` table of rows ``lo .. hi - 1`` alone, the
    same values (a block of a table written a block at a time; errors name the program's rows).
    ``kernel``: the ``fill_rows`` kernel of ``prog`` and ``exact`` when already chosen (choosing
    it looks at every row's features: :func:`sweep_blocks` chooses once).
    """
    r0, r1 = 0, prog.n_rows
    if rows is not None:
        r0, r1 = (ck.integer("rows", r, lo=0) for r in rows)
        if not r0 < r1 <= prog.n_rows:
            raise ValueError(f"rows must be (lo, hi) with 0 <= lo < hi <= {prog.n_rows}, got {rows!r}")
    dt = device_dtype(device, dtype, out, exact, np.float32)
    if dt is not None:
        if rows is not None:
            raise ValueError("rows: a block of rows is computed on the CPU only")
        from fastlr import _gpu

        return _gpu.sweep_cuda(prog, T, dt, out=out, to_host=to_host, chunk_rows=chunk_rows, t0=t0)
    T = check_T(T)
    t0 = ck.check_t0(t0, T)
    n = r1 - r0
    res = prepare((n, T), dtype, out)
    if out is not None and any(np.may_share_memory(res, a) for a in prog.arrays()):
        raise ValueError("out shares memory with the program's own arrays (ci, cf, si, sf); pass a separate array")
    arrays = prog.arrays()
    ex = use_exact(exact, res.dtype)
    step = _chunk_rows(n, T, res.itemsize, chunk_rows)
    if _interpret(n * T, arrays, prog, ex) and interp.fill_rows(arrays, range(r0, r1), t0, res, ex):
        check_user_values(prog, res, t0, row0=r0)
        if progress:
            _progress(n, progress)(n)  # asked for: one update, all rows done
        if isinstance(res, np.memmap):
            res.flush()
        return res
    from fastlr.kernels import cpu

    ci, cf, si, sf = arrays
    fill_rows = _kernels(ex, prog)["fill_rows"] if kernel is None else kernel
    # (once, not per chunk: the test reads a whole column of the program)
    checked = prog.user is not None or (res.dtype == np.float32 and _beyond_float32(prog))
    report: Callable[[int], None] | None = None
    started = time.perf_counter()
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        which = np.arange(r0 + lo, r0 + hi, dtype=np.int64)
        with cpu.compile_notice(fill_rows, "fill_rows", ex, res.dtype):
            cpu.in_parallel(cpu.row_chunks(fill_rows, ci, cf, si, sf, which, t0, res[lo:hi]), hi - lo, values=T)
        if checked:
            check_user_values(prog, res[lo:hi], t0, row0=r0 + lo)
        if report is None and (progress or (progress is None and time.perf_counter() - started > 2.0)):
            report = _progress(n, progress)
            report(hi)
        elif report is not None:
            report(hi - lo)
    if isinstance(res, np.memmap):
        res.flush()
    return res


def sweep_blocks(
    prog: Program, T: int, dtype: Any, max_bytes: int, progress: bool | None = None
) -> Iterator[tuple[int, int, np.ndarray]]:
    """The CPU table of a program's rows a block at a time: ``(lo, hi, values)``, rows ``lo ..
    hi - 1`` as a ``(hi - lo, T)`` view of one buffer of about ``max_bytes`` that the next block
    overwrites (a file written by ``write()``: a block stays in the cache, where a memmap of the
    whole table pays a page fault per page). The values are those of :func:`sweep`; its
    ``progress`` (for the whole table: shown when asked, or past 2 s when ``None``)."""
    dt = check_dtype(dtype)
    T = check_T(T)
    n = prog.n_rows
    chunk = max(1, min(n, max_bytes // (T * dt.itemsize)))
    buf = np.empty((chunk, T), dtype=dt)
    ex = use_exact(None, dt)
    kernel = None if _interpret(n * T, prog.arrays(), prog, ex) else _kernels(ex, prog)["fill_rows"]
    report: Callable[[int], None] | None = None
    started = time.perf_counter()
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        part = buf[: hi - lo]
        sweep(prog, T, dtype=dt, out=part, rows=(lo, hi), progress=False, kernel=kernel)
        if report is None and (progress or (progress is None and time.perf_counter() - started > 2.0)):
            report = _progress(n, progress)
            report(hi)
        elif report is not None:
            report(hi - lo)
        yield lo, hi, part


#: Names of the per-config summaries.
SUMMARY_FIELDS = ("final", "peak", "peak_step", "min", "sum", "mean", "above", "below")


def summarize(
    prog: Program,
    T: int,
    *,
    threshold: float | None = None,
    t0: int = 0,
    chunk_rows: int | None = None,
    reducers: Mapping[str, Callable[..., Any]] | None = None,
) -> dict[str, Any]:
    """Per-row summaries of a program (the arguments of :func:`fastlr.summarize`)."""
    T = check_T(T)
    t0 = ck.check_t0(t0, T)
    thr = math.nan if threshold is None else ck.real("threshold", threshold)
    compiled = compile_reducers(reducers)
    fsum, isum = summary_arrays(prog, T, thr, t0, chunk_rows)
    out = {
        "final": fsum[:, L.SUM_FINAL],
        "peak": fsum[:, L.SUM_PEAK],
        "peak_step": isum[:, L.SUM_PEAK_STEP],
        "min": fsum[:, L.SUM_MIN],
        "sum": fsum[:, L.SUM_SUM],
        "mean": fsum[:, L.SUM_SUM] / T,
    }
    if threshold is not None:
        out["above"] = isum[:, L.SUM_ABOVE]
        out["below"] = isum[:, L.SUM_BELOW]
    if compiled:
        out.update(reduce_arrays(prog, T, t0, compiled, chunk_rows))
    return out


def compile_reducers(reducers: Mapping[str, Callable[..., Any]] | None) -> tuple[Any, ...]:
    """Check and compile users' reducers (:mod:`fastlr.kernels.reduce`); none: no Numba import."""
    if reducers is None:
        return ()
    from fastlr.kernels import reduce

    return reduce.compile_reducers(reducers, SUMMARY_FIELDS)


def _reduce_chunk(
    kernel: Any,
    arrays: tuple[np.ndarray, ...],
    rows: np.ndarray,
    t0: int,
    buf: np.ndarray,
    view: np.ndarray,
    chunk_of: dict[int, int],
    fo: np.ndarray,
    io: np.ndarray,
    failed: np.ndarray,
    a: int,
    b: int,
) -> None:
    q = chunk_of[a]
    kernel(*arrays, rows[a:b], t0, buf[q], view[q], fo[a:b], io[a:b], failed[a:b])


def reduce_arrays(
    prog: Program, T: int, t0: int, reducers: tuple[Any, ...], chunk_rows: int | None = None
) -> dict[str, np.ndarray]:
    """Compiled reducers (:func:`compile_reducers`) over every row of steps ``t0 .. t0 + T - 1``,
    in the row chunks of :func:`summary_arrays`; one row buffer per thread, no table.

    Returns ``{name: column}`` (float64, or int64 for integer reducers); a non-finite float
    raises ``ValueError`` naming the reducer and the row.
    """
    from fastlr.kernels import cpu, reduce

    n = prog.n_rows
    threads = cpu.n_threads()
    guard_memory((min(n, threads), T), np.dtype(np.float64))
    fo = np.empty((n, sum(not r.integer for r in reducers)), dtype=np.float64)
    io = np.empty((n, sum(r.integer for r in reducers)), dtype=np.int64)
    failed = np.empty(n, dtype=np.int64)
    ci, cf, si, sf = prog.arrays()
    fill_span = cpu.kernels(False, (ci, cf, si, sf))["linked_fill_span"]
    kernel = reduce.row_kernel(fill_span, reducers)
    step = max(1, min(n, 1 << 16)) if chunk_rows is None else ck.integer("chunk_rows", chunk_rows, lo=1)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        rows = np.arange(lo, hi, dtype=np.int64)
        buf, view = reduce.buffers(hi - lo, T, threads)
        # one chunk per buffer row: the chunk starting at row q * n // k fills buf[q]
        k = buf.shape[0]
        chunk_of = {q * (hi - lo) // k: q for q in range(k)}
        run = functools.partial(_reduce_chunk, kernel, prog.arrays(), rows, t0, buf, view, chunk_of)
        cpu.in_parallel(functools.partial(run, fo[lo:hi], io[lo:hi], failed[lo:hi]), hi - lo, k)
        bad = np.flatnonzero(failed[lo:hi] >= 0)
        if bad.size:
            row = lo + int(bad[0])
            raise ValueError(
                f"reducer {reducers[failed[row]].name!r} raised an exception on row {row}; Numba keeps no "
                f"message: call the function on that row (fastlr.sweep(configs, T, np.float64, exact=False, "
                f"t0=t0)[{row}]) to see it"
            )
    out: dict[str, np.ndarray] = {}
    nf = ni = 0
    for r in reducers:
        if r.integer:
            out[r.name] = io[:, ni]
            ni += 1
        else:
            col = fo[:, nf]
            nf += 1
            bad = np.flatnonzero(~np.isfinite(col))
            if bad.size:
                raise ValueError(
                    f"reducer {r.name!r} returned {col[bad[0]]} for row {bad[0]} ({bad.size} non-finite of {n} rows)"
                )
            out[r.name] = col
    return out


def summary_arrays(
    prog: Program, T: int, threshold: float, t0: int, chunk_rows: int | None = None, sum0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The summary kernel on validated arguments: ``(fsum, isum)`` with float64 columns final,
    peak, min, sum and int64 columns peak step (absolute), count above, count below.

    ``sum0`` starts each row's running sum (to continue a summary over an earlier block of
    steps, value by value, as one pass over the whole row would).
    """
    n = prog.n_rows
    fsum = np.empty((n, L.FSUM_WIDTH), dtype=np.float64)
    isum = np.empty((n, L.ISUM_WIDTH), dtype=np.int64)
    start = np.zeros(n) if sum0 is None else np.ascontiguousarray(sum0, dtype=np.float64)
    arrays = prog.arrays()
    every = np.arange(n, dtype=np.int64)
    step = max(1, min(n, 1 << 16)) if chunk_rows is None else ck.integer("chunk_rows", chunk_rows, lo=1)
    small = _interpret(n * T, arrays, prog, False)
    if small and interp.summarize_rows(arrays, every, t0, T, threshold, start, fsum, isum):
        isum[:, L.SUM_PEAK_STEP] += t0
        return fsum, isum
    from fastlr.kernels import cpu

    ci, cf, si, sf = arrays
    summarize_rows = _kernels(False, prog)["summarize_rows"]
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        rows = np.arange(lo, hi, dtype=np.int64)
        with cpu.compile_notice(summarize_rows, "summarize_rows", False, fsum.dtype):
            cpu.in_parallel(
                cpu.row_chunks(
                    summarize_rows, ci, cf, si, sf, rows, t0, T, threshold, start[lo:hi], fsum[lo:hi], isum[lo:hi]
                ),
                hi - lo,
                values=T,
            )
    if prog.user is not None:
        bad = ~(np.isfinite(fsum[:, L.SUM_SUM]) & (fsum[:, L.SUM_MIN] >= 0.0))
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"Formula: row {r} has a value that is not finite and >= 0 within steps {t0} .. {t0 + T - 1} "
                f"(min {fsum[r, L.SUM_MIN]!r}, sum {fsum[r, L.SUM_SUM]!r}); a learning rate must be finite and >= 0"
            )
    isum[:, L.SUM_PEAK_STEP] += t0
    return fsum, isum


def compile_for(prog: Program, T: int, dtype: Any = np.float32, summaries: bool = False) -> None:
    """Compile (or load from the on-disk cache) now the CPU kernel that ``sweep(prog, T,
    dtype)`` (or, with ``summaries``, ``summarize(prog, T)``) will run, by a call of one step of
    one row, so that a caller can tell compiling from computing; nothing where that call will
    take the interpreter (:func:`_interpret`). The garbage collector runs less often meanwhile
    (:func:`fastlr.kernels.cpu.fewer_collections`: a cold compile spent 7 % of its time there)."""
    ex = False if summaries else use_exact(None, check_dtype(dtype))
    arrays = prog.arrays()
    if _interpret(prog.n_rows * check_T(T), arrays, prog, ex):
        return
    from fastlr.kernels import cpu

    k = _kernels(ex, prog)
    one = np.zeros(1, dtype=np.int64)
    if summaries:
        fsum = np.empty((1, L.FSUM_WIDTH))
        isum = np.empty((1, L.ISUM_WIDTH), dtype=np.int64)
        with cpu.fewer_collections(), cpu.compile_notice(k["summarize_rows"], "summarize_rows", False, fsum.dtype):
            k["summarize_rows"](*arrays, one, 0, 1, math.nan, np.zeros(1), fsum, isum)
    else:
        out = np.empty((1, 1), dtype=check_dtype(dtype))
        with cpu.fewer_collections(), cpu.compile_notice(k["fill_rows"], "fill_rows", ex, out.dtype):
            k["fill_rows"](*arrays, one, 0, out)


def compile_summaries_elsewhere(prog: Program, T: int) -> Any:
    """Start compiling (or loading) the summary kernel of ``prog``'s variant in a child process,
    into the on-disk cache, while this process compiles its table kernel: a job that needs both
    (the CLI's sweep) waits about as long as the slower compile instead of the two in turn.
    Returns the child (``wait()`` for it before the first :func:`summarize`; a summary called
    earlier compiles here, with the same values), or None where there is none (also where
    ``summarize(prog, T)`` will take the interpreter)."""
    if _interpret(prog.n_rows * check_T(T), prog.arrays(), prog, False):
        return None
    from fastlr.kernels import cpu

    return cpu.compile_in_child(False, prog.arrays(), [("summarize_rows", "float64")])


def _beyond_float32(prog: Program) -> bool:
    """Whether a row may exceed float32's range: only an ``Exponential`` clipped above
    ``MAX_VALUE`` (up to float32's largest, as the float32 peers saturate) can, once scaled or
    multiplied by more than 1; every other value is at most ``MAX_VALUE`` (1e18)."""
    exp = prog.si[:, L.S_CODE] == L.EXP
    if not exp.any():
        return False
    clip = prog.sf[exp, L.S_AMP] * prog.sf[exp, L.S_Q2]
    return bool((clip > ck.MAX_VALUE).any())


def check_user_values(prog: Program, values: Any, t0: int, steps: Any = None, row0: int = 0) -> None:
    """For a program with users' functions: raise ValueError naming the first value that is not
    finite and >= 0 (its row and step), since kernels never check what a user's function returns;
    for a float32 output of a program that may exceed float32's range (:func:`_beyond_float32`):
    the same for a value that overflowed to inf.

    ``values`` is ``(T,)`` for row 0 or ``(rows, T)`` from row ``row0``, for steps ``t0 ..``; or
    the values at ``steps`` (``at``).
    """
    v = np.asarray(values)
    if prog.user is None and not (v.dtype == np.float32 and _beyond_float32(prog)):
        return
    if v.size == 0 or (bool((v >= 0).all()) and math.isfinite(float(v.max()))):
        return  # every value >= 0 (NaN fails it) and the largest finite: no inf either
    bad = ~(np.isfinite(v) & (v >= 0))
    pos = np.unravel_index(int(np.flatnonzero(bad.reshape(-1))[0]), v.shape)
    row = row0 + int(pos[0]) if v.ndim == 2 else 0
    step = int(np.asarray(steps).reshape(-1)[pos[-1]]) if steps is not None else t0 + int(pos[-1])
    if prog.user is None:
        raise ValueError(
            f"the value at step {step} (row {row}) does not fit float32 (larger than {ck.FLOAT32_MAX:.7g}): an "
            "Exponential clipped near float32's largest value, scaled or multiplied further; use dtype='float64'"
        )
    names = ", ".join(sorted({f.label for f in prog.user.functions}))
    raise ValueError(
        f"Formula ({names}): the value at step {step} (row {row}) is {v[pos].item()!r}; a learning rate must be "
        "finite and >= 0"
    )
