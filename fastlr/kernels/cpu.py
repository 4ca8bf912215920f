"""CPU kernels: the formula source, the block evaluator and its drivers compiled with Numba.

Imported lazily (on the first table); importing it compiles nothing (functions compile on first
call and are cached on disk). Two builds of the same source:

``exact``
    the primitives are ``math``'s (libm): the reference path, used for float64 tables and
    ``at``; dialect tables reproduce their peers with it.
``fast``
    the primitives are the vectorisable approximations of :mod:`fastlr.kernels.fastmath`
    (float64 arithmetic, within 1e-14 relative of libm), the half-period cosines as ``sin^2``
    (no cancellation near the end of a decay), and cosine, exponential, tanh and polynomial
    pieces by anchored runs (:mod:`fastlr.kernels.runs`): the default for float32 tables and
    summaries.

Each build is compiled in variants over the switches of
:data:`fastlr.kernels.layout.FEATURES` (:func:`choose_variant`): in a variant the switches of
every shape, warmup mode and restart path it lacks are bound to False and Numba prunes their
branches before inlining them. The first program of a process compiles exactly its own
features, so a first table or a CLI job compiles only the code it runs (the cold-start figures
are in ``benchmarks/RESULTS.md``); later programs reuse a covering variant or take one of the
ladder :data:`VARIANTS`, so a process compiles at most twelve variants whatever it evaluates.
The anchored runs read no switch: one compiled copy serves every variant of the fast build (and
a build around users' functions takes the pieces of the built-in variant of its features).
Kernels write into preallocated outputs and assume a validated program.

The modules compiled, in one namespace per variant: :mod:`~fastlr.kernels.formulas` (the scalar
formulas), :mod:`~fastlr.kernels.runs` (the fast build's anchored runs),
:mod:`~fastlr.kernels.blocks` (pieces and row fills) and :mod:`~fastlr.kernels.drivers` (the
entry points: ``fill_rows``, ``summarize_rows``, ``eval_points``; ``fill_span`` comes from
``blocks``).

Threads, processes and the on-disk cache
----------------------------------------
- **Threads.** No kernel uses Numba's ``parallel=True``: its parfor passes and per-call gufunc
  wrappers cost more compile than the row evaluator they drive (about 6 s of the README job's
  first run), and its threading layers abort or terminate a process on concurrent or forked
  use. The entry points are serial functions compiled with ``nogil=True``; :func:`in_parallel`
  runs chunks of rows (or of one long table's blocks) on a pool of Python threads
  (:func:`n_threads` of them), so a sweep uses every core, calls from many threads interleave
  safely, and a forked child starts a pool of its own.
- **A corrupt cache file** (a truncated ``.nbi`` index or ``.nbc`` data file in
  ``NUMBA_CACHE_DIR``) is dropped with a :class:`KernelCacheWarning` and the function is
  recompiled, instead of failing every later call.

Compiling
---------
- :func:`compile_notice` wraps every kernel call of :mod:`fastlr.evaluate`: a compile longer
  than :data:`NOTICE_AFTER_S` is named on stderr with its progress (``FASTLR_COMPILE_NOTICE=0``
  silences it).
- :func:`compile_in_child` compiles row drivers in a second process, into the on-disk
  cache (Numba compiles on one core): the CLI's sweep compiles its summary kernel there while it
  compiles its table kernel here.
- Small tables, sweeps and summaries do not come here at all: :mod:`fastlr.kernels.interp`
  computes the same values bit for bit without a compile.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import subprocess
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np
from numba.core import event

from fastlr.kernels import blocks, fastmath, formulas, layout, runs
from fastlr.kernels.retarget import compile_cpu, compile_functions

# error_model="numpy": IEEE division without Python's zero check, which would stop
# vectorisation (kernels only see validated programs, where no denominator is 0)
OPTIONS: dict[str, Any] = {"error_model": "numpy"}
ALL_FEATURES = layout.ALL_FEATURES
_BIT = {name: i for i, name in enumerate(layout.FEATURES)}
# fill_span compiled once more under this name, as a function of its own (not inlined)
_LINKED = {"linked_fill_span": "fill_span"}


def _decorators(cache: bool) -> tuple[Any, Any]:
    """``(inline, internal)``: how the leaf formulas and the functions only other kernels call
    are compiled (``cache=False``: a build binding a user's function, which the on-disk cache
    cannot check)."""
    # the leaf formulas are inlined into their few callers at Numba IR level: fewer functions
    # to compile (Numba's per-function overhead dominates the cold start)
    inline = numba.njit(inline="always", **OPTIONS)
    # functions only other kernels call: no Python or C entry wrappers to generate and optimise
    # (about a sixth of the cold compile)
    no_wrappers: dict[str, Any] = {"no_cpython_wrapper": True, "no_cfunc_wrapper": True}
    internal = numba.njit(cache=cache, **OPTIONS, **no_wrappers)
    return inline, internal


def _build(
    tag: str,
    mask: int,
    overrides: dict[str, Any] | None,
    aliases: dict[str, str] | None = None,
    anchored: bool = False,
    cache: bool = True,
    compiled: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One build of the kernel source in the variant ``mask`` (``compiled``: functions compiled
    already, by name, bound instead of compiling their source again)."""
    # the switches first: compile_functions only fills in names not already bound
    ns: dict[str, Any] = layout.switches(mask)
    ns["ANCHORED_RUNS"] = anchored
    inline, internal = _decorators(cache)
    # entry points: called from Python, on the worker threads of in_parallel (no GIL); inlined
    # at Numba IR level into the kernels that call them (fill_span into the row drivers), so its
    # code is not compiled, linked and optimised again one level up (about a second of the
    # README job's compile)
    serial = numba.njit(inline="always", cache=cache, nogil=True, **OPTIONS)
    shared = {**(_shared_runs() if anchored else {}), **(compiled or {})}
    out = compile_cpu(inline, internal, serial, ns, overrides, tag, aliases, shared)
    # fill_span once more as a function of its own, for the kernels compiled anew in each process
    # that call it (reduce.py's row kernels: users' reducers, which the on-disk cache cannot
    # check): they link its cached code instead of inlining its body and compiling it again
    out.update(compile_functions(blocks, ("linked_fill_span",), internal, ns, tag=tag, aliases=_LINKED))
    out["_namespace"] = ns
    _safe_caches(out)
    return out


