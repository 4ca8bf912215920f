"""Keras dialect: parity with vectors recorded from Keras 3.15.1 (jax backend), live parity when
Keras imports, the quirks against naive per-step models, and errors.

Keras computes in ``floatx`` (float32 by default), and its jax backend evaluates ``cos`` in
float32 even with ``floatx="float64"``; those vectors are compared with a tolerance derived from
float32 rounding (:func:`assert_close_float32_peer`), the others with ``assert_close64``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fastlr.presets.keras as ks
from tests.tolerance import assert_close64, assert_close_float32_peer

DATA = Path(__file__).parent / "data" / "peers" / "keras.json"
RECORDS = [r for r in json.loads(DATA.read_text()) if r["peer"] == "keras"]
FLOAT32_COS = ("CosineDecay", "CosineDecayRestarts")  # cos is float32 in Keras's jax backend


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}-{r.get('floatx')}" for i, r in enumerate(recs)]


def _round32(kwargs):
    """Parameters as a float32 Keras computation starts from (Python floats cast to float32)."""
    return {k: float(np.float32(v)) if isinstance(v, float) else v for k, v in kwargs.items()}


def build(rec):
    kw = dict(rec["kwargs"])
    if rec.get("floatx", "float32") == "float32":
        kw = _round32(kw)
    return getattr(ks, rec["call"])(**kw)  # cycle=True: stretched restarts, no horizon needed


@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    values = np.array(rec["values"]["lr"][0])
    table = build(rec).table(rec["T"])
    if rec["dtype"] == "float32" or rec["call"] in FLOAT32_COS:
        assert_close_float32_peer(table, values, err_msg=rec.get("note") or "")
    else:
        assert_close64(table, values, err_msg=rec.get("note") or "")


def test_every_class_recorded():
    assert {r["call"] for r in RECORDS} == set(ks.__all__)


# ---- live parity (Keras installed) ---------------------------------------------------------

LIVE = [
    ("ExponentialDecay", dict(initial_learning_rate=0.3, decay_steps=7.5, decay_rate=0.6, staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[3, 3, 17], values=[0.5, 0.4, 0.3, 0.2])),
    ("PiecewiseConstantDecay", dict(boundaries=[20, 5], values=[0.5, 0.4, 0.3])),
    ("PolynomialDecay", dict(initial_learning_rate=0.2, decay_steps=12.5, end_learning_rate=0.01, power=2.0)),
    ("PolynomialDecay", dict(initial_learning_rate=0.2, decay_steps=6, end_learning_rate=0.01, power=0.7, cycle=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.3, decay_steps=4, decay_rate=1.5, staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.4, decay_steps=23.5, alpha=0.3)),
    ("CosineDecay", dict(initial_learning_rate=0.4, decay_steps=19, alpha=0.1, warmup_target=0.05, warmup_steps=7)),
    ("CosineDecay", dict(initial_learning_rate=0.4, decay_steps=19, warmup_steps=7)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.4, first_decay_steps=4, t_mul=3.0, m_mul=0.0, alpha=0.2)),
]


@pytest.fixture(scope="module")
def keras_schedules():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import keras
    except Exception as e:  # keras needs a backend; any import failure means no live peer
        pytest.skip(f"keras does not import: {e}")
    return keras.optimizers.schedules


@pytest.mark.parametrize("call,kwargs", LIVE, ids=[f"{c}-{i}" for i, (c, _) in enumerate(LIVE)])
def test_live(keras_schedules, call, kwargs):
    T = 60
    sched = getattr(keras_schedules, call)(**kwargs)
    try:  # one compiled function instead of T eager evaluations (jax backend)
        import jax

        fn = jax.jit(sched)
    except ImportError:
        fn = sched
    expected = np.array([float(np.asarray(fn(i))) for i in range(T)])
    kw = _round32(kwargs)
    assert_close_float32_peer(getattr(ks, call)(**kw).table(T), expected)


# ---- quirks against naive per-step models --------------------------------------------------


def naive_piecewise(boundaries, values, t):
    v = float(t <= boundaries[0]) * values[0] + float(t > boundaries[-1]) * values[-1]
    for lo, hi, val in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
        v += float(lo < t <= hi) * val
    return v


@given(st.lists(st.integers(-5, 30), min_size=1, max_size=4), st.integers(0, 1000))
def test_piecewise_matches_keras_formula(boundaries, seed):
    values = [float(x) for x in np.random.default_rng(seed).uniform(0.1, 1.0, len(boundaries) + 1)]
    T = 40
    s = ks.PiecewiseConstantDecay(boundaries, values)
    assert_close64(s.table(T), [naive_piecewise(boundaries, values, t) for t in range(T)])


def test_piecewise_switches_one_step_late():
    s = ks.PiecewiseConstantDecay([10], [1.0, 0.5])
    assert s.at(10) == 1.0 and s.at(11) == 0.5


def naive_poly(lr0, d, end, power, cycle, t):
    if cycle:
        dd = d * (1.0 if t == 0 else math.ceil(t / d))
        p = t / dd
    else:
        p = min(t, d) / d
    return (lr0 - end) * (1 - p) ** power + end


@pytest.mark.parametrize("d", [1, 5, 7.25, 0.5])
@pytest.mark.parametrize("cycle", [False, True])
def test_polynomial_matches_keras_formula(d, cycle):
    if cycle and d != int(d):
        with pytest.raises(ValueError, match="integer decay_steps"):
            ks.PolynomialDecay(0.1, d, 0.01, 1.5, cycle=True, horizon=10)
        return
    T = 40
    expected = [naive_poly(0.1, d, 0.01, 1.5, cycle, t) for t in range(T)]
    assert_close64(ks.PolynomialDecay(0.1, d, 0.01, 1.5, cycle=cycle).table(T), expected)
    if cycle:  # the laid-out form gives the same values
        assert_close64(ks.PolynomialDecay(0.1, d, 0.01, 1.5, cycle=True, horizon=T).table(T), expected)


def test_polynomial_cycle_horizon():
    s = ks.PolynomialDecay(0.1, 10, 0.001, cycle=True, horizon=25)
    table = s.table(60)
    assert_close64(table[:25], [naive_poly(0.1, 10, 0.001, 1.0, True, t) for t in range(25)])
    assert np.all(table[30:] == table[30])  # the last laid-out cycle holds its end value
    # without horizon: every cycle, exact at any step
    t = np.array([0, 9, 10, 11, 10**6, 10**6 + 1, 10**9 + 7])
    got = ks.PolynomialDecay(0.1, 10, 0.001, cycle=True).at(t)
    assert_close64(got, [naive_poly(0.1, 10, 0.001, 1.0, True, int(x)) for x in t], rtol=1e-9)
    with pytest.raises(ValueError, match="horizon"):  # a rising curve cannot restart
        ks.PolynomialDecay(0.01, 10, end_learning_rate=0.1, cycle=True)


@pytest.mark.parametrize("d", [20, 7.5, 0.25])
def test_cosine_fractional_horizon(d):
    s = ks.CosineDecay(0.1, d, alpha=0.2)
    expected = [0.1 * ((1 - 0.2) * 0.5 * (1 + math.cos(math.pi * min(t, d) / d)) + 0.2) for t in range(30)]
    assert_close64(s.table(30), expected)


def test_cosine_warmup_excludes_decay_steps():
    s = ks.CosineDecay(0.0, 20, warmup_target=1.0, warmup_steps=10)
    assert s.at(10) == 1.0 and s.at(30) == 0.0 and s.at(29) > 0.0
    # warmup_steps without warmup_target is ignored, as in Keras
    assert ks.CosineDecay(0.5, 20, warmup_steps=10).at(0) == 0.5


def test_restarts_alpha_not_scaled_and_m_mul_zero():
    s = ks.CosineDecayRestarts(1.0, 10, t_mul=1.0, m_mul=0.5, alpha=0.2)
    assert s.at(10) == pytest.approx(0.2 + 0.8 * 0.5)  # the second cycle peaks at alpha + (1 - alpha) m_mul
    assert s.at(9) > 0.2 and s.at(19) > 0.2  # the floor stays alpha, not alpha * m_mul
    z = ks.CosineDecayRestarts(1.0, 4, t_mul=2.0, m_mul=0.0, alpha=0.25)
    assert z.at(3) > 0.25 and np.all(z.table(40)[4:] == 0.25)


def test_growth_capped_at_float32_max():
    s = ks.ExponentialDecay(10.0, 1, 2.0)
    t = s.table(200)
    assert np.all(np.isfinite(t)) and t[-1] == pytest.approx(ks.FLOAT32_MAX)


def test_exponential_rate_zero():
    assert list(ks.ExponentialDecay(0.5, 3, 0.0).table(4)) == [0.5, 0.0, 0.0, 0.0]
    assert list(ks.ExponentialDecay(0.5, 3, 0.0, staircase=True).table(5)) == [0.5, 0.5, 0.5, 0.0, 0.0]


# ---- errors --------------------------------------------------------------------------------

ERRORS = [
    (ks.ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=0, decay_rate=0.5), ValueError, "decay_steps"),
    (ks.ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=5, decay_rate=-0.5), ValueError, "decay_rate"),
    (
        ks.ExponentialDecay,
        dict(initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5, staircase="yes"),
        TypeError,
        "staircase",
    ),
    (ks.PiecewiseConstantDecay, dict(boundaries=[1, 2], values=[0.1, 0.2]), ValueError, "length of boundaries"),
    (ks.PiecewiseConstantDecay, dict(boundaries=[], values=[0.1]), ValueError, "at least one boundary"),
    (ks.PiecewiseConstantDecay, dict(boundaries=[1.5], values=[0.1, 0.2]), TypeError, "boundaries"),
    (ks.PiecewiseConstantDecay, dict(boundaries=[1], values=[0.1, -0.2]), ValueError, "values"),
    (ks.PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=-1), ValueError, "decay_steps"),
    (ks.PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=10, power=-1.0), ValueError, "power"),
    (ks.PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=10, horizon=5), TypeError, "horizon"),
    (ks.InverseTimeDecay, dict(initial_learning_rate=0.1, decay_steps=5, decay_rate=-1.0), ValueError, "decay_rate"),
    (ks.CosineDecay, dict(initial_learning_rate=0.1, decay_steps=0), ValueError, "decay_steps"),
    (ks.CosineDecay, dict(initial_learning_rate=0.1, decay_steps=10, alpha=-0.1), ValueError, "alpha"),
    (
        ks.CosineDecay,
        dict(initial_learning_rate=0.1, decay_steps=10, warmup_target=0.2, warmup_steps=-2),
        ValueError,
        "warmup_steps",
    ),
    (ks.CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=0), ValueError, "first_decay_steps"),
    (ks.CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=5, t_mul=0.5), ValueError, "t_mul"),
    (ks.CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=5, m_mul=1.5), ValueError, "m_mul"),
    (ks.CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=5, alpha=1.5), ValueError, "alpha"),
]


@pytest.mark.parametrize("fn,kwargs,exc,match", ERRORS, ids=[f"{f.__name__}-{m}" for f, _, _, m in ERRORS])
def test_errors(fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(**kwargs)
