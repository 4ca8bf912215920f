"""fastlr._bench: the workload and the baselines shared by ``fastlr bench`` and
``benchmarks/report.py`` compute the same schedule as fastlr, and the timer takes the median."""

from __future__ import annotations

import numpy as np
import pytest

import fastlr
from fastlr import _bench
from fastlr._bench import COMPARISONS, median_time, workload


def test_workload_columns():
    cols = workload(500, 1000, max_warmup=200)
    assert set(cols) == {"lr", "warmup", "floor", "steps", "end_ratio"}
    assert all(v.shape == (500,) for v in cols.values())
    assert cols["warmup"].min() == 0 and cols["warmup"].max() == 200
    assert 1e-4 <= cols["lr"].min() and cols["lr"].max() < 1e-3
    assert (cols["steps"] == 1000).all() and (cols["end_ratio"] == 0.01).all()
    np.testing.assert_array_equal(workload(500, 1000, max_warmup=200)["lr"], cols["lr"])  # seeded
    assert not np.array_equal(workload(500, 1000, seed=1)["lr"], cols["lr"])


@pytest.mark.parametrize("method", ["fastlr", "numpy", "python"])
def test_every_method_computes_the_workload(method):
    T = 300
    cols = workload(12, T, max_warmup=60)
    cols["warmup"][0] = 0  # no warmup: the cosine from step 0
    expected = fastlr.sweep({**cols, "shape": "cosine"}, T, dtype=np.float64)
    out = np.full((7, T), np.nan, dtype=np.float32)  # the first 7 configs
    COMPARISONS[method](cols, out)()
    # within float32 rounding of lr (the NumPy baseline computes in float32)
    assert np.max(np.abs(out - expected[:7]) / cols["lr"][:7, None]) < 1e-6


def test_floor_fills_the_output():
    out = np.zeros((3, 5), dtype=np.float32)
    COMPARISONS["floor"](workload(3, 5), out)()
    assert (out == 0.5).all()


def test_median_time(monkeypatch):
    ticks = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0])  # calls of 1, 3 and 2 seconds
    monkeypatch.setattr(_bench.time, "perf_counter", lambda: next(ticks))
    calls = []
    assert median_time(lambda: calls.append(1), 3) == 2.0
    assert len(calls) == 3


def test_every_dialect_row_of_the_report_is_a_warmup_then_a_decay():
    # benchmarks/bench_dialects.py: each builder makes the schedule its row name says, through
    # the preset: a warmup to the drawn peak at the drawn warmup length, then a decay to a low end
    from benchmarks.bench_dialects import DIALECTS

    lr, w, lo, T = 5e-4, 50, 0.02, 1000
    for name, build in DIALECTS:
        tab = build(lr, w, lo, T).table(T, dtype=np.float64)
        peak = int(np.argmax(tab))
        assert tab[0] < 0.1 * lr, name
        assert abs(tab[peak] / lr - 1.0) < 1e-2 and abs(peak - w) <= 2, (name, peak, tab[peak])
        assert (np.diff(tab[peak:]) <= 1e-18).all() and tab[-1] < 0.1 * lr, name
