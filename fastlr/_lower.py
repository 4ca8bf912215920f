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
        The schedules the rows came from, when lowered from objects.
    configs : object or None
        The validated flat-config columns, when lowered from columns.

    Row ``i`` traces back to its config: :meth:`config` and :meth:`schedule`.
    """

    ci: np.ndarray
    cf: np.ndarray
    si: np.ndarray
    sf: np.ndarray
    specs: tuple[Any, ...] | None = None
    configs: Any = None

    @property
    def n_rows(self) -> int:
        """Number of schedule rows."""
        return int(self.ci.shape[0])

    def __len__(self) -> int:
        return self.n_rows

    def _check_row(self, i: int) -> int:
        if not -self.n_rows <= i < self.n_rows:
            raise IndexError(f"row {i} out of range for a program of {self.n_rows} rows")
        return i % self.n_rows

    def schedule(self, i: int) -> Any:
        """Row ``i`` as a schedule object (its table equals row i of the sweep)."""
        i = self._check_row(i)
        if self.specs is not None:
            return self.specs[i]
        from fastlr.sweeps import config_schedule

        return config_schedule(**self.configs.row(i))

    def config(self, i: int) -> dict[str, Any]:
        """Row ``i``'s description: its flat config, or its schedule's ``to_dict()``."""
        i = self._check_row(i)
        if self.configs is not None:
            return dict(self.configs.row(i))
        return dict(self.schedule(i).to_dict())

    def columns(self) -> dict[str, Any]:
        """The configs as columns (flat configs only): ``{name: array}``, strings as names."""
        if self.configs is None:
            raise ValueError("this program was lowered from schedule objects; use .config(i) or .schedule(i)")
        return self.configs.named_columns()

    def subset(self, start: int, stop: int) -> Program:
        """Rows ``start .. stop - 1`` as a self-contained program (segments re-based).

        What a worker needs to compute those rows: a few numbers per row, never a table.
        """
        if not 0 <= start < stop <= self.n_rows:
            raise IndexError(f"rows [{start}, {stop}) out of range for a program of {self.n_rows} rows")
        ci = self.ci[start:stop].copy()
        s0, s1 = int(ci[0, L.I_SEG_LO]), int(ci[-1, L.I_SEG_HI])
        ci[:, L.I_SEG_LO] -= s0
        ci[:, L.I_SEG_HI] -= s0
        specs = None if self.specs is None else self.specs[start:stop]
        configs = None if self.configs is None else self.configs.subset(start, stop)
        return Program(ci, self.cf[start:stop].copy(), self.si[s0:s1].copy(), self.sf[s0:s1].copy(), specs, configs)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(ci, cf, si, sf)``."""
        return self.ci, self.cf, self.si, self.sf


def lower_schedules(schedules: Sequence[Any], specs: Sequence[Any] | None = None) -> Program:
    """Lower :class:`fastlr.Schedule` objects, one row each (a Python loop over rows).

    ``specs`` are the objects as the caller gave them (shapes, presets), kept for traceability.
    """
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
    return Program(ci, cf, si, sf, tuple(schedules if specs is None else specs))
