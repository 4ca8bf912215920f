"""fastlr.torch.TableScheduler against real torch: LambdaLR and torch's own schedulers, group
mappings, other hyperparameters, tensor hyperparameters under torch.compile, resume, past-end."""

from __future__ import annotations

import doctest
import io
import json
import pathlib
import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import fastlr as fl  # noqa: E402
from fastlr.torch import (  # noqa: E402
    PastEndError,
    ScheduleMismatchError,
    TableLambda,
    TableScheduler,
    as_tensor,
    to_lambda,
)
from tests.tolerance import assert_close64  # noqa: E402

T = 40
COS = fl.Cosine(1.0, 0.0, T, after="continue")
WARM_COS = fl.Schedule(fl.Cosine(1e-3, 1e-5, T - 8), warmup=fl.Warmup(8, start=1e-5))


def make_params(n_groups: int, seed: int = 0) -> list[torch.nn.Parameter]:
    g = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(3, generator=g)) for _ in range(n_groups)]


DIFF = (0.1, 0.05, 0.5)  # per-group lrs (relative mode: each group's own base)


def make_sgd(n_groups: int = 3, lrs=(0.1,), names=False, **kw) -> torch.optim.SGD:
    groups = []
    for i, p in enumerate(make_params(n_groups)):
        d = {"params": [p], "lr": lrs[i % len(lrs)]}
        if names:
            d["name"] = ("backbone", "head", "bias")[i]
        groups.append(d)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9, weight_decay=1e-4, **kw)


def make_adam(n_groups: int = 2, tensor: bool = False, lrs=(1e-3,), **kw) -> torch.optim.Adam:
    groups = []
    for i, p in enumerate(make_params(n_groups)):
        lr = lrs[i % len(lrs)]
        if tensor:
            groups.append({"params": [p], "lr": torch.tensor(lr), "betas": (torch.tensor(0.9), torch.tensor(0.999))})
        else:
            groups.append({"params": [p], "lr": lr})
    return torch.optim.Adam(groups, **kw)


def set_grads(opt: torch.optim.Optimizer, step: int) -> None:
    g = torch.Generator().manual_seed(1000 + step)
    for group in opt.param_groups:
        for p in group["params"]:
            p.grad = torch.randn(p.shape, generator=g)


def lrs_used_by_optimizer_steps(opt, sched, n: int) -> list[list[float]]:
    """The lr of every group as seen inside optimizer.step() number 0 .. n-1."""
    seen: list[list[float]] = []
    handle = opt.register_step_pre_hook(lambda o, a, k: seen.append([float(g["lr"]) for g in o.param_groups]))
    for i in range(n):
        set_grads(opt, i)
        opt.step()
        sched.step()
    handle.remove()
    return seen


# ---- import and basics ---------------------------------------------------------------------------
def test_import_fastlr_does_not_import_torch_and_attribute_access_works():
    code = (
        "import sys, fastlr; assert 'torch' not in sys.modules; "
        "m = fastlr.torch; assert 'torch' in sys.modules and m.TableScheduler.__module__ == 'fastlr.torch'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_is_an_lr_scheduler_and_row_i_is_used_by_optimizer_step_i():
    opt = make_sgd()
    sched = TableScheduler(opt, WARM_COS, total_steps=T)
    assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)
    assert sched.last_epoch == 0
    seen = np.array(lrs_used_by_optimizer_steps(opt, sched, T + 5))
    tab = WARM_COS.table(T)
    expected = np.concatenate([tab, np.full(5, tab[-1])])
    for g in range(3):
        assert np.array_equal(seen[:, g], expected)  # exact: floats are the float64 table values
    assert all("initial_lr" in g for g in opt.param_groups)


# ---- equality with LambdaLR and torch's own schedulers -------------------------------------------
@pytest.mark.parametrize("sched_", [COS, WARM_COS, fl.MultiStep(1.0, (5, 9, 9, 30), 0.5)], ids=["cos", "warm", "ms"])
def test_relative_equals_lambdalr_exactly(sched_):
    tab = sched_.table(T)
    opt_a, opt_b = make_sgd(lrs=DIFF), make_sgd(lrs=DIFF)
    mine = TableScheduler(opt_a, sched_, total_steps=T, relative=True)
    ref = torch.optim.lr_scheduler.LambdaLR(opt_b, lambda t: float(tab[min(t, T - 1)]))
    for i in range(T + 6):
        assert mine.get_last_lr() == ref.get_last_lr(), i
        assert [g["lr"] for g in opt_a.param_groups] == [g["lr"] for g in opt_b.param_groups]
        set_grads(opt_a, i)
        set_grads(opt_b, i)
        opt_a.step()
        opt_b.step()
        mine.step()
        ref.step()
    for pa, pb in zip(opt_a.param_groups, opt_b.param_groups):
        assert torch.equal(pa["params"][0], pb["params"][0])


def test_absolute_equals_lambdalr_with_unit_lr():
    tab = WARM_COS.table(T)
    opt_a, opt_b = make_sgd(lrs=(1.0,)), make_sgd(lrs=(1.0,))
    mine = TableScheduler(opt_a, WARM_COS, total_steps=T)
    ref = torch.optim.lr_scheduler.LambdaLR(opt_b, to_lambda(WARM_COS, T))
    for _ in range(T + 3):
        assert mine.get_last_lr() == ref.get_last_lr()
        opt_a.step(), opt_b.step(), mine.step(), ref.step()
    assert ref.get_last_lr()[0] == tab[-1]


def _torch_pairs(B: float):
    L = torch.optim.lr_scheduler
    return {
        "cosine": (lambda o: L.CosineAnnealingLR(o, T_max=15, eta_min=1e-4), fl.Cosine(B, 1e-4, 15, after="continue")),
        "multistep": (lambda o: L.MultiStepLR(o, [4, 9, 9, 20], 0.3), fl.MultiStep(B, (4, 9, 9, 20), 0.3)),
        "step": (lambda o: L.StepLR(o, 7, 0.5), fl.StepDecay(B, 7, 0.5)),
        "exponential": (lambda o: L.ExponentialLR(o, 0.9), fl.Exponential(B, 0.9, 1)),
        "linear": (lambda o: L.LinearLR(o, 0.25, 1.0, 10), fl.Linear(0.25 * B, B, 10)),
        "polynomial": (lambda o: L.PolynomialLR(o, 25, 2.0), fl.Polynomial(B, 0.0, 25, power=2.0)),
        "warm_restarts": (
            lambda o: L.CosineAnnealingWarmRestarts(o, 5, 2, eta_min=1e-3),
            fl.Schedule(fl.Cosine(B, 1e-3, 5), restarts=fl.Restarts(mult=2.0)),
        ),
    }


