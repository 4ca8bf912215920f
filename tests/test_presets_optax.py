"""optax dialect: parity with vectors recorded from optax 0.2.8, live parity when optax imports,
composition semantics against a naive model of optax's join, and errors.

float32 records (optax with jax x64 off) are compared with a tolerance derived from float32
rounding; see :func:`assert_close_float32_peer`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fastlr
import fastlr.presets.optax as ox
from tests.tolerance import assert_close64, assert_close_float32_peer

DATA = Path(__file__).parent / "data" / "peers" / "optax.json"
RECORDS = [r for r in json.loads(DATA.read_text()) if r["peer"] == "optax"]


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}-{r['dtype']}" for i, r in enumerate(recs)]


def _round32(x):
    """The float32 value a float32 jax computation starts from (parameters are cast)."""
    if isinstance(x, bool) or not isinstance(x, (float, dict, list)):
        return x
    if isinstance(x, float):
        return float(np.float32(x))
    if isinstance(x, dict):
        return {k: _round32(v) for k, v in x.items()}
    return [_round32(v) for v in x]


def decode(call, kwargs):
    """Record kwargs -> preset kwargs (optax's int-keyed dicts, join children built first)."""
    kw = dict(kwargs)
    if kw.get("boundaries_and_scales") is not None:
        kw["boundaries_and_scales"] = {int(k): v for k, v in kw["boundaries_and_scales"].items()}
    if call == "join_schedules":
        kw["schedules"] = [build(c["call"], c["kwargs"]) for c in kw["schedules"]]
    return kw


def build(call, kwargs):
    return getattr(ox, call)(**decode(call, kwargs))


# ---- recorded vectors ----------------------------------------------------------------------


@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    if rec.get("raises_at") == 0:
        with pytest.raises(ValueError, match="decay_steps"):
            build(rec["call"], rec["kwargs"])
        return
    values = np.array(rec["values"]["lr"][0])
    if rec["dtype"] == "float64":
        assert_close64(build(rec["call"], rec["kwargs"]).table(rec["T"]), values, err_msg=rec.get("note") or "")
    else:
        assert rec["dtype"] == "float32"
        s = build(rec["call"], _round32(rec["kwargs"]))
        assert_close_float32_peer(s.table(rec["T"]), values, err_msg=rec.get("note") or "")


def test_every_function_recorded():
    assert {r["call"] for r in RECORDS} == set(ox.__all__)


# ---- live parity (optax installed) ---------------------------------------------------------

LIVE = [
    ("polynomial_schedule", dict(init_value=0.3, end_value=0.01, power=1.7, transition_steps=37, transition_begin=11)),
    ("exponential_decay", dict(init_value=0.2, transition_steps=7, decay_rate=0.8, transition_begin=4, end_value=0.05)),
    ("exponential_decay", dict(init_value=0.02, transition_steps=9, decay_rate=1.3, staircase=True, end_value=0.1)),
    ("cosine_decay_schedule", dict(init_value=0.5, decay_steps=41, alpha=0.2, exponent=3.0)),
    ("warmup_cosine_decay_schedule", dict(init_value=0.01, peak_value=0.4, warmup_steps=13, decay_steps=60)),
    (
        "warmup_exponential_decay_schedule",
        dict(
            init_value=0.0,
            peak_value=1.0,
            warmup_steps=9,
            transition_steps=4,
            decay_rate=0.7,
            transition_begin=6,
            staircase=True,
        ),
    ),
    ("piecewise_constant_schedule", dict(init_value=1.0, boundaries_and_scales={-4: 0.5, 17: 3.0, 40: 0.01})),
    (
        "piecewise_interpolate_schedule",
        dict(interpolate_type="linear", init_value=1.0, boundaries_and_scales={-6: 0.5, 9: 4.0, 30: 0.1}),
    ),
    (
        "piecewise_interpolate_schedule",
        dict(interpolate_type="cosine", init_value=1.0, boundaries_and_scales={-6: 0.5, 9: 4.0, 30: 0.1}),
    ),
    ("linear_onecycle_schedule", dict(transition_steps=57, peak_value=2.0, pct_start=0.4, pct_final=0.4)),
    ("cosine_onecycle_schedule", dict(transition_steps=61, peak_value=0.3, pct_start=0.99)),
    (
        "sgdr_schedule",
        dict(
            cosine_kwargs=[
                dict(init_value=0.0, peak_value=1.0, warmup_steps=3, decay_steps=11),
                dict(init_value=0.5, peak_value=0.7, warmup_steps=0, decay_steps=7),
            ]
        ),
    ),
]


@pytest.fixture(scope="module")
def optax_x64():
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
    enable = getattr(jax, "enable_x64", None)
    if enable is None:
        enable = getattr(getattr(jax, "experimental", None), "enable_x64", None)
    if enable is None:
        pytest.skip("this jax has no enable_x64 context")
    return optax, enable


def _vmapped(fn, T):
    import jax
    import jax.numpy as jnp

    return np.asarray(jax.vmap(fn)(jnp.arange(T)), dtype=np.float64)


@pytest.mark.parametrize("call,kwargs", LIVE, ids=[f"{c}-{i}" for i, (c, _) in enumerate(LIVE)])
def test_live(optax_x64, call, kwargs):
    optax, enable = optax_x64
    T = 90
    with enable(True):
        fn = getattr(optax, call)(**kwargs)
        expected = _vmapped(fn, T)
    assert_close64(getattr(ox, call)(**kwargs).table(T), expected)


def test_live_join_unsorted(optax_x64):
    optax, enable = optax_x64
    with enable(True):
        kids = [optax.constant_schedule(0.1), optax.linear_schedule(1.0, 0.0, 10), optax.constant_schedule(0.3)]
        fn = optax.join_schedules(kids, [20, 5])
        expected = _vmapped(fn, 40)
    mine = ox.join_schedules(
        [ox.constant_schedule(0.1), ox.linear_schedule(1.0, 0.0, 10), ox.constant_schedule(0.3)], [20, 5]
    )
    assert_close64(mine.table(40), expected)


# ---- semantics against naive models --------------------------------------------------------


def naive_join(children, boundaries, t):
    """optax's join: the later ``where`` wins."""
    out = children[0].at(t)
    for b, c in zip(boundaries, children[1:]):
        if t >= b:
            out = c.at(t - b)
    return out


@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=4),
    st.integers(0, 10_000),
)
def test_join_matches_naive(boundaries, seed):
    rng = np.random.default_rng(seed)
    children = [
        ox.linear_schedule(float(rng.uniform(0, 1)), float(rng.uniform(0, 1)), int(rng.integers(1, 20)))
        for _ in range(len(boundaries) + 1)
    ]
    s = ox.join_schedules(children, boundaries)
    T = 45
    expected = [naive_join(children, boundaries, t) for t in range(T)]
    assert_close64(s.table(T), expected)


