"""PyTorch dialect: parity with vectors recorded from torch, live parity with the installed torch
over many parameter combinations, the quirks on purpose, and errors.

The live loop is torch's canonical one: read the param groups, ``optimizer.step()``,
``scheduler.step()``; entry ``i`` is the value that update ``i`` uses.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.torch as pt
from fastlr.presets._common import GROWTH_CAP
from tests.tolerance import assert_close64

torch = pytest.importorskip("torch")
S = torch.optim.lr_scheduler

DATA = Path(__file__).parent / "data" / "peers" / "torch.json"
RECORDS = [r for r in json.loads(DATA.read_text()) if r["peer"] == "torch"] if DATA.exists() else []
OWN_LR = ("CyclicLR", "OneCycleLR")
COMPOSITES = ("SequentialLR", "ChainedScheduler")

# records that the peer computes but fastlr refuses on purpose (documented in the module)
REFUSED = {
    "non-multiplicative child (eta_min != 0)": "not multiplicative",
}


def C(call, **kw):
    return {"call": call, "kwargs": kw}


def build(desc):
    """A record's ``{"call", "kwargs"}`` -> the preset (children built first)."""
    kw = dict(desc["kwargs"])
    if "schedulers" in kw:
        kw["schedulers"] = [build(c) for c in kw["schedulers"]]
    return getattr(pt, desc["call"])(**kw)


def tables(obj, T):
    """``{name: (groups, T)}`` for a schedule or a ScheduleSet."""
    tab = obj.table(T)
    return tab if isinstance(tab, dict) else {"lr": tab[None, :]}


def total_steps(kw):
    return kw.get("total_steps") or kw["epochs"] * kw["steps_per_epoch"]


def close(actual, expected, base, err_msg=""):
    """assert_close64, with the absolute term taken from ``max(peak, base_lr)``: torch's recursive
    forms leave residues of ~1e-17 * base_lr where the closed form is exactly 0."""
    expected = np.asarray(expected, dtype=np.float64)
    peak = float(np.max(np.abs(expected))) if expected.size else 0.0
    ref = max(peak, base)
    assert_close64(actual, expected, peak_atol=1e-15 * ref / peak if peak > 0 else 0.0, err_msg=err_msg)


# ---- the live torch loop ---------------------------------------------------------------------


def _base_of(desc):
    kw = desc["kwargs"]
    if desc["call"] in COMPOSITES:
        return _base_of(kw["schedulers"][0])
    if desc["call"] == "OneCycleLR":
        return kw["max_lr"]
    return kw["base_lr"]


def _torch_build(desc, opt):
    kw = dict(desc["kwargs"])
    if desc["call"] in COMPOSITES:
        children = [_torch_build(c, opt) for c in kw.pop("schedulers")]
        if desc["call"] == "SequentialLR":
            return S.SequentialLR(opt, children, **kw)
        return S.ChainedScheduler(children, optimizer=opt)
    if desc["call"] not in OWN_LR:
        kw.pop("base_lr")
    return getattr(S, desc["call"])(opt, **kw)


def run_torch(desc, T):
    """Drive the real torch scheduler with an SGD optimizer; stop where torch raises."""
    momentum = desc["call"] in OWN_LR and desc["kwargs"].get("cycle_momentum", True)
    base = _base_of(desc)
    lrs = base if isinstance(base, list) else [base]
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    opt = torch.optim.SGD(groups, lr=lrs[0], momentum=0.9 if momentum else 0.0)
    keys = ("lr", "momentum") if momentum else ("lr",)
    out = {k: [[] for _ in lrs] for k in keys}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = _torch_build(desc, opt)
        for i in range(T):
            for k in keys:
                for g, group in enumerate(opt.param_groups):
                    out[k][g].append(float(group[k]))
            if i == T - 1:
                break
            opt.step()
            try:
                sched.step()
            except ValueError:  # OneCycleLR past total_steps
                break
    return out


def compare_live(desc, T):
    ref = run_torch(desc, T)
    tab = tables(build(desc), T)
    n = T
    if desc["call"] == "OneCycleLR":
        n = min(T, total_steps(desc["kwargs"]))
    base = float(np.max(np.abs(np.asarray(ref["lr"]))))
    for k, v in ref.items():
        m = min(n, len(v[0]))
        close(tab[k][:, :m], np.asarray(v)[:, :m], base, err_msg=f"{k} {json.dumps(desc)}")