@pytest.mark.parametrize("name", sorted(_torch_pairs(0.1)))
def test_matches_torch_schedulers(name):
    B = 0.1
    make_ref, spec = _torch_pairs(B)[name]
    opt_a, opt_b = make_sgd(n_groups=1, lrs=(B,)), make_sgd(n_groups=1, lrs=(B,))
    mine, ref = TableScheduler(opt_a, spec, total_steps=60), make_ref(opt_b)
    got, want = [], []
    for _ in range(60):
        got.append(mine.get_last_lr()[0])
        want.append(ref.get_last_lr()[0])
        opt_a.step(), opt_b.step(), mine.step(), ref.step()
    assert_close64(got, want, err_msg=name)


def test_matches_torch_scheduler_per_group_base_lrs_relative():
    """CosineAnnealingLR scales each group's base lr; so does a relative factor schedule."""
    opt_a, opt_b = make_sgd(lrs=DIFF), make_sgd(lrs=DIFF)
    mine = TableScheduler(opt_a, fl.Cosine(1.0, 0.0, 12, after="continue"), total_steps=30, relative=True)
    ref = torch.optim.lr_scheduler.CosineAnnealingLR(opt_b, T_max=12)
    got, want = [], []
    for _ in range(30):
        got.append(mine.get_last_lr())
        want.append(ref.get_last_lr())
        opt_a.step(), opt_b.step(), mine.step(), ref.step()
    assert_close64(np.array(got), np.array(want))


def _presets_or_skip():
    presets = pytest.importorskip("fastlr.presets.torch")
    if not all(hasattr(presets, n) for n in ("CosineAnnealingLR", "OneCycleLR", "SequentialLR", "LinearLR")):
        pytest.skip("fastlr.presets.torch lacks CosineAnnealingLR/OneCycleLR/SequentialLR/LinearLR")
    return presets


def _presets_cases(presets):
    L = torch.optim.lr_scheduler
    return {
        "cosine": (
            lambda o: L.CosineAnnealingLR(o, T_max=15, eta_min=1e-4),
            presets.CosineAnnealingLR(base_lr=0.1, T_max=15, eta_min=1e-4),
        ),
        "onecycle": (
            lambda o: L.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=T, pct_start=0.25),
            presets.OneCycleLR(max_lr=[0.1, 0.2], total_steps=T, pct_start=0.25),
        ),
        "sequential": (
            lambda o: L.SequentialLR(
                o, [L.LinearLR(o, 0.1, 1.0, 5), L.CosineAnnealingLR(o, T_max=T - 5)], milestones=[5]
            ),
            presets.SequentialLR(
                [presets.LinearLR(0.1, 0.1, 1.0, 5), presets.CosineAnnealingLR(0.1, T_max=T - 5)], milestones=[5]
            ),
        ),
    }


@pytest.mark.parametrize("name", ["cosine", "onecycle", "sequential"])
def test_matches_torch_through_presets(name):
    """torch's scheduler vs its fastlr.presets.torch schedule fed to TableScheduler (lr and momentum)."""
    make_ref, spec = _presets_cases(_presets_or_skip())[name]
    n = 2 if name == "onecycle" else 1
    opt_a, opt_b = make_sgd(n_groups=n, lrs=(0.1,)), make_sgd(n_groups=n, lrs=(0.1,))
    mine, ref = TableScheduler(opt_a, spec, total_steps=T), make_ref(opt_b)
    got, want = [], []
    for i in range(T):  # OneCycleLR raises past T
        got.append([g[k] for g in opt_a.param_groups for k in ("lr", "momentum")])
        want.append([g[k] for g in opt_b.param_groups for k in ("lr", "momentum")])
        set_grads(opt_a, i)
        set_grads(opt_b, i)
        opt_a.step(), opt_b.step(), mine.step()
        if i < T - 1:
            ref.step()
    assert_close64(np.array(got), np.array(want), err_msg=name)


# ---- group mappings --------------------------------------------------------------------------------
def _yolo_like():
    """YOLOv5-style groups: the bias group warms down from 0.1, the others up from 0."""
    main = fl.Cosine(0.01, 0.0001, 30)
    bias = fl.Schedule(main, warmup=fl.Warmup(6, start=0.1, mode="blend"))
    other = fl.Schedule(main, warmup=fl.Warmup(6, start=0.0, mode="blend"))
    return [other, other, bias]


def test_one_schedule_per_group():
    scheds = _yolo_like()
    opt = make_sgd()
    sched = TableScheduler(opt, scheds, total_steps=T)
    seen = np.array(lrs_used_by_optimizer_steps(opt, sched, T))
    for g, s in enumerate(scheds):
        assert np.array_equal(seen[:, g], s.table(T))
    assert seen[0, 2] == 0.1 and seen[0, 0] == 0.0


def test_groups_by_name_with_default():
    a, b = fl.Linear(0.2, 0.0, T), fl.Constant(0.05)
    opt = make_sgd(names=True)
    sched = TableScheduler(opt, {"lr": {"head": b, "*": a}}, total_steps=T)
    seen = np.array(lrs_used_by_optimizer_steps(opt, sched, 10))
    assert np.array_equal(seen[:, 1], b.table(T)[:10])
    assert np.array_equal(seen[:, 0], a.table(T)[:10]) and np.array_equal(seen[:, 2], a.table(T)[:10])


def test_schedule_set_lr_and_momentum_per_group():
    scheds = _yolo_like()
    mom = fl.Schedule(fl.Constant(0.937), warmup=fl.Warmup(6, start=0.8, mode="blend"))
    sset = fl.ScheduleSet({"lr": scheds, "momentum": [mom]})
    opt = make_sgd()
    sched = TableScheduler(opt, sset, total_steps=T)
    moms = []
    for i in range(T):
        moms.append([g["momentum"] for g in opt.param_groups])
        assert [g["lr"] for g in opt.param_groups] == [float(s.table(T)[i]) for s in scheds]
        opt.step(), sched.step()
    assert np.array_equal(np.array(moms)[:, 1], mom.table(T))
    tables = sset.table(T)
    assert np.array_equal(sched.as_tensor("lr").numpy(), tables["lr"])