def naive_interp(kind, init, bas, t):
    bounds = [0, *sorted(bas)]
    vals = [init]
    for b in sorted(bas):
        vals.append(vals[-1] * bas[b])
    out = 0.0
    for k in range(1, len(bounds)):
        lo, hi = bounds[k - 1], bounds[k]
        if lo <= t < hi:
            p = (t - lo) / max(hi - lo, 1)
            if kind == "linear":
                out += (vals[k] - vals[k - 1]) * p + vals[k - 1]
            else:
                out += vals[k] + (vals[k - 1] - vals[k]) / 2.0 * (math.cos(math.pi * p) + 1)
    return out + (bounds[-1] <= t) * vals[-1]


@given(
    st.sampled_from(["linear", "cosine"]),
    st.dictionaries(st.integers(-10, 40), st.floats(0.1, 3.0), max_size=4),
)
def test_piecewise_interpolate_matches_naive(kind, bas):
    s = ox.piecewise_interpolate_schedule(kind, 0.5, bas)
    T = 50
    assert_close64(s.table(T), [naive_interp(kind, 0.5, bas, t) for t in range(T)])


def test_returns_shapes_that_round_trip():
    s = ox.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000, 1e-5)
    assert isinstance(s, fastlr.Shape)
    again = fastlr.from_dict(json.loads(s.to_json()))
    np.testing.assert_array_equal(again.table(1200), s.table(1200))


