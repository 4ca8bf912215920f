"""Every shape and composition: table == at(t) == the independent reference (tests/naive.py)."""

from __future__ import annotations

import numpy as np
import pytest

import fastlr as fl
from tests import naive
from tests.cases import schedules
from tests.tolerance import assert_close32, assert_close64

CASES = schedules()
T = 130


@pytest.mark.parametrize("name", sorted(CASES))
def test_table_matches_reference(name):
    s = CASES[name]
    ref = np.array(naive.table(s.to_dict(), T))
    tab = s.table(T)
    assert tab.dtype == np.float64
    assert_close64(tab, ref, err_msg=name)
    assert_close32(s.table(T, dtype=np.float32), ref, err_msg=name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_at_equals_table_bitwise(name):
    s = CASES[name]
    tab = s.table(T)
    steps = np.arange(T)
    np.testing.assert_array_equal(s.at(steps), tab)
    assert s.at(int(T // 2)) == tab[T // 2]
    assert isinstance(s.at(3), float)


def test_sweep_rows_equal_tables_bitwise():
    scheds = [CASES[k] for k in sorted(CASES)]
    for dtype in (np.float32, np.float64):
        out = fl.sweep(scheds, T, dtype=dtype)
        assert out.shape == (len(scheds), T) and out.dtype == dtype
        for i, s in enumerate(scheds):
            np.testing.assert_array_equal(out[i], s.table(T, dtype=dtype))


@pytest.mark.parametrize("t", [10**6, 10**9 + 7, 10**12, 10**12 + 12345])
@pytest.mark.parametrize(
    "name",
    ["restart_int", "restart_grow", "restart_grow_frac", "shape_cyclic_tri2", "shape_step", "shape_inv_sqrt", "epochs"],
)
def test_huge_steps(name, t):
    s = CASES[name]
    got = s.at(t)
    ref = naive.value(s.to_dict(), t)
    assert np.isfinite(got)
    # (fractional periods, as transformers computes them, lose ~1e-8 at t = 1e9: not tested here)
    assert_close64(np.array([got]), np.array([ref]), rtol=1e-9, err_msg=name)


def test_table_out_slice_and_memmap(tmp_path):
    s = CASES["prefix_linear"]
    ref = s.table(50)
    big = np.zeros(120)
    view = big[10:60]
    s.table(50, out=view)
    np.testing.assert_array_equal(big[10:60], ref)
    assert not big[:10].any() and not big[60:].any()
    mm = np.lib.format.open_memmap(tmp_path / "t.npy", mode="w+", dtype=np.float32, shape=(3, 50))
    fl.sweep([s, s, CASES["restart_int"]], 50, out=mm)
    mm.flush()
    back = np.load(tmp_path / "t.npy")
    np.testing.assert_array_equal(back[0], s.table(50, dtype=np.float32))
    np.testing.assert_array_equal(back[2], CASES["restart_int"].table(50, dtype=np.float32))


def test_long_table_parallel_blocks():
    s = fl.Schedule(fl.Cosine(1.0, 0.0, 200_000), warmup=fl.Warmup(1000))
    tab = s.table(300_000)
    idx = np.array([0, 999, 1000, 65535, 65536, 131072, 200_999, 201_000, 299_999])
    np.testing.assert_array_equal(tab[idx], s.at(idx))


def test_builds_do_not_leak_into_each_other():
    """The exact build gives the same bits whichever build a fresh process compiles first."""
    import subprocess
    import sys

    code = (
        "import numpy as np, fastlr as fl\n"
        "from tests.cases import schedules\n"
        "s = schedules()['prefix_linear']\n"
        "s.table(50, dtype=np.float32)\n"
        "print(np.array_equal(s.at(np.arange(50)), s.table(50)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stdout + out.stderr
