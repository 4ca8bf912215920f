"""pytorch_warmup dialect: parity with vectors recorded from pytorch-warmup 0.2.0 (dampening real
torch schedulers), live parity when pytorch_warmup imports, and errors.

The recorded main schedule is a torch preset description; it is built with
``fastlr.presets.torch`` and, independently, with core schedules of the same formulas. Everything
is float64 (``assert_close64``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.pytorch_warmup as pw
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "pytorch_warmup.json"
RECORDS = [r for r in json.loads(DATA.read_text()) if r["peer"] == "pytorch_warmup"]


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}" for i, r in enumerate(recs)]


def torch_preset(desc):
    """A torch preset description built with ``fastlr.presets.torch`` (children first)."""
    tp = pytest.importorskip("fastlr.presets.torch")
    kw = dict(desc["kwargs"])
    if "schedulers" in kw:
        kw["schedulers"] = [torch_preset(c) for c in kw["schedulers"]]
    return getattr(tp, desc["call"])(**kw)


def core_main(desc):
    """The same main schedule from core shapes, written from torch's closed forms."""
    call, kw = desc["call"], desc["kwargs"]
    if call == "ExponentialLR":
        B, g = kw["base_lr"], kw["gamma"]
        return fastlr.Constant(B) if g == 1.0 else fastlr.Exponential(B, g, 1.0)
    if call == "CosineAnnealingLR":
        return fastlr.Cosine(kw["base_lr"], kw.get("eta_min", 0.0), kw["T_max"], after="continue")
    if call == "StepLR":
        return fastlr.StepDecay(kw["base_lr"], kw["step_size"], kw.get("gamma", 0.1))
    if call == "LinearLR":
        curve = fastlr.Linear(kw.get("start_factor", 1 / 3), kw.get("end_factor", 1.0), kw.get("total_iters", 5))
        return fastlr.Schedule(curve, scale=kw["base_lr"])
    if call == "ConstantLR":
        B, f, n = kw["base_lr"], kw.get("factor", 1 / 3), kw.get("total_iters", 5)
        return fastlr.PiecewiseConstant((n,), (B * f, B))
    if call == "CosineAnnealingWarmRestarts":
        curve = fastlr.Cosine(kw["base_lr"], kw.get("eta_min", 0.0), kw["T_0"])
        return fastlr.Schedule(curve, restarts=fastlr.Restarts(mult=float(kw.get("T_mult", 1))))
    if call == "SequentialLR":
        kids = [core_main(c) for c in kw["schedulers"]]
        return fastlr.Join(tuple(kids), tuple(kw["milestones"]))
    if call == "OneCycleLR":  # two-phase cosine, torch's phase ends pct*N - 1 and N - 1
        N, top = kw["total_steps"], kw["max_lr"]
        pct, div, fdiv = kw.get("pct_start", 0.3), kw.get("div_factor", 25.0), kw.get("final_div_factor", 1e4)
        init, low = top / div, top / div / fdiv
        e1, e2 = float(pct * N) - 1, float(N - 1)
        first = math.floor(e1) + 1
        up = fastlr.Cosine(init, top, first - 1, span=e1)
        down = fastlr.Cosine(top, low, N - 1 - first, span=e2 - e1, offset=e1 - first)
        return fastlr.Join((up, down), (first,))
    raise AssertionError(f"no core form for {call}")


def build(rec, main_builder):
    kw = dict(rec["kwargs"])
    if kw["main_schedule"] is not None:
        kw["main_schedule"] = main_builder(kw["main_schedule"])
    return getattr(pw, rec["call"])(**kw)


@pytest.mark.parametrize("main_builder", [torch_preset, core_main], ids=["torch-preset", "core"])
@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec, main_builder):
    if rec.get("raises_at") == 0:
        with pytest.raises(ValueError, match="beta2"):
            build(rec, main_builder)
        return
    values = np.array(rec["values"]["lr"][0])
    if rec["call"] == "RAdamWarmup":
        main = main_builder(rec["kwargs"]["main_schedule"])
        omega = [pw.radam_factor(t, rec["kwargs"]["beta2"]) for t in range(rec["T"])]
        assert_close64(main.table(rec["T"]) * np.array(omega), values)  # the documented factor is right
    if "momentum" in rec["values"]:  # a ScheduleSet main schedule: the torch preset gives the set
        if main_builder is core_main:
            pytest.skip("the core form of OneCycleLR here is the lr curve alone")
        tab = build(rec, main_builder).table(rec["T"])
        for k, groups in rec["values"].items():
            assert_close64(tab[k], np.array(groups), err_msg=f"{k} {rec.get('note')}")
        return
    assert_close64(build(rec, main_builder).table(rec["T"]), values, err_msg=rec.get("note") or "")


def test_every_class_recorded():
    assert {r["call"] for r in RECORDS} == set(pw.__all__) - {"radam_factor"}