# ---- the on-disk cache -------------------------------------------------------------------------
class KernelCacheWarning(RuntimeWarning):
    """A corrupt Numba cache file was dropped; the kernel is recompiled."""


def _safe_cache_class(base: Any) -> type:
    """A subclass of a Numba cache class whose load and save survive corrupt files."""

    class SafeCache(base):  # type: ignore[misc, valid-type]
        def load_overload(self, sig: Any, target_context: Any) -> Any:
            try:
                return super().load_overload(sig, target_context)
            except Exception as exc:  # unpickling or rebuilding a damaged file: any error
                index = getattr(self._cache_file, "_index_path", None)
                warnings.warn(
                    f"fastlr: the Numba cache entry {index or self} is corrupt "
                    f"({type(exc).__name__}: {exc}); it is dropped and the kernel recompiled",
                    KernelCacheWarning,
                    stacklevel=2,
                )
                if index is not None:
                    with contextlib.suppress(OSError):
                        os.remove(index)
                return None

        def save_overload(self, sig: Any, data: Any) -> None:
            try:
                super().save_overload(sig, data)
            except Exception as exc:  # a read-only or full cache dir: the compiled kernel still works
                warnings.warn(
                    f"fastlr: could not save a kernel to the Numba cache ({type(exc).__name__}: {exc}); "
                    "it will be compiled again in the next process",
                    KernelCacheWarning,
                    stacklevel=2,
                )

    SafeCache.__name__ = SafeCache.__qualname__ = f"Safe{base.__name__}"
    return SafeCache


_safe_class = functools.cache(_safe_cache_class)


def _safe_caches(compiled: dict[str, Any]) -> None:
    """Give each cached dispatcher of ``compiled`` a cache that recompiles past corrupt files."""
    for disp in compiled.values():
        cache = getattr(disp, "_cache", None)
        if cache is not None and type(cache).__name__ != "NullCache" and not type(cache).__name__.startswith("Safe"):
            base: Any = type(cache)
            cache.__class__ = _safe_class(base)


