"""CPU kernels: the formula source and the block evaluator compiled with Numba.

Imported lazily (on the first table); importing it compiles nothing (functions compile on first
call and are cached on disk). Two builds of the same source:

``EXACT``
    the primitives are ``math``'s (libm): the reference path, used for float64 tables, ``at``
    and summaries; dialect tables reproduce their peers with it.
``FAST``
    the primitives are the vectorisable approximations of :mod:`fastlr.kernels.fastmath`
    (float64 arithmetic, within 1e-14 relative of libm): the default for float32 tables.

Kernels write into preallocated outputs and assume a validated program.
"""

from __future__ import annotations

from typing import Any

import numba

from fastlr.kernels import blocks, fastmath, formulas, layout
from fastlr.kernels.retarget import compile_functions

# error_model="numpy": IEEE division without Python's zero check, which would stop
# vectorisation (kernels only see validated programs, where no denominator is 0)
OPTIONS: dict[str, Any] = {"error_model": "numpy"}


def _build(tag: str, overrides: dict[str, Any] | None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    ns: dict[str, Any] = {}
    opts = dict(OPTIONS, **(extra or {}))
    serial = numba.njit(cache=True, **opts)
    # the leaf formulas are inlined into their few callers at Numba IR level: fewer functions
    # to compile (Numba's per-function overhead dominates the cold start)
    leaves = formulas.LEAF_FUNCTIONS + formulas.CPU_LEAF_FUNCTIONS
    out = compile_functions(formulas, leaves, numba.njit(inline="always", **opts), ns, overrides, tag)
    nodes = [n for n in formulas.KERNEL_FUNCTIONS if n not in leaves]
    out.update(compile_functions(formulas, nodes, serial, ns, tag=tag))
    out.update(compile_functions(blocks, blocks.BLOCK_FUNCTIONS + blocks.SERIAL_DRIVERS, serial, ns, tag=tag))
    parallel = numba.njit(parallel=True, cache=True, **opts)
    out.update(compile_functions(blocks, blocks.PARALLEL_FUNCTIONS, parallel, ns, tag=tag))
    return out


def _source_tag() -> str:
    """A hash of the kernel sources, part of every compiled function's name: Numba's on-disk
    cache checks only the file defining a function, not the formulas it inlines from others."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha1()
    for mod in (formulas, blocks, fastmath, layout):
        h.update(Path(str(mod.__file__)).read_bytes())
    return h.hexdigest()[:10]


_TAG = _source_tag()
EXACT = _build(f"{_TAG}.", None)
# the fast build may fuse multiply-adds (FMA): faster, and within its stated accuracy
FAST = _build(f"{_TAG}.fast.", fastmath.cpu_primitives(), {"fastmath": {"contract", "nsz"}})


def kernels(exact: bool) -> dict[str, Any]:
    """The compiled functions of one build (``fill_rows``, ``fill_steps``, ``eval_points``...)."""
    return EXACT if exact else FAST


def n_chunks() -> int:
    """Parallel chunks per kernel call: a few per thread, for load balance."""
    return 8 * numba.get_num_threads()