def test_group_mapping_errors():
    opt = make_sgd(names=True)
    with pytest.raises(ValueError, match="2 schedules but the optimizer has 3"):
        TableScheduler(opt, [COS, COS], total_steps=T)
    with pytest.raises(ValueError, match="names group 'neck'"):
        TableScheduler(opt, {"lr": {"neck": COS, "*": COS}}, total_steps=T)
    with pytest.raises(ValueError, match="no schedule for param group 0"):
        TableScheduler(opt, {"lr": {"head": COS, "bias": COS}}, total_steps=T)
    with pytest.raises(ValueError, match="no hyperparameter 'backbone'"):
        TableScheduler(opt, {"backbone": COS}, total_steps=T)
    with pytest.raises(ValueError, match="not a number"):
        TableScheduler(opt, {"nesterov": COS}, total_steps=T)
    with pytest.raises(TypeError, match=r"schedule\['lr'\]\[1\] must be a fastlr schedule"):
        TableScheduler(opt, [COS, 0.1, COS], total_steps=T)
    with pytest.raises(TypeError, match="schedule must be a fastlr schedule"):
        TableScheduler(opt, 0.1, total_steps=T)


def test_argument_errors():
    opt = make_sgd()
    with pytest.raises(TypeError, match="total_steps must be an integer"):
        TableScheduler(opt, COS, total_steps=10.5)
    assert TableScheduler(make_sgd(), COS, total_steps=10.0).total_steps == 10  # a sweep tool's float
    with pytest.raises(ValueError, match="total_steps must be >= 1"):
        TableScheduler(opt, COS, total_steps=0)
    with pytest.raises(ValueError, match="past_end must be one of 'hold', 'raise'"):
        TableScheduler(opt, COS, total_steps=T, past_end="clip")
    with pytest.raises(ValueError, match="on_mismatch must be one of 'error', 'new', 'saved'"):
        TableScheduler(opt, COS, total_steps=T, on_mismatch="ignore")
    with pytest.raises(ValueError, match="relative names 'momentum', which is not scheduled"):
        TableScheduler(opt, COS, total_steps=T, relative=["momentum"])
    with pytest.raises(TypeError, match=r"optimizer must be a torch\.optim\.Optimizer"):
        TableScheduler([], COS, total_steps=T)
    with pytest.raises(ValueError, match="capturable=True needs every scheduled hyperparameter to be a tensor"):
        TableScheduler(opt, COS, total_steps=T, capturable=True)
    with pytest.raises(TypeError, match=r"last_epoch must be an integer, got 2\.0 \(float\)"):
        TableScheduler(opt, COS, total_steps=T, last_epoch=2.0)
    with pytest.raises(ValueError, match="last_epoch must be >= -1, got -2"):
        TableScheduler(opt, COS, total_steps=T, last_epoch=-2)
    with pytest.raises(TypeError, match="capturable must be a bool, got 1"):
        TableScheduler(opt, COS, total_steps=T, capturable=1)
    sched = TableScheduler(opt, COS, total_steps=T)
    with pytest.raises(TypeError, match=r"epoch must be an integer, got 0\.5 \(float\)"):
        sched.step(0.5)
    with pytest.raises(ValueError, match="epoch must be >= 0, got -1"):
        sched.step(-1)
    with pytest.raises(ValueError, match="t must be >= 0, got -3"):
        sched.values_at(-3)
    with pytest.raises(ValueError, match="key must be one of"):
        sched.as_tensor("momentum")


# ---- other hyperparameters -------------------------------------------------------------------------
def test_momentum_weight_decay_and_relative_momentum():
    mom, wd = fl.Linear(0.85, 0.95, 10), fl.Cosine(1.0, 0.1, 10)
    opt = make_sgd()
    sched = TableScheduler(
        opt, {"lr": COS, "momentum": mom, "weight_decay": wd}, total_steps=T, relative=["lr", "weight_decay"]
    )
    for i in range(12):
        j = min(i, T - 1)
        for g in opt.param_groups:
            assert g["momentum"] == mom.table(T)[j]
            assert g["weight_decay"] == 1e-4 * wd.table(T)[j]
            assert g["lr"] == g["initial_lr"] * COS.table(T)[j]
        assert sched.values_at()["momentum"] == [float(mom.table(T)[j])] * 3
        opt.step(), sched.step()


@pytest.mark.parametrize("key", ["momentum", "beta1"])
def test_betas0_of_adam(key):
    beta = fl.Linear(0.95, 0.85, 10)
    opt = make_adam(eps=1e-8)
    sched = TableScheduler(
        opt, {"lr": WARM_COS, key: beta, "beta2": fl.Constant(0.99), "eps": fl.Constant(1e-6)}, total_steps=T
    )
    for i in range(15):
        for g in opt.param_groups:
            assert g["betas"] == (float(beta.table(T)[min(i, T - 1)]), 0.99)
            assert g["eps"] == 1e-6 and g["lr"] == WARM_COS.table(T)[i]
        set_grads(opt, i)
        opt.step(), sched.step()


# ---- tensor hyperparameters --------------------------------------------------------------------------
class _NoHostRead:
    """Make any host read of a tensor value raise while active."""

    names = ("item", "tolist", "__float__", "__bool__", "__int__")

    def __enter__(self):
        self.saved = {n: getattr(torch.Tensor, n) for n in self.names}

        def boom(*a, **k):
            raise AssertionError("host read of a tensor value")

        for n in self.names:
            setattr(torch.Tensor, n, boom)

    def __exit__(self, *exc):
        for n, f in self.saved.items():
            setattr(torch.Tensor, n, f)


@pytest.mark.parametrize("capturable", [False, True])
def test_tensor_hyperparameters_updated_in_place_without_host_reads(capturable):
    beta = fl.Linear(0.95, 0.85, 10)
    opt = make_adam(tensor=True, lrs=(1e-3, 2e-3))
    lr_ids = [id(g["lr"]) for g in opt.param_groups]
    beta_ids = [id(g["betas"][0]) for g in opt.param_groups]
    sched = TableScheduler(opt, {"lr": WARM_COS, "beta1": beta}, total_steps=T, relative=["lr"], capturable=capturable)
    bases = [float(np.float32(1e-3)), float(np.float32(2e-3))]  # the tensors' initial values
    for i in range(T + 3):
        j = min(i, T - 1)
        for g, group in enumerate(opt.param_groups):
            want = np.float32(np.float64(bases[g]) * WARM_COS.table(T)[j])  # float64 product, rounded once
            assert group["lr"].dtype == torch.float32 and group["lr"].numpy() == want
            assert group["betas"][0].numpy() == np.float32(beta.table(T)[j])
        set_grads(opt, i)
        opt.step()
        with _NoHostRead():
            sched.step()
    assert [id(g["lr"]) for g in opt.param_groups] == lr_ids
    assert [id(g["betas"][0]) for g in opt.param_groups] == beta_ids
    last = sched.get_last_lr()
    assert all(isinstance(x, torch.Tensor) for x in last) and last[0] is not opt.param_groups[0]["lr"]
    if capturable:
        assert int(sched.step_tensor) == T + 3
        with _NoHostRead():
            sched.step(5)
        assert int(sched.step_tensor) == 5 and sched.state_dict()["last_epoch"] == 5


