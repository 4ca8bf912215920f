"""fastlr.inspect: marks, restart-cycle starts, horizons and labels from the spec, and a sweep's
values a block of rows at a time (no matplotlib)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import fastlr
from fastlr import inspect
from fastlr.inspect import boundaries, cycle_starts, describe, horizon, row_blocks, sample_table

WSD = fastlr.Schedule(
    fastlr.Join([fastlr.Constant(3e-4), fastlr.Linear(3e-4, 0.0, 2000)], [6000]), warmup=fastlr.Warmup(500)
)
COSINE = fastlr.Schedule(fastlr.Cosine(3e-4, 3e-6, 9000), warmup=fastlr.Warmup(1000))


# ---- marks -----------------------------------------------------------------------------------


def test_boundaries_from_the_spec():
    assert boundaries(COSINE) == [(1000, "warmup")]
    assert boundaries(WSD) == [(500, "warmup"), (6500, "phase")]
    nested = fastlr.Join([fastlr.Constant(1.0), fastlr.Join([fastlr.Constant(0.5), fastlr.Constant(0.1)], [30])], [100])
    assert boundaries(nested) == [(100, "phase"), (130, "phase")]
    assert boundaries(nested, steps=120) == [(100, "phase")]
    epochs = fastlr.Schedule(fastlr.Join([fastlr.Constant(1.0), fastlr.Constant(0.1)], [3]), steps_per_epoch=10)
    assert boundaries(epochs) == [(30, "phase")]
    overlay = fastlr.Schedule(
        fastlr.Join([fastlr.Constant(1.0), fastlr.Constant(0.1)], [50]), warmup=fastlr.Warmup(20, mode="overlay")
    )
    assert boundaries(overlay) == [(20, "warmup"), (50, "phase")]  # overlay: no shift


def test_boundaries_of_restarts():
    grow = fastlr.Schedule(
        fastlr.Cosine(1e-3, 1e-5, 2000), restarts=fastlr.Restarts(mult=2, limit=3), warmup=fastlr.Warmup(200)
    )
    assert boundaries(grow) == [(200, "warmup"), (2200, "restart"), (6200, "restart")]
    assert horizon(grow) == 14200 + 710
    plain = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 100), restarts=fastlr.Restarts())
    assert boundaries(plain, steps=350) == [(100, "restart"), (200, "restart"), (300, "restart")]
    with pytest.raises(ValueError, match="boundaries: unlimited restarts need steps"):
        boundaries(plain)
    with pytest.raises(ValueError, match="cycle_starts: unlimited restarts need steps"):
        cycle_starts(plain)
    assert cycle_starts(COSINE, 100) == []
    with pytest.raises(ValueError, match="cycle_starts: steps must be >= 0, got -1"):
        cycle_starts(plain, -1)


def test_horizon_and_describe():
    assert horizon(COSINE) == 10_500  # end of the decay + 5 %
    assert horizon(WSD) == 8500 + 425
    assert horizon(fastlr.StepDecay(1.0, 10, 0.5)) is None
    assert horizon(fastlr.Schedule(fastlr.StepDecay(1.0, 10, 0.5), warmup=fastlr.Warmup(40))) == 42
    unlimited = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 100), restarts=fastlr.Restarts(), steps_per_epoch=2)
    assert horizon(unlimited) == 600 + 30  # three cycles of 100 epochs of 2 steps
    fractional = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 100), restarts=fastlr.Restarts(cycles=2.5))
    assert horizon(fractional) == 105  # one period
    both = fastlr.ScheduleSet({"lr": [COSINE, WSD], "momentum": [fastlr.Constant(0.9)]})
    assert horizon(both) == 10_500
    assert describe(COSINE) == "Cosine, linear warmup 1,000"
    assert describe(WSD) == "Constant → Linear, linear warmup 500"
    assert describe(both) == "ScheduleSet(lr, momentum)"
    assert describe(unlimited) == "Cosine, restarts, 2 steps/epoch"
    with pytest.raises(TypeError, match="boundaries: expected a fastlr schedule"):
        boundaries("cosine")


# ---- restart markers agree with the table ----------------------------------------------------


def _restarts_in_table(schedule: fastlr.Schedule, T: int) -> list[int]:
    """Steps where a decaying curve jumps back up: where the table starts a new cycle."""
    t = schedule.table(T)
    return [int(s) for s in np.flatnonzero(t[1:] > t[:-1]) + 1]


RESTARTS = {
    "integer": dict(),
    "integer, limit": dict(limit=4),
    "growing x2": dict(mult=2.0, limit=6),
    "growing x1.5": dict(mult=1.5, limit=7),
    "growing x1.1": dict(mult=1.1, limit=9),
    "growing x1.3, peers' logarithm": dict(mult=1.3, limit=7, exact=False),
    "growing x3.7, peers' logarithm": dict(mult=3.7, limit=4, exact=False),
    "fractional 2.5": dict(cycles=2.5),
    "fractional 0.7": dict(cycles=0.7),
    "fractional 3.7": dict(cycles=3.7),
    "fractional 2.2, limit 4": dict(cycles=2.2, limit=4),
    "fractional 3.7, limit 2.5": dict(cycles=3.7, limit=2.5),
}


@pytest.mark.parametrize("restarts", RESTARTS.values(), ids=RESTARTS.keys())
@pytest.mark.parametrize("period", [7, 13, 100, 333])
@pytest.mark.parametrize(
    ("warmup", "spe"), [(None, 1), (None, 3), (fastlr.Warmup(5), 1), (fastlr.Warmup(4, shift=False), 2)]
)
def test_cycle_starts_are_where_the_table_restarts(restarts, period, warmup, spe):
    sched = fastlr.Schedule(
        fastlr.Cosine(1.0, 0.0, period),
        restarts=fastlr.Restarts(**restarts),
        warmup=warmup,
        steps_per_epoch=spe,
    )
    T = 3000
    after_warmup = 0 if warmup is None else warmup.steps
    expected = [s for s in _restarts_in_table(sched, T) if s > after_warmup]
    got = [s for s in cycle_starts(sched, T) if s > after_warmup]
    assert got == expected
    assert got == [s for s, kind in boundaries(sched, T) if kind == "restart" and s > after_warmup]


def test_cycle_starts_growing_by_1_3():
    sched = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 100), restarts=fastlr.Restarts(mult=1.3, limit=7))
    assert cycle_starts(sched, 3000) == _restarts_in_table(sched, 3000)


def test_several_cycles_in_one_step_start_once():
    sched = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 4), restarts=fastlr.Restarts(cycles=10.0, limit=6))
    # position 2.5 t: cycles 1 and 2 begin at step 1 (2.5), cycles 3 to 5 at step 2 (5.0)
    assert cycle_starts(sched) == [1, 2]


# ---- values without the whole table ----------------------------------------------------------


CONFIGS = fastlr.grid(lr=[1e-4, 1e-3, 1e-2], warmup=[0, 7, 30], shape=["cosine", "linear"], steps=90)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_blocks_are_the_sweep(dtype):
    full = fastlr.sweep(CONFIGS, 100, dtype=dtype)
    seen = []
    for lo, hi, block in row_blocks(CONFIGS, 100, dtype, max_bytes=5 * 100 * np.dtype(dtype).itemsize):
        assert block.shape == (hi - lo, 100) and block.dtype == dtype and hi - lo <= 5
        np.testing.assert_array_equal(block, full[lo:hi])
        seen.append((lo, hi))
    assert seen == [(0, 5), (5, 10), (10, 15), (15, 18)]
    assert [(lo, hi) for lo, hi, _ in row_blocks(CONFIGS, 100, dtype, max_bytes=1)][:2] == [(0, 1), (1, 2)]
    with pytest.raises(ValueError, match="steps must be >= 1, got 0"):
        next(row_blocks(CONFIGS, 0))


def test_sample_table_in_several_blocks(monkeypatch):
    monkeypatch.setattr(inspect, "BLOCK_BYTES", 4 * 4 * 1000)  # four rows of 1000 float32 steps
    x, values = sample_table(CONFIGS, 1000, max_points=50)
    assert x[0] == 0 and x[-1] == 999 and len(x) == 50
    np.testing.assert_array_equal(values, fastlr.sweep(CONFIGS, 1000)[:, x])
    x, values = sample_table(CONFIGS, 40, max_points=50, dtype=np.float64)
    np.testing.assert_array_equal(x, np.arange(40))
    np.testing.assert_array_equal(values, fastlr.sweep(CONFIGS, 40, dtype=np.float64))
    with pytest.raises(ValueError, match="max_points must be >= 2, got 1"):
        sample_table(CONFIGS, 40, max_points=1)
    with pytest.raises(TypeError, match=r"steps must be an integer, got 4\.5"):
        sample_table(CONFIGS, 4.5)


def test_imports_neither_matplotlib_nor_numba():
    code = "import sys, fastlr.inspect; print('matplotlib' in sys.modules, 'numba' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["False", "False"]
