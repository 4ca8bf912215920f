"""``fastlr.Formula`` (users' functions) on CUDA == on the CPU.

Run like ``test_cuda_parity.py`` (on a GPU, or by ``tests/test_cuda.py`` under the simulator in
the same subprocess): small launches (8 threads per block, at most 5 blocks), small tables. The
references compile nothing: the CPU's ``jit=False`` build (the kernel source run as Python) or
the functions themselves, called per step.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import cuda

if not cuda.is_available():
    pytest.skip(
        "no CUDA GPU here; tests/test_cuda.py runs these under NUMBA_ENABLE_CUDASIM=1 in a subprocess",
        allow_module_level=True,
    )

import fastlr as fl
from fastlr import _gpu
from fastlr.kernels import cuda as kcuda
from tests.test_formula import one_cycle, seed000_f
from tests.tolerance import assert_close32, assert_close64


@pytest.fixture(autouse=True)
def small_launches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kcuda, "THREADS_PER_BLOCK", 8)
    monkeypatch.setattr(kcuda, "MAX_BLOCKS", 5)


def cosine(t, total, floor=0.0):
    # no min(): Numba's built-in CUDA target refuses max()/min() (numba-cuda compiles them)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * (t if t < total else total) / total))


def mult(t):
    return 0.9 if t % 3 else 1.1


def negative(t, at):
    return 1.0 if t < at else -1.0


def check(got: np.ndarray, want: np.ndarray) -> None:
    if want.dtype == np.float64:
        for g, w in zip(np.atleast_2d(got), np.atleast_2d(want)):
            assert_close64(g, w)
    else:
        assert_close32(got, want)


def mixed_rows(jit: bool) -> list[fl.Schedule | fl.Formula | fl.Join]:
    """Parameter sets of one function, one left to its default, and Formulas in a Schedule (warmup,
    scale, floor, epochs) and in Joins, cumulative ones too (one in two phases of a row)."""
    rows: list[fl.Schedule | fl.Formula | fl.Join] = [
        fl.Formula(cosine, total=9 + 3 * i, floor=0.02 * i, jit=jit) for i in range(4)
    ]
    rows.append(fl.Formula(cosine, total=7, jit=jit))  # floor's default: the device passes it by position
    m = fl.Formula(mult, cumulative=True, scale=0.5, jit=jit)
    join = fl.Join((fl.Linear(0.0, 1.0, 5), rows[1], m), (5, 20))
    rows.append(fl.Schedule(join, warmup=fl.Warmup(4, mode="overlay")))
    rows.append(fl.Schedule(m, warmup=fl.Warmup(6), scale=2.0, floor=0.1, steps_per_epoch=3))
    rows.append(fl.Join((m, fl.Constant(0.3), m), (9, 15)))
    return rows


# The reference: the CPU's build of the same rows with jit=False, the kernel source run as Python
# calling the functions as they are (no compile; tests/test_formula.py pins it to the jit=True
# build and to the functions); a GPU's libdevice differs by a few ulp (tests/tolerance.py).


def test_sweep_of_param_sets_schedule_join_and_cumulative():
    rows = mixed_rows(jit=True)
    prog = fl.lower(rows)
    # cosine with (total, floor), cosine with (total), mult: the param sets are columns
    assert prog.user is not None and len(prog.user.functions) == 3
    T = 30
    want = fl.sweep(mixed_rows(jit=False), T, np.float64)
    check(fl.sweep(prog, T, np.float64, device="cuda").copy_to_host(), want)
    # rows picked, one twice (each cumulative row is walked by its own thread), t0 > 0, float32
    # (the CPU's float32 table is its float64 one rounded once)
    pick = [7, 0, 5, 7, 6]
    got = fl.cuda.sweep(prog, 12, np.float32, rows=pick, t0=18, to_host=True)
    check(got, want[pick, 18:].astype(np.float32))
    check(rows[6].table(T, device="cuda").copy_to_host(), want[6])


def test_host_tiles_continue_a_cumulative_product(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_gpu, "HOST_CHUNK_BYTES", 16 * 8)  # 16 float64 values: rows split along steps
    rows, ref = mixed_rows(jit=True), mixed_rows(jit=False)
    want = fl.sweep(ref[5:7], 40, np.float64)
    check(fl.cuda.sweep(rows[5:7], 40, np.float64, to_host=True), want)
    check(fl.cuda.table(rows[6], 40, to_host=True), want[1])


def test_the_seeds_functions():
    from fastlr.presets import torch as pt

    T = 800
    got = pt.LambdaLR(1e-4, seed000_f).table(T, device="cuda").copy_to_host()
    check(got, np.array([1e-4 * seed000_f(t) for t in range(T)]))
    lf = one_cycle(1, 0.2, 100)
    check(fl.Formula(lf).table(150, device="cuda").copy_to_host(), np.array([lf(x) for x in range(150)]))


def test_errors(monkeypatch: pytest.MonkeyPatch):
    rows = [fl.Formula(negative, at=9), fl.Formula(negative, at=4)]
    with pytest.raises(ValueError, match=r"Formula \(negative\): the value at step 4 \(row 1\) is -1.0"):
        fl.sweep(rows, 8, device="cuda")
    monkeypatch.setattr(_gpu, "HOST_CHUNK_BYTES", 5 * 8)  # tiles of 5 float64 values, along the steps
    for call in (  # the first bad value in row order, as on the CPU, wherever its tile is
        lambda: fl.cuda.sweep(rows, 12, np.float64, to_host=True),
        lambda: fl.cuda.sweep(rows, 12, np.float64),
    ):
        with pytest.raises(ValueError, match=r"step 9 \(row 0\) is -1.0"):
            call()
    with pytest.raises(ValueError, match=r"step 6 \(row 0\) is -1.0"):
        fl.cuda.table(fl.Formula(negative, at=6), 8, to_host=True)
    with pytest.raises(ValueError, match=r"\(negative\) with jit=False runs per step in Python.*device='cpu'"):
        fl.Formula(negative, at=4, jit=False).table(8, device="cuda")


def composed_rows(jit: bool) -> list[fl.Schedule | fl.Product | fl.Join]:
    """Formulas as Product factors (beside a continuous and a step factor, cumulative too) and
    restarted (integer growth, decay, per-cycle warmup, a limit), in a Join phase too."""
    f = fl.Formula(cosine, total=9, floor=0.1, jit=jit)
    m = fl.Formula(mult, cumulative=True, jit=jit)
    sgdr = fl.Schedule(
        fl.Formula(cosine, total=6, jit=jit, period=6),
        restarts=fl.Restarts(mult=2.0, decay=0.5, warmup_steps=2, limit=3),
    )
    return [
        fl.Product((f, fl.Exponential(1.0, 0.5, 10.0), fl.MultiStep(1.0, (12,), 0.1))),
        fl.Product((m, fl.Cosine(1.0, 0.2, 25))),
        sgdr,
        fl.Join((fl.Linear(0.0, 1.0, 4), sgdr), (4,)),
    ]


def test_products_and_restarts_of_formulas():
    T = 40
    want = fl.sweep(composed_rows(jit=False), T, np.float64)
    check(fl.sweep(composed_rows(jit=True), T, np.float64, device="cuda").copy_to_host(), want)

    # a flat config's formula column: the same build, parameters as columns
    def grid(jit: bool):
        return fl.grid(formula=[fl.Formula(cosine, total=5, jit=jit)], total=[6, 11], floor=[0.0, 0.05], warmup=[0, 3])

    check(fl.sweep(grid(True), 20, np.float64, device="cuda").copy_to_host(), fl.sweep(grid(False), 20, np.float64))