# ---- recorded vectors ------------------------------------------------------------------------


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}" for i, r in enumerate(recs)]


@pytest.mark.skipif(not RECORDS, reason="tests/data/peers/torch.json not recorded")
@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    note = rec.get("note") or ""
    if note in REFUSED:
        with pytest.raises(ValueError, match=REFUSED[note]):
            build(rec)
        return
    if rec.get("raises_at") is not None:
        # the peer fails at step raises_at: fastlr refuses the config, or (OneCycleLR past
        # total_steps) holds the last value; the recorded prefix must match either way
        try:
            obj = build(rec)
        except ValueError as e:
            assert "divide" in str(e) or "zero" in str(e), e
            return
    else:
        obj = build(rec)
    T = rec["T"]
    tab = tables(obj, T)
    n = T
    if rec["call"] == "OneCycleLR":
        n = total_steps(rec["kwargs"])
    base = float(np.max(np.abs(np.asarray(rec["values"]["lr"]))))
    for k, v in rec["values"].items():
        m = min(n, len(v[0]))
        assert m > 0
        close(tab[k][:, :m], np.asarray(v)[:, :m], base, err_msg=k)
    if rec["call"] == "OneCycleLR":
        for k in tab:
            assert np.all(tab[k][:, n:] == tab[k][:, n - 1 : n])


def test_records_cover_every_class():
    if not RECORDS:
        pytest.skip("no records")
    calls = {r["call"] for r in RECORDS}
    # LambdaLR and MultiplicativeLR take a function, which a JSON record cannot hold: they run
    # against live torch in tests/test_formula.py
    assert calls >= set(pt.__all__) - {"LambdaLR", "MultiplicativeLR"}


# ---- live parity over many parameter combinations --------------------------------------------


def _simple(rng, B):
    c = rng.choice(
        ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR"]
    )
    ri = lambda a, b: int(rng.integers(a, b + 1))  # noqa: E731
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    if c == "StepLR":
        return C(c, base_lr=B, step_size=ri(1, 12), gamma=pick([0.1, 0.5, 0.9, 1.0, 0.0, 1.05]))
    if c == "MultiStepLR":
        return C(c, base_lr=B, milestones=[ri(0, 30) for _ in range(ri(0, 4))], gamma=pick([0.1, 0.5, 0.0, 2.0]))
    if c == "ConstantLR":
        return C(c, base_lr=B, factor=pick([0.1, 0.5, 1 / 3, 1.0]), total_iters=ri(-1, 15))
    if c == "LinearLR":
        sf, ef = pick([0.01, 0.1, 1 / 3, 1.0]), pick([1.0, 0.5, 0.0, 0.2])
        return C(c, base_lr=B, start_factor=sf, end_factor=ef, total_iters=ri(-1, 20))
    if c == "ExponentialLR":
        return C(c, base_lr=B, gamma=pick([0.9, 0.99, 1.0, 0.5, 1.02, 0.0]))
    if c == "PolynomialLR":
        return C(c, base_lr=B, total_iters=ri(-1, 20), power=pick([1.0, 2.0, 0.5, 0.0, 3.3]))
    return C(c, base_lr=B, T_max=ri(1, 15), eta_min=pick([0.0, 0.0, 1e-3 * B, 0.5 * B]))


