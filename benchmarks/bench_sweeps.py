"""Sweeps at scale: lowering and fill times (pytest-benchmark).

pytest benchmarks/bench_sweeps.py --benchmark-only -n 0
"""

from __future__ import annotations

import numpy as np
import pytest

import fastlr as fl
from benchmarks.report import workload


@pytest.mark.parametrize("n", [10_000, 1_000_000])
def test_lower_columnar(benchmark, n):
    cols = workload(n, 1000)
    cols["shape"] = np.full(n, "cosine", dtype=object)
    benchmark(fl.lower, cols)


def test_lower_objects_10k(benchmark):
    scheds = [fl.Schedule(fl.Cosine(1e-3, 1e-5, 1000), warmup=fl.Warmup(w + 1)) for w in range(10_000)]
    benchmark.pedantic(fl.lower, args=(scheds,), rounds=3)


@pytest.mark.parametrize("n, t", [(10_000, 10_000), (1_000_000, 1_000)])
def test_fill(benchmark, n, t):
    prog = fl.lower(workload(n, t))
    out = np.empty((n, t), np.float32)
    out.fill(1.0)
    fl.sweep(prog, t, out=out)
    benchmark.pedantic(fl.sweep, args=(prog, t), kwargs={"out": out}, rounds=5)


def test_summarize_10k(benchmark):
    prog = fl.lower(workload(10_000, 10_000))
    fl.summarize(prog, 10_000, threshold=1e-4)
    benchmark.pedantic(fl.summarize, args=(prog, 10_000), kwargs={"threshold": 1e-4}, rounds=3)
