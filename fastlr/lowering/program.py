"""The program: a lowered batch of schedule rows, the only thing kernels read.

:class:`Program` holds the four arrays described in :mod:`fastlr.kernels.layout`;
:func:`assemble` packs row fields and segments into one (CSR over segments), and
:func:`lower_schedules` lowers schedule objects row by row through their ``_lowered()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastlr.kernels import layout as L
from fastlr.lowering import segments as seg
from fastlr.lowering.segments import Segs


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
    user : UserTable or None
        The users' functions its ``USER`` segments call (:mod:`fastlr.kernels.user`); their
        parameters are the ``cf`` columns from ``CF_WIDTH`` on.

    Row ``i`` traces back to its config: :meth:`config` and :meth:`schedule`.

    Examples
    --------
    >>> import fastlr
    >>> p = fastlr.lower(fastlr.grid(lr=[1.0, 0.5], shape=["linear", "cosine"], steps=[4]))
    >>> p.n_rows, p.config(3)["lr"], p.config(3)["shape"]
    (4, 0.5, 'cosine')
    >>> p.schedule(2).table(5).tolist()
    [0.5, 0.375, 0.25, 0.125, 0.0]
    >>> fastlr.sweep(p.subset(2, 4), 5, dtype="float64")[0].tolist()
    [0.5, 0.375, 0.25, 0.125, 0.0]
    """

    ci: np.ndarray
    cf: np.ndarray
    si: np.ndarray
    sf: np.ndarray
    specs: tuple[Any, ...] | None = None
    configs: Any = None
    user: Any = None

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
        return self.configs.schedule(i)

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
        return Program(
            ci, self.cf[start:stop].copy(), self.si[s0:s1].copy(), self.sf[s0:s1].copy(), specs, configs, self.user
        )

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(ci, cf, si, sf)``."""
        return self.ci, self.cf, self.si, self.sf


def assemble(ci: np.ndarray, cf: np.ndarray, segs: Segs, specs: Any = None, configs: Any = None) -> Program:
    """A program from row fields ``(ci, cf)`` and each row's segments (ranges filled in here)."""
    count = segs.valid.sum(axis=1)
    hi = np.cumsum(count)
    ci[:, L.I_SEG_LO] = hi - count
    ci[:, L.I_SEG_HI] = hi
    keep = segs.valid
    si = np.column_stack([segs.start[keep], segs.code[keep]]).astype(np.int64).reshape(-1, L.SI_WIDTH)
    sf = np.ascontiguousarray(segs.f[keep]).reshape(-1, L.SF_WIDTH)
    return Program(ci, cf, si, sf, specs, configs)


def lower_schedules(schedules: Sequence[Any], specs: Sequence[Any] | None = None) -> Program:
    """Lower :class:`fastlr.Schedule` objects, one row each (a Python loop over rows).

    Each schedule's ``_lowered()`` gives its one-row ``(ci, cf, Segs)``; ``specs`` are the
    objects as the caller gave them (shapes, presets), kept for traceability.
    """
    parts = [s._lowered() for s in schedules]
    ci = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, L.CI_WIDTH), np.int64)
    cf = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, L.CF_WIDTH))
    k = max((p[2].start.shape[1] for p in parts), default=0)
    segs = seg.empty(len(parts), k)
    for r, (_, _, s) in enumerate(parts):
        kk = s.start.shape[1]
        segs.start[r, :kk], segs.code[r, :kk], segs.f[r, :kk] = s.start[0], s.code[0], s.f[0]
        segs.valid[r, :kk] = s.valid[0]
        segs.valid[r, kk:] = False
    cf, user = user_columns(schedules, cf, segs)
    prog = assemble(ci, cf, segs, tuple(schedules if specs is None else specs))
    return dataclasses.replace(prog, user=user) if user is not None else prog


def user_columns(schedules: Sequence[Any], cf: np.ndarray, segs: Segs) -> tuple[np.ndarray, Any]:
    """Place the parameters of the rows' users' functions in ``cf`` columns past ``CF_WIDTH`` and
    point their USER segments at them (``q0``: first column, ``q1``: function index); return the
    widened ``cf`` and the program's :class:`~fastlr.kernels.user.UserTable` (None without any).

    Formulas of one function with the same parameter names share a table entry; a parameter is
    an int64 where every row gives an int, else a float64.
    """
    shapes = [s.curve._user_shapes() for s in schedules]
    if not any(shapes):
        return cf, None
    from fastlr.kernels.user import UserTable

    groups: dict[Any, list[Any]] = {}
    for row in shapes:
        for f in row:
            groups.setdefault(f._user_group(), []).append(f)
    index = {g: i for i, g in enumerate(groups)}
    table = []
    for members in groups.values():
        n = len(members[0].params)
        ints = tuple(all(isinstance(m.params[j][1], int) for m in members) for j in range(n))
        table.append(members[0]._user_function(ints))
    width = max(sum(len(f.params) for f in row) for row in shapes)
    extra = np.zeros((cf.shape[0], width))
    cf = cf.copy()
    for r, row in enumerate(shapes):
        if row and getattr(schedules[r], "floor", None) is None:
            # no floor of 0 hides what a user's function returns: evaluate.check_user_values
            # refuses a negative value instead of the kernels holding it at 0
            cf[r, L.F_FLOOR] = -np.inf
        first = np.cumsum([0] + [len(f.params) for f in row])  # each slot's first column
        for k in np.flatnonzero(segs.valid[r] & (segs.code[r] == L.USER)):
            # a USER segment's q2 is its Formula's slot (lowering.segments.user_slots): a product
            # re-emits a factor's segment on every piece, each pointing at the same columns
            slot = int(segs.f[r, k, L.S_Q2])
            segs.f[r, k, L.S_Q0] = first[slot]
            segs.f[r, k, L.S_Q1] = index[row[slot]._user_group()]
        for slot, f in enumerate(row):
            for j, (_, v) in enumerate(f.params):
                extra[r, first[slot] + j] = v
    return np.ascontiguousarray(np.hstack([cf, extra])), UserTable(tuple(table))
