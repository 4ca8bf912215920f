"""Kernel throughput: fastlr against the floor and the baselines (pytest-benchmark).

    pytest benchmarks/bench_kernels.py --benchmark-only -n 0

Sizes are smaller than the report's (1e3 configs x 1e4 steps) so the suite runs in a minute;
``python -m benchmarks.report`` measures the headline ratios at full size in one run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastlr as fl
from benchmarks.report import numpy_time, shape_programs, workload

N, T = 1_000, 10_000
PROGS = shape_programs(N, T)


@pytest.fixture(scope="module")
def out32():
    out = np.empty((N, T), np.float32)
    out.fill(1.0)
    return out


def test_floor_fill(benchmark, out32):
    benchmark(out32.fill, 0.5)


@pytest.mark.parametrize("shape", sorted(PROGS))
def test_fastlr_sweep(benchmark, out32, shape):
    prog = PROGS[shape]
    fl.sweep(prog, T, out=out32)
    benchmark(fl.sweep, prog, T, out=out32)


@pytest.mark.parametrize("exact", [False, True])
def test_fastlr_float64(benchmark, exact):
    out = np.empty((N, T), np.float64)
    out.fill(1.0)
    fl.sweep(PROGS["cosine"], T, out=out, exact=exact)
    benchmark(fl.sweep, PROGS["cosine"], T, out=out, exact=exact)


def test_numpy_vectorised(benchmark, out32):
    cols = workload(N, T)
    benchmark.pedantic(numpy_time, args=(cols, T, out32, np.float32), rounds=3)


def test_python_lambda_per_step(benchmark):
    cols = workload(N, T)
    lr, w = float(cols["lr"][0]), int(cols["warmup"][0])

    def one_config() -> list[float]:
        f = lambda s: lr * s / w if s < w else lr * 0.5 * (1 + math.cos(math.pi * min(s - w, T) / T))  # noqa: E731
        return [f(s) for s in range(T)]

    benchmark(one_config)  # one config: multiply by N for the sweep


@pytest.mark.parametrize("steps", [1_000_000, 10_000_000])
def test_long_table(benchmark, steps):
    s = fl.Schedule(fl.Cosine(1e-3, 1e-5, steps), warmup=fl.Warmup(1000))
    out = np.empty(steps, np.float32)
    s.table(steps, out=out)
    benchmark(s.table, steps, out=out)
