"""Megatron-LM dialect: parity with vectors recorded from megatron-core's OptimizerParamScheduler
(lr and weight decay, every param group), live parity where megatron-core imports, errors."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastlr
import fastlr.presets.megatron as meg
from tests.tolerance import assert_close64

DATA = Path(__file__).parent / "data" / "peers" / "megatron.json"
RECORDS = json.loads(DATA.read_text()) if DATA.exists() else []

# recorded configs that fastlr refuses on purpose (documented in the module docstring)
REFUSED: dict[str, str] = {}


def _ids(recs):
    return [f"{i}-{r.get('note') or ''}" for i, r in enumerate(recs)]


@pytest.mark.skipif(not RECORDS, reason="tests/data/peers/megatron.json not recorded")
@pytest.mark.parametrize("rec", RECORDS, ids=_ids(RECORDS))
def test_recorded(rec):
    note = rec.get("note") or ""
    if note in REFUSED or rec.get("raises_at") == 0:
        with pytest.raises(ValueError, match=REFUSED.get(note, "must|needs")):
            meg.OptimizerParamScheduler(**rec["kwargs"])
        return
    tab = meg.OptimizerParamScheduler(**rec["kwargs"]).table(rec["T"])
    assert set(tab) == set(rec["values"])
    for k, groups in rec["values"].items():
        for g, ref in enumerate(groups):
            assert_close64(tab[k][g], ref, err_msg=f"{k}[{g}]")


def test_records_cover_every_style():
    if not RECORDS:
        pytest.skip("no records")
    styles = {r["kwargs"]["lr_decay_style"] for r in RECORDS}
    assert styles >= set(meg.DECAY_STYLES)
    wsd = {r["kwargs"].get("lr_wsd_decay_style") for r in RECORDS}
    assert wsd >= set(meg.WSD_DECAY_STYLES)
    assert {r["kwargs"]["wd_incr_style"] for r in RECORDS} >= set(meg.WD_INCR_STYLES)


def test_canonical_form_for_warmup_cosine():
    s = meg.OptimizerParamScheduler(0.0, 1e-3, 1e-4, 10, 100, "cosine", 0.1, 0.1, 100, "constant")
    lr = s["lr"][0]
    assert isinstance(lr.curve, fastlr.Cosine) and lr.warmup == fastlr.Warmup(10, 0.0)


def test_errors_name_the_parameter():
    kw = dict(
        init_lr=0.0,
        max_lr=1e-3,
        min_lr=0.0,
        lr_warmup_steps=1,
        lr_decay_steps=10,
        start_wd=0.0,
        end_wd=0.0,
        wd_incr_steps=10,
        wd_incr_style="constant",
    )
    with pytest.raises(ValueError, match="lr_decay_style"):
        meg.OptimizerParamScheduler(**kw, lr_decay_style="cosin")
    with pytest.raises(ValueError, match="lr_wsd_decay_style"):
        meg.OptimizerParamScheduler(**kw, lr_decay_style="WSD", wsd_decay_steps=3)
    with pytest.raises(ValueError, match="unknown keys"):
        meg.OptimizerParamScheduler(**kw, lr_decay_style="linear", param_groups=[{"lr_mult": 2.0}])
    with pytest.raises(ValueError, match="divides by zero"):
        meg.OptimizerParamScheduler(**dict(kw, wd_incr_steps=0, wd_incr_style="linear"), lr_decay_style="linear")
    with pytest.raises(ValueError, match="start_wd == end_wd"):
        meg.OptimizerParamScheduler(**dict(kw, end_wd=0.1), lr_decay_style="linear")
    with pytest.raises(ValueError, match="increment"):
        meg.OptimizerParamScheduler(**kw, lr_decay_style="linear", increment=0)


# ---- live parity (only where megatron-core imports) ------------------------------------------


def _configs(n=12):
    rng = np.random.default_rng(16)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    out = []
    for i in range(n):
        style = meg.DECAY_STYLES[i % len(meg.DECAY_STYLES)]
        D = int(pick([3, 12, 40]))
        hi = float(pick([1e-3, 0.5]))
        kw = dict(
            init_lr=float(pick([0.0, hi / 10])),
            max_lr=hi,
            min_lr=hi * float(pick([0.0, 0.1, 0.6])),
            lr_warmup_steps=pick([0, 1, 2, 2.5]),
            lr_decay_steps=D,
            lr_decay_style=style,
            start_wd=0.0,
            end_wd=0.1,
            wd_incr_steps=int(pick([3, 30])),
            wd_incr_style=pick(["linear", "cosine"]),
        )
        if style == "WSD":
            kw.update(wsd_decay_steps=int(pick([1, D // 2, D + 2])), lr_wsd_decay_style=pick(meg.WSD_DECAY_STYLES))
        G = int(pick([1, 2, 5]))
        out.append(pytest.param(kw, G, id=f"{i}-{style}-G{G}"))
    return out


@pytest.mark.parametrize(("kw", "G"), _configs())
def test_live(kw, G):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = pytest.importorskip("megatron.core.optimizer_param_scheduler")
    groups = [{}, {"max_lr": kw["max_lr"] * 2, "wd_mult": 0.5}]
    opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], **g} for g in groups], lr=0.1)
    sched = mod.OptimizerParamScheduler(opt, **kw)
    T = kw["lr_decay_steps"] // G + 4
    ref = {"lr": np.zeros((2, T)), "weight_decay": np.zeros((2, T))}
    for i in range(T):
        for g, pg in enumerate(opt.param_groups):
            ref["lr"][g, i], ref["weight_decay"][g, i] = pg["lr"], pg["weight_decay"]
        sched.step(G)
    tab = meg.OptimizerParamScheduler(**kw, param_groups=groups, increment=G).table(T)
    for k in ref:
        for g in range(2):
            assert_close64(tab[k][g], ref[k][g], err_msg=f"{k}[{g}]")