def test_float64_tensor_lr_is_exact():
    p = make_params(1)
    opt = torch.optim.SGD(p, lr=torch.tensor(0.1, dtype=torch.float64))
    sched = TableScheduler(opt, WARM_COS, total_steps=T)
    for i in range(T):
        assert opt.param_groups[0]["lr"].item() == WARM_COS.table(T)[i]
        opt.step(), sched.step()


def _compiled_run(opt, sched, steps):
    from torch._dynamo.testing import CompileCounterWithBackend

    torch._dynamo.reset()
    counter = CompileCounterWithBackend("aot_eager")

    @torch.compile(backend=counter)
    def opt_step():
        opt.step()

    lrs = []
    for i in range(steps):
        set_grads(opt, i)
        opt_step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return counter, lrs


def test_compiled_optimizer_step_does_not_recompile():
    """Adam's step compiled (aot_eager backend), 60 scheduler steps changing lr and beta1 tensors."""
    opt = make_adam(tensor=True)
    sched = TableScheduler(opt, {"lr": WARM_COS, "momentum": fl.Linear(0.95, 0.85, 30)}, total_steps=T)
    with torch._dynamo.config.patch(error_on_recompile=True):
        counter, _ = _compiled_run(opt, sched, 60)
    assert counter.frame_count == 1
    assert float(opt.param_groups[0]["lr"]) == np.float32(WARM_COS.table(T)[-1])
    eager = make_adam(tensor=True)
    eager_sched = TableScheduler(eager, {"lr": WARM_COS, "momentum": fl.Linear(0.95, 0.85, 30)}, total_steps=T)
    for i in range(60):
        set_grads(eager, i)
        eager.step(), eager_sched.step()
    for a, b in zip(opt.param_groups, eager.param_groups):
        torch.testing.assert_close(a["params"][0], b["params"][0])


def test_counter_detects_recompiles_with_float_lr():
    """Control: the same harness sees a recompile when lr is a Python float."""
    opt = make_adam(tensor=False)
    sched = TableScheduler(opt, WARM_COS, total_steps=T)
    counter, _ = _compiled_run(opt, sched, 4)
    assert counter.frame_count > 1


