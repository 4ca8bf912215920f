"""Ranking a sweep by predicted loss: lr rows chunk by chunk, each reduced by a compiled kernel."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastlr import _checks as ck
from fastlr.laws._laws import AnnealingLaw, Law, MultiPowerLaw, steps_array

__all__ = ["rank"]

#: bytes of lr rows per chunk (float64): bounded memory whatever the number of configs
CHUNK_BYTES = 32 << 20


def rank(law: Law, configs: Any, T: int, *, steps: Any = None, chunk_rows: int | None = None) -> np.ndarray:
    """Predicted loss of every config of a sweep: the final loss ``(N,)``, or ``(N, len(steps))``.

    Parameters
    ----------
    law : MultiPowerLaw or AnnealingLaw
        The law (e.g. from :func:`fastlr.laws.fit`).
    configs
        Anything :func:`fastlr.lower` accepts (flat-config columns such as :func:`fastlr.grid`'s,
        a list of schedules, a :class:`fastlr.Program`), or a 2-D array of lr rows ``(N, T)``.
    T : int
        Steps of every run (row i is the per-step table of config i over steps ``0 .. T-1``).
    steps : int or sequence of int, optional
        Predict the loss after these steps (each in ``[0, T)``) instead of only after the last.
    chunk_rows : int, optional
        Rows per chunk (default: about 32 MB of float64 rows). Results do not depend on it.

    Returns
    -------
    ndarray
        float64 ``(N,)`` without ``steps``; ``(N, len(steps))`` with them.

    Notes
    -----
    The rows are computed by fastlr's kernels into one reused chunk (``fastlr.sweep`` with
    ``out=``, the vectorised primitives, within 1e-14 of libm) and each chunk is reduced in
    parallel over rows: the multi-power law's drop sum for the final step is O(T) per row
    (prefix sums, then one pass); each extra step costs one more pass. The drop sums use the
    vectorised ``exp``/``log`` of :mod:`fastlr.kernels.fastmath` (within ~1e-13 relative of
    :meth:`MultiPowerLaw.predict`). Memory: one chunk, never ``N x T``.

    Examples
    --------
    >>> import fastlr
    >>> from fastlr.laws import MultiPowerLaw, rank
    >>> law = MultiPowerLaw(3.04045406, 0.52468604, 0.50786857, 363.78751622, 2.06560812, 0.58279013, 0.64142257)
    >>> g = fastlr.grid(lr=[3e-4], end_ratio=[0.1, 0.01], warmup=[2160], steps=[21840])
    >>> rank(law, g, 24_000).round(4)
    array([3.3152, 3.3173])
    """
    import numba

    from fastlr import evaluate
    from fastlr.laws._kernels import kernels
    from fastlr.lowering.configs import lower_for

    if not isinstance(law, (MultiPowerLaw, AnnealingLaw)):
        raise TypeError(f"law must be a MultiPowerLaw or an AnnealingLaw, got {type(law).__name__}")
    T = ck.check_T(T)
    if steps is None:
        st = np.array([T - 1], dtype=np.int64)
    else:
        st = steps_array(steps, T)
    order = np.unique(st)
    rows_given = isinstance(configs, np.ndarray) and configs.ndim == 2
    if rows_given:
        if configs.shape[1] != T:
            raise ValueError(f"configs given as lr rows must have T = {T} columns, got shape {configs.shape}")
        n = configs.shape[0]
    else:
        prog = lower_for(configs, T)
        n = prog.n_rows
    step = max(1, CHUNK_BYTES // (8 * T)) if chunk_rows is None else ck.integer("chunk_rows", chunk_rows, lo=1)
    step = min(step, max(n, 1))
    res = np.empty((n, order.size))
    bad = np.zeros(n, dtype=np.bool_)
    k = kernels()
    n_chunks = 4 * numba.get_num_threads()
    buf = None if rows_given else np.empty((step, T))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        if rows_given:
            rows = np.ascontiguousarray(configs[lo:hi], dtype=np.float64)
        else:
            assert buf is not None
            rows = buf[: hi - lo]
            evaluate.sweep(prog.subset(lo, hi), T, np.float64, out=rows, exact=False)
        if isinstance(law, MultiPowerLaw):
            k["mpl_rows"](rows, law.vector(), order, res[lo:hi], bad[lo:hi], n_chunks)
        else:
            k["ann_rows"](rows, law.vector(), law.lam, law.warmup, order, res[lo:hi], bad[lo:hi])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"config {i}: its lr table has a negative or non-finite value, or a zero lr area "
            f"(lr[0] + ... + lr[t] = 0) at a requested step; the laws need lr >= 0 and a positive area"
        )
    out = res[:, np.searchsorted(order, st)]
    return out[:, 0].copy() if steps is None else out
