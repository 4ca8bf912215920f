"""fvcore / detectron2 dialect: parity with vectors recorded from fvcore 0.1.5 (detectron2's
wrappers composed from real fvcore objects), exact switch steps under fvcore's float ``where``
(epsilon effects at large ``total_steps``), live parity when fvcore imports, and errors.

fvcore computes in Python floats (float64): ``assert_close64`` throughout.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastlr
import fastlr.presets.fvcore as fv
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "fvcore.json"
RECORDS = [r for r in json.loads(DATA.read_text()) if r["peer"] == "fvcore"]
EXTRAPOLATING = ("LinearParamScheduler", "PolynomialDecayParamScheduler")  # fvcore extrapolates past where = 1


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}" for i, r in enumerate(recs)]


def build(call, kwargs):
    """Record kwargs -> preset: children (``{"call", "kwargs"}``) are built without total_steps."""
    kw = dict(kwargs)
    if call == "CompositeParamScheduler":
        kw["schedulers"] = [build(c["call"], c["kwargs"]) for c in kw["schedulers"]]
    if call == "WarmupParamScheduler":
        kw["scheduler"] = build(kw["scheduler"]["call"], kw["scheduler"]["kwargs"])
    return getattr(fv, call)(**kw)


@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    if rec.get("raises_at") == 0:
        with pytest.raises(ValueError, match=r"[Mm]ilestone"):
            build(rec["call"], rec["kwargs"])
        return
    values = np.array(rec["values"]["lr"][0])
    s = build(rec["call"], rec["kwargs"])
    table = s.table(rec["T"])
    n = len(values)  # values stop where fvcore raised
    if rec["call"] in EXTRAPOLATING:
        N = rec["kwargs"]["total_steps"]
        n = min(n, N + 1)
        assert np.all(table[N:] == table[N])  # fastlr holds the value at where = 1
    assert_close64(table[:n], values[:n], err_msg=rec.get("note") or "")


def test_every_name_recorded():
    names = {r["call"] for r in RECORDS}
    assert names == set(fv.__all__) - {"ParamScheduler"}


# ---- exact switch steps: build() against the descriptions' own fvcore arithmetic ------------


def leaf(draw, depth):
    kind = draw(
        st.sampled_from(
            ["const", "cos", "lin", "exp", "poly", "step", "multistep"] + (["composite"] if depth < 2 else [])
        )
    )
    u = st.floats(0.05, 1.0)
    if kind == "const":
        return fv.ConstantParamScheduler(draw(u))
    if kind == "cos":
        return fv.CosineParamScheduler(draw(u), draw(u))
    if kind == "lin":
        return fv.LinearParamScheduler(draw(u), draw(u))
    if kind == "exp":
        return fv.ExponentialParamScheduler(draw(u), draw(st.floats(0.01, 0.99)))
    if kind == "poly":
        return fv.PolynomialDecayParamScheduler(draw(u), draw(st.floats(0.5, 3.0)))
    if kind == "step":
        return fv.StepParamScheduler(draw(st.integers(1, 100)), draw(st.lists(u, min_size=1, max_size=6)))
    if kind == "multistep":
        nu = draw(st.integers(3, 5_000_000))
        ms = sorted(draw(st.sets(st.integers(1, nu - 1), min_size=1, max_size=4)))
        return fv.MultiStepParamScheduler([draw(u) for _ in range(len(ms) + 1)], nu, ms)
    k = draw(st.integers(1, 3))
    kids = [leaf(draw, depth + 1) for _ in range(k)]
    raw = draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k))
    total = sum(raw) or 1.0
    lengths = [x / total for x in raw] if sum(raw) else [1.0 / k] * k
    scaling = draw(st.lists(st.sampled_from(["rescaled", "fixed"]), min_size=k, max_size=k))
    return fv.CompositeParamScheduler(kids, lengths, scaling)


@st.composite
def configs(draw):
    return leaf(draw, 0), draw(st.integers(1, 4_000_000))


def fvcore_value(sched, i, N):
    """The value fvcore defines at step i, or None where it raises / leaves the reals."""
    try:
        v = sched(i / N)
    except (RuntimeError, IndexError, ZeroDivisionError):
        return None
    if isinstance(v, complex) or v < 0:
        return None
    return v


def _compare_at(sched, N, steps, peer):
    """Compare on fvcore's domain, where = i / N <= 1 (past it fvcore extrapolates, fastlr holds)."""
    steps = [i for i in steps if i <= N]
    s = sched.build(N)
    got = s.at(np.asarray(steps, dtype=np.int64))
    for i, g in zip(steps, got):
        e = fvcore_value(peer, int(i), N)
        if e is None:
            continue
        assert abs(g - e) <= 1e-12 * abs(e) + 1e-15, (int(i), g, e)


@settings(max_examples=40)
@given(configs(), st.integers(0, 2**31))
def test_build_matches_fvcore_arithmetic(config, seed):
    sched, N = config
    rng = np.random.default_rng(seed)
    steps = sorted(set(rng.integers(0, N + 2, 60).tolist()) | {0, N - 1, N})
    _compare_at(sched, N, steps, sched)