# ---- resume -------------------------------------------------------------------------------------------
def _roundtrip(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def _run(opt, sched, start, stop):
    out = []
    for i in range(start, stop):
        out.append([float(g["lr"]) for g in opt.param_groups] + [g["momentum"] for g in opt.param_groups])
        set_grads(opt, i)
        opt.step()
        sched.step()
    return out


SPEC = {"lr": WARM_COS, "momentum": fl.Linear(0.8, 0.95, 10)}


@pytest.mark.parametrize("t", [0, 1, T // 2, T - 1, T, T + 3])
@pytest.mark.parametrize("order", ["sched_opt_load", "opt_sched", "sched_load_opt"])
@pytest.mark.parametrize("relative", [False, True])
def test_resume_into_fresh_optimizer_any_order(t, order, relative):
    stop = T + 8
    opt = make_sgd(lrs=DIFF if relative else (0.1,))
    sched = TableScheduler(opt, SPEC, total_steps=T, relative=relative)
    ref = _run(opt, sched, 0, stop)

    opt = make_sgd(lrs=DIFF if relative else (0.1,))
    sched = TableScheduler(opt, SPEC, total_steps=T, relative=relative)
    _run(opt, sched, 0, t)
    opt_sd, sched_sd = _roundtrip(opt.state_dict()), _roundtrip(sched.state_dict())
    params = [p.detach().clone() for g in opt.param_groups for p in g["params"]]

    new_opt = make_sgd(lrs=DIFF if relative else (0.1,))
    with torch.no_grad():
        for p, q in zip([p for g in new_opt.param_groups for p in g["params"]], params):
            p.copy_(q)
    if order == "opt_sched":
        new_opt.load_state_dict(opt_sd)
        new_sched = TableScheduler(new_opt, SPEC, total_steps=T, relative=relative)
        new_sched.load_state_dict(sched_sd)
    elif order == "sched_opt_load":
        new_sched = TableScheduler(new_opt, SPEC, total_steps=T, relative=relative)
        new_opt.load_state_dict(opt_sd)
        new_sched.load_state_dict(sched_sd)
    else:
        new_sched = TableScheduler(new_opt, SPEC, total_steps=T, relative=relative)
        new_sched.load_state_dict(sched_sd)
        new_opt.load_state_dict(opt_sd)
    assert new_sched.last_epoch == t
    assert _run(new_opt, new_sched, t, stop) == ref[t:]


def test_resume_with_torch_last_epoch_convention():
    opt = make_sgd(lrs=DIFF)
    sched = TableScheduler(opt, SPEC, total_steps=T, relative=True)
    ref = _run(opt, sched, 0, T)
    opt = make_sgd(lrs=DIFF)
    sched = TableScheduler(opt, SPEC, total_steps=T, relative=True)
    _run(opt, sched, 0, 7)
    new_opt = make_sgd(lrs=DIFF)
    new_opt.load_state_dict(opt.state_dict())
    new_sched = TableScheduler(new_opt, SPEC, total_steps=T, relative=True, last_epoch=6)
    assert new_sched.last_epoch == 7
    assert _run(new_opt, new_sched, 7, T)[0][:3] == ref[7][:3]


def test_state_dict_is_small_plain_and_has_no_table():
    opt = make_sgd()
    sched = TableScheduler(opt, fl.Schedule(fl.Cosine(1e-3, 0.0, 10**6), warmup=fl.Warmup(2000)), total_steps=10**6)
    for _ in range(3):
        opt.step(), sched.step()
    sd = sched.state_dict()
    text = json.dumps(sd)  # plain Python types only
    assert len(text) < 20_000 and len(pickle.dumps(sd)) < 20_000
    assert sd["last_epoch"] == 3 and sd["config"]["total_steps"] == 10**6
    assert _roundtrip(sd) == sd


def test_fingerprint_is_recorded_value():
    # recorded before the hashing moved to fastlr._hashing: checkpoints keep matching
    sched = TableScheduler(make_sgd(lrs=DIFF), WARM_COS, total_steps=T, relative=True)
    assert sched.fingerprint() == "3252fbc5c86c9b88ed351aaf726473a2"
    both = TableScheduler(make_sgd(), {"lr": WARM_COS, "momentum": fl.Constant(0.9)}, total_steps=T)
    assert both.fingerprint() == "2935c76744e9a862d227280b3b1bf9e2"
    assert both.state_dict()["fingerprint"] == both.fingerprint()


def test_changed_schedule_on_resume():
    opt = make_sgd()
    sched = TableScheduler(opt, SPEC, total_steps=T)
    _run(opt, sched, 0, 9)
    sd = sched.state_dict()
    changed = {
        "lr": fl.Schedule(fl.Cosine(1e-3, 1e-5, 2 * T - 8), warmup=fl.Warmup(8, start=1e-5)),
        "momentum": SPEC["momentum"],
    }

    with pytest.raises(ScheduleMismatchError, match=r"the 'lr' schedule changed.*total_steps changed from 40 to 80"):
        TableScheduler(make_sgd(), changed, total_steps=2 * T).load_state_dict(sd)
    with pytest.raises(ScheduleMismatchError, match="on_mismatch='new'"):
        TableScheduler(make_sgd(), SPEC, total_steps=T, relative=True).load_state_dict(sd)

    new = TableScheduler(make_sgd(), changed, total_steps=2 * T, on_mismatch="new")
    new.load_state_dict(sd)
    assert new.last_epoch == 9 and new.get_last_lr()[0] == changed["lr"].table(2 * T)[9]

    kept = TableScheduler(make_sgd(), changed, total_steps=2 * T, on_mismatch="saved")
    kept.load_state_dict(sd)
    assert kept.total_steps == T and kept.fingerprint() == sd["fingerprint"]
    assert kept.get_last_lr()[0] == WARM_COS.table(T)[9]

    rebuilt = TableScheduler.from_state_dict(make_sgd(), sd)
    assert rebuilt.last_epoch == 9 and rebuilt.get_last_lr() == sched.get_last_lr()


def test_load_state_dict_errors():
    opt = make_sgd()
    sched = TableScheduler(opt, COS, total_steps=T)
    lam = torch.optim.lr_scheduler.LambdaLR(make_sgd(), lambda t: 1.0)
    with pytest.raises(ValueError, match="not a fastlr TableScheduler state"):
        sched.load_state_dict(lam.state_dict())
    sd = sched.state_dict()
    sd["config"]["total_steps"] = 41
    with pytest.raises(ValueError, match="does not match its configuration"):
        sched.load_state_dict(sd)
    sd = sched.state_dict()
    sd["last_epoch"] = -2
    with pytest.raises(ValueError, match="last_epoch'\\] must be >= 0"):
        sched.load_state_dict(sd)


# ---- past the end -------------------------------------------------------------------------------------
def test_past_end_hold_and_raise():
    tab = WARM_COS.table(T)
    opt = make_sgd(n_groups=1)
    hold = TableScheduler(opt, WARM_COS, total_steps=T)
    opt.step()
    hold.step(T + 100)
    assert opt.param_groups[0]["lr"] == tab[-1] and hold.values_at(10**9)["lr"] == [tab[-1]]

    opt = make_sgd(n_groups=1)
    strict = TableScheduler(opt, WARM_COS, total_steps=T, past_end="raise")
    seen = lrs_used_by_optimizer_steps(opt, strict, T)  # a loop of exactly T steps finishes
    assert [s[0] for s in seen] == tab.tolist() and strict.last_epoch == T
    assert opt.param_groups[0]["lr"] == tab[-1]
    opt.step()
    with pytest.raises(PastEndError, match=r"step 41 is past the end of the table: total_steps=40"):
        strict.step()
    assert strict.last_epoch == T
    with pytest.raises(PastEndError):
        strict.step(T + 5)
    lam = to_lambda(WARM_COS, T, past_end="raise")
    assert lam(T) == tab[-1]
    with pytest.raises(PastEndError):
        lam(T + 1)


# ---- to_lambda, as_tensor ------------------------------------------------------------------------------
def test_to_lambda_object_and_method():
    lam = to_lambda(WARM_COS, T)
    assert isinstance(lam, TableLambda) and lam(3) == WARM_COS.table(T)[3] and lam(10**6) == WARM_COS.table(T)[-1]
    clone = pickle.loads(pickle.dumps(lam))
    assert [clone(i) for i in range(T)] == WARM_COS.table(T).tolist()
    ls = torch.optim.lr_scheduler.LambdaLR(make_sgd(lrs=(1.0,)), lam)
    assert len(pickle.dumps(ls.state_dict())) < 5_000  # LambdaLR saves lam.__dict__: no table

    opt_a, opt_b = make_sgd(lrs=DIFF), make_sgd(lrs=DIFF)
    mine = TableScheduler(opt_a, _yolo_like(), total_steps=T, relative=True)
    ref = torch.optim.lr_scheduler.LambdaLR(opt_b, mine.to_lambda())
    for _ in range(T + 2):
        assert mine.get_last_lr() == ref.get_last_lr()
        opt_a.step(), opt_b.step(), mine.step(), ref.step()
    with pytest.raises(ValueError, match="to_lambda\\(\\) needs relative lr"):
        TableScheduler(make_sgd(), COS, total_steps=T).to_lambda()


def test_as_tensor_copies_and_devices():
    t = as_tensor(WARM_COS, T)
    assert t.dtype == torch.float64 and t.shape == (T,)
    assert np.array_equal(t.numpy(), WARM_COS.table(T))
    t32 = as_tensor(WARM_COS, T, dtype=torch.float32)
    assert np.array_equal(t32.numpy(), WARM_COS.table(T, dtype=np.float32))
    sets = as_tensor(fl.ScheduleSet({"lr": _yolo_like()}), T)
    assert sets["lr"].shape == (3, T)
    with pytest.raises(TypeError, match=r"dtype must be a floating torch\.dtype"):
        as_tensor(WARM_COS, T, dtype=torch.int64)

    opt = make_sgd()
    sched = TableScheduler(opt, WARM_COS, total_steps=T)
    view = sched.as_tensor()
    assert view.shape == (3, T) and view.data_ptr() != sched.as_tensor().data_ptr()  # a copy each time
    assert np.array_equal(view[2].numpy(), WARM_COS.table(T))
    view.fill_(7.0)  # writing into it changes nothing the optimizer gets (issue 21)
    opt.step(), sched.step()
    assert opt.param_groups[0]["lr"] == WARM_COS.table(T)[1] and sched.as_tensor()[0, 1].item() != 7.0
    rel = TableScheduler(make_sgd(lrs=DIFF), WARM_COS, total_steps=T, relative=True).as_tensor(dtype=torch.float32)
    assert rel.dtype == torch.float32 and rel[2, 0].item() == np.float32(0.5 * WARM_COS.table(T)[0])


# ---- framework protocols --------------------------------------------------------------------------------
def test_call_order_warning_like_torch():
    opt = make_sgd()
    sched = TableScheduler(opt, COS, total_steps=T)
    with pytest.warns(UserWarning, match="before optimizer.step"):
        sched.step()
    opt = make_sgd()
    sched = TableScheduler(opt, COS, total_steps=T)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()


def test_hf_trainer_style_loop():
    """What transformers' Trainer does with optimizers=(optimizer, scheduler): step the scheduler
    after each optimizer step, log get_last_lr()[0], save with torch.save and reload with
    torch.load(weights_only=True) after the optimizer."""
    opt = make_adam()
    sched = TableScheduler(opt, WARM_COS, total_steps=T)
    logged = []
    for i in range(10):
        set_grads(opt, i)
        opt.step()
        sched.step()
        logged.append(sched.get_last_lr()[0])
    assert logged == WARM_COS.table(T)[1:11].tolist()
    opt_sd, sched_sd = _roundtrip(opt.state_dict()), _roundtrip(sched.state_dict())
    opt2 = make_adam()
    sched2 = TableScheduler(opt2, WARM_COS, total_steps=T)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    assert sched2.get_last_lr() == sched.get_last_lr() and sched2.last_epoch == 10


def test_lightning_style_loop():
    """What Lightning does with {"scheduler": s, "interval": "step"}: an LRScheduler instance with
    state_dict/load_state_dict, step() with no argument per optimizer step, lrs read from
    optimizer.param_groups; restore: configure_optimizers, optimizer state, then scheduler state."""
    opt = make_sgd()
    sched = TableScheduler(opt, SPEC, total_steps=T)
    config = {"scheduler": sched, "interval": "step", "frequency": 1}
    assert isinstance(config["scheduler"], torch.optim.lr_scheduler.LRScheduler)
    assert all(callable(getattr(sched, m)) for m in ("step", "state_dict", "load_state_dict", "get_last_lr"))
    for i in range(5):
        set_grads(opt, i)
        opt.step()
        config["scheduler"].step()
    ckpt = _roundtrip({"optimizer_states": [opt.state_dict()], "lr_schedulers": [sched.state_dict()]})
    opt2 = make_sgd()
    sched2 = TableScheduler(opt2, SPEC, total_steps=T)
    opt2.load_state_dict(ckpt["optimizer_states"][0])
    sched2.load_state_dict(ckpt["lr_schedulers"][0])
    assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt.param_groups]
    assert all(g["initial_lr"] == g0["initial_lr"] for g, g0 in zip(opt2.param_groups, opt.param_groups))


def test_optimizer_param_groups_added_later_is_an_error():
    opt = make_sgd()
    sched = TableScheduler(opt, COS, total_steps=T)
    opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})
    opt.step()
    with pytest.raises(ValueError, match="now has 4 param groups"):
        sched.step()