def _config(rng, kind):
    ri = lambda a, b: int(rng.integers(a, b + 1))  # noqa: E731
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    B = pick([0.1, 1.0, 3e-4, 10.0, 1e-8])
    if kind == "simple":
        return _simple(rng, B)
    if kind == "CosineAnnealingWarmRestarts":
        return C(kind, base_lr=B, T_0=ri(1, 10), T_mult=ri(1, 3), eta_min=pick([0.0, 0.1 * B]))
    if kind == "CyclicLR":
        kw = {
            "base_lr": pick([B * 0.01, [B * 0.01, B * 0.1]]),
            "max_lr": B,
            "step_size_up": pick([1, 2, 5, 3.5]),
            "mode": pick(["triangular", "triangular2", "exp_range"]),
            "cycle_momentum": bool(rng.integers(2)),
        }
        if rng.integers(2):
            kw["step_size_down"] = pick([1, 4, 2.5])
        if kw["mode"] == "exp_range":
            kw["gamma"] = pick([0.9, 0.99, 1.0])
        return C(kind, **kw)
    if kind == "OneCycleLR":
        pct = pick([0.0, 0.05, 0.15, 0.25, 0.3, 0.5, 0.9, 1.0, 0.33])
        n = ri(1, 60)
        if pct * n == 1.0:
            pct = 0.3
        return C(
            kind,
            max_lr=pick([B, [B, 2 * B]]),
            total_steps=n,
            pct_start=pct,
            anneal_strategy=pick(["cos", "linear"]),
            three_phase=bool(rng.integers(2)),
            cycle_momentum=bool(rng.integers(2)),
            div_factor=pick([25.0, 10.0, 1.0]),
            final_div_factor=pick([1e4, 10.0, 1.0]),
        )
    if kind == "SequentialRestarts":
        # warm restarts anywhere among the children, and restarted MultiStepLRs with negative milestones
        k = ri(2, 4)
        children = [_simple(rng, B) for _ in range(k)]
        children[ri(0, k - 1)] = C("CosineAnnealingWarmRestarts", base_lr=B, T_0=ri(1, 6), T_mult=ri(1, 2))
        if rng.integers(2):
            ms = sorted([ri(-3, -1), ri(-2, 0), ri(1, 9)][: ri(1, 3)])
            children[ri(0, k - 1)] = C("MultiStepLR", base_lr=B, milestones=ms, gamma=pick([0.5, 0.1, 0.0]))
        return C("SequentialLR", schedulers=children, milestones=sorted(ri(0, 20) for _ in range(k - 1)))
    if kind == "SequentialLR":
        k = ri(1, 3)
        children = [_simple(rng, B) for _ in range(k)]
        return C(kind, schedulers=children, milestones=sorted(ri(0, 25) for _ in range(k - 1)))
    # ChainedScheduler: multiplicative children whose product fastlr expresses
    warm = pick(
        [
            C("LinearLR", base_lr=B, start_factor=pick([0.01, 0.2]), end_factor=pick([1.0, 0.5]), total_iters=ri(1, 8)),
            C("ConstantLR", base_lr=B, factor=pick([0.1, 0.5]), total_iters=ri(0, 8)),
        ]
    )
    decay = pick(
        [
            C("ExponentialLR", base_lr=B, gamma=pick([0.9, 0.97])),
            C("StepLR", base_lr=B, step_size=ri(1, 6), gamma=pick([0.5, 0.9])),
            C("PolynomialLR", base_lr=B, total_iters=ri(1, 30), power=pick([1.0, 2.0])),
            C("CosineAnnealingLR", base_lr=B, T_max=ri(8, 15)),
            C("LinearLR", base_lr=B, start_factor=1.0, end_factor=pick([0.0, 0.1]), total_iters=ri(1, 30)),
        ]
    )
    steps = C("MultiStepLR", base_lr=B, milestones=sorted(ri(0, 8) for _ in range(ri(0, 2))), gamma=0.5)
    if kind == "ChainedProducts":
        # several decays at once: products of curves
        decays = [
            C("ExponentialLR", base_lr=B, gamma=pick([0.9, 0.97, 1.02])),
            C("StepLR", base_lr=B, step_size=ri(1, 6), gamma=pick([0.5, 0.9])),
            C("StepLR", base_lr=B, step_size=ri(2, 9), gamma=pick([0.7, 0.3])),
            C("PolynomialLR", base_lr=B, total_iters=ri(1, 30), power=pick([1.0, 2.0, 0.5])),
            C("LinearLR", base_lr=B, start_factor=pick([1.0, 0.5]), end_factor=pick([0.0, 0.1]), total_iters=ri(1, 30)),
            C("CosineAnnealingLR", base_lr=B, T_max=ri(20, 40)),
        ]
        rng.shuffle(decays)
        children = decays[: ri(2, 3)] + ([steps] if rng.integers(2) else [])
        cos = [c for c in children if c["call"] == "CosineAnnealingLR"]
        if cos:  # the cosine resets the lr at T_max + 1: the others must stop changing by then
            t_max = cos[0]["kwargs"]["T_max"]
            children = [c for c in children if c["call"] not in ("ExponentialLR", "StepLR")]
            for c in children:
                if "total_iters" in c["kwargs"]:
                    c["kwargs"]["total_iters"] = min(c["kwargs"]["total_iters"], t_max)
            children.append(C("PolynomialLR", base_lr=B, total_iters=ri(1, 19), power=1.0))
        rng.shuffle(children)
        return C("ChainedScheduler", schedulers=children)
    children = [warm, decay, steps]
    rng.shuffle(children)
    return C(kind, schedulers=children[: ri(2, 3)])


