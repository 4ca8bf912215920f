"""fastlr.Formula: users' own lr functions compiled into the kernels.

The reference is the user's function itself, called per step in Python (``fn(t, **params)``):
what LambdaLR does. Few compiles: the functions below are shared by the tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastlr as fl

WARM = 7


def cosine(t, total, floor):
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(t, total) / total))


def stepped(t):
    return 0.5 ** (t // WARM)


HYP = {"lrf": 0.5}


def bad_dict(t):
    return 1.0 if t == 0 else HYP["lrf"]


def negative(t, at):
    return 1.0 if t < at else -1.0


def naive(fn, T, **params):
    return [float(fn(t, **params)) for t in range(T)]


def test_table_at_and_schedule_match_the_python_function():
    f = fl.Formula(cosine, total=40, floor=0.1)
    want = naive(cosine, 60, total=40, floor=0.1)
    assert f.table(60).tolist() == want
    assert f.at(17) == want[17]
    assert f.at(np.array([3, 59])).tolist() == [want[3], want[59]]
    # warmup, scale, floor and epochs around it: the same arithmetic as the built-in shapes
    s = fl.Schedule(f, warmup=fl.Warmup(5, start=0.01), scale=0.3, floor=0.05, steps_per_epoch=2)
    got = s.table(90)
    main = [max(0.3 * cosine((t - 5) // 2, 40, 0.1), 0.05) for t in range(90)]
    for t in range(5):
        main[t] = 0.01 + (main[5] - 0.01) * (t / 5)
    np.testing.assert_allclose(got, main, rtol=1e-15)
    assert got[5:].tolist() == main[5:]
    assert [s.at(t) for t in (0, 3, 50, 89)] == [got[t] for t in (0, 3, 50, 89)]


def test_join_phases_sweep_and_summaries():
    j = fl.Join((fl.Linear(0.0, 1.0, 4), fl.Formula(stepped), fl.Formula(cosine, total=9, floor=0.2)), (4, 30))
    want = [t / 4 for t in range(4)] + [stepped(t - 4) for t in range(4, 30)] + naive(cosine, 20, total=9, floor=0.2)
    assert j.table(50).tolist() == want
    rows = [fl.Formula(cosine, total=10 + i, floor=0.01 * i) for i in range(6)] + [fl.Formula(stepped), j]
    prog = fl.lower(rows) if hasattr(fl, "lower") else None
    assert prog is not None and prog.user is not None
    assert len(prog.user.functions) == 2  # one fn, one table entry: the params are columns
    sw = fl.sweep(rows, 50, dtype=np.float64)
    for i, r in enumerate(rows):
        assert sw[i].tolist() == r.table(50).tolist()
    summ = fl.summarize(rows, 50)
    np.testing.assert_allclose(summ["mean"], sw.mean(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(summ["final"], sw[:, -1])


def test_jit_false_is_exact_and_visible():
    f = fl.Formula(bad_dict, jit=False)
    assert "jit=False" in repr(f)
    assert f.table(5).tolist() == [1.0, 0.5, 0.5, 0.5, 0.5]
    g = fl.Formula(cosine, jit=False, total=12, floor=0.0)
    assert g.table(20).tolist() == fl.Formula(cosine, total=12, floor=0.0).table(20).tolist()


def test_what_numba_cannot_compile_is_a_clear_error():
    with pytest.raises(fl.FormulaCompileError, match=r"bad_dict.*test_formula.py:\d+.*jit=False"):
        fl.Formula(bad_dict)
    with pytest.raises(TypeError, match="cannot be called as fn"):
        fl.Formula(cosine, total=3)
    with pytest.raises(TypeError, match="parameter floor"):
        fl.Formula(cosine, total=3, floor="x")
    with pytest.raises(TypeError, match="Python function"):
        fl.Formula(math.cos)


def test_values_must_be_finite_and_nonnegative():
    f = fl.Formula(negative, at=3)
    with pytest.raises(ValueError, match=r"step 3 \(row 0\) is -1.0"):
        f.table(10)
    assert f.table(3).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match=r"step 4 \(row 1\)"):
        fl.sweep([fl.Formula(negative, at=9), fl.Formula(negative, at=4)], 8)
    with pytest.raises(ValueError, match="step 5"):
        f.at(np.array([0, 5]))
    with pytest.raises(ValueError, match="not finite and >= 0"):
        fl.summarize([f], 10)


def test_globals_and_closures_are_frozen():
    knots = np.array([1.0, 0.5, 0.25])

    def piecewise(t):
        return knots[min(t // 2, 2)]

    f = fl.Formula(piecewise)
    knots[0] = 9.0  # later changes do not reach the Formula
    assert f.table(6).tolist() == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    g = fl.Formula(piecewise)
    assert g != f and g.fingerprint() != f.fingerprint()
    assert g.table(1).tolist() == [9.0]


def test_serialisation_needs_trust_code():
    f = fl.Formula(cosine, total=30, floor=0.05)
    d = f.to_dict()
    assert (
        d["fn"]["name"] == "cosine" and "math.cos" in d["fn"]["source"] and d["params"] == {"total": 30, "floor": 0.05}
    )
    with pytest.raises(ValueError, match="trust_code=True"):
        fl.from_dict(d)
    with pytest.raises(ValueError, match="trust_code=True"):
        fl.from_dict(fl.Schedule(f, scale=2.0).to_dict())
    g = fl.from_dict(d, trust_code=True)
    assert g == f and g.fingerprint() == f.fingerprint()
    assert g.table(40).tolist() == f.table(40).tolist()
    assert fl.Formula(cosine, total=31, floor=0.05).fingerprint() != f.fingerprint()
    h = fl.from_dict(fl.Formula(stepped).to_dict(), trust_code=True)  # a frozen global travels
    assert h.table(20).tolist() == naive(stepped, 20)


def test_lambda_source_and_cumulative():
    lf = lambda x: ((1 + math.cos(x * math.pi / 10)) / 2) * (1 - 0.2) + 0.2  # noqa: E731
    f = fl.Formula(lf, scale=0.01)
    assert f.to_dict()["fn"]["source"].startswith("lambda x:")
    assert f.table(12).tolist() == [0.01 * lf(x) for x in range(12)]
    m = fl.Formula(lambda t: 0.9 if t % 3 else 1.1, cumulative=True, scale=2.0)
    lr, want = 2.0, [2.0]
    for t in range(1, 40):
        lr = lr * (0.9 if t % 3 else 1.1)
        want.append(lr)
    assert m.table(40).tolist() == want
    assert m.at(39) == want[39]
    assert fl.Join((fl.Constant(1.0), m), (5,)).table(45).tolist()[5:] == want


def test_torch_lambda_and_multiplicative_run_live():
    torch = pytest.importorskip("torch")
    from fastlr.presets import torch as pt

    def lam(epoch):
        return 0.95**epoch if epoch >= 3 else (epoch + 1) / 4

    def mult(epoch):
        return 0.9 if epoch % 4 else 1.05

    T = 60
    cases = (
        (pt.LambdaLR(0.1, lam), lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lam)),
        (pt.MultiplicativeLR(0.1, mult), lambda opt: torch.optim.lr_scheduler.MultiplicativeLR(opt, mult)),
        (
            pt.SequentialLR([pt.LinearLR(0.1, 0.5, 1.0, 4), pt.LambdaLR(0.1, lam)], [6]),
            lambda opt: torch.optim.lr_scheduler.SequentialLR(
                opt,
                [torch.optim.lr_scheduler.LinearLR(opt, 0.5, 1.0, 4), torch.optim.lr_scheduler.LambdaLR(opt, lam)],
                [6],
            ),
        ),
        # MultiplicativeLR in a chain (one more factor), and restarted by SequentialLR (it
        # multiplies on from the lr the previous child left)
        (
            pt.ChainedScheduler([pt.StepLR(0.1, 7, 0.5), pt.MultiplicativeLR(0.1, mult), pt.MultiStepLR(0.1, [9])]),
            lambda opt: torch.optim.lr_scheduler.ChainedScheduler(
                [
                    torch.optim.lr_scheduler.StepLR(opt, 7, 0.5),
                    torch.optim.lr_scheduler.MultiplicativeLR(opt, mult),
                    torch.optim.lr_scheduler.MultiStepLR(opt, [9]),
                ]
            ),
        ),
        (
            pt.ChainedScheduler([pt.ExponentialLR(0.1, 0.97), pt.MultiplicativeLR(0.1, mult)]),
            lambda opt: torch.optim.lr_scheduler.ChainedScheduler(
                [
                    torch.optim.lr_scheduler.ExponentialLR(opt, 0.97),
                    torch.optim.lr_scheduler.MultiplicativeLR(opt, mult),
                ]
            ),
        ),
        (
            pt.SequentialLR(
                [pt.LinearLR(0.1, 0.5, 1.0, 4), pt.MultiplicativeLR(0.1, mult), pt.LambdaLR(0.1, lam)], [6, 30]
            ),
            lambda opt: torch.optim.lr_scheduler.SequentialLR(
                opt,
                [
                    torch.optim.lr_scheduler.LinearLR(opt, 0.5, 1.0, 4),
                    torch.optim.lr_scheduler.MultiplicativeLR(opt, mult),
                    torch.optim.lr_scheduler.LambdaLR(opt, lam),
                ],
                [6, 30],
            ),
        ),
    )
    live = []
    for _, theirs in cases:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        sched = theirs(opt)
        lrs = []
        for _ in range(T):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        live.append(lrs)
    # one sweep, one build; Numba computes float ** int by repeated multiplication (CPython
    # calls pow): an ulp apart
    np.testing.assert_allclose(fl.sweep([ours for ours, _ in cases], T, dtype=np.float64), live, rtol=1e-14, atol=0)
    with pytest.raises(ValueError, match="not multiplicative"):
        pt.ChainedScheduler([pt.StepLR(0.1, 3), pt.LambdaLR(0.1, lam)])


# Seed 000 (FCN, ../shared/seeds/000): the loop body of the post, as the function it hands to LambdaLR
def seed000_f(x):
    warmup = True
    warmup_epochs = 1
    num_step = 366
    epochs = 30
    warmup_factor = 1e-3
    if warmup is True and x <= (warmup_epochs * num_step):
        alpha = float(x) / (warmup_epochs * num_step)
        # warmup过程中lr倍率因子从warmup_factor -> 1
        return_value = warmup_factor * (1 - alpha) + alpha
    else:
        # warmup后lr倍率因子从1 -> 0
        # 参考deeplab_v2: Learning rate policy
        return_value = (1 - (x - warmup_epochs * num_step) / ((epochs - warmup_epochs) * num_step)) ** 0.9
    return return_value


# YOLOv5's one_cycle (utils/general.py), as written; seed 002's lf
def one_cycle(y1=0.0, y2=1.0, steps=100):
    # lambda function for sinusoidal ramp from y1 to y2 https://arxiv.org/pdf/1812.01187.pdf
    return lambda x: ((1 - math.cos(x * math.pi / steps)) / 2) * (y2 - y1) + y1


def test_seed_functions_run_as_written():
    from fastlr.presets import torch as pt
    from tests.test_seed000 import PRINTED

    initlr = 0.0001
    table = pt.LambdaLR(initlr, seed000_f).table(30 * 366 + 1)
    got = [table[(e + 1) * 366] for e in range(30)]
    assert got == [float(v) for v in PRINTED.split()]
    lf = one_cycle(1, 0.2, 100)
    assert fl.Formula(lf).table(150).tolist() == [lf(x) for x in range(150)]
    num_epochs = 100
    lf2 = lambda x: ((1 + math.cos(x * math.pi / num_epochs)) / 2) * (1 - 0.2) + 0.2  # noqa: E731
    assert pt.LambdaLR(0.01, lf2).table(100).tolist() == [0.01 * lf2(x) for x in range(100)]


def test_torch_bridge_state_needs_trust_code_for_another_formula():
    torch = pytest.importorskip("torch")
    from fastlr.torch import TableScheduler

    def opt():
        return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)

    f = fl.Formula(cosine, total=20, floor=0.1)
    o = opt()
    s = TableScheduler(o, f, total_steps=30)
    for _ in range(7):
        o.step()
        s.step()
    state = s.state_dict()
    same = TableScheduler(opt(), fl.Formula(cosine, total=20, floor=0.1), total_steps=30)
    same.load_state_dict(state)  # this scheduler's own description: no code runs
    assert same.last_epoch == 7 and same.get_last_lr() == s.get_last_lr()
    with pytest.raises(ValueError, match="trust_code=True"):
        TableScheduler.from_state_dict(opt(), state)
    other = TableScheduler(opt(), fl.Formula(cosine, total=25, floor=0.1), total_steps=30, on_mismatch="saved")
    with pytest.raises(ValueError, match="trust_code=True"):
        other.load_state_dict(state)
    rebuilt = TableScheduler.from_state_dict(opt(), state, trust_code=True)
    assert rebuilt.get_last_lr() == s.get_last_lr()


def test_yolov5_takes_the_users_lf_and_formula_shift():
    from fastlr.presets.yolov5 import yolov5_schedule

    epochs, lrf = 12, 0.1
    lf = one_cycle(1, lrf, epochs)
    ours = yolov5_schedule(0.01, lrf, epochs=epochs, nb=20, min_warmup_iters=50, lf=lf).table(epochs * 20)
    ref = yolov5_schedule(0.01, lrf, epochs=epochs, nb=20, min_warmup_iters=50, cos_lr=True).table(epochs * 20)
    for k in ("lr", "momentum"):
        np.testing.assert_allclose(ours[k], ref[k], rtol=1e-14, atol=1e-18)
    f = fl.Formula(cosine, shift=5, total=20, floor=0.0)
    assert f.table(10).tolist() == [cosine(t + 5, 20, 0.0) for t in range(10)]


def _restarted(fn, T, period, mult=1, decay=1.0, limit=None, warm=0, **params):
    """Restarts of ``fn`` from the definition: cycle i lasts ``period * mult**i`` steps, its
    values are ``decay**i`` times ``fn`` at the step inside it (after a linear per-cycle warmup
    of ``warm`` steps); past ``limit`` cycles, the value at the end of the last one."""
    out = []
    for t in range(T):
        start, i = 0, 0
        while t >= start + period * mult**i and (limit is None or i < limit - 1):
            start, i = start + period * mult**i, i + 1
        tc = min(t - start, period * mult**i) if limit is not None else t - start
        amp = decay**i
        out.append(amp * tc / warm if tc < warm else amp * fn(tc - warm, **params))
    return out


def test_products_and_restarts_of_formulas_in_one_sweep():
    # every composition a built-in shape allows, one program (one build): Formula factors beside
    # constant and continuous factors and another Formula, a cumulative factor, restarts with
    # growth, decay, a limit and per-cycle warmup, and a restarted Formula as a Join phase
    f = fl.Formula(cosine, total=50, floor=0.1)
    g = fl.Formula(cosine, total=20, floor=0.3)
    m = fl.Formula(lambda t: 0.999 if t % 3 else 1.001, cumulative=True)
    sgdr = fl.Schedule(fl.Formula(cosine, total=12, floor=0.0, period=12), restarts=fl.Restarts(mult=2.0))
    rows = [
        fl.Product((f, fl.MultiStep(1.0, (7, 30), 0.5))),
        fl.Product((f, fl.Exponential(1.0, 0.9, 10.0), fl.MultiStep(1.0, (7, 30), 0.5), g)),
        fl.Product((m, fl.Exponential(1.0, 0.99, 1.0), fl.StepDecay(1.0, 100, 0.5))),
        fl.Schedule(
            fl.Formula(cosine, total=40, floor=0.2, period=30),
            restarts=fl.Restarts(mult=2.0, decay=0.7, limit=3, warmup_steps=4),
        ),
        fl.Schedule(fl.Formula(cosine, total=9, floor=0.1, period=10), restarts=fl.Restarts(decay=0.5, limit=4)),
        fl.Join((fl.Linear(0.1, 1.0, 5), sgdr), (5,)),
    ]
    T = 2500
    steps = range(T)
    mult = [1.0]
    for t in range(1, T):
        mult.append(mult[-1] * (0.999 if t % 3 else 1.001))
    want = [
        [cosine(t, 50, 0.1) * 0.5 ** ((t >= 7) + (t >= 30)) for t in steps],
        [cosine(t, 50, 0.1) * 0.9 ** (t / 10) * 0.5 ** ((t >= 7) + (t >= 30)) * cosine(t, 20, 0.3) for t in steps],
        [mult[t] * 0.99**t * 0.5 ** (t // 100) for t in steps],
        _restarted(cosine, T, 30, mult=2, decay=0.7, limit=3, warm=4, total=40, floor=0.2),
        _restarted(cosine, T, 10, decay=0.5, limit=4, total=9, floor=0.1),
        [0.1 + 0.9 * t / 5 for t in range(5)] + _restarted(cosine, T - 5, 12, mult=2, total=12, floor=0.0),
    ]
    got = fl.sweep(rows, T, dtype=np.float64)
    for r, w in enumerate(want):
        np.testing.assert_allclose(got[r], w, rtol=1e-13, atol=1e-300, err_msg=f"row {r}")
    # a Formula's parameters are columns of every USER segment a product re-emits
    prog = fl.lower(rows)
    assert len(prog.user.functions) == 2
    # the scalar path (at: factors, the restart hold) gives the table's values bit for bit; on
    # the sweep's own program, so its build serves both
    from fastlr import evaluate

    ts = np.array([0, 6, 7, 29, 30, 31, 209, 210, 211, 2499])
    for r in range(len(rows)):
        assert evaluate.at(prog, ts, row=r).tolist() == got[r][ts].tolist()


def test_restarts_of_a_formula_need_whole_cycles():
    f = fl.Formula(cosine, total=10, floor=0.1)
    with pytest.raises(ValueError, match="period="):
        fl.Schedule(f, restarts=fl.Restarts())
    p = fl.Formula(cosine, total=10, floor=0.1, period=10)
    for rs, match in (
        (fl.Restarts(cycles=2.0), "cycles=2.0"),
        (fl.Restarts(stretch=True), "stretch"),
        (fl.Restarts(mult=1.5), "mult=1.5"),
        (fl.Restarts(warmup_steps=10), "warmup_steps=10"),
    ):
        with pytest.raises(ValueError, match=match):
            fl.Schedule(p, restarts=rs)
    with pytest.raises(ValueError, match="period must be >= 1"):
        fl.Formula(cosine, total=10, floor=0.1, period=0)
    assert "period=10" in repr(p) and fl.from_dict(p.to_dict(), trust_code=True) == p


def cawb_lf(x, y):
    # a CAWB lf(x, gap) (its readme's form): a cosine toward 0.1 over the segment
    return ((1 + math.cos(x * math.pi / y)) / 2) * 0.9 + 0.1


def test_cawb_takes_the_users_lf():
    from fastlr.presets import cawb
    from tests import seed_reference as ref

    for kw, n_epochs, batchs in (
        # warmup: lf sees x = -1 first; a repeated step; past the horizon (x unreduced, stale gap)
        (dict(epochs=12, steps=[4, 4, 8], warmup_epoch=1, step_scale=0.7, epoch_scale=2.0), 16, 2),
        (dict(epochs=6, steps=[3], warmup_epoch=2), 9, 0),
        (dict(epochs=3, warmup_epoch=3), 5, 0),  # a zero gap: lf(-3, 0) divides by 0 (CAWB too)
    ):
        s = cawb.CosineAnnealingWarmbootingLR(0.1, batchs=batchs, lf=cawb_lf, **kw)
        if kw["warmup_epoch"] == kw["epochs"]:
            with pytest.raises(ValueError, match=r"cawb_lf.*step 1 .*is nan"):
                s.table(n_epochs)
            continue
        want = ref.cawb_loop(0.1, n_epochs, batchs, lf=cawb_lf, **kw)
        np.testing.assert_allclose(s.table(len(want)), want, rtol=1e-14)
    with pytest.raises(TypeError, match=r"lf must take \(x, gap\)"):
        cawb.CosineAnnealingWarmbootingLR(0.1, 5, lf=lambda x: 1.0)