@pytest.mark.parametrize("N", [999_999, 1_000_001, 3_000_000, 10_000_003])
def test_epsilon_switches_at_large_total_steps(N):
    """With ``total_steps > 1e6`` fvcore's ``where + 1e-6`` moves switches one step (or more)
    early; the steps around every threshold must match fvcore's floats exactly."""
    steps_at = (N // 3, N // 2 + 7)
    s = fv.WarmupMultiStepLR(total_steps=N, base_lr=1.0, steps=steps_at, warmup_iters=1234)
    mult = fv.WarmupParamScheduler(
        fv.MultiStepParamScheduler([0.1**k for k in range(3)], milestones=list(steps_at), num_updates=N),
        0.001,
        min(1234 / N, 1.0),
    )
    around = sorted({t for m in (*steps_at, 1234) for t in range(max(0, m - 8), m + 8)})
    table = s.at(np.array(around))
    expected = [mult(t / N) for t in around]
    assert_close64(table, expected)
    if N > 1_000_000:  # the warmup ends one step early: step 1233 is already on the main schedule
        assert s.at(1233) == pytest.approx(1.0)


# ---- live parity (fvcore installed) --------------------------------------------------------


def _peer(sched, P):
    """The same scheduler built from real fvcore classes."""
    if isinstance(sched, fv._Composite):
        return P.CompositeParamScheduler(
            [_peer(c, P) for c in sched.schedulers], list(sched.lengths), list(sched.interval_scaling)
        )
    if isinstance(sched, fv._Constant):
        return P.ConstantParamScheduler(sched.value)
    if isinstance(sched, fv._Cosine):
        return P.CosineParamScheduler(sched.start, sched.end)
    if isinstance(sched, fv._Linear):
        return P.LinearParamScheduler(sched.start, sched.end)
    if isinstance(sched, fv._Exponential):
        return P.ExponentialParamScheduler(sched.start, sched.decay)
    if isinstance(sched, fv._Poly):
        return P.PolynomialDecayParamScheduler(sched.base, sched.power)
    if isinstance(sched, fv._Step):
        return P.StepParamScheduler(1, list(sched.values))
    assert isinstance(sched, fv._MultiStep)
    return P.MultiStepParamScheduler(list(sched.values), sched.num_updates, list(sched.milestones))


@settings(max_examples=40)
@given(configs(), st.integers(0, 2**31))
def test_live_random_configs(config, seed):
    P = pytest.importorskip("fvcore.common.param_scheduler")
    sched, N = config
    rng = np.random.default_rng(seed)
    steps = sorted(set(rng.integers(0, N + 2, 60).tolist()) | {0, N - 1, N})
    _compare_at(sched, N, steps, _peer(sched, P))


def test_live_detectron2_composition():
    """detectron2's WarmupParamScheduler as composed from real fvcore objects."""
    P = pytest.importorskip("fvcore.common.param_scheduler")
    N, L = 2_000_003, 777 / 2_000_003
    main = P.MultiStepParamScheduler(values=[1.0, 0.1, 0.01], milestones=[700_001, 1_500_000], num_updates=N)
    warm = P.LinearParamScheduler(0.001 * main(0.0), main(L))
    peer = P.CompositeParamScheduler([warm, main], lengths=[L, 1 - L], interval_scaling=["rescaled", "fixed"])
    s = fv.WarmupMultiStepLR(total_steps=N, base_lr=1.0, steps=(700_001, 1_500_000, N + 5), warmup_iters=777)
    around = sorted({t for m in (777, 700_001, 1_500_000, N - 1) for t in range(m - 5, min(m + 5, N))})
    assert_close64(s.at(np.array(around)), [peer(t / N) for t in around])


# ---- behaviour -----------------------------------------------------------------------------


def test_description_and_schedule():
    d = fv.CosineParamScheduler(1.0, 0.0)
    assert isinstance(d, fv.ParamScheduler) and d(0.5) == pytest.approx(0.5)
    s = fv.CosineParamScheduler(1.0, 0.0, total_steps=10)
    assert isinstance(s, fastlr.Shape)
    again = fastlr.from_dict(json.loads(s.to_json()))
    np.testing.assert_array_equal(again.table(30), s.table(30))
    d2 = fv.WarmupCosineLR(total_steps=100, base_lr=0.1, warmup_iters=10)
    assert isinstance(d2, fastlr.Schedule) and d2.scale == 0.1


def test_past_the_end_holds():
    const = fv.ConstantParamScheduler(0.3, total_steps=5).table(12)
    assert np.all(const == 0.3)  # fvcore raises from step 5
    step = fv.StepWithFixedGammaParamScheduler(1.0, 2, 0.5, 6, total_steps=6).table(12)
    assert np.all(step[5:] == 0.25)  # fvcore indexes past its list from step 6
    cos = fv.CosineParamScheduler(1.0, 0.0, total_steps=10).table(21)
    assert cos[20] == pytest.approx(1.0)  # fvcore's cosine rises again past where = 1


def test_caller_lengths_not_mutated():
    lengths = [0.3, 0.6995]
    fv.CompositeParamScheduler(
        [fv.ConstantParamScheduler(1.0), fv.ConstantParamScheduler(0.5)], lengths, ["rescaled", "rescaled"]
    )
    assert lengths == [0.3, 0.6995]


# ---- errors --------------------------------------------------------------------------------

C = fv.ConstantParamScheduler(1.0)
ERRORS = [
    (fv.MultiStepParamScheduler, dict(values=[1.0, 0.1]), ValueError, "cannot both be None"),
    (
        fv.MultiStepParamScheduler,
        dict(values=[1.0, 0.1], num_updates=10, milestones=[3, 5]),
        ValueError,
        "1 milestones",
    ),
    (
        fv.MultiStepParamScheduler,
        dict(values=[1.0, 0.1], num_updates=10, milestones=[10]),
        ValueError,
        "smaller than total",
    ),
    (
        fv.MultiStepParamScheduler,
        dict(values=[1.0, 0.1, 0.01], num_updates=10, milestones=[5, 3]),
        ValueError,
        "strictly increasing",
    ),
    (fv.MultiStepParamScheduler, dict(values=[1.0, 0.1, 0.01], num_updates=2), ValueError, "num_updates"),
    (fv.StepParamScheduler, dict(num_updates=0, values=[1.0]), ValueError, "num_updates"),
    (fv.StepParamScheduler, dict(num_updates=10, values=[]), ValueError, "at least one"),
    (
        fv.StepWithFixedGammaParamScheduler,
        dict(base_value=1.0, num_decays=2, gamma=0.0, num_updates=10),
        ValueError,
        "gamma",
    ),
    (
        fv.StepWithFixedGammaParamScheduler,
        dict(base_value=1.0, num_decays=2.0, gamma=0.1, num_updates=10),
        ValueError,
        "num_decays",
    ),
    (fv.ExponentialParamScheduler, dict(start_value=1.0, decay=0.0), ValueError, "decay"),
    (fv.PolynomialDecayParamScheduler, dict(base_value=1.0, power=-1.0), ValueError, "power"),
    (fv.LinearParamScheduler, dict(start_value=-1.0, end_value=0.0), ValueError, "start_value"),
    (
        fv.CompositeParamScheduler,
        dict(schedulers=[C, C], lengths=[0.5], interval_scaling=["fixed"]),
        ValueError,
        "same length",
    ),
    (
        fv.CompositeParamScheduler,
        dict(schedulers=[C, C], lengths=[0.5, 0.4], interval_scaling=["fixed"] * 2),
        ValueError,
        "must be 1",
    ),
    (
        fv.CompositeParamScheduler,
        dict(schedulers=[C, C], lengths=[1.2, -0.2], interval_scaling=["fixed"] * 2),
        ValueError,
        "lengths",
    ),
    (
        fv.CompositeParamScheduler,
        dict(schedulers=[C], lengths=[1.0], interval_scaling=["scaled"]),
        ValueError,
        "interval_scaling",
    ),
    (
        fv.CompositeParamScheduler,
        dict(schedulers=[C], lengths=[1.0], interval_scaling=[]),
        ValueError,
        "interval_scaling",
    ),
    (fv.CompositeParamScheduler, dict(schedulers=[], lengths=[], interval_scaling=[]), ValueError, "at least one"),
    (
        fv.CompositeParamScheduler,
        dict(schedulers=[fv.ConstantParamScheduler(1.0, total_steps=5)], lengths=[1.0], interval_scaling=["fixed"]),
        TypeError,
        "without total_steps",
    ),
    (fv.WarmupParamScheduler, dict(scheduler=C, warmup_factor=0.1, warmup_length=1.0), ValueError, "warmup_length"),
    (
        fv.WarmupParamScheduler,
        dict(scheduler=C, warmup_factor=0.1, warmup_length=0.1, warmup_method="cosine"),
        ValueError,
        "warmup_method",
    ),
    (fv.WarmupParamScheduler, dict(scheduler=C, warmup_factor=0.1, warmup_length=1.5), ValueError, "warmup_length"),
    (fv.WarmupCosineLR, dict(total_steps=10, base_lr=0.1, base_lr_end=0.2), ValueError, "base_lr_end"),
    (fv.WarmupCosineLR, dict(total_steps=10, base_lr=0.0), ValueError, "base_lr"),
    (fv.WarmupMultiStepLR, dict(total_steps=0), ValueError, "total_steps"),
    (fv.WarmupMultiStepLR, dict(total_steps=100, steps=(100,)), ValueError, "milestone"),
    (fv.CosineParamScheduler, dict(start_value=1.0, end_value=0.0, total_steps=2.5), TypeError, "total_steps"),
]


@pytest.mark.parametrize("fn,kwargs,exc,match", ERRORS, ids=[f"{f.__name__}-{m}" for f, _, _, m in ERRORS])
def test_errors(fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(**kwargs)