KINDS = {
    "simple": 120,
    "CosineAnnealingWarmRestarts": 25,
    "CyclicLR": 30,
    "OneCycleLR": 40,
    "SequentialLR": 40,
    "ChainedScheduler": 45,
    "SequentialRestarts": 30,
    "ChainedProducts": 40,
}


def _live_cases():
    cases = []
    for k, (kind, count) in enumerate(KINDS.items()):
        rng = np.random.default_rng(1000 + k)
        for i in range(count):
            cases.append(pytest.param(_config(rng, kind), int(rng.integers(1, 70)), id=f"{kind}-{i}"))
    return cases


@pytest.mark.parametrize(("desc", "T"), _live_cases())
def test_live_parity(desc, T):
    compare_live(desc, T)


@pytest.mark.parametrize(
    ("desc", "T"),
    [
        # long runs: the recursive forms agree with the closed form to rounding
        (C("CosineAnnealingLR", base_lr=0.1, T_max=100, eta_min=1e-4), 1000),
        (C("ExponentialLR", base_lr=0.1, gamma=0.995), 3000),
        (C("LinearLR", base_lr=0.1, start_factor=0.001, end_factor=1.0, total_iters=2000), 2500),
        (C("PolynomialLR", base_lr=1.0, total_iters=2000, power=2.0), 2500),
        (C("CosineAnnealingWarmRestarts", base_lr=0.1, T_0=7, T_mult=3, eta_min=1e-3), 3000),
        (C("OneCycleLR", max_lr=0.1, total_steps=2000, three_phase=True), 2001),
        # the cosine child of a chain resets the lr at T_max + 1, dropping the MultiStepLR factor
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("MultiStepLR", base_lr=0.1, milestones=[2], gamma=0.5),
                    C("CosineAnnealingLR", base_lr=0.1, T_max=10),
                ],
            ),
            40,
        ),
        # warmup then warm restarts: the LinearLR becomes a prefix warmup
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("LinearLR", base_lr=0.1, start_factor=0.1, total_iters=5),
                    C("CosineAnnealingWarmRestarts", base_lr=0.1, T_0=6, T_mult=2),
                ],
                milestones=[5],
            ),
            60,
        ),
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ConstantLR", base_lr=0.1, factor=0.25, total_iters=9),
                    C("CosineAnnealingWarmRestarts", base_lr=0.1, T_0=4),
                ],
                milestones=[6],
            ),
            40,
        ),
        # warm restarts after a warmup that ends before the milestone, and between two phases
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("LinearLR", base_lr=1.0, start_factor=0.1, total_iters=2),
                    C("CosineAnnealingWarmRestarts", base_lr=1.0, T_0=4),
                ],
                milestones=[6],
            ),
            30,
        ),
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ExponentialLR", base_lr=0.1, gamma=0.9),
                    C("CosineAnnealingWarmRestarts", base_lr=0.1, T_0=3, T_mult=2, eta_min=0.01),
                    C("StepLR", base_lr=0.1, step_size=4, gamma=0.5),
                ],
                milestones=[5, 30],
            ),
            50,
        ),
        # a restarted MultiStepLR counts its negative milestones (torch's bisect_right at 0)
        (
            C(
                "SequentialLR",
                schedulers=[
                    C("ConstantLR", base_lr=1.0, factor=1, total_iters=0),
                    C("MultiStepLR", base_lr=1.0, milestones=[-1], gamma=0.5),
                ],
                milestones=[2],
            ),
            5,
        ),
        (C("CyclicLR", base_lr=0.01, max_lr=0.1, mode="exp_range", gamma=0.0), 12),
        # a cosine with eta_min in a chain: its affine recursion between piecewise-constant changes
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("CosineAnnealingLR", base_lr=0.1, T_max=10, eta_min=0.01),
                    C("MultiStepLR", base_lr=0.1, milestones=[3, 14, 25], gamma=0.5),
                ],
            ),
            90,
        ),
        (
            C(
                "ChainedScheduler",
                schedulers=[
                    C("MultiStepLR", base_lr=0.1, milestones=[2, 10, 10], gamma=0.8),
                    C("ConstantLR", base_lr=0.1, factor=0.5, total_iters=6),
                    C("CosineAnnealingLR", base_lr=0.1, T_max=6, eta_min=0.005),
                ],
            ),
            60,
        ),
    ],
    ids=lambda x: x["call"] if isinstance(x, dict) else str(x),
)
def test_live_special(desc, T):
    compare_live(desc, T)


