"""Every shape is declared once and has every piece it needs.

A shape class carries its parameters, validation, closed form (docstring) and lowering; what
else must exist for it (a public name, a test case, a path in the independent reference) is
checked here, so a new shape cannot miss one.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import fastlr as fl
from fastlr.lowering import configs
from tests import cases, naive


def _public_shapes() -> list[type]:
    return [
        getattr(fl, n) for n in fl.__all__ if inspect.isclass(getattr(fl, n)) and issubclass(getattr(fl, n), fl.Shape)
    ]


SHAPES = [c for c in _public_shapes() if c is not fl.Shape]


def test_every_shape_subclass_is_public():
    import fastlr.formula
    import fastlr.shapes

    defined = {
        c
        for module in (fastlr.shapes, fastlr.formula)
        for c in vars(module).values()
        if inspect.isclass(c) and issubclass(c, fl.Shape)
    }
    assert defined - {fl.Shape} == set(SHAPES)


@pytest.mark.parametrize("cls", SHAPES, ids=lambda c: c.__name__)
def test_shape_has_every_piece(cls):
    assert cls.__doc__ and len(cls.__doc__.strip()) >= 10, f"{cls.__name__}: the docstring states the closed form"
    lowers = "lower_columns" in cls.__dict__ or "_segs" in cls.__dict__
    assert lowers, f"{cls.__name__} defines neither lower_columns (columnar) nor _segs"
    examples = [s for s in {**cases.shapes(), **cases.user_shapes()}.values() if type(s) is cls]
    assert examples, f"tests/cases.py has no case of {cls.__name__}"
    for s in examples:
        naive.shape_value(s.to_dict(), 3)  # the independent reference knows the shape (KeyError if not)
        assert fl.from_dict(s.to_dict(), trust_code=True) == s


def test_restartable_shapes_restart():
    for cls in SHAPES:
        flag = cls.__dict__.get("restartable", False)
        example = next(s for s in {**cases.shapes(), **cases.user_shapes()}.values() if type(s) is cls)
        if flag:
            fl.Schedule(type(example)(1.0, 0.0, 10), restarts=fl.Restarts(limit=2))
        elif isinstance(example, fl.Formula):  # restarted with its own period (tests/test_formula.py)
            with pytest.raises(ValueError, match="period="):
                fl.Schedule(example, restarts=fl.Restarts(limit=2))
        else:
            with pytest.raises((ValueError, TypeError), match="restarts repeat one of"):
                fl.Schedule(example, restarts=fl.Restarts(limit=2))


def test_flat_shapes_lower_through_their_class():
    for name, (cls, _params) in configs.FLAT_SHAPES.items():
        assert "lower_columns" in cls.__dict__, f"flat shape {name!r}: {cls.__name__} has no lower_columns"
        assert name in configs.SHAPES


def test_a_polynomial_of_power_one_lowers_to_the_linear_piece():
    # the same expression, so the exact build is bit-identical and the fast build skips pow
    from fastlr.kernels import layout as L

    for start, end in ((1.0, 0.1), (0.0, 1e-3)):
        line = fl.Schedule(fl.Polynomial(start, end, 100, power=1.0))
        assert line.program().si[0, L.S_CODE] == L.LIN_DOWN
        expected = end + (start - end) * (1.0 - np.arange(100) / 100.0)
        np.testing.assert_array_equal(line.table(100, dtype=np.float64), expected)
    curved = fl.Schedule(fl.Polynomial(1.0, 0.1, 100, power=2.0))
    assert curved.program().si[0, L.S_CODE] == L.POLY_DOWN
