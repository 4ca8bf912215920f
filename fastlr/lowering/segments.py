"""Segments: the shapes of a schedule lowered to program segments, N rows at a time.

Each function here lowers one kind of curve for a whole column of parameter values (NumPy
arrays, broadcast to N rows) and returns :class:`Segs`, ``K`` segments per row. A shape object
(``fastlr.Linear(...)``) lowers through the same function with one-row columns, and a sweep of
flat configs with N-row columns, so both produce the same segments by construction.

A segment starts at local main time ``start``; its value at local time ``tl`` is
``base + amp * unit(code, tl - start - off, n, q0, q1, q2, q3)`` (``fastlr.kernels.formulas.unit``).
Arithmetic here is limited to ``+ - * /`` and comparisons, which NumPy rounds element by element
exactly as Python does; the few unit-curve values lowering needs (held tails) come from the
plain-Python formula source itself (:func:`unit_values`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np

from fastlr.kernels import formulas
from fastlr.kernels import layout as L


class Seg(NamedTuple):
    """One lowered segment of one row (the scalar view of a :class:`Segs` entry)."""

    start: int
    code: int
    base: float
    amp: float
    n: float
    off: float = 0.0
    q0: float = 1.0
    q1: float = 1.0
    q2: float = 1.0
    q3: float = 0.0

    def value(self, x: float) -> float:
        """The segment's value at local progress time ``x`` (the plain-Python formula path)."""
        return self.base + self.amp * formulas.unit(self.code, x, self.n, self.q0, self.q1, self.q2, self.q3)


# Seg's float fields, in the order of the program's segment columns (checked at import).
_FLOAT_FIELDS = ("base", "amp", "n", "off", "q0", "q1", "q2", "q3")
_SF_COLUMNS = (L.S_BASE, L.S_AMP, L.S_N, L.S_OFF, L.S_Q0, L.S_Q1, L.S_Q2, L.S_Q3)
assert Seg._fields[2:] == _FLOAT_FIELDS and _SF_COLUMNS == tuple(range(L.SF_WIDTH))
assert (L.S_START, L.S_CODE) == (0, 1) and L.SI_WIDTH == 2
_DEFAULTS = tuple(float(Seg._field_defaults.get(f, 0.0)) for f in _FLOAT_FIELDS)


@dataclasses.dataclass
class Segs:
    """Up to ``K`` segments for each of ``N`` rows: row ``i`` uses those where ``valid[i]``, in order.

    Attributes
    ----------
    start, code : ndarray of int64, shape (N, K)
    f : ndarray of float64, shape (N, K, SF_WIDTH)
        ``base, amp, n, off, q0..q3`` (columns ``layout.S_BASE ..``).
    valid : ndarray of bool, shape (N, K)
    """

    start: np.ndarray
    code: np.ndarray
    f: np.ndarray
    valid: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.start.shape[0])

    def row(self, i: int) -> list[Seg]:
        """Row ``i`` as a list of :class:`Seg` (Python numbers)."""
        return [
            Seg(int(self.start[i, k]), int(self.code[i, k]), *(float(v) for v in self.f[i, k]))
            for k in np.flatnonzero(self.valid[i])
        ]

    @classmethod
    def from_rows(cls, rows: list[list[Seg]]) -> Segs:
        """Pack lists of segments (one list per row) into arrays."""
        n, k = len(rows), max((len(r) for r in rows), default=0)
        out = empty(n, k)
        for i, segs in enumerate(rows):
            for j, s in enumerate(segs):
                out.start[i, j], out.code[i, j] = s.start, s.code
                out.f[i, j] = s[2:]
            out.valid[i, len(segs) :] = False
        return out


def empty(n: int, k: int) -> Segs:
    """``k`` valid constant-zero segments per row; ``n, q0, q1, q2`` default to 1."""
    f = np.empty((n, k, L.SF_WIDTH), dtype=np.float64)
    f[...] = _DEFAULTS
    return Segs(np.zeros((n, k), np.int64), np.full((n, k), L.CONST, np.int64), f, np.ones((n, k), dtype=bool))


