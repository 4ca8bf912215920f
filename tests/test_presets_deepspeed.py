"""DeepSpeed dialect: parity with vectors recorded from deepspeed.runtime.lr_schedules under the
engine's stepping (lr, and OneCycle's momentum), live parity where DeepSpeed imports, errors."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastlr.presets.deepspeed as ds
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "deepspeed.json"
RECORDS = json.loads(DATA.read_text()) if DATA.exists() else []


def _tables(built, T):
    tab = built.table(T)
    return tab if isinstance(tab, dict) else {"lr": tab[None]}


@pytest.mark.skipif(not RECORDS, reason="tests/data/peers/deepspeed.json not recorded")
@pytest.mark.parametrize("rec", RECORDS, ids=[f"{i}-{r['call']}-{r.get('note')}" for i, r in enumerate(RECORDS)])
def test_recorded(rec):
    fn = getattr(ds, rec["call"])
    if rec.get("raises_at") == 0:
        with pytest.raises(ValueError, match=r"must be a positive integer|must be >= 1"):
            fn(**rec["kwargs"])
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unknown warmup_type record warns, as DeepSpeed does
        tab = _tables(fn(**rec["kwargs"]), rec["T"])
    assert set(tab) == set(rec["values"])
    for k, groups in rec["values"].items():
        for g, ref in enumerate(groups):
            assert_close64(tab[k][g], ref, err_msg=f"{k}[{g}]")


def test_records_cover_every_scheduler():
    if not RECORDS:
        pytest.skip("no records")
    assert {r["call"] for r in RECORDS} >= {*ds.SCHEDULERS, "from_config"}


def test_quirks_and_errors():
    with pytest.warns(UserWarning, match="warmup_type"):
        ds.WarmupLR(warmup_max_lr=0.1, warmup_num_steps=3, warmup_type="cos")
    with pytest.raises(ValueError, match="base_lr"):
        ds.WarmupLR(warmup_num_steps=3)
    with pytest.raises(ValueError, match="last_batch_iteration"):
        ds.WarmupCosineLR(10, last_batch_iteration=4, base_lr=0.1)
    with pytest.raises(ValueError, match="lr_range_test_step_rate"):
        ds.LRRangeTest(lr_range_test_step_rate=-1.0)
    with pytest.raises(ValueError, match="expected 2 values"):
        ds.WarmupLR([0.0, 0.1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="'auto'"):
        ds.from_config({"type": "WarmupLR", "params": {"warmup_max_lr": "auto"}})
    with pytest.raises(ValueError, match="unknown scheduler type"):
        ds.from_config({"type": "Nope"})
    # the silent minimum warmup of 2 steps, one update late
    assert ds.WarmupLR(0.0, 1.0, 1, "linear").table(4).tolist() == [0.0, 0.0, 0.5, 1.0]
    # the ramp is linear far past any run
    assert ds.LRRangeTest(1.0, 1, 1.0).at(10**9) == pytest.approx(1.0 + 1e9, rel=1e-12)


def _everyday():
    import fastlr.presets.megatron as meg
    import fastlr.presets.torchtitan as tt

    wd = dict(start_wd=0.1, end_wd=0.1, wd_incr_steps=1000, wd_incr_style="constant")
    lr = dict(init_lr=0.0, max_lr=3e-4, min_lr=3e-5, lr_warmup_steps=100, lr_decay_steps=1000)
    return [
        meg.OptimizerParamScheduler(**lr, lr_decay_style="cosine", **wd),
        meg.OptimizerParamScheduler(**lr, lr_decay_style="linear", increment=8, **wd),
        meg.OptimizerParamScheduler(**lr, lr_decay_style="WSD", wsd_decay_steps=200, lr_wsd_decay_style="cosine", **wd),
        meg.OptimizerParamScheduler(
            **lr,
            lr_decay_style="WSD",
            wsd_decay_steps=200,
            lr_wsd_decay_style="linear",
            **dict(wd, start_wd=0.0, wd_incr_style="linear"),
        ),
        ds.WarmupCosineLR(1000, warmup_num_steps=100, warmup_type="linear", base_lr=1e-3),
        ds.WarmupDecayLR(1000, warmup_num_steps=100),
        ds.WarmupLR(warmup_max_lr=1e-3, warmup_num_steps=100, warmup_type="linear"),
        tt.lr_scheduler(1e-3, 1000, 100, decay_type="cosine"),
        tt.lr_scheduler(1e-3, 1000, 100, decay_ratio=0.2, decay_type="linear"),
    ]


@pytest.mark.parametrize("i", range(9))
def test_everyday_schedules_hit_the_warmup_decay_kernels(i):
    """Warmup + cosine/linear/WSD of megatron, DeepSpeed and torchtitan need only the cheapest
    compiled variant (constant, linear and cosine pieces, prefix warmup)."""
    from fastlr.kernels import cpu

    arrays = _everyday()[i].program().arrays()
    assert cpu.feature_mask(*arrays[:4]) & ~cpu.WARMUP_DECAY_FEATURES == 0


# ---- live parity (only where DeepSpeed imports) -----------------------------------------------


def _configs(n=10):
    rng = np.random.default_rng(5)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    out = []
    for i in range(n):
        call = ds.SCHEDULERS[i % len(ds.SCHEDULERS)]
        wt = pick(["log", "linear"])
        if call == "WarmupLR":
            kw = dict(
                warmup_min_lr=pick([0.0, 0.01]),
                warmup_max_lr=0.5,
                warmup_num_steps=int(pick([1, 3, 9])),
                warmup_type=wt,
            )
        elif call == "WarmupDecayLR":
            kw = dict(
                total_num_steps=int(pick([2, 12, 30])),
                warmup_max_lr=0.5,
                warmup_num_steps=int(pick([2, 9])),
                warmup_type=wt,
            )
        elif call == "WarmupCosineLR":
            kw = dict(
                total_num_steps=int(pick([2, 12, 30])),
                warmup_min_ratio=pick([0.0, 0.1]),
                warmup_num_steps=int(pick([2, 9])),
                cos_min_ratio=pick([0.0, 0.01]),
                warmup_type=wt,
            )
        elif call == "OneCycle":
            kw = dict(
                cycle_min_lr=0.01,
                cycle_max_lr=0.5,
                cycle_first_step_size=int(pick([1, 4, 7])),
                cycle_second_step_size=pick([None, 0, 5]),
                cycle_first_stair_count=int(pick([0, 2])),
                decay_lr_rate=pick([0.0, 0.3]),
                decay_step_size=pick([0, 3]),
                decay_mom_rate=pick([0.0, 0.1]),
            )
        else:
            kw = dict(
                lr_range_test_min_lr=1e-3,
                lr_range_test_step_size=int(pick([1, 4])),
                lr_range_test_step_rate=pick([0.5, 3.0]),
                lr_range_test_staircase=bool(pick([False, True])),
            )
        out.append(pytest.param(call, kw, id=f"{i}-{call}"))
    return out


@pytest.mark.parametrize(("call", "kw"), _configs())
def test_live(call, kw):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        L = pytest.importorskip("deepspeed.runtime.lr_schedules")
    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.2)
    sched = getattr(L, call)(opt, **kw)
    T = 40
    ref = {"lr": np.zeros((1, T)), "momentum": np.zeros((1, T))}
    for i in range(T):
        ref["lr"][0, i], ref["momentum"][0, i] = float(opt.param_groups[0]["lr"]), opt.param_groups[0]["betas"][0]
        opt.step()
        sched.step()
    tab = _tables(getattr(ds, call)(**kw, base_lr=0.2), T)
    for k in tab:
        assert_close64(tab[k][0], ref[k][0], err_msg=k)
