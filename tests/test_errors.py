"""Bad input raises ValueError/TypeError naming the parameter and the value; inputs are never mutated."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastlr as fl

BAD = [
    (lambda: fl.Cosine(1e-3, 0.0, 0), ValueError, r"Cosine: steps must be >= 1, got 0"),
    (lambda: fl.Cosine(-1e-3, 0.0, 10), ValueError, r"Cosine: start must be >= 0, got -0.001"),
    (lambda: fl.Cosine(math.nan, 0.0, 10), ValueError, r"start must be finite, got nan"),
    (lambda: fl.Cosine(1.0, math.inf, 10), ValueError, r"end must be finite, got inf"),
    (lambda: fl.Cosine(1.0, 0.0, 10.5), TypeError, r"steps must be an integer, got 10.5"),
    (lambda: fl.Cosine(1.0, 0.0, True), TypeError, r"steps must be an integer, got True"),
    (lambda: fl.Cosine(1.0, 0.0, 10, after="wrap"), ValueError, r"after must be one of 'hold', 'continue'; got 'wrap'"),
    (lambda: fl.Cosine("1", 0.0, 10), TypeError, r"start must be a real number, got '1'"),
    (lambda: fl.Polynomial(1.0, 0.0, 10, power=0.0), ValueError, r"power must be > 0, got 0.0"),
    (lambda: fl.Polynomial(1.0, 0.0, 10, span=5.0), ValueError, r"progress .* must stay in \[0, 1\]"),
    (lambda: fl.StepDecay(1.0, 10, 0.0), ValueError, r"gamma must be > 0, got 0.0"),
    (lambda: fl.StepDecay(1.0, 10, 1.5), ValueError, r"gamma must be <= 1, got 1.5"),
    (lambda: fl.StepDecay(1.0, 0), ValueError, r"step_size must be >= 1, got 0"),
    (lambda: fl.MultiStep(1.0, (30, 10)), ValueError, r"milestones must be sorted ascending, got \[30, 10\]"),
    (lambda: fl.MultiStep(1.0, (-1, 10)), ValueError, r"milestones\[0\] must be >= 0, got -1"),
    (lambda: fl.MultiStep(1.0, (10,), gamma=-0.1), ValueError, r"gamma must be > 0, got -0.1"),
    (lambda: fl.PiecewiseConstant((5, 5), (1.0, 0.5, 0.1)), ValueError, r"strictly increasing, got \[5, 5\]"),
    (lambda: fl.PiecewiseConstant((5,), (1.0,)), ValueError, r"len\(values\) == len\(boundaries\) \+ 1"),
    (lambda: fl.PiecewiseInterp((1, 5), (1.0, 0.5)), ValueError, r"knots must start at 0, got \[1, 5\]"),
    (
        lambda: fl.PiecewiseInterp((0, 5), (1.0, 0.5), kind="cubic"),
        ValueError,
        r"kind must be one of 'linear', 'cosine'",
    ),
    (lambda: fl.Exponential(1.0, 1.1, 10.0), ValueError, r"rate=1.1 > 1\) needs end="),
    (lambda: fl.Exponential(1.0, 0.0, 10.0), ValueError, r"rate must be > 0, got 0.0"),
    (lambda: fl.Cyclic(0.1, 1.0, 5.0, mode="sine"), ValueError, r"mode must be one of 'triangular', 'triangular2'"),
    (lambda: fl.OneCycle(0.1, 10, pct_start=1.0), ValueError, r"pct_start must be < 1, got 1.0"),
    (lambda: fl.OneCycle(0.1, 3, pct_start=0.9), ValueError, r"leaves no room for the phases"),
    (lambda: fl.Tanh(1.0, 0.0, 10, lower=3.0, upper=-7.0), ValueError, r"lower must be < upper"),
    (lambda: fl.Join((fl.Constant(1.0),), (5,)), ValueError, r"len\(boundaries\) == len\(phases\) - 1"),
    (lambda: fl.Join((fl.Constant(1.0), 3), (5,)), TypeError, r"phases\[1\] must be a shape"),
    (lambda: fl.Warmup(0), ValueError, r"Warmup: steps must be >= 1, got 0"),
    (
        lambda: fl.Warmup(10, mode="before"),
        ValueError,
        r"mode must be one of 'prefix', 'overlay', 'blend'; got 'before'",
    ),
    (lambda: fl.Warmup(10, shape="quadratic"), ValueError, r"shape must be one of 'linear', 'constant'"),
    (lambda: fl.Warmup(10, span=5.0), ValueError, r"progress .* must stay in \[0, 1\] during warmup"),
    (lambda: fl.Warmup(10, start=-0.1), ValueError, r"start must be >= 0, got -0.1"),
    (lambda: fl.Restarts(mult=0.5), ValueError, r"mult must be >= 1, got 0.5"),
    (lambda: fl.Restarts(decay=1.5), ValueError, r"decay=1.5 > 1\) needs a cycle limit"),
    (lambda: fl.Restarts(limit=0), ValueError, r"limit must be >= 1, got 0"),
    (lambda: fl.Restarts(mult=2.0, cycles=2.0), ValueError, r"cycles=2.0 needs mult=1"),
    (lambda: fl.Schedule(fl.MultiStep(1.0, (5,)), restarts=fl.Restarts()), ValueError, r"restarts repeat one of"),
    (
        lambda: fl.Schedule(fl.Cosine(1.0, 0.0, 10), restarts=fl.Restarts(warmup_steps=10)),
        ValueError,
        r"warmup_steps=10 must be < the cycle length",
    ),
    (lambda: fl.Schedule(fl.Cosine(0.0, 1.0, 10), restarts=fl.Restarts()), ValueError, r"restart.*decaying curve"),
    (lambda: fl.Schedule(fl.Cosine(1.0, 0.0, 10), floor=0.1, floor_ratio=0.1), ValueError, r"not both"),
    (lambda: fl.Schedule(fl.Cosine(1.0, 0.0, 10), steps_per_epoch=0), ValueError, r"steps_per_epoch must be >= 1"),
    (lambda: fl.Schedule("cosine"), TypeError, r"curve must be a shape"),
    (lambda: fl.Schedule(fl.Cosine(1.0, 0.0, 10), warmup=5), TypeError, r"warmup must be a fastlr.Warmup"),
    (lambda: fl.ScheduleSet({"lr": []}), ValueError, r"hyperparams\['lr'\] has no schedules"),
    (lambda: fl.ScheduleSet({"lr": [1.0]}), TypeError, r"hyperparams\['lr'\]\[0\] must be a schedule"),
]


@pytest.mark.parametrize("build, exc, pattern", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_parameters(build, exc, pattern):
    with pytest.raises(exc, match=pattern):
        build()


def _valid():
    return fl.Schedule(fl.Cosine(1e-3, 0.0, 100), warmup=fl.Warmup(10))


@pytest.mark.parametrize(
    "call, exc, pattern",
    [
        (lambda s: s.table(0), ValueError, r"T must be >= 1, got 0"),
        (lambda s: s.table(-5), ValueError, r"T must be >= 1, got -5"),
        (lambda s: s.table(10.0), TypeError, r"T must be an integer, got 10.0"),
        (lambda s: s.table(10, dtype=np.int32), ValueError, r"dtype must be float32 or float64, got 'int32'"),
        (lambda s: s.table(10, dtype=np.float16), ValueError, r"dtype must be float32 or float64, got 'float16'"),
        (lambda s: s.table(10, dtype="nonsense"), TypeError, r"dtype must be float32 or float64"),
        (lambda s: s.table(10, out=np.zeros(11)), ValueError, r"out has shape \(11,\), expected \(10,\)"),
        (
            lambda s: s.table(10, dtype=np.float64, out=np.zeros(10, np.float32)),
            ValueError,
            r"out has dtype float32, expected float64",
        ),
        (lambda s: s.table(10, out=np.zeros(20)[::2]), ValueError, r"out must be C-contiguous"),
        (lambda s: s.table(10, out=[0.0] * 10), TypeError, r"out must be a numpy array"),
        (lambda s: s.at(-1), ValueError, r"t must be >= 0, got -1"),
        (lambda s: s.at(1.5), TypeError, r"t must be an integer step"),
        (lambda s: s.at(np.array([1.0, 2.0])), TypeError, r"got dtype float64"),
        (lambda s: s.at(True), TypeError, r"t must be an integer step"),
        (
            lambda s: fl.sweep([s, 3], 10),
            TypeError,
            r"configs\[1\] must be a schedule, a to_dict\(\) dict or a flat config; got 3",
        ),
        (lambda s: fl.sweep([], 10), ValueError, r"configs are empty"),
        (lambda s: fl.sweep([s], 10, out=np.zeros((2, 10), np.float32)), ValueError, r"out has shape \(2, 10\)"),
    ],
)
def test_bad_evaluation_arguments(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call(_valid())


def test_read_only_out_is_refused():
    out = np.zeros(10)
    out.setflags(write=False)
    with pytest.raises(ValueError, match="out must be writeable"):
        _valid().table(10, out=out)


def test_memory_guard(monkeypatch):
    import fastlr._checks as eng

    monkeypatch.setattr(eng, "available_memory", lambda: 1_000_000)
    with pytest.raises(
        fl.MemoryLimitError, match=r"needs 8,000,000 bytes but only 1,000,000 bytes are available; pass out="
    ):
        _valid().table(1_000_000)
    with pytest.raises(MemoryError, match=r"\(1000, 1000\) float32 needs 4,000,000 bytes"):
        fl.sweep([_valid()] * 1000, 1000)
    # with out= nothing is allocated and nothing refused
    out = np.empty(1000)
    _valid().table(1000, out=out)


def test_inputs_are_not_mutated():
    ms = [30, 10]
    with pytest.raises(ValueError):
        fl.MultiStep(1.0, ms)
    assert ms == [30, 10]
    ms = [10, 30]
    arr = np.array([5, 7])
    s = fl.MultiStep(1.0, ms)
    ms.append(40)
    assert s.milestones == (10, 30)
    steps = arr.copy()
    s.at(steps)
    np.testing.assert_array_equal(steps, arr)
    hp = {"lr": [s]}
    ss = fl.ScheduleSet(hp)
    hp["lr"].append(s)
    assert len(ss["lr"]) == 1


def test_specs_are_immutable_and_hashable():
    s = _valid()
    with pytest.raises(AttributeError):
        s.scale = 2.0  # type: ignore[misc]
    assert hash(s) == hash(_valid())
    assert len({s, _valid(), fl.Schedule(fl.Cosine(1e-3, 0.0, 101))}) == 2


def test_dtype_follows_out_when_not_given():
    s = _valid()
    out = np.zeros(10, np.float32)
    assert s.table(10, out=out) is out
    np.testing.assert_array_equal(out, s.table(10, dtype=np.float32))
    assert s.table(10).dtype == np.float64
    assert fl.sweep([s], 10).dtype == np.float32