def one(start: Any, code: Any, base: Any, amp: Any, n: Any, off: Any = 0.0, *q: Any) -> Segs:
    """One segment per row from columns (or scalars) broadcast together."""
    cols = np.broadcast_arrays(
        np.asarray(start), np.asarray(code), *(np.asarray(v, dtype=np.float64) for v in (base, amp, n, off, *q))
    )
    rows = max(1, int(cols[0].size)) if cols[0].ndim else 1
    out = empty(rows, 1)
    out.start[:, 0] = cols[0]
    out.code[:, 0] = cols[1]
    for j, col in enumerate(cols[2:]):
        out.f[:, 0, j] = col
    return out


def cat(*parts: Segs) -> Segs:
    """Segments of several parts, row by row in order."""
    return Segs(
        np.concatenate([p.start for p in parts], axis=1),
        np.concatenate([p.code for p in parts], axis=1),
        np.concatenate([p.f for p in parts], axis=1),
        np.concatenate([p.valid for p in parts], axis=1),
    )


def unit_values(code: Any, x: Any, n: Any, q: Any) -> np.ndarray:
    """``formulas.unit(code, x, n, *q)`` per row, in plain Python (the formula source itself).

    For the curves with a horizon (the only ones :func:`with_tail` passes here: linear, cosine,
    polynomial, tanh, sqrt), which read ``x`` and ``n`` only through ``x / n`` or ``x^k / n^k``,
    exactly 1 at ``x = n`` and exactly 0 at ``x = 0``: those rows are evaluated at ``(1, 1)`` and
    ``(0, 1)``, so a sweep of many lengths calls the formula once per distinct curve, not once per
    row. Not valid for curves that read ``x`` on its own (cyclic, RAdam).
    """
    x, n = np.asarray(x, dtype=np.float64), np.asarray(n, dtype=np.float64)
    at_end, at_zero = x == n, x == 0.0
    key = np.column_stack(
        [
            np.asarray(code, dtype=np.float64),
            np.where(at_end, 1.0, np.where(at_zero, 0.0, x)),
            np.where(at_end | at_zero, 1.0, n),
            np.asarray(q, dtype=np.float64).reshape(len(x), 4),
        ]
    )
    uniq, inverse = _distinct_rows(key)
    vals = np.array([formulas.unit(int(r[0]), *(float(v) for v in r[1:])) for r in uniq], dtype=np.float64)
    return vals[inverse]


