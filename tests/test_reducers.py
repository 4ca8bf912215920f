"""Custom summary reducers (``fastlr.summarize(..., reducers=...)``): each column against NumPy
on the ``fastlr.sweep`` table (the same float64 fast-primitive values), whatever the chunking;
errors name the reducer."""

from __future__ import annotations

import numba
import numpy as np
import pytest

import fastlr as fl
from fastlr.sweeps import SUMMARY_FIELDS
from tests.cases import mixed_grid

T = 90
T0 = 5
THR = 2e-4


def tail_area(lr):
    return lr[10:].sum()


def first_below(lr):
    return np.argmax(lr < THR)


def decays(lr):
    return lr[-1] < lr[0]


@numba.njit
def spread(lr):  # an njit function is used as it is
    return lr.std()


REDUCERS = {"tail_area": tail_area, "first_below": first_below, "decays": decays, "spread": spread}


def test_reducers_equal_numpy_on_the_table():
    g = mixed_grid()
    tab = fl.sweep(g, T, dtype=np.float64, exact=False, t0=T0)
    s = fl.summarize(g, T, t0=T0, threshold=THR, chunk_rows=37, reducers=REDUCERS)
    assert list(s) == [*SUMMARY_FIELDS, *REDUCERS]
    np.testing.assert_allclose(s["tail_area"], tab[:, 10:].sum(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(s["first_below"], np.argmax(tab < THR, axis=1))
    np.testing.assert_array_equal(s["decays"], (tab[:, -1] < tab[:, 0]).astype(np.int64))
    np.testing.assert_allclose(s["spread"], tab.std(axis=1), rtol=1e-10, atol=1e-16)  # constant rows: rounding noise
    assert s["first_below"].dtype == np.int64 and s["decays"].dtype == np.int64
    assert s["tail_area"].dtype == np.float64
    assert 0 < s["decays"].sum() < len(tab)  # both outcomes occur: the test can see a swap
    # the built-in fields are unchanged, and the chunking does not matter
    plain = fl.summarize(g, T, t0=T0, threshold=THR)
    for k, v in plain.items():
        np.testing.assert_array_equal(s[k], v)
    whole = fl.summarize(g, T, t0=T0, reducers=REDUCERS)
    for k in REDUCERS:
        np.testing.assert_array_equal(whole[k], s[k])


def writes(lr):
    lr[0] = 1.0
    return 1.0


def untypable(lr):
    return {1: object()}


@pytest.mark.parametrize(
    "reducers, exc, pattern",
    [
        ([tail_area], TypeError, "reducers must be a mapping"),
        ({3: tail_area}, TypeError, "reducer names must be non-empty strings, got 3"),
        ({"peak": tail_area}, ValueError, "reducer name 'peak' is a built-in summary field"),
        ({"auc": 3.0}, TypeError, "reducer 'auc' must be a function of one row"),
        ({"auc": len}, TypeError, "reducer 'auc' cannot be compiled by Numba"),
        ({"obj": untypable}, ValueError, "reducer 'obj' cannot be compiled by Numba .*object"),
        ({"w": writes}, ValueError, r"reducer 'w' cannot be compiled by Numba .*setitem\(readonly array"),
        ({"twice": lambda lr: lr * 2}, ValueError, "reducer 'twice' must return a number .* returns array"),
        ({"two": lambda lr, t: 1.0}, ValueError, "reducer 'two' cannot be compiled by Numba"),
    ],
)
def test_bad_reducers_are_named(reducers, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fl.summarize(fl.grid(lr=[1e-3], shape=["cosine"], steps=[10]), 10, reducers=reducers)


def fragile(lr):
    if lr[0] > 100.0:
        raise ValueError("too large")
    if lr[0] > 10.0:
        return lr[lr.shape[0]]  # past the end: bounds-checked, raises
    if lr[0] > 0.5:
        return lr[0] / (lr[0] * 0.0)  # x / 0: IEEE inf (no exception)
    return lr[0]


def test_failing_rows_are_named():
    make = lambda lr: fl.grid(lr=lr, shape=["cosine"], steps=[10])  # noqa: E731
    with pytest.raises(ValueError, match=r"reducer 'f' returned inf for row 1 \(1 non-finite of 3 rows\)"):
        fl.summarize(make([0.0, 1.0, 0.25]), 10, reducers={"f": fragile})
    with pytest.raises(ValueError, match="reducer 'f' raised an exception on row 1; Numba keeps no message"):
        fl.summarize(make([1.0, 1e3]), 10, reducers={"f": fragile})
    with pytest.raises(ValueError, match="reducer 'f' raised an exception on row 0"):
        fl.summarize(make([50.0]), 10, reducers={"f": fragile})
