"""Lowering: schedule specs -> the program arrays that kernels read (see kernels/layout.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastlr.kernels import layout as L


@dataclasses.dataclass(frozen=True, eq=False)
class Program:
    """A lowered batch of schedule rows (struct of arrays, CSR over segments).

    Attributes
    ----------
    ci, cf : ndarray
        Per-row int64 ``(N, CI_WIDTH)`` and float64 ``(N, CF_WIDTH)`` fields.
    si, sf : ndarray
        Per-segment int64 ``(S, SI_WIDTH)`` and float64 ``(S, SF_WIDTH)`` fields.
    specs : tuple or None
        The schedules the rows came from, when known (row i -> ``specs[i]``).
    """

    ci: np.ndarray
    cf: np.ndarray
    si: np.ndarray
    sf: np.ndarray
    specs: tuple[Any, ...] | None = None

    @property
    def n_rows(self) -> int:
        """Number of schedule rows."""
        return int(self.ci.shape[0])

    def __len__(self) -> int:
        return self.n_rows

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(ci, cf, si, sf)``."""
        return self.ci, self.cf, self.si, self.sf


def lower_schedules(schedules: Sequence[Any]) -> Program:
    """Lower :class:`fastlr.Schedule` objects, one row each (a Python loop over rows)."""
    n = len(schedules)
    ci = np.zeros((n, L.CI_WIDTH), dtype=np.int64)
    cf = np.zeros((n, L.CF_WIDTH), dtype=np.float64)
    seg_rows: list[Any] = []
    for r, s in enumerate(schedules):
        row_i, row_f, segs = s._row()
        row_i[L.I_SEG_LO] = len(seg_rows)
        seg_rows.extend(segs)
        row_i[L.I_SEG_HI] = len(seg_rows)
        ci[r] = row_i
        cf[r] = row_f
    si = np.array([[s.start, s.code] for s in seg_rows], dtype=np.int64).reshape(-1, L.SI_WIDTH)
    sf = np.array([s[2:] for s in seg_rows], dtype=np.float64).reshape(-1, L.SF_WIDTH)
    return Program(ci, cf, si, sf, tuple(schedules))
