"""Row fields: what a whole schedule row needs beyond its segments, N rows at a time.

Warmup, restarts, scale, floor and epoch granularity become the per-row integer and float
columns of the program (``layout.I_*`` and ``layout.F_*``). A :class:`fastlr.Schedule` lowers
through :func:`row_fields` with one-row columns and a sweep of flat configs with N-row columns.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from fastlr.kernels import layout as L

#: Warmup curve names and the unit curve (shape code) each uses.
WARMUP_SHAPES = {
    "linear": L.LIN_UP,
    "constant": L.CONST,
    "exponential": L.EXP_UP,
    "power": L.POLY_UP,
    "cosine": L.COS_UP,
    "sqrt": L.SQRT_UP,
    "radam": L.RADAM_UP,
}
#: Warmup modes by name.
WARMUP_MODES = {"prefix": L.WU_PREFIX, "overlay": L.WU_OVERLAY, "blend": L.WU_BLEND}
#: Restart decay modes by name.
RESTART_DECAY_MODES = {"amplitude": L.RS_AMPLITUDE, "peak": L.RS_PEAK}


@dataclasses.dataclass
class WarmupColumns:
    """Warmup parameters by row (validated): ``steps == 0`` means no warmup.

    ``shape`` and ``mode`` are shape codes and mode codes (values of :data:`WARMUP_SHAPES` and
    :data:`WARMUP_MODES`); ``span`` NaN means ``steps``; ``beta2`` is read for RAdam only.
    """

    steps: Any
    start: Any = 0.0
    shape: Any = L.LIN_UP
    mode: Any = L.WU_PREFIX
    power: Any = 2.0
    span: Any = np.nan
    offset: Any = 0.0
    shift: Any = True
    target_end: Any = False
    beta2: Any = 0.0


@dataclasses.dataclass
class RestartColumns:
    """Restart parameters by row (validated): rows where ``active`` is False have none.

    ``period`` and ``peak`` are the restarted curve's ``steps`` and ``start``; ``limit`` NaN
    means unlimited; ``decay_mode`` is a value of :data:`RESTART_DECAY_MODES`; ``seg`` is the
    restarted segment's index in the row (0, or a :class:`fastlr.Join` phase's first segment).
    """

    active: Any
    period: Any
    peak: Any
    mult: Any = 1.0
    decay: Any = 1.0
    limit: Any = np.nan
    decay_mode: Any = L.RS_AMPLITUDE
    warmup_steps: Any = 0
    cycles: Any = 1.0
    exact: Any = True
    seg: Any = 0
    stretch: Any = False


def _arrays(columns: Any) -> dict[str, np.ndarray]:
    """A columns dataclass's fields as arrays (0-d for a scalar), without copying them."""
    return {f.name: np.asarray(getattr(columns, f.name)) for f in dataclasses.fields(columns)}


def row_fields(
    n: int, scale: Any, floor: Any, steps_per_epoch: Any, warmup: WarmupColumns, restarts: RestartColumns
) -> tuple[np.ndarray, np.ndarray]:
    """``(ci, cf)``: the program's per-row columns (segment range left 0).

    ``floor`` is the absolute floor of the scaled main curve, ``-inf`` for none; the program's
    floor is at least 0 (an lr is never negative: a rounding below an exact 0, such as
    ``1 + (0 - 1) * 1.0000000000000002``, is held at 0).
    """
    ci = np.zeros((n, L.CI_WIDTH), dtype=np.int64)
    cf = np.zeros((n, L.CF_WIDTH), dtype=np.float64)
    cf[:, L.F_SCALE] = scale
    cf[:, L.F_FLOOR] = np.maximum(floor, 0.0)
    ci[:, L.I_SPE] = steps_per_epoch

    # the fields as arrays, scalars or (n,) columns (numpy broadcasts them into the (n,) columns;
    # dataclasses.asdict deep-copied every field: half the time of lowering one schedule)
    w = _arrays(warmup)
    on = w["steps"] > 0
    shape, mode = w["shape"].astype(np.int64), w["mode"].astype(np.int64)
    radam = shape == L.RADAM_UP
    beta2 = w["beta2"].astype(np.float64)
    steps = w["steps"].astype(np.int64)
    ci[:, L.I_WU_MODE] = np.where(on, mode, 0)
    ci[:, L.I_WU_LEN] = np.where(on, steps, 0)
    ci[:, L.I_WU_CODE] = np.where(on, shape, 0)
    cf[:, L.F_WU_BASE] = np.where(on, w["start"], 0.0)
    cf[:, L.F_WU_N] = np.where(on, np.where(np.isnan(w["span"]), steps, w["span"]), 0.0)
    cf[:, L.F_WU_OFF] = np.where(on, w["offset"], 0.0)
    q0 = np.where(radam, beta2, np.where(shape == L.POLY_UP, w["power"], 1.0))
    rho_inf = 2.0 / (1.0 - np.where(radam, beta2, 0.0)) - 1.0
    cf[:, L.F_WU_Q0] = np.where(on, q0, 0.0)
    cf[:, L.F_WU_Q1] = np.where(on, np.where(radam, rho_inf, 1.0), 0.0)
    cf[:, L.F_WU_Q2] = np.where(on, 1.0, 0.0)
    prefix = on & (mode == L.WU_PREFIX)
    shift = np.where(w["shift"], steps, 0)
    ci[:, L.I_SHIFT] = np.where(prefix, shift, 0)
    ci[:, L.I_WU_TARGET] = np.where(prefix, np.where(w["target_end"], steps, shift), 0)

    r = _arrays(restarts)
    on = r["active"].astype(bool)
    if not on.any():
        return ci, cf
    mult, cycles = r["mult"].astype(np.float64), r["cycles"].astype(np.float64)
    limit = r["limit"].astype(np.float64)
    kind = np.where(mult != 1.0, L.RS_GROW, np.where(cycles != 1.0, L.RS_FRAC, L.RS_INT))
    kind = np.where(r["stretch"].astype(bool), L.RS_STRETCH, kind)
    whole = np.isnan(limit) | (limit == np.floor(limit))
    ci[:, L.I_RS_KIND] = np.where(on, kind, 0)
    ci[:, L.I_RS_PERIOD] = np.where(on, r["period"], 0)
    ci[:, L.I_RS_LIMIT] = np.where(on & whole & ~np.isnan(limit), np.nan_to_num(limit), 0).astype(np.int64)
    cf[:, L.F_RS_LIMIT] = np.where(on & ~whole, limit, 0.0)
    ci[:, L.I_RS_WARM] = np.where(on, r["warmup_steps"], 0)
    ci[:, L.I_RS_MODE] = np.where(on, r["decay_mode"], 0)
    ci[:, L.I_RS_EXACT] = np.where(on, r["exact"].astype(np.int64), 0)
    ci[:, L.I_RS_SEG] = np.where(on, r["seg"], 0)
    cf[:, L.F_RS_PERIOD] = np.where(on, r["period"].astype(np.float64), 0.0)
    cf[:, L.F_RS_MULT] = np.where(on, mult, 0.0)
    cf[:, L.F_RS_DECAY] = np.where(on, r["decay"], 0.0)
    cf[:, L.F_RS_CYCLES] = np.where(on, cycles, 0.0)
    cf[:, L.F_RS_PEAK] = np.where(on, r["peak"], 0.0)
    return ci, cf