# ---- quirks ----------------------------------------------------------------------------------


def test_cosine_annealing_is_periodic_past_t_max():
    tab = pt.CosineAnnealingLR(base_lr=0.1, T_max=10, eta_min=0.001).table(41)
    assert tab[10] == pytest.approx(0.001, rel=1e-14)
    assert tab[20] == pytest.approx(0.1, rel=1e-14)
    assert tab[15] == pytest.approx(tab[5], rel=1e-13)
    assert tab[40] == pytest.approx(0.1, rel=1e-14)


def test_constant_lr_total_iters_zero_never_restores():
    s = pt.ConstantLR(base_lr=0.1, factor=0.5, total_iters=0)
    assert np.all(s.table(20) == 0.05)
    # restarted at a SequentialLR milestone, torch's closed form gives base_lr
    seq = pt.SequentialLR([pt.ExponentialLR(base_lr=0.1, gamma=0.9), s], milestones=[3])
    tab = seq.table(10)
    assert tab[2] == pytest.approx(0.1 * 0.81)
    assert tab[3:] == pytest.approx(0.1)
    compare_live(
        C(
            "SequentialLR",
            schedulers=[
                C("ExponentialLR", base_lr=0.1, gamma=0.9),
                C("ConstantLR", base_lr=0.1, factor=0.5, total_iters=0),
            ],
            milestones=[3],
        ),
        10,
    )


def test_onecycle_holds_after_total_steps():
    N = 50
    s = pt.OneCycleLR(max_lr=1.0, total_steps=N, anneal_strategy="linear")
    tab = s.table(N + 20)
    assert np.all(tab["lr"][0, N:] == tab["lr"][0, N - 1])
    assert tab["lr"][0, N - 1] == pytest.approx(1.0 / 25 / 1e4)
    assert np.all(tab["momentum"][0, N:] == tab["momentum"][0, N - 1])
    # torch itself: f(N) extrapolates below zero with the linear anneal, f(N + 1) raises
    ref = run_torch(C("OneCycleLR", max_lr=1.0, total_steps=N, anneal_strategy="linear"), N + 5)
    assert len(ref["lr"][0]) == N + 1
    assert ref["lr"][0][N] < 0.0


def test_onecycle_fractional_phase_ends():
    # pct_start * N = 3.3: the first phase ends at 2.3, the second starts from that float
    s = pt.OneCycleLR(max_lr=0.1, total_steps=11, pct_start=0.3, cycle_momentum=False)
    t = np.arange(11.0)
    e1, e2 = 0.3 * 11 - 1, 10.0
    init, low = 0.1 / 25, 0.1 / 25 / 1e4
    up = 0.1 + (init - 0.1) / 2 * (np.cos(np.pi * t / e1) + 1)
    down = low + (0.1 - low) / 2 * (np.cos(np.pi * (t - e1) / (e2 - e1)) + 1)
    assert_close64(s.table(11), np.where(t <= e1, up, down))


def test_sequential_milestone_zero_and_repeats():
    a = pt.ConstantLR(base_lr=1.0, factor=0.5, total_iters=3)
    b = pt.ExponentialLR(base_lr=1.0, gamma=0.9)
    c = pt.StepLR(base_lr=1.0, step_size=2, gamma=0.5)
    assert_close64(pt.SequentialLR([a, b], milestones=[0]).table(6), 0.9 ** np.arange(6))
    # repeated milestone: the last child at that milestone runs
    tab = pt.SequentialLR([a, b, c], milestones=[4, 4]).table(8)
    assert_close64(tab, [0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 0.5, 0.5])
    compare_live(
        C(
            "SequentialLR",
            schedulers=[
                C("ConstantLR", base_lr=1.0, factor=0.5, total_iters=3),
                C("ExponentialLR", base_lr=1.0, gamma=0.9),
                C("StepLR", base_lr=1.0, step_size=2, gamma=0.5),
            ],
            milestones=[4, 4],
        ),
        8,
    )