# ---- threads ------------------------------------------------------------------------------------
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    # a forked child has none of the parent's threads, and a lock another thread held at the
    # fork would never be released there
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def n_threads() -> int:
    """Threads a kernel call uses: Numba's default count (``NUMBA_NUM_THREADS``, else the CPUs);
    reading it starts no threading layer."""
    return max(1, int(numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]


def _pool() -> ThreadPoolExecutor:
    """The process's worker threads, started on first use (again in a forked child)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(n_threads(), thread_name_prefix="fastlr")
        return _POOL


def row_chunks(
    kernel: Any, ci: Any, cf: Any, si: Any, sf: Any, rows: np.ndarray, *args: Any
) -> Callable[[int, int], None]:
    """``call(lo, hi)`` for :func:`in_parallel`: ``kernel(ci, cf, si, sf, rows[lo:hi], *args')``,
    with ``args'`` the arguments ``args`` where every array is sliced to ``[lo:hi]`` (the
    per-row inputs and outputs of a row driver) and the scalars as they are."""

    def call(lo: int, hi: int) -> None:
        kernel(ci, cf, si, sf, rows[lo:hi], *(x[lo:hi] if isinstance(x, np.ndarray) else x for x in args))

    return call


#: Values a chunk of :func:`in_parallel` computes at least (about 0.1 ms): a small call runs in
#: fewer chunks, or here, rather than paying for threads it does not need.
MIN_CHUNK_VALUES = 1 << 16


def in_parallel(call: Callable[[int, int], None], n: int, chunks: int | None = None, values: int = 1) -> None:
    """``call(lo, hi)`` for consecutive chunks covering ``range(n)``, on the worker threads: a few
    chunks per thread, for load balance, of at least :data:`MIN_CHUNK_VALUES` values (``values``
    per item); ``chunks`` fixes their number. The kernels release the GIL (``nogil``), so the
    chunks run on every core; the items are independent, so no result depends on the chunking
    or the thread count. One chunk, or one thread: called here, in order."""
    if n <= 0:
        return
    if chunks is None:
        chunks = min(8 * n_threads(), n * max(1, values) // MIN_CHUNK_VALUES)
    k = max(1, min(n, chunks))
    bounds = [(q * n // k, (q + 1) * n // k) for q in range(k)]
    if k == 1 or n_threads() == 1:
        for lo, hi in bounds:
            call(lo, hi)
        return
    for future in [_pool().submit(call, lo, hi) for lo, hi in bounds]:
        future.result()


def _source_tag() -> str:
    """A hash of the kernel sources (every module of this package), part of every compiled
    function's name: Numba's on-disk cache checks only the file defining a function, not the
    formulas it inlines from others, nor the options and switches this module compiles it with."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha1()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


_TAG = _source_tag()


@functools.cache
def _fast_primitives() -> dict[str, Any]:
    return fastmath.cpu_primitives()


@functools.cache
def _shared_runs() -> dict[str, Any]:
    """The fast build's anchored runs (:mod:`~fastlr.kernels.runs`), compiled once for all of its
    variants: they read no switch, only the leaf formulas, so a second variant in a process
    binds the runs the first one compiled (3-4 s of each variant's compile per output dtype)."""
    ns: dict[str, Any] = {}
    inline, internal = _decorators(True)
    tag = f"{_TAG}.fast.runs."
    leaves = formulas.LEAF_FUNCTIONS + formulas.CPU_LEAF_FUNCTIONS
    compile_functions(formulas, leaves, inline, ns, _fast_primitives(), tag, formulas.WELL_CONDITIONED)
    shared = compile_functions(runs, runs.RUN_FUNCTIONS, internal, ns, tag=tag)
    _safe_caches(shared)
    return shared


@functools.cache
def _variant(exact: bool, mask: int) -> dict[str, Any]:
    if exact:
        return _build(f"{_TAG}.m{mask:x}.", mask, None)
    # the fast build writes the half-period cosines in their well-conditioned form and evaluates
    # cosines, exponentials, tanh, polynomial and inverse-sqrt pieces by anchored runs (runs.py).
    # No fast-math flags (no fused multiply-adds): each value is then what its Python source
    # computes, bit for bit, so small tables need no compile (kernels/interp.py)
    return _build(
        f"{_TAG}.fast.m{mask:x}.",
        mask,
        _fast_primitives(),
        formulas.WELL_CONDITIONED,
        anchored=True,
    )


# feature masks of the last programs seen, by the identity of their arrays (a mask reads whole
# columns: 30 ms for 200,000 rows, per call, for every chunk of a sweep of them otherwise)
_MASKS: dict[tuple[int, ...], tuple[tuple[Any, ...], int]] = {}
_MASKS_LOCK = threading.Lock()


def feature_mask(ci: np.ndarray, cf: np.ndarray, si: np.ndarray, sf: np.ndarray) -> int:
    """The features (bits of :data:`~fastlr.kernels.layout.FEATURES`) a program's rows use;
    remembered for the last few programs (their arrays, as lowered, are never changed)."""
    key = (id(ci), id(cf), id(si), id(sf))
    with _MASKS_LOCK:
        hit = _MASKS.get(key)
    if hit is not None and all(r() is a for r, a in zip(hit[0], (ci, cf, si, sf))):
        return hit[1]
    bits = _feature_mask(ci, cf, si, sf)
    with _MASKS_LOCK:
        if len(_MASKS) >= 8:
            _MASKS.pop(next(iter(_MASKS)))
        _MASKS[key] = (tuple(weakref.ref(a) for a in (ci, cf, si, sf)), bits)
    return bits


def _feature_mask(ci: np.ndarray, cf: np.ndarray, si: np.ndarray, sf: np.ndarray) -> int:
    bits = 0
    modes = ci[:, layout.I_WU_MODE]
    warming = modes != layout.WU_NONE
    # one counting pass per column (a Python set of a million segments' codes took 20 ms)
    seen = np.bincount(si[:, layout.S_CODE], minlength=layout.N_CODES)[: layout.N_CODES]
    seen = seen + np.bincount(ci[warming, layout.I_WU_CODE], minlength=layout.N_CODES)[: layout.N_CODES]
    for code in np.flatnonzero(seen).tolist():
        bits |= 1 << int(code)
    for mode, name in (
        (layout.WU_PREFIX, "USE_WU_PREFIX"),
        (layout.WU_OVERLAY, "USE_WU_OVERLAY"),
        (layout.WU_BLEND, "USE_WU_BLEND"),
    ):
        if (modes == mode).any():
            bits |= 1 << _BIT[name]
    kinds = ci[:, layout.I_RS_KIND]
    if (kinds == layout.RS_INT).any():
        bits |= 1 << _BIT["USE_RS_INT"]
    if (kinds > layout.RS_INT).any() or (ci[:, layout.I_SPE] != 1).any():
        bits |= 1 << _BIT["USE_SCALAR_MAIN"]
    seg = si[:, layout.S_CODE]
    pow_up = (seg == layout.COS_UP) & (sf[:, layout.S_Q0] != 1.0)
    pow_down = (seg == layout.COS_DOWN) & ((sf[:, layout.S_Q0] != 1.0) | (sf[:, layout.S_Q1] != 1.0))
    pow_warm = warming & (ci[:, layout.I_WU_CODE] == layout.COS_UP) & (cf[:, layout.F_WU_Q0] != 1.0)
    if pow_up.any() or pow_down.any() or pow_warm.any():
        bits |= 1 << _BIT["USE_COS_POW"]
    return bits


# The variant ladder, cheapest first: a warmup into a cosine or linear decay (the most common
# schedules); the common features (constant, linear and plain cosine pieces both ways,
# integer-period restarts); the same with overlay and blend warmups (they need the main curve in
# float64 too: a second copy of the piece loops); every shape without those two warmup modes;
# everything. The first program a process evaluates with a build gets a variant of exactly its
# own features (each shape or switch compiled costs about half a second: the first table, or a
# CLI job, compiles only the code it runs); a later one gets a variant already in use that
# covers it, else the first of the ladder that does. At most six variants per build, however
# many programs a process evaluates.
def _mask(*names: str) -> int:
    return sum(1 << _BIT[name] for name in names)


WARMUP_DECAY_FEATURES = _mask("USE_CONST", "USE_LIN_UP", "USE_LIN_DOWN", "USE_COS_DOWN", "USE_WU_PREFIX")
COMMON_FEATURES = WARMUP_DECAY_FEATURES | _mask("USE_COS_UP", "USE_RS_INT")
_OVERLAY_BLEND = _mask("USE_WU_OVERLAY", "USE_WU_BLEND")
VARIANTS = (
    WARMUP_DECAY_FEATURES,
    COMMON_FEATURES,
    COMMON_FEATURES | _OVERLAY_BLEND,
    ALL_FEATURES & ~_OVERLAY_BLEND,
    ALL_FEATURES,
)


# (exact, variant) of the builds a caller has asked for in this process
_IN_USE: set[tuple[bool, int]] = set()


def choose_variant(mask: int, used: Sequence[int] = ()) -> int:
    """The variant for a program of features ``mask`` when the variants ``used`` are in use: the
    smallest of those that covers it; with none in use, ``mask`` itself; else the first of
    :data:`VARIANTS` that covers it. Any covering variant computes the same values.

    >>> choose_variant(0b11)
    3
    >>> choose_variant(0b01, used=[0b11]), choose_variant(0b100, used=[0b11]) == WARMUP_DECAY_FEATURES
    (3, True)
    """
    covering = sorted((bin(v).count("1"), v) for v in used if mask & ~v == 0)
    if covering:
        return covering[0][1]
    if not used:
        return mask
    return next(v for v in VARIANTS if mask & ~v == 0)


def _used(exact: bool) -> list[int]:
    return [v for e, v in _IN_USE if e == bool(exact)]


def in_use(exact: bool, arrays: tuple[np.ndarray, ...]) -> bool:
    """Whether this process already uses a variant of the build that covers the program
    ``arrays`` (its kernels are compiled or loaded, or about to be)."""
    mask = feature_mask(*arrays)
    return any(mask & ~v == 0 for v in _used(exact))


def _select(exact: bool, arrays: tuple[np.ndarray, ...] | None) -> int:
    variant = choose_variant(ALL_FEATURES if arrays is None else feature_mask(*arrays), _used(exact))
    _IN_USE.add((bool(exact), variant))
    return variant


def kernels(exact: bool, arrays: tuple[np.ndarray, ...] | None = None) -> dict[str, Any]:
    """The compiled functions (``fill_span``, ``fill_rows``, ``eval_points``...) of one build,
    in the variant :func:`choose_variant` picks for the features of the program ``arrays``
    (``Program.arrays()``; all features without one). A program with users' functions takes
    :func:`fastlr.kernels.user.kernels` instead."""
    return _variant(bool(exact), _select(exact, arrays))


def scratch() -> tuple[np.ndarray, np.ndarray]:
    """The two float64 scratch buffers ``fill_span`` takes (a serial table)."""
    return np.zeros(blocks.BLOCK), np.zeros(blocks.BLOCK)


# ---- what is being compiled -----------------------------------------------------------------------
#: Seconds of compiling before :func:`compile_notice` says so on stderr.
NOTICE_AFTER_S = 1.0


class _Notice(event.Listener):
    """Counts the kernel functions Numba compiles and, past :data:`NOTICE_AFTER_S`, shows it on
    stderr: one line updated in place on a terminal, else a line at the start and at the end."""

    def __init__(self, entry: str, exact: bool, dtype: Any) -> None:
        self.args = (entry, exact, dtype)  # formatted only when there is something to say
        self.started: float | None = None
        self.count = 0
        self.shown = False
        self.tty = False

    @property
    def what(self) -> str:
        entry, exact, dtype = self.args
        return f"the {entry} kernel ({'exact' if exact else 'fast'} build, {np.dtype(dtype).name} values)"

    def on_start(self, ev: Any) -> None:
        if self.started is None:
            self.started = time.perf_counter()
            self.tty = sys.stderr.isatty()
        self.update()

    def on_end(self, ev: Any) -> None:
        func = getattr((ev.data or {}).get("dispatcher"), "py_func", None)
        if getattr(func, "__qualname__", "").startswith(_TAG):
            self.count += 1
        self.update()

    def line(self) -> str:
        assert self.started is not None
        spent = time.perf_counter() - self.started
        return f"fastlr: compiling {self.what} (first use; cached afterwards): {self.count} functions, {spent:.0f} s"

    def update(self) -> None:
        if self.started is None or time.perf_counter() - self.started < NOTICE_AFTER_S:
            return
        if self.tty:
            sys.stderr.write("\r" + self.line())
        elif not self.shown:
            sys.stderr.write(self.line() + "\n")
        else:
            return
        self.shown = True
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown and self.started is not None:
            spent = time.perf_counter() - self.started
            sys.stderr.write(
                f"{chr(13) if self.tty else ''}fastlr: compiled {self.what} in {spent:.1f} s "
                f"({self.count} functions, cached on disk for later processes)\n"
            )
            sys.stderr.flush()


# (kernel, output dtype) pairs called before in this process: compiled (or loaded) already
_CALLED: set[tuple[Any, Any]] = set()


@contextlib.contextmanager
def compile_notice(kernel: Any, entry: str, exact: bool, dtype: Any) -> Iterator[None]:
    """Around a call of the compiled function ``kernel`` (named ``entry``): if Numba compiles
    for more than :data:`NOTICE_AFTER_S` seconds, say on stderr which kernel and how far along
    (functions compiled, seconds). Nothing to do on later calls with the same output dtype.
    Silenced by the environment variable ``FASTLR_COMPILE_NOTICE=0``."""
    key = (kernel, dtype)
    if key in _CALLED or os.environ.get("FASTLR_COMPILE_NOTICE", "1") == "0":
        yield
        return
    notice = _Notice(entry, exact, dtype)
    event.register("numba:compile", notice)
    try:
        yield
        _CALLED.add(key)
    finally:
        event.unregister("numba:compile", notice)
        notice.close()


# ---- compiling in a second process ---------------------------------------------------------------
#: The garbage collector's thresholds (:func:`gc.set_threshold`) in :func:`fewer_collections`:
#: a compile allocates millions of short-lived objects, and at the default 700 a cold compile of
#: the summaries' kernel ran ~800 collections (0.5 s of 7); at these, ~140 (0.2 s), ~10 MB more.
COMPILE_GC_THRESHOLD = (20_000, 20, 20)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Around a compile: the collector runs less often (:data:`COMPILE_GC_THRESHOLD`, or the
    thresholds already set where higher), then as before. Used by the child of
    :func:`compile_in_child` and around ``fastlr sweep``'s compile."""
    before = gc.get_threshold()
    gc.set_threshold(*(max(a, b) for a, b in zip(before, COMPILE_GC_THRESHOLD)))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _empty_call(exact: bool, variant: int, entry: str, dtype: str) -> None:
    """Call the variant's row driver ``entry`` on a program of no rows (``dtype``: the
    table's): Numba compiles it for the types a real call has (collecting garbage less often
    meanwhile, :func:`fewer_collections`), and caches it on disk."""
    with fewer_collections():
        _compile_empty(exact, variant, entry, dtype)


def _compile_empty(exact: bool, variant: int, entry: str, dtype: str) -> None:
    k = _variant(exact, variant)
    ci, si = np.zeros((0, 1), np.int64), np.zeros((0, 1), np.int64)
    cf, sf = np.zeros((0, 1)), np.zeros((0, 1))
    rows = np.zeros(0, np.int64)
    if entry == "fill_rows":
        k[entry](ci, cf, si, sf, rows, 0, np.zeros((0, 1), np.dtype(dtype)))
    elif entry == "summarize_rows":
        fsum, isum = np.zeros((0, layout.FSUM_WIDTH)), np.zeros((0, layout.ISUM_WIDTH), np.int64)
        k[entry](ci, cf, si, sf, rows, 0, 1, 0.0, np.zeros(0), fsum, isum)
    else:
        raise ValueError(f"entry must be 'fill_rows' or 'summarize_rows', got {entry!r}")


def _compiled(disp: Any) -> bool:
    """Whether a dispatcher has code in this process or an entry in the on-disk cache."""
    if disp.signatures:
        return True
    index = getattr(getattr(getattr(disp, "_cache", None), "_cache_file", None), "_index_path", None)
    return index is not None and os.path.exists(index)


def compile_in_child(
    exact: bool, arrays: tuple[np.ndarray, ...], entries: Sequence[tuple[str, str]]
) -> subprocess.Popen[bytes] | None:
    """Start compiling the row drivers ``entries`` (``(name, table dtype)``; the fast or
    exact build, the variant of the program ``arrays``) in a child process, into the on-disk
    cache, while this process compiles others: Numba compiles on one core, so two kernels a job
    needs (a CLI sweep's table and summaries) compile in about the time of the slower one.
    :meth:`~subprocess.Popen.wait` for the child before calling those drivers here (they then
    load from the cache). None where every entry is compiled already (in this process or in the
    cache)."""
    variant = _select(exact, arrays)  # the variant this process then uses too
    entries = [(e, d) for e, d in entries if not _compiled(_variant(bool(exact), variant)[e])]
    if not entries:
        return None
    calls = "; ".join(f"cpu._empty_call({bool(exact)!r}, {variant}, {e!r}, {d!r})" for e, d in entries)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])]))
    return subprocess.Popen(
        [sys.executable, "-c", f"from fastlr.kernels import cpu; {calls}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
