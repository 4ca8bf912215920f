"""The interpreted formula source (kernels/interp.py) against the compiled exact build."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import fastlr as fl
from fastlr import evaluate
from fastlr.kernels import cpu, interp
from fastlr.kernels import layout as L
from tests import cases


def _programs():
    programs = {name: fl.lower([s]) for name, s in cases.schedules().items()}
    programs["mixed_grid"] = fl.lower(cases.mixed_grid())
    return programs


def test_interpreter_equals_the_exact_kernel_bit_for_bit():
    # every shape and composition of tests/cases.py one by one, and the mixed flat grid as one
    # program, through the full exact variant (compiled once): tables from two origins, points
    programs = _programs()
    k = cpu.kernels(True)
    T = 160
    checked = 0
    for name, prog in programs.items():
        arrays = prog.arrays()
        ci, cf, si, sf = arrays
        rows = np.arange(prog.n_rows, dtype=np.int64)
        for t0 in (0, 37):
            want = np.empty((prog.n_rows, T))
            k["fill_rows"](ci, cf, si, sf, rows, t0, want)
            got = np.empty((prog.n_rows, T))
            assert interp.fill_rows(arrays, range(prog.n_rows), t0, got), name
            np.testing.assert_array_equal(got, want, err_msg=name)
        steps = np.array([0, 1, 7, 10**6, 10**12], dtype=np.int64)
        want = np.empty(steps.shape)
        k["eval_points"](ci, cf, si, sf, np.zeros(steps.shape, np.int64), steps, want)
        got = np.empty(steps.shape)
        assert interp.fill(arrays, [0] * steps.size, steps.tolist(), got), name
        np.testing.assert_array_equal(got, want, err_msg=name)
        checked += 1
    assert checked == len(programs), checked


def test_interpreter_equals_the_fast_kernel_bit_for_bit():
    # the fast build (anchored runs, fast primitives) as plain Python against its compiled full
    # variant's fill_span (the one tests/test_variants.py compiles too): float32 and float64
    # tables from origins inside and after the warmups, long enough for several anchored runs;
    # the summaries against the same values summed in step order
    programs = _programs()
    fill_span = cpu._variant(False, cpu.ALL_FEATURES)["fill_span"]
    T = 600
    for name, prog in programs.items():
        arrays = prog.arrays()
        rows = np.arange(prog.n_rows, dtype=np.int64)
        for dtype in (np.float32, np.float64):
            for t0 in (0, 37):
                want = np.empty((prog.n_rows, T), dtype)
                for r in rows:
                    fill_span(*arrays, r, t0, want[r], *cpu.scratch())
                got = np.empty((prog.n_rows, T), dtype)
                assert interp.fill_rows(arrays, range(prog.n_rows), t0, got, exact=False), name
                np.testing.assert_array_equal(got, want, err_msg=f"{name} {dtype.__name__} t0={t0}")
        fsum = np.empty((prog.n_rows, L.FSUM_WIDTH))
        isum = np.empty((prog.n_rows, L.ISUM_WIDTH), dtype=np.int64)
        assert interp.summarize_rows(arrays, rows, 37, T, 1e-4, np.zeros(prog.n_rows), fsum, isum), name
        total = np.zeros(prog.n_rows)
        for k in range(T):  # want: the float64 table from step 37 above
            total += want[:, k]
        np.testing.assert_array_equal(fsum[:, L.SUM_SUM], total, err_msg=name)
        np.testing.assert_array_equal(fsum[:, L.SUM_FINAL], want[:, -1], err_msg=name)
        np.testing.assert_array_equal(fsum[:, L.SUM_PEAK], want.max(axis=1), err_msg=name)
        np.testing.assert_array_equal(fsum[:, L.SUM_MIN], want.min(axis=1), err_msg=name)
        np.testing.assert_array_equal(isum[:, L.SUM_PEAK_STEP], want.argmax(axis=1), err_msg=name)
        np.testing.assert_array_equal(isum[:, L.SUM_ABOVE], (want > 1e-4).sum(axis=1), err_msg=name)
        np.testing.assert_array_equal(isum[:, L.SUM_BELOW], (want < 1e-4).sum(axis=1), err_msg=name)


def test_small_float32_calls_take_the_interpreter(monkeypatch):
    # table, sweep and summarize below the size limit: the interpreter's values (so the fast
    # kernel's), never the kernel; above it, the kernel
    calls = []
    for name in ("fill_rows", "summarize_rows"):
        real = getattr(interp, name)
        monkeypatch.setattr(
            interp, name, lambda *a, _real=real, _name=name, **kw: calls.append(_name) or _real(*a, **kw)
        )
    monkeypatch.setattr(interp, "_spent", 0.0)
    monkeypatch.setattr(cpu, "_IN_USE", set())
    s = fl.Schedule(fl.Tanh(1e-3, 1e-5, 900), warmup=fl.Warmup(100, mode="blend"))
    t = s.table(1000, dtype=np.float32)
    grid = fl.grid(lr=[1e-3, 2e-3], shape=["cosine", "polynomial"], steps=[900], warmup=[50])
    w = fl.sweep(grid, 1000)
    summ = fl.summarize(grid, 1000)
    assert calls == ["fill_rows", "fill_rows", "summarize_rows"]
    k = cpu.kernels(False)
    want = np.empty((1, 1000), np.float32)
    k["fill_rows"](*fl.lower([s]).arrays(), np.zeros(1, np.int64), 0, want)
    np.testing.assert_array_equal(t, want[0])
    prog = fl.lower(grid)
    want = np.empty((prog.n_rows, 1000), np.float32)
    k["fill_rows"](*prog.arrays(), np.arange(prog.n_rows), 0, want)
    np.testing.assert_array_equal(w, want)
    fsum = np.empty((prog.n_rows, L.FSUM_WIDTH))
    isum = np.empty((prog.n_rows, L.ISUM_WIDTH), dtype=np.int64)
    k["summarize_rows"](*prog.arrays(), np.arange(prog.n_rows), 0, 1000, np.nan, np.zeros(prog.n_rows), fsum, isum)
    np.testing.assert_array_equal(summ["final"], fsum[:, L.SUM_FINAL])
    np.testing.assert_array_equal(summ["sum"], fsum[:, L.SUM_SUM])
    assert summ["peak_step"].tolist() == isum[:, L.SUM_PEAK_STEP].tolist()
    calls.clear()
    fl.sweep(grid, interp.MAX_VALUES // prog.n_rows + 1)  # over the limit: the kernel
    assert calls == []


def test_integer_powers_are_numbas():
    # an exponential staircase raises to integer powers: Numba multiplies, Python calls pow()
    a = 0.7
    for b in (0, 1, 2, 5, 13, 77, -3, 1 << 17):
        r, x, e = 1.0, a, abs(b)
        if e > 0x10000:
            r = a ** float(b)
        else:
            while e:
                r, x, e = (r * x if e & 1 else r), x * x, e >> 1
            r = 1.0 / r if b < 0 else r
        assert interp.powr(a, b) == r
    assert interp.powr(0.25, 0.5) == 0.5


def test_python_errors_fall_back_to_the_kernel():
    prog = fl.lower([fl.Schedule(fl.InverseSqrt(1.0, 5.0))])
    ci, cf, si, sf = (a.copy() for a in prog.arrays())
    sf[:, L.S_N] = -1.0  # sqrt of a negative: the kernel's NaN, Python's ValueError
    assert not interp.fill((ci, cf, si, sf), [0], [3], np.empty(1))


FIRST_CALLS = {
    # a float64 table, at(), a small float64 sweep
    "float64": (
        "s = fl.Schedule(fl.Polynomial(1e-3, 1e-5, 900, power=0.9), warmup=fl.Warmup(100, mode='blend'))\n"
        "t = s.table(1000)\n"
        "assert s.at(500) == t[500] and t.dtype == np.float64\n"
        "w = fl.sweep(fl.grid(lr=[1e-3, 2e-3], shape=['cosine', 'tanh'], steps=[900]), 1000, dtype=np.float64)\n"
        "assert w.shape == (4, 1000)\n"
    ),
    # a float32 table of a program with every feature, a small float32 sweep and its summaries,
    # by the fast build's plain-Python source
    "float32": (
        "s = fl.Schedule(fl.Polynomial(1e-3, 1e-5, 900, power=0.9), warmup=fl.Warmup(1000, mode='blend'), "
        "restarts=fl.Restarts())\n"
        "t = s.table(10000, dtype=np.float32)\n"
        "assert t.dtype == np.float32 and np.isfinite(t).all() and t.max() > 0\n"
        "g = fl.grid(lr=[1e-3, 2e-3], shape=['cosine', 'tanh', 'inverse_sqrt'], steps=[900])\n"
        "w = fl.sweep(g, 1000)\n"
        "m = fl.summarize(g, 1000)\n"
        "assert w.shape == (6, 1000) and (m['peak'].astype(np.float32) == w.max(axis=1)).all()\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(FIRST_CALLS))
def test_first_small_calls_compile_nothing(kind):
    # a fresh process: Numba is never imported
    code = f"import sys, numpy as np, fastlr as fl\n{FIRST_CALLS[kind]}assert 'numba' not in sys.modules\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_the_kernel_takes_over(monkeypatch):
    prog = fl.lower([fl.Schedule(fl.Cosine(1.0, 0.0, 10), warmup=fl.Warmup(5))])
    arrays = prog.arrays()
    monkeypatch.setitem(sys.modules, "fastlr.kernels.cpu", None)  # as before Numba is imported
    monkeypatch.setattr(interp, "_spent", 0.0)
    assert evaluate._interpret(interp.MAX_VALUES, arrays, prog)
    assert evaluate._interpret(interp.MAX_VALUES, arrays, prog, exact=False)
    assert not evaluate._interpret(interp.MAX_VALUES + 1, arrays, prog)  # too many values for one call
    monkeypatch.setattr(interp, "_spent", interp.BUDGET_S)  # the process spent its budget here
    assert not evaluate._interpret(10, arrays, prog)
    monkeypatch.setattr(interp, "_spent", 0.0)
    monkeypatch.setitem(sys.modules, "fastlr.kernels.cpu", cpu)
    monkeypatch.setattr(cpu, "_IN_USE", set())  # as in a process that used no kernel yet
    cpu.kernels(True)  # the full exact variant, which covers every program, is in use
    assert not evaluate._interpret(10, arrays, prog)
    assert evaluate._interpret(10, arrays, prog, exact=False)  # the fast one is not
    cpu.kernels(False, arrays)
    assert not evaluate._interpret(10, arrays, prog, exact=False)