def test_multistep_counts_repeats_sorts_and_ignores_negative():
    s = pt.MultiStepLR(base_lr=1.0, milestones=[5, -3, 2, 5], gamma=0.5)
    assert_close64(s.table(8), [1, 1, 0.5, 0.5, 0.5, 0.125, 0.125, 0.125])


def test_cyclic_ignores_scale_mode_for_builtin_modes():
    a = pt.CyclicLR(0.01, 0.1, step_size_up=3, mode="triangular2", scale_mode="iterations", cycle_momentum=False)
    b = pt.CyclicLR(0.01, 0.1, step_size_up=3, mode="triangular2", cycle_momentum=False)
    assert np.array_equal(a.table(30), b.table(30))


def test_growth_is_capped_finite():
    s = pt.ExponentialLR(base_lr=10.0, gamma=2.0)
    tab = s.table(3000)
    assert np.all(np.isfinite(tab))
    assert tab[-1] == pytest.approx(1e18)
    assert tab[10] == pytest.approx(10.0 * 2.0**10)


def test_return_types_and_groups():
    assert isinstance(pt.StepLR(base_lr=0.1, step_size=3), fastlr.Shape)
    assert isinstance(pt.CosineAnnealingWarmRestarts(base_lr=0.1, T_0=3), fastlr.Schedule)
    one = pt.OneCycleLR(max_lr=[0.1, 0.2], total_steps=20)
    assert isinstance(one, fastlr.ScheduleSet)
    tab = one.table(20)
    assert tab["lr"].shape == (2, 20) and tab["momentum"].shape == (2, 20)
    assert isinstance(pt.CyclicLR(0.01, 0.1, cycle_momentum=False), fastlr.Shape)
    assert isinstance(pt.CyclicLR([0.01, 0.02], 0.1, cycle_momentum=False), fastlr.ScheduleSet)


@pytest.mark.parametrize(
    "obj",
    [
        pt.StepLR(base_lr=0.1, step_size=3),
        pt.OneCycleLR(max_lr=0.1, total_steps=37, three_phase=True),
        pt.SequentialLR(
            [pt.LinearLR(base_lr=0.1, start_factor=0.1), pt.CosineAnnealingLR(base_lr=0.1, T_max=20)], milestones=[5]
        ),
        pt.ChainedScheduler([pt.LinearLR(base_lr=0.1, start_factor=0.1), pt.StepLR(base_lr=0.1, step_size=3)]),
        pt.CosineAnnealingWarmRestarts(base_lr=0.1, T_0=3, T_mult=2),
    ],
    ids=["step", "onecycle", "sequential", "chained", "cawr"],
)
def test_round_trip(obj):
    back = fastlr.from_dict(json.loads(json.dumps(obj.to_dict())))
    a, b = tables(obj, 50), tables(back, 50)
    for k in a:
        assert np.array_equal(a[k], b[k])


def test_children_are_not_modified():
    warm = pt.LinearLR(base_lr=0.1, start_factor=0.1)
    cos = pt.CosineAnnealingLR(base_lr=0.1, T_max=20)
    before = (warm.to_dict(), cos.to_dict(), warm.table(30).copy(), cos.table(30).copy())
    pt.SequentialLR([warm, cos], milestones=[5]).table(30)
    pt.ChainedScheduler([warm, cos]).table(30)
    pt.SequentialLR([cos], milestones=[])
    assert (warm.to_dict(), cos.to_dict()) == before[:2]
    assert np.array_equal(warm.table(30), before[2]) and np.array_equal(cos.table(30), before[3])
    assert pt.ChainedScheduler([cos]) is cos


def test_specs_carry_no_hidden_attributes():
    import dataclasses

    built = [
        pt.StepLR(base_lr=0.1, step_size=3),
        pt.ConstantLR(base_lr=0.1, factor=0.5, total_iters=0),
        pt.CosineAnnealingWarmRestarts(base_lr=0.1, T_0=3),
        pt.SequentialLR([pt.LinearLR(base_lr=0.1), pt.ExponentialLR(base_lr=0.1, gamma=0.9)], milestones=[5]),
        pt.ChainedScheduler([pt.LinearLR(base_lr=0.1), pt.ExponentialLR(base_lr=0.1, gamma=0.9)]),
        pt.OneCycleLR(max_lr=0.1, total_steps=20),
    ]
    for obj in built:
        assert set(vars(obj)) == {f.name for f in dataclasses.fields(obj)}, obj


