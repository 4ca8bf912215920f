"""The fast (vectorisable) primitives against libm, and fast tables against exact ones."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

import fastlr as fl
from fastlr.kernels import fastmath
from tests.cases import schedules
from tests.tolerance import assert_close32

P = fastmath.cpu_primitives()


@numba.njit
def _map1(f, xs, out):
    for i in range(xs.shape[0]):
        out[i] = f(xs[i])


@numba.njit
def _map2(f, xs, ys, out):
    for i in range(xs.shape[0]):
        out[i] = f(xs[i], ys[i])


RNG = np.random.default_rng(20261121)


def test_cospi_within_a_few_ulp_of_libm():
    y = np.concatenate([RNG.uniform(-3.0, 3.0, 20_000), np.linspace(0.0, 1.0, 4001), [0.0, 0.5, 1.0, 2.0, -1.0]])
    out = np.empty_like(y)
    _map1(P["cospi"], y, out)
    ref = np.array([math.cos(math.pi * v) for v in y])
    assert np.max(np.abs(out - ref)) <= 4e-15
    # exact values where cos(pi y) is exactly representable
    np.testing.assert_array_equal(out[-5:], [1.0, out[-4], -1.0, 1.0, -1.0])
    assert abs(out[-4]) < 2e-16  # cos(pi/2): libm gives 6e-17


def test_sinhalfpi_relative_to_libm_down_to_tiny_arguments():
    z = np.concatenate([np.linspace(0.0, 1.0, 100_001), np.geomspace(1e-12, 1.0, 2000)])
    out = np.empty_like(z)
    _map1(P["sinhalfpi"], z, out)
    ref = np.array([math.sin(0.5 * math.pi * v) for v in z])
    np.testing.assert_allclose(out, ref, rtol=1e-15, atol=0)
    assert out[0] == 0.0 and out[100_000] == 1.0  # both ends exact: a rising cosine starts at 0


def test_float32_cosine_relative_accuracy_to_the_last_step():
    # the end of a decay to 0 is where 1 + cos(pi p) cancels; the fast build's sin^2 form keeps
    # every float32 value within 2 ulp (1e-6 relative is the documented bound) of the float64
    # closed form, evaluated here as sin^2 in float64 with libm
    n = 100_000
    s = fl.Schedule(fl.Cosine(1e-3, 0.0, n), warmup=fl.Warmup(1000))
    got = s.table(n + 1000, dtype=np.float32)
    t = np.arange(n + 1000)
    x = np.clip(t - 1000, 0, n)
    ref = np.where(t < 1000, 1e-3 * t / 1000, 1e-3 * np.sin(0.5 * np.pi * (n - x) / n) ** 2)
    main = slice(1000, n + 999)  # the decay up to its last nonzero step
    assert_close32(got[main], ref[main])
    assert np.max(np.abs(got[main] / ref[main] - 1.0)) <= 1e-6


def test_exp_log_pow_tanh_against_libm():
    x = np.concatenate([RNG.uniform(-700.0, 700.0, 20_000), RNG.uniform(-1.0, 1.0, 20_000)])
    out = np.empty_like(x)
    _map1(P["expr"], x, out)
    np.testing.assert_allclose(out, np.exp(x), rtol=1e-15)
    base = np.concatenate([RNG.uniform(0.0, 1.0, 20_000), [0.0, 1.0, 0.5]])
    power = np.concatenate([RNG.uniform(0.1, 5.0, 20_000), [0.9, 0.9, 2.0]])
    out = np.empty_like(base)
    _map2(P["powr"], base, power, out)
    ref = base**power
    small = np.abs(power * np.log(np.maximum(base, 1e-300))) < 30.0
    np.testing.assert_allclose(out[small], ref[small], rtol=5e-15)
    np.testing.assert_allclose(out, ref, rtol=2e-13, atol=1e-300)
    assert out[-3] == 0.0 and out[-2] == 1.0
    t = RNG.uniform(-10.0, 10.0, 20_000)
    out = np.empty_like(t)
    _map1(P["tanhr"], t, out)
    np.testing.assert_allclose(out, np.tanh(t), rtol=0, atol=4e-16)


def test_rsqrt_within_3_ulp_of_libm_over_the_normal_range():
    # no square root, no division: a bit-trick guess and four Newton steps (fastmath.fast_rsqrt)
    x = np.concatenate(
        [RNG.uniform(0.0, 10.0, 20_000), np.geomspace(2.3e-308, 1.7e308, 20_000), [1.0, 4.0, 0.25, 2.0**-1022]]
    )
    out = np.empty_like(x)
    _map1(P["rsqrt"], x, out)
    ref = 1.0 / np.sqrt(x)
    assert np.max(np.abs(out - ref) / np.spacing(ref)) <= 3.0
    np.testing.assert_array_equal(out[-4:-1], [1.0, 0.5, 2.0])
    # below the smallest normal number the argument is clamped to it (never inf or NaN)
    _map1(P["rsqrt"], np.array([0.0, 1e-320]), out[:2])
    np.testing.assert_allclose(out[:2], 1.0 / math.sqrt(2.0**-1022), rtol=1e-15)


@pytest.mark.parametrize("name", sorted(schedules()))
def test_fast_tables_within_1e14_of_exact_relative_to_peak(name):
    s = schedules()[name]
    exact = s.table(200, exact=True)
    fast = s.table(200, dtype=np.float64, exact=False)
    peak = np.max(np.abs(exact))
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-14 * peak, err_msg=name)


def test_float32_default_is_the_fast_build_rounded_once():
    s = fl.Schedule(fl.Cosine(1e-3, 1e-5, 900), warmup=fl.Warmup(100))
    np.testing.assert_array_equal(s.table(1000, dtype=np.float32), s.table(1000, exact=False).astype(np.float32))


LONG = {
    "cosine": fl.Schedule(fl.Cosine(1e-3, 0.0, 50_000), warmup=fl.Warmup(700)),
    "cosine_floor_offset": fl.Schedule(fl.Cosine(2.0, 0.1, 30_001), warmup=fl.Warmup(333, start=0.1), floor=0.2),
    "cosine_full_period": fl.Schedule(fl.Cosine(1.0, 0.0, 9_000, cycles=1.0)),
    "onecycle": fl.Schedule(fl.OneCycle(0.1, 40_000)),
    "onecycle_three_phase": fl.Schedule(fl.OneCycle(0.1, 40_003, three_phase=True)),
    "exponential": fl.Schedule(fl.Exponential(1.0, 0.5, 2_500.0)),
    "exponential_clipped": fl.Schedule(fl.Exponential(1.0, 0.5, 1_000.0, end=0.01)),
    "exponential_growing": fl.Schedule(fl.Exponential(1e-3, 1.5, 3_000.0, end=1.0)),
    "exponential_per_step": fl.Schedule(fl.Exponential(1.0, 0.999, 1.0)),
    "exponential_steep": fl.Schedule(fl.Exponential(1.0, 1e-12, 1.0, begin=5)),
    "tanh": fl.Schedule(fl.Tanh(1.0, 0.01, 20_000), warmup=fl.Warmup(500)),
    "tanh_short": fl.Schedule(fl.Tanh(1.0, 0.0, 100, lower=-20.0, upper=20.0)),
    "polynomial": fl.Schedule(fl.Polynomial(1e-3, 1e-5, 45_000, power=0.9), warmup=fl.Warmup(900)),
    "polynomial_steep": fl.Schedule(fl.Polynomial(1.0, 0.0, 20_000, power=7.5)),
    "polynomial_sqrt": fl.Schedule(fl.Polynomial(1.0, 0.1, 30_000, power=0.5), floor=0.2),
    "inverse_sqrt": fl.Schedule(fl.InverseSqrt(1e-3, 7.0), warmup=fl.Warmup(300)),
}


@pytest.mark.parametrize("name", sorted(LONG))
def test_anchored_runs_match_the_formula_everywhere(name):
    # the fast build evaluates these pieces by runs anchored every 64 steps (runs.py): within
    # 1e-14 of libm relative to the peak, a few ulp relative to each value, float32 within 2 ulp
    s = LONG[name]
    T = 60_000
    exact = s.table(T, exact=True)
    fast = s.table(T, dtype=np.float64, exact=False)
    peak = np.max(np.abs(exact))
    np.testing.assert_allclose(fast, exact, rtol=1e-13, atol=1e-14 * peak, err_msg=name)
    # relative to each value too, where libm's textbook form is itself accurate to that level
    # (near the end of a cosine its 1 + cos cancels; the float32 check below covers the end)
    big = np.abs(exact) > 1e-2 * peak
    assert np.max(np.abs(fast[big] / exact[big] - 1.0)) <= 2e-13, name
    assert_close32(s.table(T, dtype=np.float32), exact, err_msg=name)


def test_polynomial_and_inverse_sqrt_runs_across_batches_of_anchors():
    # poly_runs and inv_sqrt_runs compute their anchors in batches of len(scratch) - KEY - RUN =
    # 1980 runs (126,720 steps); a sweep row fills its decay in one piece, so a 300,000-step
    # row crosses two batches (a table of that length runs on whole-block chunks per thread)
    s = fl.Schedule(fl.Polynomial(1.0, 0.01, 300_000, power=0.9), warmup=fl.Warmup(1000))
    T = 301_500
    exact = s.table(T, exact=True)
    fast = fl.sweep(fl.lower([s]), T, dtype=np.float64, exact=False)[0]
    np.testing.assert_allclose(fast, exact, rtol=1e-13, atol=1e-14)
    s = LONG["inverse_sqrt"]
    exact = s.table(T, exact=True)
    fast = s.table(T, dtype=np.float64, exact=False)
    np.testing.assert_allclose(fast, exact, rtol=1e-13, atol=1e-14 * np.max(exact))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 31, 63, 64, 65, 127, 200])
def test_short_cosine_pieces_and_steps_outside_the_half_period(n):
    # a half period shorter than 64 steps is one shortened run; more cycles than a half period
    # and an offset put some steps outside it (the general path beside the runs)
    cases = {
        "down": fl.Schedule(fl.Cosine(1.0, 0.0, n)),
        "down_floor": fl.Schedule(fl.Cosine(2.0, 0.3, n), warmup=fl.Warmup(3)),
        "cycles": fl.Schedule(fl.Cosine(1.0, 0.1, n, cycles=1.5, after="continue")),
        "offset": fl.Schedule(fl.Cosine(1.0, 0.0, n, offset=0.5, span=n + 2.0)),
        "up": fl.Schedule(fl.Cosine(1.0, 0.01, 3 * n), warmup=fl.Warmup(n, shape="cosine")),
    }
    T = 4 * n + 10
    for name, s in cases.items():
        exact = s.table(T, exact=True)
        fast = s.table(T, dtype=np.float64, exact=False)
        peak = np.max(np.abs(exact))
        np.testing.assert_allclose(fast, exact, rtol=1e-13, atol=1e-14 * peak, err_msg=name)
        assert_close32(s.table(T, dtype=np.float32), exact, err_msg=name)


def test_small_powers_near_the_end_of_a_long_decay():
    # 1 - x/n cancels near the end: the fast build's reciprocal moved (x/n)^0.1 by 9e-14 of the
    # peak at the second-to-last of 70,000 steps (2e-13 over 300,000); a true division keeps 1e-14
    for power in (0.1, 0.2):
        s = fl.Polynomial(1.0, 0.0, 70_000, power=power)
        fast = s.table(70_005, dtype=np.float64, exact=False)
        exact = s.table(70_005, dtype=np.float64, exact=True)
        assert np.abs(fast - exact).max() <= 1e-14, power
