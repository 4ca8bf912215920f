"""Products of shapes (``fastlr.Product``, the ``PROD`` shape code) and restarted ``Join`` phases,
against the independent reference (``tests/naive.py``) and the formula source run as Python."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastlr as fl
from fastlr.kernels import formulas
from fastlr.kernels import layout as L
from tests import naive
from tests.tolerance import assert_close64

FACTORS = {
    "cos": fl.Cosine(1.0, 0.1, 17, after="continue"),
    "exp": fl.Exponential(2.0, 0.8, 3.0),
    "stair": fl.Exponential(1.0, 0.5, 4.0, staircase=True),
    "lin": fl.Linear(0.2, 1.0, 9),
    "poly": fl.Polynomial(1.0, 0.0, 25, power=0.5),
    "step": fl.StepDecay(1.0, 6, 0.7),
    "multi": fl.MultiStep(1.0, (5, 5, 12), 0.5),
    "pc": fl.PiecewiseConstant((3, 20), (0.5, 1.0, 0.25)),
    "join": fl.Join((fl.Constant(1.0), fl.InverseSqrt(1.0, 4.0, power=0.8)), (7,)),
    "tanh": fl.Tanh(1.0, 0.0, 30),
}


def codes(shape) -> set[int]:
    return set(shape.program().arrays()[2][:, L.S_CODE].tolist())


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(sorted(FACTORS)), min_size=1, max_size=4), st.integers(1, 60))
def test_product_matches_the_reference(names, T):
    p = fl.Product(tuple(FACTORS[n] for n in names))
    want = naive.table(p.to_dict(), T)
    assert_close64(p.table(T), want, err_msg=str(names))
    ci, cf, si, sf = p.program().arrays()
    got = [formulas.value(ci, cf, si, sf, 0, t) for t in range(T)]  # the formula source, as Python
    assert_close64(got, want, err_msg=str(names))
    assert p.start_value() == pytest.approx(want[0], rel=1e-15)


def test_piecewise_constant_factors_need_no_product_code():
    p = fl.Product((fl.Cosine(1.0, 0.0, 20), fl.MultiStep(1.0, (5, 9), 0.5), fl.Constant(3.0)))
    assert L.PROD not in codes(p)  # split at 5 and 9, the cosine scaled on each piece
    q = fl.Product((fl.Cosine(1.0, 0.2, 20), fl.Exponential(1.0, 0.9, 1.0)))
    assert L.PROD in codes(q)
    # past the cosine's horizon its held tail is a constant: the exponential alone, scaled
    si = q.program().arrays()[2]
    assert si[-1, L.S_CODE] == L.EXP


def test_products_flatten_and_scale_exactly():
    a = fl.Product((fl.Linear(1.0, 0.5, 10), fl.Exponential(1.0, 0.9, 1.0)))
    b = fl.Product((a, fl.Cosine(1.0, 0.0, 10, after="continue"), fl.Constant(0.5)))
    t = np.arange(40)
    assert_close64(b.at(t), 0.5 * a.at(t) * fl.Cosine(1.0, 0.0, 10, after="continue").at(t))
    assert fl.from_dict(b.to_dict()) == b


def test_product_in_a_schedule_with_warmup_floor_and_a_join():
    p = fl.Product((fl.Cosine(1.0, 0.0, 30), fl.Exponential(1.0, 0.95, 1.0)))
    s = fl.Schedule(fl.Join((fl.Constant(0.7), p), (5,)), warmup=fl.Warmup(3), scale=0.1, floor=1e-3)
    assert_close64(s.table(60), naive.table(s.to_dict(), 60))


@pytest.mark.parametrize(
    "rs",
    [
        fl.Restarts(),
        fl.Restarts(mult=2.0, decay=0.7, limit=3),
        fl.Restarts(cycles=2.5, limit=2.5),
        fl.Restarts(decay=0.5, limit=2, decay_mode="peak", warmup_steps=2),
        fl.Restarts(stretch=True),
    ],
    ids=["int", "grow", "frac", "peak-warm", "stretch"],
)
def test_restarted_join_phase_matches_the_reference(rs):
    sgdr = fl.Schedule(fl.Cosine(1.0, 0.1, 6), restarts=rs)
    j = fl.Join((fl.Linear(0.1, 1.0, 4), fl.Constant(1.0), sgdr, fl.Constant(0.05)), (4, 9, 40))
    s = fl.Schedule(j, scale=0.3)
    want = naive.table(s.to_dict(), 50)
    assert_close64(s.table(50), want)
    assert_close64(s.at(np.arange(17, 50)), want[17:])
    assert fl.from_dict(s.to_dict()) == s


def test_errors():
    with pytest.raises(ValueError, match="Product: factors must not be empty"):
        fl.Product(())
    with pytest.raises(TypeError, match=r"Product: factors\[1\] must be a shape"):
        fl.Product((fl.Constant(1.0), 2.0))
    sgdr = fl.Schedule(fl.Cosine(1.0, 0.0, 5), restarts=fl.Restarts())
    restarted = fl.Join((fl.Constant(1.0), sgdr), (3,))
    with pytest.raises(ValueError, match=r"factors\[0\] is a Join with restarts"):
        fl.Product((restarted,))
    with pytest.raises(ValueError, match="at most one phase may have restarts"):
        fl.Join((sgdr, fl.Constant(0.1), sgdr), (3, 5))
    with pytest.raises(ValueError, match="may set restarts only, got warmup, scale"):
        phase = fl.Schedule(fl.Cosine(1.0, 0.0, 5), warmup=fl.Warmup(2), restarts=fl.Restarts(), scale=2.0)
        fl.Join((fl.Constant(1.0), phase), (3,))
    with pytest.raises(ValueError, match="a Schedule without restarts"):
        fl.Join((fl.Constant(1.0), fl.Schedule(fl.Cosine(1.0, 0.0, 5))), (3,))
    with pytest.raises(ValueError, match="restarts must be given once"):
        fl.Schedule(restarted, restarts=fl.Restarts())
    with pytest.raises(ValueError, match="a Join with restarts; put its phases"):
        fl.Join((fl.Constant(1.0), restarted), (2,))
    with pytest.raises(ValueError, match="stretch=True needs mult=1"):
        fl.Restarts(stretch=True, mult=2.0)