def test_equal_specs_from_different_classes_compose_as_torch_does():
    # both hold 0.1 alone; restarted at a milestone torch gives 0 for one and 0.1 for the other
    poly = C("PolynomialLR", base_lr=0.1, total_iters=-1, power=1.0)
    step = C("StepLR", base_lr=0.1, step_size=5, gamma=1.0)
    assert build(poly) == build(step)
    tabs = []
    for second in (poly, step):
        desc = C("SequentialLR", schedulers=[C("ExponentialLR", base_lr=0.1, gamma=0.9), second], milestones=[3])
        compare_live(desc, 8)
        tabs.append(build(desc).table(8))
    assert tabs[0][3] == 0.0 and tabs[1][3] == 0.1


def test_a_rebuilt_spec_is_a_plain_shape_to_the_composites():
    lin = pt.LinearLR(base_lr=0.1, start_factor=0.1, total_iters=4)
    exp = pt.ExponentialLR(base_lr=0.1, gamma=0.9)
    plain = fastlr.from_dict(lin.to_dict())
    assert plain == lin
    pt.ChainedScheduler([lin, exp])
    with pytest.raises(TypeError, match=r"schedulers\[0\] must be a preset built by fastlr\.presets\.torch"):
        pt.ChainedScheduler([plain, exp])
    # SequentialLR uses a plain shape as it is: no restart at the milestone
    const = pt.ConstantLR(base_lr=0.1, factor=0.5, total_iters=0)
    assert pt.SequentialLR([exp, const], milestones=[2]).table(4)[2] == 0.1
    assert pt.SequentialLR([exp, fastlr.from_dict(const.to_dict())], milestones=[2]).table(4)[2] == 0.05


def test_preset_info_goes_with_its_object():
    import gc

    obj = pt.StepLR(base_lr=0.1, step_size=3)
    key = id(obj)
    info = pt._info(obj)
    assert info == pt.PresetInfo("StepLR", 0.1, pt.StepFactor(0.1, 3))
    del obj
    gc.collect()
    assert key not in pt._BUILT