def _distinct_rows(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(distinct rows, index of each row's distinct row)``: rows grouped by a 64-bit hash of
    their bits (one 1-D sort), checked equal to their group's first row; on a hash collision,
    by sorting the rows themselves."""
    bits = np.ascontiguousarray(key).view(np.uint64)
    h = np.zeros(len(key), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(bits.shape[1]):
            h = (h ^ bits[:, j]) * np.uint64(0x100000001B3) + np.uint64(j + 1)
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    if np.array_equal(bits, bits[first[inverse]]):
        return key[first], inverse
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    return uniq, np.asarray(inverse).reshape(-1)


def masked(segs: Segs, keep: Any) -> Segs:
    """``segs`` with rows where ``keep`` is False emptied."""
    return dataclasses.replace(segs, valid=segs.valid & np.asarray(keep, dtype=bool).reshape(-1, 1))


def _raise(where: str, rows: int, bad: np.ndarray, message: Any) -> None:
    if bad.any():
        i = int(np.argmax(bad))
        prefix = f"row {i}: " if rows > 1 else ""
        raise ValueError(f"{prefix}{where}: {message(i)}")


def with_tail(seg: Segs, steps: Any, where: str, unit_interval: Any, tail: Any = True) -> Segs:
    """A curve over ``[0, steps)`` followed by a constant holding its value at ``steps``.

    ``seg`` has one segment per row. Checks the curve is finite at both ends and, where
    ``unit_interval`` (shapes defined on ``p in [0, 1]``), that progress stays in ``[0, 1]``; the
    unit curves are monotone on their domain, so that bounds every value in between. Rows where
    ``tail`` is False keep the curve alone (no tail, no checks).
    """
    rows = seg.n_rows
    steps = np.broadcast_to(np.asarray(steps, dtype=np.int64), (rows,))
    unit_interval = np.broadcast_to(np.asarray(unit_interval, dtype=bool), (rows,))
    tail = np.broadcast_to(np.asarray(tail, dtype=bool), (rows,))
    f = seg.f[:, 0]
    n, off = f[:, L.S_N], f[:, L.S_OFF]
    x0, x1 = -off, steps - off
    p0, p1 = x0 / n, x1 / n
    _raise(
        where,
        rows,
        tail & unit_interval & ((p0 < 0.0) | (p1 > 1.0 + 1e-12)),
        lambda i: (
            "progress (t - offset) / span must stay in [0, 1] over [0, steps]; "
            f"got {float(p0[i])!r} .. {float(p1[i])!r} (steps={int(steps[i])}, span={float(n[i])!r}, "
            f"offset={float(off[i])!r})"
        ),
    )
    q = f[:, L.S_Q0 : L.S_Q3 + 1]
    code = seg.code[:, 0]
    idx = np.flatnonzero(tail)
    x_end = np.where(unit_interval, np.minimum(x1, n), x1)
    ends = np.concatenate([x0[idx], x_end[idx]])
    units = unit_values(np.tile(code[idx], 2), ends, np.tile(n[idx], 2), np.tile(q[idx], (2, 1)))
    v = np.tile(f[idx, L.S_BASE], 2) + np.tile(f[idx, L.S_AMP], 2) * units
    v0, v1 = np.full(rows, 0.0), np.full(rows, 0.0)
    v0[idx], v1[idx] = v[: idx.size], v[idx.size :]
    for label, vals in (("start", v0), ("end", v1)):
        _raise(
            where,
            rows,
            ~np.isfinite(vals),
            lambda i, label=label, vals=vals: (
                f"the curve is not finite at its {label} ({float(vals[i])!r}); check span/offset"
            ),
        )
    return cat(seg, masked(one(steps, L.CONST, v1, 0.0, 1.0), tail))


def first_only(segs: Segs) -> Segs:
    """``segs`` with each row's first valid segment alone (a restarted curve repeats it)."""
    first = np.cumsum(segs.valid, axis=1) == 1
    return dataclasses.replace(segs, valid=segs.valid & first)


def shifted(segs: Segs, by: Any) -> Segs:
    """``segs`` starting ``by`` steps later."""
    return dataclasses.replace(segs, start=segs.start + np.asarray(by, dtype=np.int64).reshape(-1, 1))


def user_slots(parts: list[Segs], counts: list[int]) -> list[Segs]:
    """``parts`` with the slots of their users' functions numbered across the parts.

    A ``USER`` segment's ``q2`` is its slot: the index of its :class:`fastlr.Formula` among the
    Formulas of the curve, in the order of a walk through phases and factors
    (``Shape._user_shapes``). A Formula lowers to slot 0; a Join or Product adds to part ``i``'s
    slots the number of Formulas in the parts before it (``counts``), so that the lowering of a
    row can tell every USER segment's Formula apart, however often a product re-emits it.
    """
    out, before = [], 0
    for p, n in zip(parts, counts):
        user = p.code == L.USER
        if before and user.any():
            f = p.f.copy()
            f[..., L.S_Q2] += np.where(user, float(before), 0.0)
            p = dataclasses.replace(p, f=f)
        out.append(p)
        before += n
    return out


def join(parts: list[Segs], boundaries: Any) -> Segs:
    """Phases in local time: phase k runs on ``[b[k-1], b[k])`` and sees ``t - b[k-1]``.

    ``boundaries`` has ``len(parts) - 1`` columns. A phase's segments that would start at or
    after its end are dropped; a zero-length first phase (boundary 0) drops out entirely.
    """
    rows = parts[0].n_rows
    b = np.asarray(boundaries, dtype=np.int64).reshape(rows, len(parts) - 1)
    out = []
    for k, part in enumerate(parts):
        a = b[:, k - 1] if k > 0 else np.zeros(rows, np.int64)
        moved = shifted(part, a)
        if k < len(parts) - 1:
            moved = dataclasses.replace(moved, valid=moved.valid & (moved.start < b[:, k : k + 1]))
        out.append(moved)
    return cat(*out)


# ---- the curves ------------------------------------------------------------------------------
# Each takes columns (or scalars) of one curve's parameters, already validated, and returns its
# segments. ``span`` is the progress denominator (the shape's ``steps`` when not given).


def constant(value: Any) -> Segs:
    """``value``."""
    return one(0, L.CONST, value, 0.0, 1.0)


def linear(start: Any, end: Any, steps: Any, span: Any, offset: Any = 0.0) -> Segs:
    """``start + (end - start) p``; falling curves as ``end + (start - end)(1 - p)``."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    up = start <= end
    seg = one(
        0,
        np.where(up, L.LIN_UP, L.LIN_DOWN),
        np.where(up, start, end),
        np.where(up, end - start, start - end),
        span,
        offset,
    )
    return with_tail(seg, steps, "Linear", True)


def cosine(
    start: Any, end: Any, steps: Any, exponent: Any, k_decay: Any, cycles: Any, hold: Any, span: Any, offset: Any = 0.0
) -> Segs:
    """``end + (start - end) ((1 + cos(2 pi cycles p)) / 2)^exponent``, ``p = (x/span)^k_decay``.

    Rising plain half cosines that hold use ``COS_UP`` (``start + (end - start)(1 - cos)/2``).
    """
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    exponent, k_decay = np.asarray(exponent, dtype=np.float64), np.asarray(k_decay, dtype=np.float64)
    cycles, hold = np.asarray(cycles, dtype=np.float64), np.asarray(hold, dtype=bool)
    up = (exponent == 1.0) & (k_decay == 1.0) & (cycles == 0.5) & (start <= end) & hold
    seg = one(
        0,
        np.where(up, L.COS_UP, L.COS_DOWN),
        np.where(up, start, end),
        np.where(up, end - start, start - end),
        span,
        offset,
        np.where(up, 1.0, exponent),
        np.where(up, 1.0, k_decay),
        np.where(up, 1.0, 2.0 * cycles),
    )
    return with_tail(seg, steps, "Cosine", (k_decay != 1.0) | (exponent != 1.0), hold)


def polynomial(start: Any, end: Any, steps: Any, power: Any, k_decay: Any, span: Any, offset: Any = 0.0) -> Segs:
    """``end + (start - end)(1 - p)^power``, ``p = (x/span)^k_decay``.

    A polynomial of power 1 without k-decay is the line ``end + (start - end)(1 - x/span)``: it
    lowers to ``LIN_DOWN`` (the same expression, ``pow(y, 1) == y`` exactly, whichever way the
    curve runs), so optax's ``linear_schedule`` and every ``power=1`` decay fill at the speed of
    a linear piece instead of through ``pow``.
    """
    power, k_decay = np.asarray(power, dtype=np.float64), np.asarray(k_decay, dtype=np.float64)
    code = np.where((power == 1.0) & (k_decay == 1.0), L.LIN_DOWN, L.POLY_DOWN)
    seg = one(0, code, end, np.subtract(start, end), span, offset, power, k_decay)
    return with_tail(seg, steps, "Polynomial", True)


def tanh(start: Any, end: Any, steps: Any, lower: Any, upper: Any, span: Any, offset: Any = 0.0) -> Segs:
    """``end + (start - end)(1 - tanh(lower (1 - p) + upper p)) / 2``."""
    seg = one(0, L.TANH, end, np.subtract(start, end), span, offset, lower, upper)
    return with_tail(seg, steps, "Tanh", True)


def sqrt_cooldown(start: Any, end: Any, steps: Any, span: Any, offset: Any = 0.0) -> Segs:
    """``end + (start - end)(1 - sqrt(p))``."""
    seg = one(0, L.SQRT_DOWN, end, np.subtract(start, end), span, offset)
    return with_tail(seg, steps, "SqrtCooldown", True)


def exponential(start: Any, rate: Any, steps: Any, staircase: Any, begin: Any, end: Any) -> Segs:
    """``start * rate^((t - begin)/steps)`` from ``begin`` (floored exponent when staircase),
    clipped at ``end`` (NaN: no clip); ``start`` before ``begin``."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    has = ~np.isnan(end) & (start > 0.0)
    clip = np.where(has, np.divide(end, start, out=np.zeros(np.broadcast(end, start).shape), where=has), 0.0)
    # a zero start is the constant 0 (0 * rate^p would be 0 * inf = NaN once a growing rate^p
    # overflows)
    code = np.where(start > 0.0, L.EXP, L.CONST)
    seg = one(begin, code, 0.0, start, steps, 0.0, rate, np.asarray(staircase, dtype=np.float64), clip, has)
    return cat(masked(constant(seg.f[:, 0, L.S_AMP]), seg.start[:, 0] > 0), seg)


def asymptotic(start: Any, end: Any, rate: Any, steps: Any, staircase: Any, horizon: Any = -1) -> Segs:
    """``end + (start - end) rate^(t/steps)`` (floored exponent when staircase); rows with a
    ``horizon >= 0`` hold their value at the horizon from there on, a rounding of an exact 0
    below zero held as 0 (the shape checks the curve is not negative there)."""
    curve = one(
        0, L.EXP, end, np.subtract(start, end), steps, 0.0, rate, np.asarray(staircase, dtype=np.float64), 0.0, 0.0
    )
    horizon = np.broadcast_to(np.asarray(horizon, dtype=np.int64), (curve.n_rows,))
    held = horizon >= 0
    if not held.any():
        return curve
    out = with_tail(curve, np.where(held, horizon, 0), "Asymptotic", False, held)
    out.f[:, 1, L.S_BASE] = np.maximum(out.f[:, 1, L.S_BASE], 0.0)
    return out


def step_decay(start: Any, step_size: Any, gamma: Any) -> Segs:
    """``start * gamma^floor(t / step_size)``."""
    return one(0, L.EXP, 0.0, start, step_size, 0.0, gamma, 1.0, 0.0, 0.0)


def inverse_sqrt(start: Any, timescale: Any, power: Any = 0.5) -> Segs:
    """``start / sqrt((t + timescale) / timescale)``; ``start ((t + timescale) / timescale)^-power``
    for ``power != 0.5`` (``POLY_UP`` with a negative exponent)."""
    power = np.asarray(power, dtype=np.float64)
    sqrt = power == 0.5
    return one(
        0,
        np.where(sqrt, L.INV_SQRT, L.POLY_UP),
        0.0,
        start,
        timescale,
        np.negative(timescale),
        np.where(sqrt, 1.0, -power),
    )


def inverse_time(start: Any, rate: Any, steps: Any, staircase: Any) -> Segs:
    """``start / (1 + rate t / steps)`` (floored when staircase)."""
    return one(0, L.INV_TIME, 0.0, start, steps, 0.0, rate, np.asarray(staircase, dtype=np.float64))


def cyclic(low: Any, high: Any, up: Any, down: Any, mode: Any, gamma: Any) -> Segs:
    """Smith's cyclical triangle between ``low`` and ``high`` (``mode`` 0, 1, 2)."""
    return one(0, L.CYCLIC, low, np.subtract(high, low), 1.0, 0.0, up, down, mode, gamma)


def multi_step(start: float, milestones: tuple[int, ...], gamma: float) -> Segs:
    """``start * gamma^(milestones <= t)`` (one row); a repeated milestone counts twice."""
    segs = [Seg(0, L.CONST, start, 0.0, 1.0)]
    count = 0
    for i, m in enumerate(milestones):
        count += 1
        if i + 1 < len(milestones) and milestones[i + 1] == m:
            continue
        v = start * gamma**count
        if m == 0:
            segs[0] = Seg(0, L.CONST, v, 0.0, 1.0)
        else:
            segs.append(Seg(m, L.CONST, v, 0.0, 1.0))
    return Segs.from_rows([segs])


def piecewise_constant(boundaries: tuple[int, ...], values: tuple[float, ...]) -> Segs:
    """``values[i]`` on ``[boundaries[i-1], boundaries[i])`` (one row)."""
    return Segs.from_rows([[Seg(s, L.CONST, v, 0.0, 1.0) for s, v in zip((0, *boundaries), values)]])


def interpolation(knots: tuple[int, ...], values: tuple[float, ...], kind: str) -> Segs:
    """Pieces through ``(knots[i], values[i])``, then the last value held (one row).

    ``kind``: ``"cosine"`` (half cosines), ``"linear"`` (``v0 + (v1 - v0) p``) or
    ``"linear_split"`` (falling pieces as ``v1 + (v0 - v1)(1 - p)``, torch's OneCycleLR).
    """
    segs = []
    for (a, b), (va, vb) in zip(zip(knots, knots[1:]), zip(values, values[1:])):
        if kind == "cosine":
            segs.append(Seg(a, L.COS_DOWN, vb, va - vb, float(b - a), 0.0, 1.0, 1.0, 1.0))
        elif kind == "linear" or va <= vb:
            segs.append(Seg(a, L.LIN_UP, va, vb - va, float(b - a)))
        else:
            segs.append(Seg(a, L.LIN_DOWN, vb, va - vb, float(b - a)))
    segs.append(Seg(knots[-1], L.CONST, values[-1], 0.0, 1.0))
    return Segs.from_rows([segs])


def product(parts: list[Segs]) -> Segs:
    """The pointwise product of one-row segment lists (one row).

    The pieces are the merged boundaries of the factors. On each piece the constant factors
    (``CONST`` segments) multiply into one number ``c``; with no other factor the piece is the
    constant ``c``, with one it is that factor's segment with ``base`` and ``amp`` times ``c``
    (exact algebra, a rounding apart), and with several it is a ``PROD`` segment of amplitude
    ``c`` preceded by those factors' segments, each re-anchored at the piece's start. A factor's
    own product segments contribute their factors (products flatten).
    """
    rows = [p.row(0) for p in parts]
    starts = sorted({s.start for r in rows for s in r} | {0})
    out: list[Seg] = []
    for a in starts:
        c = 1.0
        others: list[Seg] = []
        for r in rows:
            i = max(j for j, s in enumerate(r) if s.start <= a) if r[0].start <= a else -1
            if i < 0:  # the factor has no segment yet: nothing before its first segment is defined
                raise ValueError("Product: every factor must start at local step 0")
            s = r[i]
            group = [s]
            if s.code == L.PROD:
                if s.base != 0.0:
                    raise ValueError("Product: a product segment with a base cannot be a factor")
                c *= s.amp
                group = r[i - int(s.q0) : i]
            for g in group:
                moved = g._replace(start=a, off=g.off + g.start - a)
                if g.code == L.CONST or g.amp == 0.0:
                    c *= g.base
                else:
                    others.append(moved)
        if c == 0.0 or not others:
            out.append(Seg(a, L.CONST, c, 0.0, 1.0))
        elif len(others) == 1:
            f = others[0]
            out.append(f._replace(base=c * f.base, amp=c * f.amp))
        else:
            out.extend(others)
            out.append(Seg(a, L.PROD, 0.0, c, 1.0, 0.0, float(len(others)), 1.0, 1.0, 0.0))
    return Segs.from_rows([out])