def test_quirks():
    # warmup_constant with warmup 0 is init_value, not peak_value
    assert ox.warmup_constant_schedule(0.5, 0.1, 0).at(7) == 0.5
    # piecewise constant switches at the boundary itself
    s = ox.piecewise_constant_schedule(1.0, {10: 0.1})
    assert s.at(9) == 1.0 and s.at(10) == pytest.approx(0.1)
    # decay_steps includes the warmup: the end value is reached at decay_steps
    s = ox.warmup_cosine_decay_schedule(0.0, 1.0, 10, 30, end_value=0.1)
    assert s.at(10) == 1.0 and s.at(30) == pytest.approx(0.1) and s.at(29) > 0.1
    # a growing exponential without end_value is capped at the largest float32
    big = ox.exponential_decay(1.0, 1, 10.0).table(100)
    assert np.all(np.isfinite(big)) and big[-1] == pytest.approx(ox.FLOAT32_MAX)


# ---- errors --------------------------------------------------------------------------------

ERRORS = [
    (ox.cosine_decay_schedule, dict(init_value=0.1, decay_steps=-3), ValueError, "decay_steps"),
    (ox.cosine_decay_schedule, dict(init_value=0.1, decay_steps=10, alpha=-0.5), ValueError, "alpha"),
    (ox.cosine_decay_schedule, dict(init_value=0.1, decay_steps=10, exponent=-1.0), ValueError, "exponent"),
    (ox.polynomial_schedule, dict(init_value=0.1, end_value=0.0, power=-1.0, transition_steps=10), ValueError, "power"),
    (
        ox.polynomial_schedule,
        dict(init_value=-0.1, end_value=0.0, power=1.0, transition_steps=10),
        ValueError,
        "init_value",
    ),
    (ox.linear_schedule, dict(init_value=0.1, end_value=0.0, transition_steps=10.5), TypeError, "transition_steps"),
    (ox.exponential_decay, dict(init_value=0.1, transition_steps=5, decay_rate=-0.5), ValueError, "decay_rate"),
    (
        ox.exponential_decay,
        dict(init_value=0.1, transition_steps=5, decay_rate=0.5, staircase=1),
        TypeError,
        "staircase",
    ),
    (ox.piecewise_constant_schedule, dict(init_value=0.1, boundaries_and_scales={5: -1.0}), ValueError, "non-negative"),
    (
        ox.piecewise_constant_schedule,
        dict(init_value=0.1, boundaries_and_scales={"5": 0.5}),
        TypeError,
        "boundaries_and_scales",
    ),
    (
        ox.piecewise_constant_schedule,
        dict(init_value=0.1, boundaries_and_scales=[(5, 0.5)]),
        TypeError,
        "boundaries_and_scales",
    ),
    (ox.piecewise_interpolate_schedule, dict(interpolate_type="cubic", init_value=0.1), ValueError, "interpolate_type"),
    (ox.linear_onecycle_schedule, dict(transition_steps=0, peak_value=0.1), ValueError, "transition_steps"),
    (ox.cosine_onecycle_schedule, dict(transition_steps=10, peak_value=0.1, div_factor=0.0), ValueError, "div_factor"),
    (
        ox.warmup_cosine_decay_schedule,
        dict(init_value=0.0, peak_value=0.1, warmup_steps=-1, decay_steps=10),
        ValueError,
        "warmup_steps",
    ),
    (
        ox.warmup_cosine_decay_schedule,
        dict(init_value=0.0, peak_value=0.1, warmup_steps=12, decay_steps=10),
        ValueError,
        "decay_steps",
    ),
    (ox.sgdr_schedule, dict(cosine_kwargs=[]), ValueError, "empty"),
    (ox.sgdr_schedule, dict(cosine_kwargs={"decay_steps": 3}), TypeError, "list of dicts"),
]


@pytest.mark.parametrize("fn,kwargs,exc,match", ERRORS, ids=[f"{f.__name__}-{m}" for f, _, _, m in ERRORS])
def test_errors(fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(**kwargs)


def test_join_errors():
    a, b = ox.constant_schedule(0.1), ox.constant_schedule(0.2)
    with pytest.raises(ValueError, match="len\\(boundaries\\)"):
        ox.join_schedules([a, b], [1, 2])
    with pytest.raises(ValueError, match="boundaries must be >= 0"):
        ox.join_schedules([a, b], [-1])
    with pytest.raises(ValueError, match="must not be empty"):
        ox.join_schedules([], [])
    with pytest.raises(TypeError, match="schedules\\[1\\]"):
        ox.join_schedules([a, lambda t: 0.1], [3])
    with pytest.raises(TypeError, match="list of fastlr shapes"):
        ox.join_schedules(a, [])
