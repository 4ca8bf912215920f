"""MMEngine dialect: parity with vectors recorded from mmengine 0.10.7's param schedulers (built as
the runner builds them, stepped as its ParamSchedulerHook steps them), live parity where
``mmengine`` imports, quirks and errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.mmengine as mm
from fastlr.kernels import cpu
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "mmengine.json"
RECORDS = json.loads(DATA.read_text()) if DATA.exists() else []

# recorded configs that fastlr refuses on purpose (documented in the module docstring)
REFUSED = {"overlap: refused": "product of curves"}


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}" for i, r in enumerate(recs)]


def _tables(s, T):
    tabs = s.table(T)
    return tabs if isinstance(tabs, dict) else {"lr": tabs[None]}


@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    build = getattr(mm, rec["call"])
    if rec.get("note") in REFUSED:
        with pytest.raises(ValueError, match=REFUSED[rec["note"]]):
            build(**rec["kwargs"])
        return
    tabs = _tables(build(**rec["kwargs"]), rec["T"])
    assert set(tabs) == set(rec["values"])
    for k, rows in rec["values"].items():
        assert_close64(tabs[k][0], rows[0], err_msg=f"{rec.get('note')} {k}")


def test_records_cover_every_kind():
    kinds = {r["call"] for r in RECORDS}
    for cfg in (r["kwargs"]["param_scheduler"] for r in RECORDS if r["call"] == "from_config"):
        kinds.update(c["type"] for c in cfg)
    assert {f"{k}LR" for k in (*mm._KINDS, "OneCycle")} <= kinds
    assert any(k.endswith("Momentum") for k in kinds) and any(k.endswith("ParamScheduler") for k in kinds)


# ---- live parity (only where mmengine imports) ------------------------------------------------


def _live_configs():
    rng = np.random.default_rng(11)
    out = []
    for i in range(4):
        L = int(rng.integers(2, 7))
        W = int(rng.integers(1, 3 * L))
        tail = [
            dict(
                type="CosineAnnealingLR",
                by_epoch=True,
                begin=3,
                end=9,
                eta_min=float(rng.uniform(0, 1e-3)),
                convert_to_iter_based=True,
            ),
            dict(type="MultiStepLR", by_epoch=True, begin=0, end=9, milestones=[4, 7], gamma=0.3),
            dict(type="PolyLR", by_epoch=False, begin=3 * L, end=9 * L, power=float(rng.uniform(0.5, 2))),
            dict(type="StepLR", by_epoch=True, begin=3, end=9, step_size=2, gamma=0.5),
        ][i]
        cfg = [
            dict(
                type="LinearLR", start_factor=float(rng.uniform(0.01, 0.5)), by_epoch=False, begin=0, end=min(W, 3 * L)
            ),
            tail,
        ]
        out.append(pytest.param(cfg, L, id=f"{i}-{tail['type']}"))
    return out


@pytest.mark.parametrize(("cfg", "L"), _live_configs())
def test_live_parity(cfg, L):
    pytest.importorskip("mmengine.optim.scheduler")
    import torch
    from mmengine.registry import PARAM_SCHEDULERS

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheds = [PARAM_SCHEDULERS.build(dict(c), default_args=dict(optimizer=opt, epoch_length=L)) for c in cfg]
    ref = []
    for i in range(10 * L):
        ref.append(opt.param_groups[0]["lr"])
        opt.step()
        for s in scheds:
            if not s.by_epoch:
                s.step()
        if (i + 1) % L == 0:
            for s in scheds:
                if s.by_epoch:
                    s.step()
    assert_close64(mm.from_config(cfg, base_lr=0.1, epoch_length=L).table(10 * L), ref)


# ---- quirks ----------------------------------------------------------------------------------------


def test_linear_warmup_end_is_inclusive():
    s = mm.LinearLR(start_factor=0.25, begin=0, end=4, by_epoch=False, base_lr=1.0)
    assert_close64(s.table(6), [0.25, 0.5, 0.75, 1.0, 1.0, 1.0])


def test_cosine_restarts_from_base_lr_after_t_max():
    cfg = [
        dict(type="LinearLR", start_factor=0.1, end_factor=0.5, by_epoch=False, begin=0, end=3),
        dict(type="CosineAnnealingLR", T_max=4, by_epoch=False, begin=3, end=20),
    ]
    tab = mm.from_config(cfg, base_lr=1.0).table(12)
    assert tab[3] == pytest.approx(0.5) and tab[7] == pytest.approx(0.0, abs=1e-15)
    assert tab[11] == pytest.approx(1.0)  # k = 2 T_max: the base lr's amplitude, not the warmup's 0.5


def test_momentum_makes_a_schedule_set():
    cfg = [
        dict(type="CosineAnnealingLR", by_epoch=False, begin=0, end=10),
        dict(type="LinearMomentum", start_factor=0.9, by_epoch=False, begin=0, end=5),
    ]
    s = mm.from_config(cfg, base_lr=0.1, base_momentum=0.9)
    assert isinstance(s, fastlr.ScheduleSet) and s.keys() == ["lr", "momentum"]
    assert_close64(s.table(6)["momentum"][0], 0.9 * np.array([0.9, 0.925, 0.95, 0.975, 1.0, 1.0]))


def test_everyday_chains_hit_the_fast_kernels():
    cfgs = [
        [
            dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=500),
            dict(type="CosineAnnealingLR", by_epoch=True, begin=1, end=100, convert_to_iter_based=True),
        ],
        [
            dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=500),
            dict(type="MultiStepLR", by_epoch=True, begin=0, end=12, milestones=[8, 11]),
        ],
        [
            dict(type="LinearLR", start_factor=0.1, by_epoch=False, begin=0, end=100),
            dict(type="LinearLR", start_factor=1.0, end_factor=0.0, by_epoch=False, begin=100, end=5000),
        ],
    ]
    for cfg in cfgs:
        s = mm.from_config(cfg, base_lr=0.02, epoch_length=1000)
        assert cpu.feature_mask(*s.program().arrays()) & ~cpu.WARMUP_DECAY_FEATURES == 0


def test_runner_default_end_and_round_trip():
    cfg = [dict(type="PolyLR", power=1.0, by_epoch=False)]
    s = mm.from_config(cfg, base_lr=1.0, max_iters=10)
    assert_close64(s.table(12), [1 - k / 9 for k in range(10)] + [0.0, 0.0])
    back = fastlr.from_dict(json.loads(json.dumps(s.to_dict())))
    assert np.array_equal(back.table(20), s.table(20))


# ---- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cfg", "kw", "exc", "match"),
    [
        (
            [dict(type="LinearLR", by_epoch=False, begin=0, end=10), dict(type="PolyLR", by_epoch=False, begin=5)],
            {},
            ValueError,
            "product of curves",
        ),
        ([dict(type="CosineAnnealingLR", begin=0, end=10)], {}, ValueError, "epoch_length"),
        (
            [dict(type="LinearLR", by_epoch=False, end=5), dict(type="CosineAnnealingLR", begin=1, end=10)],
            {"epoch_length": 5},
            ValueError,
            "convert_to_iter_based",
        ),
        ([dict(type="LinearLR", by_epoch=False, begin=5, end=5)], {}, ValueError, "end should be larger"),
        ([dict(type="LinearLR", by_epoch=False, start_factor=0.0, end=5)], {}, ValueError, "start_factor"),
        ([dict(type="LinearLR", by_epoch=False, start_factor=1.5, end=5)], {}, ValueError, "start_factor"),
        ([dict(type="ConstantLR", by_epoch=False, factor=0.0, end=5)], {}, ValueError, "factor"),
        ([dict(type="PolyLR", by_epoch=False, power=-1.0, end=5)], {}, ValueError, "power"),
        ([dict(type="ReduceOnPlateauLR")], {}, ValueError, "metric"),
        ([dict(type="CosineLR")], {}, ValueError, "unknown scheduler type"),
        ([dict(type="LinearLR", by_epoch=False, end=5, warmup=3)], {}, TypeError, "warmup"),
        ([dict(type="OneCycleLR", eta_max=0.1, total_steps=10, by_epoch=False, end=20)], {}, ValueError, "total_steps"),
        ([dict(type="OneCycleLR", eta_max=0.1, pct_start=1, by_epoch=False, end=20)], {}, ValueError, "pct_start"),
        ([dict(type="LinearMomentum", by_epoch=False, end=5)], {}, ValueError, "base_momentum"),
        (
            [dict(type="LinearLR", by_epoch=False, end=5, convert_to_iter_based=True)],
            {"epoch_length": 3},
            ValueError,
            "epoch-based",
        ),
        (
            [dict(type="CosineAnnealingLR", by_epoch=False, end=5, eta_min=0.0, eta_min_ratio=0.1)],
            {},
            ValueError,
            "exactly one",
        ),
    ],
)
def test_errors(cfg, kw, exc, match):
    with pytest.raises(exc, match=match):
        mm.from_config(cfg, base_lr=0.1, **kw)


def test_single_call_errors():
    with pytest.raises(TypeError, match="base_lr"):
        mm.LinearLR(start_factor=0.5)
    with pytest.raises(ValueError, match="param_name"):
        mm.LinearParamScheduler(base_value=0.1, by_epoch=False, end=5)


def test_registry_scope_is_accepted():
    cfg = [dict(type="mmengine.LinearLR", _scope_="mmengine", start_factor=0.5, by_epoch=False, end=3)]
    assert_close64(mm.from_config(cfg, base_lr=1.0).table(4), [0.5, 0.75, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"unknown scheduler type 'mmdet\.QuadraticWarmupLR'"):
        mm.from_config([dict(type="mmdet.QuadraticWarmupLR")], base_lr=1.0)