# ---- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "kwargs", "exc", "match"),
    [
        ("StepLR", {"base_lr": 0.1, "step_size": 0}, ValueError, "step_size"),
        ("StepLR", {"base_lr": -0.1, "step_size": 3}, ValueError, "base_lr"),
        ("StepLR", {"base_lr": 0.1, "step_size": 2.5}, TypeError, "step_size"),
        ("MultiStepLR", {"base_lr": 0.1, "milestones": 5}, TypeError, "milestones"),
        ("ConstantLR", {"base_lr": 0.1, "factor": 1.5}, ValueError, "factor"),
        ("ConstantLR", {"base_lr": 0.1, "factor": 0.0, "total_iters": 3}, ValueError, "divide by zero"),
        ("LinearLR", {"base_lr": 0.1, "start_factor": 0.0}, ValueError, "start_factor"),
        ("LinearLR", {"base_lr": 0.1, "end_factor": 1.5}, ValueError, "end_factor"),
        ("ExponentialLR", {"base_lr": 0.1, "gamma": -0.5}, ValueError, "gamma"),
        ("PolynomialLR", {"base_lr": 0.1, "power": -1.0}, ValueError, "power"),
        ("CosineAnnealingLR", {"base_lr": 0.1, "T_max": 0}, ValueError, "T_max"),
        ("CosineAnnealingWarmRestarts", {"base_lr": 0.1, "T_0": 0}, ValueError, "T_0"),
        ("CosineAnnealingWarmRestarts", {"base_lr": 0.1, "T_0": 3, "T_mult": 0}, ValueError, "T_mult"),
        ("CosineAnnealingWarmRestarts", {"base_lr": 0.1, "T_0": 3, "eta_min": 0.2}, ValueError, "eta_min"),
        ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "sawtooth"}, ValueError, "mode"),
        ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "scale_fn": abs}, ValueError, "scale_fn"),
        ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0}, ValueError, "step_size_up"),
        ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_down": 0}, ValueError, "step_size_down"),
        ("CyclicLR", {"base_lr": [0.01, 0.02], "max_lr": [0.1, 0.2, 0.3]}, ValueError, "one length"),
        ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "exp_range", "gamma": 1.1}, ValueError, "gamma"),
        ("OneCycleLR", {"max_lr": 0.1}, ValueError, "total_steps"),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1}, ValueError, "pct_start"),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}, ValueError, "pct_start"),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 0.1}, ValueError, "zero length"),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "cosine"}, ValueError, "anneal_strategy"),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "div_factor": 0.0}, ValueError, "div_factor"),
    ],
)
def test_errors(call, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(pt, call)(**kwargs)


def test_composite_errors():
    lin = pt.LinearLR(base_lr=0.1, start_factor=0.1, total_iters=4)
    exp = pt.ExponentialLR(base_lr=0.1, gamma=0.9)
    step = pt.StepLR(base_lr=0.1, step_size=3)
    with pytest.raises(ValueError, match="one milestone fewer"):
        pt.SequentialLR([lin, exp], milestones=[3, 5])
    with pytest.raises(ValueError, match="sorted"):
        pt.SequentialLR([lin, exp, step], milestones=[5, 3])
    with pytest.raises(ValueError, match="at least one"):
        pt.SequentialLR([], milestones=[])
    with pytest.raises(ValueError, match="same base_lr"):
        pt.SequentialLR([lin, pt.ExponentialLR(base_lr=0.2, gamma=0.9)], milestones=[3])
    with pytest.raises(ValueError, match="CyclicLR"):
        pt.SequentialLR([lin, pt.CyclicLR(0.01, 0.1, cycle_momentum=False)], milestones=[3])
    with pytest.raises(ValueError, match="nested"):
        pt.SequentialLR([lin, pt.SequentialLR([exp, step], milestones=[2])], milestones=[3])
    with pytest.raises(ValueError, match="divides 0 by 0"):
        pt.SequentialLR([exp, pt.LinearLR(base_lr=0.1, total_iters=0)], milestones=[3])
    with pytest.raises(ValueError, match="can turn negative"):  # torch's lr goes to -1.6 here
        pt.ChainedScheduler(
            [pt.CosineAnnealingLR(base_lr=1.0, T_max=5, eta_min=0.5), pt.MultiStepLR(base_lr=1.0, milestones=[5])]
        )
    sgdr = pt.CosineAnnealingWarmRestarts(base_lr=0.1, T_0=3)
    with pytest.raises(ValueError, match="at most one child may have restarts"):
        pt.SequentialLR([sgdr, exp, pt.CosineAnnealingWarmRestarts(base_lr=0.1, T_0=4)], milestones=[3, 5])
    with pytest.raises(ValueError, match="only shapes and schedules with restarts alone"):
        pt.SequentialLR([exp, fastlr.Schedule(fastlr.Cosine(0.1, 0.0, 3), scale=0.5)], milestones=[3])
    with pytest.raises(TypeError, match="schedulers"):
        pt.SequentialLR("abc", milestones=[])
    with pytest.raises(ValueError, match="not multiplicative"):
        pt.ChainedScheduler([lin, pt.CosineAnnealingLR(base_lr=0.1, T_max=5, eta_min=0.01)])
    with pytest.raises(ValueError, match="several CosineAnnealingLR"):
        pt.ChainedScheduler([pt.CosineAnnealingLR(base_lr=0.1, T_max=5), pt.CosineAnnealingLR(base_lr=0.1, T_max=7)])
    with pytest.raises(ValueError, match="resets the lr"):
        pt.ChainedScheduler([pt.CosineAnnealingLR(base_lr=0.1, T_max=5), pt.MultiStepLR(base_lr=0.1, milestones=[8])])
    with pytest.raises(TypeError, match=r"fastlr\.presets\.torch"):
        pt.ChainedScheduler([lin, fastlr.Constant(0.1)])


def test_module_docstring_lists_the_quirks():
    doc = pt.__doc__ or ""
    for word in ("periodic", "total_iters=0", "OneCycleLR", "holds the", "SequentialLR", "ChainedScheduler"):
        assert word in doc
    assert GROWTH_CAP == 1e18  # the cap this docstring and docs/dialects state
