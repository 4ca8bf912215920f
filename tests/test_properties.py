"""Property tests (hypothesis): finite everywhere, monotone where the shape is, continuity, huge t,
sweep rows equal tables bit for bit, reference agreement for random configurations."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import fastlr as fl
from tests import naive
from tests.tolerance import assert_close64

lrs = st.floats(1e-8, 10.0)
lengths = st.integers(1, 60)


@st.composite
def decays(draw):
    start = draw(lrs)
    end = draw(st.floats(0.0, 1.0)) * start
    steps = draw(lengths)
    kind = draw(st.sampled_from(["cos", "lin", "poly", "tanh", "sqrt"]))
    if kind == "cos":
        return fl.Cosine(start, end, steps, exponent=draw(st.floats(0.5, 3.0)), k_decay=draw(st.floats(0.5, 2.0)))
    if kind == "lin":
        return fl.Linear(start, end, steps)
    if kind == "poly":
        return fl.Polynomial(start, end, steps, power=draw(st.floats(0.1, 4.0)), k_decay=draw(st.floats(0.5, 2.0)))
    if kind == "tanh":
        return fl.Tanh(start, end, steps)
    return fl.SqrtCooldown(start, end, steps)


@st.composite
def curves(draw):
    kind = draw(st.sampled_from(["decay", "step", "multi", "exp", "cyclic", "onecycle", "join", "invsqrt"]))
    if kind == "decay":
        return draw(decays())
    if kind == "step":
        return fl.StepDecay(draw(lrs), draw(lengths), draw(st.floats(0.01, 1.0)))
    if kind == "multi":
        ms = sorted(draw(st.lists(st.integers(0, 80), max_size=5)))
        return fl.MultiStep(draw(lrs), ms, draw(st.floats(0.01, 2.0)))
    if kind == "exp":
        return fl.Exponential(draw(lrs), draw(st.floats(0.05, 0.999)), draw(st.floats(0.5, 50.0)), draw(st.booleans()))
    if kind == "cyclic":
        lo = draw(lrs)
        mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
        return fl.Cyclic(lo, lo * draw(st.floats(1.0, 10.0)), draw(st.floats(1.0, 20.0)), mode=mode, gamma=0.99)
    if kind == "onecycle":
        return fl.OneCycle(draw(lrs), draw(st.integers(10, 100)), three_phase=draw(st.booleans()))
    if kind == "invsqrt":
        return fl.InverseSqrt(draw(lrs), draw(st.floats(1.0, 1000.0)))
    first = draw(decays())
    return fl.Join((first, draw(decays())), (draw(lengths),))


@st.composite
def schedules(draw):
    curve = draw(st.one_of(curves(), decays()))
    warmup = None
    if draw(st.booleans()):
        mode = draw(st.sampled_from(["prefix", "overlay", "blend"]))
        shape = draw(st.sampled_from(["linear", "constant", "exponential", "power", "cosine", "sqrt"]))
        start = draw(st.floats(0.0, 1.0)) * (1.0 if mode == "overlay" else 1e-3)
        warmup = fl.Warmup(draw(lengths), start=start, shape=shape, mode=mode, shift=draw(st.booleans()))
    restarts = None
    if isinstance(curve, (fl.Cosine, fl.Linear, fl.Polynomial, fl.Tanh, fl.SqrtCooldown)) and draw(st.booleans()):
        cw = draw(st.integers(0, curve.steps - 1))
        mult = draw(st.sampled_from([1.0, 1.0, 2.0, 1.5]))
        restarts = fl.Restarts(
            mult=mult,
            decay=draw(st.floats(0.1, 1.0)),
            limit=draw(st.one_of(st.none(), st.integers(1, 5))),
            decay_mode=draw(st.sampled_from(["amplitude", "peak"])),
            warmup_steps=cw,
        )
    return fl.Schedule(
        curve,
        warmup=warmup,
        restarts=restarts,
        scale=draw(st.floats(0.1, 10.0)),
        steps_per_epoch=draw(st.integers(1, 4)),
        floor=draw(st.one_of(st.none(), st.floats(0.0, 1e-6))),
    )


T = 150


@given(schedules())
def test_random_schedules_match_reference_and_are_finite(s):
    tab = s.table(T)
    assert np.isfinite(tab).all()
    ref = np.array(naive.table(s.to_dict(), T))
    assert_close64(tab, ref, rtol=1e-11)
    far = s.at(np.array([10**6, 10**9, 10**12]))
    assert np.isfinite(far).all()


@given(st.lists(schedules(), min_size=1, max_size=6), st.sampled_from([np.float32, np.float64]))
def test_sweep_rows_bitwise_equal_single_tables(scheds, dtype):
    out = fl.sweep(scheds, 60, dtype=dtype)
    for i, s in enumerate(scheds):
        np.testing.assert_array_equal(out[i], s.table(60, dtype=dtype))


@given(decays(), st.integers(1, 40), st.floats(0.0, 1.0))
def test_warmup_rises_and_decay_falls(curve, w, frac):
    s = fl.Schedule(curve, warmup=fl.Warmup(w, start=frac * curve.start))
    tab = s.table(w + curve.steps + 10)
    assert np.all(np.diff(tab[: w + 1]) >= -1e-15 * curve.start)
    assert np.all(np.diff(tab[w:]) <= 1e-15 * curve.start)


@given(decays(), st.integers(1, 40))
def test_prefix_warmup_is_continuous_into_the_main_curve(curve, w):
    s = fl.Schedule(curve, warmup=fl.Warmup(w))
    tab = s.table(w + 2)
    # the last warmup step sits one linear increment below the peak the main curve starts at
    peak = curve.start_value()  # Tanh starts just below its nominal start
    assert abs(tab[w] - peak) <= 1e-15 * peak
    assert abs((tab[w] - tab[w - 1]) - peak / w) <= 1e-12 * peak


@given(decays())
def test_decay_reaches_and_holds_its_end(curve):
    tab = fl.Schedule(curve).table(curve.steps + 5)
    assert abs(tab[0] - curve.start_value()) <= 1e-15 * curve.start
    assert np.all(tab[curve.steps :] == tab[curve.steps])