# ---- properties and docs -------------------------------------------------------------------------------
@settings(max_examples=25)
@given(ops=st.lists(st.one_of(st.none(), st.integers(0, 2 * T), st.just("save")), min_size=1, max_size=25))
def test_values_depend_on_the_step_alone(ops):
    """Any mix of step(), step(t) and save/load-into-a-fresh-optimizer: lrs == table[min(t, T-1)]."""
    tab = WARM_COS.table(T)
    opt = make_sgd(lrs=DIFF)
    sched = TableScheduler(opt, WARM_COS, total_steps=T, relative=True)
    opt.step()
    for op in ops:
        if op == "save":
            sd, osd = sched.state_dict(), opt.state_dict()
            opt = make_sgd(lrs=DIFF)
            sched = TableScheduler(opt, WARM_COS, total_steps=T, relative=True)
            sched.load_state_dict(sd)
            opt.load_state_dict(osd)
            opt.step()
        else:
            sched.step(op)
        i = min(sched.last_epoch, T - 1)
        assert [g["lr"] for g in opt.param_groups] == [b * tab[i] for b in (0.1, 0.05, 0.5)]


def test_docs_examples_run():
    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "torch.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    test = parser.get_doctest("\n".join(blocks), {}, "docs/torch.md", "docs/torch.md", 0)  # one namespace
    runner.run(test, clear_globs=False)  # clearing a namespace that torch.compile saw upsets dynamo's weakrefs
    assert runner.summarize(verbose=False).failed == 0