# ---- live parity (pytorch_warmup installed) ------------------------------------------------


@pytest.mark.parametrize(
    "call,kwargs",
    [
        ("LinearWarmup", dict(warmup_period=7)),
        ("ExponentialWarmup", dict(warmup_period=3)),
        ("UntunedLinearWarmup", dict(beta2=0.97)),
        ("UntunedExponentialWarmup", dict(beta2=0.93)),
    ],
)
def test_live(call, kwargs):
    torch = pytest.importorskip("torch")
    PW = pytest.importorskip("pytorch_warmup")
    tp = pytest.importorskip("fastlr.presets.torch")
    T = 150
    beta2 = kwargs.get("beta2", 0.999)
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.05, betas=(0.9, beta2))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60, eta_min=0.001)
    warm = getattr(PW, call)(opt, **{k: v for k, v in kwargs.items() if k != "beta2"})
    expected = []
    for _ in range(T):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        with warm.dampening():
            sched.step()
    main = tp.CosineAnnealingLR(base_lr=0.05, T_max=60, eta_min=0.001)
    assert_close64(getattr(pw, call)(main, **kwargs).table(T), expected)


# ---- behaviour -----------------------------------------------------------------------------


def test_factor_conventions():
    s = pw.LinearWarmup(None, warmup_period=4, base_lr=1.0)
    np.testing.assert_allclose(s.table(6), [0.25, 0.5, 0.75, 1.0, 1.0, 1.0], rtol=0, atol=0)
    e = pw.ExponentialWarmup(None, warmup_period=2, base_lr=1.0)
    t = np.arange(200)
    assert_close64(e.table(200), 1.0 - np.exp(-(t + 1) / 2))
    assert e.at(75) == 1.0  # exactly 1 once 1 - exp(-x) rounds to 1


@pytest.mark.parametrize("beta2,linear,expo", [(0.98, 99, 49), (0.999, 1999, 999), (0.9, 20, 10)])
def test_untuned_periods_truncate(beta2, linear, expo):
    lin = pw.UntunedLinearWarmup(None, beta2=beta2, base_lr=1.0)
    assert lin.at(linear - 2) < 1.0 and lin.at(linear - 1) == 1.0
    ex = pw.UntunedExponentialWarmup(None, beta2=beta2, base_lr=1.0)
    assert ex.at(0) == pytest.approx(1.0 - math.exp(-1.0 / expo))


def test_main_schedule_is_kept():
    main = fastlr.Schedule(fastlr.Cosine(1.0, 0.0, 100), scale=0.1, floor=0.01)
    s = pw.LinearWarmup(main, warmup_period=10)
    assert s.scale == 0.1 and s.floor == 0.01 and s.warmup.mode == "overlay"
    assert_close64(s.table(120)[10:], main.table(120)[10:])
    assert pw.LinearWarmup(main, warmup_period=1) == main
    again = fastlr.from_dict(json.loads(s.to_json()))
    np.testing.assert_array_equal(again.table(50), s.table(50))


# ---- errors --------------------------------------------------------------------------------

MAIN = fastlr.Constant(0.1)
ERRORS = [
    (pw.LinearWarmup, dict(main_schedule=MAIN, warmup_period=0), ValueError, "warmup_period"),
    (pw.LinearWarmup, dict(main_schedule=MAIN, warmup_period=2.0), TypeError, "warmup_period"),
    (pw.LinearWarmup, dict(main_schedule=MAIN, warmup_period=[2, 3]), TypeError, "per-group"),
    (pw.ExponentialWarmup, dict(main_schedule=None, warmup_period=3), TypeError, "base_lr"),
    (pw.ExponentialWarmup, dict(main_schedule=MAIN, warmup_period=3, base_lr=0.1), TypeError, "base_lr"),
    (pw.ExponentialWarmup, dict(main_schedule=lambda t: 0.1, warmup_period=3), TypeError, "main_schedule"),
    (
        pw.LinearWarmup,
        dict(main_schedule=fastlr.Schedule(MAIN, warmup=fastlr.Warmup(5)), warmup_period=3),
        ValueError,
        "already has a warmup",
    ),
    (pw.UntunedLinearWarmup, dict(main_schedule=MAIN, beta2=1.0), ValueError, "beta2"),
    (pw.UntunedExponentialWarmup, dict(main_schedule=MAIN, beta2=-0.1), ValueError, "beta2"),
    (pw.RAdamWarmup, dict(main_schedule=MAIN, beta2=0.5), ValueError, "beta2"),
    (pw.radam_factor, dict(t=-1, beta2=0.999), ValueError, "t"),
]


@pytest.mark.parametrize("fn,kwargs,exc,match", ERRORS, ids=[f"{f.__name__}-{m}" for f, _, _, m in ERRORS])
def test_errors(fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(**kwargs)
