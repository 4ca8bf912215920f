"""Composer dialect: parity with vectors recorded from Composer's real Trainer (mosaicml 0.32.1),
live parity where ``composer`` imports (a fake State in the Trainer's order), quirks and errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.composer as cp
from fastlr.kernels import cpu
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "composer.json"
RECORDS = json.loads(DATA.read_text()) if DATA.exists() else []


def _ids(recs):
    return [f"{i}-{r['call']}-{r.get('note') or ''}" for i, r in enumerate(recs)]


@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    build = getattr(cp, rec["call"])
    if rec.get("raises_at") is not None:
        # Composer's Trainer raised (t_max shorter than max_duration, division by zero): refused up front
        with pytest.raises(ValueError, match=r"t_max"):
            build(**rec["kwargs"])
        return
    assert_close64(build(**rec["kwargs"]).table(rec["T"]), rec["values"]["lr"][0], err_msg=rec.get("note") or "")


def test_records_cover_every_scheduler_and_trainer_option():
    assert {r["call"] for r in RECORDS} == set(cp.SCHEDULERS)
    kws = [r["kwargs"] for r in RECORDS]
    assert any(k.get("step_schedulers_every_batch") is False for k in kws)
    assert any(k.get("scale_schedule_ratio", 1.0) != 1.0 for k in kws)
    assert any(k.get("scale_warmup") for k in kws)


# ---- live parity: Composer's scheduler functions on a fake State, in the Trainer's order -------


def _live_configs():
    rng = np.random.default_rng(7)
    out = []
    for i in range(6):
        L = int(rng.integers(2, 6))
        max_ep = int(rng.integers(2, 6))
        tw = f"{int(rng.integers(0, L * max_ep // 2))}ba"
        every = bool(i % 3)
        calls = [
            ("CosineAnnealingWithWarmupScheduler", {"t_warmup": tw, "alpha_f": float(rng.uniform(0, 0.2))}),
            ("LinearWithWarmupScheduler", {"t_warmup": "0.2dur", "alpha_f": 0.05}),
            ("PolynomialScheduler", {"power": float(rng.uniform(0.5, 3)), "t_max": f"{max(1, L * max_ep - 3)}ba"}),
            ("StepScheduler", {"step_size": "1ep", "gamma": 0.7}),
            ("CosineAnnealingWarmRestartsScheduler", {"t_0": "1ep", "t_mult": 2.0}),
            ("MultiStepWithWarmupScheduler", {"t_warmup": tw, "milestones": ["1ep", "0.6dur"]}),
        ]
        call, kw = calls[i]
        trainer = {"max_duration": f"{max_ep}ep", "dataloader_len": L, "step_schedulers_every_batch": every}
        out.append(pytest.param(call, kw, trainer, id=f"{i}-{call}-{'batch' if every else 'epoch'}"))
    return out


@pytest.fixture(scope="module")
def composer():
    return pytest.importorskip("composer.optim.scheduler")


@pytest.mark.parametrize(("call", "kw", "trainer"), _live_configs())
def test_live_parity(composer, call, kw, trainer):
    from composer.core import Time, Timestamp

    L, every = trainer["dataloader_len"], trainer["step_schedulers_every_batch"]
    n = int(trainer["max_duration"][:-2]) * L

    class State:
        max_duration = Time.from_timestring(trainer["max_duration"])
        dataloader_len = L
        timestamp = Timestamp()

    f = getattr(composer, call)(**kw)
    state = State()

    def at(batch):
        state.timestamp = Timestamp(epoch=batch // L, batch=batch, batch_in_epoch=batch % L)
        return 0.1 * f(state)

    # the LambdaLR constructor reads batch 0; the Trainer steps after batch i, before counting it
    ref = [at(0)] + [at(i - 1) if every else at(i - i % L) for i in range(1, n)]
    assert_close64(getattr(cp, call)(**kw, base_lr=0.1, **trainer).table(n), ref)


# ---- quirks --------------------------------------------------------------------------------------


def test_first_value_is_used_twice():
    s = cp.LinearScheduler(alpha_i=1.0, alpha_f=0.0, t_max="10ba", base_lr=1.0, max_duration="12ba")
    assert_close64(s.table(5), [1.0, 1.0, 0.9, 0.8, 0.7])


def test_per_epoch_reads_the_batch_count_at_epoch_ends():
    s = cp.LinearScheduler(
        t_max="10ba", base_lr=1.0, max_duration="3ep", dataloader_len=4, step_schedulers_every_batch=False
    )
    assert_close64(s.table(12), [1.0] * 4 + [0.6] * 4 + [0.2] * 4)


def test_scale_schedule_ratio_shortens_t_max_but_not_the_warmup():
    s = cp.CosineAnnealingWithWarmupScheduler("4ba", base_lr=1.0, max_duration="10ba", scale_schedule_ratio=0.5)
    tab = s.table(6)
    assert_close64(tab[:5], [0.0, 0.0, 0.25, 0.5, 0.75])
    assert tab[5] == pytest.approx(1.0)  # t_max = int(0.5 * 10) = 5 batches, the decay starts at batch 4


def test_everyday_schedules_hit_the_fast_kernels():
    for s in (
        cp.CosineAnnealingWithWarmupScheduler("100ba", alpha_f=0.1, base_lr=3e-4, max_duration="1000ba"),
        cp.LinearWithWarmupScheduler("0.05dur", base_lr=3e-4, max_duration="4ep", dataloader_len=300),
        cp.ConstantWithWarmupScheduler("1ep", base_lr=3e-4, max_duration="4ep", dataloader_len=300),
    ):
        mask = cpu.feature_mask(*s.program().arrays())
        assert mask & ~cpu.WARMUP_DECAY_FEATURES == 0


def test_round_trip():
    s = cp.PolynomialWithWarmupScheduler("3ba", power=1.5, alpha_f=0.1, base_lr=0.2, max_duration="40ba")
    back = fastlr.from_dict(json.loads(json.dumps(s.to_dict())))
    assert np.array_equal(back.table(50), s.table(50))


def test_table_continues_past_max_duration():
    s = cp.ExponentialScheduler(0.5, decay_period="2ba", base_lr=1.0, max_duration="4ba")
    assert s.table(8)[7] == pytest.approx(0.5**3)
    assert math.isfinite(cp.ExponentialScheduler(1.5, "1ba", base_lr=1.0, max_duration="4ba").table(3000)[-1])


# ---- errors ----------------------------------------------------------------------------------------

TR = {"base_lr": 0.1, "max_duration": "20ba"}


@pytest.mark.parametrize(
    ("call", "kw", "exc", "match"),
    [
        ("LinearScheduler", {"t_max": "5sp"}, ValueError, "samples"),
        ("LinearScheduler", {"t_max": "5tok"}, ValueError, "tokens"),
        ("LinearScheduler", {"t_max": "1h"}, ValueError, "wall-clock"),
        ("LinearScheduler", {"t_max": "5iter"}, ValueError, "iter"),
        ("LinearScheduler", {"t_max": "2ep"}, ValueError, "dataloader_len"),
        ("LinearScheduler", {"t_max": "1.5ba"}, TypeError, "integer"),
        ("LinearScheduler", {"t_max": 5}, TypeError, "time string"),
        ("LinearScheduler", {"t_max": "0.01dur"}, ValueError, "0 batches"),
        ("LinearScheduler", {"alpha_i": -1.0}, ValueError, "alpha_i"),
        ("StepScheduler", {"step_size": "0ba"}, ValueError, "step_size"),
        ("PolynomialScheduler", {"power": -1.0}, ValueError, "power"),
        ("CosineAnnealingWarmRestartsScheduler", {"t_0": "5ba", "t_mult": 0.5}, ValueError, "t_mult"),
        ("CosineAnnealingWarmRestartsScheduler", {"t_0": "5ba", "alpha_f": 2.0}, ValueError, "alpha_f"),
        ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "2ba", "t_max": "10ba"}, ValueError, "t_max"),
        (
            "CosineAnnealingWithWarmupScheduler",
            {"t_warmup": "2ba", "scale_warmup": True, "scale_schedule_ratio": 0.1},
            ValueError,
            "t_warmup",
        ),
        ("LinearScheduler", {"max_duration": "0.5dur"}, ValueError, "max_duration"),
        ("LinearScheduler", {"scale_schedule_ratio": 0.01}, ValueError, "scale_schedule_ratio"),
        ("LinearScheduler", {"step_schedulers_every_batch": False}, ValueError, "dataloader_len"),
    ],
)
def test_errors(call, kw, exc, match):
    with pytest.raises(exc, match=match):
        getattr(cp, call)(**{**TR, **kw})


def test_cli_lists_and_builds_composer_and_mmengine(capsys, tmp_path):
    from fastlr import cli

    assert cli.main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "composer" in out and "mmengine" in out
    spec = "composer:CosineAnnealingWithWarmupScheduler,t_warmup='2ba',max_duration='6ba',base_lr=1.0"
    path = tmp_path / "t.npy"
    assert cli.main(["table", spec, "-T", "6", "-o", str(path)]) == 0
    assert_close64(
        np.load(path), cp.CosineAnnealingWithWarmupScheduler("2ba", base_lr=1.0, max_duration="6ba").table(6)
    )
    spec = "mmengine:LinearLR,start_factor=0.25,by_epoch=False,begin=0,end=4,base_lr=1.0"
    assert cli.main(["table", spec, "-T", "5", "-o", str(path)]) == 0
    assert_close64(np.load(path), [0.25, 0.5, 0.75, 1.0, 1.0])
    assert cli.main(["table", "composer:LinearScheduler,t_max='3sp',max_duration='6ba',base_lr=1.0", "-T", "3"]) == 2
    assert "samples" in capsys.readouterr().err
