"""Inputs that used to hang, overflow or go non-finite, and the accuracy limit of t (issue 21,
"Inputs that hang, go non-finite or get accepted silently"; docs/reliability.md, "Inputs and
limits of t"). The random fuzz over constructors and from_dict is tests/test_fuzz.py."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest

import fastlr as fl
from fastlr import _checks as ck
from fastlr.presets import torch as pt

MAX = ck.MAX_STEP


def _join(depth):
    j = fl.Constant(1.0)
    for _ in range(depth):
        j = fl.Join((j, fl.Constant(0.5)), (1,))
    return j


def _nested_dict(depth):
    d = {"type": "Constant", "value": 1.0}
    for _ in range(depth):
        d = {"type": "Join", "phases": [d, {"type": "Constant", "value": 0.5}], "boundaries": [1]}
    return d


def _deep_json(depth):
    d: dict = {"a": 1}
    for _ in range(depth):
        d = {"curve": d}
    return {"type": "Schedule", "curve": d}


def _mutated_start(value):
    d = json.loads(fl.Schedule(fl.Cosine(1.0, 0.0, 10)).to_json())
    d["curve"]["start"] = value
    return d


# Each used to hang (minutes, Ctrl-C-proof), overflow (OverflowError, "got -9223372036854775808"),
# recurse (RecursionError) or build a non-finite curve; each is now an error naming the parameter.
REFUSED = [
    (lambda: fl.Cosine(1.0, 0.0, 10, cycles=5e-324), "cycles=5e-324"),
    (lambda: fl.Cosine(1.0, 0.0, 10, cycles=1e-19), "cycles=1e-19"),
    (lambda: fl.Cosine(1.0, 0.0, 10, span=1e308), "span must be <= 1125899906842624"),
    (lambda: fl.Cosine(1.0, 0.0, 10, span=1e300), "span must be <= 1125899906842624"),
    (lambda: fl.Cosine(1.0, 0.0, 10, offset=1e308), "offset must be <= "),
    (lambda: fl.Cosine(1.0, 0.0, 10, offset=1e19), "offset must be <= "),
    (lambda: pt.CosineAnnealingLR(0.1, 10**19), "steps must be <= 1125899906842624"),
    (lambda: fl.Cosine(1.0, 0.0, 10**7, k_decay=45, after="continue"), "k_decay=45"),
    (lambda: fl.Linear(1.0, 0.0, 10**400), r"steps must be <= 1125899906842624 \(2\*\*50"),
    (lambda: fl.Linear(1.0, 0.0, 2**63), "got 9223372036854775808"),
    (lambda: fl.Linear(1.0, 0.0, 2**50 + 1), "steps must be <= 1125899906842624"),
    (lambda: fl.Exponential(1.0, 2.0, 1.0, end=1e308), "end must be <= 3.40282e[+]38"),
    (lambda: fl.Exponential(1.0, 0.5, 1e300), "steps must be <= "),
    (lambda: fl.Cyclic(0.1, 1.0, 1e308), "step_size_up must be <= "),
    (lambda: fl.Cyclic(0.1, 1.0, 5e-324), "step_size_up must be >= 2"),
    (lambda: fl.Cyclic(0.1, 1.0, 2.0, step_size_down=1e-300), "step_size_down must be >= 2"),
    (lambda: fl.OneCycle(1.0, 100, div_factor=5e-324), "div_factor=5e-324"),
    (lambda: fl.Schedule(fl.Cosine(1.0, 0.0, 10), restarts=fl.Restarts(decay=2.0, limit=3000)), "decay=2.0"),
    (lambda: fl.MultiStep(1.0, list(range(1, 400)), gamma=10.0), "gamma"),
    (lambda: fl.Constant(1e19), "value must be <= 1e[+]18"),
    (lambda: fl.Schedule(fl.Constant(1.0), scale=1e300), "scale must be <= "),
    (lambda: fl.Schedule(fl.Constant(1.0), warmup=fl.Warmup(2**51)), "steps must be <= "),
    (lambda: fl.PiecewiseConstant([2**60], [1.0, 0.5]), r"boundaries\[0\] must be <= "),
    (lambda: _join(300), "nested 101 levels deep"),
    (lambda: fl.Product((_join(99), fl.Constant(1.0))), "nested 101 levels deep"),
    (lambda: fl.from_dict(_nested_dict(300)), "nested"),
    (lambda: fl.from_dict(_deep_json(5000)), "nested more than 210 levels"),
    (lambda: fl.from_dict({"type": "Constant", "value": 10**400}), "value must be finite"),
    (lambda: fl.from_dict(_mutated_start(10**400)), "start must be finite"),
    (lambda: fl.lower({"lr": [1e-3], "steps": [1e20], "shape": "linear"}), "steps must be <= 2[*][*]50"),
    (lambda: fl.lower({"lr": [1e-3], "steps": [2**63], "shape": "linear"}), "steps must be <= 2[*][*]50"),
    (lambda: fl.Constant(1.0).at(2**62), "t must be <= 1125899906842624"),
    (lambda: fl.Constant(1.0).at(np.array([0, 2**63 - 1])), "t must be <= "),
    (lambda: fl.Constant(1.0).table(2**51), "T must be <= "),
    (lambda: fl.sweep([fl.Constant(1.0)], 8, t0=MAX - 3), "t0 [+] T - 1 must be <= "),
]


@pytest.mark.parametrize("make", [m for m, _ in REFUSED], ids=[f"{i}" for i in range(len(REFUSED))])
def test_inputs_that_hung_or_overflowed_are_named_errors(make):
    match = dict(REFUSED)[make]
    with pytest.raises(ValueError, match=match):
        make()


def test_the_limits_themselves_are_accepted():
    assert fl.Linear(1.0, 0.0, MAX).steps == MAX
    assert fl.Cosine(1.0, 0.0, 10, offset=-float(MAX)).offset == -float(MAX)
    assert fl.Constant(1e18).value == 1e18
    assert fl.from_dict(_nested_dict(98)).to_dict() == _nested_dict(98)
    fl.Schedule(fl.Cosine(1.0, 0.0, 10), restarts=fl.Restarts(decay=2.0, limit=30))
    fl.Cosine(1.0, 0.0, 10**7, k_decay=2.0, after="continue")  # (t/span)^2 stays finite to 2**50
    assert fl.Constant(0.5).at(MAX) == 0.5


def test_values_stay_finite_and_never_negative():
    scheds = [
        fl.Schedule(fl.Exponential(0.0, 2.0, 1.0, end=1.0)),  # NaN from step 1024 before
        fl.Schedule(fl.PiecewiseInterp([0, 753], [0.0, 1.0], kind="cosine")),  # -4.4e-16 in float32
        fl.Schedule(fl.Cosine(1.0, 0.0, 10**7, k_decay=45)),  # -inf at 8e6 (x^45 overflowed)
        fl.Schedule(fl.Linear(1e-3, 0.0, 7), restarts=fl.Restarts()),  # -8.4e-30 in the fast build
        fl.Schedule(fl.Exponential(1.0, 2.0, 1.0, end=1e18)),  # inf in float32 with end=1e308 before
    ]
    for dtype in (np.float32, np.float64):
        for t0 in (0, 8 * 10**6 - 1024):
            tab = fl.sweep(scheds, 2048, dtype=dtype, t0=t0)
            assert np.isfinite(tab).all() and (tab >= 0).all(), (dtype, t0)
        assert not fl.sweep(scheds[:1], 2048, dtype=dtype).any()  # a zero start stays 0
    assert fl.sweep(scheds[1:2], 1, dtype=np.float32)[0, 0] == 0.0
    ref = 0.5 * (1.0 + math.cos(math.pi * (8e6 / 1e7) ** 45))
    assert scheds[2].at(8 * 10**6) == pytest.approx(ref, rel=1e-12)


def _exact_mod(t, period):
    """``t mod period`` and the whole periods, exactly (``period`` a Fraction)."""
    q = Fraction(t) // period
    return Fraction(t) - q * period, q


def _cosine_continue(t, n):
    r, _ = _exact_mod(t, Fraction(2 * n))
    return 0.5 * (1.0 + math.cos(math.pi * float(r / n)))


def _cyclic(t, up, down, mode):
    r, q = _exact_mod(t, Fraction(up + down))
    s = float(r / up) if r <= up else float((up + down - r) / down)
    return s if mode == "triangular" else math.ldexp(s, -int(q))


def test_periodic_curves_are_exact_far_out():
    # period reduction in the formula source: whole periods are removed exactly before the
    # cosine or the triangle (errors were 1e-9 .. 3e-7 relative at t = 1e12, up to 6e-3 beyond)
    scheds = [
        fl.Schedule(fl.Cosine(1.0, 0.0, 997, after="continue")),
        fl.Schedule(fl.Cyclic(0.0, 1.0, 1999.0, 2003.0)),
        fl.Schedule(fl.Cyclic(0.0, 1.0, 1999.0, 2003.0, mode="triangular2")),
    ]
    refs = [
        lambda t: _cosine_continue(t, 997),
        lambda t: _cyclic(t, 1999, 2003, "triangular"),
        lambda t: _cyclic(t, 1999, 2003, "triangular2"),
    ]
    for t0 in (10**12 + 123_457, 10**15 + 3, MAX - 40):
        tab = fl.sweep(scheds, 40, dtype=np.float64, t0=t0)
        for i, ref in enumerate(refs):
            want = np.array([ref(t0 + k) for k in range(40)])
            if i == 2:  # triangular2 halves each cycle: 2**-2.5e8 is 0 in float64
                np.testing.assert_array_equal(tab[i], want)
            else:
                np.testing.assert_allclose(tab[i], want, rtol=1e-12, atol=1e-15, err_msg=f"row {i}, t0={t0}")


def test_at_bisects_many_boundaries():
    rng = np.random.default_rng(21)
    b = np.cumsum(rng.integers(1, 5, 100_000))
    vals = rng.random(b.size + 1)
    s = fl.PiecewiseConstant(b, vals)
    t = rng.integers(0, int(b[-1]) + 10, 50_000)
    np.testing.assert_array_equal(s.at(t), vals[np.searchsorted(b, t, side="right")])


def test_a_float32_table_beyond_float32s_range_is_an_error_not_inf():
    clipped = fl.Exponential(1.0, 1e18, 10, end=3e38)  # the peers' float32 saturation
    assert np.isfinite(clipped.table(40, dtype=np.float32)).all()
    scaled = fl.Schedule(clipped, scale=2.0)
    assert scaled.table(40)[-1] == 6e38  # float64 holds it
    with pytest.raises(ValueError, match=r"step 22 \(row 0\) does not fit float32"):
        scaled.table(40, dtype=np.float32)
    with pytest.raises(ValueError, match=r"row 1\) does not fit float32"):
        fl.sweep([clipped, scaled], 40)