def test_real_lightning_trainer_with_checkpoint_resume(tmp_path):
    """Runs only where pytorch_lightning is installed (it is not a test dependency)."""
    pl = pytest.importorskip("pytorch_lightning")
    schedule = fl.Schedule(fl.Cosine(0.1, 0.001, 24), warmup=fl.Warmup(6, start=0.01))
    tab = schedule.table(30)
    seen: list[tuple[int, float, float]] = []

    class Tiny(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(2, 1)

        def training_step(self, batch, batch_idx):
            group = self.optimizers().param_groups[0]
            seen.append((self.global_step, group["lr"], group["momentum"]))
            return self.layer(batch).pow(2).mean()

        def configure_optimizers(self):
            opt = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
            sched = TableScheduler(opt, {"lr": schedule, "momentum": fl.Linear(0.8, 0.95, 30)}, total_steps=30)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    data = torch.utils.data.DataLoader(torch.randn(8, 2), batch_size=2)
    kw = dict(logger=False, enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
    trainer = pl.Trainer(max_steps=10, default_root_dir=tmp_path, **kw)
    trainer.fit(Tiny(), data)
    ckpt = tmp_path / "mid.ckpt"
    trainer.save_checkpoint(ckpt)
    pl.Trainer(max_steps=34, default_root_dir=tmp_path, **kw).fit(Tiny(), data, ckpt_path=ckpt)
    steps = [s for s, _, _ in seen]
    assert steps == list(range(34))
    assert [lr for _, lr, _ in seen] == [tab[min(s, 29)] for s in steps]
    assert [m for _, _, m in seen] == [fl.Linear(0.8, 0.95, 30).table(30)[min(s, 29)] for s in steps]


def test_real_hf_trainer_with_checkpoint_resume(tmp_path):
    """Runs only where transformers and accelerate are installed (they are not test dependencies)."""
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    schedule = fl.Schedule(fl.Cosine(0.1, 0.001, 24), warmup=fl.Warmup(6, start=0.01))
    tab = schedule.table(30)
    seen: list[tuple[int, float]] = []

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(2, 1)

        def forward(self, x):
            return {"loss": self.layer(x).pow(2).mean()}

    class Record(transformers.TrainerCallback):
        def on_pre_optimizer_step(self, args, state, control, optimizer=None, **kw):
            seen.append((state.global_step, optimizer.param_groups[0]["lr"]))

    data = [{"x": torch.randn(2, generator=torch.Generator().manual_seed(i))} for i in range(8)]

    def run(max_steps, resume=None):
        model = Tiny()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = TableScheduler(opt, schedule, total_steps=30)
        args = transformers.TrainingArguments(
            output_dir=str(tmp_path), max_steps=max_steps, per_device_train_batch_size=2, save_strategy="steps",
            save_steps=10, report_to=[], use_cpu=True, disable_tqdm=True, logging_strategy="no",
        )  # fmt: skip
        trainer = transformers.Trainer(
            model=model, args=args, train_dataset=data, optimizers=(opt, sched), callbacks=[Record()]
        )
        trainer.train(resume_from_checkpoint=resume)

    run(10)
    run(34, resume=str(tmp_path / "checkpoint-10"))
    steps = [s for s, _ in seen]
    assert steps == list(range(34))
    assert [lr for _, lr in seen] == [tab[min(s, 29)] for s in steps]


# ---- reliability (issue 21) ----------------------------------------------------------------------------
def test_failed_load_changes_nothing_and_corrupt_states_are_named():
    from fastlr._checks import MemoryLimitError
    from fastlr._hashing import canonical_hash
    from fastlr._spec import FORMAT_VERSION

    short = fl.Cosine(1.0, 0.0, 100)
    donor = TableScheduler(make_sgd(), short, total_steps=100, past_end="raise")
    donor.last_epoch = 150  # a step the saved table (100 rows) cannot reach with past_end="raise"
    saved = donor.state_dict()
    opt = make_sgd()
    sched = TableScheduler(opt, COS, total_steps=200, on_mismatch="saved")
    before = (sched.total_steps, sched.fingerprint(), sched.last_epoch, opt.param_groups[0]["lr"])
    with pytest.raises(PastEndError, match="step 150 is past the end"):
        sched.load_state_dict(saved)
    assert (sched.total_steps, sched.fingerprint(), sched.last_epoch, opt.param_groups[0]["lr"]) == before
    assert sched.values_at(150)["lr"][0] == COS.table(200)[150]

    sd = sched.state_dict()
    del sd["config"]["schedule"]
    with pytest.raises(ValueError, match=r"state_dict\['config'\] lacks \['schedule'\]"):
        sched.load_state_dict(sd)
    with pytest.raises(ValueError, match=r"lacks \['schedule'\]"):
        TableScheduler.from_state_dict(make_sgd(), sd)

    # a consistent (re-hashed) state asking for a 10**9-step table: the memory guard, then nothing changed
    sd = sched.state_dict()
    sd["config"]["total_steps"] = 10**9
    sd["config"]["schedule"] = fl.ScheduleSet({"lr": [short]}).to_dict()
    sd["fingerprint"] = canonical_hash({"fastlr": FORMAT_VERSION, "scheduler": sd["config"]})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("fastlr._checks.available_memory", lambda: 1 << 30)
        with pytest.raises(MemoryLimitError, match=r"\(1, 1000000000\) float64 needs 8,000,000,000 bytes"):
            sched.load_state_dict(sd)
    assert (sched.total_steps, sched.fingerprint(), sched.last_epoch, opt.param_groups[0]["lr"]) == before


def test_table_lambda_checks_replaced_and_unpickled_states():
    other = fl.Cosine(1.0, 0.0, 2 * T)
    saved = torch.optim.lr_scheduler.LambdaLR(make_sgd(lrs=(1.0,)), to_lambda(other, 2 * T)).state_dict()
    results = {}
    for mode in ("error", "saved", "new"):
        opt = make_sgd(lrs=(1.0,))
        ls = torch.optim.lr_scheduler.LambdaLR(opt, to_lambda(COS, T, on_mismatch=mode))
        ls.load_state_dict(saved)
        if mode == "error":
            opt.step()
            with pytest.raises(ScheduleMismatchError, match="describes another schedule"):
                ls.step()
            continue
        opt.step(), ls.step()
        results[mode] = (opt.param_groups[0]["lr"], ls.lr_lambdas[0].total_steps)
    assert results["saved"] == (other.table(2 * T)[1], 2 * T)
    assert results["new"] == (COS.table(T)[1], T)

    lam = to_lambda(COS, T)
    state = lam.__getstate__()
    state["schedule"] = fl.Cosine(2.0, 0.0, T).to_dict()  # tampered, fingerprint left as it was
    with pytest.raises(ValueError, match="does not match its schedule"):
        pickle.loads(pickle.dumps(lam)).__setstate__(state)
    with pytest.raises(ValueError, match="past_end must be one of"):
        TableLambda.__new__(TableLambda).__setstate__({**lam.__getstate__(), "past_end": "loop"})


# ---- groups with different lrs; one-call bridges (get_scheduler, use_in_trainer) ----------------
def test_one_absolute_schedule_over_groups_with_different_lrs_is_refused():
    """The issue's case: groups at 1e-3 and 1e-4 and one absolute schedule: no silent 10x."""
    opt = make_adam(lrs=(1e-3, 1e-4))
    with pytest.raises(ValueError, match=r"one absolute schedule for 2 param groups whose lr differ") as info:
        TableScheduler(opt, WARM_COS, total_steps=T)
    assert "relative=True" in str(info.value) and "one schedule per group" in str(info.value)
    assert [g["lr"] for g in opt.param_groups] == [1e-3, 1e-4] and "initial_lr" not in opt.param_groups[0]
    with pytest.raises(ValueError, match=r"'weight_decay' is one absolute schedule|whose weight_decay differ"):
        groups = [{"params": [p], "weight_decay": wd} for p, wd in zip(make_params(2), (0.0, 0.01))]
        TableScheduler(torch.optim.AdamW(groups, lr=1e-3), {"weight_decay": fl.Constant(0.01)}, total_steps=T)
    # the two ways out: each group's own lr as the base, or one schedule per group on purpose
    rel = TableScheduler(opt, COS, total_steps=T, relative=True)
    assert rel.values_at(3)["lr"] == [1e-3 * COS.table(T)[3], 1e-4 * COS.table(T)[3]]
    same = TableScheduler(make_adam(lrs=(1e-3, 1e-4)), [WARM_COS] * 2, total_steps=T)
    assert same.values_at(20)["lr"] == [WARM_COS.table(T)[20]] * 2


def test_betas_pair_message_names_beta1_and_beta2():
    opt = make_adam()
    with pytest.raises(ValueError) as info:
        TableScheduler(opt, {"betas": fl.Constant(0.9)}, total_steps=T)
    msg = str(info.value)
    assert "'betas' is a sequence (0.9, 0.999), not one number; schedule its elements as 'beta1' and 'beta2'" in msg
    with pytest.raises(ValueError) as info:
        TableScheduler(opt, {"nope": fl.Constant(0.9)}, total_steps=T)
    listed = re.search(r"its hyperparameters are (\[.*?\])", str(info.value)).group(1)
    assert "'beta1', 'beta2'" in listed and "'betas'" not in listed  # never listed as a number


def test_get_scheduler_factor_matches_lambda_lr_per_group():
    """A factor schedule scales each group's own lr: torch's LambdaLR is the reference."""
    from fastlr.torch import get_scheduler

    factor = fl.Schedule(fl.Cosine(1.0, 0.0, T - 5), warmup=fl.Warmup(5))
    opt_a, opt_b = make_adam(lrs=(1e-3, 1e-4)), make_adam(lrs=(1e-3, 1e-4))
    mine = get_scheduler(opt_a, factor, total_steps=float(T))
    ref = torch.optim.lr_scheduler.LambdaLR(opt_b, lambda t: factor.at(min(t, T - 1)))
    assert lrs_used_by_optimizer_steps(opt_a, mine, T + 2) == lrs_used_by_optimizer_steps(opt_b, ref, T + 2)
    assert mine.total_steps == T and mine.state_dict()["config"]["relative"] == ["lr"]


def test_get_scheduler_builds_a_dialect_schedule_per_base_lr():
    import functools

    import fastlr.presets.transformers as hf
    from fastlr.torch import get_scheduler

    calls = []

    def build(base_lr, **kw):
        calls.append(base_lr)
        return hf.get_cosine_schedule_with_warmup(base_lr, **kw)

    opt = make_sgd(lrs=(1e-3, 1e-4, 1e-3))
    sched = get_scheduler(
        opt, functools.partial(build, num_warmup_steps=4, num_training_steps=T), total_steps=T, past_end="raise"
    )
    assert calls == [1e-3, 1e-4] and sched.past_end == "raise"  # one build per distinct lr
    for t in (0, 4, 17, T - 1):
        want = [hf.get_cosine_schedule_with_warmup(b, 4, T).at(t) for b in (1e-3, 1e-4, 1e-3)]
        assert sched.values_at(t)["lr"] == want
    lam = get_scheduler(make_sgd(lrs=(0.5,)), lambda lr: fl.Constant(lr * 2), total_steps=3)
    assert lam.values_at(0)["lr"] == [1.0] * 3
    with pytest.raises(TypeError, match=r"schedule\(base_lr=0.1\) for param group 0 returned float"):
        get_scheduler(make_sgd(), lambda base_lr: 0.1, total_steps=3)
    with pytest.raises(TypeError, match="schedule must be a fastlr schedule"):
        get_scheduler(make_sgd(), "cosine", total_steps=3)
    with pytest.raises(TypeError, match=r"total_steps must be an integer, got 2\.5"):
        get_scheduler(make_sgd(), COS, total_steps=2.5)


class _FakeTrainer:
    """transformers.Trainer's scheduler protocol (5.x): create_optimizer_and_scheduler builds
    the optimizer, then calls create_scheduler(num_training_steps=max_steps, optimizer=...)."""

    def __init__(self, model, lr):
        self.model, self.lr, self.optimizer, self.lr_scheduler = model, lr, None, None

    def create_scheduler(self, num_training_steps, optimizer=None):  # the Trainer's default
        raise AssertionError("replaced by use_in_trainer")

    def train(self, max_steps):
        self.optimizer = torch.optim.AdamW(
            [{"params": [self.model.weight]}, {"params": [self.model.bias], "lr": self.lr / 10}], lr=self.lr
        )
        self.create_scheduler(num_training_steps=max_steps, optimizer=self.optimizer)
        lrs = []
        for _ in range(max_steps):
            lrs.append([g["lr"] for g in self.optimizer.param_groups])
            self.optimizer.step()
            self.lr_scheduler.step()
        return lrs


def test_use_in_trainer_learns_total_steps_and_the_optimizer():
    from fastlr.torch import use_in_trainer

    factor = fl.Schedule(fl.Linear(1.0, 0.0, 16), warmup=fl.Warmup(4))
    trainer = use_in_trainer(_FakeTrainer(torch.nn.Linear(2, 1), 1e-3), factor, past_end="raise")
    lrs = trainer.train(20)
    assert trainer.lr_scheduler.total_steps == 20 and trainer._created_lr_scheduler
    assert lrs == [[1e-3 * factor.at(t), 1e-4 * factor.at(t)] for t in range(20)]
    first = trainer.lr_scheduler
    assert trainer.create_scheduler(99) is first  # created once, as the Trainer does
    with pytest.raises(TypeError, match="unknown options"):
        use_in_trainer(_FakeTrainer(None, 1.0), factor, total_steps=3)
    with pytest.raises(TypeError, match=r"trainer must be a transformers\.Trainer"):
        use_in_trainer(object(), factor)


def test_use_in_trainer_live_transformers(tmp_path):
    transformers = pytest.importorskip("transformers")
    from fastlr.torch import use_in_trainer

    class Data(torch.utils.data.Dataset):
        def __len__(self):
            return 12

        def __getitem__(self, i):
            return {"x": torch.full((2,), float(i)), "labels": torch.tensor(float(i % 3))}

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 1)

        def forward(self, x, labels=None):
            out = self.lin(x).squeeze(-1)
            return {"loss": ((out - labels) ** 2).mean(), "logits": out}

    args = transformers.TrainingArguments(
        str(tmp_path), per_device_train_batch_size=2, num_train_epochs=2, learning_rate=1e-3,
        report_to=[], save_strategy="no", use_cpu=True, logging_steps=1,
    )  # fmt: skip
    factor = fl.Schedule(fl.Cosine(1.0, 0.0, 10), warmup=fl.Warmup(2))
    trainer = use_in_trainer(transformers.Trainer(model=Model(), args=args, train_dataset=Data()), factor)
    trainer.train()
    assert trainer.lr_scheduler.total_steps == 12 and trainer.lr_scheduler.last_epoch == 12
    logged = [e["learning_rate"] for e in trainer.state.log_history if "learning_rate" in e]
    # the Trainer logs get_last_lr() after scheduler.step(): the lr of the next update (held past T - 1)
    assert logged == [1e-3 * factor.at(min(t, 11)) for t in range(1, len(logged) + 1)]
